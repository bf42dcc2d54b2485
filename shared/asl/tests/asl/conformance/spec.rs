//! The Amazon States Language specification, https://states-language.net/spec.html:
//! its examples with stated results.

use serde_json::json;

use super::output;
use crate::support::{Behaviour, Tasks, run};

/// "Parameters": a payload template with `.$` fields and a slice.
#[tokio::test(start_paused = true)]
async fn payload_template_example() {
    let definition = json!({ "StartAt": "X", "States": { "X": {
        "Type": "Pass",
        "Parameters": { "flagged": true, "parts": { "first.$": "$.vals[0]", "last3.$": "$.vals[-3:]" } },
        "End": true } } });
    let got = output(
        definition,
        json!({ "flagged": 7, "vals": [0, 10, 20, 30, 40, 50] }),
    )
    .await;
    assert_eq!(
        got,
        json!({ "flagged": true, "parts": { "first": 0, "last3": [30, 40, 50] } })
    );
}

/// "Filters": InputPath picks the numbers, ResultPath adds the sum beside them.
#[tokio::test(start_paused = true)]
async fn input_path_and_result_path_example() {
    let definition = json!({ "StartAt": "Add", "States": { "Add": {
        "Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:Add",
        "InputPath": "$.numbers", "ResultPath": "$.sum", "End": true } } });
    let tasks = Tasks::new()
        .on(
            "arn:aws:lambda:us-east-1:123456789012:function:Add",
            Behaviour::Reply(Box::new(|input, _| {
                Ok(json!(
                    input["val1"].as_i64().unwrap() + input["val2"].as_i64().unwrap()
                ))
            })),
        )
        .shared();
    let record = run(
        definition,
        tasks,
        json!({ "title": "Numbers to add", "numbers": { "val1": 3, "val2": 4 } }),
    )
    .await;
    assert_eq!(
        record.output(),
        Some(&json!({ "title": "Numbers to add", "numbers": { "val1": 3, "val2": 4 }, "sum": 7 }))
    );
}

/// "Context Object": `$$` is the context object, and paths into it work as
/// paths into the input do.
#[tokio::test(start_paused = true)]
async fn context_object_paths() {
    let definition = json!({ "StartAt": "X", "States": { "X": {
        "Type": "Pass", "Parameters": { "state.$": "$$.State.Name" }, "End": true } } });
    assert_eq!(output(definition, json!({})).await, json!({ "state": "X" }));
}
