//! What the tests share: a settable clock, random listings, a brute-force
//! model of the domain's nights (the oracle) and a generator of random but
//! legal event histories.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use berth_domain::booking::{Booking, BookingStatus, PaymentMethod};
use berth_domain::calendar::{self, CalendarPlan, NightState};
use berth_domain::cancellation::CancellationPolicy;
use berth_domain::dates::{Date, DateRange, Stay, Timestamp};
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::{BookingId, PropertyId, UserId};
use berth_domain::money::{Currency, Money};
use berth_domain::ports::Clock;
use berth_domain::pricing;
use berth_domain::property::{Amenity, Listing, Location, Property, Rating};
use berth_search::{Index, SearchRequest};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

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

pub fn booking(
    property: &PropertyId,
    stay: Stay,
    status: BookingStatus,
    hold_until: Option<Timestamp>,
) -> Booking {
    Booking {
        id: BookingId::generate(),
        status,
        failure_reason: None,
        property_id: property.clone(),
        guest_id: UserId::parse("guest").unwrap(),
        host_id: UserId::parse("host").unwrap(),
        check_in: stay.check_in,
        check_out: stay.check_out,
        guests: 1,
        nights: stay.nights(),
        nightly_price: eur(1),
        nightly_total: eur(1),
        cleaning_fee: eur(0),
        total: eur(1),
        payment_method: PaymentMethod::parse("pm_card_visa").unwrap(),
        cancellation_policy: CancellationPolicy::Flexible,
        payment_ref: None,
        refund: None,
        hold_expires_at: hold_until,
        created_at: morning(),
        updated_at: morning(),
    }
}

pub fn event(change: Change, at: Timestamp) -> DomainEvent {
    DomainEvent::new(change, at)
}

/// Every page of `query`, followed by cursor, as (property id, distance) pairs.
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
        ids.extend(page.results.iter().map(|h| h.property_id.to_string()));
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

/// The domain's view of every property and night, kept by applying events
/// exactly as the stores do. Searching it is a brute-force scan.
#[derive(Default, Clone)]
pub struct Model {
    pub properties: BTreeMap<PropertyId, Property>,
    pub nights: HashMap<(PropertyId, Date), NightState>,
    pub bookings: BTreeMap<BookingId, Booking>,
}

impl Model {
    pub fn apply(&mut self, event: &DomainEvent) {
        match &event.change {
            Change::PropertyCreated { property } | Change::PropertyUpdated { property } => {
                self.properties
                    .insert(property.id.clone(), property.clone());
            }
            Change::CalendarChanged {
                property_id,
                blocked,
                dates,
            } => {
                for d in dates {
                    if *blocked {
                        self.nights
                            .insert((property_id.clone(), *d), NightState::Blocked);
                    } else {
                        self.nights.remove(&(property_id.clone(), *d));
                    }
                }
            }
            Change::BookingHeld { booking } => {
                for d in booking.stay().dates() {
                    let state = NightState::Held {
                        booking_id: booking.id.clone(),
                        expires_at: booking.hold_expires_at.unwrap(),
                    };
                    self.nights.insert((booking.property_id.clone(), d), state);
                }
            }
            Change::BookingConfirmed { booking } => {
                for d in booking.stay().dates() {
                    self.nights.insert(
                        (booking.property_id.clone(), d),
                        NightState::Booked {
                            booking_id: booking.id.clone(),
                        },
                    );
                }
            }
            Change::BookingFailed { booking }
            | Change::BookingExpired { booking }
            | Change::BookingCancelled { booking } => {
                for d in booking.stay().dates() {
                    let key = (booking.property_id.clone(), d);
                    if self.nights.get(&key).and_then(|s| s.booking()) == Some(&booking.id) {
                        self.nights.remove(&key);
                    }
                }
            }
            _ => {}
        }
        if let Some(booking) = event.booking() {
            self.bookings.insert(booking.id.clone(), booking.clone());
        }
    }

    fn records(&self, property: &PropertyId, range: DateRange) -> Vec<calendar::Night> {
        range
            .days()
            .filter_map(|d| {
                self.nights
                    .get(&(property.clone(), d))
                    .map(|state| calendar::Night {
                        date: d,
                        state: state.clone(),
                    })
            })
            .collect()
    }

