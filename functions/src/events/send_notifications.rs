//! Notification sender: delivers each queued notification (email in AWS, a
//! readable outbox locally), at most once.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use berth_domain::ports::{Notification, Notifier};
use lambda_runtime::LambdaEvent;

use super::sqs::for_each_message;

pub struct Deps {
    pub notifier: Arc<dyn Notifier>,
}

pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    Ok(for_each_message(event.payload, |message| async move {
        let body = message.body.as_deref().unwrap_or_default();
        let notification: Notification = serde_json::from_str(body)?;
        deps.notifier.send(&notification).await
    })
    .await)
}
