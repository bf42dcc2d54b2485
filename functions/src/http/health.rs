//! `GET /health`: liveness.

use lambda_http::http::StatusCode;
use lambda_http::{Body, Request, Response};
use serde_json::json;

use crate::api;

pub async fn handle(_request: Request) -> Result<Response<Body>, lambda_http::Error> {
    api::respond(api::json(
        StatusCode::OK,
        &json!({"status": "ok", "service": "berth", "version": env!("CARGO_PKG_VERSION")}),
    ))
}
