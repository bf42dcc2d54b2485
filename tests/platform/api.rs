//! The API's contract for good and bad input (issue: foundation, point 6):
//! every refusal is problem+json saying what was wrong, and changes nothing.

use berth_domain::dates::Date;
use berth_local::client::Answer;
use hyper::Method;
use serde_json::{Value, json};

use crate::support::{Options, day, listing, order, property, spawn, spawn_in, spawn_with};

fn assert_problem(answer: &Answer, status: u16, field: Option<&str>) {
    assert_eq!(answer.status.as_u16(), status, "{}", answer.body);
    assert_eq!(
        answer.header("content-type"),
        Some("application/problem+json"),
        "{}",
        answer.body
    );
    assert_eq!(answer.body["status"], status);
    assert!(
        answer.body["title"].is_string() && answer.body["detail"].is_string(),
        "{}",
        answer.body
    );
    if let Some(field) = field {
        assert_eq!(answer.body["field"], field, "{}", answer.body);
    }
}

fn two_days_ago() -> Date {
    Date::of(chrono::Utc::now() - chrono::Duration::days(2))
}

#[tokio::test]
async fn the_walkthrough_works() {
    let app = spawn().await;
    let api = &app.api;
    assert_eq!(api.get("/health", None).await.unwrap().body["status"], "ok");
    let host = api.token("alice", &["hosts"]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let read = api.get(&format!("/properties/{id}"), None).await.unwrap();
    assert_eq!(read.body["host_id"], "alice");
    assert_eq!(
        read.body["nightly_price"],
        json!({"amount": 12000, "currency": "EUR"})
    );
    let availability = api
        .get(
            &format!(
                "/properties/{id}/availability?from={}&to={}",
                day(10),
                day(13)
            ),
            None,
        )
        .await
        .unwrap();
    assert_eq!(availability.status.as_u16(), 200);
    let nights = availability.body["nights"].as_array().unwrap();
    assert_eq!(nights.len(), 3);
    assert!(nights.iter().all(|n| n["status"] == "available"));
    let quote = api
        .post(
            "/quotes",
            None,
            &json!({"property_id": id, "check_in": day(10), "check_out": day(13), "guests": 2}),
        )
        .await
        .unwrap();
    assert_eq!(quote.status.as_u16(), 200, "{}", quote.body);
    assert_eq!(quote.body["nights"], 3);
    assert_eq!(
        quote.body["total"],
        json!({"amount": 39000, "currency": "EUR"})
    );
}

#[tokio::test]
async fn malformed_and_unknown_fields_are_refused() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("alice", &["hosts"]).await.unwrap();
    let malformed = api
        .send(
            Method::POST,
            "/properties",
            Some(&host),
            &[],
            b"{\"title\": ".to_vec(),
        )
        .await
        .unwrap();
    assert_problem(&malformed, 400, None);
    assert!(
        malformed.body["detail"].as_str().unwrap().contains("EOF"),
        "{}",
        malformed.body
    );

    for (field, value) in [
        ("id", json!("prop_0123")),
        ("host_id", json!("mallory")),
        ("status", json!("X")),
        ("rating", json!(5)),
    ] {
        let mut body = listing();
        body[field] = value;
        let refused = api.post("/properties", Some(&host), &body).await.unwrap();
        assert_problem(&refused, 400, None);
        assert!(
            refused.body["detail"].as_str().unwrap().contains(field),
            "{field}: {}",
            refused.body
        );
    }
    let mut wrong_type = listing();
    wrong_type["nightly_price"]["amount"] = json!("12000");
    let refused = api
        .post("/properties", Some(&host), &wrong_type)
        .await
        .unwrap();
    assert_problem(&refused, 400, Some("nightly_price.amount"));
    let mut missing = listing();
    missing.as_object_mut().unwrap().remove("city");
    assert_problem(
        &api.post("/properties", Some(&host), &missing)
            .await
            .unwrap(),
        400,
        None,
    );
    let mut invalid = listing();
    invalid["max_guests"] = json!(0);
    assert_problem(
        &api.post("/properties", Some(&host), &invalid)
            .await
            .unwrap(),
        400,
        Some("max_guests"),
    );

    let id = property(api, &host, &listing()).await;
    let patch = api
        .call(
            Method::PATCH,
            &format!("/properties/{id}"),
            Some(&host),
            Some(&json!({"host_id": "mallory"})),
        )
        .await
        .unwrap();
    assert_problem(&patch, 400, None);
    let stored = api.get(&format!("/properties/{id}"), None).await.unwrap();
    assert_eq!(stored.body["host_id"], "alice", "no mass assignment");
    assert_eq!(stored.body["version"], 1, "a refused patch changed nothing");
}

