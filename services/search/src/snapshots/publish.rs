//! The snapshot publisher (the scheduled `publish-search-snapshot`
//! function): restore the published snapshot, read the feed on from the
//! positions it records, and publish the result in its place.
//!
//! A published snapshot is never replaced by a worse one: a damaged
//! published snapshot stops the run (it is not silently rebuilt over);
//! the new snapshot must restore and must stand at or after every position
//! of the old before it is written; and the write is conditional on the
//! old one still being there ([`SnapshotStore::replace`]). Every failure
//! is an error, so the run fails where alarms see it.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use berth_domain::dates::{Date, Timestamp};
use berth_domain::ports::{Clock, SearchSnapshots, SnapshotPublished};

use super::{ReplaceError, SnapshotStore};
use crate::feed::EventFeed;
use crate::feed::kinesis::{KinesisFeed, Pacing, ShardReader};
use crate::index::{Applied, Index, Positions, SnapshotError};

/// Opens the feed after the given positions.
pub type OpenFeed = Box<dyn Fn(&Positions) -> Box<dyn EventFeed> + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("reading the published snapshot: {0:#}")]
    Read(anyhow::Error),
    #[error(
        "the published snapshot cannot be restored ({0}); it is left as it is: \
         restore an earlier version of it, or delete it to rebuild from the stream"
    )]
    Damaged(SnapshotError),
    #[error("reading the event feed: {0:#}")]
    Feed(anyhow::Error),
    #[error("the new snapshot does not restore ({0}); nothing was published")]
    Unrestorable(SnapshotError),
    #[error("the new snapshot stands before the published one; nothing was published")]
    Behind,
    #[error("another run published a snapshot meanwhile; it stays")]
    Raced,
    #[error("publishing the snapshot: {0:#}")]
    Write(anyhow::Error),
}

pub struct Publisher<S> {
    store: S,
    open: OpenFeed,
    clock: Arc<dyn Clock>,
}

/// Feeds over a Kinesis stream, one per run, paced as `pacing` says.
pub fn kinesis_feeds<R>(reader: R, pacing: Pacing) -> OpenFeed
where
    R: ShardReader + Clone + 'static,
{
    Box::new(move |positions| Box::new(KinesisFeed::new(reader.clone(), positions, pacing)))
}

impl<S: SnapshotStore> Publisher<S> {
    pub fn new(store: S, open: OpenFeed, clock: Arc<dyn Clock>) -> Self {
        Self { store, open, clock }
    }

    /// One run; reading stops when the feed has caught up or at `until`.
    pub async fn run(&self, until: Timestamp) -> Result<SnapshotPublished, PublishError> {
        let now = self.clock.now();
        let previous = self.store.latest().await.map_err(PublishError::Read)?;
        let (mut index, tag) = match &previous {
            Some(stored) => (
                Index::restore(&stored.bytes).map_err(PublishError::Damaged)?,
                Some(stored.tag.clone()),
            ),
            None => (Index::new(Date::of(now)), None),
        };
        drop(previous);
        let start = index.positions().clone();
        let mut report = SnapshotPublished {
            from_previous: tag.is_some(),
            ..SnapshotPublished::default()
        };
        self.catch_up(&mut index, &start, until, &mut report)
            .await?;
        index.upkeep(self.clock.now());
        let bytes = index.snapshot();
        report.properties = index.len() as u64;
        report.bytes = bytes.len() as u64;
        drop(index);
        let check = Index::restore(&bytes).map_err(PublishError::Unrestorable)?;
        if !check.positions().covers(&start) {
            return Err(PublishError::Behind);
        }
        drop(check);
        match self.store.replace(bytes, tag.as_deref()).await {
            Ok(()) => Ok(report),
            Err(ReplaceError::Changed) => Err(PublishError::Raced),
            Err(ReplaceError::Other(e)) => Err(PublishError::Write(e)),
        }
    }

    async fn catch_up(
        &self,
        index: &mut Index,
        start: &Positions,
        until: Timestamp,
        report: &mut SnapshotPublished,
    ) -> Result<(), PublishError> {
        let left = (until - self.clock.now())
            .to_std()
            .unwrap_or(Duration::ZERO);
        let deadline = tokio::time::Instant::now() + left;
        let mut feed = (self.open)(start);
        loop {
            let Ok(batch) = tokio::time::timeout_at(deadline, feed.next_batch()).await else {
                tracing::warn!("out of time before the feed caught up: publishing how far it got");
                return Ok(());
            };
            let batch = batch.map_err(PublishError::Feed)?;
            report.records_read += batch.records.len() as u64;
            for record in &batch.records {
                if index.apply_at(&record.position, &record.event) == Applied::Applied {
                    report.events_applied += 1;
                }
            }
            if batch.caught_up {
                report.caught_up = true;
                return Ok(());
            }
        }
    }
}

#[async_trait]
impl<S: SnapshotStore> SearchSnapshots for Publisher<S> {
    async fn publish(&self, until: Timestamp) -> anyhow::Result<SnapshotPublished> {
        Ok(self.run(until).await?)
    }
}
