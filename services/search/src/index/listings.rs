//! The searchable fields of every property, one column per field (struct of
//! arrays) indexed by slot, with the two ways in: city postings and a
//! spatial grid.

use std::collections::{BTreeMap, HashMap};

use berth_domain::money::{Currency, Money};
use berth_domain::pricing::{Bounds, Fee, LengthDiscount, Pricing, Season, Tax, Terms};
use berth_domain::property::{Amenity, Property};
use serde::{Deserialize, Serialize};

/// The fields every candidate is filtered on, packed together so that one
/// cache line serves three properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Card {
    pub nightly: u32,
    pub cleaning: u32,
    /// `Amenity::bit()`s.
    pub amenities: u32,
    /// Index into [`Listings::currencies`].
    pub currency: u16,
    pub max_guests: u8,
    pub bedrooms: u8,
    pub min_nights: u8,
    pub max_nights: u8,
    /// 0 when unrated, else tenths of a star plus one.
    pub rating: u8,
    /// Whether some booking's hold is recorded for this property.
    pub held: bool,
    /// Whether the property has a pricing document (in [`Listings::priced`]).
    pub priced: bool,
}

/// A property's pricing document, with what search needs to walk by price
/// without pricing every stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Priced {
    pub pricing: Pricing,
    pub currency: Currency,
    pub bounds: Bounds,
}

/// Strings stored once and named by number.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Interned {
    names: Vec<Box<str>>,
    #[serde(skip)]
    ids: HashMap<Box<str>, u32>,
}

impl Interned {
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.into());
        self.ids.insert(name.into(), id);
        id
    }

    pub fn find(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }

    fn reindex(&mut self) {
        self.ids = self
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
    }

    fn heap_bytes(&self) -> usize {
        let text: usize = self.names.iter().map(|n| n.len()).sum();
        self.names.capacity() * 16 + 2 * text + self.ids.capacity() * (16 + 4 + 1)
    }
}

/// Grid cells are a quarter of a degree on each side.
const CELLS_PER_DEGREE: f64 = 4.0;
pub const GRID_COLUMNS: u32 = 360 * CELLS_PER_DEGREE as u32;
pub const GRID_ROWS: u32 = 180 * CELLS_PER_DEGREE as u32;

pub fn grid_row(lat: f64) -> u32 {
    (((lat + 90.0) * CELLS_PER_DEGREE) as u32).min(GRID_ROWS - 1)
}

pub fn grid_column(lon: f64) -> u32 {
    (((lon + 180.0) * CELLS_PER_DEGREE) as u32).min(GRID_COLUMNS - 1)
}

fn grid_cell(lat: f64, lon: f64) -> u32 {
    grid_row(lat) * GRID_COLUMNS + grid_column(lon)
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Listings {
    pub ids: Vec<u128>,
    pub versions: Vec<u64>,
    pub cards: Vec<Card>,
    /// (lat, lon)
    pub locations: Vec<(f64, f64)>,
    pub cities: Vec<u32>,
    pub labels: Vec<u32>,
    pub countries: Vec<[u8; 2]>,
    pub titles: Vec<Box<str>>,
    /// Pricing documents of the properties that have one.
    pub priced: Vec<Option<Box<Priced>>>,
    /// City keys (lower case) by id.
    pub city_keys: Interned,
    /// Cities as hosts spelled them.
    pub city_labels: Interned,
    pub currencies: Interned,
    /// Slots of each city's properties, ascending.
    pub postings: Vec<Vec<u32>>,
    /// Sums of each city's latitudes and longitudes, for its centroid.
    pub city_sums: Vec<(f64, f64)>,
    /// Slots in each non-empty grid cell, ascending.
    pub grid: BTreeMap<u32, Vec<u32>>,
    #[serde(skip)]
    slot_of: HashMap<u128, u32>,
}

/// Whether an upsert changed anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    Added(u32),
    Updated(u32),
    Stale,
}

pub fn city_key(city: &str) -> String {
    city.trim().to_lowercase()
}

impl Listings {
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn slot(&self, id: u128) -> Option<u32> {
        self.slot_of.get(&id).copied()
    }

