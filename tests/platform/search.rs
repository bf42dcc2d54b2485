//! Search through the local platform: only truly available properties,
//! priced for the stay, and a booking's nights leave search as it holds them.

use std::time::Duration;

use hyper::Method;
use serde_json::{Value, json};

use crate::support::{day, eventually, listing, order, property, spawn};

fn ids(page: &Value) -> Vec<String> {
    page["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["property_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn search_shows_what_can_be_booked_and_follows_bookings() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("searchhost", &["hosts"]).await.unwrap();
    let guest = api.token("searcher", &[]).await.unwrap();
    let mut made = Vec::new();
    for price in [9000, 15000, 12000] {
        let mut body = listing();
        body["city"] = json!("Testville");
        body["nightly_price"]["amount"] = json!(price);
        made.push(property(api, &host, &body).await);
    }
    let path = format!(
        "/search?city=testville&check_in={}&check_out={}&guests=2&sort=price",
        day(40),
        day(42)
    );
    eventually(Duration::from_secs(5), "new listings in search", || async {
        ids(&api.get(&path, None).await.unwrap().body).len() == 3
    })
    .await;
    let page = api.get(&path, None).await.unwrap().body;
    assert_eq!(
        ids(&page),
        [made[0].clone(), made[2].clone(), made[1].clone()],
        "cheapest first"
    );
    assert_eq!(
        page["results"][0]["total"],
        json!({"amount": 9000 * 2 + 3000, "currency": "EUR"}),
        "priced for the stay"
    );

    let placed = api
        .book(&guest, "s1", &order(&made[0], 41, 3, "pm_card_visa"))
        .await
        .unwrap();
    let booking = api
        .settled(
            &guest,
            placed.body["id"].as_str().unwrap(),
            Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert_eq!(booking["status"], "CONFIRMED");
    eventually(
        Duration::from_secs(5),
        "the booked property to leave search",
        || async { !ids(&api.get(&path, None).await.unwrap().body).contains(&made[0]) },
    )
    .await;
    let before = format!(
        "/search?city=Testville&check_in={}&check_out={}",
        day(38),
        day(40)
    );
    assert_eq!(
        ids(&api.get(&before, None).await.unwrap().body).len(),
        3,
        "other nights stay available"
    );

    let block = json!({"from": day(40), "to": day(41), "blocked": true});
    let blocked = api
        .call(
            Method::PUT,
            &format!("/properties/{}/calendar", made[1]),
            Some(&host),
            Some(&block),
        )
        .await
        .unwrap();
    assert_eq!(blocked.status.as_u16(), 200);
    eventually(
        Duration::from_secs(5),
        "the blocked property to leave search",
        || async { ids(&api.get(&path, None).await.unwrap().body) == [made[2].clone()] },
    )
    .await;

    let bad = api
        .get(
            "/search?city=Testville&check_in=2020-01-01&check_out=2020-01-03",
            None,
        )
        .await
        .unwrap();
    assert_eq!(bad.status.as_u16(), 400);
    assert_eq!(bad.header("content-type"), Some("application/problem+json"));
    assert_eq!(bad.body["field"], "check_in");
}

#[tokio::test]
async fn a_restarted_platform_searches_what_it_had() {
    let app = spawn().await;
    let host = app.api.token("restarthost", &["hosts"]).await.unwrap();
    let mut body = listing();
    body["city"] = json!("Rebootville");
    let id = property(&app.api, &host, &body).await;
    let data_dir = app.data_dir.clone();
    app.server.stop();
    let again = crate::support::spawn_in(data_dir, &crate::support::Options::default()).await;
    let path = format!(
        "/search?city=Rebootville&check_in={}&check_out={}",
        day(5),
        day(6)
    );
    assert_eq!(
        ids(&again.api.get(&path, None).await.unwrap().body),
        [id],
        "bootstrapped from the store"
    );
}
