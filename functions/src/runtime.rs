//! The Lambda runtime loop, compiled once here for every function. Each
//! binary hands over its handler boxed, so the runtime's generic stack
//! (HTTP client, tower layers, tracing) is built in this library once rather
//! than instantiated anew in each of the 29 binaries — most of what
//! `sam build` and `scripts/package.sh` spent their time on.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use lambda_http::{Body, Request, Response};
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

type HttpFuture = Pin<Box<dyn Future<Output = Result<Response<Body>, lambda_http::Error>> + Send>>;
type HttpHandler = Arc<dyn Fn(Request) -> HttpFuture + Send + Sync>;

type JsonFuture = Pin<Box<dyn Future<Output = Result<Value, Diagnostic>> + Send>>;
type JsonHandler = Arc<dyn Fn(LambdaEvent<Value>) -> JsonFuture + Send + Sync>;

/// Serves an API Gateway (HTTP API, payload 2.0) function until Lambda
/// stops it; each request is handed to `handler` with the function's `deps`.
pub async fn http<D, F, Fut>(deps: D, handler: F) -> Result<(), lambda_http::Error>
where
    D: Send + Sync + 'static,
    F: Fn(Arc<D>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, lambda_http::Error>> + Send + 'static,
{
    let deps = Arc::new(deps);
    serve_http(Arc::new(move |request| {
        Box::pin(handler(deps.clone(), request))
    }))
    .await
}

async fn serve_http(handler: HttpHandler) -> Result<(), lambda_http::Error> {
    lambda_http::run(lambda_http::service_fn(move |request| handler(request))).await
}

/// Serves a function with a typed event (a workflow task, an SQS batch, a
/// stream batch, a schedule) until Lambda stops it. Its error becomes the
/// invocation's `errorType` and `errorMessage`, which the state machine's
/// Retry and Catch match on.
pub async fn function<D, T, R, E, F, Fut>(deps: D, handler: F) -> Result<(), lambda_runtime::Error>
where
    D: Send + Sync + 'static,
    T: DeserializeOwned + Send + 'static,
    R: Serialize + 'static,
    E: Into<Diagnostic> + 'static,
    F: Fn(Arc<D>, LambdaEvent<T>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + Send + 'static,
{
    let (deps, handler) = (Arc::new(deps), Arc::new(handler));
    serve_json(Arc::new(move |event: LambdaEvent<Value>| {
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
    .await
}

async fn serve_json(handler: JsonHandler) -> Result<(), lambda_runtime::Error> {
    lambda_runtime::run(lambda_runtime::service_fn(move |event| handler(event))).await
}
