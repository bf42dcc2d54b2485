//! SQS consumers answer with partial batch failures: a message that fails is
//! retried (and, after the queue's maxReceiveCount, dead-lettered) while the
//! rest of the batch is done.

use std::future::Future;

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use berth_domain::events::DomainEvent;

/// Runs `each` over every message; the ones that fail are reported.
pub async fn for_each_message<F, Fut>(event: SqsEvent, each: F) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut response = SqsBatchResponse::default();
    for message in event.records {
        let id = message.message_id.clone().unwrap_or_default();
        if let Err(error) = each(message).await {
            tracing::warn!(message_id = %id, error = format!("{error:#}"), "message failed; SQS will redeliver it");
            response.batch_item_failures.push(failure(id));
        }
    }
    response
}

/// Projects every message's event and stores the whole batch's records in
/// one call: fewer round trips for append-only read models. A message that
/// cannot be read fails alone; if storing fails, the batch is retried (the
/// stores are idempotent, so records already stored are not doubled).
pub async fn project_batch<T, P, S, Fut>(event: SqsEvent, project: P, store: S) -> SqsBatchResponse
where
    P: Fn(&DomainEvent) -> Vec<T>,
    S: FnOnce(Vec<T>) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut response = SqsBatchResponse::default();
    let mut records = Vec::new();
    let mut included = Vec::new();
    for message in &event.records {
        let id = message.message_id.clone().unwrap_or_default();
        match domain_event(message) {
            Ok(event) => {
                records.extend(project(&event));
                included.push(id);
            }
            Err(error) => {
                tracing::warn!(message_id = %id, error = format!("{error:#}"), "unreadable message");
                response.batch_item_failures.push(failure(id));
            }
        }
    }
    if !records.is_empty()
        && let Err(error) = store(records).await
    {
        tracing::warn!(
            error = format!("{error:#}"),
            "storing the batch failed; SQS will redeliver it"
        );
        response
            .batch_item_failures
            .extend(included.into_iter().map(failure));
    }
    response
}

fn failure(id: String) -> BatchItemFailure {
    let mut failure = BatchItemFailure::default();
    failure.item_identifier = id;
    failure
}

/// The domain event inside an SQS message that an EventBridge rule delivered.
pub fn domain_event(message: &SqsMessage) -> anyhow::Result<DomainEvent> {
    let body = message
        .body
        .as_deref()
        .ok_or_else(|| anyhow::anyhow!("message has no body"))?;
    let envelope: EventBridgeEvent<serde_json::Value> = serde_json::from_str(body)?;
    Ok(DomainEvent::from_bus(
        &envelope.detail_type,
        envelope.detail,
    )?)
}
