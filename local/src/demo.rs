//! `berth demo`: one booking, end to end, against a running `berth serve`,
//! printing each step and state so a newcomer sees how Berth works.

use std::time::Duration;

use anyhow::Context;
use berth_domain::dates::Date;
use serde_json::{Value, json};

use crate::client::Api;

fn step(n: u32, what: &str) {
    println!("\n{n}. {what}");
}

fn show(value: &Value) {
    println!("   {}", serde_json::to_string(value).unwrap_or_default());
}

pub async fn run(url: &str) -> anyhow::Result<()> {
    let api = Api::new(url);
    step(1, "Is Berth up? GET /health");
    let health = api
        .get("/health", None)
        .await
        .context("is `berth serve` running?")?;
    show(&health.body);
    let (guest, token) = sign_in(&api).await?;
    let stay = find_stay(&api).await?;
    let (key, order, id) = book(&api, &token, stay).await?;
    let booking = follow(&api, &token, &id).await?;
    show_history(&api, &id).await?;
    replay(&api, &token, &key, &order, &id).await?;
    show_notification(&api, &guest).await?;
    println!("\nDone: booking {id} is {}.", booking["status"]);
    Ok(())
}

async fn sign_in(api: &Api) -> anyhow::Result<(String, String)> {
    step(
        2,
        "A guest signs in: POST /local/token (Cognito does this in AWS)",
    );
    let guest = format!("demo-guest-{}", std::process::id());
    let token = api.token(&guest, &[]).await?;
    println!("   token for {guest}: {}…", &token[..24.min(token.len())]);
    Ok((guest, token))
}

/// The cheapest Lisbon stay for two on random dates, as its quote request.
async fn find_stay(api: &Api) -> anyhow::Result<Value> {
    let check_in = Date::of(chrono::Utc::now()).add_days(20 + rand::random_range(0..300));
    let check_out = check_in.add_days(3);
    step(
        3,
        &format!("Search Lisbon, {check_in} to {check_out}, 2 guests: GET /search"),
    );
    let search = api
        .get(&format!("/search?city=Lisbon&check_in={check_in}&check_out={check_out}&guests=2&sort=price&limit=3"), None)
        .await?;
    let results = search.body["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for hit in &results {
        println!(
            "   {} — {} — total {} {}",
            hit["property_id"], hit["title"], hit["total"]["amount"], hit["total"]["currency"]
        );
    }
    let property = results
        .first()
        .and_then(|hit| hit["property_id"].as_str())
        .map(str::to_owned)
        .context("no available property in Lisbon for those dates; run the demo again")?;
    Ok(json!({"property_id": property, "check_in": check_in, "check_out": check_out, "guests": 2}))
}

/// Quotes and books the stay: its idempotency key, the order, the booking id.
async fn book(api: &Api, token: &str, stay: Value) -> anyhow::Result<(String, Value, String)> {
    step(4, "Price the stay: POST /quotes");
    let quote = api.post("/quotes", None, &stay).await?;
    show(&quote.body);

    step(
        5,
        "Book it: POST /bookings with an Idempotency-Key → 202, PENDING",
    );
    let mut order = stay;
    order["payment_method"] = json!("pm_card_visa");
    let key = uuid::Uuid::new_v4().to_string();
    let accepted = api.book(token, &key, &order).await?;
    anyhow::ensure!(
        accepted.status.as_u16() == 202,
        "booking refused: {} {}",
        accepted.status,
        accepted.body
    );
    let id = accepted.body["id"]
        .as_str()
        .context("no booking id")?
        .to_owned();
    println!("   booking {id}: {}", accepted.body["status"]);
    Ok((key, order, id))
}

/// Polls the booking until it settles (or 30 s pass): its last state.
async fn follow(api: &Api, token: &str, id: &str) -> anyhow::Result<Value> {
    step(
        6,
        "Follow it: GET /bookings/{id} as the workflow quotes, reserves, pays and confirms",
    );
    let mut last = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let booking = loop {
        let now = api.get(&format!("/bookings/{id}"), Some(token)).await?;
        let status = now.body["status"].as_str().unwrap_or_default().to_owned();
        if status != last {
            println!("   status: {status}");
            last = status.clone();
        }
        if matches!(status.as_str(), "CONFIRMED" | "FAILED" | "EXPIRED")
            || tokio::time::Instant::now() > deadline
        {
            break now.body;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    show(&booking);
    Ok(booking)
}

async fn show_history(api: &Api, id: &str) -> anyhow::Result<()> {
    step(
        7,
        "The workflow's history: GET /local/executions/{id} (the Step Functions console in AWS)",
    );
    let execution = api.get(&format!("/local/executions/{id}"), None).await?;
    println!("   execution: {}", execution.body["status"]);
    for event in execution.body["history"].as_array().into_iter().flatten() {
        if event["type"] == "StateEntered" {
            println!("   → {}", event["state"].as_str().unwrap_or_default());
        }
    }
    Ok(())
}

async fn replay(api: &Api, token: &str, key: &str, order: &Value, id: &str) -> anyhow::Result<()> {
    step(
        8,
        "Replay the same request with the same key: the same booking, no second charge",
    );
    let replay = api.book(token, key, order).await?;
    println!("   {} → booking {}", replay.status, replay.body["id"]);
    let payments = api.get("/local/payments", None).await?;
    let charges = payments.body["charges"]
        .as_array()
        .map(|c| c.iter().filter(|c| c["key"] == id).count())
        .unwrap_or(0);
    println!("   charges for this booking: {charges}");
    Ok(())
}

async fn show_notification(api: &Api, guest: &str) -> anyhow::Result<()> {
    step(
        9,
        "What the guest was told: GET /local/notifications (email in AWS)",
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let inbox = api
            .get(&format!("/local/notifications?user={guest}"), None)
            .await?;
        if let Some(first) = inbox.body["notifications"]
            .as_array()
            .and_then(|n| n.first())
        {
            println!("   {}: {}", first["subject"], first["body"]);
            break;
        }
        if tokio::time::Instant::now() > deadline {
            println!("   (no notification yet)");
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Ok(())
}
