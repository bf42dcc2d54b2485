//! `GET /properties/{id}/availability?from&to`: each night, available or not.

use std::sync::Arc;

use berth_domain::catalog;
use berth_domain::dates::{Date, DateRange, MAX_RANGE_DAYS};
use berth_domain::ids::PropertyId;
use berth_domain::ports::{CalendarReader, Clock, PropertyReader};
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub properties: Arc<dyn PropertyReader>,
    pub nights: Arc<dyn CalendarReader>,
    pub clock: Arc<dyn Clock>,
}

impl Deps {
    /// A property's nights and the clock: what the availability and the
    /// host's calendar (`get_calendar`) read.
    pub fn from_ports(ports: &impl PortSource) -> anyhow::Result<Self> {
        Ok(Self {
            properties: ports.property_reader()?,
            nights: ports.calendar_reader()?,
            clock: ports.clock(),
        })
    }
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps::from_ports(ports)?;
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(availability(deps, request).await)
}

async fn availability(deps: &Deps, request: Request) -> Answer {
    let id = api::path(&request, "id", PropertyId::parse)?;
    let from = api::required_query(&request, "from", Date::parse)?;
    let to = api::required_query(&request, "to", Date::parse)?;
    let range = DateRange::new(from, to, MAX_RANGE_DAYS)?;
    let nights = catalog::availability(
        deps.properties.as_ref(),
        deps.nights.as_ref(),
        &id,
        range,
        deps.clock.now(),
    )
    .await?;
    let nights: Vec<_> = nights
        .into_iter()
        .map(|(date, status)| json!({"date": date, "status": status}))
        .collect();
    api::json(
        StatusCode::OK,
        &json!({"property_id": id, "from": from, "to": to, "nights": nights}),
    )
}
