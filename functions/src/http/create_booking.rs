//! `POST /bookings` (Idempotency-Key required): a guest asks for a stay →
//! 202 with the PENDING booking; the workflow takes it from there. The same
//! key and body answer the same booking; the same key with another body, 422.

use std::sync::Arc;

use berth_domain::booking::PaymentMethod;
use berth_domain::dates::Date;
use berth_domain::error::InvalidInput;
use berth_domain::ids::PropertyId;
use berth_domain::ports::{
    BookingRequests, BookingWorkflow, Clock, IdempotencyKey, PropertyReader,
};
use berth_domain::reservations::{self, BookingOrder, RequestTimes};
use berth_domain::wiring::PortSource;
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use crate::api::{self, Answer, Problem};
use crate::runtime::Handler;

pub struct Deps {
    pub properties: Arc<dyn PropertyReader>,
    pub requests: Arc<dyn BookingRequests>,
    pub workflow: Arc<dyn BookingWorkflow>,
    pub clock: Arc<dyn Clock>,
    pub times: RequestTimes,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        properties: ports.property_reader()?,
        requests: ports.requests()?,
        workflow: ports.workflow()?,
        clock: ports.clock(),
        times: ports.times()?,
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BookingBody {
    property_id: String,
    check_in: String,
    check_out: String,
    guests: u32,
    payment_method: String,
}

impl BookingBody {
    fn try_into_domain(self) -> Result<BookingOrder, InvalidInput> {
        Ok(BookingOrder {
            property_id: PropertyId::parse(&self.property_id)
                .map_err(|e| e.named("property_id"))?,
            check_in: Date::parse(&self.check_in).map_err(|e| e.named("check_in"))?,
            check_out: Date::parse(&self.check_out).map_err(|e| e.named("check_out"))?,
            guests: self.guests,
            payment_method: PaymentMethod::parse(&self.payment_method)?,
        })
    }
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(create(deps, request).await)
}

#[tracing::instrument(name = "create_booking", skip_all)]
async fn create(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let key = api::header(&request, "idempotency-key").ok_or_else(|| {
        Problem::invalid(InvalidInput::new(
            "Idempotency-Key",
            "this header is required",
        ))
    })?;
    let key = IdempotencyKey::parse(key)?;
    let order = api::json_body::<BookingBody>(&request)?.try_into_domain()?;
    let booking = reservations::request_booking(
        deps.properties.as_ref(),
        deps.requests.as_ref(),
        deps.workflow.as_ref(),
        &caller,
        key,
        order,
        deps.times,
        deps.clock.now(),
    )
    .await?;
    tracing::info!(booking_id = %booking.id, user_id = %caller.user_id, "booking requested");
    let mut response = api::json(StatusCode::ACCEPTED, &booking)?;
    if let Ok(location) = HeaderValue::from_str(&format!("/bookings/{}", booking.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}
