//! Properties: a listing is one bookable unit per night, owned by its host.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::cancellation::CancellationPolicy;
use crate::dates::{MAX_STAY_NIGHTS, Timestamp};
use crate::error::InvalidInput;
use crate::ids::{PropertyId, UserId};
use crate::money::Money;
use crate::pricing::Pricing;

/// A listing as stored and as shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Property {
    pub id: PropertyId,
    pub host_id: UserId,
    #[serde(flatten)]
    pub listing: Listing,
    /// How nights are priced beyond the listing's nightly price, and the
    /// stay rules; empty until the host sets one.
    #[serde(default)]
    pub pricing: Pricing,
    /// Average guest rating, 0.0 to 5.0; none until the property has been rated.
    pub rating: Option<Rating>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Bumped by every change; updates are conditional on it.
    pub version: u64,
}

/// Everything a host decides about a listing. Every value in it is valid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Listing {
    pub title: String,
    pub description: String,
    pub city: String,
    /// ISO 3166-1 alpha-2, such as `PT`.
    pub country: String,
    pub location: Location,
    pub max_guests: u32,
    pub bedrooms: u32,
    pub amenities: BTreeSet<Amenity>,
    pub nightly_price: Money,
    pub cleaning_fee: Money,
    pub min_nights: u32,
    pub max_nights: u32,
    pub cancellation_policy: CancellationPolicy,
    pub photos: Vec<String>,
}

pub const MAX_GUESTS: u32 = 50;
pub const MAX_BEDROOMS: u32 = 50;
pub const MAX_PHOTOS: usize = 20;

/// The raw values of a listing, as a host sends them. [`Listing::new`] checks them.
#[derive(Debug, Clone)]
pub struct ListingFields {
    pub title: String,
    pub description: String,
    pub city: String,
    pub country: String,
    pub lat: f64,
    pub lon: f64,
    pub max_guests: u32,
    pub bedrooms: u32,
    pub amenities: Vec<String>,
    pub nightly_price: (i64, String),
    pub cleaning_fee: (i64, String),
    pub min_nights: u32,
    pub max_nights: u32,
    pub cancellation_policy: String,
    pub photos: Vec<String>,
}

impl Listing {
    pub fn new(fields: ListingFields) -> Result<Self, InvalidInput> {
        let listing = Self {
            title: text("title", fields.title, 1, 120)?,
            description: text("description", fields.description, 0, 4000)?,
            city: text("city", fields.city, 1, 80)?,
            country: country(fields.country)?,
            location: Location::new(fields.lat, fields.lon)?,
            max_guests: bounded("max_guests", fields.max_guests, 1, MAX_GUESTS)?,
            bedrooms: bounded("bedrooms", fields.bedrooms, 0, MAX_BEDROOMS)?,
            amenities: Amenity::parse_all(&fields.amenities)?,
            nightly_price: Money::price(
                "nightly_price",
                fields.nightly_price.0,
                &fields.nightly_price.1,
            )?,
            cleaning_fee: Money::price(
                "cleaning_fee",
                fields.cleaning_fee.0,
                &fields.cleaning_fee.1,
            )?,
            min_nights: fields.min_nights,
            max_nights: fields.max_nights,
            cancellation_policy: CancellationPolicy::parse(&fields.cancellation_policy)?,
            photos: photos(fields.photos)?,
        };
        listing.check_rules()?;
        Ok(listing)
    }

    /// Rules between fields, checked again after every change.
    fn check_rules(&self) -> Result<(), InvalidInput> {
        if self.nightly_price.amount < 1 {
            return Err(InvalidInput::new(
                "nightly_price.amount",
                "must be at least 1",
            ));
        }
        if self.cleaning_fee.currency != self.nightly_price.currency {
            return Err(InvalidInput::new(
                "cleaning_fee.currency",
                "must be the nightly price's currency",
            ));
        }
        bounded("min_nights", self.min_nights, 1, MAX_STAY_NIGHTS)?;
        bounded("max_nights", self.max_nights, 1, MAX_STAY_NIGHTS)?;
        if self.min_nights > self.max_nights {
            return Err(InvalidInput::new(
                "max_nights",
                "must be at least min_nights",
            ));
        }
        Ok(())
    }

