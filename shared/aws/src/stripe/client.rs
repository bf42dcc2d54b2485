//! Stripe's HTTP API: form-encoded requests, JSON answers, and the mapping
//! of its errors onto [`PaymentError`].
//!
//! The client is hyper 1 + rustls with ring, the stack the AWS SDK's HTTP
//! client already compiles: no second TLS library, no aws-lc.

use std::time::Duration;

use berth_domain::ports::PaymentError;
use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The API version every request asks for, so answers keep one shape.
pub const API_VERSION: &str = "2024-06-20";
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Clone)]
pub struct StripeClient {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    base: String,
    secret_key: String,
}

impl std::fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeClient")
            .field("base", &self.base)
            .field("secret_key", &"<redacted>")
            .finish()
    }
}

impl StripeClient {
    /// A client of the API at `base` (such as `https://api.stripe.com`).
    pub fn new(base: &str, secret_key: String) -> anyhow::Result<Self> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            http: Client::builder(TokioExecutor::new()).build(https),
            base: base.trim_end_matches('/').to_owned(),
            secret_key,
        })
    }

    /// POSTs a form; `idempotency_key` makes Stripe answer a repeat with the
    /// first answer.
    pub async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: &str,
    ) -> Result<T, PaymentError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        self.send(Method::POST, path, body, Some(idempotency_key))
            .await
    }

    pub async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, &str)],
    ) -> Result<T, PaymentError> {
        let path = if query.is_empty() {
            path.to_owned()
        } else {
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(query)
                .finish();
            format!("{path}?{query}")
        };
        self.send(Method::GET, &path, String::new(), None).await
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: String,
        idempotency_key: Option<&str>,
    ) -> Result<T, PaymentError> {
        let mut request = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base))
            .header("authorization", format!("Bearer {}", self.secret_key))
            .header("stripe-version", API_VERSION);
        if !body.is_empty() {
            request = request.header("content-type", "application/x-www-form-urlencoded");
        }
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| PaymentError::Rejected(format!("building a Stripe request: {e}")))?;
        let exchange = async {
            let response = self.http.request(request).await?;
            let status = response.status();
            let should_retry = response
                .headers()
                .get("stripe-should-retry")
                .and_then(|v| v.to_str().ok())
                .map(|v| v == "true");
            let body = response.into_body().collect().await?.to_bytes();
            Ok::<_, anyhow::Error>((status, should_retry, body))
        };
        let (status, should_retry, body) = match tokio::time::timeout(TIMEOUT, exchange).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(e)) => return Err(PaymentError::Unavailable(format!("reaching Stripe: {e:#}"))),
            Err(_) => {
                return Err(PaymentError::Unavailable(
                    "Stripe did not answer in time".into(),
                ));
            }
        };
        let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if !status.is_success() {
            return Err(classify(status, should_retry, &json));
        }
        serde_json::from_value(json)
            .map_err(|e| PaymentError::Unavailable(format!("unexpected answer from Stripe: {e}")))
    }
}

/// Stripe's error answers as the domain sees them: a card error is a
/// decline (final); rate limits, conflicts and server errors pass (retry
/// under the same key); a refused request is a bug or misconfiguration.
pub fn classify(status: StatusCode, should_retry: Option<bool>, body: &Value) -> PaymentError {
    let error = &body["error"];
    let message = error["message"].as_str().unwrap_or("no message").to_owned();
    let detail = match error["decline_code"].as_str().or(error["code"].as_str()) {
        Some(code) => format!("{code}: {message}"),
        None => message,
    };
    if status == StatusCode::PAYMENT_REQUIRED || error["type"] == "card_error" {
        return PaymentError::Declined(detail);
    }
    let transient = should_retry == Some(true)
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::CONFLICT
        || status.is_server_error();
    if transient && should_retry != Some(false) {
        PaymentError::Unavailable(format!("Stripe answered {status}: {detail}"))
    } else {
        PaymentError::Rejected(format!("Stripe answered {status}: {detail}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn error(kind: &str) -> Value {
        json!({"error": {"type": kind, "message": "m", "code": "c"}})
    }

    #[test]
    fn stripe_errors_map_to_declined_unavailable_or_rejected() {
        let cases = [
            (402, None, error("card_error"), "Declined"),
            (402, None, error("invalid_request_error"), "Declined"),
            (400, None, error("card_error"), "Declined"),
            (429, None, error("rate_limit_error"), "Unavailable"),
            (500, None, error("api_error"), "Unavailable"),
            (503, None, Value::Null, "Unavailable"),
            (409, None, error("idempotency_error"), "Unavailable"),
            (
                400,
                Some(true),
                error("invalid_request_error"),
                "Unavailable",
            ),
            (500, Some(false), error("api_error"), "Rejected"),
            (401, None, error("authentication_error"), "Rejected"),
            (400, None, error("invalid_request_error"), "Rejected"),
            (404, None, error("invalid_request_error"), "Rejected"),
        ];
        for (status, retry, body, expected) in cases {
            let got = classify(StatusCode::from_u16(status).unwrap(), retry, &body);
            let kind = match got {
                PaymentError::Declined(_) => "Declined",
                PaymentError::Unavailable(_) => "Unavailable",
                PaymentError::Rejected(_) => "Rejected",
            };
            assert_eq!(kind, expected, "{status} {retry:?} {body}");
        }
        let declined = classify(
            StatusCode::PAYMENT_REQUIRED,
            None,
            &json!({"error": {"type": "card_error", "code": "card_declined", "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}}),
        );
        assert_eq!(
            declined,
            PaymentError::Declined("insufficient_funds: Your card has insufficient funds.".into())
        );
    }

    #[test]
    fn the_secret_key_is_never_printed() {
        let client = StripeClient::new("http://127.0.0.1:1", "sk_test_secret".into()).unwrap();
        assert!(!format!("{client:?}").contains("sk_test_secret"));
    }
}
