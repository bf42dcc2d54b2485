//! What API Gateway's HTTP API does around a function: the payload 2.0 event
//! it sends (with the JWT authorizer's claims where AWS puts them) and the
//! response shape it expects back.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::Utc;
use lambda_http::request::LambdaRequest;
use lambda_http::{Body, Request, Response};
use serde_json::{Map, Value, json};

/// One HTTP request as the local server received it.
pub struct Incoming<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a lambda_http::http::HeaderMap,
    pub body: &'a [u8],
    pub route_key: &'a str,
    pub path_parameters: HashMap<String, String>,
    pub source_ip: &'a str,
    pub request_id: &'a str,
    /// The verified token's claims, for routes behind the authorizer.
    pub claims: Option<Map<String, Value>>,
}

/// The API Gateway v2 (payload format 2.0) event for a request.
pub fn event(incoming: &Incoming<'_>) -> Value {
    let (headers, cookies) = headers_and_cookies(incoming.headers);
    let query = query_parameters(incoming.query);
    let now = Utc::now();
    let (body, base64) = match std::str::from_utf8(incoming.body) {
        Ok(text) => (Value::from(text), false),
        Err(_) => (Value::from(BASE64.encode(incoming.body)), true),
    };
    let authorizer = incoming
        .claims
        .as_ref()
        .map(|claims| json!({"jwt": {"claims": claims, "scopes": null}}));
    let mut event = json!({
        "version": "2.0",
        "routeKey": incoming.route_key,
        "rawPath": incoming.path,
        "rawQueryString": incoming.query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "berth-local",
            "domainName": headers.get("host").cloned().unwrap_or(Value::from("127.0.0.1")),
            "domainPrefix": "berth-local",
            "http": {
                "method": incoming.method,
                "path": incoming.path,
                "protocol": "HTTP/1.1",
                "sourceIp": incoming.source_ip,
                "userAgent": headers.get("user-agent").cloned().unwrap_or(Value::from("")),
            },
            "requestId": incoming.request_id,
            "routeKey": incoming.route_key,
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "body": body,
        "isBase64Encoded": base64,
    });
    let map = event.as_object_mut().expect("an object literal");
    if !cookies.is_empty() {
        map.insert("cookies".into(), Value::from(cookies));
    }
    if !query.is_empty() {
        map.insert("queryStringParameters".into(), Value::Object(query));
    }
    if !incoming.path_parameters.is_empty() {
        map.insert("pathParameters".into(), json!(incoming.path_parameters));
    }
    if let Some(authorizer) = authorizer {
        map["requestContext"]["authorizer"] = authorizer;
    }
    event
}

/// The headers as API Gateway passes them (repeated ones joined with
/// commas), and the cookies, which it passes apart.
fn headers_and_cookies(
    incoming: &lambda_http::http::HeaderMap,
) -> (Map<String, Value>, Vec<Value>) {
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in incoming {
        let Ok(value) = value.to_str() else { continue };
        if name == "cookie" {
            cookies.extend(value.split(';').map(|c| Value::from(c.trim())));
            continue;
        }
        join_repeated(&mut headers, name.as_str().to_owned(), value);
    }
    (headers, cookies)
}

/// The query string's parameters, repeated ones joined with commas.
fn query_parameters(query: &str) -> Map<String, Value> {
    let mut parameters = Map::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        join_repeated(&mut parameters, key.into_owned(), &value);
    }
    parameters
}

/// API Gateway joins a repeated header or parameter's values with commas.
fn join_repeated(map: &mut Map<String, Value>, key: String, value: &str) {
    match map.get_mut(&key) {
        Some(Value::String(existing)) => {
            existing.push(',');
            existing.push_str(value);
        }
        _ => {
            map.insert(key, Value::from(value));
        }
    }
}

/// The request a function receives for an event, exactly as lambda_http
/// builds it in AWS.
pub fn request(event: Value) -> Result<Request, serde_json::Error> {
    serde_json::from_value::<LambdaRequest>(event).map(Request::from)
}

/// A function's response in the shape an HTTP API integration returns.
pub fn response_json(response: Response<Body>) -> Value {
    let mut headers = Map::new();
    for (name, value) in response.headers() {
        if let Ok(value) = value.to_str() {
            headers.insert(name.as_str().to_owned(), Value::from(value));
        }
    }
    let (body, base64) = match response.body() {
        Body::Empty => (Value::from(""), false),
        Body::Text(text) => (Value::from(text.as_str()), false),
        Body::Binary(bytes) => (Value::from(BASE64.encode(bytes)), true),
        _ => (Value::from(""), false),
    };
    json!({
        "statusCode": response.status().as_u16(),
        "headers": headers,
        "body": body,
        "isBase64Encoded": base64,
    })
}
