//! Signals consumer: each confirmed stay teaches Berth what its guest likes.

use std::sync::Arc;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use berth_domain::events::Change;
use berth_domain::ports::{PropertyReader, SignalStore};
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::sqs::for_each_event;
use crate::runtime::Handler;

pub struct Deps {
    pub properties: Arc<dyn PropertyReader>,
    pub signals: Arc<dyn SignalStore>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        properties: ports.property_reader()?,
        signals: ports.signals()?,
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
        let Change::BookingConfirmed { booking } = &event.change else {
            return Ok(());
        };
        // A property that vanished teaches nothing; that is not a failure.
        if let Some(property) = deps.properties.property(&booking.property_id).await? {
            let listing = &property.listing;
            deps.signals
                .learn(
                    &booking.guest_id,
                    event.id.as_str(),
                    &listing.city,
                    &listing.amenities,
                )
                .await?;
        }
        Ok(())
    })
    .await)
}
