//! GET /search: its parameters parsed into a [`SearchRequest`] (`params`),
//! the opaque keyset cursor (`cursor`), and the search itself over an
//! [`Index`](crate::Index) (`execute`, with what it asks of each candidate
//! in `filter`).

mod cursor;
mod execute;
mod filter;
mod params;

use berth_domain::dates::Stay;
use berth_domain::ids::PropertyId;
use berth_domain::money::{Currency, Money};
use berth_domain::property::{Amenity, Location, Rating};
use serde::{Deserialize, Serialize};

pub use cursor::Cursor;
pub use params::InvalidParameter;

pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 50;

/// A valid search: every field has been checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    pub area: Area,
    pub stay: Stay,
    pub guests: u32,
    /// Bounds on the stay's total, in the listing's own currency's minor units.
    pub min_total: Option<i64>,
    pub max_total: Option<i64>,
    pub currency: Option<Currency>,
    /// `Amenity::bit()`s that must all be present.
    pub amenities: u32,
    pub sort: Sort,
    /// Where distances are measured from, when given.
    pub near: Option<Location>,
    pub limit: usize,
    /// Where the previous page ended.
    pub after: Option<Cursor>,
    /// Identifies the query (all but `limit` and `cursor`), so that a cursor
    /// is only used with the query that made it.
    pub fingerprint: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Area {
    /// A city, by its key (trimmed, lower case).
    City(String),
    Bounds(BoundingBox),
}

/// Latitudes `min_lat..=max_lat`; longitudes `min_lon..=max_lon`, or across
/// the antimeridian when `min_lon > max_lon`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BoundingBox {
    pub min_lat: f64,
    pub min_lon: f64,
    pub max_lat: f64,
    pub max_lon: f64,
}

impl BoundingBox {
    pub fn contains(&self, lat: f64, lon: f64) -> bool {
        let lon_ok = if self.min_lon <= self.max_lon {
            (self.min_lon..=self.max_lon).contains(&lon)
        } else {
            lon >= self.min_lon || lon <= self.max_lon
        };
        lon_ok && (self.min_lat..=self.max_lat).contains(&lat)
    }

    pub fn centre(&self) -> (f64, f64) {
        let lat = (self.min_lat + self.max_lat) / 2.0;
        let mut lon = if self.min_lon <= self.max_lon {
            (self.min_lon + self.max_lon) / 2.0
        } else {
            (self.min_lon + self.max_lon + 360.0) / 2.0
        };
        if lon > 180.0 {
            lon -= 360.0;
        }
        (lat, lon)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Total for the stay, lowest first.
    Price,
    /// Highest rated first, unrated last.
    Rating,
    /// Nearest first.
    Distance,
}

impl Sort {
    pub fn name(self) -> &'static str {
        match self {
            Sort::Price => "price",
            Sort::Rating => "rating",
            Sort::Distance => "distance",
        }
    }
}

/// One available property, priced for the stay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub property_id: PropertyId,
    pub title: String,
    pub city: String,
    pub country: String,
    pub location: Location,
    pub nightly_price: Money,
    pub cleaning_fee: Money,
    pub nights: u32,
    pub total: Money,
    pub rating: Option<Rating>,
    pub bedrooms: u32,
    pub max_guests: u32,
    pub amenities: Vec<Amenity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
}

/// One page of results: the body of a GET /search answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchPage {
    pub results: Vec<Hit>,
    /// Pass as `cursor` for the next page; `None` on the last page.
    pub next_cursor: Option<String>,
}
