//! Every function of the catalogue, built over the platform's ports and
//! callable two ways: HTTP functions take a `lambda_http::Request` straight
//! from the server, and every function takes its Lambda event as JSON and
//! answers JSON or an error (what `Invoke` does in AWS).

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use berth_asl::TaskFailure;
use berth_domain::wiring::Ports;
use berth_functions::catalogue::FUNCTIONS;
use berth_functions::runtime::{Handler, HttpHandler, JsonHandler};
use futures::future::BoxFuture;
use lambda_http::{Body, Request, Response};
use lambda_runtime::{Context, LambdaEvent};
use serde_json::Value;

pub type HttpFn = Arc<dyn Fn(Request) -> BoxFuture<'static, Response<Body>> + Send + Sync>;
pub type JsonFn =
    Arc<dyn Fn(Value) -> BoxFuture<'static, Result<Value, TaskFailure>> + Send + Sync>;

pub struct Functions {
    pub http: HashMap<&'static str, HttpFn>,
    pub json: HashMap<&'static str, JsonFn>,
}

impl Functions {
    /// Every function of the catalogue, each built by its own builder over
    /// `ports`.
    pub fn new(ports: &Ports) -> anyhow::Result<Self> {
        let mut functions = Self {
            http: HashMap::new(),
            json: HashMap::new(),
        };
        for f in FUNCTIONS {
            let handler = (f.build.embedded)(ports)
                .with_context(|| format!("building function {}", f.name))?;
            let json = match handler {
                Handler::Http(handler) => {
                    let http = served(handler);
                    functions.http.insert(f.name, http.clone());
                    http_as_json(http)
                }
                Handler::Json(handler) => invoked(handler),
            };
            functions.json.insert(f.name, json);
        }
        Ok(functions)
    }
}

/// An HTTP handler as the server calls it: an error is API Gateway's 500.
fn served(handler: HttpHandler) -> HttpFn {
    Arc::new(move |request| {
        let answer = handler(request);
        Box::pin(async move {
            answer.await.unwrap_or_else(|error| {
                tracing::error!(error = %error, "an HTTP function failed");
                let mut response =
                    Response::new(Body::Text(r#"{"message":"Internal Server Error"}"#.into()));
                *response.status_mut() = lambda_http::http::StatusCode::INTERNAL_SERVER_ERROR;
                response
            })
        })
    })
}

/// A handler as Invoke calls it: JSON in, JSON out, or the error type and
/// message Lambda would report.
fn invoked(handler: JsonHandler) -> JsonFn {
    Arc::new(move |input| {
        let answer = handler(LambdaEvent::new(input, Context::default()));
        Box::pin(async move {
            answer.await.map_err(|diagnostic| {
                TaskFailure::new(diagnostic.error_type, diagnostic.error_message)
            })
        })
    })
}

/// An HTTP function invoked with its API Gateway event as JSON: answers the
/// HTTP API's response shape.
fn http_as_json(function: HttpFn) -> JsonFn {
    Arc::new(move |event| {
        let function = function.clone();
        Box::pin(async move {
            let request = lambda_http::request::from_str(&event.to_string())
                .map_err(|e| TaskFailure::new("Runtime.UnmarshalError", e.to_string()))?;
            Ok(super::gateway::response_json(function(request).await))
        })
    })
}
