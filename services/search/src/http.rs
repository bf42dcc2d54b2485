//! The HTTP face of the service: GET /search, /health and /ready, as an
//! axum `Router` that the container serves and the local platform mounts.
//! Every error leaves here as `application/problem+json` (RFC 9457).

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::query::InvalidParameter;
use crate::service::SearchService;

/// The service as the container serves it: search, liveness, readiness.
pub fn router(service: Arc<SearchService>) -> Router {
    Router::new()
        .route("/health", get(health))
        .route("/ready", get(ready))
        .merge(search_routes(service.clone()))
        .with_state(service)
}

/// GET /search alone, for a host that has its own /health (the local platform).
pub fn search_routes<S>(service: Arc<SearchService>) -> Router<S> {
    Router::new()
        .route("/search", get(search))
        .with_state(service)
}

async fn search(State(service): State<Arc<SearchService>>, RawQuery(query): RawQuery) -> Response {
    match service.search(query.as_deref().unwrap_or("")) {
        Ok(page) => Json(page).into_response(),
        Err(invalid) => bad_parameter(&invalid),
    }
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

async fn ready(State(service): State<Arc<SearchService>>) -> Response {
    if service.is_ready() {
        Json(json!({"status": "ready", "properties": service.len()})).into_response()
    } else {
        problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "https://berth.dev/problems/not-ready",
            "Not ready",
            "the index is still catching up with events".into(),
            None,
        )
    }
}

fn bad_parameter(invalid: &InvalidParameter) -> Response {
    problem(
        StatusCode::BAD_REQUEST,
        "https://berth.dev/problems/invalid-request",
        "Invalid search parameter",
        invalid.to_string(),
        Some(&invalid.parameter),
    )
}

fn problem(
    status: StatusCode,
    kind: &str,
    title: &str,
    detail: String,
    parameter: Option<&str>,
) -> Response {
    let mut body =
        json!({"type": kind, "title": title, "status": status.as_u16(), "detail": detail});
    if let Some(parameter) = parameter {
        body["field"] = json!(parameter);
    }
    (
        status,
        [(header::CONTENT_TYPE, "application/problem+json")],
        body.to_string(),
    )
        .into_response()
}
