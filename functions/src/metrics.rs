//! Business and technical metrics in CloudWatch's embedded metric format: one
//! JSON line on stdout per data point, which Lambda ships to CloudWatch Logs
//! and CloudWatch turns into metrics. Outside Lambda they go to the log.

use std::time::Duration;

use serde_json::{Value, json};

const NAMESPACE: &str = "Berth";

fn emit(metric: &str, unit: &str, value: f64, dimensions: &[(&str, &str)]) {
    let names: Vec<&str> = dimensions.iter().map(|(name, _)| *name).collect();
    let mut line = json!({
        "_aws": {
            "Timestamp": chrono::Utc::now().timestamp_millis(),
            "CloudWatchMetrics": [{
                "Namespace": NAMESPACE,
                "Dimensions": [names],
                "Metrics": [{"Name": metric, "Unit": unit}],
            }],
        },
        metric: value,
    });
    if let Value::Object(map) = &mut line {
        for (name, value) in dimensions {
            map.insert((*name).to_owned(), Value::from(*value));
        }
    }
    if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        println!("{line}");
    } else {
        tracing::debug!(target: "berth::metrics", %line);
    }
}

/// A booking reached CONFIRMED or FAILED (with its reason).
pub fn booking_settled(status: &str, reason: Option<&str>) {
    emit(
        "BookingsSettled",
        "Count",
        1.0,
        &[("Status", status), ("Reason", reason.unwrap_or("NONE"))],
    );
}

/// How long a charge took, and how it ended.
pub fn payment_latency(elapsed: Duration, error: Option<&str>) {
    emit(
        "PaymentLatency",
        "Milliseconds",
        elapsed.as_secs_f64() * 1000.0,
        &[("Outcome", error.unwrap_or("Captured"))],
    );
}

/// A workflow task ended with a business error (`StepError::is_business`):
/// counted per function, under the one dimension its canary alarm reads
/// (template.yaml, `<Function>CanaryAlarm`), so the alarm can tell business
/// errors from faults in Lambda's Errors.
pub fn task_business_error() {
    let function = std::env::var("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default();
    emit(
        "TaskBusinessErrors",
        "Count",
        1.0,
        &[("FunctionName", function.as_str())],
    );
}