    /// This listing with a host's changes applied, or why they cannot be.
    pub fn patched(&self, patch: ListingPatch) -> Result<Self, InvalidInput> {
        let mut next = self.clone();
        if let Some(title) = patch.title {
            next.title = text("title", title, 1, 120)?;
        }
        if let Some(description) = patch.description {
            next.description = text("description", description, 0, 4000)?;
        }
        if let Some(max_guests) = patch.max_guests {
            next.max_guests = bounded("max_guests", max_guests, 1, MAX_GUESTS)?;
        }
        if let Some(bedrooms) = patch.bedrooms {
            next.bedrooms = bounded("bedrooms", bedrooms, 0, MAX_BEDROOMS)?;
        }
        if let Some(amenities) = patch.amenities {
            next.amenities = Amenity::parse_all(&amenities)?;
        }
        if let Some((amount, currency)) = patch.nightly_price {
            next.nightly_price = Money::price("nightly_price", amount, &currency)?;
        }
        if let Some((amount, currency)) = patch.cleaning_fee {
            next.cleaning_fee = Money::price("cleaning_fee", amount, &currency)?;
        }
        if let Some(min_nights) = patch.min_nights {
            next.min_nights = min_nights;
        }
        if let Some(max_nights) = patch.max_nights {
            next.max_nights = max_nights;
        }
        if let Some(policy) = patch.cancellation_policy {
            next.cancellation_policy = CancellationPolicy::parse(&policy)?;
        }
        if let Some(list) = patch.photos {
            next.photos = photos(list)?;
        }
        next.check_rules()?;
        Ok(next)
    }
}

/// The fields a host may change after listing. Where a property is, and whose
/// it is, are fixed at creation.
#[derive(Debug, Clone, Default)]
pub struct ListingPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub max_guests: Option<u32>,
    pub bedrooms: Option<u32>,
    pub amenities: Option<Vec<String>>,
    pub nightly_price: Option<(i64, String)>,
    pub cleaning_fee: Option<(i64, String)>,
    pub min_nights: Option<u32>,
    pub max_nights: Option<u32>,
    pub cancellation_policy: Option<String>,
    pub photos: Option<Vec<String>>,
}

impl ListingPatch {
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.description.is_none()
            && self.max_guests.is_none()
            && self.bedrooms.is_none()
            && self.amenities.is_none()
            && self.nightly_price.is_none()
            && self.cleaning_fee.is_none()
            && self.min_nights.is_none()
            && self.max_nights.is_none()
            && self.cancellation_policy.is_none()
            && self.photos.is_none()
    }
}

