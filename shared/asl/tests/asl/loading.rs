//! Every definition the loader must refuse, and where it says the problem is.

use std::collections::HashMap;

use berth_asl::{LoadProblem, StateMachine};
use serde_json::{Value, json};

use crate::support::load;

/// A machine whose only reachable state is `state`, named `A`.
fn one_state(state: Value) -> Value {
    json!({ "StartAt": "A", "States": { "A": state } })
}

fn task(extra: Value) -> Value {
    let mut state = json!({ "Type": "Task", "Resource": "arn:ok", "End": true });
    state
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    one_state(state)
}

fn unknown(field: &str) -> LoadProblem {
    LoadProblem::UnknownField(field.to_owned())
}

fn path_problem(definition: &Value) -> (String, LoadProblem) {
    let error = load(definition.clone()).expect_err("the definition must be refused");
    (error.path, error.problem)
}

#[test]
fn refuses_state_types_it_cannot_run() {
    for kind in ["Sleep", "Activity"] {
        let definition = one_state(json!({ "Type": kind, "End": true }));
        assert_eq!(
            path_problem(&definition),
            (
                "$.States.A.Type".into(),
                LoadProblem::UnsupportedStateType(kind.into())
            )
        );
    }
}

#[test]
fn refuses_every_unknown_or_unsupported_field() {
    let cases = [
        ("Credentials", json!({ "RoleArn": "arn:role" })),
        ("Arguments", json!({})),
        ("Output", json!({})),
        ("ItemProcessor", json!({})),
        ("TimeoutSecondsPath", json!("$.t")),
        ("Retries", json!([])),
    ];
    for (field, value) in cases {
        let definition = task(json!({ field: value }));
        assert_eq!(
            path_problem(&definition),
            ("$.States.A".into(), unknown(field)),
            "{field}"
        );
    }
    let top = json!({ "StartAt": "A", "States": { "A": { "Type": "Succeed" } }, "Foo": 1 });
    assert_eq!(path_problem(&top), ("$".into(), unknown("Foo")));
    let retry = task(json!({ "Retry": [{ "ErrorEquals": ["X"], "Comment": "no" }] }));
    assert_eq!(
        path_problem(&retry),
        ("$.States.A.Retry[0]".into(), unknown("Comment"))
    );
}

#[test]
fn refuses_fields_that_do_not_belong_to_the_state_type() {
    let cases = [
        (json!({ "Type": "Pass", "Retry": [], "End": true }), "Retry"),
        (json!({ "Type": "Succeed", "Next": "A" }), "Next"),
        (json!({ "Type": "Fail", "InputPath": "$" }), "InputPath"),
        (
            json!({ "Type": "Wait", "Seconds": 1, "End": true, "ResultPath": "$" }),
            "ResultPath",
        ),
        (
            json!({ "Type": "Pass", "End": true, "ResultSelector": {} }),
            "ResultSelector",
        ),
    ];
    for (state, field) in cases {
        assert_eq!(
            path_problem(&one_state(state)),
            ("$.States.A".into(), unknown(field))
        );
    }
}

#[test]
fn refuses_a_query_language_other_than_jsonpath() {
    let top = json!({ "QueryLanguage": "JSONata", "StartAt": "A", "States": { "A": { "Type": "Succeed" } } });
    assert_eq!(
        path_problem(&top),
        (
            "$.QueryLanguage".into(),
            LoadProblem::UnsupportedQueryLanguage("JSONata".into())
        )
    );
    let state = one_state(json!({ "Type": "Succeed", "QueryLanguage": "JSONata" }));
    assert_eq!(path_problem(&state).0, "$.States.A.QueryLanguage");
    assert!(
        load(one_state(
            json!({ "Type": "Succeed", "QueryLanguage": "JSONPath" })
        ))
        .is_ok()
    );
}

#[test]
fn refuses_unknown_intrinsics_and_wrong_arguments() {
    let parameters = |expression: &str| task(json!({ "Parameters": { "x.$": expression } }));
    assert_eq!(
        path_problem(&parameters("States.Nope($.a)")),
        (
            "$.States.A.Parameters['x.$']".into(),
            LoadProblem::UnknownIntrinsic("States.Nope".into())
        )
    );
    for bad in [
        "States.MathAdd(1)",
        "States.Format('{} and {}', $.a)",
        "States.UUID(1)",
        "States.Hash($.a, 'SHA-2')",
        "States.JsonMerge($.a, $.b, true)",
        "States.MathRandom(1)",
        "States.ArrayLength(States.ArrayLength(States.ArrayLength(States.ArrayLength(States.ArrayLength(States.ArrayLength(States.ArrayLength(States.ArrayLength(States.ArrayLength(States.ArrayLength(States.ArrayLength($.a))))))))))))",
        "States.Array($.a",
        "States.JsonToString($.a) extra",
    ] {
        let (path, problem) = path_problem(&parameters(bad));
        assert_eq!(path, "$.States.A.Parameters['x.$']", "{bad}");
        assert!(
            matches!(problem, LoadProblem::InvalidValue(_)),
            "{bad}: {problem:?}"
        );
    }
}

