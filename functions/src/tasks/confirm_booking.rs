//! Task Confirm: every held night → BOOKED, the booking → CONFIRMED.

use std::sync::Arc;

use berth_domain::ports::{BookingChanges, BookingReader, Clock};
use berth_domain::reservations;
use lambda_runtime::LambdaEvent;

use super::{BookingTask, TaskResult};

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
    pub changes: Arc<dyn BookingChanges>,
    pub clock: Arc<dyn Clock>,
}

#[tracing::instrument(name = "confirm_booking", skip_all, fields(booking_id = %event.payload.booking_id))]
pub async fn handle(deps: &Deps, event: LambdaEvent<BookingTask>) -> TaskResult {
    let task = event.payload;
    let confirmed_now = reservations::confirm(
        deps.bookings.as_ref(),
        deps.changes.as_ref(),
        &task.booking_id,
        deps.clock.now(),
    )
    .await?;
    // A re-run (Step Functions retries) finds it confirmed: counted once.
    if confirmed_now {
        crate::metrics::booking_settled("CONFIRMED", None);
    }
    Ok(task)
}
