//! `berth states run|validate`, as a developer runs it: the real binary,
//! its exit code, stdout and stderr.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

fn berth(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_berth"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("berth runs")
}

fn write(dir: &Path, name: &str, value: &Value) -> String {
    let path = dir.join(name);
    std::fs::write(&path, value.to_string()).unwrap();
    path.to_string_lossy().into_owned()
}

fn answer(output: &Output) -> Value {
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object on stdout")
}

const APPROVE: &str = "arn:aws:states:::sqs:sendMessage";

fn flow() -> Value {
    json!({ "StartAt": "Ask", "States": {
        "Ask": { "Type": "Task", "Resource": APPROVE,
            "Parameters": { "MessageBody.$": "$.booking" },
            "ResultSelector": { "approved.$": "$.approved" },
            "ResultPath": "$.decision",
            "Catch": [{ "ErrorEquals": ["Declined"], "ResultPath": "$.error", "Next": "Refused" }],
            "Next": "Each" },
        "Each": { "Type": "Map", "ItemsPath": "$.nights",
            "ItemSelector": { "night.$": "$$.Map.Item.Value", "n.$": "$$.Map.Item.Index" },
            "ItemProcessor": { "StartAt": "Night", "States": {
                "Night": { "Type": "Pass", "End": true } } },
            "ResultPath": "$.nights",
            "End": true },
        "Refused": { "Type": "Fail", "ErrorPath": "$.error.Error", "CausePath": "$.error.Cause" } } })
}

#[test]
fn runs_a_definition_with_mocked_resources() {
    let dir = tempfile::tempdir().unwrap();
    let definition = write(dir.path(), "flow.asl.json", &flow());
    let input = write(
        dir.path(),
        "input.json",
        &json!({ "booking": "b-1", "nights": ["a", "b"] }),
    );
    // The flow run with APPROVE answered by `mock`, with the history.
    let run_with = |name: &str, mock: Value| {
        let mock = format!("{APPROVE}={}", write(dir.path(), name, &mock));
        let args: [&str; 8] = [
            "states",
            "run",
            &definition,
            "--input",
            &input,
            "--mock",
            &mock,
            "--history",
        ];
        answer(&berth(&args, dir.path()))
    };
    let answer = run_with("approve.json", json!({ "result": { "approved": true } }));
    assert_eq!(answer["status"], "SUCCEEDED");
    assert_eq!(
        answer["output"],
        json!({ "booking": "b-1", "decision": { "approved": true },
                "nights": [{ "night": "a", "n": 0 }, { "night": "b", "n": 1 }] })
    );
    let events = answer["history"]["events"].as_array().unwrap();
    assert_eq!(events[0]["type"], "ExecutionStarted");
    assert_eq!(events[1]["type"], "TaskStateEntered");
    assert_eq!(events[0]["id"], 1);
    assert_eq!(events.last().unwrap()["type"], "ExecutionSucceeded");

    let mut answer = run_with(
        "declined.json",
        json!({ "errorOutput": { "error": "Declined", "cause": "host said no" } }),
    );
    answer.as_object_mut().unwrap().remove("history");
    assert_eq!(
        answer,
        json!({ "status": "FAILED", "error": "Declined", "cause": "host said no" })
    );
}

#[test]
fn refuses_definitions_with_the_path_and_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let definition = write(dir.path(), "flow.asl.json", &flow());
    // The resource is neither Berth's nor mocked.
    let output = berth(&["states", "validate", &definition], dir.path());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("$.States.Ask.Resource"), "{stderr}");
    assert!(stderr.contains(APPROVE), "{stderr}");

    let jsonata = write(
        dir.path(),
        "jsonata.asl.json",
        &json!({ "QueryLanguage": "JSONata", "StartAt": "A", "States": { "A": { "Type": "Succeed" } } }),
    );
    let output = berth(&["states", "run", &jsonata], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("$.QueryLanguage") && stderr.contains("JSONata"),
        "{stderr}"
    );

    let valid = write(
        dir.path(),
        "ok.asl.json",
        &json!({ "StartAt": "A", "States": { "A": { "Type": "Succeed" } } }),
    );
    assert_eq!(
        answer(&berth(&["states", "validate", &valid], dir.path())),
        json!({ "valid": true })
    );
}

#[test]
fn the_booking_workflow_loads_with_berths_functions() {
    let repository = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let output = berth(
        &["states", "validate", "statemachines/booking.asl.json"],
        repository,
    );
    assert_eq!(answer(&output), json!({ "valid": true }));
}
