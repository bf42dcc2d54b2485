//! [`SearchSnapshots`] in AWS: berth-search's publisher over the snapshot
//! bucket (S3, `search/latest.snap`) and the search feed (Kinesis). The
//! actions are those berth-search's adapters state beside their calls.
//!
//! [`SearchSnapshots`]: berth_domain::ports::SearchSnapshots

use std::sync::Arc;
use std::time::Duration;

use berth_domain::ports::SystemClock;
use berth_search::feed::kinesis::Pacing;
use berth_search::feed::kinesis::aws::{self as kinesis, AwsShards};
use berth_search::snapshots::publish::{Publisher, kinesis_feeds};
use berth_search::snapshots::s3::{self, S3Snapshots};

use crate::access::{Access, on};
use crate::config::{AwsConfig, MissingVariable, vars};

/// Read the published snapshot, write its successor, read the feed.
pub const SEARCH_SNAPSHOTS: Access = Access {
    port: "SearchSnapshots",
    grants: &[
        on(vars::SEARCH_SNAPSHOT_BUCKET, s3::READ_ACTIONS),
        on(vars::SEARCH_SNAPSHOT_BUCKET, s3::WRITE_ACTIONS),
        on(vars::SEARCH_STREAM, kinesis::ACTIONS),
    ],
    env: &[vars::SEARCH_SNAPSHOT_BUCKET, vars::SEARCH_STREAM],
};

/// One read per second per shard while catching up: Kinesis allows five
/// per shard across every reader, and the replicas poll too
/// (services/search/README.md, "Read limits"); a throttled read backs off.
pub const PACING: Pacing = Pacing {
    poll: Duration::from_secs(2),
    catch_up: Duration::from_secs(1),
    relist: Duration::from_secs(60),
};

pub fn publisher(config: &AwsConfig) -> Result<Publisher<S3Snapshots>, MissingVariable> {
    let bucket = config.require(vars::SEARCH_SNAPSHOT_BUCKET)?;
    let stream = config.require(vars::SEARCH_STREAM)?;
    let store = S3Snapshots::from_sdk(config.sdk(), bucket, s3::KEY);
    let feeds = kinesis_feeds(AwsShards::from_sdk(config.sdk(), stream), PACING);
    Ok(Publisher::new(store, feeds, Arc::new(SystemClock)))
}
