//! JSONPath as Step Functions evaluates it:
//! https://docs.aws.amazon.com/step-functions/latest/dg/amazon-states-language-paths.html
//! ("Step Functions uses the Jayway Java implementation of JSONPath"), and
//! the ASL specification's paths, https://states-language.net/#path.

use serde_json::json;

use super::{output, pass};

fn products() -> serde_json::Value {
    json!({
        "foo": 123,
        "bar": ["a", "b", "c"],
        "car": { "cdr": true },
        "items": [
            { "id": 1, "status": 0, "price": 8 },
            { "id": 2, "status": 1, "price": 15 },
            { "id": 3, "status": 0, "price": 22 }
        ]
    })
}

/// The specification's path examples: `$.foo`, `$.bar`, `$.car.cdr`.
#[tokio::test(start_paused = true)]
async fn reference_paths_from_the_specification() {
    let got = output(
        pass(json!({ "foo.$": "$.foo", "bar.$": "$.bar", "cdr.$": "$.car.cdr" })),
        products(),
    )
    .await;
    assert_eq!(
        got,
        json!({ "foo": 123, "bar": ["a", "b", "c"], "cdr": true })
    );
}

/// Wildcards, slices, unions, filters and recursive descent select many
/// nodes, which Parameters receives as an array.
#[tokio::test(start_paused = true)]
async fn paths_that_select_many_nodes_give_arrays() {
    let got = output(
        pass(json!({
            "ids.$": "$.items[*].id",
            "tail.$": "$.bar[1:]",
            "last.$": "$.bar[-1:]",
            "union.$": "$.bar[0,2]",
            "open.$": "$.items[?(@.status == 0)].id",
            "cheap.$": "$.items[?(@.price < 20 && @.status == 1)].id",
            "deep.$": "$..cdr",
            "none.$": "$.items[?(@.status == 9)]"
        })),
        products(),
    )
    .await;
    assert_eq!(got["ids"], json!([1, 2, 3]));
    assert_eq!(got["tail"], json!(["b", "c"]));
    assert_eq!(got["last"], json!(["c"]));
    assert_eq!(got["union"], json!(["a", "c"]));
    assert_eq!(got["open"], json!([1, 3]));
    assert_eq!(got["cheap"], json!([2]));
    assert_eq!(got["deep"], json!([true]));
    assert_eq!(got["none"], json!([]));
}

/// InputPath and OutputPath take the same paths.
#[tokio::test(start_paused = true)]
async fn input_and_output_paths_filter_too() {
    let definition = json!({ "StartAt": "P", "States": { "P": {
        "Type": "Pass", "InputPath": "$.items[?(@.status == 0)]", "OutputPath": "$[*].price",
        "End": true } } });
    let got = output(definition, products()).await;
    assert_eq!(got, json!([8, 22]));
}
