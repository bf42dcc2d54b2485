//! `GET /health`: liveness.

use berth_domain::wiring::PortSource;
use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

use crate::api;
use crate::runtime::Handler;

pub async fn handle(_request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(api::json(
        StatusCode::OK,
        &json!({"status": "ok", "service": "berth", "version": env!("CARGO_PKG_VERSION")}),
    ))
}

/// The handler: it needs no port.
pub fn build(_ports: &impl PortSource) -> anyhow::Result<Handler> {
    Ok(Handler::http((), |_, request| handle(request)))
}
