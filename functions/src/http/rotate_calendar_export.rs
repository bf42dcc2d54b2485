//! `POST /properties/{id}/calendar/export/rotate`: a new secret iCal link
//! for its host; the old one stops working.

use berth_domain::calendar_sync;
use berth_domain::ids::PropertyId;
use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

use crate::api::{self, Answer};
use crate::http::channels::ExportDeps;
use crate::runtime::Handler;

pub type Deps = ExportDeps;

/// The handler over the ports it needs, from `ports`.
pub fn build(ports: &impl PortSource) -> anyhow::Result<Handler> {
    let deps = ExportDeps::build(ports)?;
    Ok(Handler::http(deps, |deps, request| async move {
        handle(&deps, request).await
    }))
}

pub async fn handle(deps: &Deps, request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(rotate(deps, request).await)
}

#[tracing::instrument(name = "rotate_calendar_export", skip_all)]
async fn rotate(deps: &Deps, request: Request) -> Answer {
    let caller = api::caller(&request)?;
    let id = api::path(&request, "id", PropertyId::parse)?;
    let token = calendar_sync::rotate_export_token(
        deps.properties.as_ref(),
        deps.links.as_ref(),
        &caller,
        &id,
    )
    .await?;
    tracing::info!(property_id = %id, "export link rotated");
    api::json(
        StatusCode::OK,
        &json!({"url": deps.url(&request, &id, &token)}),
    )
}
