//! SQS consumers answer with partial batch failures: a message that fails is
//! retried (and, after the queue's maxReceiveCount, dead-lettered) while the
//! rest of the batch is done; a FIFO group stops at its first failure.

use std::future::Future;

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use berth_domain::events::DomainEvent;
use futures::StreamExt;

/// How many groups (or standard messages) run at once.
const CONCURRENCY: usize = 16;

/// Runs `handler` on every message of `event`; answers the failed ones.
///
/// Messages of one FIFO message group run in order, and after one fails the
/// rest of its group is not run but reported failed too, so redelivery keeps
/// the group's order. Other groups, and standard-queue messages, run
/// concurrently. A message without an id that fails makes the answer carry
/// an empty id, which Lambda takes as "retry the whole batch".
pub async fn for_each_message<F, Fut>(event: SqsEvent, handler: F) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let handler = &handler;
    let failed: Vec<Vec<String>> = futures::stream::iter(groups(event.records))
        .map(|group| async move {
            let mut failed = Vec::new();
            let mut messages = group.into_iter();
            for message in messages.by_ref() {
                let id = message.message_id.clone().unwrap_or_default();
                if let Err(error) = handler(message).await {
                    tracing::warn!(message_id = %id, error = format!("{error:#}"), "message failed; SQS will redeliver it");
                    failed.push(id);
                    break;
                }
            }
            // The rest of a FIFO group waits for the failed message's redelivery.
            failed.extend(messages.map(|m| m.message_id.unwrap_or_default()));
            failed
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let mut response = SqsBatchResponse::default();
    response.set_failures(failed.into_iter().flatten());
    response
}

/// [`for_each_message`] with each message's domain event (a message that
/// is not one fails).
pub async fn for_each_event<F, Fut>(event: SqsEvent, handler: F) -> SqsBatchResponse
where
    F: Fn(DomainEvent) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let handler = &handler;
    for_each_message(event, move |message| {
        let event = domain_event(&message);
        async move { handler(event?).await }
    })
    .await
}

/// FIFO messages by group, in arrival order; every other message alone.
fn groups(messages: Vec<SqsMessage>) -> Vec<Vec<SqsMessage>> {
    let mut groups: Vec<(Option<String>, Vec<SqsMessage>)> = Vec::new();
    for message in messages {
        let group = message.attributes.get("MessageGroupId").cloned();
        match groups.iter_mut().find(|(g, _)| g.is_some() && *g == group) {
            Some((_, members)) => members.push(message),
            None => groups.push((group, vec![message])),
        }
    }
    groups.into_iter().map(|(_, members)| members).collect()
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;

    fn message(id: &str, group: Option<&str>) -> SqsMessage {
        let mut message = SqsMessage::default();
        message.message_id = Some(id.to_owned());
        message.body = Some(id.to_owned());
        if let Some(group) = group {
            message
                .attributes
                .insert("MessageGroupId".into(), group.into());
        }
        message
    }

    fn event(messages: Vec<SqsMessage>) -> SqsEvent {
        let mut event = SqsEvent::default();
        event.records = messages;
        event
    }

    fn failures(response: &SqsBatchResponse) -> Vec<&str> {
        response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect()
    }

    #[tokio::test]
    async fn only_failed_standard_messages_are_reported() {
        let batch = event(vec![
            message("a", None),
            message("b", None),
            message("c", None),
        ]);
        let response = for_each_message(batch, |m| async move {
            if m.body.as_deref() == Some("b") {
                Err(anyhow::anyhow!("boom"))
            } else {
                Ok(())
            }
        })
        .await;
        assert_eq!(failures(&response), ["b"]);
        let all_good =
            for_each_message(event(vec![message("a", None)]), |_| async { Ok(()) }).await;
        assert!(all_good.batch_item_failures.is_empty());
    }

    #[tokio::test]
    async fn a_fifo_group_stops_at_its_first_failure() {
        let ran = Mutex::new(Vec::new());
        let batch = event(vec![
            message("a1", Some("A")),
            message("b1", Some("B")),
            message("a2", Some("A")),
            message("a3", Some("A")),
            message("b2", Some("B")),
        ]);
        let response = for_each_message(batch, |m| {
            let id = m.message_id.unwrap();
            ran.lock().unwrap().push(id.clone());
            async move {
                if id == "a2" {
                    Err(anyhow::anyhow!("boom"))
                } else {
                    Ok(())
                }
            }
        })
        .await;
        assert_eq!(failures(&response), ["a2", "a3"]);
        let ran = ran.into_inner().unwrap();
        assert!(!ran.contains(&"a3".to_owned()), "a3 waits for a2: {ran:?}");
        assert!(ran.contains(&"b2".to_owned()), "group B carries on");
    }

    #[tokio::test(start_paused = true)]
    async fn independent_messages_run_concurrently() {
        let started = tokio::time::Instant::now();
        let batch = event((0..10).map(|i| message(&i.to_string(), None)).collect());
        let response = for_each_message(batch, |_| async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok(())
        })
        .await;
        assert!(response.batch_item_failures.is_empty());
        assert_eq!(started.elapsed(), Duration::from_secs(1));
    }
}