#[tokio::test]
async fn bad_stays_are_refused_and_book_nothing() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("alice", &["hosts"]).await.unwrap();
    let guest = api.token("bob", &[]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"property_id": id, "check_in": day(10), "check_out": day(10), "guests": 2}),
            "check_out",
        ),
        (
            json!({"property_id": id, "check_in": day(10), "check_out": day(9), "guests": 2}),
            "check_out",
        ),
        (
            json!({"property_id": id, "check_in": day(10), "check_out": day(101), "guests": 2}),
            "check_out",
        ),
        (
            json!({"property_id": id, "check_in": two_days_ago(), "check_out": day(3), "guests": 2}),
            "check_in",
        ),
        (
            json!({"property_id": id, "check_in": day(10), "check_out": day(12), "guests": 5}),
            "guests",
        ),
        (
            json!({"property_id": id, "check_in": "2027-02-30", "check_out": day(12), "guests": 2}),
            "check_in",
        ),
    ];
    for (stay, field) in &cases {
        let quote = api.post("/quotes", None, stay).await.unwrap();
        assert_problem(&quote, 400, Some(field));
        let mut booking = stay.clone();
        booking["payment_method"] = json!("pm_card_visa");
        let refused = api
            .book(&guest, &uuid::Uuid::new_v4().to_string(), &booking)
            .await
            .unwrap();
        assert_problem(&refused, 400, Some(field));
    }
    let no_key = api
        .post(
            "/bookings",
            Some(&guest),
            &order(&id, 10, 2, "pm_card_visa"),
        )
        .await
        .unwrap();
    assert_problem(&no_key, 400, Some("Idempotency-Key"));
    let bad_method = api
        .book(&guest, "k", &order(&id, 10, 2, "visa"))
        .await
        .unwrap();
    assert_problem(&bad_method, 400, Some("payment_method"));
    let listed = api.get("/bookings", Some(&guest)).await.unwrap();
    assert_eq!(
        listed.body["bookings"],
        json!([]),
        "no refused request left a booking"
    );
    let nights = api
        .get(
            &format!(
                "/properties/{id}/availability?from={}&to={}",
                day(9),
                day(13)
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
            .all(|n| n["status"] == "available")
    );
}

