//! What the tests share: a settable clock, fixtures, and following a search
//! page by page. The brute-force oracle is in `model`, the generator of
//! random histories in `world`.

use std::collections::BTreeSet;
use std::sync::Mutex;

use berth_domain::booking::{Booking, BookingStatus, FailureReason, PaymentMethod};
use berth_domain::cancellation::CancellationPolicy;
use berth_domain::dates::{Date, Stay, Timestamp};
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::{BookingId, PropertyId, UserId};
use berth_domain::money::{Currency, Money};
use berth_domain::ports::Clock;
use berth_domain::property::{Amenity, Listing, Location, Property};
use berth_search::{Index, SearchRequest};

pub use crate::world::World;

pub fn date(text: &str) -> Date {
    Date::parse(text).unwrap()
}

pub fn today() -> Date {
    date("2027-03-01")
}

pub fn morning() -> Timestamp {
    today().start() + chrono::Duration::hours(8)
}

pub struct TestClock(Mutex<Timestamp>);

impl TestClock {
    pub fn new(now: Timestamp) -> Self {
        Self(Mutex::new(now))
    }

    pub fn set(&self, now: Timestamp) {
        *self.0.lock().unwrap() = now;
    }
}

impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().unwrap()
    }
}

pub fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::parse("EUR").unwrap())
}

/// A plain listing in `city` at `location`.
pub fn property(city: &str, (lat, lon): (f64, f64), nightly: Money) -> Property {
    let listing = Listing {
        title: format!("A flat in {city}"),
        description: String::new(),
        city: city.into(),
        country: "PT".into(),
        location: Location { lat, lon },
        max_guests: 4,
        bedrooms: 2,
        amenities: BTreeSet::from([Amenity::Wifi]),
        nightly_price: nightly,
        cleaning_fee: Money::new(1_000, nightly.currency),
        min_nights: 1,
        max_nights: 30,
        cancellation_policy: CancellationPolicy::Flexible,
        photos: vec![],
    };
    Property::list(UserId::parse("host").unwrap(), listing, morning())
}

/// A booking in `status` as the events carry it (the search service only
/// ever sees bookings on the wire).
pub fn booking(
    property: &PropertyId,
    stay: Stay,
    status: BookingStatus,
    hold_until: Option<Timestamp>,
) -> Booking {
    let mut wire = serde_json::json!({
        "id": BookingId::generate(),
        "status": status,
        "property_id": property,
        "guest_id": UserId::parse("guest").unwrap(),
        "host_id": UserId::parse("host").unwrap(),
        "check_in": stay.check_in,
        "check_out": stay.check_out,
        "guests": 1,
        "nights": stay.nights(),
        "nightly_price": eur(1),
        "nightly_total": eur(1),
        "cleaning_fee": eur(0),
        "total": eur(1),
        "payment_method": PaymentMethod::parse("pm_card_visa").unwrap(),
        "cancellation_policy": CancellationPolicy::Flexible,
        "created_at": morning(),
        "updated_at": morning(),
    });
    if let Some(until) = hold_until {
        wire["hold_expires_at"] = serde_json::json!(until);
    }
    serde_json::from_value(wire).expect("a booking on the wire")
}

/// `booking` (HELD or CONFIRMED) moved on to `status` at `now`, as the
/// workflow, the sweeper or its guest moves it.
pub fn moved_on(booking: &Booking, status: BookingStatus, now: Timestamp) -> Booking {
    use BookingStatus::*;
    let moved = match status {
        Confirmed => booking.paid("pi_test", now).and_then(|b| b.confirmed(now)),
        Failed => booking.failed(FailureReason::NightsUnavailable, now),
        Expired => booking.expired(now),
        Cancelled => booking.cancelled(eur(0), now),
        other => panic!("no move to {other} here"),
    };
    moved.expect("a move the booking's status allows")
}

pub fn event(change: Change, at: Timestamp) -> DomainEvent {
    DomainEvent::new(change, at)
}

/// Every page of `query`, followed by cursor, as (property id, distance) pairs.
/// Every hit of `query`, page after page, as `"<property id> <total>"`.
pub fn all_pages(index: &Index, query: &str, now: Timestamp) -> Vec<String> {
    let mut ids = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("{query}&cursor={c}"),
            None => query.to_owned(),
        };
        let request = SearchRequest::parse(&q, berth_domain::dates::Date::of(now)).unwrap();
        let page = index.search(&request, now);
        assert!(page.results.len() <= request.limit);
        ids.extend(
            page.results
                .iter()
                .map(|h| format!("{} {}", h.property_id, h.total.amount)),
        );
        match page.next_cursor {
            Some(next) => {
                assert_eq!(
                    page.results.len(),
                    request.limit,
                    "only full pages have a next page"
                );
                cursor = Some(next);
            }
            None => return ids,
        }
    }
}
