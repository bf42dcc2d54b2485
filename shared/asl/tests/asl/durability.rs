//! Execution names, the journal's write pattern, stopping, and resuming
//! after the executor is dropped mid-execution as a killed process would be.

use std::sync::Arc;

use berth_asl::{
    EventDetail, ExecutionError, ExecutionJournal, ExecutionStatus, InMemoryJournal, StartOutcome,
    TokioTimer,
};
use serde_json::json;

use crate::support::{
    Behaviour, CountingJournal, EXECUTION, Tasks, echo, executor, executor_on, fail_times, machine,
    retry_delays_ms, start_and_finish,
};

fn booking() -> serde_json::Value {
    json!({ "StartAt": "Reserve", "States": {
        "Reserve": { "Type": "Task", "Resource": "arn:reserve", "ResultPath": "$.hold", "Next": "Pay" },
        "Pay": { "Type": "Task", "Resource": "arn:pay", "ResultPath": "$.charge", "Next": "Paid?",
                 "Retry": [{ "ErrorEquals": ["Retryable"], "IntervalSeconds": 100, "MaxAttempts": 5 }] },
        "Paid?": { "Type": "Choice", "Default": "Confirm",
                   "Choices": [{ "Variable": "$.charge", "IsPresent": false, "Next": "Failed" }] },
        "Confirm": { "Type": "Task", "Resource": "arn:confirm", "ResultPath": null, "Next": "Done" },
        "Failed": { "Type": "Fail", "Error": "NotCharged" },
        "Done": { "Type": "Succeed" } } })
}

#[tokio::test(start_paused = true)]
async fn a_second_start_with_the_same_name_is_a_no_op() {
    let tasks = Tasks::new().shared();
    let journal = Arc::new(InMemoryJournal::new());
    let executor = executor(machine(booking()), tasks.clone(), journal);

    let (first, second) = tokio::join!(
        executor.start(EXECUTION, json!({ "try": 1 })),
        executor.start(EXECUTION, json!({ "try": 2 }))
    );
    let outcomes = [first.unwrap(), second.unwrap()];
    let started: Vec<_> = outcomes
        .into_iter()
        .filter_map(|o| match o {
            StartOutcome::Started(handle) => Some(handle),
            StartOutcome::AlreadyExists => None,
        })
        .collect();
    assert_eq!(started.len(), 1, "exactly one start wins");
    for handle in started {
        assert_eq!(handle.finished().await.unwrap(), ExecutionStatus::Succeeded);
    }
    let before = executor.describe(EXECUTION).await.unwrap().unwrap();

    let again = executor
        .start(EXECUTION, json!({ "try": 3 }))
        .await
        .unwrap();
    assert!(matches!(again, StartOutcome::AlreadyExists));
    assert_eq!(tasks.calls("arn:reserve").len(), 1);
    assert_eq!(executor.describe(EXECUTION).await.unwrap().unwrap(), before);
}

