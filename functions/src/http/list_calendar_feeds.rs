//! `GET /properties/{id}/calendar/feeds`: its host's imported calendars,
//! each with how its last sync went → `{"feeds": [...]}`.

use std::sync::Arc;

use berth_domain::calendar_sync;
use berth_domain::ids::PropertyId;
use berth_domain::ports::{FeedStore, PropertyReader};
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub properties: Arc<dyn PropertyReader>,
    pub feeds: Arc<dyn FeedStore>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        properties: ports.property_reader()?,
        feeds: ports.feeds()?,
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(list(deps, request).await)
}

#[tracing::instrument(name = "list_calendar_feeds", skip_all)]
async fn list(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", PropertyId::parse)?;
    let feeds =
        calendar_sync::list_feeds(deps.properties.as_ref(), deps.feeds.as_ref(), &caller, &id)
            .await?;
    api::json(StatusCode::OK, &json!({"feeds": feeds}))
}
