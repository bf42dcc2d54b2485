//! `POST /bookings/{id}/cancel`: its guest cancels; refunded by policy, nights
//! released. Cancelling again answers the same cancellation.

use std::sync::Arc;

use berth_domain::ids::BookingId;
use berth_domain::ports::{BookingChanges, BookingReader, Clock, PaymentGateway};
use berth_domain::reservations;
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};
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
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(cancel(deps, request).await)
}

#[tracing::instrument(name = "cancel_booking", skip_all)]
async fn cancel(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", BookingId::parse)?;
    let booking = reservations::cancel_booking(
        deps.bookings.as_ref(),
        deps.changes.as_ref(),
        deps.gateway.as_ref(),
        &caller,
        &id,
        deps.clock.now(),
    )
    .await?;
    tracing::info!(booking_id = %booking.id, user_id = %caller.user_id, "booking cancelled");
    api::json(StatusCode::OK, &booking)
}
