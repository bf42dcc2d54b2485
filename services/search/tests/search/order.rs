//! The feed keeps no order across one booking's events (EventBridge to
//! Kinesis does not, and the outbox stream's shards are per item): delivered
//! in any order, and more than once, a booking's events leave the index as
//! delivering them in order does.

use berth_domain::booking::BookingStatus;
use berth_domain::dates::Stay;
use berth_domain::events::{Change, DomainEvent};
use berth_search::Index;

use crate::support::{booking, date, eur, event, morning, property, today};

/// Every ordering of `items`.
fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut all = Vec::new();
    for (i, first) in items.iter().enumerate() {
        let mut rest = items.to_vec();
        rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first.clone());
            all.push(tail);
        }
    }
    all
}

/// One booking's life as the workflow and a cancellation record it:
/// requested, held, paid, confirmed, then cancelled with its refund (two
/// events of one change, so of one version).
fn journey(property: &berth_domain::ids::PropertyId) -> Vec<DomainEvent> {
    let stay = Stay::existing(date("2027-03-10"), date("2027-03-13")).unwrap();
    let at = |minutes| morning() + chrono::Duration::minutes(minutes);
    let requested = booking(property, stay, BookingStatus::Pending, Some(at(15)));
    let held = requested.held(at(16), at(1)).unwrap();
    let paid = held.paid("pi_test", at(2)).unwrap();
    let confirmed = paid.confirmed(at(3)).unwrap();
    let cancelled = confirmed.cancelled(eur(100), at(4)).unwrap();
    vec![
        event(Change::BookingRequested { booking: requested }, at(0)),
        event(Change::BookingHeld { booking: held }, at(1)),
        event(Change::BookingPaid { booking: paid }, at(2)),
        event(Change::BookingConfirmed { booking: confirmed }, at(3)),
        event(
            Change::BookingCancelled {
                booking: cancelled.clone(),
            },
            at(4),
        ),
        event(
            Change::PaymentRefunded {
                booking: cancelled,
                refund: eur(100),
            },
            at(4),
        ),
    ]
}

/// An index holding the property, then `deliveries` applied one by one.
fn index_after(base: &Index, deliveries: &[DomainEvent]) -> Index {
    let mut index = base.clone();
    for (i, delivered) in deliveries.iter().enumerate() {
        index.apply(2 + i as u64, delivered);
    }
    index
}

#[test]
fn a_bookings_events_in_any_order_and_repeated_leave_the_index_as_in_order() {
    let listed = property("Lisbon", (38.7, -9.1), eur(100));
    let mut base = Index::new(today());
    base.apply(
        1,
        &event(
            Change::PropertyCreated {
                property: listed.clone(),
            },
            morning(),
        ),
    );
    let events = journey(&listed.id);
    let orders = permutations(&events);
    assert_eq!(orders.len(), 720);
    for (n, order) in orders.iter().enumerate() {
        // Some of them again, latest first, as redeliveries would come.
        let again = 1 + n % events.len();
        let mut deliveries = order.clone();
        deliveries.extend(order[..again].iter().rev().cloned());
        // In order, delivered as often (repeating the last changes nothing).
        let mut in_order = events.clone();
        in_order.resize(deliveries.len(), events[events.len() - 1].clone());
        assert_eq!(
            index_after(&base, &deliveries),
            index_after(&base, &in_order),
            "delivered as {:?}",
            deliveries
                .iter()
                .map(DomainEvent::detail_type)
                .collect::<Vec<_>>()
        );
    }
}

#[test]
fn a_late_confirmation_after_a_cancellation_leaves_the_nights_free() {
    let listed = property("Lisbon", (38.7, -9.1), eur(100));
    let mut index = Index::new(today());
    index.apply(
        1,
        &event(
            Change::PropertyCreated {
                property: listed.clone(),
            },
            morning(),
        ),
    );
    let events = journey(&listed.id);
    let (confirmed, cancelled) = (&events[3], &events[4]);
    let query = "city=Lisbon&check_in=2027-03-10&check_out=2027-03-13&guests=1";
    let request = berth_search::SearchRequest::parse(query, today()).unwrap();
    index.apply(2, cancelled);
    index.apply(3, confirmed);
    assert_eq!(
        index.search(&request, morning()).results.len(),
        1,
        "still free"
    );
    // The newest version applied survives a snapshot.
    let mut restored = Index::restore(&index.snapshot()).unwrap();
    restored.apply(4, confirmed);
    assert_eq!(
        restored.search(&request, morning()).results.len(),
        1,
        "still free"
    );
}
