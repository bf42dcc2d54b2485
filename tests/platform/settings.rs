//! Settings defined once in the domain and repeated, as they must be, in
//! template.yaml's parameters (and those of the nested stacks it passes them
//! to): the templates have to agree with the domain.

use berth_domain::reservations::HoldMinutes;
use serde_yaml_ng::Value;

use crate::stacks::Stacks;

/// The root's parameter, after checking every nested stack declaring it
/// declares it alike (a nested stack's bounds apply when it is deployed alone).
fn template_parameter(name: &str) -> Value {
    let stacks = Stacks::load();
    let root = stacks.root["Parameters"][name].clone();
    for (id, stack) in &stacks.nested {
        if let Some(nested) = stack.template["Parameters"].get(name) {
            assert_eq!(nested, &root, "{id}'s {name} differs from template.yaml's");
        }
    }
    root
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
