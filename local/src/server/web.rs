//! The web app (web/), embedded in the binary and served at `/`: its files
//! with their content types and ETags, `/config.json` (how the app signs in
//! and where the API is; written at deploy in AWS, see docs/deployment.md),
//! and `index.html` for the app's own pages so a reload or a shared link
//! works. The app's pages live under their own first path segments; this
//! runs only when no API or `/local` route matched, so it never shadows one.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use berth_functions::api::Problem;
use serde_json::json;

use super::problem;

pub struct Asset {
    pub path: &'static str,
    pub bytes: &'static [u8],
    pub etag: &'static str,
}

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// First path segments of the app's pages (`/` is the search page).
pub const PAGES: [&str; 5] = ["stays", "trips", "host", "sign-in", "auth"];

/// Scripts, styles and data only from this origin; the API is same-origin here.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; img-src 'self' data:; \
    style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; \
    base-uri 'self'; form-action 'self'";

/// The embedded file at `path`, if the app has one.
pub fn asset(path: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.path == path)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// Which file answers `path`: the file itself, or `index.html` for a page.
fn resolve(path: &str) -> Option<&'static Asset> {
    if let Some(found) = asset(path) {
        return Some(found);
    }
    let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
    (path == "/" || PAGES.contains(&first))
        .then(|| asset("/index.html"))
        .flatten()
}

/// Files are not renamed per version, so browsers revalidate each time
/// (`no-cache`) and get 304 while the ETag holds.
fn serve(asset: &Asset, headers: &HeaderMap) -> Response {
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == asset.etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, content_type(asset.path))],
            Body::from(asset.bytes),
        )
            .into_response()
    };
    let set = response.headers_mut();
    set.insert(header::ETAG, HeaderValue::from_static(asset.etag));
    set.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    set.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if asset.path.ends_with(".html") {
        set.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    response
}

/// Answers what no route matched: the app's files and pages, else 404.
pub async fn fallback(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let found = (method == Method::GET || method == Method::HEAD)
        .then(|| resolve(uri.path()))
        .flatten();
    match found {
        Some(asset) => serve(asset, &headers),
        None => problem(Problem::not_found("no such route")),
    }
}

/// `GET /config.json`: locally, sign in through `POST /local/token` and call
/// the API on this same origin.
pub async fn config() -> Response {
    (
        [(header::CACHE_CONTROL, "no-cache")],
        axum::Json(json!({"api": "", "auth": {"kind": "local"}})),
    )
        .into_response()
}
