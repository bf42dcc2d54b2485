//! What happens to every request before a route: a request id, the rate
//! limit, the body size limit, and one JSON access-log line after.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use berth_functions::api::{MAX_BODY_BYTES, Problem};

use super::{App, problem};

const REQUEST_ID: &str = "x-request-id";

/// The id given to this request by [`edge`].
pub fn request_id(request: &Request) -> String {
    request
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default()
}

#[derive(Clone)]
struct RequestId(String);

pub fn too_large() -> Problem {
    Problem::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body-too-large",
        "Body too large",
        format!("request bodies are at most {MAX_BODY_BYTES} bytes"),
    )
}

pub async fn edge(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let id = uuid::Uuid::new_v4().simple().to_string();
    request.extensions_mut().insert(RequestId(id.clone()));
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut response = if let Err(wait) = app.rate_limit.check(peer.ip()) {
        let mut response = problem(Problem {
            retry_after: u32::try_from(wait).ok(),
            ..Problem::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate-limited",
                "Too many requests",
                format!(
                    "at most the configured number of requests per 5 minutes per address; retry in {wait} s"
                ),
            )
        });
        response
            .headers_mut()
            .entry(header::RETRY_AFTER)
            .or_insert(HeaderValue::from(wait));
        response
    } else if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        problem(too_large())
    } else {
        next.run(request).await
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    tracing::info!(
        target: "berth::access",
        request_id = %id,
        method = %method,
        path = %path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}
