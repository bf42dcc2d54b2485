//! Compensation's last step: the booking → FAILED, with the reason the
//! workflow caught (`{"booking_id", "error": {"Error": "NightsUnavailable", …}}`).

use std::sync::Arc;

use berth_domain::booking::FailureReason;
use berth_domain::ids::BookingId;
use berth_domain::ports::{BookingChanges, BookingReader, Clock};
use berth_domain::reservations;
use berth_domain::wiring::PortSource;
use lambda_runtime::LambdaEvent;
use serde::{Deserialize, Serialize};

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

/// The error a Catch recorded: Step Functions' `{"Error", "Cause"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaughtError {
    #[serde(rename = "Error")]
    pub error: String,
    #[serde(rename = "Cause", default)]
    pub cause: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FailTask {
    pub booking_id: BookingId,
    pub error: CaughtError,
}

#[tracing::instrument(name = "fail_booking", skip_all, fields(booking_id = %event.payload.booking_id))]
pub async fn handle(deps: &Deps, event: LambdaEvent<FailTask>) -> TaskResult {
    let task = event.payload;
    let reason = FailureReason::from_error_name(&task.error.error);
    let failed_now = reservations::fail(
        deps.bookings.as_ref(),
        deps.changes.as_ref(),
        &task.booking_id,
        reason,
        deps.clock.now(),
    )
    .await?;
    if failed_now {
        crate::metrics::booking_settled("FAILED", Some(reason.as_str()));
    }
    Ok(BookingTask {
        booking_id: task.booking_id,
    })
}
