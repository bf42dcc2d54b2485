//! Where the index's events come from. An [`EventFeed`] hands out domain
//! events with their feed positions; [`follow`] applies them to a service
//! and marks it ready once the feed has caught up. The AWS feed reads a
//! Kinesis stream ([`kinesis`]); the local platform applies its outbox's
//! events itself through [`SearchService::apply`].

pub mod kinesis;
mod record;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use berth_domain::events::DomainEvent;

use crate::index::FeedPosition;
use crate::service::SearchService;

pub use record::{RecordError, parse_record};

#[derive(Debug, Clone, PartialEq)]
pub struct FeedRecord {
    pub position: FeedPosition,
    pub event: DomainEvent,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FeedBatch {
    pub records: Vec<FeedRecord>,
    /// Nothing more was waiting when this batch was read.
    pub caught_up: bool,
}

#[async_trait]
pub trait EventFeed: Send {
    /// The records after those handed out already, in feed order within
    /// each partition. Waits a while when there are none. Errors are
    /// worth retrying (the feed keeps its place).
    async fn next_batch(&mut self) -> anyhow::Result<FeedBatch>;
}

/// Applies the feed's events to `service` for ever, marking it ready the
/// first time the feed reports having caught up.
pub async fn follow(service: Arc<SearchService>, mut feed: impl EventFeed) {
    let mut backoff = Duration::from_millis(200);
    loop {
        match feed.next_batch().await {
            Ok(batch) => {
                backoff = Duration::from_millis(200);
                let applied = service.apply_records(&batch.records);
                if applied > 0 {
                    tracing::debug!(applied, "applied events");
                }
                if batch.caught_up && !service.is_ready() {
                    tracing::info!(properties = service.len(), "caught up with the feed: ready");
                    service.mark_ready();
                }
            }
            Err(error) => {
                tracing::warn!(error = %format!("{error:#}"), "reading the event feed failed; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}
