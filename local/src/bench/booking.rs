//! The booking bench: many guests book at once, each polling its booking
//! until it settles. Every booking is for its own night, so a confirmed
//! booking per second is the platform's throughput, not contention's.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use berth_domain::dates::Date;
use clap::Args;
use serde_json::{Value, json};

use crate::client::Api;
use crate::invariants;

#[derive(Debug, Clone, Args)]
pub struct BookingArgs {
    /// Where `berth serve` listens.
    #[arg(long, default_value = "http://127.0.0.1:3000")]
    pub url: String,
    /// Bookings in flight at once.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Bookings to make.
    #[arg(long, default_value_t = 5000)]
    pub bookings: usize,
}

/// One night per booking: each property takes this many bookings.
const NIGHTS_PER_PROPERTY: usize = 600;

struct Outcome {
    status: String,
    reason: Option<String>,
    /// From sending POST /bookings to seeing the settled status (includes
    /// the client's polling interval).
    observed: Duration,
    /// From the booking's creation to its last transition, as the platform
    /// stamped them (`created_at` → `updated_at`): no polling in it.
    stamped: Option<Duration>,
}

/// `updated_at - created_at` of a settled booking.
fn stamped(booking: &Value) -> Option<Duration> {
    let at = |field: &str| {
        booking[field]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    };
    (at("updated_at")? - at("created_at")?).to_std().ok()
}

fn print_latency(label: &str, mut latencies: Vec<Duration>) {
    latencies.sort_unstable();
    println!(
        "{label:<24} p50 {:.1} ms  p95 {:.1} ms  p99 {:.1} ms",
        percentile(&latencies, 50.0).as_secs_f64() * 1e3,
        percentile(&latencies, 95.0).as_secs_f64() * 1e3,
        percentile(&latencies, 99.0).as_secs_f64() * 1e3
    );
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn listing(n: usize) -> Value {
    json!({
        "title": format!("Bench flat {n}"), "description": "made by berth bench", "city": "Benchville",
        "country": "PT", "location": {"lat": 38.7, "lon": -9.1}, "max_guests": 4, "bedrooms": 1,
        "amenities": ["wifi"], "nightly_price": {"amount": 10000, "currency": "EUR"},
        "cleaning_fee": {"amount": 2000, "currency": "EUR"}, "min_nights": 1, "max_nights": 30,
        "cancellation_policy": "flexible"
    })
}

async fn book_one(api: &Api, token: &str, order: &Value) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let key = uuid::Uuid::new_v4().to_string();
    let accepted = api.book(token, &key, order).await?;
    if accepted.status.as_u16() == 429 {
        anyhow::bail!("rate limited: start `berth serve --rate-limit 0` for benchmarks");
    }
    anyhow::ensure!(
        accepted.status.as_u16() == 202,
        "booking refused: {} {}",
        accepted.status,
        accepted.body
    );
    let id = accepted.body["id"].as_str().context("no booking id")?;
    let settled = api.settled(token, id, Duration::from_secs(120)).await?;
    Ok(Outcome {
        observed: started.elapsed(),
        stamped: stamped(&settled),
        status: settled["status"].as_str().unwrap_or_default().to_owned(),
        reason: settled["failure_reason"].as_str().map(str::to_owned),
    })
}

pub async fn run(args: BookingArgs) -> anyhow::Result<()> {
    let api = Api::new(&args.url);
    let run_id = uuid::Uuid::new_v4().simple().to_string()[..8].to_owned();
    let host = api
        .token(&format!("bench-host-{run_id}"), &["hosts"])
        .await?;
    let guests: Vec<String> = futures::future::try_join_all((0..16).map(|g| {
        let api = api.clone();
        let run_id = run_id.clone();
        async move { api.token(&format!("bench-guest-{run_id}-{g}"), &[]).await }
    }))
    .await?;
    let property_count = args.bookings.div_ceil(NIGHTS_PER_PROPERTY).max(1);
    let properties = list_properties(&api, &host, property_count).await?;
    println!(
        "booking bench: {} bookings, {} at a time, over {} properties at {}",
        args.bookings, args.concurrency, property_count, args.url
    );
    let started = Instant::now();
    let outcomes = book_all(&api, &args, properties, guests).await?;
    let wall = started.elapsed();
    let bookings = invariants::bookings_of_host(&api, &host).await?;
    let charges = invariants::charges(&api).await?;
    let violations = invariants::violations(&bookings, &charges);
    report(wall, &outcomes, bookings.len(), &violations);
    anyhow::ensure!(
        violations.is_empty(),
        "{} invariant violations",
        violations.len()
    );
    Ok(())
}

/// The host's `count` bench listings, created one after another.
async fn list_properties(api: &Api, host: &str, count: usize) -> anyhow::Result<Vec<String>> {
    let mut properties = Vec::new();
    for n in 0..count {
        let created = api.post("/properties", Some(host), &listing(n)).await?;
        anyhow::ensure!(
            created.status.as_u16() == 201,
            "creating a property: {} {}",
            created.status,
            created.body
        );
        properties.push(
            created.body["id"]
                .as_str()
                .context("property id")?
                .to_owned(),
        );
    }
    Ok(properties)
}

/// Every booking of the run, `args.concurrency` at a time: night after
/// night, spread over the properties and the guests.
async fn book_all(
    api: &Api,
    args: &BookingArgs,
    properties: Vec<String>,
    guests: Vec<String>,
) -> anyhow::Result<Vec<Outcome>> {
    let today = Date::of(chrono::Utc::now());
    let next = Arc::new(AtomicUsize::new(0));
    let workers = (0..args.concurrency).map(|_| {
        let (api, next, properties, guests) = (
            api.clone(),
            next.clone(),
            properties.clone(),
            guests.clone(),
        );
        let total = args.bookings;
        tokio::spawn(async move {
            let mut outcomes = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<_, anyhow::Error>(outcomes);
                }
                let check_in = today.add_days(1 + (i / properties.len()) as u32);
                let order = json!({
                    "property_id": properties[i % properties.len()],
                    "check_in": check_in, "check_out": check_in.add_days(1),
                    "guests": 2, "payment_method": "pm_card_visa",
                });
                outcomes.push(book_one(&api, &guests[i % guests.len()], &order).await?);
            }
        })
    });
    let mut outcomes = Vec::new();
    for worker in futures::future::join_all(workers).await {
        outcomes.extend(worker??);
    }
    Ok(outcomes)
}

fn report(wall: Duration, outcomes: &[Outcome], checked: usize, violations: &[String]) {
    let confirmed: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.status == "CONFIRMED")
        .collect();
    let mut failed: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for o in outcomes.iter().filter(|o| o.status != "CONFIRMED") {
        *failed
            .entry(format!(
                "{} {}",
                o.status,
                o.reason.as_deref().unwrap_or("")
            ))
            .or_default() += 1;
    }
    println!("wall time            {:.2} s", wall.as_secs_f64());
    println!(
        "confirmed            {} of {}",
        confirmed.len(),
        outcomes.len()
    );
    println!(
        "confirmed/s          {:.0}",
        confirmed.len() as f64 / wall.as_secs_f64()
    );
    print_latency(
        "POST→CONFIRMED stamped",
        confirmed.iter().filter_map(|o| o.stamped).collect(),
    );
    print_latency(
        "POST→CONFIRMED observed",
        confirmed.iter().map(|o| o.observed).collect(),
    );
    for (what, count) in &failed {
        println!("not confirmed        {count} {what}");
    }
    println!("bookings checked     {checked}");
    println!("invariant violations {}", violations.len());
    for v in violations.iter().take(20) {
        println!("  {v}");
    }
}
