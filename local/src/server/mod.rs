//! `berth serve`: the HTTP API over the local platform. Every route of the
//! catalogue is served by turning the request into the API Gateway event AWS
//! would send (claims from a verified token where the JWT authorizer puts
//! them), calling the same function, and turning its answer back into HTTP.
//! In front, what the edge does in AWS: request ids, a per-IP rate limit,
//! the 8 KiB body limit, access logs. Beside the API, the web app (`web`).

pub mod auth;
mod edge;
pub mod exposure;
pub mod limits;
mod local_api;
pub mod web;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use berth_functions::api::{MAX_BODY_BYTES, Problem};
use berth_functions::catalogue::{FUNCTIONS, Trigger};
use lambda_http::Body as LambdaBody;

use crate::platform::Platform;
use crate::platform::gateway::{self, Incoming};
use auth::LocalAuth;
use exposure::LocalEndpoints;
use limits::RateLimit;

/// The OpenAPI document of every route, kept in the repository.
pub const OPENAPI: &str = include_str!("../../../openapi.json");

pub struct App {
    pub platform: Arc<Platform>,
    pub auth: LocalAuth,
    pub rate_limit: RateLimit,
    /// Whether `/local/*` is served (see [`exposure`]).
    pub local_endpoints: LocalEndpoints,
}

/// A problem answered by the platform itself (not a function).
pub fn problem(problem: Problem) -> Response {
    to_axum(problem.into_response())
}

/// A function's response as an HTTP response.
fn to_axum(response: lambda_http::Response<LambdaBody>) -> Response {
    let (parts, body) = response.into_parts();
    let bytes: Vec<u8> = match body {
        LambdaBody::Text(text) => text.into_bytes(),
        LambdaBody::Binary(bytes) => bytes,
        _ => Vec::new(),
    };
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

fn method_filter(method: &str) -> MethodFilter {
    match method {
        "GET" => MethodFilter::GET,
        "POST" => MethodFilter::POST,
        "PUT" => MethodFilter::PUT,
        "PATCH" => MethodFilter::PATCH,
        "DELETE" => MethodFilter::DELETE,
        other => unreachable!("the catalogue has no {other} routes"),
    }
}

/// Every route: the catalogue's functions, the local platform's own API
/// (unless refused), search, and the OpenAPI document.
pub fn router(app: Arc<App>) -> Router {
    let mut router = Router::new();
    for function in FUNCTIONS {
        let Trigger::Http { method, path, auth } = function.trigger else {
            continue;
        };
        let name = function.name;
        let route_key = format!("{method} {path}");
        let route_key: &'static str = Box::leak(route_key.into_boxed_str());
        router = router.route(
            path,
            on(
                method_filter(method),
                move |state: State<Arc<App>>,
                      connect: ConnectInfo<SocketAddr>,
                      params: Option<Path<HashMap<String, String>>>,
                      request: axum::extract::Request| {
                    call(state, connect, params, request, name, route_key, auth)
                },
            ),
        );
    }
    if app.local_endpoints.served() {
        router = router.merge(local_api::router());
    }
    router
        .route("/openapi.json", axum::routing::get(openapi))
        .route("/config.json", axum::routing::get(web::config))
        .merge(berth_search::search_routes(app.platform.search.clone()))
        .fallback(web::fallback)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            edge::edge,
        ))
        .with_state(app)
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn method_not_allowed() -> Response {
    problem(Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "this route does not take that method",
    ))
}

/// The verified claims for a protected route, or the 401 to answer.
fn authorize(
    app: &App,
    request: &axum::extract::Request,
) -> Result<serde_json::Map<String, serde_json::Value>, Box<Response>> {
    let unauthorized = |detail: &str| {
        let mut response = problem(Problem::unauthenticated(detail));
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        Box::new(response)
    };
    let token = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(|| unauthorized("a bearer token is required (POST /local/token makes one)"))?;
    app.auth
        .verify(token.trim())
        .map_err(|why| unauthorized(&format!("the token is not valid: {why}")))
}

async fn call(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    params: Option<Path<HashMap<String, String>>>,
    request: axum::extract::Request,
    name: &'static str,
    route_key: &'static str,
    protected: bool,
) -> Response {
    let claims = if protected {
        match authorize(&app, &request) {
            Ok(claims) => Some(claims),
            Err(response) => return *response,
        }
    } else {
        None
    };
    let request_id = edge::request_id(&request);
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return problem(edge::too_large());
    };
    let incoming = Incoming {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or(""),
        headers: &parts.headers,
        body: &body,
        route_key,
        path_parameters: params.map(|Path(p)| p).unwrap_or_default(),
        source_ip: &peer.ip().to_string(),
        request_id: &request_id,
        claims,
    };
    let event = gateway::event(&incoming);
    let request = match gateway::request(event) {
        Ok(request) => request,
        Err(error) => {
            return problem(Problem::internal(&anyhow::anyhow!(
                "building the API Gateway event: {error}"
            )));
        }
    };
    let Some(function) = app.platform.functions.http.get(name) else {
        return problem(Problem::internal(&anyhow::anyhow!("no function {name}")));
    };
    to_axum(function(request).await)
}
