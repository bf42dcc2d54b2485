//! `GET /bookings/{id}`: status, price and reason, for its guest, its host or
//! an admin; a confirmed booking also carries `cancellation`, the refund
//! cancelling now would bring and until when, so a guest sees it first.

use std::sync::Arc;

use berth_domain::ids::BookingId;
use berth_domain::ports::{BookingReader, Clock};
use berth_domain::reservations;
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        bookings: ports.booking_reader()?,
        clock: ports.clock(),
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(get(deps, request).await)
}

async fn get(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", BookingId::parse)?;
    let booking = reservations::booking_of(deps.bookings.as_ref(), &caller, &id).await?;
    let terms = booking.cancellation_terms(deps.clock.now());
    let mut body = serde_json::to_value(&booking).map_err(anyhow::Error::from)?;
    if let (Some(terms), Some(fields)) = (terms, body.as_object_mut()) {
        fields.insert(
            "cancellation".into(),
            serde_json::to_value(terms).map_err(anyhow::Error::from)?,
        );
    }
    api::json(StatusCode::OK, &body)
}
