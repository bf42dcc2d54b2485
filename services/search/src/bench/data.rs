//! Deterministic generated data for the benchmark: cities of skewed sizes
//! (one big city, a long tail), listings with random prices, amenities and
//! ratings, calendars with about 30% of nights booked, and a share of
//! listings with pricing documents (seasons, weekend prices, discounts,
//! fees and taxes).

use std::collections::BTreeSet;

use berth_domain::calendar::NightState;
use berth_domain::cancellation::CancellationPolicy;
use berth_domain::dates::{Date, Timestamp};
use berth_domain::ids::{BookingId, PropertyId, UserId};
use berth_domain::money::{Currency, Money};
use berth_domain::pricing::{
    FeeDocument, LengthDiscount, Pricing, PricingDocument, SeasonDocument, TaxDocument,
};
use berth_domain::property::{Amenity, Listing, Location, Property, Rating};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::index::IndexBuilder;

pub struct City {
    pub name: String,
    pub centre: (f64, f64),
    /// Half the side of the square its listings lie in, in degrees.
    pub radius: f64,
    pub size: usize,
}

/// The big city holds this share of all listings; the rest follow Zipf's law.
const BIG_CITY_SHARE: f64 = 0.08;

pub fn cities(properties: usize, rng: &mut StdRng) -> Vec<City> {
    let count = (properties / 500).max(20);
    let tail: f64 = (2..=count).map(|rank| 1.0 / rank as f64).sum();
    let mut left = properties;
    (1..=count)
        .map(|rank| {
            let share = if rank == 1 {
                BIG_CITY_SHARE
            } else {
                (1.0 - BIG_CITY_SHARE) / (rank as f64 * tail)
            };
            let size = if rank == count {
                left
            } else {
                ((properties as f64 * share) as usize).clamp(1, left)
            };
            left -= size;
            City {
                name: format!("City {rank}"),
                centre: (
                    rng.random_range(-45.0..60.0),
                    rng.random_range(-150.0..150.0),
                ),
                radius: 0.05
                    + 0.25
                        * (size as f64 / properties as f64 / BIG_CITY_SHARE)
                            .sqrt()
                            .min(1.0),
                size,
            }
        })
        .collect()
}

/// Adds `cities`' listings and their nights (from `today` for the whole
/// booking horizon) to `builder`.
pub fn load(
    builder: &mut IndexBuilder,
    cities: &[City],
    today: Date,
    now: Timestamp,
    priced_percent: u32,
    rng: &mut StdRng,
) {
    // Pricing draws its own numbers, so that the listings and calendars are
    // the same with or without pricing documents.
    let mut pricing_rng = StdRng::seed_from_u64(rng.random());
    let host = UserId::parse("bench-host").expect("valid user id");
    let booked = NightState::Booked {
        booking_id: BookingId::from_uuid(uuid::Uuid::from_u128(1)),
    };
    let mut serial: u128 = 0;
    for city in cities {
        for _ in 0..city.size {
            serial += 1;
            let mut property = listing(
                PropertyId::from_uuid(uuid::Uuid::from_u128(serial)),
                &host,
                city,
                now,
                rng,
            );
            if pricing_rng.random_range(0..100) < priced_percent {
                property.pricing = pricing(&property, &mut pricing_rng);
            }
            builder.add_property(&property);
            // Runs of nights (first day, length, state), states shared so
            // that no night allocates.
            let mut states = vec![booked.clone()];
            let mut runs: Vec<(u32, u32, usize)> = Vec::new();
            let mut offset = rng.random_range(0..10u32);
            while offset < 820 {
                let run = rng.random_range(1..=7u32).min(820 - offset);
                let state = if rng.random_bool(0.000_5) {
                    states.push(NightState::Held {
                        booking_id: BookingId::from_uuid(uuid::Uuid::from_u128(
                            serial << 32 | u128::from(offset),
                        )),
                        expires_at: now + chrono::Duration::minutes(15),
                    });
                    states.len() - 1
                } else {
                    0
                };
                runs.push((offset, run, state));
                offset += run + rng.random_range(1..=18u32);
            }
            let nights = runs.iter().flat_map(|(first, len, state)| {
                (*first..first + len).map(|d| (today.add_days(d), &states[*state]))
            });
            builder
                .add_nights(&property.id, nights)
                .expect("the property was added");
        }
    }
}

