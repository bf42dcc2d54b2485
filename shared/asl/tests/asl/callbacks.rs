//! `arn:aws:states:::lambda:invoke` and `.waitForTaskToken`:
//! https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
//! https://docs.aws.amazon.com/step-functions/latest/dg/connect-to-resource.html#connect-wait-token

use std::sync::Arc;

use berth_asl::{
    CallbackError, ExecutionHandle, ExecutionStatus, Executor, InMemoryJournal, StartOutcome,
};
use serde_json::{Value, json};

use crate::support::{Behaviour, EXECUTION, Tasks, executor, fail, machine, run};

const FUNCTION: &str = "arn:aws:lambda:us-east-1:123456789012:function:approve";

/// The function's answer arrives under `Payload`, beside the Invoke API's
/// fields, and `Payload` in Parameters is what the function receives.
#[tokio::test(start_paused = true)]
async fn lambda_invoke_wraps_the_answer_under_payload() {
    let definition = json!({ "StartAt": "Call", "States": { "Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": { "FunctionName": FUNCTION, "Payload": { "booking.$": "$.id" } },
        "ResultSelector": { "answer.$": "$.Payload", "status.$": "$.StatusCode" },
        "End": true } } });
    let tasks = Tasks::new()
        .on(
            FUNCTION,
            Behaviour::Reply(Box::new(|input, _| Ok(json!({ "got": input })))),
        )
        .shared();
    let record = run(definition, tasks.clone(), json!({ "id": "b-1" })).await;
    assert_eq!(tasks.calls(FUNCTION)[0].input, json!({ "booking": "b-1" }));
    assert_eq!(
        record.output(),
        Some(&json!({ "answer": { "got": { "booking": "b-1" } }, "status": 200 }))
    );
}

/// A function error keeps its errorType as the error name; the cause is the
/// function's error document.
#[tokio::test(start_paused = true)]
async fn lambda_invoke_errors_carry_the_function_error_document() {
    let definition = json!({ "StartAt": "Call", "States": { "Call": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": { "FunctionName": FUNCTION, "Payload.$": "$" },
        "End": true } } });
    let tasks = Tasks::new().on(FUNCTION, fail("HostUnavailable")).shared();
    let record = run(definition, tasks, json!({})).await;
    let (error, cause) = record.failure().unwrap();
    assert_eq!(error, Some("HostUnavailable"));
    let cause: Value = serde_json::from_str(cause.unwrap()).unwrap();
    assert_eq!(cause["errorType"], "HostUnavailable");
    assert_eq!(cause["errorMessage"], "scripted failure");
}

fn approval(heartbeat: Option<u64>) -> Value {
    let mut state = json!({
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": { "FunctionName": FUNCTION, "Payload": { "token.$": "$$.Task.Token" } },
        "TimeoutSeconds": 3600,
        "End": true });
    if let Some(seconds) = heartbeat {
        state["HeartbeatSeconds"] = json!(seconds);
    }
    json!({ "StartAt": "Approve", "States": { "Approve": state } })
}

/// Starts an approval and waits until its function has the token.
async fn waiting_approval(
    heartbeat: Option<u64>,
) -> (Executor, ExecutionHandle, Arc<Tasks>, String) {
    let tasks = Tasks::new().shared();
    let journal = Arc::new(InMemoryJournal::new());
    let executor = executor(machine(approval(heartbeat)), tasks.clone(), journal);
    let StartOutcome::Started(handle) = executor.start(EXECUTION, json!({})).await.unwrap() else {
        panic!("not started");
    };
    tasks.called(FUNCTION, 1).await;
    let token = tasks.calls(FUNCTION)[0].input["token"]
        .as_str()
        .unwrap()
        .to_owned();
    (executor, handle, tasks, token)
}

/// The Task waits for SendTaskSuccess; its output is the Task's result.
/// A token can be answered once.
#[tokio::test(start_paused = true)]
async fn send_task_success_ends_the_wait() {
    let (executor, handle, _, token) = waiting_approval(None).await;
    assert_eq!(
        executor.send_task_success("no-such-token", "{}"),
        Err(CallbackError::TaskDoesNotExist("no-such-token".into()))
    );
    assert!(matches!(
        executor.send_task_success(&token, "not json"),
        Err(CallbackError::InvalidOutput(_))
    ));
    executor.send_task_heartbeat(&token).unwrap();
    executor
        .send_task_success(&token, r#"{"approved": true}"#)
        .unwrap();
    assert_eq!(handle.finished().await.unwrap(), ExecutionStatus::Succeeded);
    let record = executor.describe(EXECUTION).await.unwrap().unwrap();
    assert_eq!(record.output(), Some(&json!({ "approved": true })));
    assert!(executor.send_task_success(&token, "{}").is_err());
}

/// SendTaskFailure fails the Task with the given error, which Catch matches.
#[tokio::test(start_paused = true)]
async fn send_task_failure_fails_the_task() {
    let (executor, handle, _, token) = waiting_approval(None).await;
    executor
        .send_task_failure(&token, "Declined", "the host said no")
        .unwrap();
    assert_eq!(handle.finished().await.unwrap(), ExecutionStatus::Failed);
    let record = executor.describe(EXECUTION).await.unwrap().unwrap();
    assert_eq!(
        record.failure(),
        Some((Some("Declined"), Some("the host said no")))
    );
}

/// Without a heartbeat within HeartbeatSeconds the Task fails with
/// States.HeartbeatTimeout; heartbeats keep it waiting.
#[tokio::test(start_paused = true)]
async fn heartbeats_must_come_within_heartbeat_seconds() {
    let (executor, handle, tasks, token) = waiting_approval(Some(60)).await;
    for _ in 0..3 {
        tokio::time::sleep(std::time::Duration::from_secs(50)).await;
        executor.send_task_heartbeat(&token).unwrap();
    }
    assert_eq!(handle.finished().await.unwrap(), ExecutionStatus::Failed);
    let record = executor.describe(EXECUTION).await.unwrap().unwrap();
    assert_eq!(record.failure().unwrap().0, Some("States.HeartbeatTimeout"));
    let started = tasks.calls(FUNCTION)[0].at;
    assert_eq!(
        started.elapsed().as_secs(),
        210,
        "three heartbeats at 50 s, then 60 s of silence"
    );
}

/// A `.waitForTaskToken` Task must pass the token on, or nobody could
/// answer it: refused when the definition loads.
#[test]
fn a_wait_for_token_task_must_pass_the_token() {
    let definition = json!({ "StartAt": "A", "States": { "A": {
        "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
        "Parameters": { "FunctionName": FUNCTION }, "End": true } } });
    let error = crate::support::load(definition).unwrap_err();
    assert_eq!(error.path, "$.States.A.Resource");
}
