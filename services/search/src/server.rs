//! The `berth-search` binary: configuration (flags, or the named
//! environment variables), bootstrap from a snapshot, the Kinesis feed, and
//! the HTTP server.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use berth_domain::dates::Date;
use berth_domain::ports::{Clock, SystemClock};

use crate::feed::follow;
use crate::feed::kinesis::{KinesisFeed, Pacing, aws::AwsShards};
use crate::{Index, SearchService, router};

#[derive(Debug, Clone, clap::Parser)]
#[command(name = "berth-search", about = "Berth's search service")]
pub struct Config {
    /// Where to listen. Loopback unless told otherwise (the container passes 0.0.0.0:8080).
    #[arg(long, env = "BERTH_SEARCH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// A snapshot to start from (see `Index::snapshot`).
    #[arg(long, env = "BERTH_SEARCH_SNAPSHOT")]
    pub snapshot: Option<PathBuf>,
    /// Start empty (reading the stream from its trim horizon) when the
    /// snapshot file does not exist, rather than failing.
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
    let index = match &config.snapshot {
        Some(path) if config.allow_missing_snapshot && !path.exists() => {
            tracing::warn!(path = %path.display(), "no snapshot: starting empty");
            Index::new(Date::of(clock.now()))
        }
        Some(path) => load(path)?,
        None => Index::new(Date::of(clock.now())),
    };
    tracing::info!(properties = index.len(), positions = ?index.positions(), "index loaded");
    let service = Arc::new(SearchService::new(index, clock));
    match &config.stream {
        Some(stream) => {
            let reader = AwsShards::new(AwsShards::client().await, stream.clone());
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

fn load(path: &Path) -> anyhow::Result<Index> {
    let bytes =
        std::fs::read(path).with_context(|| format!("reading snapshot {}", path.display()))?;
    Index::restore(&bytes).with_context(|| format!("restoring snapshot {}", path.display()))
}

async fn save_periodically(service: Arc<SearchService>, path: PathBuf, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let (service, path) = (service.clone(), path.clone());
        let saved = tokio::task::spawn_blocking(move || {
            let aside = path.with_extension("partial");
            std::fs::write(&aside, service.snapshot())
                .with_context(|| format!("writing {}", aside.display()))?;
            std::fs::rename(&aside, &path)
                .with_context(|| format!("renaming to {}", path.display()))
        })
        .await;
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
