//! Ledger consumer: confirmed bookings and refunds of cancelled ones become
//! ledger lines (Aurora in AWS), once each.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use berth_domain::ports::Ledger;
use berth_domain::projections;
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::sqs::project_batch;
use crate::runtime::Handler;

pub struct Deps {
    pub ledger: Arc<dyn Ledger>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        ledger: ports.ledger()?,
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
        projections::ledger_entries,
        |entries| async move { deps.ledger.record(&entries).await },
    )
    .await)
}
