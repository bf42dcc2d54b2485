//! What every HTTP handler shares: who is calling (from the JWT authorizer's
//! claims, where API Gateway puts them), reading path, query and body into
//! domain values, and answering JSON or `application/problem+json`.
//! Domain errors become HTTP problems here and nowhere else.

use std::collections::BTreeSet;

use berth_domain::catalog::CatalogError;
use berth_domain::error::InvalidInput;
use berth_domain::ids::UserId;
use berth_domain::ports::PageRequest;
use berth_domain::reports::ReportError;
use berth_domain::reservations::BookingError;
use berth_domain::user::{Caller, Group};
use lambda_http::http::{HeaderValue, StatusCode, header};
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Bodies larger than this are refused (WAF enforces the same at the edge).
pub const MAX_BODY_BYTES: usize = 8 * 1024;

pub type Answer = Result<Response<Body>, Problem>;

/// An RFC 9457 problem: what went wrong, in words and as a status.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: &'static str,
    pub status: u16,
    pub detail: String,
    /// The request field, parameter or header at fault, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip)]
    pub retry_after: Option<u32>,
}

impl Problem {
    pub fn new(
        status: StatusCode,
        slug: &str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind: format!("https://berth.dev/problems/{slug}"),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            field: None,
            retry_after: None,
        }
    }

    pub fn invalid(error: InvalidInput) -> Self {
        let detail = error.to_string();
        Self {
            field: (!error.field.is_empty()).then_some(error.field),
            ..Self::new(
                StatusCode::BAD_REQUEST,
                "invalid-request",
                "Invalid request",
                detail,
            )
        }
    }

    pub fn unauthenticated(detail: &str) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            detail,
        )
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    /// An error nobody planned for: logged in full, answered in general terms.
    pub fn internal(error: &anyhow::Error) -> Self {
        tracing::error!(error = format!("{error:#}"), "unexpected error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "something went wrong on our side; it was logged",
        )
    }

    pub fn into_response(self) -> Response<Body> {
        let body = serde_json::to_string(&self).unwrap_or_default();
        let mut response = Response::new(Body::Text(body));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<InvalidInput> for Problem {
    fn from(error: InvalidInput) -> Self {
        Problem::invalid(error)
    }
}

impl From<anyhow::Error> for Problem {
    fn from(error: anyhow::Error) -> Self {
        Problem::internal(&error)
    }
}

impl From<CatalogError> for Problem {
    fn from(error: CatalogError) -> Self {
        match error {
            CatalogError::Invalid(e) => Problem::invalid(e),
            CatalogError::Forbidden(why) => Problem::forbidden(why),
            CatalogError::NotFound(_) | CatalogError::FeedNotFound(_) => {
                Problem::not_found(error.to_string())
            }
            CatalogError::NightsTaken(_) | CatalogError::Contended => {
                Problem::conflict(error.to_string())
            }
            CatalogError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<BookingError> for Problem {
    fn from(error: BookingError) -> Self {
        match error {
            BookingError::Invalid(e) => Problem::invalid(e),
            BookingError::PropertyNotFound(_) | BookingError::NotFound(_) => {
                Problem::not_found(error.to_string())
            }
            BookingError::Forbidden(why) => Problem::forbidden(why),
            BookingError::KeyReused => Problem {
                field: Some("Idempotency-Key".into()),
                ..Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "idempotency-key-reused",
                    "Idempotency-Key reused",
                    error.to_string(),
                )
            },
            BookingError::InProgress => Problem {
                retry_after: Some(1),
                ..Problem::conflict(error.to_string())
            },
            BookingError::NotCancellable(_) | BookingError::Contended => {
                Problem::conflict(error.to_string())
            }
            BookingError::Payment(e) => Problem {
                retry_after: Some(5),
                ..Problem::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "payment-unavailable",
                    "Payment provider unavailable",
                    e.to_string(),
                )
            },
            BookingError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

impl From<ReportError> for Problem {
    fn from(error: ReportError) -> Self {
        match error {
            ReportError::Forbidden => Problem::forbidden(error.to_string()),
            ReportError::Unexpected(e) => Problem::internal(&e),
        }
    }
}

/// Turns a handler's outcome into the response Lambda returns: a request
/// never makes the function itself fail.
pub fn respond(answer: Answer) -> Result<Response<Body>, lambda_http::Error> {
    Ok(answer.unwrap_or_else(Problem::into_response))
}

pub fn json(status: StatusCode, value: &impl Serialize) -> Answer {
    let body = serde_json::to_string(value).map_err(anyhow::Error::from)?;
    let mut response = Response::new(Body::Text(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(response)
}

pub fn no_content() -> Answer {
    let mut response = Response::new(Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}

/// The authenticated caller, from the JWT authorizer's claims: `sub`, and
/// `cognito:groups`, which API Gateway flattens to a string like `[hosts admins]`.
pub fn caller(request: &Request) -> Result<Caller, Problem> {
    let context = request.request_context_ref();
    let claims = context
        .and_then(|c| c.authorizer())
        .and_then(|a| a.jwt.as_ref())
        .map(|jwt| &jwt.claims)
        .ok_or_else(|| Problem::unauthenticated("a bearer token is required"))?;
    let sub = claims
        .get("sub")
        .ok_or_else(|| Problem::unauthenticated("the token has no subject"))?;
    let user = UserId::parse(sub)
        .map_err(|_| Problem::unauthenticated("the token's subject is not a user id"))?;
    let groups: BTreeSet<Group> = claims
        .get("cognito:groups")
        .map(|raw| {
            raw.trim_matches(|c| c == '[' || c == ']')
                .split([' ', ','])
                .filter_map(|g| Group::parse(g.trim_matches('"')))
                .collect()
        })
        .unwrap_or_default();
    Ok(Caller::new(user, groups))
}

/// A path parameter parsed into a domain value; one that does not parse
/// names nothing that exists, hence 404.
pub fn path<T>(
    request: &Request,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, InvalidInput>,
) -> Result<T, Problem> {
    let raw = request
        .path_parameters_ref()
        .and_then(|p| p.first(name))
        .ok_or_else(|| Problem::not_found(format!("no {name} in the path")))?;
    parse(raw).map_err(|e| Problem::not_found(format!("{raw:?}: {}", e.problem)))
}

/// A query parameter, if present.
pub fn query<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request
        .query_string_parameters_ref()
        .and_then(|q| q.first(name))
}

/// Listings' pages: `limit` when not given, and the most one may ask.
pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// A listing's page from `limit` (1 to [`MAX_LIMIT`], default
/// [`DEFAULT_LIMIT`]) and `cursor` (the `next_cursor` of the page before,
/// an id `parse` reads).
pub fn page_request<C>(
    request: &Request,
    parse: impl FnOnce(&str) -> Result<C, InvalidInput>,
) -> Result<PageRequest<C>, Problem> {
    let limit = query(request, "limit")
        .map(|text| {
            text.parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_LIMIT).contains(n))
                .ok_or_else(|| {
                    InvalidInput::new(
                        "limit",
                        format!("must be a whole number from 1 to {MAX_LIMIT}"),
                    )
                })
        })
        .transpose()?
        .unwrap_or(DEFAULT_LIMIT);
    let after = query(request, "cursor")
        .map(|c| {
            parse(c).map_err(|_| InvalidInput::new("cursor", "is not a cursor from this listing"))
        })
        .transpose()?;
    Ok(PageRequest { limit, after })
}

/// A required query parameter parsed into a domain value.
pub fn required_query<T>(
    request: &Request,
    name: &str,
    parse: impl FnOnce(&str) -> Result<T, InvalidInput>,
) -> Result<T, Problem> {
    let raw = query(request, name)
        .ok_or_else(|| Problem::invalid(InvalidInput::new(name, "is required")))?;
    parse(raw).map_err(|e| {
        Problem::invalid(InvalidInput {
            field: name.to_owned(),
            ..e
        })
    })
}

/// The JSON body as `T`: malformed JSON, a wrong type, a missing field or a
/// field `T` does not know are refused naming where it went wrong.
pub fn json_body<T: DeserializeOwned>(request: &Request) -> Result<T, Problem> {
    let bytes: &[u8] = request.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "body-too-large",
            "Body too large",
            format!("request bodies are at most {MAX_BODY_BYTES} bytes"),
        ));
    }
    if bytes.is_empty() {
        return Err(Problem::invalid(InvalidInput::new(
            "body",
            "a JSON body is required",
        )));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "body".to_owned() } else { path };
        Problem::invalid(InvalidInput::new(field, e.into_inner()))
    })?;
    deserializer
        .end()
        .map_err(|e| Problem::invalid(InvalidInput::new("body", e)))?;
    Ok(value)
}

/// A header's value as text, if present and printable.
pub fn header<'r>(request: &'r Request, name: &str) -> Option<&'r str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}
