//! Outbox publisher: the outbox table's stream (new items only) → EventBridge.
//! Events are thus published from committed state, never beside a write.

use std::sync::Arc;

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use berth_aws::dynamo::outbox;
use berth_domain::events::DomainEvent;
use berth_domain::ports::EventPublisher;
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use crate::runtime::Handler;

pub struct Deps {
    pub publisher: Arc<dyn EventPublisher>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        publisher: ports.publisher()?,
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

fn outbox_event(record: &EventRecord) -> anyhow::Result<Option<DomainEvent>> {
    if record.event_name != "INSERT" {
        return Ok(None);
    }
    let text = match record.change.new_image.get(outbox::EVENT) {
        Some(serde_dynamo::AttributeValue::S(text)) => Some(text.as_str()),
        _ => None,
    };
    outbox::event_in(text).map(Some)
}

pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<Event>,
) -> Result<DynamoDbEventResponse, lambda_runtime::Error> {
    let mut response = DynamoDbEventResponse::default();
    let mut batch = Vec::new();
    for record in &event.payload.records {
        let sequence = record.change.sequence_number.clone();
        match outbox_event(record) {
            Ok(Some(event)) => batch.push((sequence, event)),
            Ok(None) => {}
            Err(error) => {
                // A malformed item can never publish; report it so it is not retried forever.
                tracing::error!(
                    error = format!("{error:#}"),
                    "skipping a malformed outbox item"
                );
            }
        }
    }
    let events: Vec<DomainEvent> = batch.iter().map(|(_, e)| e.clone()).collect();
    let failed = match deps.publisher.publish(&events).await {
        Ok(failed) => failed,
        Err(error) => {
            tracing::warn!(
                error = format!("{error:#}"),
                "publishing failed; the stream will retry"
            );
            events.iter().map(|e| e.id.clone()).collect()
        }
    };
    // A stream retries from the first failure on, in order.
    if let Some((sequence, _)) = batch.iter().find(|(_, e)| failed.contains(&e.id)) {
        let mut failure = DynamoDbBatchItemFailure::default();
        failure.item_identifier = sequence.clone();
        response.batch_item_failures.push(failure);
    }
    Ok(response)
}
