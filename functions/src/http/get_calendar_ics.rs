//! `GET /properties/{id}/calendar.ics?token=…`: the property's unavailable
//! nights as an iCalendar feed, for whoever holds the secret link (no
//! Authorization). A missing or wrong token is answered 404, as a property
//! that does not exist is.

use std::sync::Arc;

use berth_domain::calendar_sync;
use berth_domain::ids::PropertyId;
use berth_domain::ports::{CalendarReader, Clock, ExportLinks, PropertyReader};
use berth_domain::wiring::PortSource;
use berth_feeds::export::{closed_nights, write_feed};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub properties: Arc<dyn PropertyReader>,
    pub links: Arc<dyn ExportLinks>,
    pub nights: Arc<dyn CalendarReader>,
    pub clock: Arc<dyn Clock>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        properties: ports.property_reader()?,
        links: ports.export_links()?,
        nights: ports.calendar_reader()?,
        clock: ports.clock(),
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(feed(deps, request).await)
}

#[tracing::instrument(name = "get_calendar_ics", skip_all)]
async fn feed(deps: &Deps, request: Request) -> Answer {
    let id = api::path(&request, "id", PropertyId::parse)?;
    let token = api::query(&request, "token").unwrap_or_default();
    let now = deps.clock.now();
    let nights = calendar_sync::exported_nights(
        deps.properties.as_ref(),
        deps.links.as_ref(),
        deps.nights.as_ref(),
        &id,
        token,
        now,
    )
    .await?;
    let text = write_feed(id.as_str(), closed_nights(nights), now);
    let mut response = Response::new(Body::Text(text));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
