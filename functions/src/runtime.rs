//! A function's handler, boxed once here for every function, and the Lambda
//! runtime loop that serves it. Each function's builder hands over its
//! handler boxed, so the runtime's generic stack (HTTP client, tower
//! layers, tracing) is built in this library once rather than instantiated
//! anew in each of the 29 binaries. The local platform calls the same boxed
//! handlers.

use std::future::Future;
use std::sync::Arc;

use berth_aws::{AwsConfig, AwsSource};
use futures::future::BoxFuture;
use lambda_http::{Body, Request, Response};
use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::catalogue::Function;

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

/// A Lambda's `main`: builds `function`'s handler once, at init, from the
/// environment template.yaml sets (a missing variable fails here, by name),
/// then serves invocations until Lambda stops it.
pub async fn run(function: &Function) -> Result<(), lambda_runtime::Error> {
    crate::init_logging();
    let source = AwsSource::new(AwsConfig::load().await);
    let handler =
        (function.build.aws)(&source).map_err(|e| format!("building {}: {e:#}", function.name))?;
    match handler {
        Handler::Http(handler) => {
            lambda_http::run(lambda_http::service_fn(move |request| handler(request))).await
        }
        Handler::Json(handler) => {
            lambda_runtime::run(lambda_runtime::service_fn(move |event| handler(event))).await
        }
    }
}