#[tokio::test]
async fn tokens_and_ownership_are_enforced() {
    let app = spawn().await;
    let api = &app.api;
    let alice = api.token("alice", &["hosts"]).await.unwrap();
    let carol = api.token("carol", &["hosts"]).await.unwrap();
    let guest = api.token("bob", &[]).await.unwrap();
    let id = property(api, &alice, &listing()).await;

    let anonymous = api.post("/properties", None, &listing()).await.unwrap();
    assert_problem(&anonymous, 401, None);
    assert_eq!(anonymous.header("www-authenticate"), Some("Bearer"));
    let forged = api
        .post("/properties", Some("not.a.token"), &listing())
        .await
        .unwrap();
    assert_problem(&forged, 401, None);
    let mut tampered = alice.clone();
    tampered.pop();
    tampered.push(if alice.ends_with('A') { 'B' } else { 'A' });
    assert_problem(&api.get("/me", Some(&tampered)).await.unwrap(), 401, None);

    assert_problem(
        &api.post("/properties", Some(&guest), &listing())
            .await
            .unwrap(),
        403,
        None,
    );
    let not_mine = api
        .call(
            Method::PATCH,
            &format!("/properties/{id}"),
            Some(&carol),
            Some(&json!({"title": "Mine now"})),
        )
        .await
        .unwrap();
    assert_problem(&not_mine, 403, None);
    let block = json!({"from": day(5), "to": day(7), "blocked": true});
    assert_problem(
        &api.call(
            Method::PUT,
            &format!("/properties/{id}/calendar"),
            Some(&carol),
            Some(&block),
        )
        .await
        .unwrap(),
        403,
        None,
    );
    assert_eq!(
        api.get(&format!("/properties/{id}"), None)
            .await
            .unwrap()
            .body["title"],
        "Flat by the river"
    );

    let unknown = "prop_00000000000000000000000000000000";
    assert_problem(
        &api.get(&format!("/properties/{unknown}"), None)
            .await
            .unwrap(),
        404,
        None,
    );
    assert_problem(
        &api.get("/properties/not-an-id", None).await.unwrap(),
        404,
        None,
    );
    assert_problem(
        &api.get(
            "/bookings/bk_00000000000000000000000000000000",
            Some(&guest),
        )
        .await
        .unwrap(),
        404,
        None,
    );
    assert_problem(&api.get("/nowhere", None).await.unwrap(), 404, None);
    let quote =
        json!({"property_id": unknown, "check_in": day(3), "check_out": day(4), "guests": 1});
    assert_problem(&api.post("/quotes", None, &quote).await.unwrap(), 404, None);
}

#[tokio::test]
async fn calendars_block_and_unblock() {
    let app = spawn().await;
    let api = &app.api;
    let alice = api.token("alice", &["hosts"]).await.unwrap();
    let id = property(api, &alice, &listing()).await;
    let path = format!("/properties/{id}/calendar");
    let blocked = api
        .call(
            Method::PUT,
            &path,
            Some(&alice),
            Some(&json!({"from": day(5), "to": day(8), "blocked": true})),
        )
        .await
        .unwrap();
    assert_eq!(blocked.status.as_u16(), 200, "{}", blocked.body);
    assert_eq!(blocked.body["changed"].as_array().unwrap().len(), 3);
    let nights = api
        .get(
            &format!(
                "/properties/{id}/availability?from={}&to={}",
                day(4),
                day(9)
            ),
            None,
        )
        .await
        .unwrap();
    let statuses: Vec<&str> = nights.body["nights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        [
            "available",
            "unavailable",
            "unavailable",
            "unavailable",
            "available"
        ]
    );
    let unblock = api
        .call(
            Method::PUT,
            &path,
            Some(&alice),
            Some(&json!({"from": day(6), "to": day(7), "blocked": false})),
        )
        .await
        .unwrap();
    assert_eq!(unblock.body["changed"], json!([day(6)]));
    let too_long = api
        .call(
            Method::PUT,
            &path,
            Some(&alice),
            Some(&json!({"from": day(5), "to": day(200), "blocked": true})),
        )
        .await
        .unwrap();
    assert_problem(&too_long, 400, Some("to"));
}

#[tokio::test]
async fn bodies_over_8_kib_are_refused() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("alice", &["hosts"]).await.unwrap();
    let mut big = listing();
    big["description"] = json!("x".repeat(9 * 1024));
    let refused = api.post("/properties", Some(&host), &big).await.unwrap();
    assert_problem(&refused, 413, None);
    let chunked = api
        .send(
            Method::POST,
            "/quotes",
            None,
            &[("transfer-encoding", "chunked")],
            vec![b' '; 9000],
        )
        .await
        .unwrap();
    assert_problem(&chunked, 413, None);
}

