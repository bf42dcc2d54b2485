//! Task Pay: capture the stay's total, keyed by the booking id.

use std::sync::Arc;

use berth_domain::ports::{BookingChanges, BookingReader, Clock, PaymentGateway};
use berth_domain::reservations;
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use super::{BookingTask, TaskResult};
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

#[tracing::instrument(name = "charge_payment", skip_all, fields(booking_id = %event.payload.booking_id))]
pub async fn handle(deps: &Deps, event: LambdaEvent<BookingTask>) -> TaskResult {
    let task = event.payload;
    let started = std::time::Instant::now();
    let outcome = reservations::pay(
        deps.bookings.as_ref(),
        deps.changes.as_ref(),
        deps.gateway.as_ref(),
        &task.booking_id,
        deps.clock.now(),
    )
    .await;
    crate::metrics::payment_latency(started.elapsed(), outcome.as_ref().err().map(|e| e.name()));
    outcome?;
    Ok(task)
}
