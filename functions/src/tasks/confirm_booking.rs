//! Task Confirm: every held night → BOOKED, the booking → CONFIRMED.

use std::sync::Arc;

use berth_domain::ports::{BookingChanges, BookingReader, Clock};
use berth_domain::reservations;
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::{BookingTask, TaskResult};
use crate::runtime::Handler;

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
    pub changes: Arc<dyn BookingChanges>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        bookings: ports.booking_reader()?,
        changes: ports.changes()?,
        clock: ports.clock(),
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
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
