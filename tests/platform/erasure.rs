//! Erasure end to end over HTTP: a guest with bookings, preferences,
//! signals, notifications and an audit trail calls `DELETE /me`; once
//! `UserErased` has gone round, no table of the platform's SQLite file
//! mentions them, their bookings stay under a pseudonym and the host keeps
//! their earnings.

use std::time::Duration;

use hyper::Method;
use serde_json::json;

use crate::support::{eventually, listing, order, property, spawn};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_erased_guest_is_gone_from_every_table() {
    let app = spawn().await;
    let api = &app.api;
    let store = &app.server.platform.store;
    let email = "erin.guest@example.com";
    let host = api.token("erasure-host", &["hosts"]).await.unwrap();
    let guest = api.token(email, &[]).await.unwrap();
    let admin = api.token("erasure-admin", &["admins"]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let prefs = json!({"cities": ["Porto"], "amenities": ["wifi"], "language": "pt-PT"});
    let saved = api
        .call(Method::PUT, "/me/preferences", Some(&guest), Some(&prefs))
        .await
        .unwrap();
    assert_eq!(saved.status.as_u16(), 200, "{}", saved.body);
    let mut bookings = Vec::new();
    for (key, from, method) in [
        ("e1", 10, "pm_card_visa"),
        ("e2", 20, "pm_card_chargeDeclined"),
    ] {
        let placed = api
            .book(&guest, key, &order(&id, from, 2, method))
            .await
            .unwrap();
        assert_eq!(placed.status.as_u16(), 202, "{}", placed.body);
        let booking_id = placed.body["id"].as_str().unwrap().to_owned();
        api.settled(&guest, &booking_id, Duration::from_secs(30))
            .await
            .unwrap();
        bookings.push(booking_id);
    }
    eventually(
        Duration::from_secs(20),
        "the read models to know the guest",
        || async {
            let inbox = api
                .get(&format!("/local/notifications?user={email}"), None)
                .await
                .unwrap();
            let me = api.get("/me", Some(&guest)).await.unwrap();
            inbox.body["notifications"]
                .as_array()
                .is_some_and(|n| n.len() == 2)
                && me.body["signals"]["bookings"] == 1
        },
    )
    .await;
    assert!(
        store.tables_mentioning(email).unwrap().len() > 3,
        "the guest is all over the file"
    );

    let erased = api
        .call(Method::DELETE, "/me", Some(&guest), None)
        .await
        .unwrap();
    assert_eq!(erased.status.as_u16(), 204, "{}", erased.body);
    eventually(
        Duration::from_secs(20),
        "every table to forget the guest",
        || async { store.tables_mentioning(email).unwrap().is_empty() },
    )
    .await;

    for booking_id in &bookings {
        let kept = api
            .get(&format!("/bookings/{booking_id}"), Some(&admin))
            .await
            .unwrap();
        assert_eq!(kept.status.as_u16(), 200, "{}", kept.body);
        let pseudonym = kept.body["guest_id"].as_str().unwrap();
        assert!(pseudonym.starts_with("erased-"), "{}", kept.body);
    }
    let report = format!(
        "/reports/earnings?from={}&to={}",
        crate::support::day(0),
        crate::support::day(1)
    );
    let earnings = api.get(&report, Some(&host)).await.unwrap();
    assert_eq!(
        earnings.body["earnings"][0]["bookings"], 1,
        "{}",
        earnings.body
    );
    let me = api.get("/me", Some(&guest)).await.unwrap();
    assert_eq!(me.body["signals"]["bookings"], 0, "{}", me.body);
    let listed = api.get("/bookings", Some(&guest)).await.unwrap();
    assert_eq!(listed.body["bookings"], json!([]), "{}", listed.body);
}
