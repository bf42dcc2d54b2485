//! Scheduled reconciler (every 15 minutes): money the payment provider holds
//! for a FAILED or EXPIRED booking goes back to the guest, refunded if
//! captured, released if only authorised, once a processing payment settles.

use std::sync::Arc;

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use berth_domain::ports::{BookingChanges, BookingReader, Clock, PaymentGateway};
use berth_domain::reservations::{self, ReconcileReport};
use lambda_runtime::LambdaEvent;

use berth_domain::wiring::PortSource;

use crate::runtime::Handler;
use crate::tasks::TaskError;

/// Payments looked at per run (Stripe lists 100 per call).
pub const BATCH: u32 = 2_000;

pub struct Deps {
    pub gateway: Arc<dyn PaymentGateway>,
    pub bookings: Arc<dyn BookingReader>,
    pub changes: Arc<dyn BookingChanges>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        gateway: ports.gateway()?,
        bookings: ports.booking_reader()?,
        changes: ports.changes()?,
        clock: ports.clock(),
    };
    Ok(Handler::json(deps, |deps, event| async move {
        handle(&deps, event).await
    }))
}

#[tracing::instrument(name = "reconcile_payments", skip_all)]
pub async fn handle(
    deps: &Deps,
    _event: LambdaEvent<EventBridgeEvent<serde_json::Value>>,
) -> Result<ReconcileReport, TaskError> {
    let report = reservations::reconcile_payments(
        deps.gateway.as_ref(),
        deps.bookings.as_ref(),
        deps.changes.as_ref(),
        deps.clock.now(),
        BATCH,
    )
    .await?;
    for failure in &report.failed {
        tracing::error!(
            failure,
            "a payment could not be settled; the next run retries"
        );
    }
    if report.refunded + report.released > 0 {
        tracing::warn!(
            refunded = report.refunded,
            released = report.released,
            "money left on failed bookings was given back"
        );
    }
    Ok(report)
}
