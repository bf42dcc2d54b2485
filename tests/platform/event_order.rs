//! Events reach consumers in any order, some more than once (EventBridge
//! and SQS keep no order; the outbox stream's shards are per item). Every
//! embedded read model (the ledger, the audit trail, the notification
//! outbox, signals) must end as it does when one booking's events arrive in
//! order: checked over many shuffled, duplicated deliveries through the
//! consumers themselves.

use std::path::Path;

use berth_domain::booking::{Booking, PaymentMethod};
use berth_domain::dates::{Date, DateRange, Stay};
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::UserId;
use berth_domain::money::Money;
use berth_domain::pricing;
use berth_domain::projections;
use berth_domain::property::{Listing, ListingFields, Property};
use berth_domain::reservations::RequestTimes;
use berth_local::platform::bus::envelope;
use berth_local::platform::{Background, Platform, PlatformConfig, workflow};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};

async fn platform() -> Platform {
    Platform::start(
        PlatformConfig {
            data_dir: tempfile::tempdir().unwrap().keep(),
            time_scale: 0.01,
            times: RequestTimes::default(),
            definition: workflow::booking_definition(Path::new("..")),
            aws: None,
            allow_private_feeds: false,
        },
        Background::None,
    )
    .await
    .expect("the platform starts")
}

fn listing() -> Listing {
    Listing::new(ListingFields {
        title: "Flat by the river".into(),
        description: "Two rooms.".into(),
        city: "Lisbon".into(),
        country: "PT".into(),
        lat: 38.7,
        lon: -9.1,
        max_guests: 4,
        bedrooms: 2,
        amenities: vec!["wifi".into(), "kitchen".into()],
        nightly_price: (10_000, "EUR".into()),
        cleaning_fee: (2_500, "EUR".into()),
        min_nights: 1,
        max_nights: 30,
        cancellation_policy: "flexible".into(),
        photos: vec![],
    })
    .unwrap()
}

/// One booking's life: requested, held, paid, confirmed, then cancelled
/// with its refund (one change, two events of one version).
fn journey(property: &Property) -> Vec<DomainEvent> {
    let now = chrono::Utc::now();
    let stay = Stay::existing(Date::of(now).add_days(20), Date::of(now).add_days(23)).unwrap();
    let quote = pricing::quote(property, stay, 2, Date::of(now)).unwrap();
    let guest = UserId::parse("ordered-guest").unwrap();
    let method = PaymentMethod::parse("pm_card_visa").unwrap();
    let requested = Booking::request(guest, property, quote, method, now, now);
    let at = |seconds| now + chrono::Duration::seconds(seconds);
    let held = requested.held(at(900), at(1)).unwrap();
    let paid = held.paid("ch_1", at(2)).unwrap();
    let confirmed = paid.confirmed(at(3)).unwrap();
    let refund = Money::new(confirmed.total.amount, confirmed.total.currency);
    let cancelled = confirmed.cancelled(refund, at(4)).unwrap();
    let event =
        |change, seconds| DomainEvent::new(change, now + chrono::Duration::seconds(seconds));
    vec![
        event(Change::BookingRequested { booking: requested }, 0),
        event(Change::BookingHeld { booking: held }, 1),
        event(Change::BookingPaid { booking: paid }, 2),
        event(Change::BookingConfirmed { booking: confirmed }, 3),
        event(
            Change::BookingCancelled {
                booking: cancelled.clone(),
            },
            4,
        ),
        event(
            Change::PaymentRefunded {
                booking: cancelled,
                refund,
            },
            4,
        ),
    ]
}

/// An SQS batch of one message.
fn sqs(body: String, n: usize) -> Value {
    json!({"Records": [{
        "messageId": format!("m{n}"), "receiptHandle": "r", "body": body,
        "attributes": {}, "messageAttributes": {}, "eventSource": "aws:sqs",
    }]})
}

