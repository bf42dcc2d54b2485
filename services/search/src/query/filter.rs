//! A request resolved against one index, and what it asks of each
//! candidate: the cheap filters, the bounds of a priced stay, the nights
//! free, the total and the place in the order.

use berth_domain::dates::{Date, Stay, Timestamp};
use berth_domain::pricing::{self, Bounds};
use berth_domain::property::Location;

use super::cursor::Cursor;
use super::execute::Ranked;
use super::{Area, SearchRequest, Sort};
use crate::index::{Card, Index, day, instant, rating_key};

const HALF_CIRCUMFERENCE_KM: f64 = std::f64::consts::PI * 6371.0;

/// A request resolved against one index: ids instead of names, days
/// instead of dates.
pub(super) struct Filter {
    pub(super) city: Option<u32>,
    pub(super) bounds: Option<super::BoundingBox>,
    pub(super) from: i32,
    pub(super) to: i32,
    pub(super) stay: Stay,
    pub(super) today: Date,
    pub(super) nights: u64,
    pub(super) guests: u32,
    pub(super) currency: Option<u16>,
    pub(super) amenities: u32,
    pub(super) min_total: u64,
    pub(super) max_total: u64,
    pub(super) sort: Sort,
    pub(super) origin: Option<(f64, f64)>,
    pub(super) after: Option<(u64, u128)>,
    pub(super) now_ns: i64,
}

impl Filter {
    /// `None` when nothing can match (an unknown city or currency).
    pub(super) fn new(index: &Index, request: &SearchRequest, now: Timestamp) -> Option<Self> {
        let listings = &index.listings;
        let (city, bounds) = match &request.area {
            Area::City(key) => (Some(listings.city_keys.find(key)?), None),
            Area::Bounds(b) => (None, Some(*b)),
        };
        let currency = match request.currency {
            Some(code) => Some(listings.currencies.find(code.as_str())? as u16),
            None => None,
        };
        let origin = match (request.sort, request.after, request.near, city, bounds) {
            (
                Sort::Distance,
                Some(Cursor {
                    origin: Some(origin),
                    ..
                }),
                ..,
            ) => Some(origin),
            (Sort::Distance, _, Some(near), ..) => Some((near.lat, near.lon)),
            (Sort::Distance, _, None, Some(city), _) => listings.centroid(city),
            (Sort::Distance, _, None, None, Some(b)) => Some(b.centre()),
            _ => None,
        };
        Some(Self {
            city,
            bounds,
            from: day(request.stay.check_in),
            to: day(request.stay.check_out),
            stay: request.stay,
            today: Date::of(now),
            nights: u64::from(request.stay.nights()),
            guests: request.guests,
            currency,
            amenities: request.amenities,
            min_total: request.min_total.map_or(0, |t| t as u64),
            max_total: request.max_total.map_or(u64::MAX, |t| t as u64),
            sort: request.sort,
            origin,
            after: request.after.map(|c| (c.key, c.id)),
            now_ns: instant(now),
        })
    }