#[tokio::test]
async fn too_many_requests_are_refused_with_retry_after() {
    let app = spawn_with(Options {
        rate_limit: 5,
        ..Options::default()
    })
    .await;
    for _ in 0..5 {
        assert_eq!(
            app.api.get("/health", None).await.unwrap().status.as_u16(),
            200
        );
    }
    let limited = app.api.get("/health", None).await.unwrap();
    assert_problem(&limited, 429, None);
    let wait: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!(
        (1..=61).contains(&wait),
        "the window refills one request per minute here: {wait}"
    );
}

#[tokio::test]
async fn data_survives_a_restart() {
    let app = spawn_with(Options {
        demo: 7,
        ..Options::default()
    })
    .await;
    let host = app.api.token("alice", &["hosts"]).await.unwrap();
    let id = property(&app.api, &host, &listing()).await;
    let data_dir = app.data_dir.clone();
    app.server.stop();
    let again = spawn_in(
        data_dir,
        &Options {
            demo: 7,
            ..Options::default()
        },
    )
    .await;
    let read = again
        .api
        .get(&format!("/properties/{id}"), None)
        .await
        .unwrap();
    assert_eq!(read.status.as_u16(), 200);
    assert_eq!(read.body["title"], "Flat by the river");
    let still_valid = again.api.get("/me", Some(&host)).await.unwrap();
    assert_eq!(still_valid.status.as_u16(), 200, "tokens outlive restarts");
    let demo = again
        .api
        .get("/properties/prop_de400000000000000000000000000006", None)
        .await
        .unwrap();
    assert_eq!(
        demo.status.as_u16(),
        200,
        "demo listings were seeded once, deterministically"
    );
    let none = again
        .api
        .get("/properties/prop_de400000000000000000000000000007", None)
        .await
        .unwrap();
    assert_eq!(none.status.as_u16(), 404, "and not seeded again");
}

/// A server told to refuse `/local/*` (as `berth serve` decides for a
/// non-loopback --addr without --unsafe-expose-local-endpoints) answers
/// 404 problem+json there, and serves the API as usual. It listens on
/// 127.0.0.1: the decision is passed in, no traffic leaves loopback.
#[tokio::test]
async fn refused_local_endpoints_answer_404_and_the_api_still_works() {
    use berth_local::server::exposure::LocalEndpoints;
    let data_dir = tempfile::tempdir().unwrap().keep();
    let args = crate::support::args(data_dir, &Options::default());
    let server = berth_local::serve::start_with(&args, LocalEndpoints::Refused)
        .await
        .unwrap();
    let api = berth_local::client::Api::new(&format!("http://{}", server.addr));
    let minted = api
        .post(
            "/local/token",
            None,
            &json!({"sub": "mallory", "groups": ["admins"]}),
        )
        .await
        .unwrap();
    assert_problem(&minted, 404, None);
    assert!(minted.body.get("token").is_none());
    let moved = api
        .post("/local/clock", None, &json!({"advance_seconds": 86400}))
        .await
        .unwrap();
    assert_problem(&moved, 404, None);
    assert_problem(&api.get("/local/payments", None).await.unwrap(), 404, None);
    assert_eq!(api.get("/health", None).await.unwrap().status.as_u16(), 200);
    let now = chrono::Utc::now();
    let clock = berth_domain::ports::Clock::now(server.platform.clock.as_ref());
    assert!(
        clock - now < chrono::Duration::hours(1),
        "the clock did not move"
    );
    server.stop();

    let served = crate::support::spawn().await;
    let token = served
        .api
        .post("/local/token", None, &json!({"sub": "dev"}))
        .await
        .unwrap();
    assert_eq!(
        token.status.as_u16(),
        200,
        "loopback serves /local/*: {}",
        token.body
    );
}

