//! Queuing notifications on the SQS FIFO queue: one message group per
//! booking (order), the notification id as deduplication id (once).
//!
//! A SendMessageBatch may fail some entries and take later ones; to keep a
//! booking's notifications in order, a batch carries at most one message of
//! each booking, and a batch's failures are retried before the next is sent.

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use berth_domain::ports::{Notification, NotificationQueue};

use crate::access::{Access, on};
use crate::config::{AwsConfig, MissingVariable, vars};
use crate::retry::Backoff;

/// SQS's limit on entries per SendMessageBatch.
pub const MAX_BATCH: usize = 10;

/// [`NotificationQueue`]. Needs `NOTIFICATIONS_QUEUE_URL`.
#[derive(Debug, Clone)]
pub struct SqsNotificationQueue {
    client: Client,
    queue_url: String,
    backoff: Backoff,
}

impl SqsNotificationQueue {
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        Ok(Self::new(
            Client::new(config.sdk()),
            config.require(vars::NOTIFICATIONS_QUEUE_URL)?,
        ))
    }

    pub fn new(client: Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
            backoff: Backoff::BATCH,
        }
    }

    /// Sends one batch; answers the notifications SQS did not take.
    async fn send<'n>(&self, batch: &[&'n Notification]) -> anyhow::Result<Vec<&'n Notification>> {
        let entries = batch
            .iter()
            .enumerate()
            .map(|(i, n)| {
                Ok(SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_group_id(n.booking_id.as_str())
                    .message_deduplication_id(&n.id)
                    .message_body(serde_json::to_string(n)?)
                    .build()?)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let sent = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .context("SendMessageBatch")?;
        let mut failed = Vec::new();
        for failure in sent.failed() {
            let notification = failure
                .id()
                .parse::<usize>()
                .ok()
                .and_then(|i| batch.get(i))
                .context("SQS failed an entry it was not sent")?;
            if failure.sender_fault() {
                anyhow::bail!(
                    "SQS refused notification {}: {} {}",
                    notification.id,
                    failure.code(),
                    failure.message().unwrap_or_default()
                );
            }
            failed.push(*notification);
        }
        Ok(failed)
    }
}

/// Batches of at most [`MAX_BATCH`] with at most one message per booking,
/// in an order that keeps each booking's messages in order.
fn batches(notifications: &[Notification]) -> Vec<Vec<&Notification>> {
    let mut batches: Vec<Vec<&Notification>> = Vec::new();
    for notification in notifications {
        // After the batch holding this booking's latest message.
        let after = batches
            .iter()
            .rposition(|b| b.iter().any(|n| n.booking_id == notification.booking_id))
            .map_or(0, |i| i + 1);
        match batches[after..].iter().position(|b| b.len() < MAX_BATCH) {
            Some(i) => batches[after + i].push(notification),
            None => batches.push(vec![notification]),
        }
    }
    batches
}

/// [`NotificationQueue`]: `SendMessageBatch`, which IAM authorises as
/// `sqs:SendMessage`.
pub const NOTIFICATION_QUEUE: Access = Access {
    port: "NotificationQueue",
    grants: &[on(vars::NOTIFICATIONS_QUEUE_URL, &["sqs:SendMessage"])],
    env: &[vars::NOTIFICATIONS_QUEUE_URL],
};

#[async_trait]
impl NotificationQueue for SqsNotificationQueue {
    async fn enqueue(&self, notifications: &[Notification]) -> anyhow::Result<()> {
        for mut pending in batches(notifications) {
            let mut attempt = 1;
            loop {
                match self.send(&pending).await {
                    Ok(failed) if failed.is_empty() => break,
                    Ok(failed) => pending = failed,
                    Err(e) if attempt >= self.backoff.attempts => return Err(e),
                    Err(e) => tracing::warn!(error = %format!("{e:#}"), "SendMessageBatch failed"),
                }
                if attempt >= self.backoff.attempts {
                    anyhow::bail!("SQS did not take {} notifications", pending.len());
                }
                self.backoff.pause(attempt - 1).await;
                attempt += 1;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use berth_domain::ids::{BookingId, UserId};

    fn note(booking: &BookingId, n: usize) -> Notification {
        Notification {
            id: format!("{booking}-{n}"),
            booking_id: booking.clone(),
            recipient: UserId::parse("guest").unwrap(),
            version: n as u64,
            subject: "s".into(),
            body: "b".into(),
        }
    }

    #[test]
    fn batches_hold_ten_and_one_message_per_booking_in_order() {
        let a = BookingId::generate();
        let others: Vec<BookingId> = (0..12).map(|_| BookingId::generate()).collect();
        let mut all = vec![note(&a, 0), note(&a, 1)];
        all.extend(others.iter().map(|b| note(b, 0)));
        all.push(note(&a, 2));
        let batches = batches(&all);
        assert!(batches.iter().all(|b| b.len() <= MAX_BATCH));
        for batch in &batches {
            let mut bookings: Vec<_> = batch.iter().map(|n| &n.booking_id).collect();
            bookings.sort();
            bookings.dedup();
            assert_eq!(bookings.len(), batch.len(), "one message per booking");
        }
        let order: Vec<&str> = batches
            .iter()
            .flatten()
            .filter(|n| n.booking_id == a)
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(order, [all[0].id.as_str(), &all[1].id, &all[14].id]);
        assert_eq!(batches.iter().map(Vec::len).sum::<usize>(), all.len());
    }
}
