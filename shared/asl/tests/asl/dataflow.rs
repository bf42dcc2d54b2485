//! InputPath → Parameters → Task → ResultSelector → ResultPath → OutputPath,
//! the context object and intrinsic functions.

use berth_asl::{EventDetail, ExecutionStatus};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::support::{EXECUTION, Tasks, echo, fail_times, run};

fn spec_input() -> Value {
    json!({
        "comment": "Example for InputPath.",
        "dataset1": { "val1": 1, "val2": 2, "val3": 3 },
        "dataset2": { "val1": "a", "val2": "b", "val3": "c" }
    })
}

#[tokio::test(start_paused = true)]
async fn each_path_field_applies_in_order() {
    let definition = json!({ "StartAt": "Work", "States": { "Work": {
        "Type": "Task", "Resource": "arn:work",
        "InputPath": "$.dataset2",
        "Parameters": {
            "letter.$": "$.val1",
            "static": "kept as is",
            "nested": { "second.$": "$['val2']" },
            "list": [{ "third.$": "$.val3" }, 4]
        },
        "ResultSelector": { "echoed.$": "$.letter", "whole.$": "$.nested" },
        "ResultPath": "$.taskresult",
        "OutputPath": "$['taskresult']",
        "End": true } } });
    let tasks = Tasks::new().on("arn:work", echo()).shared();
    let record = run(definition, tasks.clone(), spec_input()).await;

    let calls = tasks.calls("arn:work");
    assert_eq!(
        calls[0].input,
        json!({ "letter": "a", "static": "kept as is", "nested": { "second": "b" },
                "list": [{ "third": "c" }, 4] })
    );
    assert_eq!(record.status, ExecutionStatus::Succeeded);
    assert_eq!(
        record.output(),
        Some(&json!({ "echoed": "a", "whole": { "second": "b" } }))
    );
}

#[tokio::test(start_paused = true)]
async fn result_path_merges_into_the_input_and_null_discards_the_result() {
    let definition = json!({ "StartAt": "Merge", "States": {
        "Merge": { "Type": "Pass", "Result": { "x": 1 }, "ResultPath": "$.dataset1.extra", "Next": "Discard" },
        "Discard": { "Type": "Pass", "Result": "ignored", "ResultPath": null, "Next": "Empty" },
        "Empty": { "Type": "Pass", "InputPath": null, "ResultPath": "$.seen", "End": true } } });
    let record = run(definition, Tasks::new().shared(), spec_input()).await;

    // ResultPath places into the state's raw input, whatever InputPath chose.
    let mut expected = spec_input();
    expected["dataset1"]["extra"] = json!({ "x": 1 });
    expected["seen"] = json!({});
    assert_eq!(record.output(), Some(&expected));
}

