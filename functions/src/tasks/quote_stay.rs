//! Task Quote: the property still takes the stay, at a price.

use std::sync::Arc;

use berth_domain::ports::{BookingReader, PropertyReader};
use berth_domain::reservations;
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::{BookingTask, TaskResult};
use crate::runtime::Handler;

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
    pub properties: Arc<dyn PropertyReader>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        bookings: ports.booking_reader()?,
        properties: ports.property_reader()?,
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

#[tracing::instrument(name = "quote_stay", skip_all, fields(booking_id = %event.payload.booking_id))]
pub async fn handle(deps: &Deps, event: LambdaEvent<BookingTask>) -> TaskResult {
    let task = event.payload;
    reservations::quote(
        deps.bookings.as_ref(),
        deps.properties.as_ref(),
        &task.booking_id,
    )
    .await?;
    Ok(task)
}