    /// Every matching, available property in result order: the oracle.
    pub fn search(&self, request: &SearchRequest, now: Timestamp) -> Vec<String> {
        use berth_search::query::{Area, Sort};
        let origin = |request: &SearchRequest| -> (f64, f64) {
            if let Some(near) = request.near {
                return (near.lat, near.lon);
            }
            match &request.area {
                Area::Bounds(b) => b.centre(),
                Area::City(key) => {
                    let in_city: Vec<&Property> = self
                        .properties
                        .values()
                        .filter(|p| p.listing.city.trim().to_lowercase() == *key)
                        .collect();
                    let n = in_city.len() as f64;
                    (
                        in_city.iter().map(|p| p.listing.location.lat).sum::<f64>() / n,
                        in_city.iter().map(|p| p.listing.location.lon).sum::<f64>() / n,
                    )
                }
            }
        };
        let mut hits: Vec<(f64, String)> = Vec::new();
        for property in self.properties.values() {
            let listing = &property.listing;
            let in_area = match &request.area {
                Area::City(key) => listing.city.trim().to_lowercase() == *key,
                Area::Bounds(b) => b.contains(listing.location.lat, listing.location.lon),
            };
            let Ok(quote) = pricing::quote(property, request.stay, request.guests) else {
                continue;
            };
            let amenities: u32 = listing.amenities.iter().map(|a| a.bit()).sum();
            let fits = in_area
                && amenities & request.amenities == request.amenities
                && request.currency.is_none_or(|c| c == quote.total.currency)
                && request.min_total.is_none_or(|m| quote.total.amount >= m)
                && request.max_total.is_none_or(|m| quote.total.amount <= m);
            let free = calendar::availability(
                request.stay.range(),
                &self.records(&property.id, request.stay.range()),
                now,
            )
            .iter()
            .all(|(_, a)| *a == calendar::Availability::Available);
            if !(fits && free) {
                continue;
            }
            let key = match request.sort {
                Sort::Price => quote.total.amount as f64,
                Sort::Rating => -property.rating.map_or(-1.0, |r| f64::from(r.tenths())),
                Sort::Distance => {
                    let (lat, lon) = origin(request);
                    Location { lat, lon }.distance_km(&listing.location)
                }
            };
            hits.push((key, property.id.to_string()));
        }
        hits.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        hits.into_iter().map(|(_, id)| id).collect()
    }
}

pub const CITIES: [(&str, (f64, f64)); 4] = [
    ("Lisbon", (38.72, -9.14)),
    ("Porto", (41.15, -8.61)),
    ("Faro", (37.02, -7.93)),
    ("Sintra", (38.80, -9.38)),
];

/// Random listings and random, legal event histories over them.
pub struct World {
    pub rng: StdRng,
    pub model: Model,
    pub now: Timestamp,
    /// Every event so far, numbered from 1.
    pub events: Vec<DomainEvent>,
}

