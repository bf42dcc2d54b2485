//! Choice rules: each comparison operator, combinators, and what happens
//! when nothing matches or the variable is missing.

use berth_asl::ExecutionStatus;
use serde_json::{Value, json};

use crate::support::{Tasks, run};

/// Runs a Choice with one rule leading to "Yes" and a Default of "No".
async fn decide(rule: Value, input: Value) -> bool {
    let mut rule = rule;
    rule["Next"] = json!("Yes");
    let definition = json!({ "StartAt": "Decide", "States": {
        "Decide": { "Type": "Choice", "Choices": [rule], "Default": "No" },
        "Yes": { "Type": "Pass", "Result": true, "End": true },
        "No": { "Type": "Pass", "Result": false, "End": true } } });
    let record = run(definition, Tasks::new().shared(), input).await;
    assert_eq!(record.status, ExecutionStatus::Succeeded, "{rule}");
    record.output().unwrap().as_bool().unwrap()
}

#[tokio::test(start_paused = true)]
async fn comparison_operators_follow_the_spec() {
    let input = json!({
        "city": "Lisbon", "other": "Porto", "nights": 3, "price": 120.5, "cap": 200,
        "flexible": true, "yes": true, "none": null,
        "checkin": "2030-06-01T14:00:00Z", "same": "2030-06-01T16:00:00+02:00",
        "file": "invoice-2030.pdf"
    });
    let cases = [
        (
            json!({ "Variable": "$.city", "StringEquals": "Lisbon" }),
            true,
        ),
        (
            json!({ "Variable": "$.city", "StringEquals": "lisbon" }),
            false,
        ),
        (
            json!({ "Variable": "$.city", "StringEqualsPath": "$.other" }),
            false,
        ),
        (
            json!({ "Variable": "$.city", "StringLessThan": "Porto" }),
            true,
        ),
        (
            json!({ "Variable": "$.city", "StringGreaterThanEquals": "Lisbon" }),
            true,
        ),
        (
            json!({ "Variable": "$.city", "StringLessThanEqualsPath": "$.other" }),
            true,
        ),
        (
            json!({ "Variable": "$.nights", "NumericEquals": 3.0 }),
            true,
        ),
        (
            json!({ "Variable": "$.nights", "NumericLessThan": 3 }),
            false,
        ),
        (
            json!({ "Variable": "$.nights", "NumericLessThanEquals": 3 }),
            true,
        ),
        (
            json!({ "Variable": "$.price", "NumericGreaterThan": 120 }),
            true,
        ),
        (
            json!({ "Variable": "$.price", "NumericGreaterThanPath": "$.cap" }),
            false,
        ),
        (
            json!({ "Variable": "$.price", "NumericLessThanEqualsPath": "$.cap" }),
            true,
        ),
        (json!({ "Variable": "$.city", "NumericEquals": 3 }), false),
        (
            json!({ "Variable": "$.flexible", "BooleanEquals": true }),
            true,
        ),
        (
            json!({ "Variable": "$.flexible", "BooleanEqualsPath": "$.yes" }),
            true,
        ),
        (
            json!({ "Variable": "$.nights", "BooleanEquals": true }),
            false,
        ),
        (json!({ "Variable": "$.missing", "IsPresent": false }), true),
        (json!({ "Variable": "$.none", "IsPresent": true }), true),
        (json!({ "Variable": "$.none", "IsNull": true }), true),
        (json!({ "Variable": "$.city", "IsNull": false }), true),
        (json!({ "Variable": "$.city", "IsString": true }), true),
        (json!({ "Variable": "$.price", "IsNumeric": true }), true),
        (json!({ "Variable": "$.flexible", "IsBoolean": true }), true),
        (
            json!({ "Variable": "$.checkin", "IsTimestamp": true }),
            true,
        ),
        (json!({ "Variable": "$.city", "IsTimestamp": true }), false),
        (
            json!({ "Variable": "$.file", "StringMatches": "invoice-*.pdf" }),
            true,
        ),
        (
            json!({ "Variable": "$.file", "StringMatches": "invoice-*.csv" }),
            false,
        ),
        (
            json!({ "Variable": "$.checkin", "TimestampEquals": "2030-06-01T14:00:00Z" }),
            true,
        ),
        (
            json!({ "Variable": "$.checkin", "TimestampEqualsPath": "$.same" }),
            true,
        ),
        (
            json!({ "Variable": "$.checkin", "TimestampLessThan": "2030-06-01T14:00:01Z" }),
            true,
        ),
        (
            json!({ "Variable": "$.checkin", "TimestampGreaterThan": "2030-06-01T14:00:00Z" }),
            false,
        ),
        (
            json!({ "Variable": "$.checkin", "TimestampGreaterThanEquals": "2030-06-01T14:00:00Z" }),
            true,
        ),
        (
            json!({ "Variable": "$.city", "TimestampLessThan": "2030-06-01T14:00:00Z" }),
            false,
        ),
    ];
    for (rule, expected) in cases {
        assert_eq!(
            decide(rule.clone(), input.clone()).await,
            expected,
            "{rule}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn and_or_not_combine_rules() {
    let input = json!({ "nights": 5, "policy": "strict" });
    let cases = [
        (
            json!({ "And": [
            { "Variable": "$.nights", "NumericGreaterThanEquals": 2 },
            { "Variable": "$.policy", "StringEquals": "strict" } ] }),
            true,
        ),
        (
            json!({ "And": [
            { "Variable": "$.nights", "NumericGreaterThanEquals": 2 },
            { "Variable": "$.policy", "StringEquals": "flexible" } ] }),
            false,
        ),
        (
            json!({ "Or": [
            { "Variable": "$.policy", "StringEquals": "flexible" },
            { "Not": { "Variable": "$.nights", "NumericLessThan": 3 } } ] }),
            true,
        ),
        (
            json!({ "Not": { "Variable": "$.policy", "StringEquals": "strict" } }),
            false,
        ),
    ];
    for (rule, expected) in cases {
        assert_eq!(
            decide(rule.clone(), input.clone()).await,
            expected,
            "{rule}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn the_first_matching_rule_wins_and_paths_shape_the_output() {
    let definition = json!({ "StartAt": "Route", "States": {
        "Route": { "Type": "Choice", "InputPath": "$.booking", "OutputPath": "$.id",
            "Choices": [
                { "Variable": "$.nights", "NumericGreaterThan": 1, "Next": "Long" },
                { "Variable": "$.nights", "NumericGreaterThan": 0, "Next": "Short" } ] },
        "Long": { "Type": "Pass", "ResultPath": "$.route", "Result": "long", "End": true },
        "Short": { "Type": "Pass", "ResultPath": "$.route", "Result": "short", "End": true } } });
    let input = json!({ "booking": { "id": { "value": "b-1" }, "nights": 4 } });
    let record = run(definition, Tasks::new().shared(), input).await;
    assert_eq!(
        record.output(),
        Some(&json!({ "value": "b-1", "route": "long" }))
    );
}

#[tokio::test(start_paused = true)]
async fn no_match_without_default_fails_with_no_choice_matched() {
    let definition = json!({ "StartAt": "Route", "States": {
        "Route": { "Type": "Choice", "Choices": [{ "Variable": "$.n", "NumericEquals": 1, "Next": "One" }] },
        "One": { "Type": "Succeed" } } });
    let record = run(definition, Tasks::new().shared(), json!({ "n": 2 })).await;
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(record.failure().unwrap().0, Some("States.NoChoiceMatched"));
}

#[tokio::test(start_paused = true)]
async fn a_missing_variable_is_a_runtime_error() {
    let definition = json!({ "StartAt": "Route", "States": {
        "Route": { "Type": "Choice", "Default": "One",
                   "Choices": [{ "Variable": "$.absent", "StringEquals": "x", "Next": "One" }] },
        "One": { "Type": "Succeed" } } });
    let record = run(definition, Tasks::new().shared(), json!({})).await;
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(record.failure().unwrap().0, Some("States.Runtime"));
}
