//! Replicas that start from a snapshot, or from a store's records, converge
//! to the same answers as one that applied every event; redelivered and
//! stale events change nothing they should not.

use berth_domain::booking::BookingStatus;
use berth_domain::dates::Stay;
use berth_domain::events::Change;
use berth_search::{Applied, Index, Positions};

use crate::support::{World, all_pages, booking, date, eur, event, morning, property, today};

fn history(seed: u64) -> World {
    let mut world = World::new(seed);
    world.list_properties(80);
    for _ in 0..1_500 {
        world.step();
    }
    world
}

fn replay(index: &mut Index, world: &World) {
    for (seq, event) in world.events.iter().enumerate() {
        index.apply(seq as u64 + 1, event);
    }
}

fn same_answers(a: &Index, b: &Index, world: &mut World) {
    for _ in 0..100 {
        let query = world.query();
        assert_eq!(
            all_pages(a, &query, world.now),
            all_pages(b, &query, world.now),
            "{query}"
        );
    }
}

#[test]
fn snapshot_and_later_events_converge_with_a_replica_that_saw_everything() {
    let mut world = history(5);
    let mut full = Index::new(today());
    replay(&mut full, &world);

    let half = world.events.len() / 2;
    let mut early = Index::new(today());
    for (seq, event) in world.events.iter().enumerate().take(half) {
        early.apply(seq as u64 + 1, event);
    }
    let bytes = early.snapshot();
    let mut restored = Index::restore(&bytes).unwrap();
    assert_eq!(restored.positions().sequence, half as u64);
    // The new replica is fed from the start again: what the snapshot holds is skipped.
    replay(&mut restored, &world);
    assert_eq!(restored.positions(), full.positions());
    same_answers(&full, &restored, &mut world);
    assert!(Index::restore(b"not a snapshot").is_err());
    assert!(Index::restore(&bytes[..bytes.len() / 2]).is_err());
}

#[test]
fn redelivered_events_are_ignored() {
    let world = history(6);
    let mut index = Index::new(today());
    replay(&mut index, &world);
    let before = index.snapshot();
    for (seq, event) in world.events.iter().enumerate() {
        assert_eq!(index.apply(seq as u64 + 1, event), Applied::AlreadySeen);
    }
    assert_eq!(index.snapshot(), before);
}

#[test]
fn a_bulk_load_of_the_stores_records_answers_like_the_event_replica() {
    let mut world = history(7);
    let mut replica = Index::new(today());
    replay(&mut replica, &world);
    let positions = Positions {
        sequence: world.events.len() as u64,
        ..Positions::default()
    };
    let mut builder = Index::builder(today(), positions);
    for property in world.model.properties.values() {
        builder.add_property(property);
    }
    for ((property, date), state) in &world.model.nights {
        builder.add_nights(property, [(*date, state)]).unwrap();
    }
    let mut loaded = builder.finish();
    loaded.set_ordered_scan_from(1);
    assert_eq!(loaded.len(), replica.len());
    same_answers(&replica, &loaded, &mut world);
    let unknown = berth_domain::ids::PropertyId::generate();
    let mut builder = Index::builder(today(), Positions::default());
    assert!(builder.add_nights(&unknown, []).is_err());
}

#[test]
fn a_stale_release_does_not_free_another_bookings_hold() {
    let p = property("Lisbon", (38.7, -9.1), eur(10_000));
    let stay = Stay::existing(date("2027-03-10"), date("2027-03-12")).unwrap();
    let first = booking(
        &p.id,
        stay,
        BookingStatus::Held,
        Some(morning() + chrono::Duration::minutes(15)),
    );
    let second = booking(
        &p.id,
        stay,
        BookingStatus::Held,
        Some(morning() + chrono::Duration::minutes(45)),
    );
    let later = morning() + chrono::Duration::minutes(20);
    let query = "city=lisbon&check_in=2027-03-10&check_out=2027-03-12";
    for stale in [
        Change::BookingExpired {
            booking: first.clone(),
        },
        Change::BookingFailed {
            booking: first.clone(),
        },
    ] {
        let mut index = Index::new(today());
        index.apply(
            1,
            &event(
                Change::PropertyCreated {
                    property: p.clone(),
                },
                morning(),
            ),
        );
        index.apply(
            2,
            &event(
                Change::BookingHeld {
                    booking: first.clone(),
                },
                morning(),
            ),
        );
        assert!(all_pages(&index, query, morning()).is_empty(), "held");
        assert_eq!(
            all_pages(&index, query, later).len(),
            1,
            "the first hold expired"
        );
        index.apply(
            3,
            &event(
                Change::BookingHeld {
                    booking: second.clone(),
                },
                later,
            ),
        );
        assert!(
            all_pages(&index, query, later).is_empty(),
            "held again by the second booking"
        );
        index.apply(4, &event(stale, later));
        assert!(
            all_pages(&index, query, later).is_empty(),
            "the first booking's release left the second's hold"
        );
        index.apply(
            5,
            &event(
                Change::BookingConfirmed {
                    booking: second.clone(),
                },
                later,
            ),
        );
        let much_later = morning() + chrono::Duration::hours(5);
        assert!(
            all_pages(&index, query, much_later).is_empty(),
            "booked nights stay taken"
        );
        index.apply(
            6,
            &event(
                Change::BookingCancelled {
                    booking: second.clone(),
                },
                much_later,
            ),
        );
        assert_eq!(
            all_pages(&index, query, much_later).len(),
            1,
            "cancelled nights are free again"
        );
    }
}
