//! https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html

use berth_asl::ExecutionStatus;
use serde_json::json;

use crate::support::{Behaviour, Tasks, run};

/// "States.DataLimitExceeded ... a terminal error that can't be caught by
/// the States.ALL error type"; a catcher that names it does catch it.
#[tokio::test(start_paused = true)]
async fn data_limit_exceeded_passes_states_all_but_not_its_own_name() {
    let big = "x".repeat(300 * 1024);
    let machine = |errors: serde_json::Value| {
        json!({ "StartAt": "Big", "States": {
        "Big": { "Type": "Task", "Resource": "arn:big",
            "Catch": [{ "ErrorEquals": errors, "ResultPath": "$.error", "Next": "Caught" }],
            "End": true },
        "Caught": { "Type": "Succeed" } } })
    };
    let tasks = || {
        let big = big.clone();
        Tasks::new()
            .on(
                "arn:big",
                Behaviour::Reply(Box::new(move |_, _| Ok(json!(big)))),
            )
            .shared()
    };
    let record = run(machine(json!(["States.ALL"])), tasks(), json!({})).await;
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(
        record.failure().unwrap().0,
        Some("States.DataLimitExceeded")
    );

    let record = run(
        machine(json!(["States.DataLimitExceeded"])),
        tasks(),
        json!({}),
    )
    .await;
    assert_eq!(
        record.output().unwrap()["error"]["Error"],
        "States.DataLimitExceeded"
    );
}

/// A state whose output passes 256 KiB fails the execution.
#[tokio::test(start_paused = true)]
async fn an_output_over_256_kib_fails_the_execution() {
    let definition = json!({ "StartAt": "Grow", "States": {
        "Grow": { "Type": "Pass", "Parameters": { "a.$": "$.s", "b.$": "$.s" }, "End": true } } });
    let record = run(
        definition,
        Tasks::new().shared(),
        json!({ "s": "y".repeat(200 * 1024) }),
    )
    .await;
    assert_eq!(
        record.failure().unwrap().0,
        Some("States.DataLimitExceeded")
    );
}

/// "States.Runtime ... A retry or catch on States.ALL will not catch
/// States.Runtime errors": an OutputPath that selects nothing.
#[tokio::test(start_paused = true)]
async fn runtime_errors_pass_every_catcher() {
    let definition = json!({ "StartAt": "T", "States": {
        "T": { "Type": "Task", "Resource": "arn:t", "OutputPath": "$.missing",
            "Retry": [{ "ErrorEquals": ["States.ALL"] }],
            "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "Caught" }],
            "End": true },
        "Caught": { "Type": "Succeed" } } });
    let tasks = Tasks::new().shared();
    let record = run(definition, tasks.clone(), json!({})).await;
    assert_eq!(record.failure().unwrap().0, Some("States.Runtime"));
    assert_eq!(tasks.calls("arn:t").len(), 1, "no retry");
}

/// https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html:
/// "Maximum execution history size: 25,000 events"; an execution that
/// reaches it fails.
#[tokio::test(start_paused = true)]
async fn an_endless_loop_fails_at_the_history_limit() {
    let definition = json!({ "StartAt": "Ping", "States": {
        "Ping": { "Type": "Pass", "Next": "Pong" },
        "Pong": { "Type": "Pass", "Next": "Ping" } } });
    let record = run(definition, Tasks::new().shared(), json!({})).await;
    assert_eq!(record.failure().unwrap().0, Some("States.Runtime"));
    assert!(record.history.len() <= 25_000, "{}", record.history.len());
    assert!(record.history.len() >= 24_990, "{}", record.history.len());
}
