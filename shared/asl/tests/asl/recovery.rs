//! Retry and Catch: counts, backoff, jitter, error matching and routing.

use berth_asl::ExecutionStatus;
use serde_json::{Value, json};

use crate::support::{Behaviour, Tasks, echo, fail, fail_times, retry_delays_ms, run};

/// One Task state, plus a final Pass state for each state its catchers name.
fn charging(retry: Value, catch: Value) -> Value {
    let mut definition = json!({ "StartAt": "Charge", "States": {
        "Charge": { "Type": "Task", "Resource": "arn:charge", "Retry": retry, "Catch": catch.clone(), "End": true } } });
    for catcher in catch.as_array().unwrap() {
        let next = catcher["Next"].as_str().unwrap();
        definition["States"][next] = json!({ "Type": "Pass", "End": true });
    }
    definition
}

#[tokio::test(start_paused = true)]
async fn retries_back_off_exponentially_then_succeed() {
    let retry = json!([{ "ErrorEquals": ["Retryable"], "IntervalSeconds": 2, "BackoffRate": 3.0, "MaxAttempts": 3 }]);
    let tasks = Tasks::new()
        .on("arn:charge", fail_times("Retryable", 3))
        .shared();
    let record = run(
        charging(retry, json!([])),
        tasks.clone(),
        json!({ "id": 1 }),
    )
    .await;

    assert_eq!(record.status, ExecutionStatus::Succeeded);
    assert_eq!(record.output(), Some(&json!({ "id": 1 })));
    assert_eq!(retry_delays_ms(&record), [2_000, 6_000, 18_000]);
    assert_eq!(tasks.gaps_secs("arn:charge"), [2.0, 6.0, 18.0]);
    let counts: Vec<u32> = tasks
        .calls("arn:charge")
        .iter()
        .map(|c| c.retry_count)
        .collect();
    assert_eq!(counts, [0, 1, 2, 3]);
}

#[tokio::test(start_paused = true)]
async fn defaults_are_one_second_three_attempts_and_doubling() {
    let retry = json!([{ "ErrorEquals": ["Retryable"] }]);
    let tasks = Tasks::new().on("arn:charge", fail("Retryable")).shared();
    let record = run(charging(retry, json!([])), tasks.clone(), json!({})).await;

    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(record.failure().unwrap().0, Some("Retryable"));
    assert_eq!(
        tasks.calls("arn:charge").len(),
        4,
        "one try and three retries"
    );
    assert_eq!(tasks.gaps_secs("arn:charge"), [1.0, 2.0, 4.0]);
}

#[tokio::test(start_paused = true)]
async fn max_delay_caps_the_backoff() {
    let retry = json!([{ "ErrorEquals": ["Retryable"], "BackoffRate": 10, "MaxDelaySeconds": 5, "MaxAttempts": 4 }]);
    let tasks = Tasks::new().on("arn:charge", fail("Retryable")).shared();
    let record = run(charging(retry, json!([])), tasks.clone(), json!({})).await;
    assert_eq!(retry_delays_ms(&record), [1_000, 5_000, 5_000, 5_000]);
    assert_eq!(tasks.gaps_secs("arn:charge"), [1.0, 5.0, 5.0, 5.0]);
}

#[tokio::test(start_paused = true)]
async fn max_attempts_zero_never_retries() {
    let retry = json!([{ "ErrorEquals": ["Retryable"], "MaxAttempts": 0 }]);
    let catch = json!([{ "ErrorEquals": ["Retryable"], "Next": "Compensate" }]);
    let tasks = Tasks::new().on("arn:charge", fail("Retryable")).shared();
    let record = run(charging(retry, catch), tasks.clone(), json!({})).await;
    assert_eq!(tasks.calls("arn:charge").len(), 1);
    assert!(retry_delays_ms(&record).is_empty());
    assert_eq!(
        record.status,
        ExecutionStatus::Succeeded,
        "the catcher took over"
    );
}

#[tokio::test(start_paused = true)]
async fn full_jitter_draws_each_delay_from_zero_to_the_backoff() {
    let retry = json!([{ "ErrorEquals": ["Retryable"], "IntervalSeconds": 10, "BackoffRate": 1.0,
                         "MaxAttempts": 40, "JitterStrategy": "FULL" }]);
    let tasks = Tasks::new().on("arn:charge", fail("Retryable")).shared();
    let record = run(charging(retry, json!([])), tasks.clone(), json!({})).await;

    let delays = retry_delays_ms(&record);
    assert_eq!(delays.len(), 40);
    assert!(delays.iter().all(|d| *d <= 10_000), "{delays:?}");
    assert!(
        delays.iter().any(|d| *d != delays[0]),
        "the delays vary: {delays:?}"
    );
    let slept: Vec<u64> = tasks
        .gaps_secs("arn:charge")
        .iter()
        .map(|s| (s * 1000.0).round() as u64)
        .collect();
    assert_eq!(slept, delays, "the executor waits the recorded delay");
}

