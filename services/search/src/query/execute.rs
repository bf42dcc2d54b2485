//! The search itself: walk the candidates of the area (a city's postings or
//! the grid cells under a box), keep those that fit and are free for every
//! night, and select the page by (sort key, property id) after the cursor.

use std::collections::BinaryHeap;

use berth_domain::dates::Timestamp;
use berth_domain::money::Money;
use berth_domain::property::{Location, Rating};

use super::cursor::Cursor;
use super::filter::Filter;
use super::{Area, Hit, SearchPage, SearchRequest, Sort};
use crate::index::{GRID_COLUMNS, Index, grid_column, grid_row, property_id, rating_key};

/// A match as the page selection sees it: ordered by key, then property.
pub(super) type Ranked = (u64, u128, u32);

impl Index {
    /// The page of available, matching properties for `request` at `now`.
    pub fn search(&self, request: &SearchRequest, now: Timestamp) -> SearchPage {
        let Some(filter) = Filter::new(self, request, now) else {
            return SearchPage {
                results: Vec::new(),
                next_cursor: None,
            };
        };
        let mut page = Best::new(request.limit + 1);
        match &request.area {
            Area::City(_) => {
                let slots = filter.city_slots(self);
                let ordered =
                    slots.len() >= self.ordered_scan_from && self.ordered_scan(&filter, &mut page);
                if !ordered {
                    page.clear();
                    for slot in slots {
                        page.offer(filter.rank(self, *slot, page.worst()));
                    }
                }
            }
            Area::Bounds(b) => {
                let (first_row, last_row) = (grid_row(b.min_lat), grid_row(b.max_lat));
                let (west, east) = (grid_column(b.min_lon), grid_column(b.max_lon));
                let spans = if b.min_lon <= b.max_lon {
                    vec![(west, east)]
                } else {
                    vec![(west, GRID_COLUMNS - 1), (0, east)]
                };
                for row in first_row..=last_row {
                    for (from, to) in &spans {
                        let cells = row * GRID_COLUMNS + from..=row * GRID_COLUMNS + to;
                        for slots in self.listings.grid.range(cells).map(|(_, s)| s) {
                            for slot in slots {
                                page.offer(filter.rank(self, *slot, page.worst()));
                            }
                        }
                    }
                }
            }
        }
        let mut ranked = page.best.into_sorted_vec();
        let more = ranked.len() > request.limit;
        ranked.truncate(request.limit);
        let next_cursor = more.then(|| ranked.last()).flatten().map(|(key, id, _)| {
            Cursor {
                fingerprint: request.fingerprint,
                key: *key,
                id: *id,
                origin: filter.origin,
            }
            .encode()
        });
        let results = ranked
            .iter()
            .map(|(key, _, slot)| self.hit(*slot, *key, &filter))
            .collect();
        SearchPage {
            results,
            next_cursor,
        }
    }

    /// Walks a big city in sort order and stops as soon as no later property
    /// can make the page. Gives up (answering false) after a share of the
    /// city when the filters match too little for that to pay, so that the
    /// caller scans the city whole, in memory order, instead.
    fn ordered_scan(&self, filter: &Filter, page: &mut Best) -> bool {
        let Some(city) = filter.city.map(|c| c as usize) else {
            return false;
        };
        let listings = &self.listings;
        let budget = (listings.postings[city].len() / 16).max(128);
        match filter.sort {
            Sort::Rating => {
                // This order is the result order: the first matches are the page.
                let Some(order) = self.orders.by_rating.get(city) else {
                    return false;
                };
                let start = filter.after.map_or(0, |after| {
                    order.partition_point(|s| {
                        let s = *s as usize;
                        (rating_key(&listings.cards[s]), listings.ids[s]) <= after
                    })
                });
                for (seen, slot) in order[start..].iter().enumerate() {
                    if page.is_full() {
                        return true;
                    }
                    if seen == budget {
                        return false;
                    }
                    page.offer(filter.rank(self, *slot, page.worst()));
                }
                true
            }
            Sort::Price => self.price_scan(filter, page, city, budget),
            Sort::Distance => false,
        }
    }

