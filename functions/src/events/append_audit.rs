//! Audit consumer: every booking and payment state change, appended once.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use berth_domain::ports::AuditLog;
use berth_domain::projections;
use lambda_runtime::LambdaEvent;

use super::sqs::{domain_event, for_each_message};

pub struct Deps {
    pub audit: Arc<dyn AuditLog>,
}

pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    Ok(for_each_message(event.payload, |message| async move {
        if let Some(record) = projections::audit_record(&domain_event(&message)?) {
            deps.audit.append(&[record]).await?;
        }
        Ok(())
    })
    .await)
}
