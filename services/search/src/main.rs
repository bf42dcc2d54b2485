//! `berth-search`: serves GET /search over an index bootstrapped from a
//! snapshot and kept fresh from the event stream.

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    berth_search::server::run(berth_search::server::Config::parse()).await
}
