//! Scheduled calendar sync (every 15 minutes): every imported feed of every
//! property is fetched and applied; a feed that cannot be read changes
//! nothing and records why.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use berth_domain::calendar_sync::{self, SyncReport};
use berth_domain::reservations::StepError;
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use crate::http::channels::SyncDeps;
use crate::runtime::Handler;
use crate::tasks::TaskError;

pub type Deps = SyncDeps;

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = SyncDeps::build(ports)?;
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

#[tracing::instrument(name = "sync_calendar_feeds", skip_all)]
pub async fn handle(
    deps: &Deps,
    _event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<SyncReport, TaskError> {
    let report = calendar_sync::sync_all(&deps.syncing(), deps.clock.now())
        .await
        .map_err(StepError::Retryable)?;
    if report.synced + report.failed > 0 {
        tracing::info!(
            synced = report.synced,
            failed = report.failed,
            "calendar feeds synced"
        );
    }
    Ok(report)
}
