//! `GET /bookings?role=guest|host&limit&cursor`: the caller's own bookings,
//! newest first.

use std::sync::Arc;

use berth_domain::error::InvalidInput;
use berth_domain::ids::BookingId;
use berth_domain::ports::{BookingReader, Role};
use berth_domain::reservations;
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        bookings: ports.booking_reader()?,
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(list(deps, request).await)
}

fn role(text: &str) -> Result<Role, InvalidInput> {
    match text {
        "guest" => Ok(Role::Guest),
        "host" => Ok(Role::Host),
        _ => Err(InvalidInput::new("role", "must be guest or host")),
    }
}

async fn list(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let role = api::query(&request, "role")
        .map(role)
        .transpose()?
        .unwrap_or(Role::Guest);
    let page = api::page_request(&request, BookingId::parse)?;
    let page = reservations::list_bookings(deps.bookings.as_ref(), &caller, role, page).await?;
    api::json(
        StatusCode::OK,
        &json!({"bookings": page.items, "next_cursor": page.next}),
    )
}
