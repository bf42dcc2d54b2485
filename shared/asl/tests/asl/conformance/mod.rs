//! Conformance with AWS's own documentation: each example whose output the
//! documentation states, run as written, each test citing its page.

mod context;
mod errors;
mod intrinsics;
mod jsonpath;
mod map;
mod parallel;
mod spec;
mod variables;

use serde_json::{Value, json};

use crate::support::{Tasks, run};

/// Runs `definition` with `input` and returns its output, panicking with the
/// failure when it does not succeed.
pub async fn output(definition: Value, input: Value) -> Value {
    let record = run(definition, Tasks::new().shared(), input).await;
    match record.output() {
        Some(output) => output.clone(),
        None => panic!("the execution did not succeed: {:?}", record.failure()),
    }
}

/// A machine of one Pass state whose Parameters are `parameters`.
pub fn pass(parameters: Value) -> Value {
    json!({ "StartAt": "P", "States": { "P": {
        "Type": "Pass", "Parameters": parameters, "End": true } } })
}
