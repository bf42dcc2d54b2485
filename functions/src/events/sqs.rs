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
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = id;
            response.batch_item_failures.push(failure);
        }
    }
    response
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
