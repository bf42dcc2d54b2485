//! The router served over real HTTP, fed events in-process as the local
//! platform feeds it: a booking's nights leave the results at once.

use std::sync::Arc;

use berth_domain::booking::BookingStatus;
use berth_domain::dates::Stay;
use berth_domain::events::Change;
use berth_search::{Index, SearchService, router};
use serde_json::Value;

use crate::support::{TestClock, booking, date, eur, event, morning, property, today};

async fn spawn(service: Arc<SearchService>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router(service)).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn search_health_and_readiness_over_http() {
    let clock = Arc::new(TestClock::new(morning()));
    let service = Arc::new(SearchService::new(Index::new(today()), clock.clone()));
    let base = spawn(service.clone()).await;
    let http = reqwest::Client::new();
    let get = |path: &str| http.get(format!("{base}{path}")).send();

    assert_eq!(get("/health").await.unwrap().status(), 200);
    assert_eq!(
        get("/ready").await.unwrap().status(),
        503,
        "not ready before bootstrap"
    );
    let mut cheap = property("Lisbon", (38.71, -9.14), eur(9_000));
    cheap.listing.title = "Cheap".into();
    let dear = property("lisbon", (38.75, -9.10), eur(20_000));
    service.apply(
        1,
        &event(
            Change::PropertyCreated {
                property: cheap.clone(),
            },
            morning(),
        ),
    );
    service.apply(
        2,
        &event(
            Change::PropertyCreated {
                property: dear.clone(),
            },
            morning(),
        ),
    );
    service.mark_ready();
    assert_eq!(get("/ready").await.unwrap().status(), 200);

    let query = "/search?city=LISBON&check_in=2027-03-10&check_out=2027-03-13&guests=2&sort=distance&near=38.71,-9.14&limit=1";
    let response = get(query).await.unwrap();
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    let hit = &page["results"][0];
    assert_eq!(hit["property_id"], cheap.id.to_string());
    assert_eq!(hit["title"], "Cheap");
    assert_eq!(
        (hit["city"].as_str(), hit["country"].as_str()),
        (Some("Lisbon"), Some("PT"))
    );
    assert_eq!(hit["nights"], 3);
    assert_eq!(
        hit["nightly_price"],
        serde_json::json!({"amount": 9000, "currency": "EUR"})
    );
    assert_eq!(
        hit["total"],
        serde_json::json!({"amount": 28000, "currency": "EUR"})
    );
    assert_eq!(hit["amenities"], serde_json::json!(["wifi"]));
    assert!(hit["distance_km"].as_f64().unwrap() < 0.001);
    assert!(hit["rating"].is_null());
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let second: Value = get(&format!("{query}&cursor={cursor}"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(second["results"][0]["property_id"], dear.id.to_string());
    assert!(second["next_cursor"].is_null());

    // A hold takes the nights out of search as soon as its event is applied.
    let stay = Stay::existing(date("2027-03-12"), date("2027-03-14")).unwrap();
    let held = booking(
        &cheap.id,
        stay,
        BookingStatus::Held,
        Some(morning() + chrono::Duration::minutes(15)),
    );
    service.apply(3, &event(Change::BookingHeld { booking: held }, morning()));
    let page: Value = get("/search?city=lisbon&check_in=2027-03-10&check_out=2027-03-13")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["property_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [dear.id.as_str()]);
    // ...and come back when the hold lapses.
    clock.set(morning() + chrono::Duration::minutes(16));
    let page: Value = get("/search?city=lisbon&check_in=2027-03-10&check_out=2027-03-13")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["results"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_service_keeps_up_with_the_calendar() {
    let clock = Arc::new(TestClock::new(morning()));
    let service = SearchService::new(Index::new(today()), clock.clone());
    let p = property("Lisbon", (38.71, -9.14), eur(9_000));
    service.apply(
        1,
        &event(
            Change::PropertyCreated {
                property: p.clone(),
            },
            morning(),
        ),
    );
    let far = today().add_days(900);
    service.apply(
        2,
        &event(
            Change::CalendarChanged {
                property_id: p.id.clone(),
                blocked: true,
                dates: vec![far],
            },
            morning(),
        ),
    );
    let stay = Stay::existing(today().add_days(700), today().add_days(703)).unwrap();
    let booked = booking(&p.id, stay, BookingStatus::Confirmed, None);
    service.apply(
        3,
        &event(Change::BookingConfirmed { booking: booked }, morning()),
    );
    // A year on, the night window has moved; what was set before still holds.
    clock.set(morning() + chrono::Duration::days(365));
    let hits = |from: u32, to: u32| {
        let query = format!(
            "city=lisbon&check_in={}&check_out={}",
            today().add_days(from),
            today().add_days(to)
        );
        service.search(&query).unwrap().results.len()
    };
    assert_eq!(hits(899, 901), 0, "the far block arrived in the window");
    assert_eq!(hits(901, 903), 1);
    assert_eq!(hits(701, 702), 0, "booked nights stay booked");
    assert_eq!(hits(703, 706), 1);
}
