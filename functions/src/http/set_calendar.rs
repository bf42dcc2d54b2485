//! `PUT /properties/{id}/calendar`: its host blocks or unblocks nights
//! `{"from", "to", "blocked"}` (to exclusive, at most 90 nights per call).

use std::sync::Arc;

use berth_domain::catalog::{self, Blocking};
use berth_domain::dates::{Date, DateRange, MAX_STAY_NIGHTS};
use berth_domain::error::InvalidInput;
use berth_domain::ids::PropertyId;
use berth_domain::ports::{CalendarReader, CalendarWriter, Clock, PropertyReader};
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;
use serde_json::json;

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub properties: Arc<dyn PropertyReader>,
    pub nights: Arc<dyn CalendarReader>,
    pub calendar: Arc<dyn CalendarWriter>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        properties: ports.property_reader()?,
        nights: ports.calendar_reader()?,
        calendar: ports.calendar_writer()?,
        clock: ports.clock(),
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarBody {
    from: String,
    to: String,
    blocked: bool,
}

impl CalendarBody {
    fn range(&self) -> Result<DateRange, InvalidInput> {
        let from = Date::parse(&self.from).map_err(|e| e.named("from"))?;
        let to = Date::parse(&self.to).map_err(|e| e.named("to"))?;
        DateRange::new(from, to, MAX_STAY_NIGHTS)
    }
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(set(deps, request).await)
}

#[tracing::instrument(name = "set_calendar", skip_all)]
async fn set(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", PropertyId::parse)?;
    let body: CalendarBody = api::json_body(&request)?;
    let range = body.range()?;
    let changed = catalog::set_blocked(
        deps.properties.as_ref(),
        deps.nights.as_ref(),
        deps.calendar.as_ref(),
        &caller,
        Blocking {
            property: &id,
            range,
            blocked: body.blocked,
        },
        deps.clock.now(),
    )
    .await?;
    api::json(
        StatusCode::OK,
        &json!({"property_id": id, "from": range.from, "to": range.to, "blocked": body.blocked, "changed": changed}),
    )
}