    /// Adds or replaces a property. An older version than the one held is ignored.
    pub fn upsert(&mut self, id: u128, property: &Property) -> Upsert {
        let listing = &property.listing;
        let held = self.slot(id).is_some_and(|s| self.cards[s as usize].held);
        let card = Card {
            nightly: clamp(listing.nightly_price.amount),
            cleaning: clamp(listing.cleaning_fee.amount),
            amenities: listing.amenities.iter().fold(0, |bits, a| bits | a.bit()),
            currency: self.currencies.id(listing.nightly_price.currency.as_str()) as u16,
            max_guests: small(listing.max_guests),
            bedrooms: small(listing.bedrooms),
            min_nights: small(listing.min_nights),
            max_nights: small(listing.max_nights),
            rating: property.rating.map_or(0, |r| r.tenths() + 1),
            held,
            priced: !property.pricing.is_empty(),
        };
        let priced = card.priced.then(|| {
            Box::new(Priced {
                pricing: property.pricing.clone(),
                currency: listing.nightly_price.currency,
                bounds: Terms::of(property).bounds(),
            })
        });
        let location = (listing.location.lat, listing.location.lon);
        let city = self.city_keys.id(&city_key(&listing.city));
        let label = self.city_labels.id(listing.city.trim());
        let country = country(&listing.country);
        let title: Box<str> = listing.title.as_str().into();
        if city as usize == self.postings.len() {
            self.postings.push(Vec::new());
            self.city_sums.push((0.0, 0.0));
        }
        match self.slot(id) {
            Some(slot) => {
                let s = slot as usize;
                if property.version < self.versions[s] {
                    return Upsert::Stale;
                }
                self.unplace(slot);
                self.versions[s] = property.version;
                self.cards[s] = card;
                self.locations[s] = location;
                self.cities[s] = city;
                self.labels[s] = label;
                self.countries[s] = country;
                self.titles[s] = title;
                self.priced[s] = priced;
                self.place(slot);
                Upsert::Updated(slot)
            }
            None => {
                let slot = self.ids.len() as u32;
                self.ids.push(id);
                self.versions.push(property.version);
                self.cards.push(card);
                self.locations.push(location);
                self.cities.push(city);
                self.labels.push(label);
                self.countries.push(country);
                self.titles.push(title);
                self.priced.push(priced);
                self.slot_of.insert(id, slot);
                self.place(slot);
                Upsert::Added(slot)
            }
        }
    }

    /// Enters a slot in its city's postings and its grid cell.
    fn place(&mut self, slot: u32) {
        let s = slot as usize;
        let (lat, lon) = self.locations[s];
        let city = self.cities[s] as usize;
        insert_sorted(&mut self.postings[city], slot);
        self.city_sums[city].0 += lat;
        self.city_sums[city].1 += lon;
        insert_sorted(self.grid.entry(grid_cell(lat, lon)).or_default(), slot);
    }

    fn unplace(&mut self, slot: u32) {
        let s = slot as usize;
        let (lat, lon) = self.locations[s];
        let city = self.cities[s] as usize;
        remove_sorted(&mut self.postings[city], slot);
        self.city_sums[city].0 -= lat;
        self.city_sums[city].1 -= lon;
        let cell = grid_cell(lat, lon);
        if let Some(slots) = self.grid.get_mut(&cell) {
            remove_sorted(slots, slot);
            if slots.is_empty() {
                self.grid.remove(&cell);
            }
        }
    }

    /// The mean position of a city's properties.
    pub fn centroid(&self, city: u32) -> Option<(f64, f64)> {
        let count = self.postings.get(city as usize)?.len();
        let (lat, lon) = self.city_sums[city as usize];
        (count > 0).then(|| (lat / count as f64, lon / count as f64))
    }

    pub fn amenities(&self, slot: u32) -> Vec<Amenity> {
        let bits = self.cards[slot as usize].amenities;
        Amenity::ALL
            .into_iter()
            .filter(|a| bits & a.bit() != 0)
            .collect()
    }

    pub fn currency(&self, slot: u32) -> Currency {
        let id = self.cards[slot as usize].currency;
        Currency::parse(self.currencies.name(u32::from(id)))
            .expect("only valid currencies are interned")
    }

