//! Read models fed by events: the ledger behind host earnings, the audit
//! log, the guest's notifications and what Berth learns for ranking.

use std::time::Duration;

use hyper::Method;
use serde_json::json;

use crate::support::{day, eventually, listing, order, property, spawn};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_confirmed_booking_reaches_every_read_model() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("modelhost", &["hosts"]).await.unwrap();
    let guest = api.token("modelguest", &[]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let placed = api
        .book(&guest, "m1", &order(&id, 12, 2, "pm_card_visa"))
        .await
        .unwrap();
    let booking_id = placed.body["id"].as_str().unwrap().to_owned();
    let booking = api
        .settled(&guest, &booking_id, Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!(booking["status"], "CONFIRMED");
    let total = booking["total"]["amount"].as_i64().unwrap();

    let report = format!("/reports/earnings?from={}&to={}", day(0), day(1));
    eventually(
        Duration::from_secs(10),
        "the ledger to earn the booking",
        || async {
            let answer = api.get(&report, Some(&host)).await.unwrap();
            answer.body["earnings"][0]["gross"] == total
        },
    )
    .await;
    let answer = api.get(&report, Some(&host)).await.unwrap();
    assert_eq!(
        answer.body["earnings"][0],
        json!({"currency": "EUR", "gross": total, "refunds": 0, "net": total, "bookings": 1})
    );
    assert_eq!(
        api.get(&report, Some(&guest))
            .await
            .unwrap()
            .status
            .as_u16(),
        403,
        "guests have no earnings"
    );

    eventually(Duration::from_secs(10), "the audit trail", || async {
        let trail = api
            .get(&format!("/local/audit/{booking_id}"), None)
            .await
            .unwrap();
        trail.body["trail"].as_array().is_some_and(|t| t.len() == 4)
    })
    .await;
    let trail = api
        .get(&format!("/local/audit/{booking_id}"), None)
        .await
        .unwrap();
    let changes: Vec<&str> = trail.body["trail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["change"].as_str().unwrap())
        .collect();
    assert_eq!(
        changes,
        [
            "BookingRequested",
            "BookingHeld",
            "BookingPaid",
            "BookingConfirmed"
        ]
    );

    eventually(
        Duration::from_secs(10),
        "the confirmation to reach the guest",
        || async {
            let inbox = api
                .get("/local/notifications?user=modelguest", None)
                .await
                .unwrap();
            inbox.body["notifications"]
                .as_array()
                .is_some_and(|n| n.len() == 1)
        },
    )
    .await;
    let inbox = api
        .get("/local/notifications?user=modelguest", None)
        .await
        .unwrap();
    assert_eq!(
        inbox.body["notifications"][0]["subject"],
        "Your booking is confirmed"
    );

    eventually(
        Duration::from_secs(10),
        "signals to learn the stay",
        || async { api.get("/me", Some(&guest)).await.unwrap().body["signals"]["bookings"] == 1 },
    )
    .await;
    let me = api.get("/me", Some(&guest)).await.unwrap();
    assert_eq!(me.body["signals"]["cities"]["lisbon"], 1);

    // Cancelling (moderate policy, 12 days ahead: a full refund) is taken back in the ledger.
    let cancelled = api
        .post(
            &format!("/bookings/{booking_id}/cancel"),
            Some(&guest),
            &json!({}),
        )
        .await
        .unwrap();
    assert_eq!(cancelled.body["refund"]["amount"], total);
    eventually(
        Duration::from_secs(10),
        "the ledger to record the refund",
        || async { api.get(&report, Some(&host)).await.unwrap().body["earnings"][0]["net"] == 0 },
    )
    .await;
}

#[tokio::test]
async fn preferences_and_erasure() {
    let app = spawn().await;
    let api = &app.api;
    let user = api.token("prefs", &[]).await.unwrap();
    let prefs =
        json!({"currency": "EUR", "cities": ["Porto"], "amenities": ["wifi"], "language": "pt-PT"});
    let saved = api
        .call(Method::PUT, "/me/preferences", Some(&user), Some(&prefs))
        .await
        .unwrap();
    assert_eq!(saved.status.as_u16(), 200, "{}", saved.body);
    let me = api.get("/me", Some(&user)).await.unwrap();
    assert_eq!(me.body["preferences"]["cities"], json!(["Porto"]));
    let bad = api
        .call(
            Method::PUT,
            "/me/preferences",
            Some(&user),
            Some(&json!({"amenities": ["moat"]})),
        )
        .await
        .unwrap();
    assert_eq!(bad.status.as_u16(), 400);
    assert_eq!(bad.body["field"], "amenities");
    let erased = api
        .call(Method::DELETE, "/me", Some(&user), None)
        .await
        .unwrap();
    assert_eq!(erased.status.as_u16(), 204);
    let me = api.get("/me", Some(&user)).await.unwrap();
    assert_eq!(me.body["preferences"]["cities"], json!([]), "forgotten");
}
