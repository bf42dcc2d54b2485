//! Compensation: free every night the booking holds.

use std::sync::Arc;

use berth_domain::ports::{BookingChanges, BookingReader};
use berth_domain::reservations;
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::{BookingTask, TaskResult};
use crate::runtime::Handler;

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
    pub changes: Arc<dyn BookingChanges>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        bookings: ports.booking_reader()?,
        changes: ports.changes()?,
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

#[tracing::instrument(name = "release_nights", skip_all, fields(booking_id = %event.payload.booking_id))]
pub async fn handle(deps: &Deps, event: LambdaEvent<BookingTask>) -> TaskResult {
    let task = event.payload;
    reservations::release(
        deps.bookings.as_ref(),
        deps.changes.as_ref(),
        &task.booking_id,
    )
    .await?;
    Ok(task)
}
