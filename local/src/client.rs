//! A small HTTP client for Berth's API, used by `berth demo`, `berth bench`
//! and the end-to-end tests.

use std::time::Duration;

use anyhow::Context;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{HeaderMap, Method, Request, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde_json::{Value, json};

#[derive(Clone)]
pub struct Api {
    base: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

/// An answer: status, headers, and the body as JSON (`Null` when empty or
/// not JSON) and as text.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Api {
    pub fn new(base: &str) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Self {
            base: base.trim_end_matches('/').to_owned(),
            client,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Sends a request with raw body bytes.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> anyhow::Result<Answer> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if !body.is_empty() {
            request = request.header("content-type", "application/json");
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = self
            .client
            .request(request.body(Full::new(Bytes::from(body)))?)
            .await
            .with_context(|| format!("calling {path}"))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await?.to_bytes();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(Answer {
            status,
            headers,
            body,
            text: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<Answer> {
        let bytes = body.map(|b| b.to_string().into_bytes()).unwrap_or_default();
        self.send(method, path, token, &[], bytes).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> anyhow::Result<Answer> {
        self.call(Method::GET, path, token, None).await
    }

    pub async fn post(
        &self,
        path: &str,
        token: Option<&str>,
        body: &Value,
    ) -> anyhow::Result<Answer> {
        self.call(Method::POST, path, token, Some(body)).await
    }

    /// A local token for `sub` in `groups`.
    pub async fn token(&self, sub: &str, groups: &[&str]) -> anyhow::Result<String> {
        let answer = self
            .post("/local/token", None, &json!({"sub": sub, "groups": groups}))
            .await?;
        answer.body["token"]
            .as_str()
            .map(str::to_owned)
            .with_context(|| format!("no token in {} {}", answer.status, answer.body))
    }

    /// Starts a booking with an Idempotency-Key.
    pub async fn book(&self, token: &str, key: &str, body: &Value) -> anyhow::Result<Answer> {
        self.send(
            Method::POST,
            "/bookings",
            Some(token),
            &[("idempotency-key", key)],
            body.to_string().into_bytes(),
        )
        .await
    }

    /// Polls a booking until it settles (CONFIRMED, FAILED, EXPIRED or
    /// CANCELLED) or `timeout` passes; answers its last state.
    pub async fn settled(&self, token: &str, id: &str, timeout: Duration) -> anyhow::Result<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        let mut pause = Duration::from_millis(2);
        loop {
            let answer = self.get(&format!("/bookings/{id}"), Some(token)).await?;
            let status = answer.body["status"].as_str().unwrap_or_default();
            if matches!(status, "CONFIRMED" | "FAILED" | "EXPIRED" | "CANCELLED") {
                return Ok(answer.body);
            }
            if tokio::time::Instant::now() >= deadline {
                anyhow::bail!("booking {id} still {status} after {timeout:?}");
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(100));
        }
    }
}