fn listing(
    id: PropertyId,
    host: &UserId,
    city: &City,
    now: Timestamp,
    rng: &mut StdRng,
) -> Property {
    let currency = Currency::parse(match rng.random_range(0..20) {
        0..16 => "EUR",
        16..19 => "USD",
        _ => "GBP",
    })
    .expect("valid currency");
    let common = [
        (Amenity::Wifi, 0.9),
        (Amenity::Kitchen, 0.7),
        (Amenity::Heating, 0.6),
        (Amenity::Washer, 0.5),
    ];
    let mut amenities: BTreeSet<Amenity> = common
        .iter()
        .filter(|(_, p)| rng.random_bool(*p))
        .map(|(a, _)| *a)
        .collect();
    amenities.extend(
        Amenity::ALL
            .iter()
            .skip(4)
            .filter(|_| rng.random_bool(0.15))
            .copied(),
    );
    let (lat, lon) = city.centre;
    let nightly = (rng.random_range(3.5f64..5.5).exp() * 100.0) as i64;
    let listing = Listing {
        title: format!(
            "{} stay {}",
            city.name,
            id.as_str().get(28..).unwrap_or_default()
        ),
        description: String::new(),
        city: city.name.clone(),
        country: "PT".into(),
        location: Location {
            lat: (lat + rng.random_range(-city.radius..city.radius)).clamp(-90.0, 90.0),
            lon: (lon + rng.random_range(-city.radius..city.radius)).clamp(-180.0, 180.0),
        },
        max_guests: rng.random_range(1..=8),
        bedrooms: rng.random_range(0..=4),
        amenities,
        nightly_price: Money::new(nightly, currency),
        cleaning_fee: Money::new(rng.random_range(0..=80) * 100, currency),
        min_nights: rng.random_range(1..=3),
        max_nights: rng.random_range(14..=90),
        cancellation_policy: CancellationPolicy::Moderate,
        photos: Vec::new(),
    };
    Property {
        id,
        host_id: host.clone(),
        listing,
        pricing: Pricing::default(),
        rating: rng
            .random_bool(0.8)
            .then(|| Rating::from_tenths(rng.random_range(30..=50)))
            .flatten(),
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

/// A pricing document as hosts write them: summer and year-end seasons
/// with a minimum stay, dearer weekends, weekly and monthly discounts, a
/// linen fee, VAT and a capped tourist tax.
fn pricing(property: &Property, rng: &mut StdRng) -> Pricing {
    let listing = &property.listing;
    let currency = listing.nightly_price.currency;
    let nightly = listing.nightly_price.amount;
    let money = |amount: i64| Money::new(amount, currency);
    let date = |text: &str| Date::parse(text).expect("valid date");
    let season = |from: &str, to: &str, percent: i64, min: u32| SeasonDocument {
        from: date(from),
        to: date(to),
        nightly_price: money(nightly * percent / 100),
        min_nights: Some(min),
    };
    let weekend = money(nightly * rng.random_range(105..=130) / 100);
    let document = PricingDocument {
        seasons: vec![
            season("2027-07-01", "2027-09-01", rng.random_range(120..=160), 5),
            season("2027-12-20", "2028-01-04", rng.random_range(130..=200), 3),
        ],
        weekday_prices: [("fri".to_owned(), weekend), ("sat".to_owned(), weekend)].into(),
        length_discounts: vec![
            LengthDiscount {
                min_nights: 7,
                percent: rng.random_range(5..=15),
            },
            LengthDiscount {
                min_nights: 28,
                percent: rng.random_range(20..=35),
            },
        ],
        fees: vec![FeeDocument {
            name: "linen".into(),
            per: "guest".into(),
            amount: money(rng.random_range(5..=20) * 100),
        }],
        taxes: vec![
            TaxDocument {
                name: "VAT".into(),
                percent: Some(rng.random_range(5..=21)),
                per_guest_night: None,
                max_nights: None,
            },
            TaxDocument {
                name: "tourist tax".into(),
                percent: None,
                per_guest_night: Some(money(rng.random_range(1..=4) * 100)),
                max_nights: Some(7),
            },
        ],
        ..PricingDocument::default()
    };
    Pricing::parse(document, currency).expect("a valid generated document")
}

pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}
