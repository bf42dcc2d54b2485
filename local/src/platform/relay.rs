//! The outbox relay: what DynamoDB Streams does for the outbox table in AWS.
//! New outbox events, in commit order, go to the publish-events function as a
//! stream batch; its partial-failure answer says where to resume.

use berth_embedded::SqliteStore;
use berth_embedded::queues::LocalQueues;
use serde_json::{Value, json};

use super::registry::JsonFn;

const CURSOR: &str = "publish-events";
const BATCH: u32 = 100;

/// One outbox event (its id and JSON) as a DynamoDB stream INSERT record of
/// the outbox table.
fn stream_record(seq: u64, id: &str, event: &str) -> Value {
    json!({
        "eventID": format!("{seq}"),
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "local",
        "dynamodb": {
            "Keys": {"event_id": {"S": id}},
            "NewImage": {
                "event_id": {"S": id},
                "event": {"S": event},
            },
            "SequenceNumber": format!("{seq}"),
            "SizeBytes": 0,
            "StreamViewType": "NEW_IMAGE",
        },
        "eventSourceARN": "arn:aws:dynamodb:local:000000000000:table/Outbox/stream/local",
    })
}

/// Relays forever: waits for commits, hands new events on, remembers where
/// it got to. Events may be handed on twice after a crash (as with DynamoDB
/// Streams); consumers are idempotent by event id.
pub async fn run(store: SqliteStore, queues: LocalQueues, publish: JsonFn) {
    let mut cursor = match queues.cursor(CURSOR) {
        Ok(cursor) => cursor,
        Err(error) => {
            tracing::error!(
                error = format!("{error:#}"),
                "the event relay cannot read its cursor"
            );
            return;
        }
    };
    let mut commits = store.db().commits();
    loop {
        let batch = match store.raw_events_after(cursor, BATCH) {
            Ok(batch) => batch,
            Err(error) => {
                tracing::error!(
                    error = format!("{error:#}"),
                    "the event relay cannot read the outbox"
                );
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        if batch.is_empty() {
            if commits.changed().await.is_err() {
                return;
            }
            continue;
        }
        match relay_batch(&batch, &publish).await {
            Ok(next) => {
                if next > cursor {
                    cursor = next;
                    if let Err(error) = queues.save_cursor(CURSOR, cursor).await {
                        tracing::error!(
                            error = format!("{error:#}"),
                            "the event relay cannot save its cursor"
                        );
                    }
                } else {
                    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                }
            }
            Err(error) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "publishing events failed; retrying"
                );
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        }
    }
}

/// Hands one batch to the publisher; answers the last sequence number that
/// may be forgotten.
async fn relay_batch(batch: &[(u64, String, String)], publish: &JsonFn) -> anyhow::Result<u64> {
    let records: Vec<Value> = batch
        .iter()
        .map(|(seq, id, event)| stream_record(*seq, id, event))
        .collect();
    let response = publish(json!({"Records": records}))
        .await
        .map_err(|f| anyhow::anyhow!("{}: {}", f.error, f.cause))?;
    let first_failure = response["batchItemFailures"]
        .as_array()
        .and_then(|failures| failures.first())
        .and_then(|f| f["itemIdentifier"].as_str())
        .and_then(|seq| seq.parse::<u64>().ok());
    let last = batch.last().map(|(seq, _, _)| *seq).unwrap_or_default();
    Ok(match first_failure {
        Some(seq) => seq.saturating_sub(1),
        None => last,
    })
}
