//! The web app as `berth serve` serves it: embedded files with their types
//! and ETags, the app's pages answered with index.html, the runtime config,
//! and API and `/local` routes never shadowed by the app.

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
    for page in [
        "/trips",
        "/trips/bk_1",
        "/stays/p_1",
        "/host/listings/p_1",
        "/sign-in",
    ] {
        let answer = api.get(page, None).await.unwrap();
        assert_eq!(answer.status.as_u16(), 200, "{page}");
        assert_eq!(answer.headers["etag"], index, "{page} is the app");
    }
    for path in [
        "/properties/nope/unknown",
        "/bookings/a/b/c",
        "/local/nothing",
        "/nothing.js",
        "/js/nothing.js",
    ] {
        let answer = api.get(path, None).await.unwrap();
        assert_eq!(answer.status.as_u16(), 404, "{path}");
        assert_eq!(
            answer.header("content-type"),
            Some("application/problem+json"),
            "{path}"
        );
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
