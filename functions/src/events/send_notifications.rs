//! Notification sender: delivers each queued notification (email in AWS, a
//! readable outbox locally), at most once.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use berth_domain::ports::{Notification, Notifier};
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::sqs::for_each_message;
use crate::runtime::Handler;

pub struct Deps {
    pub notifier: Arc<dyn Notifier>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        notifier: ports.notifier()?,
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
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
