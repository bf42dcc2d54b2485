//! `POST /properties/{id}/calendar/feeds` `{"url", "name"}`: its host adds
//! another channel's calendar to import → 201 the feed (without a name, it
//! is named after the URL's host). A URL that may not
//! be fetched from (not http(s), or resolving to a loopback, private,
//! link-local, unique-local, multicast or unspecified address) → 400 `url`.

use std::sync::Arc;

use berth_domain::calendar_sync;
use berth_domain::channels::NewFeed;
use berth_domain::ids::PropertyId;
use berth_domain::ports::{FeedReader, FeedStore, PropertyReader};
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde::Deserialize;

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub properties: Arc<dyn PropertyReader>,
    pub feeds: Arc<dyn FeedStore>,
    pub reader: Arc<dyn FeedReader>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        properties: ports.property_reader()?,
        feeds: ports.feeds()?,
        reader: ports.feed_reader()?,
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FeedBody {
    url: String,
    name: Option<String>,
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(add(deps, request).await)
}

#[tracing::instrument(name = "add_calendar_feed", skip_all)]
async fn add(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", PropertyId::parse)?;
    let body: FeedBody = api::json_body(&request)?;
    let new = NewFeed::parse_or_host(body.name.as_deref(), &body.url)?;
    let feed = calendar_sync::add_feed(
        deps.properties.as_ref(),
        deps.feeds.as_ref(),
        deps.reader.as_ref(),
        &caller,
        &id,
        new,
    )
    .await?;
    tracing::info!(property_id = %id, feed_id = %feed.id, "calendar feed added");
    api::json(StatusCode::CREATED, &feed)
}
