//! https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html

use serde_json::json;

use super::output;
use crate::support::EXECUTION;

/// "Context object data for Map states": Index and Value in each iteration.
#[tokio::test(start_paused = true)]
async fn map_item_index_and_value() {
    let definition = json!({
      "StartAt": "ExampleMapState",
      "States": {
        "ExampleMapState": {
          "Type": "Map",
          "Parameters": {
            "ContextIndex.$": "$$.Map.Item.Index",
            "ContextValue.$": "$$.Map.Item.Value"
          },
          "Iterator": {
            "StartAt": "TestPass",
            "States": { "TestPass": { "Type": "Pass", "End": true } }
          },
          "End": true
        }
      }
    });
    let got = output(
        definition,
        json!([{ "who": "bob" }, { "who": "meg" }, { "who": "joe" }]),
    )
    .await;
    assert_eq!(
        got,
        json!([
            { "ContextIndex": 0, "ContextValue": { "who": "bob" } },
            { "ContextIndex": 1, "ContextValue": { "who": "meg" } },
            { "ContextIndex": 2, "ContextValue": { "who": "joe" } }
        ])
    );
}

/// "Accessing the context object": `$$.` paths in Parameters, the whole
/// Execution node and fields below its Input.
#[tokio::test(start_paused = true)]
async fn execution_state_and_state_machine_fields() {
    let definition = json!({ "StartAt": "Look", "States": { "Look": {
        "Type": "Pass",
        "Parameters": {
            "name.$": "$$.Execution.Name",
            "input.$": "$$.Execution.Input",
            "customer.$": "$$.Execution.Input.customer.name",
            "state.$": "$$.State.Name",
            "retries.$": "$$.State.RetryCount",
            "machine.$": "$$.StateMachine.Name",
            "execution.$": "$$.Execution"
        },
        "End": true } } });
    let input = json!({ "customer": { "name": "Ana" } });
    let got = output(definition, input.clone()).await;
    assert_eq!(got["name"], EXECUTION);
    assert_eq!(got["input"], input);
    assert_eq!(got["customer"], "Ana");
    assert_eq!(got["state"], "Look");
    assert_eq!(got["retries"], 0);
    assert_eq!(got["machine"], "test");
    assert_eq!(got["execution"]["Name"], EXECUTION);
    assert_eq!(got["execution"]["Input"], input);
    assert!(
        got["execution"]["Id"]
            .as_str()
            .unwrap()
            .ends_with(":test:exec-1")
    );
}
