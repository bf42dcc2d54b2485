//! The in-process event bus: EventBridge's rules over durable local queues.
//! Each matching rule puts the event, in EventBridge's envelope, on its
//! queue; the notification FIFO queue gets one group per booking.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use berth_domain::events::DomainEvent;
use berth_domain::ids::EventId;
use berth_domain::ports::{Clock, EventPublisher, Notification, NotificationQueue};
use berth_embedded::queues::{LocalQueues, Outgoing};
use serde_json::json;
use tokio::sync::Notify;

use super::topology::{QUEUES, RULES, Target};

/// The notification FIFO queue (template: NotificationsQueue, a .fifo queue).
pub const NOTIFICATIONS_QUEUE: &str = "NotificationsQueue";

pub struct LocalBus {
    queues: LocalQueues,
    clock: Arc<dyn Clock>,
    /// Wakes each queue's consumer when messages arrive.
    wakers: HashMap<&'static str, Arc<Notify>>,
}

impl LocalBus {
    pub fn new(queues: LocalQueues, clock: Arc<dyn Clock>) -> Self {
        let wakers = QUEUES
            .iter()
            .map(|q| (q.logical_id, Arc::new(Notify::new())))
            .collect();
        Self {
            queues,
            clock,
            wakers,
        }
    }

    pub fn waker(&self, queue: &str) -> Option<Arc<Notify>> {
        self.wakers.get(queue).cloned()
    }

    pub fn queues(&self) -> &LocalQueues {
        &self.queues
    }

    fn wake(&self, queues: impl IntoIterator<Item = String>) {
        for queue in queues {
            if let Some(waker) = self.wakers.get(queue.as_str()) {
                waker.notify_one();
            }
        }
    }

    async fn send(&self, messages: Vec<Outgoing>) -> anyhow::Result<()> {
        let touched: Vec<String> = messages.iter().map(|m| m.queue.clone()).collect();
        self.queues
            .send(messages, self.clock.now().timestamp_millis())
            .await?;
        self.wake(touched);
        Ok(())
    }
}

/// An event as EventBridge hands it to a rule's target.
pub fn envelope(event: &DomainEvent) -> serde_json::Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": event.detail_type(),
        "source": event.source().name(),
        "account": "000000000000",
        "time": event.occurred_at.to_rfc3339(),
        "region": "local",
        "resources": [],
        "detail": event.detail(),
    })
}

#[async_trait]
impl EventPublisher for LocalBus {
    async fn publish(&self, events: &[DomainEvent]) -> anyhow::Result<Vec<EventId>> {
        let mut messages = Vec::new();
        for event in events {
            let body = envelope(event).to_string();
            for rule in RULES
                .iter()
                .filter(|r| r.matches(event.source(), event.detail_type()))
            {
                if let Target::Queue(queue) = rule.target {
                    messages.push(Outgoing {
                        queue: queue.to_owned(),
                        body: body.clone(),
                        group_id: None,
                        dedup_id: None,
                    });
                }
            }
        }
        self.send(messages).await?;
        Ok(vec![])
    }
}

#[async_trait]
impl NotificationQueue for LocalBus {
    async fn enqueue(&self, notifications: &[Notification]) -> anyhow::Result<()> {
        let messages = notifications
            .iter()
            .map(|n| {
                Ok(Outgoing {
                    queue: NOTIFICATIONS_QUEUE.to_owned(),
                    body: serde_json::to_string(n)?,
                    group_id: Some(n.booking_id.to_string()),
                    dedup_id: Some(n.id.clone()),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.send(messages).await
    }
}
