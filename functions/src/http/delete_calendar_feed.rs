//! `DELETE /properties/{id}/calendar/feeds/{feed_id}`: its host stops
//! importing a calendar → 204; the nights it imported are free again.

use berth_domain::calendar_sync;
use berth_domain::ids::{FeedId, PropertyId};
use berth_domain::wiring::PortSource;
use lambda_http::{Body, Request, Response};

use crate::api::{self, Answer};
use crate::http::channels::SyncDeps;
use crate::runtime::Handler;

pub type Deps = SyncDeps;

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = SyncDeps::build(ports)?;
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(delete(deps, request).await)
}

#[tracing::instrument(name = "delete_calendar_feed", skip_all)]
async fn delete(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", PropertyId::parse)?;
    let feed = api::path(&request, "feed_id", FeedId::parse)?;
    calendar_sync::delete_feed(
        deps.properties.as_ref(),
        &deps.syncing(),
        &caller,
        &id,
        &feed,
        deps.clock.now(),
    )
    .await?;
    tracing::info!(property_id = %id, feed_id = %feed, "calendar feed deleted");
    api::no_content()
}
