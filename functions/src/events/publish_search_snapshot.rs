//! Scheduled snapshot publisher (every hour): the search index's published
//! snapshot, brought up to date with the search feed, so a new replica
//! restores it and replays at most an hour of events (the feed keeps 48 h).
//! The work is the search service's own ([`SearchSnapshots`]); a failure
//! leaves the published snapshot as it was and fails the invocation, which
//! the function's alarm counts.

use std::sync::Arc;

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use berth_domain::dates::Timestamp;
use berth_domain::ports::{Clock, SearchSnapshots, SnapshotPublished};
use berth_domain::wiring::PortSource;
use chrono::TimeDelta;
use lambda_runtime::{Diagnostic, LambdaEvent};

use crate::runtime::Handler;

/// Kept back from the invocation's deadline for restoring, checking and
/// uploading the new snapshot (about 15 s at a million properties:
/// services/search/README.md, "Benchmark"), with room to spare.
pub const WRITE_MARGIN: TimeDelta = TimeDelta::seconds(120);
/// How long the feed is read when the invocation names no deadline (the
/// local platform).
pub const UNBOUNDED_READ: TimeDelta = TimeDelta::minutes(5);

pub struct Deps {
    pub snapshots: Arc<dyn SearchSnapshots>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        snapshots: ports.search_snapshots()?,
        clock: ports.clock(),
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

#[tracing::instrument(name = "publish_search_snapshot", skip_all)]
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<SnapshotPublished, Diagnostic> {
    let until = read_until(event.context.deadline, deps.clock.now());
    match deps.snapshots.publish(until).await {
        Ok(published) => {
            tracing::info!(?published, "search snapshot published");
            if !published.caught_up {
                tracing::warn!("the feed was not read to its end: the next run reads on");
            }
            Ok(published)
        }
        Err(error) => {
            let message = format!("{error:#}");
            tracing::error!(error = message, "no search snapshot published");
            Err(Diagnostic {
                error_type: "SnapshotNotPublished".to_owned(),
                error_message: message,
            })
        }
    }
}

/// When to stop reading the feed: [`WRITE_MARGIN`] before the invocation's
/// deadline (milliseconds since the epoch; 0 when there is none).
pub fn read_until(deadline_ms: u64, now: Timestamp) -> Timestamp {
    let deadline = i64::try_from(deadline_ms)
        .ok()
        .filter(|ms| *ms > 0)
        .and_then(Timestamp::from_timestamp_millis);
    match deadline {
        Some(deadline) => deadline - WRITE_MARGIN,
        None => now + UNBOUNDED_READ,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_short_of_the_deadline() {
        let now = Timestamp::from_timestamp_millis(1_800_000_000_000).unwrap();
        let deadline = now + TimeDelta::seconds(600);
        let until = read_until(deadline.timestamp_millis() as u64, now);
        assert_eq!(until, now + TimeDelta::seconds(480));
        assert_eq!(read_until(0, now), now + UNBOUNDED_READ);
    }
}
