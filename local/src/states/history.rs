//! The history of an execution in the shape of GetExecutionHistory: events
//! numbered from 1, each with its type and details, payloads as JSON text.

use std::collections::HashMap;

use berth_asl::{EventDetail, ExecutionRecord, HistoryEvent};
use serde_json::{Map, Value, json};

pub fn of(record: &ExecutionRecord, definition: &str) -> Value {
    let types = state_types(definition);
    let events: Vec<Value> = record
        .history
        .iter()
        .filter_map(|event| shaped(event, &types))
        .enumerate()
        .map(|(index, mut event)| {
            event["id"] = json!(index + 1);
            event["previousEventId"] = json!(index);
            event
        })
        .collect();
    json!({ "events": events })
}

/// Each state's `Type`, by name, nested states included.
fn state_types(definition: &str) -> HashMap<String, String> {
    fn walk(states: &Map<String, Value>, out: &mut HashMap<String, String>) {
        for (name, state) in states {
            if let Some(kind) = state.get("Type").and_then(Value::as_str) {
                out.insert(name.clone(), kind.to_owned());
            }
            let nested = state
                .get("Branches")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .chain(state.get("ItemProcessor"))
                .chain(state.get("Iterator"));
            for branch in nested {
                if let Some(states) = branch.get("States").and_then(Value::as_object) {
                    walk(states, out);
                }
            }
        }
    }
    let mut out = HashMap::new();
    let definition: Value = serde_json::from_str(definition).unwrap_or_default();
    if let Some(states) = definition.get("States").and_then(Value::as_object) {
        walk(states, &mut out);
    }
    out
}

fn shaped(event: &HistoryEvent, types: &HashMap<String, String>) -> Option<Value> {
    let kind = |state: &str| types.get(state).map_or("", String::as_str).to_owned();
    let (kind, details_key, details) = match &event.detail {
        EventDetail::ExecutionStarted { input } => (
            "ExecutionStarted".to_owned(),
            "executionStartedEventDetails",
            json!({ "input": input.to_string(), "inputDetails": { "truncated": false } }),
        ),
        EventDetail::StateEntered { state, input } => (
            format!("{}StateEntered", kind(state)),
            "stateEnteredEventDetails",
            json!({ "name": state, "input": input.to_string() }),
        ),
        EventDetail::StateExited { state, output } => (
            format!("{}StateExited", kind(state)),
            "stateExitedEventDetails",
            json!({ "name": state, "output": output.to_string() }),
        ),
        EventDetail::TaskScheduled { resource } => (
            "TaskScheduled".to_owned(),
            "taskScheduledEventDetails",
            json!({ "resource": resource }),
        ),
        EventDetail::TaskSucceeded { output } => (
            "TaskSucceeded".to_owned(),
            "taskSucceededEventDetails",
            json!({ "output": output.to_string() }),
        ),
        EventDetail::TaskFailed { error, cause } => (
            "TaskFailed".to_owned(),
            "taskFailedEventDetails",
            json!({ "error": error, "cause": cause }),
        ),
        EventDetail::ParallelStarted { .. } => ("ParallelStateStarted".to_owned(), "", Value::Null),
        EventDetail::MapStarted { items } => (
            "MapStateStarted".to_owned(),
            "mapStateStartedEventDetails",
            json!({ "length": items }),
        ),
        EventDetail::ExecutionSucceeded { output } => (
            "ExecutionSucceeded".to_owned(),
            "executionSucceededEventDetails",
            json!({ "output": output.to_string() }),
        ),
        EventDetail::ExecutionFailed { error, cause } => (
            "ExecutionFailed".to_owned(),
            "executionFailedEventDetails",
            json!({ "error": error, "cause": cause }),
        ),
        EventDetail::ExecutionTimedOut => ("ExecutionTimedOut".to_owned(), "", Value::Null),
        EventDetail::ExecutionAborted { cause } => (
            "ExecutionAborted".to_owned(),
            "executionAbortedEventDetails",
            json!({ "cause": cause }),
        ),
        // Retries and catches show in AWS's history only through the
        // events around them.
        EventDetail::RetryScheduled { .. } | EventDetail::CatchTaken { .. } => return None,
    };
    let mut shaped = json!({ "timestamp": event.timestamp, "type": kind });
    if !details_key.is_empty() {
        shaped[details_key] = details;
    }
    Some(shaped)
}
