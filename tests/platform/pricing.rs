//! Pricing end to end over HTTP: a host sets a pricing document, a guest
//! quotes, finds the same total in search, books and is charged exactly the
//! quote, whatever the host changes afterwards.

use std::time::Duration;

use berth_local::invariants;
use hyper::Method;
use serde_json::{Value, json};

use crate::support::{day, listing, property, spawn};

const SETTLE: Duration = Duration::from_secs(60);

fn eur(amount: i64) -> Value {
    json!({"amount": amount, "currency": "EUR"})
}

/// Weekends dearer, a week-long discount, a per-guest fee, VAT and a tourist tax.
fn document(weekend: i64) -> Value {
    json!({
        "weekday_prices": {"fri": eur(weekend), "sat": eur(weekend)},
        "length_discounts": [{"min_nights": 7, "percent": 10}],
        "fees": [{"name": "linen", "per": "guest", "amount": eur(1000)}],
        "taxes": [{"name": "VAT", "percent": 6},
                  {"name": "tourist tax", "per_guest_night": eur(200), "max_nights": 7}],
        "advance_notice_days": 1
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_is_charged_the_quote_whatever_the_host_changes_later() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("pricinghost", &["hosts"]).await.unwrap();
    let guest = api.token("pricingguest", &[]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let path = format!("/properties/{id}/pricing");

    let set = api
        .call(Method::PUT, &path, Some(&host), Some(&document(15_000)))
        .await
        .unwrap();
    assert_eq!(set.status.as_u16(), 200, "{}", set.body);
    let read = api.get(&path, None).await.unwrap();
    assert_eq!(read.body, set.body, "GET answers the stored document");

    let stay = json!({"property_id": id, "check_in": day(10), "check_out": day(18), "guests": 2});
    let quote = api.post("/quotes", None, &stay).await.unwrap();
    assert_eq!(quote.status.as_u16(), 200, "{}", quote.body);
    let q = &quote.body;
    assert_eq!(q["nights"], 8);
    assert_eq!(q["night_prices"].as_array().unwrap().len(), 8);
    assert_eq!(q["discount"]["percent"], 10);
    assert_eq!(q["fees"][0], json!({"name": "linen", "amount": eur(2000)}));
    assert_eq!(
        q["taxes"][1],
        json!({"name": "tourist tax", "amount": eur(2800)})
    );
    let total = q["total"]["amount"].as_i64().unwrap();
    let nightly_total = q["nightly_total"]["amount"].as_i64().unwrap();
    let discount = q["discount"]["amount"]["amount"].as_i64().unwrap();
    let vat = q["taxes"][0]["amount"]["amount"].as_i64().unwrap();
    assert_eq!(total, nightly_total - discount + 3000 + 2000 + vat + 2800);

    let search = api
        .get(
            &format!(
                "/search?city=Lisbon&check_in={}&check_out={}&guests=2",
                day(10),
                day(18)
            ),
            None,
        )
        .await
        .unwrap();
    let hit = search.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["property_id"] == id.as_str())
        .cloned();
    assert_eq!(
        hit.map(|h| h["total"].clone()),
        Some(q["total"].clone()),
        "search prices the stay as the quote does: {}",
        search.body
    );

    let order = json!({"property_id": id, "check_in": day(10), "check_out": day(18),
                       "guests": 2, "payment_method": "pm_card_visa"});
    let placed = api.book(&guest, "priced-1", &order).await.unwrap();
    assert_eq!(placed.status.as_u16(), 202, "{}", placed.body);
    assert_eq!(placed.body["total"], q["total"]);
    // The host doubles the weekend price as soon as the request is in.
    let raised = api
        .call(Method::PUT, &path, Some(&host), Some(&document(30_000)))
        .await
        .unwrap();
    assert_eq!(raised.status.as_u16(), 200, "{}", raised.body);
    let requote = api.post("/quotes", None, &stay).await.unwrap();
    assert!(requote.body["total"]["amount"].as_i64().unwrap() > total);

    let booking_id = placed.body["id"].as_str().unwrap().to_owned();
    let booking = api.settled(&guest, &booking_id, SETTLE).await.unwrap();
    assert_eq!(booking["status"], "CONFIRMED", "{booking}");
    assert_eq!(booking["total"], q["total"]);
    for line in ["night_prices", "discount", "fees", "taxes"] {
        assert_eq!(
            booking[line], q[line],
            "the booking shows the quoted {line}"
        );
    }
    let charges = invariants::charges(api).await.unwrap();
    let charge = charges
        .iter()
        .find(|c| c["key"] == booking_id.as_str())
        .expect("a charge");
    assert_eq!(charge["amount"], q["total"], "charged the quote: {charge}");
}

#[tokio::test]
async fn bad_documents_and_refused_stays_are_400_naming_the_field() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("strict", &["hosts"]).await.unwrap();
    let other = api.token("otherhost", &["hosts"]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let path = format!("/properties/{id}/pricing");
    let cases = [
        (
            json!({"weekday_prices": {"fri": {"amount": 1, "currency": "USD"}}}),
            "weekday_prices.fri.currency",
        ),
        (
            json!({"seasons": [
            {"from": day(5), "to": day(10), "nightly_price": eur(1)},
            {"from": day(9), "to": day(12), "nightly_price": eur(1)}]}),
            "seasons[1]",
        ),
        (
            json!({"length_discounts": [{"min_nights": 7, "percent": 120}]}),
            "length_discounts[0].percent",
        ),
        (json!({"check_in_days": ["someday"]}), "check_in_days[0]"),
        (
            json!({"fees": [{"name": "x", "per": "fortnight", "amount": eur(1)}]}),
            "fees[0].per",
        ),
        (json!({"advance_notice": 3}), "body"),
    ];
    for (document, field) in cases {
        let refused = api
            .call(Method::PUT, &path, Some(&host), Some(&document))
            .await
            .unwrap();
        assert_eq!(refused.status.as_u16(), 400, "{document}: {}", refused.body);
        assert_eq!(
            refused.header("content-type"),
            Some("application/problem+json"),
            "{document}"
        );
        if field != "body" {
            assert_eq!(refused.body["field"], field, "{document}: {}", refused.body);
        }
    }
    let unchanged = api.get(&path, None).await.unwrap();
    assert_eq!(
        unchanged.body["seasons"],
        json!([]),
        "refusals change nothing"
    );
    let forbidden = api
        .call(Method::PUT, &path, Some(&other), Some(&json!({})))
        .await
        .unwrap();
    assert_eq!(forbidden.status.as_u16(), 403);

    let rules = json!({"advance_notice_days": 3, "check_out_days": ["sun"]});
    let set = api
        .call(Method::PUT, &path, Some(&host), Some(&rules))
        .await
        .unwrap();
    assert_eq!(set.status.as_u16(), 200, "{}", set.body);
    let quote = |from: u32, to: u32| {
        let body =
            json!({"property_id": id, "check_in": day(from), "check_out": day(to), "guests": 1});
        async move { api.post("/quotes", None, &body).await.unwrap() }
    };
    let early = quote(1, 30).await;
    assert_eq!(early.status.as_u16(), 400);
    assert_eq!(early.body["field"], "check_in");
    assert!(
        early.body["detail"]
            .as_str()
            .unwrap()
            .contains("advance_notice_days"),
        "{}",
        early.body
    );
    let sunday = (4..11)
        .find(|d| day(*d).naive().format("%a").to_string() == "Sun")
        .unwrap();
    let ok = quote(3, sunday).await;
    assert_eq!(ok.status.as_u16(), 200, "{}", ok.body);
    let not_sunday = quote(3, sunday + 1).await;
    assert_eq!(not_sunday.body["field"], "check_out", "{}", not_sunday.body);
}
