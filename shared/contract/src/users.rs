//! Profiles, erasure and learned signals.

use std::collections::BTreeSet;

use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::UserId;
use berth_domain::property::Amenity;
use berth_domain::user::{Preferences, Profile};
use chrono::Utc;

use crate::Subject;
use crate::fixtures::user;

pub async fn profiles_save_and_erase(ports: &Subject) {
    let alice = user("alice");
    assert_eq!(
        ports.profiles().unwrap().profile(&alice).await.unwrap(),
        None
    );
    let preferences = Preferences::new(
        Some("EUR".into()),
        vec!["Lisbon".into()],
        vec!["wifi".into()],
        None,
    )
    .unwrap();
    let profile = Profile {
        user_id: alice.clone(),
        preferences,
        updated_at: Utc::now(),
    };
    ports
        .profiles()
        .unwrap()
        .save_profile(&profile)
        .await
        .unwrap();
    assert_eq!(
        ports
            .profiles()
            .unwrap()
            .profile(&alice)
            .await
            .unwrap()
            .as_ref(),
        Some(&profile)
    );
    let amenities: BTreeSet<Amenity> = [Amenity::Pool].into();
    ports
        .signals()
        .unwrap()
        .learn(&alice, "evt-1", "Lisbon", &amenities)
        .await
        .unwrap();

    let erased = DomainEvent::new(
        Change::UserErased {
            user_id: alice.clone(),
            pseudonym: UserId::pseudonym(),
        },
        Utc::now(),
    );
    ports
        .profiles()
        .unwrap()
        .erase(&alice, &erased)
        .await
        .unwrap();
    assert_eq!(
        ports.profiles().unwrap().profile(&alice).await.unwrap(),
        None,
        "profile gone"
    );
    assert_eq!(
        ports
            .signals()
            .unwrap()
            .signals(&alice)
            .await
            .unwrap()
            .bookings,
        0,
        "signals gone"
    );
    let events = ports.outbox.recorded_events().await.unwrap();
    assert!(
        events.iter().any(|e| e.id == erased.id),
        "UserErased recorded"
    );
}

pub async fn signals_learn_once_per_event(ports: &Subject) {
    let bob = user("bob");
    let amenities: BTreeSet<Amenity> = [Amenity::Wifi, Amenity::Pool].into();
    ports
        .signals()
        .unwrap()
        .learn(&bob, "evt-1", "Lisbon", &amenities)
        .await
        .unwrap();
    ports
        .signals()
        .unwrap()
        .learn(&bob, "evt-1", "Lisbon", &amenities)
        .await
        .unwrap();
    ports
        .signals()
        .unwrap()
        .learn(&bob, "evt-2", "Porto", &[Amenity::Wifi].into())
        .await
        .unwrap();
    let signals = ports.signals().unwrap().signals(&bob).await.unwrap();
    assert_eq!(signals.bookings, 2, "each event learned once");
    assert_eq!(signals.cities.get("lisbon"), Some(&1));
    assert_eq!(signals.amenities.get(&Amenity::Wifi), Some(&2));
    assert_eq!(
        ports
            .signals()
            .unwrap()
            .signals(&user("carol"))
            .await
            .unwrap()
            .bookings,
        0
    );
}
