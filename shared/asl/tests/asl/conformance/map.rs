//! https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
//! (and its 2023 predecessor, amazon-states-language-map-state.html).

use std::sync::Arc;

use berth_asl::ExecutionStatus;
use serde_json::{Value, json};

use super::output;
use crate::support::{Behaviour, Tasks, fail_times, run};

fn shipment() -> Value {
    json!({
      "ship-date": "2016-03-14T01:59:00Z",
      "detail": {
        "delivery-partner": "UQS",
        "shipped": [
          { "prod": "R31", "dest-code": 9511, "quantity": 1344 },
          { "prod": "S39", "dest-code": 9511, "quantity": 40 },
          { "prod": "R31", "dest-code": 9833, "quantity": 12 },
          { "prod": "R40", "dest-code": 9860, "quantity": 887 },
          { "prod": "R40", "dest-code": 9511, "quantity": 1220 }
        ]
      }
    })
}

fn validate_all(extra: Value) -> Value {
    let mut state = json!({
      "Type": "Map",
      "InputPath": "$.detail",
      "ItemsPath": "$.shipped",
      "MaxConcurrency": 0,
      "ResultPath": "$.detail.shipped",
      "ItemProcessor": {
        "StartAt": "Validate",
        "States": { "Validate": {
            "Type": "Task",
            "Resource": "arn:aws:lambda:us-east-1:123456789012:function:ship-val",
            "End": true } }
      },
      "End": true
    });
    state
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    json!({ "StartAt": "Validate-All", "States": { "Validate-All": state } })
}

const SHIP_VAL: &str = "arn:aws:lambda:us-east-1:123456789012:function:ship-val";

/// "Map state example": each item is the input of one iteration, and the
/// array of outputs replaces `detail.shipped`.
#[tokio::test(start_paused = true)]
async fn each_item_is_one_iteration_input() {
    let tasks = Tasks::new()
        .on(
            SHIP_VAL,
            Behaviour::Reply(Box::new(|input, _| Ok(json!({ "valid": input["prod"] })))),
        )
        .shared();
    let record = run(validate_all(json!({})), tasks.clone(), shipment()).await;
    let calls = tasks.calls(SHIP_VAL);
    assert_eq!(calls.len(), 5);
    assert!(
        calls
            .iter()
            .any(|c| c.input == json!({ "prod": "R31", "dest-code": 9511, "quantity": 1344 }))
    );
    let mut expected = shipment();
    expected["detail"]["shipped"] = json!([
        { "valid": "R31" }, { "valid": "S39" }, { "valid": "R31" }, { "valid": "R40" }, { "valid": "R40" }
    ]);
    assert_eq!(record.output(), Some(&expected));
}

/// "Map state example with parameters" (`ItemSelector`, formerly
/// `Parameters`): the iteration's input joins the item and the Map's input.
#[tokio::test(start_paused = true)]
async fn item_selector_and_legacy_parameters_build_each_input() {
    for key in ["ItemSelector", "Parameters"] {
        let tasks = Tasks::new().shared();
        let selector =
            json!({ key: { "parcel.$": "$$.Map.Item.Value", "courier.$": "$.delivery-partner" } });
        run(validate_all(selector), tasks.clone(), shipment()).await;
        let calls = tasks.calls(SHIP_VAL);
        assert!(
            calls.iter().any(|c| c.input
                == json!({ "parcel": { "prod": "R31", "dest-code": 9511, "quantity": 1344 }, "courier": "UQS" })),
            "{key}"
        );
    }
}

/// "Map state input and output processing": with no ItemsPath the input is
/// the array; the output is the array of outputs, in item order.
#[tokio::test(start_paused = true)]
async fn without_items_path_the_input_is_the_array() {
    let definition = json!({ "StartAt": "M", "States": { "M": {
        "Type": "Map", "MaxConcurrency": 2,
        "ItemProcessor": { "ProcessorConfig": { "Mode": "INLINE" }, "StartAt": "Double", "States": {
            "Double": { "Type": "Pass", "Parameters": { "v.$": "States.MathAdd($.n, $.n)" }, "End": true } } },
        "End": true } } });
    let got = output(definition, json!([{ "n": 1 }, { "n": 2 }, { "n": 3 }])).await;
    assert_eq!(got, json!([{ "v": 2 }, { "v": 4 }, { "v": 6 }]));
}

