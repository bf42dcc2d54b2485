//! Demo listings: on first start with an empty data directory, `berth serve`
//! lists N properties across cities (deterministic: the same N gives the
//! same ids, titles and prices every time), each with one of 20 hosts.

use berth_domain::booking::{Booking, PaymentMethod};
use berth_domain::dates::{Date, Stay};
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::{BookingId, PropertyId, UserId};
use berth_domain::ports::{
    BookingRequests, ClaimOutcome, IdempotencyKey, PropertyReader, PropertyWriter, RequestClaim,
};
use berth_domain::pricing;
use berth_domain::property::{Amenity, Listing, ListingFields, Property, Rating};
use chrono::Utc;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

/// City, country, centre, currency, share of listings.
const CITIES: &[(&str, &str, f64, f64, &str, u32)] = &[
    ("Lisbon", "PT", 38.7223, -9.1393, "EUR", 20),
    ("Porto", "PT", 41.1579, -8.6291, "EUR", 10),
    ("Barcelona", "ES", 41.3874, 2.1686, "EUR", 14),
    ("Paris", "FR", 48.8566, 2.3522, "EUR", 14),
    ("Berlin", "DE", 52.52, 13.405, "EUR", 10),
    ("Amsterdam", "NL", 52.3676, 4.9041, "EUR", 8),
    ("Rome", "IT", 41.9028, 12.4964, "EUR", 8),
    ("London", "GB", 51.5072, -0.1276, "GBP", 10),
    ("Edinburgh", "GB", 55.9533, -3.1883, "GBP", 3),
    ("New York", "US", 40.7128, -74.006, "USD", 3),
];

const KINDS: &[&str] = &[
    "Flat",
    "Loft",
    "Studio",
    "House",
    "Cottage",
    "Apartment",
    "Townhouse",
];
const SIGHTS: &[&str] = &[
    "by the river",
    "near the old town",
    "with a view",
    "by the park",
    "in a quiet street",
];
const POLICIES: &[&str] = &["flexible", "moderate", "strict"];

/// How many demo listings a new data directory gets by default.
pub const DEMO_LISTINGS: u32 = 200;

/// The PENDING booking `berth invoke` seeds, so the workflow's sample
/// events have a booking to work on.
pub const DEMO_BOOKING: &str = "bk_de400000000000000000000000000001";
pub const DEMO_GUEST: &str = "demo-guest";

/// The `n`th demo host.
pub fn host(n: u32) -> UserId {
    UserId::parse(&format!("host-{:02}", n % 20 + 1)).expect("a valid demo host id")
}

/// The `count` demo properties.
pub fn demo_properties(count: u32) -> Vec<Property> {
    let mut rng = StdRng::seed_from_u64(0xB_E27);
    let total_share: u32 = CITIES.iter().map(|c| c.5).sum();
    (0..count)
        .map(|i| {
            let mut pick = rng.random_range(0..total_share);
            let city = CITIES
                .iter()
                .find(|c| {
                    if pick < c.5 {
                        true
                    } else {
                        pick -= c.5;
                        false
                    }
                })
                .unwrap_or(&CITIES[0]);
            let (name, country, lat, lon, currency, _) = *city;
            let bedrooms = rng.random_range(0..=4u32);
            let amenities: Vec<String> = Amenity::ALL
                .iter()
                .filter(|_| rng.random_bool(0.35))
                .map(|a| a.name().to_owned())
                .collect();
            let kind = KINDS[rng.random_range(0..KINDS.len())];
            let sight = SIGHTS[rng.random_range(0..SIGHTS.len())];
            let min_nights = rng.random_range(1..=3u32);
            let listing = Listing::new(ListingFields {
                title: format!("{kind} {sight} in {name}"),
                description: format!(
                    "A {} {} in {name}, {} bedroom(s).",
                    kind.to_lowercase(),
                    sight,
                    bedrooms
                ),
                city: name.into(),
                country: country.into(),
                lat: lat + rng.random_range(-0.05..0.05),
                lon: lon + rng.random_range(-0.05..0.05),
                max_guests: (bedrooms * 2).max(2),
                bedrooms,
                amenities,
                nightly_price: (rng.random_range(40..400) * 100, currency.into()),
                cleaning_fee: (rng.random_range(0..8) * 500, currency.into()),
                min_nights,
                max_nights: rng.random_range(min_nights.max(14)..=90),
                cancellation_policy: POLICIES[rng.random_range(0..POLICIES.len())].into(),
                photos: vec![format!("https://images.berth.dev/demo/{i}.jpg")],
            })
            .expect("demo listings are valid");
            let mut property = Property::list(host(i), listing, Utc::now());
            property.id = demo_id(i);
            property.rating = Rating::from_tenths(rng.random_range(30..=50));
            property
        })
        .collect()
}

/// Whether the demo listings are there already (the first one stands for all).
pub async fn seeded(properties: &dyn PropertyReader) -> anyhow::Result<bool> {
    Ok(properties.property(&demo_id(0)).await?.is_some())
}

fn demo_id(n: u32) -> PropertyId {
    PropertyId::from_uuid(Uuid::from_u128(
        0xDE40_0000_0000_0000_0000_0000_0000_0000 | u128::from(n),
    ))
}

/// Lists the demo properties.
pub async fn seed(writer: &dyn PropertyWriter, count: u32) -> anyhow::Result<()> {
    for property in demo_properties(count) {
        let event = DomainEvent::new(
            Change::PropertyCreated {
                property: property.clone(),
            },
            Utc::now(),
        );
        writer.insert_property(&property, &event).await?;
    }
    Ok(())
}

/// Stores the demo booking: PENDING, for the demo guest, at demo property 1,
/// a month from now, as a guest's request would.
pub async fn seed_demo_booking(
    properties: &dyn PropertyReader,
    requests: &dyn BookingRequests,
) -> anyhow::Result<()> {
    let property_id = PropertyId::parse("prop_de400000000000000000000000000001")?;
    let property = properties
        .property(&property_id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("demo property 1 is not listed"))?;
    let now = Utc::now();
    let check_in = Date::of(now).add_days(30);
    let stay = Stay::new(
        check_in,
        check_in.add_days(property.listing.min_nights),
        Date::of(now),
    )?;
    let quote = pricing::quote(&property, stay, 1, Date::of(now))?;
    let guest = UserId::parse(DEMO_GUEST)?;
    let mut booking = Booking::request(
        guest.clone(),
        &property,
        quote,
        PaymentMethod::parse("pm_card_visa")?,
        now,
        now + chrono::Duration::minutes(15),
    );
    booking.id = BookingId::parse(DEMO_BOOKING)?;
    let claim = RequestClaim {
        now,
        user: guest,
        key: IdempotencyKey::parse("demo-booking")?,
        fingerprint: "demo-booking".into(),
        lease_until: now,
        expires_at: now + chrono::Duration::hours(24),
    };
    let event = DomainEvent::new(
        Change::BookingRequested {
            booking: booking.clone(),
        },
        now,
    );
    match requests.claim(&claim, &booking, &event).await? {
        ClaimOutcome::Claimed => Ok(()),
        ClaimOutcome::Existing(_) => anyhow::bail!("the demo booking exists already"),
    }
}
