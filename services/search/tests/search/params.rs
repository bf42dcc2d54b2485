//! Bad parameters get 400 problem+json naming the parameter.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use berth_search::{SearchService, router};
use tower::ServiceExt;

use crate::support::{TestClock, morning};

async fn get(uri: &str) -> (StatusCode, String, serde_json::Value) {
    let service = Arc::new(SearchService::empty(Arc::new(TestClock::new(morning()))));
    let response = router(service)
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (
        status,
        content_type,
        serde_json::from_slice(&bytes).unwrap(),
    )
}

#[tokio::test]
async fn each_bad_parameter_is_named_in_a_problem() {
    let stay = "check_in=2027-03-10&check_out=2027-03-12";
    let cases = [
        (format!("/search?{stay}"), "city"),
        (format!("/search?city=Lisbon&bbox=1,2,3,4&{stay}"), "bbox"),
        (format!("/search?bbox=1,2,x,4&{stay}"), "bbox"),
        (
            "/search?city=Lisbon&check_out=2027-03-12".to_owned(),
            "check_in",
        ),
        (
            "/search?city=Lisbon&check_in=2027-02-10&check_out=2027-02-12".to_owned(),
            "check_in",
        ),
        (
            "/search?city=Lisbon&check_in=2027-03-10&check_out=2027-03-09".to_owned(),
            "check_out",
        ),
        (
            "/search?city=Lisbon&check_in=2027-03-10&check_out=2027-07-10".to_owned(),
            "check_out",
        ),
        (format!("/search?city=Lisbon&{stay}&guests=0"), "guests"),
        (
            format!("/search?city=Lisbon&{stay}&min_price=abc"),
            "min_price",
        ),
        (
            format!("/search?city=Lisbon&{stay}&min_price=9&max_price=1"),
            "max_price",
        ),
        (
            format!("/search?city=Lisbon&{stay}&currency=euro"),
            "currency",
        ),
        (
            format!("/search?city=Lisbon&{stay}&amenities=wifi,sauna"),
            "amenities",
        ),
        (
            format!("/search?city=Lisbon&{stay}&sort=popularity"),
            "sort",
        ),
        (format!("/search?city=Lisbon&{stay}&limit=0"), "limit"),
        (format!("/search?city=Lisbon&{stay}&limit=51"), "limit"),
        (format!("/search?city=Lisbon&{stay}&near=1"), "near"),
        (format!("/search?city=Lisbon&{stay}&cursor=AAAA"), "cursor"),
        (format!("/search?city=Lisbon&{stay}&page=2"), "page"),
    ];
    for (uri, parameter) in cases {
        let (status, content_type, body) = get(&uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert_eq!(content_type, "application/problem+json", "{uri}");
        assert_eq!(body["status"], 400);
        assert_eq!(body["field"], parameter, "{uri}: {body}");
        assert!(body["type"].is_string() && body["title"].is_string());
        assert!(
            body["detail"].as_str().unwrap().starts_with(parameter),
            "{uri}: {body}"
        );
    }
}

#[tokio::test]
async fn a_cursor_from_another_query_is_refused() {
    let (_, _, page) = get("/search?city=Lisbon&check_in=2027-03-10&check_out=2027-03-12").await;
    assert_eq!(page["results"], serde_json::json!([]));
    let cursor = berth_search::query::Cursor {
        fingerprint: 1,
        key: 0,
        id: 0,
        origin: None,
    }
    .encode();
    let (status, _, body) = get(&format!(
        "/search?city=Lisbon&check_in=2027-03-10&check_out=2027-03-12&cursor={cursor}"
    ))
    .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("cursor"))
    );
}
