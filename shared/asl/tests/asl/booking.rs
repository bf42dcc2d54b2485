//! The deployed booking workflow (statemachines/booking.asl.json) under
//! scripted task failures, on a paused clock: what is retried, what is
//! final, and the error each failure reaches FailBooking with (which
//! becomes the booking's failure reason).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use berth_asl::{ExecutionRecord, ExecutionStatus, InMemoryJournal, StateMachine};
use serde_json::{Value, json};

use crate::support::{Behaviour, Tasks, echo, executor, fail, fail_times, start_and_finish};

const TASKS: [(&str, &str); 7] = [
    ("QuoteStayFunctionArn", "arn:quote"),
    ("ReserveNightsFunctionArn", "arn:reserve"),
    ("ChargePaymentFunctionArn", "arn:pay"),
    ("ConfirmBookingFunctionArn", "arn:confirm"),
    ("RefundPaymentFunctionArn", "arn:refund"),
    ("ReleaseNightsFunctionArn", "arn:release"),
    ("FailBookingFunctionArn", "arn:fail"),
];

fn booking_machine() -> Arc<StateMachine> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../statemachines/booking.asl.json"
    );
    let text = std::fs::read_to_string(path).expect("statemachines/booking.asl.json");
    let substitutions: HashMap<String, String> = TASKS
        .iter()
        .map(|(name, arn)| ((*name).to_owned(), (*arn).to_owned()))
        .collect();
    Arc::new(
        StateMachine::load("booking", &text, &substitutions, &|r: &str| {
            r.starts_with("arn:")
        })
        .expect("the booking workflow loads"),
    )
}

/// Every task echoes unless `scripted` says otherwise.
fn tasks(scripted: Vec<(&str, Behaviour)>) -> Arc<Tasks> {
    let mut scripted: HashMap<&str, Behaviour> = scripted.into_iter().collect();
    let mut tasks = Tasks::new();
    for (_, arn) in TASKS {
        tasks = tasks.on(arn, scripted.remove(arn).unwrap_or_else(echo));
    }
    tasks.shared()
}

async fn book(tasks: Arc<Tasks>) -> ExecutionRecord {
    let executor = executor(booking_machine(), tasks, Arc::new(InMemoryJournal::new()));
    start_and_finish(&executor, "booking-1", json!({"booking_id": "bk_1"})).await
}

/// The error FailBooking was given, if it ran.
fn failed_with(tasks: &Tasks) -> Option<Value> {
    let calls = tasks.calls("arn:fail");
    calls
        .last()
        .map(|call| call.input["error"]["Error"].clone())
}

#[tokio::test(start_paused = true)]
async fn a_payment_method_the_provider_refuses_is_final_and_fails_the_booking_as_itself() {
    let tasks = tasks(vec![("arn:pay", fail("PaymentRejected"))]);
    let record = book(tasks.clone()).await;
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    assert_eq!(
        tasks.calls("arn:pay").len(),
        1,
        "a business error is never retried"
    );
    assert_eq!(failed_with(&tasks), Some(json!("PaymentRejected")));
    assert!(tasks.calls("arn:confirm").is_empty());
}

#[tokio::test(start_paused = true)]
async fn business_errors_are_never_retried() {
    for (arn, error) in [
        ("arn:quote", "InvalidStay"),
        ("arn:reserve", "NightsUnavailable"),
        ("arn:pay", "PaymentDeclined"),
        ("arn:pay", "HoldExpired"),
        ("arn:confirm", "HoldExpired"),
    ] {
        let tasks = tasks(vec![(arn, fail(error))]);
        let record = book(tasks.clone()).await;
        assert_eq!(record.status, ExecutionStatus::Succeeded, "{arn} {error}");
        assert_eq!(tasks.calls(arn).len(), 1, "{arn} retried {error}");
        assert_eq!(failed_with(&tasks), Some(json!(error)), "{arn} {error}");
    }
}

#[tokio::test(start_paused = true)]
async fn crashes_timeouts_and_lambda_service_errors_are_retried() {
    let tasks = tasks(vec![
        ("arn:quote", fail_times("Lambda.Unknown", 2)),
        (
            "arn:reserve",
            fail_times("Lambda.ClientExecutionTimeoutException", 1),
        ),
        ("arn:pay", fail_times("Lambda.ServiceException", 1)),
        (
            "arn:confirm",
            fail_times("Lambda.TooManyRequestsException", 1),
        ),
    ]);
    let record = book(tasks.clone()).await;
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    assert_eq!(tasks.calls("arn:quote").len(), 3);
    assert_eq!(tasks.calls("arn:confirm").len(), 2);
    assert_eq!(failed_with(&tasks), None, "the booking confirmed");
}

#[tokio::test(start_paused = true)]
async fn a_fault_of_ours_in_pay_is_caught_as_itself_not_as_payment_unavailable() {
    let tasks = tasks(vec![("arn:pay", fail("BookingNotFound"))]);
    let record = book(tasks.clone()).await;
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    assert_eq!(tasks.calls("arn:pay").len(), 1);
    assert_eq!(failed_with(&tasks), Some(json!("BookingNotFound")));
}

#[tokio::test(start_paused = true)]
async fn a_provider_that_hangs_times_the_step_out_and_ends_payment_unavailable() {
    let tasks = tasks(vec![("arn:pay", Behaviour::Hang)]);
    let record = book(tasks.clone()).await;
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    assert!(
        tasks.calls("arn:pay").len() > 1,
        "States.Timeout is retried"
    );
    assert_eq!(failed_with(&tasks), Some(json!("PaymentUnavailable")));
    assert_eq!(
        tasks.calls("arn:refund").len(),
        1,
        "whatever was captured is refunded"
    );
}

#[tokio::test(start_paused = true)]
async fn a_compensation_that_hangs_is_retried_then_fails_the_execution() {
    let tasks = tasks(vec![
        ("arn:reserve", fail("NightsUnavailable")),
        ("arn:release", Behaviour::Slow(Duration::from_secs(3600))),
    ]);
    let record = book(tasks.clone()).await;
    // Every attempt times out; the retries run out and the execution fails,
    // which BookingExecutionsFailedAlarm reports (the sweeper settles it).
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(record.failure().unwrap().0, Some("States.Timeout"));
    assert_eq!(tasks.calls("arn:release").len(), 11);
}
