//! Random listings and random, legal event histories over them, and random
//! queries.

use berth_domain::booking::{Booking, BookingStatus};
use berth_domain::calendar::{self, CalendarPlan};
use berth_domain::dates::{Date, Stay, Timestamp};
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::{BookingId, PropertyId};
use berth_domain::money::{Currency, Money};
use berth_domain::pricing::{
    FeeDocument, LengthDiscount, Pricing, PricingDocument, SeasonDocument, TaxDocument, Weekday,
    quote,
};
use berth_domain::property::{Amenity, Property, Rating};
use berth_search::SearchRequest;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::model::Model;
use crate::support::{booking, event, morning, moved_on, property, today};

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
            if self.rng.random_bool(0.4) {
                p.pricing = self.random_pricing(p.listing.nightly_price.currency);
            }
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

    /// A random valid pricing document whose seasons and rules fall inside
    /// the stays queries ask for.
    fn random_pricing(&mut self, currency: Currency) -> Pricing {
        let mut seasons = Vec::new();
        let mut start = today().add_days(self.rng.random_range(0..10));
        for _ in 0..self.rng.random_range(0..3) {
            let end = start.add_days(self.rng.random_range(1..12));
            seasons.push(SeasonDocument {
                from: start,
                to: end,
                nightly_price: Money::new(self.rng.random_range(10..250) * 100, currency),
                min_nights: self
                    .rng
                    .random_bool(0.5)
                    .then(|| self.rng.random_range(1..=4)),
            });
            start = end.add_days(self.rng.random_range(0..6));
        }
        let rng = &mut self.rng;
        let mut weekday_prices = std::collections::BTreeMap::new();
        for day in Weekday::ALL {
            if rng.random_bool(0.3) {
                let price = Money::new(rng.random_range(10..250) * 100, currency);
                weekday_prices.insert(day.name().to_owned(), price);
            }
        }
        let days = |rng: &mut StdRng| {
            rng.random_bool(0.2)
                .then(|| {
                    Weekday::ALL
                        .into_iter()
                        .filter(|_| rng.random_bool(0.6))
                        .map(|d| d.name().to_owned())
                        .collect::<Vec<_>>()
                })
                .filter(|d| !d.is_empty())
        };
        let pers = ["stay", "night", "guest", "guest_night"];
        let document = PricingDocument {
            seasons,
            weekday_prices,
            length_discounts: (0..rng.random_range(0..3))
                .map(|_| LengthDiscount {
                    min_nights: rng.random_range(2..=5),
                    percent: rng.random_range(0..=50),
                })
                .collect(),
            fees: (0..rng.random_range(0..3))
                .map(|i| FeeDocument {
                    name: format!("fee {i}"),
                    per: pers[rng.random_range(0..4)].to_owned(),
                    amount: Money::new(rng.random_range(0..30) * 50, currency),
                })
                .collect(),
            taxes: (0..rng.random_range(0..3))
                .map(|i| {
                    let percent = rng.random_bool(0.5);
                    TaxDocument {
                        name: format!("tax {i}"),
                        percent: percent.then(|| rng.random_range(0..=25)),
                        per_guest_night: (!percent)
                            .then(|| Money::new(rng.random_range(0..400), currency)),
                        max_nights: (!percent && rng.random_bool(0.5))
                            .then(|| rng.random_range(1..=3)),
                    }
                })
                .collect(),
            advance_notice_days: rng.random_bool(0.2).then(|| rng.random_range(0..4)),
            booking_window_days: rng.random_bool(0.2).then(|| rng.random_range(5..30)),
            check_in_days: days(rng),
            check_out_days: days(rng),
        };
        Pricing::parse(document, currency).expect("a valid random document")
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
            .filter(|b| statuses.contains(&b.status()))
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
                // A new booking holds nothing yet: any fresh id stands for it.
                let me = BookingId::generate();
                if calendar::first_unholdable(stay.dates(), &records, &me, self.now).is_none() {
                    let until = self.now + chrono::Duration::minutes(self.rng.random_range(1..30));
                    let held = booking(&property, stay, Held, Some(until));
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
                            booking: moved_on(&b, Confirmed, self.now),
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
                    let settled = moved_on(&b, status, self.now);
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
                        booking: moved_on(&b, Cancelled, self.now),
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
            82..86 => {
                let id = self.random_property();
                let mut p = self.model.properties[&id].clone();
                self.randomise(&mut p);
                p.listing.nightly_price.amount = self.rng.random_range(20..200) * 100;
                p.version += 1;
                self.emit(Change::PropertyUpdated { property: p });
            }
            86..89 => {
                let id = self.random_property();
                let mut p = self.model.properties[&id].clone();
                p.pricing = if self.rng.random_bool(0.8) {
                    self.random_pricing(p.listing.nightly_price.currency)
                } else {
                    Pricing::default()
                };
                p.version += 1;
                self.emit(Change::PricingChanged { property: p });
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
        let check_out = check_in.add_days(rng.random_range(1..=5));
        parts.push(format!("check_in={check_in}&check_out={check_out}"));
        let guests = rng.random_bool(0.5).then(|| rng.random_range(1..=5));
        if let Some(guests) = guests {
            parts.push(format!("guests={guests}"));
        }
        // A price range ending exactly at some property's total for the stay:
        // what is passed over on bounds must still keep a total on the edge.
        let properties = &self.model.properties;
        let edge = properties
            .values()
            .nth(rng.random_range(0..properties.len()))
            .zip(Stay::existing(check_in, check_out).ok())
            .and_then(|(p, stay)| quote(p, stay, guests.unwrap_or(1), Date::of(self.now)).ok())
            .filter(|_| rng.random_bool(0.3))
            .map(|q| q.total.amount);
        match (edge, rng.random_range(0..3)) {
            (Some(total), 0) => parts.push(format!("min_price={total}")),
            (Some(total), 1) => parts.push(format!("max_price={total}")),
            (Some(total), _) => parts.push(format!("min_price={total}&max_price={total}")),
            (None, _) => {
                if rng.random_bool(0.3) {
                    parts.push(format!("min_price={}", rng.random_range(0..300) * 100));
                }
                if rng.random_bool(0.3) {
                    parts.push(format!("max_price={}", rng.random_range(300..900) * 100));
                }
            }
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