impl Property {
    /// A new listing owned by `host`.
    pub fn list(host_id: UserId, listing: Listing, now: Timestamp) -> Self {
        Self {
            id: PropertyId::generate(),
            host_id,
            listing,
            pricing: Pricing::default(),
            rating: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    /// The next version of this property, with `listing` in place.
    pub fn revised(&self, listing: Listing, now: Timestamp) -> Self {
        Self {
            listing,
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        }
    }

    /// The next version of this property, priced by `pricing`.
    pub fn repriced(&self, pricing: Pricing, now: Timestamp) -> Self {
        Self {
            pricing,
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
}

impl Location {
    pub fn new(lat: f64, lon: f64) -> Result<Self, InvalidInput> {
        if !(-90.0..=90.0).contains(&lat) {
            return Err(InvalidInput::new(
                "location.lat",
                "must be between -90 and 90",
            ));
        }
        if !(-180.0..=180.0).contains(&lon) {
            return Err(InvalidInput::new(
                "location.lon",
                "must be between -180 and 180",
            ));
        }
        Ok(Self { lat, lon })
    }

    /// Great-circle distance in kilometres.
    pub fn distance_km(&self, other: &Location) -> f64 {
        let (lat1, lat2) = (self.lat.to_radians(), other.lat.to_radians());
        let dlat = lat2 - lat1;
        let dlon = (other.lon - self.lon).to_radians();
        let a = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
        2.0 * 6371.0 * a.sqrt().asin()
    }
}

/// A guest rating in tenths of a star (0 to 50), shown as 0.0 to 5.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Rating(u8);

impl Rating {
    pub fn from_tenths(tenths: u8) -> Option<Self> {
        (tenths <= 50).then_some(Self(tenths))
    }

    pub fn tenths(self) -> u8 {
        self.0
    }
}

impl TryFrom<f64> for Rating {
    type Error = InvalidInput;
    fn try_from(stars: f64) -> Result<Self, Self::Error> {
        let tenths = (stars * 10.0).round();
        if (0.0..=50.0).contains(&tenths) {
            Ok(Self(tenths as u8))
        } else {
            Err(InvalidInput::new("rating", "must be between 0 and 5"))
        }
    }
}

impl From<Rating> for f64 {
    fn from(rating: Rating) -> Self {
        f64::from(rating.0) / 10.0
    }
}

/// What a property offers. A fixed vocabulary, so that search can filter on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Amenity {
    Wifi,
    Kitchen,
    Parking,
    Pool,
    AirConditioning,
    Heating,
    Washer,
    Dryer,
    Tv,
    Workspace,
    PetsAllowed,
    HotTub,
    Gym,
    Elevator,
    WheelchairAccessible,
    EvCharger,
    Fireplace,
    Bbq,
    Balcony,
    Garden,
    BeachAccess,
    SeaView,
    Crib,
    SelfCheckIn,
}

impl Amenity {
    pub const ALL: [Amenity; 24] = [
        Amenity::Wifi,
        Amenity::Kitchen,
        Amenity::Parking,
        Amenity::Pool,
        Amenity::AirConditioning,
        Amenity::Heating,
        Amenity::Washer,
        Amenity::Dryer,
        Amenity::Tv,
        Amenity::Workspace,
        Amenity::PetsAllowed,
        Amenity::HotTub,
        Amenity::Gym,
        Amenity::Elevator,
        Amenity::WheelchairAccessible,
        Amenity::EvCharger,
        Amenity::Fireplace,
        Amenity::Bbq,
        Amenity::Balcony,
        Amenity::Garden,
        Amenity::BeachAccess,
        Amenity::SeaView,
        Amenity::Crib,
        Amenity::SelfCheckIn,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Amenity::Wifi => "wifi",
            Amenity::Kitchen => "kitchen",
            Amenity::Parking => "parking",
            Amenity::Pool => "pool",
            Amenity::AirConditioning => "air_conditioning",
            Amenity::Heating => "heating",
            Amenity::Washer => "washer",
            Amenity::Dryer => "dryer",
            Amenity::Tv => "tv",
            Amenity::Workspace => "workspace",
            Amenity::PetsAllowed => "pets_allowed",
            Amenity::HotTub => "hot_tub",
            Amenity::Gym => "gym",
            Amenity::Elevator => "elevator",
            Amenity::WheelchairAccessible => "wheelchair_accessible",
            Amenity::EvCharger => "ev_charger",
            Amenity::Fireplace => "fireplace",
            Amenity::Bbq => "bbq",
            Amenity::Balcony => "balcony",
            Amenity::Garden => "garden",
            Amenity::BeachAccess => "beach_access",
            Amenity::SeaView => "sea_view",
            Amenity::Crib => "crib",
            Amenity::SelfCheckIn => "self_check_in",
        }
    }

    /// Bit of this amenity in a set packed into a `u32`.
    pub fn bit(self) -> u32 {
        1 << (self as u32)
    }

    pub fn parse(name: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|a| a.name()).collect();
                InvalidInput::new(
                    "amenities",
                    format!("unknown amenity {name:?}; known: {}", known.join(", ")),
                )
            })
    }

    pub fn parse_all(names: &[String]) -> Result<BTreeSet<Self>, InvalidInput> {
        names.iter().map(|n| Self::parse(n)).collect()
    }
}

fn text(field: &str, value: String, min: usize, max: usize) -> Result<String, InvalidInput> {
    let value = value.trim().to_owned();
    let len = value.chars().count();
    if len < min || len > max {
        return Err(InvalidInput::new(
            field,
            format!("must be {min} to {max} characters"),
        ));
    }
    if value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(InvalidInput::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(value)
}

fn bounded(field: &str, value: u32, min: u32, max: u32) -> Result<u32, InvalidInput> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else {
        Err(InvalidInput::new(
            field,
            format!("must be between {min} and {max}"),
        ))
    }
}

fn country(code: String) -> Result<String, InvalidInput> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(InvalidInput::new(
            "country",
            "must be an ISO 3166-1 alpha-2 code in upper case, such as PT",
        ))
    }
}

