//! `POST /properties/{id}/calendar/feeds/{feed_id}/sync`: its host syncs a
//! feed now → 200 the feed after the sync (`last_error` says why a feed
//! that could not be read changed nothing).

use berth_domain::calendar_sync;
use berth_domain::ids::{FeedId, PropertyId};
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
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
    api::respond(sync(deps, request).await)
}

#[tracing::instrument(name = "sync_calendar_feed", skip_all)]
async fn sync(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", PropertyId::parse)?;
    let feed = api::path(&request, "feed_id", FeedId::parse)?;
    let feed = calendar_sync::sync_now(
        deps.properties.as_ref(),
        &deps.syncing(),
        &caller,
        &id,
        &feed,
        deps.clock.now(),
    )
    .await?;
    api::json(StatusCode::OK, &feed)
}
