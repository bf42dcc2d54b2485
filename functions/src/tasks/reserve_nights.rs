//! Task Reserve: hold every night of the stay for the booking, atomically.

use std::sync::Arc;

use berth_domain::ports::{BookingChanges, BookingReader, Clock};
use berth_domain::reservations;
use berth_domain::wiring::PortSource;
use chrono::Duration;
use lambda_runtime::LambdaEvent;

use super::{BookingTask, TaskResult};
use crate::runtime::Handler;

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
    pub changes: Arc<dyn BookingChanges>,
    pub clock: Arc<dyn Clock>,
    /// How long nights stay held for a booking that has not paid.
    pub hold: Duration,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        bookings: ports.booking_reader()?,
        changes: ports.changes()?,
        clock: ports.clock(),
        hold: ports.times()?.hold,
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

#[tracing::instrument(name = "reserve_nights", skip_all, fields(booking_id = %event.payload.booking_id))]
pub async fn handle(deps: &Deps, event: LambdaEvent<BookingTask>) -> TaskResult {
    let task = event.payload;
    reservations::reserve(
        deps.bookings.as_ref(),
        deps.changes.as_ref(),
        &task.booking_id,
        deps.hold,
        deps.clock.now(),
    )
    .await?;
    Ok(task)
}
