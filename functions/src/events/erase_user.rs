//! Erasure consumer: `UserErased` → every store forgets the user, keeping
//! bookings, ledger lines and audit records under the event's pseudonym.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use berth_domain::accounts;
use berth_domain::events::Change;
use berth_domain::ports::{BookingReader, PersonalData};
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::sqs::for_each_event;
use crate::runtime::Handler;

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
    /// Every store that keeps personal data, the one that answers
    /// `bookings` last (see [`accounts::forget`]).
    pub stores: Arc<dyn PersonalData>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        bookings: ports.booking_reader()?,
        stores: ports.personal_data()?,
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, lambda_runtime::Error> {
    Ok(for_each_event(event.payload, |event| async move {
        let Change::UserErased { user_id, pseudonym } = &event.change else {
            return Ok(());
        };
        accounts::forget(
            deps.bookings.as_ref(),
            deps.stores.as_ref(),
            user_id,
            pseudonym,
        )
        .await?;
        tracing::info!(event_id = %event.id, "a user's personal data is erased");
        Ok(())
    })
    .await)
}
