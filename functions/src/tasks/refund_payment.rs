//! Compensation: refund whatever was captured for the booking.

use std::sync::Arc;

use berth_domain::ports::{BookingChanges, BookingReader, Clock, PaymentGateway};
use berth_domain::reservations;
use lambda_runtime::LambdaEvent;

use super::{BookingTask, TaskError};

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
    pub changes: Arc<dyn BookingChanges>,
    pub gateway: Arc<dyn PaymentGateway>,
    pub clock: Arc<dyn Clock>,
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