/// MaxConcurrency bounds how many iterations run at once; with
/// MaxConcurrencyPath it comes from the input.
#[tokio::test(start_paused = true)]
async fn max_concurrency_bounds_iterations_in_flight() {
    let definition = json!({ "StartAt": "M", "States": { "M": {
        "Type": "Map", "ItemsPath": "$.items", "MaxConcurrencyPath": "$.limit",
        "ItemProcessor": { "StartAt": "Slow", "States": {
            "Slow": { "Type": "Task", "Resource": "arn:slow", "End": true } } },
        "End": true } } });
    let tasks = Tasks::new()
        .on(
            "arn:slow",
            Behaviour::Slow(std::time::Duration::from_secs(10)),
        )
        .shared();
    let record = run(
        definition,
        tasks.clone(),
        json!({ "items": [1, 2, 3, 4, 5], "limit": 2 }),
    )
    .await;
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    let calls = tasks.calls("arn:slow");
    let started: Vec<u64> = calls
        .iter()
        .map(|c| (c.at - calls[0].at).as_secs())
        .collect();
    assert_eq!(started, [0, 0, 10, 10, 20]);
}

/// Retry on the Map state runs every item again; Catch takes its error.
#[tokio::test(start_paused = true)]
async fn retry_and_catch_on_the_map_state() {
    let definition = json!({ "StartAt": "M", "States": {
        "M": { "Type": "Map",
            "ItemProcessor": { "StartAt": "Work", "States": {
                "Work": { "Type": "Task", "Resource": "arn:flaky", "End": true } } },
            "Retry": [{ "ErrorEquals": ["Flaky"], "MaxAttempts": 1, "IntervalSeconds": 1 }],
            "Catch": [{ "ErrorEquals": ["States.ALL"], "ResultPath": "$", "Next": "Caught" }],
            "End": true },
        "Caught": { "Type": "Pass", "End": true } } });
    let tasks = Tasks::new()
        .on("arn:flaky", fail_times("Flaky", 1))
        .shared();
    let record = run(definition.clone(), tasks.clone(), json!([1, 2])).await;
    assert_eq!(record.output(), Some(&json!([1, 2])));
    assert_eq!(
        tasks.calls("arn:flaky").len(),
        4,
        "both items run again on the retry"
    );

    let tasks: Arc<Tasks> = Tasks::new()
        .on("arn:flaky", fail_times("Flaky", 10))
        .shared();
    let record = run(definition, tasks, json!([1])).await;
    assert_eq!(record.output().unwrap()["Error"], "Flaky");
}

/// ToleratedFailureCount: up to that many failed items, the Map succeeds.
/// Beyond, it fails with States.ExceedToleratedFailureThreshold.
#[tokio::test(start_paused = true)]
async fn tolerated_failures() {
    let definition = |count: u64| {
        json!({ "StartAt": "M", "States": { "M": {
        "Type": "Map", "ToleratedFailureCount": count,
        "ItemProcessor": { "StartAt": "Check", "States": {
            "Check": { "Type": "Choice",
                "Choices": [{ "Variable": "$", "NumericGreaterThan": 1, "Next": "Bad" }],
                "Default": "Good" },
            "Bad": { "Type": "Fail", "Error": "TooBig", "Cause": "over one" },
            "Good": { "Type": "Succeed" } } },
        "End": true } } })
    };
    let got = output(definition(1), json!([1, 2])).await;
    assert_eq!(got, json!([1, { "Error": "TooBig", "Cause": "over one" }]));

    let record = run(definition(0), Tasks::new().shared(), json!([1, 2])).await;
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(
        record.failure().unwrap().0,
        Some("States.ExceedToleratedFailureThreshold")
    );
}

/// Without a tolerance, a failed item fails the Map with the item's error.
#[tokio::test(start_paused = true)]
async fn a_failed_item_fails_the_map_with_its_error() {
    let definition = json!({ "StartAt": "M", "States": { "M": {
        "Type": "Map",
        "ItemProcessor": { "StartAt": "Bad", "States": {
            "Bad": { "Type": "Fail", "Error": "ItemFailed", "Cause": "no" } } },
        "End": true } } });
    let record = run(definition, Tasks::new().shared(), json!([1])).await;
    assert_eq!(record.failure(), Some((Some("ItemFailed"), Some("no"))));
}
