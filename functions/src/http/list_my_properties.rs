//! `GET /me/properties?limit&cursor`: the caller's own listings, newest
//! first (a host's "my listings"; a guest's page is empty).

use std::sync::Arc;

use berth_domain::catalog;
use berth_domain::ids::PropertyId;
use berth_domain::ports::HostListings;
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

use crate::api::{self, Answer};
use crate::runtime::Handler;

pub struct Deps {
    pub listings: Arc<dyn HostListings>,
}

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = Deps {
        listings: ports.host_listings()?,
    };
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(list(deps, request).await)
}

async fn list(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let page = api::page_request(&request, PropertyId::parse)?;
    let page = catalog::my_listings(deps.listings.as_ref(), &caller, page).await?;
    api::json(
        StatusCode::OK,
        &json!({"properties": page.items, "next_cursor": page.next}),
    )
}
