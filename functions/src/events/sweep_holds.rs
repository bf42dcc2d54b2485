//! Scheduled sweeper (every minute): bookings their workflow never settled
//! by their deadline expire, nights freed and any money returned.

use std::sync::Arc;

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use berth_domain::ports::{
    AbandonedBookings, BookingChanges, BookingReader, Clock, PaymentGateway,
};
use berth_domain::reservations::{self, SweepReport};
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;

use crate::runtime::Handler;
use crate::tasks::TaskError;

/// Bookings looked at per run; a backlog clears over the next runs.
pub const BATCH: u32 = 500;

pub struct Deps {
    pub abandoned: Arc<dyn AbandonedBookings>,
    pub bookings: Arc<dyn BookingReader>,
    pub changes: Arc<dyn BookingChanges>,
    pub gateway: Arc<dyn PaymentGateway>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        abandoned: ports.abandoned()?,
        bookings: ports.booking_reader()?,
        changes: ports.changes()?,
        gateway: ports.gateway()?,
        clock: ports.clock(),
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

#[tracing::instrument(name = "sweep_holds", skip_all)]
pub async fn handle(
    deps: &Deps,
    _event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<SweepReport, TaskError> {
    let report = reservations::sweep(
        deps.abandoned.as_ref(),
        deps.bookings.as_ref(),
        deps.changes.as_ref(),
        deps.gateway.as_ref(),
        deps.clock.now(),
        BATCH,
    )
    .await?;
    if report.expired > 0 {
        tracing::info!(
            expired = report.expired,
            refunded = report.refunded,
            "abandoned bookings expired"
        );
    }
    Ok(report)
}
