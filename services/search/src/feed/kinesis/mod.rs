//! Every replica reads the whole Kinesis stream by itself, each shard from
//! the position its snapshot recorded (no shared checkpoint, no lease
//! table): a search replica needs every event, not a share of them.
//!
//! Positions: Kinesis numbers records per shard, and a property's events all
//! go to one shard (the partition key is the property id), so per-property
//! order is per-shard order. The index keeps the last applied sequence
//! number of each shard; a replica starts each shard after that number (or
//! at its trim horizon when the snapshot never saw the shard), and anything
//! at or below it is skipped when read again. After a reshard, a child shard
//! is read only once its parents are read to their end (or have aged out of
//! the stream), so a property's events stay in order across the split.
//!
//! The Kinesis API sits behind [`ShardReader`], so all of this is tested
//! without a network; [`aws::AwsShards`] is the SDK adapter.

pub mod aws;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;

use super::{EventFeed, FeedBatch, FeedRecord, parse_record};
use crate::index::{FeedPosition, Positions, ShardSequence};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardInfo {
    pub id: String,
    pub parent: Option<String>,
    pub adjacent_parent: Option<String>,
}

/// Where a shard iterator starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    AfterSequence(ShardSequence),
    TrimHorizon,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    pub sequence: ShardSequence,
    pub data: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordsPage {
    pub records: Vec<RawRecord>,
    /// `None` once a closed shard has been read to its end.
    pub next_iterator: Option<String>,
    pub millis_behind_latest: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("the shard iterator expired")]
    ExpiredIterator,
    #[error("the shard's read throughput is exhausted")]
    Throttled,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// The three Kinesis calls a replica needs.
#[async_trait]
pub trait ShardReader: Send + Sync {
    async fn list_shards(&self) -> anyhow::Result<Vec<ShardInfo>>;
    async fn shard_iterator(&self, shard_id: &str, start: &Start) -> Result<String, ReadError>;
    async fn records(&self, iterator: &str) -> Result<RecordsPage, ReadError>;
}

#[derive(Debug, Clone, Default)]
struct ShardState {
    parents: Vec<String>,
    iterator: Option<String>,
    /// The last record read (or, before any, the snapshot's position).
    last: Option<ShardSequence>,
    /// Read to the end of a closed shard.
    finished: bool,
    caught_up: bool,
}

/// How a [`KinesisFeed`] paces itself.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    /// Pause between reads once caught up. Kinesis allows five GetRecords
    /// per second per shard across all readers, so replicas × (1 / poll)
    /// must stay below five.
    pub poll: Duration,
    /// Pause between reads while catching up.
    pub catch_up: Duration,
    /// How often the shard list is refreshed (to see reshards).
    pub relist: Duration,
}

impl Default for Pacing {
    fn default() -> Self {
        Self {
            poll: Duration::from_secs(2),
            catch_up: Duration::from_millis(250),
            relist: Duration::from_secs(60),
        }
    }
}

pub struct KinesisFeed<R> {
    reader: R,
    pacing: Pacing,
    shards: BTreeMap<String, ShardState>,
    /// Shard positions from the snapshot, for shards not yet listed.
    start: BTreeMap<String, ShardSequence>,
    listed_at: Option<tokio::time::Instant>,
    first_read: bool,
}

impl<R: ShardReader> KinesisFeed<R> {
    /// A feed that resumes every shard after `positions` (a snapshot's).
    pub fn new(reader: R, positions: &Positions, pacing: Pacing) -> Self {
        Self {
            reader,
            pacing,
            shards: BTreeMap::new(),
            start: positions.shards.clone(),
            listed_at: None,
            first_read: true,
        }
    }

    async fn relist_if_due(&mut self) -> anyhow::Result<()> {
        let due = self.listed_at.is_none_or(|at| {
            at.elapsed() >= self.pacing.relist || self.shards.values().any(|s| s.finished)
        });
        if !due {
            return Ok(());
        }
        let listed = self.reader.list_shards().await?;
        self.listed_at = Some(tokio::time::Instant::now());
        for shard in listed {
            self.shards
                .entry(shard.id.clone())
                .or_insert_with(|| ShardState {
                    parents: shard
                        .parent
                        .into_iter()
                        .chain(shard.adjacent_parent)
                        .collect(),
                    last: self.start.get(&shard.id).cloned(),
                    ..ShardState::default()
                });
        }
        Ok(())
    }

    /// Shards that may be read now: not finished, and every parent either
    /// finished or gone from the stream.
    fn readable(&self) -> Vec<String> {
        let done = |id: &String| self.shards.get(id).is_none_or(|s| s.finished);
        self.shards
            .iter()
            .filter(|(_, s)| !s.finished && s.parents.iter().all(done))
            .map(|(id, _)| id.clone())
            .collect()
    }

    async fn read_shard(
        &mut self,
        shard_id: &str,
        out: &mut Vec<FeedRecord>,
    ) -> Result<(), ReadError> {
        let state = self.shards.get(shard_id).cloned().unwrap_or_default();
        let iterator = match state.iterator {
            Some(iterator) => iterator,
            None => {
                let start = state
                    .last
                    .clone()
                    .map_or(Start::TrimHorizon, Start::AfterSequence);
                self.reader.shard_iterator(shard_id, &start).await?
            }
        };
        let page = match self.reader.records(&iterator).await {
            Err(ReadError::ExpiredIterator) => {
                // Start again after the last record read.
                if let Some(s) = self.shards.get_mut(shard_id) {
                    s.iterator = None;
                }
                return Err(ReadError::ExpiredIterator);
            }
            other => other?,
        };
        let state = self.shards.entry(shard_id.to_owned()).or_default();
        for record in page.records {
            state.last = Some(record.sequence.clone());
            match parse_record(&record.data) {
                Ok(Some(event)) => out.push(FeedRecord {
                    position: FeedPosition::Shard {
                        shard_id: shard_id.to_owned(),
                        sequence: record.sequence,
                    },
                    event,
                }),
                Ok(None) => {}
                // One bad record must not stop the stream: report it and go on.
                Err(error) => {
                    tracing::error!(shard_id, sequence = %record.sequence, %error, "skipping a record")
                }
            }
        }
        state.finished = page.next_iterator.is_none();
        state.caught_up = state.finished || page.millis_behind_latest == Some(0);
        state.iterator = page.next_iterator;
        Ok(())
    }
}

#[async_trait]
impl<R: ShardReader> EventFeed for KinesisFeed<R> {
    async fn next_batch(&mut self) -> anyhow::Result<FeedBatch> {
        if !self.first_read {
            let behind = self.shards.values().any(|s| !s.caught_up);
            tokio::time::sleep(if behind {
                self.pacing.catch_up
            } else {
                self.pacing.poll
            })
            .await;
        }
        self.first_read = false;
        self.relist_if_due().await?;
        let mut records = Vec::new();
        let mut throttled = false;
        for shard_id in self.readable() {
            match self.read_shard(&shard_id, &mut records).await {
                Ok(()) => {}
                Err(ReadError::ExpiredIterator) => {
                    tracing::info!(shard_id, "shard iterator expired; resuming")
                }
                Err(ReadError::Throttled) => throttled = true,
                Err(ReadError::Other(error)) => {
                    return Err(error.context(format!("reading shard {shard_id}")));
                }
            }
        }
        if throttled {
            tracing::warn!("Kinesis throttled reads; slowing down");
            tokio::time::sleep(self.pacing.poll).await;
        }
        let caught_up = !self.shards.is_empty() && self.shards.values().all(|s| s.caught_up);
        Ok(FeedBatch { records, caught_up })
    }
}
