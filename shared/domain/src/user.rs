//! Users: who is calling, their profile and preferences, and the signals
//! Berth learns from their bookings to personalise search.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::dates::Timestamp;
use crate::error::InvalidInput;
use crate::ids::UserId;
use crate::money::Currency;
use crate::property::Amenity;

/// Groups from the identity provider (`cognito:groups`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    Hosts,
    Admins,
}

impl Group {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "hosts" => Some(Self::Hosts),
            "admins" => Some(Self::Admins),
            _ => None,
        }
    }
}

/// The authenticated user behind a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub user_id: UserId,
    pub groups: BTreeSet<Group>,
}

impl Caller {
    pub fn new(user_id: UserId, groups: impl IntoIterator<Item = Group>) -> Self {
        Self {
            user_id,
            groups: groups.into_iter().collect(),
        }
    }

    pub fn is_host(&self) -> bool {
        self.groups.contains(&Group::Hosts)
    }

    pub fn is_admin(&self) -> bool {
        self.groups.contains(&Group::Admins)
    }
}

/// What a user told Berth they like.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preferences {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Cities they like to stay in, most liked first.
    #[serde(default)]
    pub cities: Vec<String>,
    #[serde(default)]
    pub amenities: BTreeSet<Amenity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

pub const MAX_PREFERRED_CITIES: usize = 10;

impl Preferences {
    pub fn new(
        currency: Option<String>,
        cities: Vec<String>,
        amenities: Vec<String>,
        language: Option<String>,
    ) -> Result<Self, InvalidInput> {
        let currency = currency.map(|c| Currency::parse(&c)).transpose()?;
        if cities.len() > MAX_PREFERRED_CITIES {
            return Err(InvalidInput::new(
                "cities",
                format!("at most {MAX_PREFERRED_CITIES} cities"),
            ));
        }
        let cities = cities
            .into_iter()
            .map(|c| c.trim().to_owned())
            .collect::<Vec<_>>();
        if cities
            .iter()
            .any(|c| c.is_empty() || c.chars().count() > 80)
        {
            return Err(InvalidInput::new(
                "cities",
                "each city is 1 to 80 characters",
            ));
        }
        if let Some(tag) = &language {
            let ok = (2..=35).contains(&tag.len())
                && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if !ok {
                return Err(InvalidInput::new(
                    "language",
                    "must be a language tag such as pt-PT",
                ));
            }
        }
        Ok(Self {
            currency,
            cities,
            amenities: Amenity::parse_all(&amenities)?,
            language,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub user_id: UserId,
    pub preferences: Preferences,
    pub updated_at: Timestamp,
}

/// What Berth learned from a user's confirmed bookings, for ranking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signals {
    /// Confirmed bookings per city (lower-cased).
    pub cities: BTreeMap<String, u32>,
    /// Confirmed bookings at properties offering each amenity.
    pub amenities: BTreeMap<Amenity, u32>,
    pub bookings: u32,
}

impl Signals {
    /// Learns from one more confirmed stay.
    pub fn learn(&mut self, city: &str, amenities: &BTreeSet<Amenity>) {
        *self.cities.entry(city.to_lowercase()).or_default() += 1;
        for amenity in amenities {
            *self.amenities.entry(*amenity).or_default() += 1;
        }
        self.bookings += 1;
    }

    /// Amenities present in at least half of this user's stays.
    pub fn favourite_amenities(&self) -> BTreeSet<Amenity> {
        self.amenities
            .iter()
            .filter(|(_, n)| **n * 2 >= self.bookings && self.bookings > 0)
            .map(|(a, _)| *a)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preferences_are_checked_field_by_field() {
        let ok = Preferences::new(
            Some("EUR".into()),
            vec!["Lisbon".into()],
            vec!["wifi".into()],
            Some("pt-PT".into()),
        );
        assert_eq!(ok.unwrap().cities, ["Lisbon"]);
        let field = |r: Result<Preferences, InvalidInput>| r.unwrap_err().field;
        assert_eq!(
            field(Preferences::new(Some("eu".into()), vec![], vec![], None)),
            "currency"
        );
        assert_eq!(
            field(Preferences::new(None, vec!["".into()], vec![], None)),
            "cities"
        );
        assert_eq!(
            field(Preferences::new(None, vec!["x".into(); 11], vec![], None)),
            "cities"
        );
        assert_eq!(
            field(Preferences::new(None, vec![], vec!["moat".into()], None)),
            "amenities"
        );
        assert_eq!(
            field(Preferences::new(None, vec![], vec![], Some("pt PT".into()))),
            "language"
        );
    }

    #[test]
    fn signals_learn_cities_and_favourite_amenities() {
        let mut signals = Signals::default();
        let pool: BTreeSet<Amenity> = [Amenity::Pool, Amenity::Wifi].into();
        let wifi: BTreeSet<Amenity> = [Amenity::Wifi].into();
        signals.learn("Lisbon", &pool);
        signals.learn("lisbon", &wifi);
        signals.learn("Porto", &wifi);
        assert_eq!(signals.cities["lisbon"], 2);
        assert_eq!(signals.favourite_amenities(), wifi);
    }

    #[test]
    fn callers_know_their_groups() {
        let caller = Caller::new(UserId::parse("h").unwrap(), [Group::Hosts]);
        assert!(caller.is_host() && !caller.is_admin());
        assert_eq!(Group::parse("admins"), Some(Group::Admins));
        assert_eq!(Group::parse("root"), None);
    }
}
