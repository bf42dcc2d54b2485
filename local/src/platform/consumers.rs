//! Queue consumers: what Lambda's SQS event source mapping does. Each queue
//! is polled in batches; the batch goes to its function as an SQS event; the
//! messages it reports as failed stay (to come back after the visibility
//! timeout, and be dead-lettered after too many receives); the rest are deleted.

use std::sync::Arc;
use std::time::Duration;

use berth_domain::ports::Clock;
use berth_embedded::queues::{LocalQueues, QueueSpec, Received};
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::registry::JsonFn;
use super::topology::Queue;

/// Longest a consumer sleeps before looking again (for redeliveries).
const IDLE: Duration = Duration::from_secs(1);

pub fn spec(queue: &Queue, time_scale: f64) -> QueueSpec {
    QueueSpec {
        name: queue.logical_id.to_owned(),
        fifo: queue.fifo,
        visibility_timeout_ms: (f64::from(queue.visibility_timeout_seconds) * 1000.0 * time_scale)
            .max(1.0) as i64,
        max_receives: queue.max_receive_count,
        dead_letter_queue: Some(queue.dead_letter.to_owned()),
    }
}

fn sqs_record(queue: &str, message: &Received) -> Value {
    let mut attributes = json!({
        "ApproximateReceiveCount": message.receive_count.to_string(),
        "SentTimestamp": message.sent_at_ms.to_string(),
    });
    if let Some(group) = &message.group_id {
        attributes["MessageGroupId"] = Value::from(group.as_str());
    }
    json!({
        "messageId": message.id.to_string(),
        "receiptHandle": message.id.to_string(),
        "body": message.body,
        "attributes": attributes,
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": format!("arn:aws:sqs:local:000000000000:{queue}"),
        "awsRegion": "local",
    })
}

/// Consumes `queue` with `function` for as long as the platform runs.
pub async fn run(
    queues: LocalQueues,
    spec: QueueSpec,
    batch_size: u32,
    function: JsonFn,
    waker: Arc<Notify>,
    clock: Arc<dyn Clock>,
) {
    loop {
        let now = clock.now().timestamp_millis();
        let due = queues.next_visible_at(&spec.name).ok().flatten();
        if due.is_none_or(|at| at > now) {
            let wait = due.map_or(IDLE, |at| {
                Duration::from_millis((at - now).clamp(1, 1000) as u64)
            });
            let _ = tokio::time::timeout(wait, waker.notified()).await;
            continue;
        }
        let messages = match queues.receive(&spec, batch_size, now).await {
            Ok(messages) => messages,
            Err(error) => {
                tracing::error!(queue = %spec.name, error = format!("{error:#}"), "receiving failed");
                tokio::time::sleep(IDLE).await;
                continue;
            }
        };
        if messages.is_empty() {
            continue;
        }
        let event = json!({"Records": messages.iter().map(|m| sqs_record(&spec.name, m)).collect::<Vec<_>>()});
        let failed: Vec<String> = match function(event).await {
            Ok(response) => response["batchItemFailures"]
                .as_array()
                .map(|f| {
                    f.iter()
                        .filter_map(|f| f["itemIdentifier"].as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
            Err(failure) => {
                tracing::warn!(queue = %spec.name, error = %failure.error, cause = %failure.cause, "consumer failed");
                messages.iter().map(|m| m.id.to_string()).collect()
            }
        };
        let done: Vec<i64> = messages
            .iter()
            .filter(|m| !failed.contains(&m.id.to_string()))
            .map(|m| m.id)
            .collect();
        if let Err(error) = queues.delete(done).await {
            tracing::error!(queue = %spec.name, error = format!("{error:#}"), "deleting handled messages failed");
        }
    }
}
