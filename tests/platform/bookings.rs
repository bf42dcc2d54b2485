//! The booking saga's promises, proven against a running platform over HTTP:
//! no night sold twice, no card charged twice, no booking lost (issue: the
//! booking saga, point 8).

use std::time::Duration;

use berth_local::client::Api;
use berth_local::invariants;
use futures::future::join_all;
use hyper::Method;
use serde_json::{Value, json};

use crate::support::{eventually, listing, order, property, spawn};

const SETTLE: Duration = Duration::from_secs(60);

async fn settle_all(api: &Api, token: &str, ids: &[String]) -> Vec<Value> {
    join_all(ids.iter().map(|id| api.settled(token, id, SETTLE)))
        .await
        .into_iter()
        .map(|b| b.expect("every booking settles"))
        .collect()
}

async fn assert_invariants(api: &Api, host: &str) -> Vec<Value> {
    let bookings = invariants::bookings_of_host(api, host).await.unwrap();
    let charges = invariants::charges(api).await.unwrap();
    let violations = invariants::violations(&bookings, &charges);
    assert!(
        violations.is_empty(),
        "invariants broken:\n{}",
        violations.join("\n")
    );
    bookings
}

/// a. Hundreds of guests race for overlapping stays on a handful of properties.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_guests_never_share_a_night() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("racehost", &["hosts"]).await.unwrap();
    let mut properties = Vec::new();
    for _ in 0..5 {
        properties.push(property(api, &host, &listing()).await);
    }
    let guests: Vec<String> = join_all(
        (0..20).map(|g| async move { api.token(&format!("racer-{g}"), &[]).await.unwrap() }),
    )
    .await;
    let requests = (0..500).map(|i| {
        let property = &properties[i % properties.len()];
        // Stays of 1 to 4 nights starting within a 3-week window: lots of overlap.
        let body = order(
            property,
            10 + (i as u32 * 7) % 21,
            1 + (i as u32 % 4),
            "pm_card_visa",
        );
        let guest = guests[i % guests.len()].clone();
        async move {
            let answer = api.book(&guest, &format!("race-{i}"), &body).await.unwrap();
            assert_eq!(answer.status.as_u16(), 202, "{}", answer.body);
            answer.body["id"].as_str().unwrap().to_owned()
        }
    });
    let ids = join_all(requests).await;
    let mut settled = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        settled.push(
            api.settled(&guests[i % guests.len()], id, SETTLE)
                .await
                .unwrap(),
        );
    }
    let confirmed = settled
        .iter()
        .filter(|b| b["status"] == "CONFIRMED")
        .count();
    let unavailable = settled
        .iter()
        .filter(|b| b["failure_reason"] == "NIGHTS_UNAVAILABLE")
        .count();
    assert!(
        confirmed > 0 && unavailable > 0,
        "a real race: {confirmed} confirmed, {unavailable} lost"
    );
    let other: Vec<_> = settled
        .iter()
        .filter(|b| b["status"] != "CONFIRMED" && b["failure_reason"] != "NIGHTS_UNAVAILABLE")
        .map(|b| format!("{} {} {}", b["id"], b["status"], b["failure_reason"]))
        .collect();
    assert_eq!(
        confirmed + unavailable,
        500,
        "every booking either won or lost its nights; others: {other:?}"
    );
    let all = assert_invariants(api, &host).await;
    assert_eq!(all.len(), 500);
}

