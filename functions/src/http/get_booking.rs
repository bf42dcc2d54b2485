//! `GET /bookings/{id}`: status, price and reason, for its guest, its host or an admin.

use std::sync::Arc;

use berth_domain::ids::BookingId;
use berth_domain::ports::BookingReader;
use berth_domain::reservations;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(get(deps, request).await)
}

async fn get(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", BookingId::parse)?;
    let booking = reservations::booking_of(deps.bookings.as_ref(), &caller, &id).await?;
    api::json(StatusCode::OK, &booking)
}