#[test]
fn refuses_transitions_to_states_that_do_not_exist() {
    let next = json!({ "StartAt": "A", "States": { "A": { "Type": "Pass", "Next": "Nowhere" } } });
    let start = json!({ "StartAt": "Nowhere", "States": { "A": { "Type": "Succeed" } } });
    let default = json!({ "StartAt": "A", "States": {
        "A": { "Type": "Choice", "Choices": [{ "Variable": "$.x", "IsNull": true, "Next": "B" }], "Default": "Nowhere" },
        "B": { "Type": "Succeed" } } });
    let choice = json!({ "StartAt": "A", "States": {
        "A": { "Type": "Choice", "Choices": [{ "Variable": "$.x", "IsNull": true, "Next": "Nowhere" }] } } });
    let catch = task(json!({ "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "Nowhere" }] }));
    let cases = [
        (next, "$.States.A.Next"),
        (start, "$.StartAt"),
        (default, "$.States.A.Default"),
        (choice, "$.States.A.Choices[0].Next"),
        (catch, "$.States.A.Catch[0].Next"),
    ];
    for (definition, path) in cases {
        assert_eq!(
            path_problem(&definition),
            (path.into(), LoadProblem::UnknownState("Nowhere".into()))
        );
    }
}

#[test]
fn refuses_a_resource_the_resolver_does_not_map() {
    let definition =
        one_state(json!({ "Type": "Task", "Resource": "lambda:unmapped", "End": true }));
    assert_eq!(
        path_problem(&definition),
        (
            "$.States.A.Resource".into(),
            LoadProblem::UnmappedResource("lambda:unmapped".into())
        )
    );
}

#[test]
fn refuses_unreachable_states() {
    let definition = json!({ "StartAt": "A", "States": {
        "A": { "Type": "Succeed" },
        "Orphan": { "Type": "Pass", "Next": "A" } } });
    assert_eq!(
        path_problem(&definition),
        ("$.States.Orphan".into(), LoadProblem::UnreachableState)
    );
}

#[test]
fn states_all_must_stand_alone_in_the_last_entry() {
    let misplaced = [
        json!({ "Retry": [{ "ErrorEquals": ["States.ALL"] }, { "ErrorEquals": ["X"] }] }),
        json!({ "Retry": [{ "ErrorEquals": ["X", "States.ALL"] }] }),
    ];
    for extra in misplaced {
        let (path, problem) = path_problem(&task(extra));
        assert!(path.starts_with("$.States.A.Retry["), "{path}");
        assert_eq!(problem, LoadProblem::MisplacedStatesAll);
    }
    let catch = task(json!({ "Catch": [
        { "ErrorEquals": ["States.ALL"], "Next": "A" },
        { "ErrorEquals": ["X"], "Next": "A" }] }));
    assert_eq!(
        path_problem(&catch),
        (
            "$.States.A.Catch[0].ErrorEquals".into(),
            LoadProblem::MisplacedStatesAll
        )
    );
    let last =
        task(json!({ "Retry": [{ "ErrorEquals": ["X"] }, { "ErrorEquals": ["States.ALL"] }] }));
    assert!(load(last).is_ok());
}

#[test]
fn error_names_must_be_strings_and_predefined_names_must_exist() {
    for names in [
        json!([1]),
        json!([]),
        json!("X"),
        json!(["States.TaskFailure"]),
    ] {
        let (path, problem) = path_problem(&task(json!({ "Retry": [{ "ErrorEquals": names }] })));
        assert!(
            path.starts_with("$.States.A.Retry[0].ErrorEquals"),
            "{path}"
        );
        assert!(
            matches!(problem, LoadProblem::InvalidValue(_)),
            "{problem:?}"
        );
    }
}

#[test]
fn refuses_paths_that_are_not_reference_paths() {
    let cases = [
        (task(json!({ "InputPath": "$.a[" })), "$.States.A.InputPath"),
        (
            task(json!({ "ResultPath": "$.a[*]" })),
            "$.States.A.ResultPath",
        ),
        (
            task(json!({ "OutputPath": "$.a[?(@.b" })),
            "$.States.A.OutputPath",
        ),
        (
            task(json!({ "Parameters": { "a.$": "$.list[?(@.a =~ /x/)]" } })),
            "$.States.A.Parameters['a.$']",
        ),
        (
            task(json!({ "Parameters": { "a.$": "$$.Nothing" } })),
            "$.States.A.Parameters['a.$']",
        ),
    ];
    for (definition, path) in cases {
        let (at, problem) = path_problem(&definition);
        assert_eq!(at, path);
        assert!(
            matches!(problem, LoadProblem::UnsupportedPath { .. }),
            "{problem:?}"
        );
    }
    let choice = json!({ "StartAt": "A", "States": {
        "A": { "Type": "Choice", "Choices": [{ "Variable": "$.a[", "IsNull": true, "Next": "B" }] },
        "B": { "Type": "Succeed" } } });
    assert_eq!(path_problem(&choice).0, "$.States.A.Choices[0].Variable");
}

#[test]
fn needs_exactly_one_of_next_and_end() {
    let both = one_state(json!({ "Type": "Pass", "Next": "A", "End": true }));
    let neither = one_state(json!({ "Type": "Pass" }));
    let end_false = one_state(json!({ "Type": "Pass", "End": false }));
    for definition in [both, neither, end_false] {
        let (path, problem) = path_problem(&definition);
        assert!(path.starts_with("$.States.A"), "{path}");
        assert!(
            matches!(problem, LoadProblem::InvalidValue(_)),
            "{problem:?}"
        );
    }
}

#[test]
fn refuses_malformed_states() {
    let cases = [
        one_state(
            json!({ "Type": "Wait", "Seconds": 1, "Timestamp": "2030-01-01T00:00:00Z", "End": true }),
        ),
        one_state(json!({ "Type": "Wait", "Timestamp": "tomorrow", "End": true })),
        one_state(json!({ "Type": "Pass", "Result": 1, "Parameters": {}, "End": true })),
        one_state(json!({ "Type": "Fail", "Error": "X", "ErrorPath": "$.e" })),
        task(json!({ "TimeoutSeconds": 0 })),
        task(json!({ "Retry": [{ "ErrorEquals": ["X"], "BackoffRate": 0.5 }] })),
        task(json!({ "Retry": [{ "ErrorEquals": ["X"], "JitterStrategy": "HALF" }] })),
        json!({ "StartAt": "A", "States": {} }),
        json!({ "StartAt": "A", "Version": "2.0", "States": { "A": { "Type": "Succeed" } } }),
    ];
    for definition in cases {
        let (_, problem) = path_problem(&definition);
        assert!(
            matches!(problem, LoadProblem::InvalidValue(_)),
            "{definition}: {problem:?}"
        );
    }
}

#[test]
fn refuses_malformed_choice_rules() {
    let machine = |rule: Value| {
        json!({ "StartAt": "A", "States": {
        "A": { "Type": "Choice", "Choices": [rule], "Default": "B" },
        "B": { "Type": "Succeed" } } })
    };
    let nested_next =
        machine(json!({ "Not": { "Variable": "$.x", "IsNull": true, "Next": "B" }, "Next": "B" }));
    assert_eq!(
        path_problem(&nested_next),
        ("$.States.A.Choices[0].Not".into(), unknown("Next"))
    );
    let typo = machine(json!({ "Variable": "$.x", "StringEqualz": "a", "Next": "B" }));
    assert_eq!(path_problem(&typo).1, unknown("StringEqualz"));
    let wrong_type = machine(json!({ "Variable": "$.x", "NumericEquals": "1", "Next": "B" }));
    assert!(matches!(
        path_problem(&wrong_type).1,
        LoadProblem::InvalidValue(_)
    ));
    let two = machine(json!({ "Variable": "$.x", "IsNull": true, "IsString": true, "Next": "B" }));
    assert!(matches!(path_problem(&two).1, LoadProblem::InvalidValue(_)));
}

#[test]
fn applies_definition_substitutions_and_refuses_missing_ones() {
    let definition = r#"{ "StartAt": "A", "States": { "A": {
        "Type": "Task", "Resource": "${PayFunctionArn}", "Parameters": { "note": "${!Literal}" }, "End": true } } }"#;
    let substitutions = HashMap::from([("PayFunctionArn".to_owned(), "arn:pay".to_owned())]);
    let machine = StateMachine::load("booking", definition, &substitutions, &|r: &str| {
        r == "arn:pay"
    })
    .expect("substituted resource is mapped");
    assert_eq!(machine.resources(), ["arn:pay"]);

    let error =
        StateMachine::load("booking", definition, &HashMap::new(), &|_: &str| true).unwrap_err();
    assert_eq!(error.path, "$.States.A.Resource");
    assert_eq!(
        error.problem,
        LoadProblem::MissingSubstitution("PayFunctionArn".into())
    );
}

#[test]
fn refuses_text_that_is_not_json() {
    let error = StateMachine::load("m", "{ nope", &HashMap::new(), &|_: &str| true).unwrap_err();
    assert_eq!(error.path, "$");
    assert!(matches!(error.problem, LoadProblem::InvalidJson(_)));
}
