//! A function's handler, boxed once here for every function, and the Lambda
//! runtime loop that serves it. Each function's builder hands over its
//! handler boxed, so the runtime's generic stack (HTTP client, tower
//! layers, tracing) is built in this library once rather than instantiated
//! anew in each of the 29 binaries. The local platform calls the same boxed
//! handlers.

use std::future::Future;
use std::sync::Arc;

use berth_aws::config::vars;
use berth_aws::{AwsConfig, AwsSource};
use futures::future::BoxFuture;
use lambda_http::{Body, Request, Response};
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::catalogue::{Function, Trigger};

pub type HttpHandler = Arc<
    dyn Fn(Request) -> BoxFuture<'static, Result<Response<Body>, lambda_http::Error>> + Send + Sync,
>;

pub type JsonHandler =
    Arc<dyn Fn(LambdaEvent<Value>) -> BoxFuture<'static, Result<Value, Diagnostic>> + Send + Sync>;

/// A function's handler: an API Gateway route, or any other event as JSON.
#[derive(Clone)]
pub enum Handler {
    Http(HttpHandler),
    Json(JsonHandler),
}

impl Handler {
    /// An API Gateway (HTTP API, payload 2.0) handler: each request is
    /// handed to `handler` with the function's `deps`.
    pub fn http<D, F, Fut>(deps: D, handler: F) -> Self
    where
        D: Send + Sync + 'static,
        F: Fn(Arc<D>, Request) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response<Body>, lambda_http::Error>> + Send + 'static,
    {
        let deps = Arc::new(deps);
        Self::Http(Arc::new(move |request| {
            Box::pin(handler(deps.clone(), request))
        }))
    }

    /// A handler of a typed event (a workflow task, an SQS batch, a stream
    /// batch, a schedule). Its error becomes the invocation's `errorType`
    /// and `errorMessage`, which the state machine's Retry and Catch match on.
    pub fn json<D, T, R, E, F, Fut>(deps: D, handler: F) -> Self
    where
        D: Send + Sync + 'static,
        T: DeserializeOwned + Send + 'static,
        R: Serialize + 'static,
        E: Into<Diagnostic> + 'static,
        F: Fn(Arc<D>, LambdaEvent<T>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + Send + 'static,
    {
        let (deps, handler) = (Arc::new(deps), Arc::new(handler));
        Self::Json(Arc::new(move |event: LambdaEvent<Value>| {
            let (deps, handler) = (deps.clone(), handler.clone());
            Box::pin(async move {
                let LambdaEvent { payload, context } = event;
                let payload: T = serde_json::from_value(payload).map_err(|e| Diagnostic {
                    error_type: "Runtime.DeserializationError".to_owned(),
                    error_message: format!("the event is not what this function takes: {e}"),
                })?;
                let output = handler(deps, LambdaEvent::new(payload, context))
                    .await
                    .map_err(Into::into)?;
                serde_json::to_value(output).map_err(|e| Diagnostic {
                    error_type: "Runtime.SerializationError".to_owned(),
                    error_message: e.to_string(),
                })
            })
        }))
    }
}

/// The variables the runtime itself reads for a function with `trigger`,
/// beside its ports': where the AWS clients go (all), the edge's secret
/// (HTTP functions).
pub fn environment(trigger: Trigger) -> &'static [&'static str] {
    match trigger {
        Trigger::Http { .. } => &[vars::EMULATOR_ENDPOINT, EDGE_SECRET_VAR],
        _ => &[vars::EMULATOR_ENDPOINT],
    }
}

/// A Lambda's `main`: builds `function`'s handler once, at init, from the
/// environment template.yaml sets (a missing variable fails here, by name),
/// then serves invocations until Lambda stops it.
pub async fn run(function: &Function) -> Result<(), lambda_runtime::Error> {
    crate::init_logging();
    let source = AwsSource::new(AwsConfig::load().await);
    let handler =
        (function.build.aws)(&source).map_err(|e| format!("building {}: {e:#}", function.name))?;
    match handler {
        Handler::Http(handler) => serve_http(handler).await,
        Handler::Json(handler) => {
            lambda_runtime::run(lambda_runtime::service_fn(move |event| handler(event))).await
        }
    }
}

async fn serve_http(handler: HttpHandler) -> Result<(), lambda_http::Error> {
    let edge = EdgeSecret::from_env();
    lambda_http::run(lambda_http::service_fn(move |request: Request| {
        if edge.admits(&request) {
            handler(request)
        } else {
            let refused =
                crate::api::Problem::forbidden("requests reach this API through its edge")
                    .into_response();
            Box::pin(async move { Ok(refused) })
        }
    }))
    .await
}

/// The header CloudFront adds to every request it forwards to the API
/// (template.yaml, `EdgeDistribution`'s origin), holding the edge's secret.
pub const EDGE_HEADER: &str = "x-berth-edge";
/// The variable holding that secret; empty when the stack has no edge.
pub const EDGE_SECRET_VAR: &str = "EDGE_ORIGIN_SECRET";

/// With the edge on, only requests that came through CloudFront (and so
/// through WAF's rate and size limits) are served: the API's own
/// execute-api URL stays reachable, and an HTTP API takes no resource
/// policy, so each function checks the secret header itself.
#[derive(Clone, Default)]
pub struct EdgeSecret(Option<Arc<str>>);

impl EdgeSecret {
    pub fn new(secret: &str) -> Self {
        Self((!secret.is_empty()).then(|| Arc::from(secret)))
    }

    /// Read once, at init.
    pub fn from_env() -> Self {
        Self::new(&std::env::var(EDGE_SECRET_VAR).unwrap_or_default())
    }

    pub fn admits(&self, request: &Request) -> bool {
        let Some(secret) = &self.0 else {
            return true;
        };
        let sent = request
            .headers()
            .get(EDGE_HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        // The same time whatever the first differing byte.
        sent.len() == secret.len()
            && sent
                .iter()
                .zip(secret.as_bytes())
                .fold(0u8, |differ, (a, b)| differ | (a ^ b))
                == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(header: Option<&str>) -> Request {
        let mut builder = lambda_http::http::Request::builder().uri("/health");
        if let Some(value) = header {
            builder = builder.header(EDGE_HEADER, value);
        }
        builder.body(Body::Empty).unwrap()
    }

    #[test]
    fn without_an_edge_every_request_is_served() {
        let open = EdgeSecret::new("");
        assert!(open.admits(&request(None)));
        assert!(open.admits(&request(Some("anything"))));
    }

    #[test]
    fn with_an_edge_only_requests_carrying_its_secret_are_served() {
        let edge = EdgeSecret::new("s3cret-from-the-stack");
        assert!(edge.admits(&request(Some("s3cret-from-the-stack"))));
        for wrong in [
            None,
            Some(""),
            Some("s3cret-from-the-stacK"),
            Some("s3cret"),
        ] {
            assert!(!edge.admits(&request(wrong)), "{wrong:?} admitted");
        }
    }
}
