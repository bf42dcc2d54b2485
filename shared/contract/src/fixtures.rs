//! Values the checks build on.

use berth_domain::booking::{Booking, BookingStatus, PaymentMethod};
use berth_domain::dates::{Date, Stay, Timestamp};
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::UserId;
use berth_domain::ports::{BookingChange, ChangeError, NightsChange};
use berth_domain::pricing;
use berth_domain::property::{Listing, ListingFields, Property};
use chrono::{Duration, Utc};

use crate::Subject;

pub fn user(name: &str) -> UserId {
    UserId::parse(name).expect("fixture user id")
}

pub fn listing(city: &str) -> Listing {
    Listing::new(ListingFields {
        title: format!("Flat in {city}"),
        description: "A fixture.".into(),
        city: city.into(),
        country: "PT".into(),
        lat: 38.7,
        lon: -9.1,
        max_guests: 4,
        bedrooms: 2,
        amenities: vec!["wifi".into()],
        nightly_price: (10_000, "EUR".into()),
        cleaning_fee: (2_500, "EUR".into()),
        min_nights: 1,
        max_nights: 90,
        cancellation_policy: "flexible".into(),
        photos: vec![],
    })
    .expect("fixture listing")
}

/// A stored property of `host`.
pub async fn property(ports: &Subject, host: &str) -> Property {
    let property = Property::list(user(host), listing("Lisbon"), Utc::now());
    let event = DomainEvent::new(
        Change::PropertyCreated {
            property: property.clone(),
        },
        Utc::now(),
    );
    ports
        .property_writer()
        .unwrap()
        .insert_property(&property, &event)
        .await
        .expect("storing a fixture property");
    property
}

/// The date `days` from today.
pub fn day(days: u32) -> Date {
    Date::of(Utc::now()).add_days(days)
}

pub fn stay(from: u32, nights: u32) -> Stay {
    Stay::existing(day(from), day(from + nights)).expect("fixture stay")
}

/// A PENDING booking of `guest` for `stay` at `property` (not stored).
pub fn booking(property: &Property, guest: &str, stay: Stay, now: Timestamp) -> Booking {
    let quote = pricing::quote(property, stay, 2, Date::of(now)).expect("fixture quote");
    Booking::request(
        user(guest),
        property,
        quote,
        PaymentMethod::parse("pm_card_visa").expect("fixture payment method"),
        now,
        now + Duration::minutes(15),
    )
}

/// Stores a PENDING booking through a claim, as a guest's request would.
pub async fn stored_booking(
    ports: &Subject,
    property: &Property,
    guest: &str,
    stay: Stay,
) -> Booking {
    let now = Utc::now();
    let booking = booking(property, guest, stay, now);
    let claim = berth_domain::ports::RequestClaim {
        now,
        user: booking.guest_id.clone(),
        key: berth_domain::ports::IdempotencyKey::parse(booking.id.as_str()).expect("fixture key"),
        fingerprint: booking.id.to_string(),
        lease_until: now + Duration::seconds(30),
        expires_at: now + Duration::hours(24),
    };
    let event = DomainEvent::new(
        Change::BookingRequested {
            booking: booking.clone(),
        },
        now,
    );
    let outcome = ports
        .requests()
        .unwrap()
        .claim(&claim, &booking, &event)
        .await
        .expect("claiming");
    assert_eq!(outcome, berth_domain::ports::ClaimOutcome::Claimed);
    booking
}

pub fn held(booking: &Booking, now: Timestamp, until: Timestamp) -> Booking {
    match booking.status() {
        BookingStatus::Held => booking.clone(),
        _ => booking.held(until, now).unwrap(),
    }
}

/// Holds `booking`'s nights until `until`, as Reserve does (a booking
/// already held is held again): the booking as stored.
pub async fn hold(
    ports: &Subject,
    booking: &Booking,
    now: Timestamp,
    until: Timestamp,
) -> Result<Booking, ChangeError> {
    let next = held(booking, now, until);
    let events = [DomainEvent::new(
        Change::BookingHeld {
            booking: next.clone(),
        },
        now,
    )];
    ports
        .changes()
        .unwrap()
        .apply(&BookingChange {
            booking: &next,
            from: &[BookingStatus::Pending, BookingStatus::Held],
            nights: NightsChange::Hold { until, now },
            events: &events,
        })
        .await
        .map(|()| next)
}
