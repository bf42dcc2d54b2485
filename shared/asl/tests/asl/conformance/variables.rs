//! https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html

use berth_asl::ExecutionStatus;
use serde_json::json;

use super::output;
use crate::support::{Tasks, run};

/// "To set a variable, provide a JSON object with variable names and
/// values"; "to reference a variable, prepend the name with a dollar sign".
#[tokio::test(start_paused = true)]
async fn assigned_values_are_read_in_later_states() {
    let definition = json!({ "StartAt": "Set", "States": {
        "Set": { "Type": "Pass",
            "Assign": { "productName": "product1", "count": 42, "available": true },
            "Next": "Skip" },
        "Skip": { "Type": "Pass", "Result": "unrelated", "Next": "Use" },
        "Use": { "Type": "Pass",
            "Parameters": { "name.$": "$productName", "count.$": "$count", "available.$": "$available" },
            "End": true } } });
    let got = output(definition, json!({})).await;
    assert_eq!(
        got,
        json!({ "name": "product1", "count": 42, "available": true })
    );
}

/// In JSONPath states `$` in Assign is the state's result; every expression
/// sees the variables as they were when the state was entered.
#[tokio::test(start_paused = true)]
async fn assign_reads_the_result_and_the_old_values() {
    let definition = json!({ "StartAt": "First", "States": {
        "First": { "Type": "Pass", "Assign": { "x": 1, "y": 2 }, "Next": "Swap" },
        "Swap": { "Type": "Pass", "Result": { "total": 10 },
            "Assign": { "x.$": "$y", "y.$": "$x", "total.$": "$.total" },
            "Next": "Show" },
        "Show": { "Type": "Pass",
            "Parameters": { "x.$": "$x", "y.$": "$y", "total.$": "$total" }, "End": true } } });
    let got = output(definition, json!({})).await;
    assert_eq!(got, json!({ "x": 2, "y": 1, "total": 10 }));
}

/// Choice rules assign when they match; a Catch assigns from the error output.
#[tokio::test(start_paused = true)]
async fn choice_rules_and_catchers_assign() {
    let definition = json!({ "StartAt": "Decide", "States": {
        "Decide": { "Type": "Choice",
            "Choices": [{ "Variable": "$.n", "NumericGreaterThan": 1, "Assign": { "size": "big" }, "Next": "Fail" }],
            "Default": "Fail" },
        "Fail": { "Type": "Task", "Resource": "arn:fails",
            "Catch": [{ "ErrorEquals": ["States.ALL"], "Assign": { "error.$": "$.Error" }, "Next": "Show" }],
            "End": true },
        "Show": { "Type": "Pass", "Parameters": { "size.$": "$size", "error.$": "$error" }, "End": true } } });
    let tasks = Tasks::new()
        .on("arn:fails", crate::support::fail("Broken"))
        .shared();
    let record = run(definition, tasks, json!({ "n": 2 })).await;
    assert_eq!(
        record.output(),
        Some(&json!({ "size": "big", "error": "Broken" }))
    );
}

fn scoped(after: bool) -> serde_json::Value {
    let mut definition = json!({ "StartAt": "Outer", "States": {
        "Outer": { "Type": "Pass", "Assign": { "rate": 3 }, "Next": "Each" },
        "Each": { "Type": "Map",
            "ItemProcessor": { "StartAt": "Scale", "States": {
                "Scale": { "Type": "Pass", "Assign": { "inner": "set" },
                    "Parameters": { "rate.$": "$rate", "item.$": "$" }, "End": true } } },
            "End": true } } });
    if after {
        let each = definition["States"]["Each"].as_object_mut().unwrap();
        each.remove("End");
        each.insert("Next".into(), json!("After"));
        definition["States"]["After"] =
            json!({ "Type": "Pass", "Parameters": { "inner.$": "$inner" }, "End": true });
    }
    definition
}

/// "Variable scope": a Map iteration reads the outer variables; what it
/// assigns stays inside it.
#[tokio::test(start_paused = true)]
async fn inner_scopes_read_outer_variables_and_keep_their_own() {
    let got = output(scoped(false), json!([1, 2])).await;
    assert_eq!(
        got,
        json!([{ "rate": 3, "item": 1 }, { "rate": 3, "item": 2 }])
    );

    let record = run(scoped(true), Tasks::new().shared(), json!([1, 2])).await;
    assert_eq!(
        record.status,
        ExecutionStatus::Failed,
        "the inner variable is not visible outside"
    );
    assert_eq!(record.failure().unwrap().0, Some("States.Runtime"));
}