#[tokio::test(start_paused = true)]
async fn each_durable_state_entry_is_one_journal_write() {
    let journal = Arc::new(CountingJournal::default());
    let executor = executor(machine(booking()), Tasks::new().shared(), journal.clone());
    let record = start_and_finish(&executor, EXECUTION, json!({})).await;
    assert_eq!(record.status, ExecutionStatus::Succeeded);

    let entered = |name: &str| {
        record
            .history
            .iter()
            .filter(|e| {
                matches!(
        &e.detail, EventDetail::StateEntered { state, .. } if &**state == name)
            })
            .count()
    };
    assert_eq!(
        [
            entered("Reserve"),
            entered("Pay"),
            entered("Paid?"),
            entered("Confirm")
        ],
        [1; 4]
    );
    // Reserve is written by `start`; Pay and Confirm once each on entry;
    // Choice and Succeed ride along with the final write.
    assert_eq!(journal.records(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_executor_leaves_the_execution_to_resume_where_it_stood() {
    let (journal, timer) = (
        Arc::new(InMemoryJournal::new()),
        Arc::new(TokioTimer::new()),
    );
    let first_life = Tasks::new().on("arn:pay", Behaviour::Hang).shared();
    let executor_1 = executor_on(
        machine(booking()),
        first_life.clone(),
        journal.clone(),
        timer.clone(),
    );
    let StartOutcome::Started(handle) = executor_1
        .start(EXECUTION, json!({ "id": "b-1" }))
        .await
        .unwrap()
    else {
        panic!("not started");
    };
    first_life.called("arn:pay", 1).await;
    drop(executor_1);
    assert!(matches!(
        handle.finished().await,
        Err(ExecutionError::Interrupted(_))
    ));

    let running = journal.running("test").await.unwrap();
    assert_eq!(running.len(), 1);
    assert_eq!(&*running[0].checkpoint.state, "Pay");
    assert_eq!(running[0].checkpoint.input["hold"], json!({ "id": "b-1" }));

    let second_life = Tasks::new().on("arn:pay", echo()).shared();
    let executor_2 = executor_on(
        machine(booking()),
        second_life.clone(),
        journal.clone(),
        timer.clone(),
    );
    let handles = executor_2.resume_all().await.unwrap();
    assert_eq!(handles.len(), 1);
    for handle in handles {
        assert_eq!(handle.finished().await.unwrap(), ExecutionStatus::Succeeded);
    }
    assert!(
        second_life.calls("arn:reserve").is_empty(),
        "Reserve is not repeated"
    );
    assert_eq!(
        second_life.calls("arn:pay").len(),
        1,
        "Pay is entered again"
    );
    assert_eq!(second_life.calls("arn:confirm").len(), 1);

    let record = executor_2.describe(EXECUTION).await.unwrap().unwrap();
    let pay_entries = record
        .history
        .iter()
        .filter(|e| {
            matches!(
        &e.detail, EventDetail::StateEntered { state, .. } if &**state == "Pay")
        })
        .count();
    assert_eq!(pay_entries, 2);
    assert!(
        executor_2.resume_all().await.unwrap().is_empty(),
        "nothing is left running"
    );
}

#[tokio::test(start_paused = true)]
async fn a_resumed_retry_keeps_its_counters_and_its_due_time() {
    let (journal, timer) = (
        Arc::new(InMemoryJournal::new()),
        Arc::new(TokioTimer::new()),
    );
    let first_life = Tasks::new()
        .on("arn:pay", fail_times("Retryable", 5))
        .shared();
    let executor_1 = executor_on(
        machine(booking()),
        first_life.clone(),
        journal.clone(),
        timer.clone(),
    );
    let StartOutcome::Started(_) = executor_1.start(EXECUTION, json!({})).await.unwrap() else {
        panic!("not started");
    };
    // Two failures: the second retry is due 200 s after the second call.
    first_life.called("arn:pay", 2).await;
    tokio::task::yield_now().await;
    let second_call = first_life.calls("arn:pay")[1].at;
    tokio::time::sleep(std::time::Duration::from_secs(50)).await;
    drop(executor_1);

    let second_life = Tasks::new().on("arn:pay", echo()).shared();
    let executor_2 = executor_on(
        machine(booking()),
        second_life.clone(),
        journal.clone(),
        timer.clone(),
    );
    for handle in executor_2.resume_all().await.unwrap() {
        assert_eq!(handle.finished().await.unwrap(), ExecutionStatus::Succeeded);
    }
    let resumed_call = &second_life.calls("arn:pay")[0];
    assert_eq!(
        resumed_call.retry_count, 2,
        "retry counters survive the crash"
    );
    assert_eq!(
        resumed_call.at - second_call,
        std::time::Duration::from_secs(200)
    );
    let record = executor_2.describe(EXECUTION).await.unwrap().unwrap();
    assert_eq!(retry_delays_ms(&record), [100_000, 200_000]);
}

#[tokio::test(start_paused = true)]
async fn stop_aborts_a_running_execution_once() {
    let tasks = Tasks::new().on("arn:pay", Behaviour::Hang).shared();
    let executor = executor(
        machine(booking()),
        tasks.clone(),
        Arc::new(InMemoryJournal::new()),
    );
    let StartOutcome::Started(handle) = executor.start(EXECUTION, json!({})).await.unwrap() else {
        panic!("not started");
    };
    tasks.called("arn:pay", 1).await;
    assert!(
        executor
            .stop(EXECUTION, Some("guest cancelled".into()))
            .await
            .unwrap()
    );
    assert!(
        !executor.stop(EXECUTION, None).await.unwrap(),
        "it has ended already"
    );
    assert!(handle.finished().await.is_err());

    let record = executor.describe(EXECUTION).await.unwrap().unwrap();
    assert_eq!(record.status, ExecutionStatus::Aborted);
    assert!(matches!(
        &record.history.last().unwrap().detail,
        EventDetail::ExecutionAborted { cause: Some(cause) } if cause == "guest cancelled"
    ));
    assert!(!executor.stop("never-started", None).await.unwrap());
}

#[tokio::test(start_paused = true)]
async fn execution_names_follow_step_functions_rules() {
    let executor = executor(
        machine(booking()),
        Tasks::new().shared(),
        Arc::new(InMemoryJournal::new()),
    );
    for bad in [
        "",
        "has space",
        "a/b",
        "x".repeat(81).as_str(),
        "semi;colon",
    ] {
        let error = executor.start(bad, json!({})).await.unwrap_err();
        assert!(
            matches!(error, ExecutionError::InvalidName { .. }),
            "{bad:?}"
        );
    }
    assert!(
        executor
            .start("0190f3a1-booking_7", json!({}))
            .await
            .is_ok()
    );
}

/// Variables and the execution's input are part of what a resumed
/// execution knows: a crash between Assign and its use changes nothing.
#[tokio::test(start_paused = true)]
async fn variables_and_the_execution_input_survive_a_resume() {
    let definition = json!({ "StartAt": "Set", "States": {
        "Set": { "Type": "Pass", "Assign": { "rate.$": "$.rate" }, "Next": "Work" },
        "Work": { "Type": "Task", "Resource": "arn:work", "ResultPath": null, "Next": "Use" },
        "Use": { "Type": "Pass",
            "Parameters": { "rate.$": "$rate", "first.$": "$$.Execution.Input.rate" }, "End": true } } });
    let (journal, timer) = (
        Arc::new(InMemoryJournal::new()),
        Arc::new(TokioTimer::new()),
    );
    let first_life = Tasks::new().on("arn:work", Behaviour::Hang).shared();
    let executor_1 = executor_on(
        machine(definition.clone()),
        first_life.clone(),
        journal.clone(),
        timer.clone(),
    );
    let StartOutcome::Started(_) = executor_1
        .start(EXECUTION, json!({ "rate": 7 }))
        .await
        .unwrap()
    else {
        panic!("not started");
    };
    first_life.called("arn:work", 1).await;
    drop(executor_1);

    let executor_2 = executor_on(machine(definition), Tasks::new().shared(), journal, timer);
    for handle in executor_2.resume_all().await.unwrap() {
        assert_eq!(handle.finished().await.unwrap(), ExecutionStatus::Succeeded);
    }
    let record = executor_2.describe(EXECUTION).await.unwrap().unwrap();
    assert_eq!(record.output(), Some(&json!({ "rate": 7, "first": 7 })));
}
