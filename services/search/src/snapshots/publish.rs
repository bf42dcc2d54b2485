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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use berth_domain::events::{Change, DomainEvent};
    use berth_domain::ids::PropertyId;
    use berth_domain::ports::SystemClock;

    use super::*;
    use crate::feed::{FeedBatch, FeedRecord};
    use crate::index::{FeedPosition, ShardSequence};
    use crate::snapshots::Stored;

    /// One record a second on one shard, never caught up: a busy stream.
    struct Endless {
        next: u64,
    }

    #[async_trait]
    impl EventFeed for Endless {
        async fn next_batch(&mut self) -> anyhow::Result<FeedBatch> {
            tokio::time::sleep(Duration::from_secs(1)).await;
            self.next += 1;
            let event = DomainEvent::new(
                Change::CalendarChanged {
                    property_id: PropertyId::generate(),
                    blocked: true,
                    dates: vec![Date::parse("2027-05-01").unwrap()],
                },
                chrono::Utc::now(),
            );
            Ok(FeedBatch {
                records: vec![FeedRecord {
                    position: FeedPosition::Shard {
                        shard_id: "shard-0".into(),
                        sequence: ShardSequence::parse(&self.next.to_string()).unwrap(),
                    },
                    event,
                }],
                caught_up: false,
            })
        }
    }

    /// A store in memory; `raced` makes every replace find another writer.
    #[derive(Default)]
    struct Memory {
        stored: Mutex<Option<Stored>>,
        raced: bool,
    }

    #[async_trait]
    impl SnapshotStore for Memory {
        async fn latest(&self) -> anyhow::Result<Option<Stored>> {
            Ok(self.stored.lock().unwrap().clone())
        }

        async fn replace(
            &self,
            bytes: Vec<u8>,
            replacing: Option<&str>,
        ) -> Result<(), ReplaceError> {
            let mut stored = self.stored.lock().unwrap();
            if self.raced || stored.as_ref().map(|s| s.tag.as_str()) != replacing {
                return Err(ReplaceError::Changed);
            }
            let tag = format!("v{}", bytes.len());
            *stored = Some(Stored { bytes, tag });
            Ok(())
        }
    }

    fn endless(positions: &Positions) -> Box<dyn EventFeed> {
        let next = positions
            .shards
            .get("shard-0")
            .map_or(0, |s| s.as_str().parse().unwrap());
        Box::new(Endless { next })
    }

    fn publisher(store: Memory) -> Publisher<Memory> {
        Publisher::new(store, Box::new(endless), Arc::new(SystemClock))
    }

    #[tokio::test(start_paused = true)]
    async fn out_of_time_it_publishes_how_far_it_got_and_the_next_run_reads_on() {
        let publisher = publisher(Memory::default());
        let until = chrono::Utc::now() + chrono::Duration::milliseconds(10_500);
        let first = publisher.run(until).await.unwrap();
        assert!(!first.caught_up && !first.from_previous, "{first:?}");
        assert_eq!(first.records_read, 10, "one a second for 10.5 s");
        let published = publisher.store.latest().await.unwrap().unwrap();
        let restored = Index::restore(&published.bytes).unwrap();
        assert_eq!(restored.positions().shards["shard-0"].as_str(), "10");

        let until = chrono::Utc::now() + chrono::Duration::milliseconds(3_500);
        let second = publisher.run(until).await.unwrap();
        assert!(second.from_previous);
        let published = publisher.store.latest().await.unwrap().unwrap();
        let restored = Index::restore(&published.bytes).unwrap();
        assert_eq!(
            restored.positions().shards["shard-0"].as_str(),
            "13",
            "read on after the first run's positions"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_run_that_races_another_publishes_nothing() {
        let publisher = publisher(Memory {
            raced: true,
            ..Memory::default()
        });
        let until = chrono::Utc::now() + chrono::Duration::seconds(2);
        let error = publisher.run(until).await.unwrap_err();
        assert!(matches!(error, PublishError::Raced), "{error}");
        assert_eq!(publisher.store.latest().await.unwrap(), None);
    }
}
