//! The web app as `berth serve` serves it: embedded files with their types
//! and ETags, the app's pages answered with index.html, the runtime config,
//! and API and `/local` routes never shadowed by the app, neither here nor
//! behind CloudFront (template.yaml).

use berth_functions::catalogue::{FUNCTIONS, Trigger};
use berth_local::server::web::PAGES;
use hyper::Method;

use crate::support::spawn;

#[tokio::test]
async fn the_app_is_served_with_types_and_etags() {
    let app = spawn().await;
    let api = &app.api;
    for (path, kind) in [
        ("/", "text/html; charset=utf-8"),
        ("/app.css", "text/css; charset=utf-8"),
        ("/js/main.js", "text/javascript; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
    ] {
        let answer = api.get(path, None).await.unwrap();
        assert_eq!(answer.status.as_u16(), 200, "{path}");
        assert_eq!(answer.header("content-type"), Some(kind), "{path}");
        assert_eq!(answer.header("cache-control"), Some("no-cache"), "{path}");
        let etag = answer.header("etag").expect("an ETag").to_owned();
        let again = api
            .send(
                Method::GET,
                path,
                None,
                &[("if-none-match", &etag)],
                Vec::new(),
            )
            .await
            .unwrap();
        assert_eq!(again.status.as_u16(), 304, "{path} unchanged");
    }
    let page = api.get("/", None).await.unwrap();
    assert!(page.header("content-security-policy").is_some());
    let config = api.get("/config.json", None).await.unwrap();
    assert_eq!(config.body["auth"]["kind"], "local");
    assert_eq!(config.body["api"], "");
}

#[tokio::test]
async fn app_pages_get_index_html_and_api_routes_stay_the_api() {
    let app = spawn().await;
    let api = &app.api;
    let index = api.get("/", None).await.unwrap().headers["etag"].clone();
    // The app's pages are index.html; other unknown paths, API-like or
    // not, are the API's 404 problem.
    let pages = [
        "/trips",
        "/trips/bk_1",
        "/stays/p_1",
        "/host/listings/p_1",
        "/sign-in",
    ];
    let unknown = [
        "/properties/nope/unknown",
        "/bookings/a/b/c",
        "/local/nothing",
        "/nothing.js",
        "/js/nothing.js",
    ];
    for path in pages.iter().chain(&unknown) {
        let answer = api.get(path, None).await.unwrap();
        if pages.contains(path) {
            assert_eq!(answer.status.as_u16(), 200, "{path}");
            assert_eq!(answer.headers["etag"], index, "{path} is the app");
        } else {
            assert_eq!(answer.status.as_u16(), 404, "{path}");
            let kind = answer.header("content-type");
            assert_eq!(kind, Some("application/problem+json"), "{path}");
        }
    }
    let health = api.get("/health", None).await.unwrap();
    assert_eq!(health.header("content-type"), Some("application/json"));
    let search = api.get("/search?city=Lisbon", None).await.unwrap();
    assert_ne!(
        search.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let token = api
        .send(Method::GET, "/local/token", None, &[], Vec::new())
        .await
        .unwrap();
    assert_eq!(
        token.status.as_u16(),
        405,
        "a /local route keeps its methods"
    );
    let posted = api
        .send(Method::POST, "/trips", None, &[], Vec::new())
        .await
        .unwrap();
    assert_eq!(posted.status.as_u16(), 404, "pages answer GET only");
}

/// Whether CloudFront's path pattern (`*` any characters, `?` one) matches `path`.
fn glob(pattern: &[u8], path: &[u8]) -> bool {
    match (pattern.first(), path.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            glob(&pattern[1..], path) || (!path.is_empty() && glob(pattern, &path[1..]))
        }
        (Some(b'?'), Some(_)) => glob(&pattern[1..], &path[1..]),
        (Some(p), Some(c)) if p == c => glob(&pattern[1..], &path[1..]),
        _ => false,
    }
}

/// Every API route as a request path (`{id}` → `x`), `/search` included.
fn api_paths() -> Vec<String> {
    FUNCTIONS
        .iter()
        .filter_map(|f| match f.trigger {
            Trigger::Http { path, .. } => Some(path),
            _ => None,
        })
        .chain(["/search"])
        .map(|path| {
            path.split('/')
                .map(|s| if s.starts_with('{') { "x" } else { s })
                .collect::<Vec<_>>()
                .join("/")
        })
        .collect()
}

#[test]
fn app_pages_and_api_routes_never_share_a_path() {
    for path in api_paths() {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        assert!(
            !PAGES.contains(&first),
            "{path} would be shadowed by the app's pages"
        );
    }
}

/// CloudFront (the api stack): the app by default, every API route to the API.
#[test]
fn the_edge_sends_api_routes_to_the_api_and_the_rest_to_the_app() {
    let stacks = crate::stacks::Stacks::load();
    let resources = stacks.resources();
    let (_, distribution) = resources
        .get("EdgeDistribution")
        .expect("a stack has EdgeDistribution");
    let config = &distribution["Properties"]["DistributionConfig"];
    assert_eq!(config["DefaultCacheBehavior"]["TargetOriginId"], "web");
    let to_api: Vec<&str> = config["CacheBehaviors"]
        .as_sequence()
        .expect("cache behaviours")
        .iter()
        .filter(|b| b["TargetOriginId"] == "api")
        .filter_map(|b| b["PathPattern"].as_str())
        .collect();
    let reaches_api = |path: &str| to_api.iter().any(|p| glob(p.as_bytes(), path.as_bytes()));
    for path in api_paths() {
        assert!(reaches_api(&path), "{path} does not reach the API");
    }
    for path in [
        "/",
        "/index.html",
        "/config.json",
        "/openapi.json",
        "/js/main.js",
        "/app.css",
        "/trips",
        "/trips/bk_1",
        "/stays/p_1",
        "/host/listings/p_1",
        "/sign-in",
        "/auth/callback",
    ] {
        assert!(!reaches_api(path), "{path} should be the web app's");
    }
}
