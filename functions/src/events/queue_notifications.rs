//! Notification router: booking events that a guest must hear about go onto
//! the FIFO notification queue, grouped by booking so they arrive in order.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use berth_domain::ports::NotificationQueue;
use berth_domain::projections;
use lambda_runtime::LambdaEvent;

use super::sqs::project_batch;

pub struct Deps {
    pub queue: Arc<dyn NotificationQueue>,
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
