//! Starting a platform for a test, and the values tests share.

use std::path::PathBuf;
use std::time::Duration;

use berth_domain::dates::Date;
use berth_local::client::Api;
use berth_local::serve::{Backend, ServeArgs, Server, start};
use serde_json::{Value, json};

pub struct TestApp {
    pub api: Api,
    pub server: Server,
    pub data_dir: PathBuf,
}

pub struct Options {
    pub rate_limit: u32,
    pub demo: u32,
    pub time_scale: f64,
    /// `--allow-private-feeds`: calendar feeds served on 127.0.0.1 may be imported.
    pub allow_private_feeds: bool,
}

impl Default for Options {
    fn default() -> Self {
        // Waits made on AWS's behalf (retry backoff, timeouts) run 100× faster.
        Self {
            rate_limit: 0,
            demo: 0,
            time_scale: 0.01,
            allow_private_feeds: false,
        }
    }
}

pub fn args(data_dir: PathBuf, options: &Options) -> ServeArgs {
    ServeArgs {
        addr: "127.0.0.1:0".parse().expect("an address"),
        data_dir,
        demo: options.demo,
        rate_limit: options.rate_limit,
        time_scale: options.time_scale,
        hold_minutes: Default::default(),
        backend: Backend::Embedded,
        aws_prefix: "berth-local".into(),
        aws_endpoint: None,
        stripe_url: None,
        unsafe_expose_local_endpoints: false,
        allow_private_feeds: options.allow_private_feeds,
    }
}

pub async fn spawn_with(options: Options) -> TestApp {
    let data_dir = tempfile::tempdir().expect("temp dir").keep();
    spawn_in(data_dir, &options).await
}

pub async fn spawn_in(data_dir: PathBuf, options: &Options) -> TestApp {
    let server = start(&args(data_dir.clone(), options))
        .await
        .expect("berth serve starts");
    let api = Api::new(&format!("http://{}", server.addr));
    TestApp {
        api,
        server,
        data_dir,
    }
}

pub async fn spawn() -> TestApp {
    spawn_with(Options::default()).await
}

pub fn listing() -> Value {
    json!({
        "title": "Flat by the river", "description": "Two rooms and a view.", "city": "Lisbon", "country": "PT",
        "location": {"lat": 38.71, "lon": -9.14}, "max_guests": 4, "bedrooms": 2, "amenities": ["wifi", "kitchen"],
        "nightly_price": {"amount": 12000, "currency": "EUR"}, "cleaning_fee": {"amount": 3000, "currency": "EUR"},
        "min_nights": 1, "max_nights": 30, "cancellation_policy": "moderate"
    })
}

/// A listed property of `host` (a token of a host); answers its id.
pub async fn property(api: &Api, host: &str, listing: &Value) -> String {
    let created = api
        .post("/properties", Some(host), listing)
        .await
        .expect("POST /properties");
    assert_eq!(created.status.as_u16(), 201, "{}", created.body);
    created.body["id"].as_str().expect("an id").to_owned()
}

/// The day `days` from today.
pub fn day(days: u32) -> Date {
    Date::of(chrono::Utc::now()).add_days(days)
}

pub fn order(property: &str, from: u32, nights: u32, payment_method: &str) -> Value {
    json!({
        "property_id": property, "check_in": day(from), "check_out": day(from + nights),
        "guests": 2, "payment_method": payment_method,
    })
}

/// Waits for `check` to hold, up to `within`; panics with `what` otherwise.
pub async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
