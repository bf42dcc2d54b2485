//! `berth serve`: start the platform, seed demo listings into a fresh data
//! directory, and serve the API until Ctrl-C (or SIGTERM).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use berth_domain::reservations::{HoldMinutes, RequestTimes};
use clap::Args;
use tokio::net::TcpListener;

use crate::platform::aws::AwsBackend;
use crate::platform::{Background, Platform, PlatformConfig, workflow};
use crate::server::auth::LocalAuth;
use crate::server::exposure::LocalEndpoints;
use crate::server::limits::RateLimit;
use crate::server::{App, router};

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000")]
    pub addr: SocketAddr,
    /// Where the platform keeps its data (created if missing; survives restarts).
    #[arg(long, default_value = ".berth")]
    pub data_dir: PathBuf,
    /// Demo listings to create when the data directory is new.
    #[arg(long, default_value_t = crate::seed::DEMO_LISTINGS)]
    pub demo: u32,
    /// Requests per 5 minutes per client address; 0 turns the limit off.
    #[arg(long, default_value_t = 2000)]
    pub rate_limit: u32,
    /// Scales every wait made on AWS's behalf (retry backoff, timeouts,
    /// visibility timeouts, schedules); 1.0 is AWS's own timing.
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// How long a booking's nights stay held before it must be paid (1 to 60 minutes).
    #[arg(long, default_value_t = HoldMinutes::default())]
    pub hold_minutes: HoldMinutes,
    /// Where state lives: embedded (SQLite in the data directory) or aws
    /// (the AWS adapters, at AWS_ENDPOINT_URL — moto locally — with every
    /// table created on start if missing).
    #[arg(long, value_enum, default_value_t = Backend::Embedded)]
    pub backend: Backend,
    /// With --backend aws: the prefix of every resource's name.
    #[arg(long, default_value = "berth-local")]
    pub aws_prefix: String,
    /// With --backend aws: an emulator's endpoint (overrides AWS_ENDPOINT_URL).
    #[arg(long)]
    pub aws_endpoint: Option<String>,
    /// With --backend aws: Stripe's API (e.g. a localstripe) for payments;
    /// the built-in fake gateway when absent.
    #[arg(long)]
    pub stripe_url: Option<String>,
    /// Serve /local/* (token minting for any user and group, the clock,
    /// payment faults) even when --addr is not a loopback address. Anyone
    /// who can reach the server then controls it: never on a shared network.
    #[arg(long)]
    pub unsafe_expose_local_endpoints: bool,
    /// Fetch calendar feeds from any address, loopback and private networks
    /// included, lifting the check that keeps a typed URL from reaching
    /// internal services: for feeds served on this machine in tests only.
    #[arg(long)]
    pub allow_private_feeds: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backend {
    Embedded,
    Aws,
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub platform: Arc<Platform>,
    serving: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Stops accepting requests and stops the platform's background work.
    pub fn stop(self) {
        self.serving.abort();
    }
}

/// Starts everything and answers once the server accepts requests.
/// `/local/*` is served on a loopback address only, unless
/// `--unsafe-expose-local-endpoints` is given.
pub async fn start(args: &ServeArgs) -> anyhow::Result<Server> {
    let local_endpoints =
        LocalEndpoints::decide_and_log(args.addr.ip(), args.unsafe_expose_local_endpoints);
    start_with(args, local_endpoints).await
}

/// [`start`] with the decision on `/local/*` made by the caller.
pub async fn start_with(
    args: &ServeArgs,
    local_endpoints: LocalEndpoints,
) -> anyhow::Result<Server> {
    let times = RequestTimes::with_hold(args.hold_minutes);
    let config = PlatformConfig {
        data_dir: args.data_dir.clone(),
        time_scale: args.time_scale,
        times,
        definition: workflow::booking_definition(std::path::Path::new(".")),
        aws: (args.backend == Backend::Aws).then(|| AwsBackend {
            prefix: args.aws_prefix.clone(),
            stripe_url: args.stripe_url.clone(),
            endpoint: args.aws_endpoint.clone(),
        }),
        allow_private_feeds: args.allow_private_feeds,
    };
    if args.allow_private_feeds {
        tracing::warn!(
            "--allow-private-feeds: calendar feeds may be fetched from loopback and private \
             addresses; never use this where others can add feeds"
        );
    }
    let platform = Arc::new(Platform::start(config, Background::All).await?);
    if args.demo > 0 && !crate::seed::seeded(platform.ports.property_reader.as_ref()).await? {
        crate::seed::seed(platform.ports.property_writer.as_ref(), args.demo)
            .await
            .context("seeding demo listings")?;
        tracing::info!(properties = args.demo, "seeded demo listings");
    }
    let app = Arc::new(App {
        platform: platform.clone(),
        auth: LocalAuth::open(&args.data_dir)?,
        rate_limit: RateLimit::new(args.rate_limit),
        local_endpoints,
    });
    let listener = TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    let addr = listener.local_addr()?;
    let service = router(app).into_make_service_with_connect_info::<SocketAddr>();
    let serving = tokio::spawn(async move {
        if let Err(error) = axum::serve(listener, service).await {
            tracing::error!(error = %error, "the server stopped");
        }
    });
    tracing::info!(address = %addr, data_dir = %args.data_dir.display(), "berth is listening");
    Ok(Server {
        addr,
        platform,
        serving,
    })
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    crate::logging::init();
    let server = start(&args).await?;
    shutdown_signal().await;
    tracing::info!("shutting down");
    server.stop();
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
