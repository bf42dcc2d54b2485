//! `GET /properties/{id}/calendar?from&to`: for its host, each night that is
//! not free and why: held or booked (by which booking), blocked, or closed
//! by another calendar. The web app's host calendar reads it.

use berth_domain::catalog;
use berth_domain::dates::{Date, DateRange, MAX_RANGE_DAYS};
use berth_domain::ids::PropertyId;
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

use crate::api::{self, Answer};
use crate::runtime::Handler;

/// The availability's ports: a property's nights and the clock.
pub use crate::http::get_availability::Deps;

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps::from_ports(ports)?;
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(calendar(deps, request).await)
}

async fn calendar(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", PropertyId::parse)?;
    let from = api::required_query(&request, "from", Date::parse)?;
    let to = api::required_query(&request, "to", Date::parse)?;
    let range = DateRange::new(from, to, MAX_RANGE_DAYS)?;
    let nights = catalog::host_calendar(
        deps.properties.as_ref(),
        deps.nights.as_ref(),
        &caller,
        &id,
        range,
        deps.clock.now(),
    )
    .await?;
    api::json(
        StatusCode::OK,
        &json!({"property_id": id, "from": from, "to": to, "nights": nights}),
    )
}
