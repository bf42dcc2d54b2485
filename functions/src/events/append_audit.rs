//! Audit consumer: every booking and payment state change, appended once.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use berth_domain::ports::AuditLog;
use berth_domain::projections;
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::sqs::project_batch;
use crate::runtime::Handler;

pub struct Deps {
    pub audit: Arc<dyn AuditLog>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        audit: ports.audit()?,
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    Ok(project_batch(
        event.payload,
        |event| projections::audit_record(event).into_iter().collect(),
        |records| async move { deps.audit.append(&records).await },
    )
    .await)
}
