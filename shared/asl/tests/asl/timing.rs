//! Task and execution timeouts, and Wait states, on a paused clock.

use std::time::Duration;

use berth_asl::{EventDetail, ExecutionStatus};
use serde_json::json;
use tokio::time::Instant;

use crate::support::{Behaviour, Tasks, run};

#[tokio::test(start_paused = true)]
async fn a_task_outliving_its_timeout_fails_with_states_timeout() {
    let definition = json!({ "StartAt": "Pay", "States": {
        "Pay": { "Type": "Task", "Resource": "arn:pay", "TimeoutSeconds": 5, "End": true,
                 "Catch": [{ "ErrorEquals": ["States.Timeout"], "Next": "TimedOut" }] },
        "TimedOut": { "Type": "Pass", "End": true } } });
    let tasks = Tasks::new()
        .on("arn:pay", Behaviour::Slow(Duration::from_secs(60)))
        .shared();
    let started = Instant::now();
    let record = run(definition, tasks, json!({})).await;
    assert_eq!(started.elapsed(), Duration::from_secs(5));
    assert_eq!(record.output().unwrap()["Error"], "States.Timeout");
}

#[tokio::test(start_paused = true)]
async fn a_timeout_is_not_a_task_failure() {
    let definition = json!({ "StartAt": "Pay", "States": {
        "Pay": { "Type": "Task", "Resource": "arn:pay", "TimeoutSeconds": 1, "End": true,
                 "Retry": [{ "ErrorEquals": ["States.TaskFailed"] }],
                 "Catch": [{ "ErrorEquals": ["States.TaskFailed"], "Next": "Caught" }] },
        "Caught": { "Type": "Pass", "End": true } } });
    let tasks = Tasks::new().on("arn:pay", Behaviour::Hang).shared();
    let record = run(definition, tasks.clone(), json!({})).await;
    assert_eq!(tasks.calls("arn:pay").len(), 1);
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(record.failure().unwrap().0, Some("States.Timeout"));
}

#[tokio::test(start_paused = true)]
async fn a_task_within_its_timeout_succeeds() {
    let definition = json!({ "StartAt": "Pay", "States": {
        "Pay": { "Type": "Task", "Resource": "arn:pay", "TimeoutSeconds": 5, "End": true } } });
    let tasks = Tasks::new()
        .on("arn:pay", Behaviour::Slow(Duration::from_secs(4)))
        .shared();
    let record = run(definition, tasks, json!({ "ok": 1 })).await;
    assert_eq!(record.output(), Some(&json!({ "ok": 1 })));
}

#[tokio::test(start_paused = true)]
async fn an_execution_past_its_timeout_ends_timed_out() {
    let definition = json!({ "TimeoutSeconds": 30, "StartAt": "Pay", "States": {
        "Pay": { "Type": "Task", "Resource": "arn:pay", "End": true,
                 "Retry": [{ "ErrorEquals": ["States.ALL"], "MaxAttempts": 100 }] } } });
    let tasks = Tasks::new().on("arn:pay", Behaviour::Hang).shared();
    let started = Instant::now();
    let record = run(definition, tasks, json!({})).await;
    assert_eq!(started.elapsed(), Duration::from_secs(30));
    assert_eq!(record.status, ExecutionStatus::TimedOut);
    assert!(matches!(
        record.history.last().unwrap().detail,
        EventDetail::ExecutionTimedOut
    ));
}

#[tokio::test(start_paused = true)]
async fn wait_states_wait_for_seconds_or_until_a_timestamp() {
    let definition = json!({ "StartAt": "Fixed", "States": {
        "Fixed": { "Type": "Wait", "Seconds": 10, "Next": "FromInput" },
        "FromInput": { "Type": "Wait", "SecondsPath": "$.delay", "Next": "Until" },
        "Until": { "Type": "Wait", "TimestampPath": "$.past", "End": true } } });
    let started = Instant::now();
    let input = json!({ "delay": 5, "past": "2000-01-01T00:00:00Z" });
    let record = run(definition, Tasks::new().shared(), input.clone()).await;
    assert_eq!(started.elapsed(), Duration::from_secs(15));
    assert_eq!(record.output(), Some(&input));
}

#[tokio::test(start_paused = true)]
async fn a_wait_until_a_future_timestamp_sleeps_until_then() {
    let due = (chrono::Utc::now() + chrono::Duration::seconds(90)).to_rfc3339();
    let definition = json!({ "StartAt": "Hold", "States": {
        "Hold": { "Type": "Wait", "Timestamp": due, "End": true } } });
    let started = Instant::now();
    run(definition, Tasks::new().shared(), json!({})).await;
    let waited = started.elapsed().as_secs_f64();
    assert!((89.0..=90.0).contains(&waited), "{waited}");
}

#[tokio::test(start_paused = true)]
async fn a_bad_seconds_path_fails_the_execution() {
    let definition = json!({ "StartAt": "Hold", "States": {
        "Hold": { "Type": "Wait", "SecondsPath": "$.delay", "End": true } } });
    let record = run(
        definition,
        Tasks::new().shared(),
        json!({ "delay": "soon" }),
    )
    .await;
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(record.failure().unwrap().0, Some("States.Runtime"));
}
