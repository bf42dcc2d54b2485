//! Each city's properties in the order of the two sorts that can stop
//! early: by rating (exactly the result order) and by nightly price (a
//! lower bound of the stay's total). A search of a big city walks these and
//! stops once no later property could make the page, instead of scanning the
//! whole city. Properties with a pricing document are walked apart, by the
//! lowest price any of their nights can have, each with its bounds (see
//! `berth_domain::pricing::Bounds`) so that most are passed over unpriced.

use berth_domain::dates::MAX_STAY_NIGHTS;
use berth_domain::pricing::Bounds;

use super::listings::{Card, Listings};

/// A priced property as the price walk sees it: its bounds, beside its slot,
/// so that the walk passes over most without reading anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PricedEntry {
    /// No night of any stay costs less than this before discounts: the
    /// walk's order.
    pub lowest_night: u64,
    pub slot: u32,
    /// The card's amenities, the filter that passes over most.
    pub amenities: u32,
    pub bounds: Bounds,
}

impl PricedEntry {
    fn of(listings: &Listings, slot: u32) -> Option<Self> {
        let bounds = listings.priced[slot as usize].as_ref()?.bounds;
        Some(Self {
            lowest_night: u64::try_from(bounds.lowest_night()).unwrap_or(0),
            slot,
            amenities: listings.cards[slot as usize].amenities,
            bounds,
        })
    }

    fn key(&self) -> (u64, u32) {
        (self.lowest_night, self.slot)
    }
}

/// The largest discount any of a city's priced properties gives a stay,
/// by its nights: widened as properties come, never narrowed (a bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CityDiscount([u8; MAX_STAY_NIGHTS as usize + 1]);

impl Default for CityDiscount {
    fn default() -> Self {
        Self([0; MAX_STAY_NIGHTS as usize + 1])
    }
}

impl CityDiscount {
    fn widen(&mut self, bounds: &Bounds) {
        for (nights, largest) in (0..).zip(self.0.iter_mut()) {
            let percent = u8::try_from(bounds.largest_discount(nights)).unwrap_or(100);
            *largest = (*largest).max(percent);
        }
    }

    /// No stay of `nights` in the city gets a larger discount, in percent.
    pub fn largest(&self, nights: u32) -> u32 {
        self.0.get(nights as usize).map_or(100, |p| u32::from(*p))
    }
}

/// The rating sort key: highest rating first, unrated (0) last.
pub fn rating_key(card: &Card) -> u64 {
    u64::from(u8::MAX - card.rating)
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CityOrders {
    pub by_rating: Vec<Vec<u32>>,
    /// Properties without a pricing document, by nightly price.
    pub by_price: Vec<Vec<u32>>,
    /// Properties with one, by their lowest night.
    pub priced: Vec<Vec<PricedEntry>>,
    pub discounts: Vec<CityDiscount>,
    /// The highest cleaning fee ever seen in each city (never lowered: a
    /// bound, not a statistic).
    pub max_cleaning: Vec<u32>,
    /// While bulk loading, orders are built once at the end.
    pub deferred: bool,
}

impl CityOrders {
    pub fn insert(&mut self, listings: &Listings, slot: u32) {
        if self.deferred {
            return;
        }
        let city = listings.cities[slot as usize] as usize;
        if city >= self.by_rating.len() {
            self.by_rating.resize_with(city + 1, Vec::new);
            self.by_price.resize_with(city + 1, Vec::new);
            self.priced.resize_with(city + 1, Vec::new);
            self.discounts.resize(city + 1, CityDiscount::default());
            self.max_cleaning.resize(city + 1, 0);
        }
        let by_rating = &mut self.by_rating[city];
        let at = by_rating.partition_point(|s| rating(listings, *s) < rating(listings, slot));
        by_rating.insert(at, slot);
        if let Some(entry) = PricedEntry::of(listings, slot) {
            let priced = &mut self.priced[city];
            let at = priced.partition_point(|e| e.key() < entry.key());
            priced.insert(at, entry);
            self.discounts[city].widen(&entry.bounds);
            return;
        }
        let by_price = &mut self.by_price[city];
        let at = by_price.partition_point(|s| price(listings, *s) < price(listings, slot));
        by_price.insert(at, slot);
        let cleaning = &mut self.max_cleaning[city];
        *cleaning = (*cleaning).max(listings.cards[slot as usize].cleaning);
    }

    /// Takes `slot` out, while `listings` still holds the values it was entered with.
    pub fn remove(&mut self, listings: &Listings, slot: u32) {
        if self.deferred {
            return;
        }
        let city = listings.cities[slot as usize] as usize;
        let by_rating = &mut self.by_rating[city];
        let at = by_rating.partition_point(|s| rating(listings, *s) < rating(listings, slot));
        if by_rating.get(at) == Some(&slot) {
            by_rating.remove(at);
        }
        if let Some(entry) = PricedEntry::of(listings, slot) {
            let priced = &mut self.priced[city];
            let at = priced.partition_point(|e| e.key() < entry.key());
            if priced.get(at) == Some(&entry) {
                priced.remove(at);
            }
            return;
        }
        let by_price = &mut self.by_price[city];
        let at = by_price.partition_point(|s| price(listings, *s) < price(listings, slot));
        if by_price.get(at) == Some(&slot) {
            by_price.remove(at);
        }
    }

    /// Builds every order afresh from the city postings.
    pub fn rebuild(&mut self, listings: &Listings) {
        self.deferred = false;
        self.by_rating = listings.postings.clone();
        self.by_price = listings.postings.clone();
        for slots in &mut self.by_rating {
            slots.sort_unstable_by_key(|s| rating(listings, *s));
        }
        self.priced = self
            .by_price
            .iter()
            .map(|slots| {
                let mut priced: Vec<_> = slots
                    .iter()
                    .filter_map(|s| PricedEntry::of(listings, *s))
                    .collect();
                priced.sort_unstable_by_key(PricedEntry::key);
                priced
            })
            .collect();
        self.discounts = self
            .priced
            .iter()
            .map(|entries| {
                let mut discount = CityDiscount::default();
                for entry in entries {
                    discount.widen(&entry.bounds);
                }
                discount
            })
            .collect();
        for slots in &mut self.by_price {
            slots.retain(|s| !listings.cards[*s as usize].priced);
            slots.sort_unstable_by_key(|s| price(listings, *s));
        }
        self.max_cleaning = self
            .by_price
            .iter()
            .map(|slots| {
                slots
                    .iter()
                    .map(|s| listings.cards[*s as usize].cleaning)
                    .max()
                    .unwrap_or(0)
            })
            .collect();
    }

    pub fn heap_bytes(&self) -> usize {
        let lists =
            |orders: &Vec<Vec<u32>>| orders.iter().map(|o| o.capacity() * 4 + 24).sum::<usize>();
        let priced: usize = self
            .priced
            .iter()
            .map(|p| p.capacity() * size_of::<PricedEntry>() + 24)
            .sum();
        lists(&self.by_rating)
            + lists(&self.by_price)
            + priced
            + self.max_cleaning.capacity() * 4
            + self.discounts.capacity() * size_of::<CityDiscount>()
    }
}

fn rating(listings: &Listings, slot: u32) -> (u64, u128) {
    let s = slot as usize;
    (rating_key(&listings.cards[s]), listings.ids[s])
}

fn price(listings: &Listings, slot: u32) -> (u32, u128) {
    let s = slot as usize;
    (listings.cards[s].nightly, listings.ids[s])
}
