//! Ledger consumer: confirmed bookings and refunds of cancelled ones become
//! ledger lines (Aurora in AWS), once each.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use berth_domain::ports::Ledger;
use berth_domain::projections;
use lambda_runtime::LambdaEvent;

use super::sqs::{domain_event, for_each_message};

pub struct Deps {
    pub ledger: Arc<dyn Ledger>,
}

pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    Ok(for_each_message(event.payload, |message| async move {
        let entries = projections::ledger_entries(&domain_event(&message)?);
        if !entries.is_empty() {
            deps.ledger.record(&entries).await?;
        }
        Ok(())
    })
    .await)
}
