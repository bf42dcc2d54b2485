//! Compensation: refund whatever was captured for the booking.

use std::sync::Arc;

use berth_domain::ports::{BookingChanges, BookingReader, Clock, PaymentGateway};
use berth_domain::reservations;
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::{BookingTask, TaskError};
use crate::runtime::Handler;

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
    pub changes: Arc<dyn BookingChanges>,
    pub gateway: Arc<dyn PaymentGateway>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        bookings: ports.booking_reader()?,
        changes: ports.changes()?,
        gateway: ports.gateway()?,
        clock: ports.clock(),
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

#[tracing::instrument(name = "refund_payment", skip_all, fields(booking_id = %event.payload.booking_id))]
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<BookingTask>,
) -> Result<BookingTask, TaskError> {
    let task = event.payload;
    reservations::refund_if_charged(
        deps.bookings.as_ref(),
        deps.changes.as_ref(),
        deps.gateway.as_ref(),
        &task.booking_id,
        deps.clock.now(),
    )
    .await?;
    Ok(task)
}
