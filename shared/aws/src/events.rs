//! Publishing domain events to their EventBridge bus (by source: properties,
//! bookings, users), in PutEvents batches of at most 10. Entries EventBridge
//! fails are retried with backoff; those still failing are answered.

use async_trait::async_trait;
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::primitives::DateTime;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use berth_domain::events::{DomainEvent, Source};
use berth_domain::ids::EventId;
use berth_domain::ports::EventPublisher;

use crate::access::{Access, on};
use crate::config::{AwsConfig, MissingVariable, vars};
use crate::retry::Backoff;

/// EventBridge's limit on entries per PutEvents.
pub const MAX_BATCH: usize = 10;

/// The bus of each source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buses {
    pub properties: String,
    pub bookings: String,
    pub users: String,
}

impl Buses {
    pub fn of(&self, source: Source) -> &str {
        match source {
            Source::Properties => &self.properties,
            Source::Bookings => &self.bookings,
            Source::Users => &self.users,
        }
    }
}

/// [`EventPublisher`]. Needs `PROPERTIES_BUS`, `BOOKINGS_BUS`, `USERS_BUS`.
#[derive(Debug, Clone)]
pub struct EventBridgePublisher {
    client: Client,
    buses: Buses,
    backoff: Backoff,
}

impl EventBridgePublisher {
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        Ok(Self::new(
            Client::new(config.sdk()),
            Buses {
                properties: config.require(vars::PROPERTIES_BUS)?,
                bookings: config.require(vars::BOOKINGS_BUS)?,
                users: config.require(vars::USERS_BUS)?,
            },
        ))
    }

    pub fn new(client: Client, buses: Buses) -> Self {
        Self {
            client,
            buses,
            backoff: Backoff::BATCH,
        }
    }

    fn entry(&self, event: &DomainEvent) -> PutEventsRequestEntry {
        PutEventsRequestEntry::builder()
            .event_bus_name(self.buses.of(event.source()))
            .source(event.source().name())
            .detail_type(event.detail_type())
            .detail(event.detail().to_string())
            .time(DateTime::from_millis(event.occurred_at.timestamp_millis()))
            .build()
    }

    /// Sends one batch; answers the events EventBridge did not take.
    async fn put<'e>(&self, batch: &[&'e DomainEvent]) -> anyhow::Result<Vec<&'e DomainEvent>> {
        let sent = self
            .client
            .put_events()
            .set_entries(Some(batch.iter().map(|e| self.entry(e)).collect()))
            .send()
            .await?;
        if sent.failed_entry_count() == 0 {
            return Ok(vec![]);
        }
        // Result entries are in request order.
        Ok(batch
            .iter()
            .zip(sent.entries())
            .filter(|(_, result)| result.error_code().is_some())
            .map(|(event, _)| *event)
            .collect())
    }
}

/// [`EventPublisher`]: `PutEvents` on each domain's bus.
pub const EVENT_PUBLISHER: Access = Access {
    port: "EventPublisher",
    grants: &[
        on(vars::PROPERTIES_BUS, &["events:PutEvents"]),
        on(vars::BOOKINGS_BUS, &["events:PutEvents"]),
        on(vars::USERS_BUS, &["events:PutEvents"]),
    ],
    env: &[vars::PROPERTIES_BUS, vars::BOOKINGS_BUS, vars::USERS_BUS],
};

#[async_trait]
impl EventPublisher for EventBridgePublisher {
    async fn publish(&self, events: &[DomainEvent]) -> anyhow::Result<Vec<EventId>> {
        let mut pending: Vec<&DomainEvent> = events.iter().collect();
        let mut published_any = false;
        let mut last_error = None;
        for retry in 0..self.backoff.attempts {
            if pending.is_empty() {
                break;
            }
            if retry > 0 {
                self.backoff.pause(retry - 1).await;
            }
            let mut failed = Vec::new();
            for batch in pending.chunks(MAX_BATCH) {
                match self.put(batch).await {
                    Ok(rejected) => {
                        published_any |= rejected.len() < batch.len();
                        failed.extend(rejected);
                    }
                    Err(e) => {
                        tracing::warn!(error = %format!("{e:#}"), "PutEvents failed");
                        last_error = Some(e);
                        failed.extend_from_slice(batch);
                    }
                }
            }
            pending = failed;
        }
        match last_error {
            Some(e) if !published_any && !pending.is_empty() => {
                Err(e.context("publishing events to EventBridge"))
            }
            _ => Ok(pending.into_iter().map(|e| e.id.clone()).collect()),
        }
    }
}
