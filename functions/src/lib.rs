//! Berth's Lambda functions. Each function is a module with a `Deps` (the
//! narrowest ports it needs, which its IAM policy in template.yaml mirrors),
//! a `handle`, and a `build` that asks a source of ports for its `Deps`;
//! its [`catalogue`] entry declares it once. Its binary in `src/bin/` runs
//! that entry over the AWS adapters; the local platform runs the very same
//! entries over the embedded ones.
//!
//! - [`http`]: API Gateway HTTP API routes;
//! - [`tasks`]: the booking workflow's Step Functions tasks;
//! - [`events`]: the outbox publisher, SQS consumers and the scheduled jobs;
//! - [`stack`]: what the stack runs while it deploys (custom resources);
//! - [`catalogue`]: every function, its trigger and its builder;
//! - [`api`]: what HTTP handlers share (caller, parsing, problem+json);
//! - [`metrics`]: CloudWatch embedded metrics;
//! - [`runtime`]: the boxed handler every builder makes, and the Lambda
//!   runtime loop every binary runs it in.

pub mod api;
pub mod catalogue;
pub mod events;
pub mod http;
pub mod metrics;
pub mod runtime;
pub mod stack;
pub mod tasks;

/// JSON logs (one object per line) for CloudWatch Logs Insights, with
/// `RUST_LOG` filtering (`info` by default).
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_current_span(true)
        .without_time()
        .try_init();
}