/// `GET /me/properties`: the caller's own listings, newest first, paged by
/// the cursor it hands out; bad paging is refused naming the field.
#[tokio::test]
async fn a_host_lists_only_their_own_properties_page_by_page() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("lister-host", &["hosts"]).await.unwrap();
    let other = api.token("other-host", &["hosts"]).await.unwrap();
    let mut made = Vec::new();
    for _ in 0..3 {
        made.push(property(api, &host, &listing()).await);
        property(api, &other, &listing()).await;
    }
    made.reverse();
    let mut seen = Vec::new();
    let mut path = "/me/properties?limit=2".to_owned();
    loop {
        let page = api.get(&path, Some(&host)).await.unwrap();
        assert_eq!(page.status.as_u16(), 200, "{}", page.body);
        let items = page.body["properties"].as_array().unwrap();
        assert!(items.len() <= 2);
        for p in items {
            assert_eq!(p["host_id"], "lister-host");
            seen.push(p["id"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/me/properties?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, made, "every listing of the host once, newest first");

    let guest = api.token("lister-guest", &[]).await.unwrap();
    let none = api.get("/me/properties", Some(&guest)).await.unwrap();
    assert_eq!(
        none.body,
        json!({"properties": [], "next_cursor": null}),
        "a guest lists nothing"
    );
    let anonymous = api.get("/me/properties", None).await.unwrap();
    assert_problem(&anonymous, 401, None);
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("cursor=bk_0123", "cursor"),
    ] {
        let refused = api
            .get(&format!("/me/properties?{query}"), Some(&host))
            .await
            .unwrap();
        assert_problem(&refused, 400, Some(field));
    }
}

/// `GET /properties/{id}/calendar`: its host sees each taken night and why
/// (a guest's booking by id, the nights blocked); nobody else sees it, and
/// bad dates are refused naming the field.
#[tokio::test]
async fn a_host_reads_why_each_night_is_taken() {
    let app = spawn().await;
    let api = &app.api;
    let host = api.token("calendar-host", &["hosts"]).await.unwrap();
    let guest = api.token("calendar-guest", &[]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let block = json!({"from": day(20), "to": day(22), "blocked": true});
    let blocked = api
        .call(
            Method::PUT,
            &format!("/properties/{id}/calendar"),
            Some(&host),
            Some(&block),
        )
        .await
        .unwrap();
    assert_eq!(blocked.status.as_u16(), 200, "{}", blocked.body);
    let booked = api
        .book(&guest, "calendar-1", &order(&id, 10, 2, "pm_card_visa"))
        .await
        .unwrap();
    let booking = booked.body["id"].as_str().unwrap().to_owned();
    let settled = api
        .settled(&guest, &booking, std::time::Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(settled["status"], "CONFIRMED");

    let path = format!("/properties/{id}/calendar?from={}&to={}", day(9), day(23));
    let read = api.get(&path, Some(&host)).await.unwrap();
    assert_eq!(read.status.as_u16(), 200, "{}", read.body);
    let nights: Vec<(String, String, Option<String>)> = read.body["nights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["date"].as_str().unwrap().to_owned(),
                n["state"].as_str().unwrap().to_owned(),
                n["booking_id"].as_str().map(str::to_owned),
            )
        })
        .collect();
    let night = |d: u32, state: &str, booking: Option<&str>| {
        (
            day(d).to_string(),
            state.to_owned(),
            booking.map(str::to_owned),
        )
    };
    assert_eq!(
        nights,
        [
            night(10, "BOOKED", Some(&booking)),
            night(11, "BOOKED", Some(&booking)),
            night(20, "BLOCKED", None),
            night(21, "BLOCKED", None),
        ]
    );

    assert_problem(&api.get(&path, Some(&guest)).await.unwrap(), 403, None);
    assert_problem(&api.get(&path, None).await.unwrap(), 401, None);
    let no_to = format!("/properties/{id}/calendar?from={}", day(9));
    assert_problem(
        &api.get(&no_to, Some(&host)).await.unwrap(),
        400,
        Some("to"),
    );
}
