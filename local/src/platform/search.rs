//! Search, in-process: the search service's own library, bootstrapped from
//! a snapshot of the store and then following the outbox in commit order,
//! so a booking's nights leave search as soon as its hold commits.

use std::sync::Arc;

use anyhow::Context;
use berth_domain::dates::Date;
use berth_domain::ports::Clock;
use berth_embedded::SqliteStore;
use berth_search::{Index, Positions, SearchService};

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
