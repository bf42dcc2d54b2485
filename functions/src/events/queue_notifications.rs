//! Notification router: booking events that a guest must hear about go onto
//! the FIFO notification queue, grouped by booking so they arrive in order.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use berth_domain::ports::NotificationQueue;
use berth_domain::projections;
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::sqs::project_batch;
use crate::runtime::Handler;

pub struct Deps {
    pub queue: Arc<dyn NotificationQueue>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        queue: ports.notification_queue()?,
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
        |event| projections::notification(event).into_iter().collect(),
        |notifications| async move { deps.queue.enqueue(&notifications).await },
    )
    .await)
}
