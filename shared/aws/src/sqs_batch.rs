//! Partial batch responses for SQS-triggered Lambdas: run a handler per
//! message and answer the ids of those to redeliver. Depends only on
//! `aws_lambda_events`, `futures` and `tracing` (no SDK), so it can move to
//! a Lambda glue crate as it is.
//!
//! Messages of one FIFO message group run in order, and after one fails the
//! rest of its group is not run but reported failed too, so redelivery keeps
//! the group's order. Other groups, and standard-queue messages, run
//! concurrently. A message without an id that fails makes the answer carry
//! an empty id, which Lambda takes as "retry the whole batch".

use std::fmt::Display;
use std::future::Future;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use futures::StreamExt;

/// How many groups (or standard messages) run at once.
pub const CONCURRENCY: usize = 16;

/// Runs `handler` on every message of `event`; answers the failed ones.
pub async fn process_batch<F, Fut, E>(event: SqsEvent, handler: F) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    let handler = &handler;
    let failed: Vec<Vec<String>> = futures::stream::iter(groups(event.records))
        .map(|group| async move {
            let mut failed = Vec::new();
            let mut messages = group.into_iter();
            for message in messages.by_ref() {
                let id = message.message_id.clone().unwrap_or_default();
                if let Err(error) = handler(message).await {
                    tracing::error!(message_id = %id, error = %error, "message failed");
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
        let response = process_batch(batch, |m| async move {
            if m.body.as_deref() == Some("b") {
                Err("boom")
            } else {
                Ok(())
            }
        })
        .await;
        assert_eq!(failures(&response), ["b"]);
        let all_good = process_batch(event(vec![message("a", None)]), |_| async {
            Ok::<_, String>(())
        })
        .await;
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
        let response = process_batch(batch, |m| {
            let id = m.message_id.unwrap();
            ran.lock().unwrap().push(id.clone());
            async move { if id == "a2" { Err("boom") } else { Ok(()) } }
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
        let response = process_batch(batch, |_| async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok::<_, String>(())
        })
        .await;
        assert!(response.batch_item_failures.is_empty());
        assert_eq!(started.elapsed(), Duration::from_secs(1));
    }
}
