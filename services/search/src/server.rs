//! The `berth-search` binary: configuration (flags, or the named
//! environment variables), bootstrap from a snapshot, the Kinesis feed, and
//! the HTTP server.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use berth_domain::dates::Date;
use berth_domain::ports::{Clock, SystemClock};

use crate::feed::follow;
use crate::feed::kinesis::{KinesisFeed, Pacing, aws::AwsShards};
use crate::snapshots::s3::S3Snapshots;
use crate::snapshots::{FileSnapshots, Location, SnapshotStore};
use crate::{Index, SearchService, router};

#[derive(Debug, Clone, clap::Parser)]
#[command(name = "berth-search", about = "Berth's search service")]
pub struct Config {
    /// Where to listen. Loopback unless told otherwise (the container passes 0.0.0.0:8080).
    #[arg(long, env = "BERTH_SEARCH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// A snapshot to start from (see `Index::snapshot`): `s3://bucket/key`
    /// (the publisher's, `search/latest.snap` in the snapshot bucket) or a file.
    #[arg(long, env = "BERTH_SEARCH_SNAPSHOT")]
    pub snapshot: Option<String>,
    /// Start empty (reading the stream from its trim horizon) when there is
    /// no snapshot there yet, rather than failing. A damaged one always fails.
    #[arg(long, env = "BERTH_SEARCH_ALLOW_MISSING_SNAPSHOT")]
    pub allow_missing_snapshot: bool,
    /// The Kinesis stream (name or ARN) to follow. Without one, the service
    /// serves its snapshot as it is and is ready at once.
    #[arg(long, env = "BERTH_SEARCH_STREAM")]
    pub stream: Option<String>,
    /// Milliseconds between reads of each shard once caught up. Kinesis
    /// allows 5 reads per second per shard across all replicas.
    #[arg(long, env = "BERTH_SEARCH_POLL_MS", default_value_t = 2_000)]
    pub poll_ms: u64,
    /// Write a snapshot to this file periodically (written aside, then renamed).
    #[arg(long, env = "BERTH_SEARCH_SAVE_SNAPSHOT")]
    pub save_snapshot: Option<PathBuf>,
    /// Seconds between two saved snapshots.
    #[arg(long, env = "BERTH_SEARCH_SAVE_EVERY_SECS", default_value_t = 300)]
    pub save_every_secs: u64,
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let today = Date::of(clock.now());
    let index = match &config.snapshot {
        Some(location) => {
            let location = Location::parse(location)?;
            let store = store_at(&location).await;
            load(
                store.as_ref(),
                &location,
                config.allow_missing_snapshot,
                today,
            )
            .await?
        }
        None => Index::new(today),
    };
    tracing::info!(properties = index.len(), positions = ?index.positions(), "index loaded");
    let service = Arc::new(SearchService::new(index, clock));
    match &config.stream {
        Some(stream) => {
            let reader = AwsShards::from_sdk(&AwsShards::sdk_config().await, stream.clone());
            let pacing = Pacing {
                poll: Duration::from_millis(config.poll_ms),
                ..Pacing::default()
            };
            let feed = KinesisFeed::new(reader, &service.positions(), pacing);
            tokio::spawn(follow(service.clone(), feed));
        }
        None => service.mark_ready(),
    }
    if let Some(path) = config.save_snapshot.clone() {
        let every = Duration::from_secs(config.save_every_secs.max(1));
        tokio::spawn(save_periodically(service.clone(), path, every));
    }
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("binding {}", config.addr))?;
    tracing::info!(addr = %config.addr, "serving");
    axum::serve(listener, router(service))
        .with_graceful_shutdown(shutdown())
        .await
        .context("serving HTTP")
}

/// The store `location` names.
pub async fn store_at(location: &Location) -> Box<dyn SnapshotStore> {
    match location {
        Location::S3 { bucket, key } => {
            let sdk = AwsShards::sdk_config().await;
            Box::new(S3Snapshots::from_sdk(&sdk, bucket, key))
        }
        Location::File(path) => Box::new(FileSnapshots::new(path)),
    }
}

/// The index a replica starts from: the snapshot in `store` (at
/// `location`); when there is none, an empty one (so the stream is read
/// from its trim horizon) if `allow_missing`, else an error. A snapshot
/// that does not restore is always an error: a replica serving from a
/// damaged one would answer wrongly.
pub async fn load(
    store: &dyn SnapshotStore,
    location: &Location,
    allow_missing: bool,
    today: Date,
) -> anyhow::Result<Index> {
    match store.latest().await? {
        Some(stored) => Index::restore(&stored.bytes)
            .with_context(|| format!("restoring the snapshot at {location}")),
        None if allow_missing => {
            tracing::warn!(%location, "no snapshot: starting empty, from the stream's trim horizon");
            Ok(Index::new(today))
        }
        None => anyhow::bail!(
            "no snapshot at {location} (--allow-missing-snapshot starts from the stream's trim horizon)"
        ),
    }
}

async fn save_periodically(service: Arc<SearchService>, path: PathBuf, every: Duration) {
    let file = FileSnapshots::new(path);
    loop {
        tokio::time::sleep(every).await;
        let (service, file) = (service.clone(), file.clone());
        let saved = tokio::task::spawn_blocking(move || file.write(&service.snapshot())).await;
        match saved {
            Ok(Ok(())) => tracing::info!("snapshot saved"),
            Ok(Err(error)) => {
                tracing::error!(error = %format!("{error:#}"), "saving a snapshot failed")
            }
            Err(error) => tracing::error!(%error, "the snapshot task failed"),
        }
    }
}

async fn shutdown() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
