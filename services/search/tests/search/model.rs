//! The oracle: the domain's nights kept exactly as the stores keep them, and
//! a brute-force search over them.

use std::collections::{BTreeMap, HashMap};

use berth_domain::booking::Booking;
use berth_domain::calendar::{self, NightState};
use berth_domain::dates::{Date, DateRange, Timestamp};
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::{BookingId, PropertyId};
use berth_domain::pricing;
use berth_domain::property::{Location, Property};
use berth_search::SearchRequest;

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
            Change::PropertyCreated { property }
            | Change::PropertyUpdated { property }
            | Change::PricingChanged { property } => {
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
                        expires_at: booking.hold_expires_at().unwrap(),
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

    pub fn records(&self, property: &PropertyId, range: DateRange) -> Vec<calendar::Night> {
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
            let Ok(quote) = pricing::quote(property, request.stay, request.guests, Date::of(now))
            else {
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
            hits.push((key, format!("{} {}", property.id, quote.total.amount)));
        }
        hits.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        hits.into_iter().map(|(_, id)| id).collect()
    }
}