    /// How a priced slot prices a stay: its listing's prices and limits and
    /// its pricing document. `None` for a slot without a document.
    pub fn terms(&self, slot: u32) -> Option<Terms<'_>> {
        let s = slot as usize;
        let priced = self.priced[s].as_deref()?;
        let card = &self.cards[s];
        Some(Terms {
            nightly_price: Money::new(i64::from(card.nightly), priced.currency),
            cleaning_fee: Money::new(i64::from(card.cleaning), priced.currency),
            min_nights: u32::from(card.min_nights),
            max_nights: u32::from(card.max_nights),
            max_guests: u32::from(card.max_guests),
            pricing: &priced.pricing,
        })
    }

    /// Reorders slots: slot `i` becomes what was slot `order[i]`.
    pub fn permute(&mut self, order: &[u32], new_slot_of: &[u32]) {
        fn apply<T: Clone>(column: &mut Vec<T>, order: &[u32]) {
            *column = order
                .iter()
                .map(|old| column[*old as usize].clone())
                .collect();
        }
        apply(&mut self.ids, order);
        apply(&mut self.versions, order);
        apply(&mut self.cards, order);
        apply(&mut self.locations, order);
        apply(&mut self.cities, order);
        apply(&mut self.labels, order);
        apply(&mut self.countries, order);
        apply(&mut self.titles, order);
        apply(&mut self.priced, order);
        for slots in self.postings.iter_mut().chain(self.grid.values_mut()) {
            for slot in slots.iter_mut() {
                *slot = new_slot_of[*slot as usize];
            }
            slots.sort_unstable();
        }
        self.reindex();
    }

    /// Rebuilds the lookups that snapshots leave out.
    pub fn reindex(&mut self) {
        self.slot_of = self
            .ids
            .iter()
            .enumerate()
            .map(|(slot, id)| (*id, slot as u32))
            .collect();
        self.city_keys.reindex();
        self.city_labels.reindex();
        self.currencies.reindex();
    }

    pub fn heap_bytes(&self) -> usize {
        let n = self.ids.capacity();
        let columns = n * (16 + 8 + 4 + 4 + 2 + 16)
            + self.cards.capacity() * std::mem::size_of::<Card>()
            + self.locations.capacity() * 16
            + self
                .titles
                .iter()
                .map(|t| allocation(t.len()))
                .sum::<usize>();
        let postings: usize = self.postings.iter().map(|p| p.capacity() * 4 + 24).sum();
        let grid: usize = self.grid.values().map(|p| p.capacity() * 4 + 24 + 8).sum();
        let lookup = self.slot_of.capacity() * (16 + 4 + 1);
        let priced = self.priced.capacity() * 8
            + self
                .priced
                .iter()
                .flatten()
                .map(|p| priced_bytes(p))
                .sum::<usize>();
        columns
            + priced
            + postings
            + grid
            + lookup
            + self.city_sums.capacity() * 16
            + self.city_keys.heap_bytes()
            + self.city_labels.heap_bytes()
            + self.currencies.heap_bytes()
    }
}

/// The heap behind one pricing document, near enough.
fn priced_bytes(priced: &Priced) -> usize {
    let pricing = &priced.pricing;
    let names: usize = pricing
        .fees
        .iter()
        .map(|f| allocation(f.name.len()))
        .chain(pricing.taxes.iter().map(|t| allocation(t.name.len())))
        .sum();
    allocation(size_of::<Priced>())
        + allocation(pricing.seasons.capacity() * size_of::<Season>())
        + allocation(pricing.length_discounts.capacity() * size_of::<LengthDiscount>())
        + allocation(pricing.fees.capacity() * size_of::<Fee>())
        + allocation(pricing.taxes.capacity() * size_of::<Tax>())
        + names
}

/// What the allocator hands out for `len` bytes: a 16-byte granule with an 8-byte header.
pub fn allocation(len: usize) -> usize {
    if len == 0 {
        0
    } else {
        (len + 8).div_ceil(16).max(2) * 16
    }
}

fn clamp(amount: i64) -> u32 {
    u32::try_from(amount.max(0)).unwrap_or(u32::MAX)
}

fn small(value: u32) -> u8 {
    u8::try_from(value).unwrap_or(u8::MAX)
}

fn country(code: &str) -> [u8; 2] {
    match code.as_bytes() {
        [a, b] => [*a, *b],
        _ => *b"??",
    }
}

fn insert_sorted(slots: &mut Vec<u32>, slot: u32) {
    if let Err(at) = slots.binary_search(&slot) {
        slots.insert(at, slot);
    }
}

fn remove_sorted(slots: &mut Vec<u32>, slot: u32) {
    if let Ok(at) = slots.binary_search(&slot) {
        slots.remove(at);
    }
}