    pub(super) fn city_slots<'a>(&self, index: &'a Index) -> &'a [u32] {
        self.city
            .map_or(&[], |city| &index.listings.postings[city as usize])
    }

    /// The stay's total at `slot`, or `None` when the property's pricing
    /// rules refuse the stay. Without a pricing document that is nights ×
    /// nightly price + cleaning fee, which is what the domain's rule comes
    /// to for an empty document; with one, the domain prices it.
    pub(super) fn total(&self, index: &Index, slot: u32) -> Option<u64> {
        match index.listings.terms(slot) {
            Some(terms) => pricing::total(&terms, self.stay, self.guests, self.today)
                .ok()
                .and_then(|total| u64::try_from(total.amount).ok()),
            None => Some(self.flat_total(&index.listings.cards[slot as usize])),
        }
    }

    /// Whether a priced property whose stays cost within `bounds` can still
    /// make the page: in the price range, and when sorting by price, after
    /// the cursor and not after the page's last entry (`worst`).
    pub(super) fn may_enter(&self, bounds: &Bounds, worst: Option<(u64, u128)>) -> bool {
        let by_price = self.sort == Sort::Price;
        let lower = u64::try_from(bounds.lower(self.stay, self.guests)).unwrap_or(0);
        if lower > self.max_total || by_price && worst.is_some_and(|(key, _)| lower > key) {
            return false;
        }
        // Below the range (or the cursor) is the rarer question: the upper
        // bound only when it is asked.
        let least = match self.after {
            Some((key, _)) if by_price => key.max(self.min_total),
            _ => self.min_total,
        };
        least == 0 || u64::try_from(bounds.upper(self.stay, self.guests)).unwrap_or(0) >= least
    }

    fn flat_total(&self, card: &Card) -> u64 {
        u64::from(card.nightly) * self.nights + u64::from(card.cleaning)
    }

    /// The slot's place in the order, if it matches, is free, and comes
    /// before `worst` (when given).
    pub(super) fn rank(
        &self,
        index: &Index,
        slot: u32,
        worst: Option<(u64, u128)>,
    ) -> Option<Ranked> {
        let s = slot as usize;
        let listings = &index.listings;
        let card = &listings.cards[s];
        // A season may ask fewer nights than the listing: the domain decides.
        let fits = u32::from(card.max_guests) >= self.guests
            && (card.priced || u64::from(card.min_nights) <= self.nights)
            && u64::from(card.max_nights) >= self.nights
            && card.amenities & self.amenities == self.amenities
            && self.currency.is_none_or(|c| c == card.currency);
        if !fits {
            return None;
        }
        if card.priced
            && listings.priced[s]
                .as_ref()
                .is_some_and(|p| !self.may_enter(&p.bounds, worst))
        {
            return None;
        }
        let in_range = |total: u64| (self.min_total..=self.max_total).contains(&total);
        // Without a pricing document the total is cheap: check it first. With
        // one, pricing waits until the stay is known to be free.
        let flat = (!card.priced).then(|| self.flat_total(card));
        if flat.is_some_and(|total| !in_range(total)) {
            return None;
        }
        if let Some(bounds) = &self.bounds {
            let (lat, lon) = listings.locations[s];
            if !bounds.contains(lat, lon) {
                return None;
            }
        }
        if !index.nights.all_open(slot, self.from, self.to)
            || (card.held && !index.holds.all_free(slot, self.from, self.to, self.now_ns))
        {
            return None;
        }
        // Sorted by rating or distance, the key alone rules most properties
        // out: before pricing them.
        let early = match self.sort {
            Sort::Price => None,
            Sort::Rating => Some(rating_key(card)),
            Sort::Distance => Some(self.distance_key(listings.locations[s])),
        };
        if let Some(key) = early {
            self.ranked(key, index, slot, worst)?;
        }
        let total = match flat {
            Some(total) => total,
            None => self.total(index, slot).filter(|t| in_range(*t))?,
        };
        self.ranked(early.unwrap_or(total), index, slot, worst)
    }

    /// How far `(lat, lon)` lies from the origin, as a key.
    fn distance_key(&self, (lat, lon): (f64, f64)) -> u64 {
        let (olat, olon) = self.origin.unwrap_or((lat, lon));
        let km = Location {
            lat: olat,
            lon: olon,
        }
        .distance_km(&Location { lat, lon });
        // Rounding can push antipodes past asin's domain; non-negative
        // floats order as their bits do.
        if km.is_nan() {
            HALF_CIRCUMFERENCE_KM
        } else {
            km
        }
        .to_bits()
    }

    /// The slot's place with `key`, if that comes after the cursor and
    /// before `worst`.
    fn ranked(
        &self,
        key: u64,
        index: &Index,
        slot: u32,
        worst: Option<(u64, u128)>,
    ) -> Option<Ranked> {
        // Keys decide most comparisons: load the property id only when one ties.
        if self.after.is_some_and(|(k, _)| key < k) || worst.is_some_and(|(k, _)| key > k) {
            return None;
        }
        let id = index.listings.ids[slot as usize];
        if self.after.is_some_and(|after| (key, id) <= after)
            || worst.is_some_and(|w| (key, id) >= w)
        {
            return None;
        }
        Some((key, id, slot))
    }
}
