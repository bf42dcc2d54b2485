//! Search, in-process: the search service's own library, bootstrapped from
//! a snapshot of the store and then following the outbox in commit order,
//! so a booking's nights leave search as soon as its hold commits. The
//! snapshot publisher runs here as in AWS, over a file in the data
//! directory and the outbox as its feed.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use berth_domain::dates::Date;
use berth_domain::ports::Clock;
use berth_embedded::SqliteStore;
use berth_search::feed::{EventFeed, FeedBatch, FeedRecord};
use berth_search::snapshots::FileSnapshots;
use berth_search::snapshots::publish::Publisher;
use berth_search::{FeedPosition, Index, Positions, SearchService};

const BATCH: u32 = 500;

/// A search service over everything in the store now, and the outbox
/// position it stands at.
pub fn bootstrap(
    store: &SqliteStore,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<(Arc<SearchService>, u64)> {
    let snapshot = store
        .snapshot()
        .context("reading the catalogue for search")?;
    let positions = Positions {
        sequence: snapshot.seq,
        ..Positions::default()
    };
    let mut builder = Index::builder(Date::of(clock.now()), positions);
    for property in &snapshot.properties {
        builder.add_property(property);
    }
    for (property, night) in &snapshot.nights {
        builder.add_nights(property, [(night.date, &night.state)])?;
    }
    let service = Arc::new(SearchService::new(builder.finish(), clock));
    service.mark_ready();
    Ok((service, snapshot.seq))
}

/// Applies every event committed after the snapshot, as it commits.
pub async fn follow(store: SqliteStore, service: Arc<SearchService>, mut seq: u64) {
    let mut commits = store.db().commits();
    loop {
        match store.events_after(seq, BATCH) {
            Ok(events) if events.is_empty() => {
                if commits.changed().await.is_err() {
                    return;
                }
            }
            Ok(events) => {
                for (at, event) in &events {
                    service.apply(*at, event);
                    seq = *at;
                }
            }
            Err(error) => {
                tracing::error!(
                    error = format!("{error:#}"),
                    "search cannot read the outbox"
                );
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}

/// The snapshot publisher of `berth serve`: `search/latest.snap` in the
/// data directory, brought up to date from the outbox.
pub fn snapshots(
    store: SqliteStore,
    data_dir: &Path,
    clock: Arc<dyn Clock>,
) -> Publisher<FileSnapshots> {
    let file = FileSnapshots::new(data_dir.join("search").join("latest.snap"));
    let open = move |positions: &Positions| -> Box<dyn EventFeed> {
        Box::new(OutboxFeed {
            store: store.clone(),
            seq: positions.sequence,
        })
    };
    Publisher::new(file, Box::new(open), clock)
}

/// The outbox after `seq`, as the search feed.
struct OutboxFeed {
    store: SqliteStore,
    seq: u64,
}

#[async_trait]
impl EventFeed for OutboxFeed {
    async fn next_batch(&mut self) -> anyhow::Result<FeedBatch> {
        let events = self.store.events_after(self.seq, BATCH)?;
        let caught_up = events.len() < BATCH as usize;
        let records = events
            .into_iter()
            .map(|(at, event)| {
                self.seq = at;
                FeedRecord {
                    position: FeedPosition::Sequence(at),
                    event,
                }
            })
            .collect();
        Ok(FeedBatch { records, caught_up })
    }
}
