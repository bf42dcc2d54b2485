//! https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html

use berth_asl::{ExecutionStatus, TaskFailure};
use serde_json::json;

use crate::support::{Behaviour, Tasks, run};

const ADD: &str = "arn:aws:states:us-east-1:123456789012:activity:Add";
const SUBTRACT: &str = "arn:aws:states:us-east-1:123456789012:activity:Subtract";

fn fun_with_math() -> serde_json::Value {
    json!({
      "Comment": "Parallel Example.",
      "StartAt": "FunWithMath",
      "States": {
        "FunWithMath": {
          "Type": "Parallel",
          "End": true,
          "Branches": [
            { "StartAt": "Add", "States": { "Add": { "Type": "Task", "Resource": ADD, "End": true } } },
            { "StartAt": "Subtract", "States": { "Subtract": { "Type": "Task", "Resource": SUBTRACT, "End": true } } }
          ]
        }
      }
    })
}

fn math(op: fn(i64, i64) -> i64) -> Behaviour {
    Behaviour::Reply(Box::new(move |input, _| {
        let (a, b) = (input[0].as_i64().unwrap(), input[1].as_i64().unwrap());
        Ok(json!(op(a, b)))
    }))
}

/// "Parallel state input and output processing": each branch gets `[3, 2]`,
/// the output is `[5, 1]`.
#[tokio::test(start_paused = true)]
async fn each_branch_gets_the_input_and_the_output_is_their_array() {
    let tasks = Tasks::new()
        .on(ADD, math(|a, b| a + b))
        .on(SUBTRACT, math(|a, b| a - b))
        .shared();
    let record = run(fun_with_math(), tasks.clone(), json!([3, 2])).await;
    assert_eq!(record.output(), Some(&json!([5, 1])));
    assert_eq!(tasks.calls(ADD)[0].input, json!([3, 2]));
    assert_eq!(tasks.calls(SUBTRACT)[0].input, json!([3, 2]));
}

/// "Error handling": a branch that fails fails the whole Parallel state,
/// with the branch's error.
#[tokio::test(start_paused = true)]
async fn a_failed_branch_fails_the_state() {
    let tasks = Tasks::new()
        .on(ADD, math(|a, b| a + b))
        .on(
            SUBTRACT,
            Behaviour::Reply(Box::new(|_, _| {
                Err(TaskFailure::new("Negative", "below zero"))
            })),
        )
        .shared();
    let record = run(fun_with_math(), tasks, json!([3, 2])).await;
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(
        record.failure(),
        Some((Some("Negative"), Some("below zero")))
    );
}

/// Parameters, ResultSelector, ResultPath and Catch of a Parallel state.
#[tokio::test(start_paused = true)]
async fn data_flow_and_catch_around_the_branches() {
    let definition = json!({ "StartAt": "P", "States": {
        "P": { "Type": "Parallel",
            "Parameters": { "n.$": "$.value" },
            "Branches": [
                { "StartAt": "A", "States": { "A": { "Type": "Pass", "OutputPath": "$.n", "End": true } } },
                { "StartAt": "B", "States": { "B": { "Type": "Pass", "Result": "b", "End": true } } }
            ],
            "ResultSelector": { "first.$": "$[0]", "second.$": "$[1]" },
            "ResultPath": "$.result",
            "Next": "Fails" },
        "Fails": { "Type": "Parallel",
            "Branches": [{ "StartAt": "F", "States": { "F": { "Type": "Fail", "Error": "Nope", "Cause": "c" } } }],
            "Catch": [{ "ErrorEquals": ["Nope"], "ResultPath": "$.caught", "Next": "Done" }],
            "End": true },
        "Done": { "Type": "Succeed" } } });
    let record = run(definition, Tasks::new().shared(), json!({ "value": 7 })).await;
    assert_eq!(
        record.output(),
        Some(
            &json!({ "value": 7, "result": { "first": 7, "second": "b" },
                      "caught": { "Error": "Nope", "Cause": "c" } })
        )
    );
}
