//! Settings defined once in the domain and repeated, as they must be, in
//! template.yaml's parameters: the template has to agree with the domain.

use berth_domain::reservations::HoldMinutes;
use serde_yaml_ng::Value;

fn template_parameter(name: &str) -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml");
    let text = std::fs::read_to_string(path).expect("reading template.yaml");
    let template: Value = serde_yaml_ng::from_str(&text).expect("template.yaml is YAML");
    template["Parameters"][name].clone()
}

#[test]
fn the_template_bounds_hold_minutes_as_the_domain_does() {
    let parameter = template_parameter("HoldMinutes");
    let number = |key: &str| {
        parameter[key]
            .as_u64()
            .unwrap_or_else(|| panic!("HoldMinutes has no numeric {key}: {parameter:?}"))
    };
    assert_eq!(parameter["Type"].as_str(), Some("Number"));
    assert_eq!(number("MinValue"), u64::from(HoldMinutes::MIN));
    assert_eq!(number("MaxValue"), u64::from(HoldMinutes::MAX));
    assert_eq!(number("Default"), u64::from(HoldMinutes::DEFAULT));
    assert!(
        parameter.get("AllowedValues").is_none(),
        "the bounds are MinValue and MaxValue only"
    );
}