/// Hands `deliveries` one by one to every consumer, as its rule would.
async fn deliver(platform: &Platform, deliveries: &[DomainEvent]) {
    let function = |name: &str| platform.functions.json[name].clone();
    for (n, event) in deliveries.iter().enumerate() {
        let body = envelope(event).to_string();
        for name in ["record-ledger", "append-audit", "learn-signals"] {
            let answer = function(name)(sqs(body.clone(), n)).await.unwrap();
            assert_eq!(answer["batchItemFailures"], json!([]), "{name}");
        }
        // What queue-notifications puts on the FIFO queue, in arrival order.
        if let Some(notification) = projections::notification(event) {
            let body = serde_json::to_string(&notification).unwrap();
            let answer = function("send-notifications")(sqs(body, n)).await.unwrap();
            assert_eq!(answer["batchItemFailures"], json!([]));
        }
    }
}

/// Every read model's state for the booking, comparable across runs.
async fn read_models(platform: &Platform, events: &[DomainEvent]) -> Value {
    let booking = events[0].booking().unwrap();
    let ports = &platform.ports;
    let yesterday = Date::of(chrono::Utc::now() - chrono::Duration::days(1));
    let range = DateRange::new(yesterday, yesterday.add_days(3), 366).unwrap();
    let earnings = ports
        .ledger
        .earnings(&booking.host_id, range)
        .await
        .unwrap();
    let trail: Vec<(String, u64)> = ports
        .audit
        .trail(&booking.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.change, r.version))
        .collect();
    let signals = ports.signals.signals(&booking.guest_id).await.unwrap();
    json!({"earnings": earnings, "trail": trail, "signals": signals})
}

/// The subjects of the messages the guest received, in order.
fn inbox(platform: &Platform, events: &[DomainEvent]) -> Vec<String> {
    let guest = &events[0].booking().unwrap().guest_id;
    platform
        .store
        .notifications_for(guest)
        .unwrap()
        .into_iter()
        .map(|n| n.subject)
        .collect()
}

#[tokio::test]
async fn shuffled_and_repeated_events_leave_every_read_model_as_in_order() {
    let reference = platform().await;
    let property = Property::list(
        UserId::parse("ordered-host").unwrap(),
        listing(),
        chrono::Utc::now(),
    );
    let created = DomainEvent::new(
        Change::PropertyCreated {
            property: property.clone(),
        },
        chrono::Utc::now(),
    );
    reference
        .ports
        .property_writer
        .insert_property(&property, &created)
        .await
        .unwrap();
    let events = journey(&property);
    deliver(&reference, &events).await;
    let in_order = read_models(&reference, &events).await;
    assert_eq!(in_order["earnings"][0]["net"], 0, "earned, then refunded");
    assert_eq!(in_order["trail"].as_array().unwrap().len(), events.len());
    let told = inbox(&reference, &events);
    assert_eq!(
        told,
        ["Your booking is confirmed", "Your booking is cancelled"]
    );

    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    for run in 0..24 {
        let platform = platform().await;
        platform
            .ports
            .property_writer
            .insert_property(&property, &created)
            .await
            .unwrap();
        let mut deliveries = events.clone();
        // Redeliveries: some events twice, at random places.
        deliveries.extend(
            events
                .iter()
                .filter(|_| rand::Rng::random_bool(&mut rng, 0.5))
                .cloned(),
        );
        deliveries.shuffle(&mut rng);
        deliver(&platform, &deliveries).await;
        let delivered = deliveries
            .iter()
            .map(DomainEvent::detail_type)
            .collect::<Vec<_>>();
        assert_eq!(
            read_models(&platform, &events).await,
            in_order,
            "run {run}: delivered as {delivered:?}"
        );
        // A message about an older version than one sent is news no longer:
        // the guest hears the same last word, and never a stale one after it.
        let heard = inbox(&platform, &events);
        assert_eq!(heard.last(), told.last(), "run {run}: {delivered:?}");
        assert!(
            heard.iter().all(|subject| told.contains(subject))
                && heard.is_sorted_by_key(|s| told.iter().position(|t| t == s)),
            "run {run}: heard {heard:?} after {delivered:?}"
        );
    }
}