/// b. One request sent 20 times at once with one Idempotency-Key.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replayed_request_books_and_charges_once() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("replayhost", &["hosts"]).await.unwrap();
    let guest = api.token("replayer", &[]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let body = order(&id, 20, 3, "pm_card_visa");
    let attempts = (0..20).map(|_| async {
        loop {
            let answer = api.book(&guest, "same-key", &body).await.unwrap();
            match answer.status.as_u16() {
                202 => return answer.body,
                409 => {
                    assert!(
                        answer.header("retry-after").is_some(),
                        "409 says when to retry"
                    );
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                other => panic!("unexpected {other}: {}", answer.body),
            }
        }
    });
    let answers = join_all(attempts).await;
    let first = &answers[0];
    assert!(
        answers.iter().all(|a| a == first),
        "every replay answers the same booking, byte for byte"
    );
    let booking = api
        .settled(&guest, first["id"].as_str().unwrap(), SETTLE)
        .await
        .unwrap();
    assert_eq!(booking["status"], "CONFIRMED");
    let listed = api.get("/bookings", Some(&guest)).await.unwrap();
    assert_eq!(
        listed.body["bookings"].as_array().unwrap().len(),
        1,
        "one booking"
    );
    let charges = invariants::charges(api).await.unwrap();
    assert_eq!(
        charges.iter().filter(|c| c["key"] == booking["id"]).count(),
        1,
        "one charge"
    );
    assert_invariants(api, &host).await;

    let mut other = body.clone();
    other["guests"] = json!(1);
    let reused = api.book(&guest, "same-key", &other).await.unwrap();
    assert_eq!(reused.status.as_u16(), 422, "{}", reused.body);
    assert_eq!(reused.body["field"], "Idempotency-Key");
}

/// c. The payment provider fails, hangs, and loses answers: retries still
/// charge each booking once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn payment_faults_are_retried_without_double_charges() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("faulthost", &["hosts"]).await.unwrap();
    let guest = api.token("faulty", &[]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let faults = json!({"unavailable": 0.25, "timeout": 0.1, "lost_response": 0.15});
    let set = api
        .call(Method::PUT, "/local/faults", None, Some(&faults))
        .await
        .unwrap();
    assert_eq!(set.status.as_u16(), 200, "{}", set.body);
    let ids: Vec<String> = join_all((0..40u32).map(|i| {
        let body = order(&id, 5 + i * 2, 1, "pm_card_visa");
        let guest = guest.clone();
        async move {
            api.book(&guest, &format!("fault-{i}"), &body)
                .await
                .unwrap()
                .body["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    }))
    .await;
    let settled = settle_all(api, &guest, &ids).await;
    let payments = api.get("/local/payments", None).await.unwrap();
    let stats = &payments.body["stats"];
    assert!(
        stats["faults_injected"].as_u64().unwrap() > 0,
        "faults were injected: {stats}"
    );
    assert!(
        stats["charge_calls"].as_u64().unwrap() > 40,
        "and retried: {stats}"
    );
    let confirmed = settled
        .iter()
        .filter(|b| b["status"] == "CONFIRMED")
        .count();
    assert!(
        confirmed >= 30,
        "retries carry most bookings through: {confirmed} of 40"
    );
    for failed in settled.iter().filter(|b| b["status"] != "CONFIRMED") {
        assert_eq!(failed["failure_reason"], "PAYMENT_UNAVAILABLE", "{failed}");
    }
    assert_invariants(api, &host).await;
}

#[tokio::test]
async fn a_declined_card_fails_the_booking_and_frees_the_nights() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("declinehost", &["hosts"]).await.unwrap();
    let guest = api.token("decliner", &[]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let declined = api
        .book(&guest, "d1", &order(&id, 8, 2, "pm_card_chargeDeclined"))
        .await
        .unwrap();
    let booking = api
        .settled(&guest, declined.body["id"].as_str().unwrap(), SETTLE)
        .await
        .unwrap();
    assert_eq!(booking["status"], "FAILED");
    assert_eq!(booking["failure_reason"], "PAYMENT_DECLINED");
    let retry = api
        .book(&guest, "d2", &order(&id, 8, 2, "pm_card_visa"))
        .await
        .unwrap();
    let booking = api
        .settled(&guest, retry.body["id"].as_str().unwrap(), SETTLE)
        .await
        .unwrap();
    assert_eq!(
        booking["status"], "CONFIRMED",
        "the declined booking's nights were released"
    );
    assert_invariants(api, &host).await;
}

/// e. A hold expires on the platform's clock: another guest may take the
/// nights, and the sweeper expires the abandoned booking and returns its money.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn expired_holds_free_their_nights() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("expiryhost", &["hosts"]).await.unwrap();
    let slow = api.token("slow-guest", &[]).await.unwrap();
    let quick = api.token("quick-guest", &[]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    // The provider stops answering: the first guest's workflow holds the
    // nights and waits on its payment.
    api.call(
        Method::PUT,
        "/local/faults",
        None,
        Some(&json!({"timeout": 1.0})),
    )
    .await
    .unwrap();
    let first = api
        .book(&slow, "slow", &order(&id, 30, 3, "pm_card_visa"))
        .await
        .unwrap();
    let first_id = first.body["id"].as_str().unwrap().to_owned();
    eventually(
        Duration::from_secs(10),
        "the first booking to hold its nights",
        || async {
            api.get(&format!("/bookings/{first_id}"), Some(&slow))
                .await
                .unwrap()
                .body["status"]
                == "HELD"
        },
    )
    .await;
    let held = api
        .get(
            &format!(
                "/properties/{id}/availability?from={}&to={}",
                crate::support::day(30),
                crate::support::day(33)
            ),
            None,
        )
        .await
        .unwrap();
    assert!(
        held.body["nights"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["status"] == "unavailable")
    );

    api.call(Method::PUT, "/local/faults", None, Some(&json!({})))
        .await
        .unwrap();
    api.post("/local/clock", None, &json!({"advance_seconds": 16 * 60}))
        .await
        .unwrap();
    let second = api
        .book(&quick, "quick", &order(&id, 31, 1, "pm_card_visa"))
        .await
        .unwrap();
    let second = api
        .settled(&quick, second.body["id"].as_str().unwrap(), SETTLE)
        .await
        .unwrap();
    assert_eq!(
        second["status"], "CONFIRMED",
        "an expired hold is free for others"
    );

    let swept = api
        .post("/local/schedules/sweep-holds", None, &json!({}))
        .await
        .unwrap();
    assert_eq!(swept.status.as_u16(), 200, "{}", swept.body);
    let first = api.settled(&slow, &first_id, SETTLE).await.unwrap();
    assert!(
        first["status"] == "EXPIRED" || first["failure_reason"] == "HOLD_EXPIRED",
        "the abandoned booking ends, expired: {first}"
    );
    assert_invariants(api, &host).await;
}

#[tokio::test]
async fn cancelling_refunds_by_policy_and_releases_the_nights() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("cancelhost", &["hosts"]).await.unwrap();
    let guest = api.token("canceller", &[]).await.unwrap();
    let stranger = api.token("stranger", &[]).await.unwrap();
    let mut strict = listing();
    strict["cancellation_policy"] = json!("strict");
    let id = property(api, &host, &strict).await;
    let placed = api
        .book(&guest, "c1", &order(&id, 20, 2, "pm_card_visa"))
        .await
        .unwrap();
    let booking_id = placed.body["id"].as_str().unwrap().to_owned();
    let booking = api.settled(&guest, &booking_id, SETTLE).await.unwrap();
    assert_eq!(booking["status"], "CONFIRMED");
    // Before cancelling, the booking shows what cancelling now refunds and
    // until when: strict refunds half until 7 days before check-in.
    let total = booking["total"]["amount"].as_i64().unwrap();
    assert_eq!(booking["cancellation"]["refund"]["amount"], total / 2);
    let until = format!("{}T00:00:00Z", crate::support::day(13));
    let deadline = booking["cancellation"]["refund_until"].as_str().unwrap();
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(deadline).unwrap(),
        chrono::DateTime::parse_from_rfc3339(&until).unwrap()
    );
    let path = format!("/bookings/{booking_id}/cancel");
    let refused = api.post(&path, Some(&stranger), &json!({})).await.unwrap();
    assert_eq!(refused.status.as_u16(), 403);
    let cancelled = api.post(&path, Some(&guest), &json!({})).await.unwrap();
    assert_eq!(cancelled.status.as_u16(), 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "CANCELLED");
    // Strict: half of the total, more than 7 days ahead.
    assert_eq!(cancelled.body["refund"]["amount"], total / 2);
    assert!(
        cancelled.body.get("cancellation").is_none(),
        "no terms once cancelled"
    );
    let again = api.post(&path, Some(&guest), &json!({})).await.unwrap();
    assert_eq!(
        again.body, cancelled.body,
        "cancelling twice answers the first cancellation"
    );
    let charges = invariants::charges(api).await.unwrap();
    let charge = charges
        .iter()
        .find(|c| c["key"] == booking_id.as_str())
        .unwrap();
    assert_eq!(charge["refunded"], total / 2, "refunded once");
    let nights = api
        .get(
            &format!(
                "/properties/{id}/availability?from={}&to={}",
                crate::support::day(20),
                crate::support::day(22)
            ),
            None,
        )
        .await
        .unwrap();
    assert!(
        nights.body["nights"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["status"] == "available"),
        "nights released"
    );
}