#[tokio::test(start_paused = true)]
async fn each_retrier_counts_its_own_attempts_and_the_first_match_decides() {
    let alternating = Behaviour::Reply(Box::new(|_, call| {
        Err(berth_asl::TaskFailure::new(
            if call % 2 == 0 { "A" } else { "B" },
            "x",
        ))
    }));
    let retry = json!([
        { "ErrorEquals": ["A"], "MaxAttempts": 1 },
        { "ErrorEquals": ["B"], "MaxAttempts": 2 },
        { "ErrorEquals": ["States.ALL"], "MaxAttempts": 10 } ]);
    let tasks = Tasks::new().on("arn:charge", alternating).shared();
    let record = run(charging(retry, json!([])), tasks.clone(), json!({})).await;
    // A (retry A 1/1), B (retry B 1/2), A: its retrier is spent and
    // States.ALL is never consulted, so the state fails.
    assert_eq!(tasks.calls("arn:charge").len(), 3);
    assert_eq!(record.failure().unwrap().0, Some("A"));
}

#[tokio::test(start_paused = true)]
async fn catchers_route_by_error_and_place_the_error_output() {
    let catch = json!([
        { "ErrorEquals": ["PaymentDeclined"], "ResultPath": "$.error", "Next": "Declined" },
        { "ErrorEquals": ["States.ALL"], "Next": "Compensate" } ]);
    let input = json!({ "booking": "b-1" });

    let declined = Tasks::new()
        .on("arn:charge", fail("PaymentDeclined"))
        .shared();
    let record = run(charging(json!([]), catch.clone()), declined, input.clone()).await;
    assert_eq!(
        record.output(),
        Some(
            &json!({ "booking": "b-1", "error": { "Error": "PaymentDeclined", "Cause": "scripted failure" } })
        )
    );

    let broken = Tasks::new().on("arn:charge", fail("GatewayDown")).shared();
    let record = run(charging(json!([]), catch), broken, input).await;
    assert_eq!(
        record.output(),
        Some(&json!({ "Error": "GatewayDown", "Cause": "scripted failure" })),
        "the default ResultPath `$` replaces the input"
    );
    let types = crate::support::event_types(&record);
    assert!(types.contains(&"CatchTaken".to_owned()), "{types:?}");
}

#[tokio::test(start_paused = true)]
async fn exhausted_retries_fall_through_to_catch() {
    let retry = json!([{ "ErrorEquals": ["Retryable"], "MaxAttempts": 2 }]);
    let catch = json!([{ "ErrorEquals": ["Retryable"], "ResultPath": null, "Next": "Compensate" }]);
    let tasks = Tasks::new().on("arn:charge", fail("Retryable")).shared();
    let record = run(
        charging(retry, catch),
        tasks.clone(),
        json!({ "kept": true }),
    )
    .await;
    assert_eq!(tasks.calls("arn:charge").len(), 3);
    assert_eq!(
        record.output(),
        Some(&json!({ "kept": true })),
        "ResultPath null keeps the input"
    );
}

#[tokio::test(start_paused = true)]
async fn task_failed_matches_any_task_error_and_a_panic_is_task_failed() {
    let catch = json!([{ "ErrorEquals": ["States.TaskFailed"], "Next": "Compensate" }]);
    for behaviour in [fail("NightsUnavailable"), Behaviour::Panic] {
        let tasks = Tasks::new().on("arn:charge", behaviour).shared();
        let record = run(charging(json!([]), catch.clone()), tasks, json!({})).await;
        assert_eq!(record.status, ExecutionStatus::Succeeded);
        let error = &record.output().unwrap()["Error"];
        assert!(
            error == "NightsUnavailable" || error == "States.TaskFailed",
            "{error}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_succeeding_task_is_called_once() {
    let retry = json!([{ "ErrorEquals": ["States.ALL"] }]);
    let tasks = Tasks::new().on("arn:charge", echo()).shared();
    let record = run(charging(retry, json!([])), tasks.clone(), json!({})).await;
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    assert_eq!(tasks.calls("arn:charge").len(), 1);
}