#[tokio::test(start_paused = true)]
async fn a_missing_input_path_fails_the_execution_with_states_runtime() {
    let definition = json!({ "StartAt": "A", "States": {
        "A": { "Type": "Task", "Resource": "arn:a", "InputPath": "$.absent", "End": true,
               "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "Caught" }] },
        "Caught": { "Type": "Succeed" } } });
    let tasks = Tasks::new().shared();
    let record = run(definition, tasks.clone(), json!({})).await;
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(record.failure().unwrap().0, Some("States.Runtime"));
    assert!(tasks.calls("arn:a").is_empty());
}

/// Step Functions fails the execution with `States.Runtime`, which no
/// catcher matches, when a payload template's path selects nothing (as
/// recorded against AWS in LocalStack's snapshot
/// tests/aws/services/stepfunctions/v2/scenarios/test_base_scenarios.snapshot.json:
/// "The JSONPath '$.no_such_jsonpath' specified for the field 'value.$'
/// could not be found in the input").
#[tokio::test(start_paused = true)]
async fn a_missing_parameter_path_fails_with_states_runtime_past_any_catcher() {
    let definition = json!({ "StartAt": "A", "States": {
        "A": { "Type": "Task", "Resource": "arn:a", "Parameters": { "value.$": "$.absent" }, "End": true,
               "Catch": [{ "ErrorEquals": ["States.ALL"], "Next": "Caught" }] },
        "Caught": { "Type": "Pass", "OutputPath": "$.Error", "End": true } } });
    let tasks = Tasks::new().shared();
    let record = run(definition, tasks.clone(), json!({"present": 1})).await;
    assert_eq!(record.status, ExecutionStatus::Failed);
    let (error, cause) = record.failure().unwrap();
    assert_eq!(error, Some("States.Runtime"));
    assert_eq!(
        cause,
        Some(
            "The JSONPath '$.absent' specified for the field 'value.$' could not be found in the input '{\"present\":1}'"
        )
    );
    assert!(tasks.calls("arn:a").is_empty());
}

#[tokio::test(start_paused = true)]
async fn parameters_read_the_context_object() {
    let definition = json!({ "StartAt": "Charge", "States": { "Charge": {
        "Type": "Task", "Resource": "arn:charge",
        "Parameters": {
            "id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name",
            "started.$": "$$.Execution.StartTime", "state.$": "$$.State.Name",
            "entered.$": "$$.State.EnteredTime", "retries.$": "$$.State.RetryCount",
            "machine.$": "$$.StateMachine.Name", "machineId.$": "$$.StateMachine.Id"
        },
        "Retry": [{ "ErrorEquals": ["Retryable"] }],
        "End": true } } });
    let tasks = Tasks::new()
        .on("arn:charge", fail_times("Retryable", 1))
        .shared();
    let record = run(definition, tasks.clone(), json!({})).await;
    assert_eq!(record.status, ExecutionStatus::Succeeded);

    let calls = tasks.calls("arn:charge");
    let (first, second) = (&calls[0].input, &calls[1].input);
    assert_eq!(first["name"], EXECUTION);
    assert!(
        first["id"]
            .as_str()
            .unwrap()
            .ends_with(&format!(":execution:test:{EXECUTION}"))
    );
    assert!(
        first["machineId"]
            .as_str()
            .unwrap()
            .ends_with(":stateMachine:test")
    );
    assert_eq!(first["state"], "Charge");
    assert_eq!(first["machine"], "test");
    assert_eq!(
        (first["retries"].clone(), second["retries"].clone()),
        (json!(0), json!(1))
    );
    assert_eq!(
        calls[1].retry_count, 1,
        "the task context counts retries too"
    );

    let started_event = record.history[0].timestamp;
    let started: DateTime<Utc> = first["started"].as_str().unwrap().parse().unwrap();
    assert_eq!(started.timestamp_millis(), started_event.timestamp_millis());
    let entered: DateTime<Utc> = first["entered"].as_str().unwrap().parse().unwrap();
    assert!(entered >= started);
}

#[tokio::test(start_paused = true)]
async fn intrinsic_functions_compute_values() {
    let definition = json!({ "StartAt": "Compute", "States": { "Compute": {
        "Type": "Pass",
        "Parameters": {
            "greeting.$": "States.Format('Hello, {}: {} nights, flexible={}', $.name, $.nights, $.flexible)",
            "escaped.$": "States.Format('\\{literal\\} {} it\\'s', 'and')",
            "parsed.$": "States.StringToJson($.json)",
            "text.$": "States.JsonToString($.object)",
            "array.$": "States.Array($.name, 1, true, null)",
            "sum.$": "States.MathAdd($.nights, -1)",
            "nested.$": "States.Format('{}', States.MathAdd(States.ArrayLength($.list), 10))",
            "item.$": "States.ArrayGetItem($.list, 1)",
            "contains.$": "States.ArrayContains($.list, 3)",
            "id.$": "States.UUID()"
        },
        "End": true } } });
    let input = json!({ "name": "Ada", "nights": 3, "flexible": true, "json": "{\"a\":[1,2]}",
                        "object": { "b": "c" }, "list": [1, 2, 3] });
    let record = run(definition, Tasks::new().shared(), input).await;
    let output = record.output().unwrap();
    assert_eq!(output["greeting"], "Hello, Ada: 3 nights, flexible=true");
    assert_eq!(output["escaped"], "{literal} and it's");
    assert_eq!(output["parsed"], json!({ "a": [1, 2] }));
    assert_eq!(output["text"], "{\"b\":\"c\"}");
    assert_eq!(output["array"], json!(["Ada", 1, true, null]));
    assert_eq!(output["sum"], 2);
    assert_eq!(output["nested"], "13");
    assert_eq!(output["item"], 2);
    assert_eq!(output["contains"], true);
    assert!(uuid::Uuid::parse_str(output["id"].as_str().unwrap()).is_ok());
}

#[tokio::test(start_paused = true)]
async fn a_failing_intrinsic_fails_the_execution_with_states_runtime() {
    let definition = json!({ "StartAt": "A", "States": {
        "A": { "Type": "Task", "Resource": "arn:a", "End": true,
               "Parameters": { "x.$": "States.StringToJson($.text)" },
               "Catch": [{ "ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught" }] },
        "Caught": { "Type": "Succeed" } } });
    let record = run(
        definition,
        Tasks::new().shared(),
        json!({ "text": "not json" }),
    )
    .await;
    let (error, cause) = record.failure().unwrap();
    assert_eq!(error, Some("States.Runtime"));
    assert!(
        cause
            .unwrap()
            .starts_with("The function 'States.StringToJson($.text)' had the following error"),
        "{cause:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn history_records_each_step_and_serializes_for_the_local_api() {
    let definition = json!({ "StartAt": "Quote", "States": {
        "Quote": { "Type": "Task", "Resource": "arn:quote", "Next": "Done" },
        "Done": { "Type": "Succeed" } } });
    let record = run(
        definition,
        Tasks::new().on("arn:quote", echo()).shared(),
        json!({ "n": 1 }),
    )
    .await;
    assert_eq!(
        crate::support::event_types(&record),
        [
            "ExecutionStarted",
            "StateEntered",
            "TaskScheduled",
            "TaskSucceeded",
            "StateExited",
            "StateEntered",
            "StateExited",
            "ExecutionSucceeded"
        ]
    );
    assert!(
        matches!(&record.history[1].detail, EventDetail::StateEntered { state, .. } if &**state == "Quote")
    );

    let served = serde_json::to_value(&record).unwrap();
    assert_eq!(served["status"], "SUCCEEDED");
    assert_eq!(served["history"][2]["type"], "TaskScheduled");
    assert_eq!(served["history"][2]["resource"], "arn:quote");
    assert!(served["history"][0]["timestamp"].is_string());
    let read_back: berth_asl::ExecutionRecord = serde_json::from_value(served).unwrap();
    assert_eq!(read_back, record);
}

#[tokio::test(start_paused = true)]
async fn a_fail_state_reports_its_error_and_cause() {
    let definition = json!({ "StartAt": "Reject", "States": { "Reject": {
        "Type": "Fail", "ErrorPath": "$.reason",
        "CausePath": "States.Format('booking {} was declined', $.id)" } } });
    let record = run(
        definition,
        Tasks::new().shared(),
        json!({ "reason": "Declined", "id": "b-7" }),
    )
    .await;
    assert_eq!(record.status, ExecutionStatus::Failed);
    assert_eq!(
        record.failure(),
        Some((Some("Declined"), Some("booking b-7 was declined")))
    );

    let fixed = json!({ "StartAt": "Reject", "States": { "Reject": { "Type": "Fail", "Error": "NightsUnavailable" } } });
    let record = run(fixed, Tasks::new().shared(), json!({})).await;
    assert_eq!(record.failure(), Some((Some("NightsUnavailable"), None)));
}