impl World {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            model: Model::default(),
            now: morning(),
            events: Vec::new(),
        }
    }

    fn emit(&mut self, change: Change) {
        let event = event(change, self.now);
        self.model.apply(&event);
        self.events.push(event);
    }

    pub fn list_properties(&mut self, count: usize) {
        for _ in 0..count {
            let (city, (lat, lon)) = CITIES[self.rng.random_range(0..CITIES.len())];
            let spelled = match self.rng.random_range(0..3) {
                0 => city.to_lowercase(),
                1 => format!(" {city}"),
                _ => city.to_owned(),
            };
            let currency = if self.rng.random_bool(0.8) {
                "EUR"
            } else {
                "USD"
            };
            let mut p = property(
                &spelled,
                (
                    lat + self.rng.random_range(-0.1..0.1),
                    lon + self.rng.random_range(-0.1..0.1),
                ),
                Money::new(
                    self.rng.random_range(20..200) * 100,
                    Currency::parse(currency).unwrap(),
                ),
            );
            self.randomise(&mut p);
            self.emit(Change::PropertyCreated { property: p });
        }
    }

    fn randomise(&mut self, p: &mut Property) {
        let rng = &mut self.rng;
        let l = &mut p.listing;
        l.max_guests = rng.random_range(1..=6);
        l.min_nights = rng.random_range(1..=3);
        l.max_nights = rng.random_range(l.min_nights..=20);
        l.cleaning_fee.amount = rng.random_range(0..50) * 100;
        l.amenities = Amenity::ALL
            .iter()
            .take(6)
            .filter(|_| rng.random_bool(0.5))
            .copied()
            .collect();
        p.rating = rng
            .random_bool(0.7)
            .then(|| Rating::from_tenths(rng.random_range(0..=50)))
            .flatten();
    }

    fn random_property(&mut self) -> PropertyId {
        let n = self.rng.random_range(0..self.model.properties.len());
        self.model.properties.keys().nth(n).unwrap().clone()
    }

    fn random_stay(&mut self, max_nights: u32) -> Stay {
        let check_in = today().add_days(self.rng.random_range(0..30));
        Stay::existing(
            check_in,
            check_in.add_days(self.rng.random_range(1..=max_nights)),
        )
        .unwrap()
    }

    fn bookings_in(&self, statuses: &[BookingStatus]) -> Vec<Booking> {
        self.model
            .bookings
            .values()
            .filter(|b| statuses.contains(&b.status))
            .cloned()
            .collect()
    }

    fn pick(&mut self, bookings: Vec<Booking>) -> Option<Booking> {
        (!bookings.is_empty()).then(|| bookings[self.rng.random_range(0..bookings.len())].clone())
    }

    /// One random step the domain allows: a hold, confirmation, failure,
    /// expiry, cancellation, block, unblock, listing change, or time passing.
    pub fn step(&mut self) {
        use BookingStatus::*;
        match self.rng.random_range(0..100) {
            0..35 => {
                let property = self.random_property();
                let stay = self.random_stay(6);
                let records = self.model.records(&property, stay.range());
                let mut held = booking(&property, stay, Held, None);
                if calendar::first_unholdable(stay.dates(), &records, &held.id, self.now).is_none()
                {
                    held.hold_expires_at =
                        Some(self.now + chrono::Duration::minutes(self.rng.random_range(1..30)));
                    self.emit(Change::BookingHeld { booking: held });
                }
            }
            35..55 => {
                if let Some(b) = self.pick(self.bookings_in(&[Held])) {
                    let all_mine = b.stay().dates().all(|d| {
                        self.model
                            .nights
                            .get(&(b.property_id.clone(), d))
                            .and_then(|s| s.booking())
                            == Some(&b.id)
                    });
                    if all_mine {
                        self.emit(Change::BookingConfirmed {
                            booking: Booking {
                                status: Confirmed,
                                hold_expires_at: None,
                                ..b
                            },
                        });
                    }
                }
            }
            55..65 => {
                if let Some(b) = self.pick(self.bookings_in(&[Held])) {
                    let status = if self.rng.random_bool(0.5) {
                        Failed
                    } else {
                        Expired
                    };
                    let settled = Booking {
                        status,
                        hold_expires_at: None,
                        ..b
                    };
                    self.emit(if status == Failed {
                        Change::BookingFailed { booking: settled }
                    } else {
                        Change::BookingExpired { booking: settled }
                    });
                }
            }
            65..72 => {
                if let Some(b) = self.pick(self.bookings_in(&[Confirmed])) {
                    self.emit(Change::BookingCancelled {
                        booking: Booking {
                            status: Cancelled,
                            ..b
                        },
                    });
                }
            }
            72..82 => {
                let property = self.random_property();
                let blocked = self.rng.random_bool(0.6);
                let range = self.random_stay(8).range();
                let plan = calendar::plan_blocking(
                    range,
                    blocked,
                    &self.model.records(&property, range),
                    self.now,
                );
                if let CalendarPlan::Change(dates) = plan
                    && !dates.is_empty()
                {
                    self.emit(Change::CalendarChanged {
                        property_id: property,
                        blocked,
                        dates,
                    });
                }
            }
            82..88 => {
                let id = self.random_property();
                let mut p = self.model.properties[&id].clone();
                self.randomise(&mut p);
                p.listing.nightly_price.amount = self.rng.random_range(20..200) * 100;
                p.version += 1;
                self.emit(Change::PropertyUpdated { property: p });
            }
            _ => self.now += chrono::Duration::minutes(self.rng.random_range(1..8)),
        }
    }

    /// A random, valid GET /search query string (without cursor).
    pub fn query(&mut self) -> String {
        let rng = &mut self.rng;
        let mut parts = Vec::new();
        if rng.random_bool(0.6) {
            let (city, _) = CITIES[rng.random_range(0..CITIES.len())];
            parts.push(format!(
                "city={}",
                if rng.random_bool(0.5) {
                    city.to_uppercase()
                } else {
                    city.to_owned()
                }
            ));
        } else {
            let (_, (lat, lon)) = CITIES[rng.random_range(0..CITIES.len())];
            let r = rng.random_range(0.02..0.4);
            parts.push(format!(
                "bbox={},{},{},{}",
                lat - r,
                lon - r,
                lat + r * 0.5,
                lon + r
            ));
        }
        let check_in = Date::of(self.now).add_days(rng.random_range(0..30));
        parts.push(format!(
            "check_in={check_in}&check_out={}",
            check_in.add_days(rng.random_range(1..=5))
        ));
        if rng.random_bool(0.5) {
            parts.push(format!("guests={}", rng.random_range(1..=5)));
        }
        if rng.random_bool(0.3) {
            parts.push(format!("min_price={}", rng.random_range(0..300) * 100));
        }
        if rng.random_bool(0.3) {
            parts.push(format!("max_price={}", rng.random_range(300..900) * 100));
        }
        if rng.random_bool(0.2) {
            parts.push("currency=EUR".into());
        }
        if rng.random_bool(0.3) {
            let names: Vec<&str> = Amenity::ALL
                .iter()
                .take(6)
                .filter(|_| rng.random_bool(0.3))
                .map(|a| a.name())
                .collect();
            if !names.is_empty() {
                parts.push(format!("amenities={}", names.join(",")));
            }
        }
        match rng.random_range(0..3) {
            0 => parts.push("sort=price".into()),
            1 => parts.push("sort=rating".into()),
            _ => {
                parts.push("sort=distance".into());
                if rng.random_bool(0.5) || parts[0].starts_with("city=") {
                    parts.push(format!(
                        "near={},{}",
                        rng.random_range(37.0..41.0),
                        rng.random_range(-9.5..-7.5)
                    ));
                }
            }
        }
        parts.push(format!("limit={}", rng.random_range(1..=12)));
        parts.join("&")
    }

    /// The oracle's answer to `query` at the world's time.
    pub fn expected(&self, query: &str) -> Vec<String> {
        let request = SearchRequest::parse(query, Date::of(self.now)).unwrap();
        self.model.search(&request, self.now)
    }
}