fn photos(urls: Vec<String>) -> Result<Vec<String>, InvalidInput> {
    if urls.len() > MAX_PHOTOS {
        return Err(InvalidInput::new(
            "photos",
            format!("at most {MAX_PHOTOS} photos"),
        ));
    }
    for url in &urls {
        let ok = url.starts_with("https://")
            && url.len() <= 500
            && !url.chars().any(|c| c.is_whitespace() || c.is_control());
        if !ok {
            return Err(InvalidInput::new(
                "photos",
                format!("{url:?} is not an https URL of at most 500 characters"),
            ));
        }
    }
    Ok(urls)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn fields() -> ListingFields {
        ListingFields {
            title: "Flat by the river".into(),
            description: "Two rooms, a view.".into(),
            city: "Lisbon".into(),
            country: "PT".into(),
            lat: 38.71,
            lon: -9.14,
            max_guests: 4,
            bedrooms: 2,
            amenities: vec!["wifi".into(), "kitchen".into()],
            nightly_price: (12_000, "EUR".into()),
            cleaning_fee: (3_000, "EUR".into()),
            min_nights: 2,
            max_nights: 30,
            cancellation_policy: "moderate".into(),
            photos: vec![],
        }
    }

    fn rejects(change: impl FnOnce(&mut ListingFields), field: &str) {
        let mut f = fields();
        change(&mut f);
        let err = Listing::new(f).expect_err("accepted");
        assert_eq!(err.field, field, "{err}");
    }

    #[test]
    fn a_valid_listing_is_accepted_and_trimmed() {
        let mut f = fields();
        f.title = "  Flat by the river ".into();
        let listing = Listing::new(f).unwrap();
        assert_eq!(listing.title, "Flat by the river");
        assert!(listing.amenities.contains(&Amenity::Wifi));
    }

    #[test]
    fn each_rule_names_its_field() {
        rejects(|f| f.title = "   ".into(), "title");
        rejects(|f| f.title = "x".repeat(121), "title");
        rejects(|f| f.city = String::new(), "city");
        rejects(|f| f.country = "pt".into(), "country");
        rejects(|f| f.lat = 91.0, "location.lat");
        rejects(|f| f.lon = f64::NAN, "location.lon");
        rejects(|f| f.max_guests = 0, "max_guests");
        rejects(|f| f.bedrooms = 51, "bedrooms");
        rejects(|f| f.amenities = vec!["moat".into()], "amenities");
        rejects(
            |f| f.nightly_price = (0, "EUR".into()),
            "nightly_price.amount",
        );
        rejects(
            |f| f.nightly_price = (10, "eur".into()),
            "nightly_price.currency",
        );
        rejects(|f| f.cleaning_fee = (-1, "EUR".into()), "cleaning_fee");
        rejects(
            |f| f.cleaning_fee = (10, "USD".into()),
            "cleaning_fee.currency",
        );
        rejects(|f| f.min_nights = 0, "min_nights");
        rejects(|f| f.max_nights = 91, "max_nights");
        rejects(|f| (f.min_nights, f.max_nights) = (5, 4), "max_nights");
        rejects(
            |f| f.cancellation_policy = "lenient".into(),
            "cancellation_policy",
        );
        rejects(|f| f.photos = vec!["http://x".into()], "photos");
        rejects(|f| f.description = "a\u{0}b".into(), "description");
    }

    #[test]
    fn patches_keep_the_cross_field_rules() {
        let listing = Listing::new(fields()).unwrap();
        let patch = ListingPatch {
            min_nights: Some(31),
            ..Default::default()
        };
        assert_eq!(listing.patched(patch).unwrap_err().field, "max_nights");
        let patch = ListingPatch {
            nightly_price: Some((9_000, "EUR".into())),
            title: Some("New title".into()),
            ..Default::default()
        };
        let next = listing.patched(patch).unwrap();
        assert_eq!(next.nightly_price.amount, 9_000);
        assert_eq!(next.title, "New title");
        assert_eq!(next.city, listing.city);
    }

    #[test]
    fn revising_bumps_the_version_and_keeps_identity() {
        let now = chrono::Utc::now();
        let property = Property::list(
            UserId::parse("h").unwrap(),
            Listing::new(fields()).unwrap(),
            now,
        );
        let next = property.revised(property.listing.clone(), now);
        assert_eq!((next.id.clone(), next.version), (property.id.clone(), 2));
        assert_eq!(next.host_id, property.host_id);
    }

    #[test]
    fn amenities_round_trip_by_name() {
        for amenity in Amenity::ALL {
            assert_eq!(Amenity::parse(amenity.name()).unwrap(), amenity);
            let json = serde_json::to_value(amenity).unwrap();
            assert_eq!(json, amenity.name());
        }
        let bits: u32 = Amenity::ALL.iter().map(|a| a.bit()).fold(0, |a, b| a | b);
        assert_eq!(bits.count_ones() as usize, Amenity::ALL.len());
    }

    #[test]
    fn distance_is_great_circle_kilometres() {
        let lisbon = Location::new(38.7223, -9.1393).unwrap();
        let porto = Location::new(41.1579, -8.6291).unwrap();
        let km = lisbon.distance_km(&porto);
        assert!((270.0..280.0).contains(&km), "{km}");
    }

    #[test]
    fn ratings_are_tenths_of_a_star() {
        let rating: Rating = serde_json::from_str("4.7").unwrap();
        assert_eq!(rating.tenths(), 47);
        assert_eq!(serde_json::to_string(&rating).unwrap(), "4.7");
        assert!(serde_json::from_str::<Rating>("5.5").is_err());
    }
}