    /// The price sort's walk of a big city: properties without a pricing
    /// document by nightly price (or, when the filters match too little for
    /// that walk to pay, all of them in memory order), then those with one
    /// by their lowest night, passing over on their bounds those that cannot
    /// make the page. Each walk stops once its lower bound passes the page's
    /// last total.
    fn price_scan(&self, filter: &Filter, page: &mut Best, city: usize, budget: usize) -> bool {
        let Some(order) = self.orders.by_price.get(city) else {
            return false;
        };
        if !self.flat_price_walk(filter, page, order, city, budget) {
            page.clear();
            for slot in &self.listings.postings[city] {
                if !self.listings.cards[*slot as usize].priced {
                    page.offer(filter.rank(self, *slot, page.worst()));
                }
            }
        }
        let nights = filter.nights;
        let discount = self.orders.discounts.get(city).copied().unwrap_or_default();
        let kept = u64::from(100 - discount.largest(nights as u32));
        for entry in self.orders.priced.get(city).map_or(&[][..], Vec::as_slice) {
            if beyond(filter, entry.lowest_night * nights * kept / 100, page) {
                break;
            }
            if entry.amenities & filter.amenities == filter.amenities
                && filter.may_enter(&entry.bounds, page.worst())
            {
                page.offer(filter.rank(self, entry.slot, page.worst()));
            }
        }
        true
    }

    /// Walks the properties without a pricing document by nightly price;
    /// false once it has seen `budget` of them without finishing.
    fn flat_price_walk(
        &self,
        filter: &Filter,
        page: &mut Best,
        order: &[u32],
        city: usize,
        budget: usize,
    ) -> bool {
        let cards = &self.listings.cards;
        // A stay costs at least nightly × nights, and at most that plus the
        // city's highest cleaning fee: skip what cannot reach the floor.
        let floor = filter.min_total.max(filter.after.map_or(0, |(key, _)| key));
        let cleaning = u64::from(self.orders.max_cleaning[city]);
        let cheapest = floor.saturating_sub(cleaning) / filter.nights;
        let start = order.partition_point(|s| u64::from(cards[*s as usize].nightly) < cheapest);
        for (seen, slot) in order[start..].iter().enumerate() {
            let least = u64::from(cards[*slot as usize].nightly) * filter.nights;
            if beyond(filter, least, page) {
                break;
            }
            if seen == budget {
                return false;
            }
            page.offer(filter.rank(self, *slot, page.worst()));
        }
        true
    }

    fn hit(&self, slot: u32, key: u64, filter: &Filter) -> Hit {
        let s = slot as usize;
        let listings = &self.listings;
        let card = listings.cards[s];
        let currency = listings.currency(slot);
        let (lat, lon) = listings.locations[s];
        let country = listings.countries[s];
        Hit {
            property_id: property_id(listings.ids[s]),
            title: listings.titles[s].to_string(),
            city: listings.city_labels.name(listings.labels[s]).to_owned(),
            country: String::from_utf8_lossy(&country).into_owned(),
            location: Location { lat, lon },
            nightly_price: Money::new(i64::from(card.nightly), currency),
            cleaning_fee: Money::new(i64::from(card.cleaning), currency),
            nights: filter.nights as u32,
            total: Money::new(filter.total(self, slot).map_or(0, |t| t as i64), currency),
            rating: card.rating.checked_sub(1).and_then(Rating::from_tenths),
            bedrooms: u32::from(card.bedrooms),
            max_guests: u32::from(card.max_guests),
            amenities: listings.amenities(slot),
            distance_km: (filter.sort == Sort::Distance).then(|| f64::from_bits(key)),
        }
    }
}

/// Whether a walk in price order is past anything that can make the page,
/// `least` being the least total of what it has yet to see.
fn beyond(filter: &Filter, least: u64, page: &Best) -> bool {
    least > filter.max_total || page.worst().is_some_and(|(key, _)| least > key)
}

/// The best matches so far, at most `keep` of them.
struct Best {
    best: BinaryHeap<Ranked>,
    keep: usize,
}

impl Best {
    fn new(keep: usize) -> Self {
        Self {
            best: BinaryHeap::with_capacity(keep + 1),
            keep,
        }
    }

    fn is_full(&self) -> bool {
        self.best.len() == self.keep
    }

    /// Once full, only what comes before its last entry can still enter.
    fn worst(&self) -> Option<(u64, u128)> {
        if self.is_full() {
            self.best.peek().map(|(key, id, _)| (*key, *id))
        } else {
            None
        }
    }

    fn offer(&mut self, ranked: Option<Ranked>) {
        if let Some(ranked) = ranked {
            self.best.push(ranked);
            if self.best.len() > self.keep {
                self.best.pop();
            }
        }
    }

    fn clear(&mut self) {
        self.best.clear();
    }
}
