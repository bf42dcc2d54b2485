//! The zero-double-booking race at scale on DynamoDB (moto): many more
//! guests than the contract suite's, racing on overlapping stays through
//! the adapter at once. No property-night is ever held by two bookings, and
//! every loser is told a night of its stay that a winner holds.

use std::collections::HashMap;
use std::sync::Arc;

use berth_contract::fixtures::{self, day, hold, stay};
use berth_domain::booking::{Booking, BookingStatus};
use berth_domain::calendar::NightState;
use berth_domain::dates::{Date, DateRange};
use berth_domain::events::Change;
use berth_domain::ids::BookingId;
use berth_domain::ports::ChangeError;
use chrono::{Duration, Utc};

use crate::contract::aws_ports;

const GUESTS: u32 = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_guests_racing_never_double_book() {
    let ports = aws_ports().await;
    let property = fixtures::property(&ports, "host-race").await;
    let mut contenders: Vec<Booking> = Vec::new();
    for i in 0..GUESTS {
        // Stays of 1 to 5 nights starting within a 30-night window.
        let start = 300 + (i * 11) % 30;
        contenders.push(
            fixtures::stored_booking(
                &ports,
                &property,
                &format!("racer-{i}"),
                stay(start, 1 + i % 5),
            )
            .await,
        );
    }
    let now = Utc::now();
    let until = now + Duration::minutes(15);
    let ports = Arc::new(ports);
    let attempts: Vec<_> = contenders
        .iter()
        .cloned()
        .map(|booking| {
            let ports = ports.clone();
            tokio::spawn(async move { hold(&ports, &booking, now, until).await })
        })
        .collect();
    let mut results = Vec::new();
    for attempt in attempts {
        results.push(attempt.await.unwrap());
    }

    let range = DateRange::new(day(295), day(340), 366).unwrap();
    let nights = ports
        .calendar_reader()
        .unwrap()
        .nights(&property.id, range)
        .await
        .unwrap();
    let mut owner: HashMap<Date, BookingId> = HashMap::new();
    for night in &nights {
        let NightState::Held { booking_id, .. } = &night.state else {
            panic!("{night:?}")
        };
        assert!(
            owner.insert(night.date, booking_id.clone()).is_none(),
            "one record per night"
        );
    }
    let mut winners = 0;
    for (booking, result) in contenders.iter().zip(results) {
        let dates: Vec<Date> = booking.stay().dates().collect();
        match result {
            Ok(_) => {
                winners += 1;
                assert!(
                    dates.iter().all(|d| owner.get(d) == Some(&booking.id)),
                    "a winner holds all its nights"
                );
                let stored = ports
                    .booking_reader()
                    .unwrap()
                    .booking(&booking.id)
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(stored.status(), BookingStatus::Held);
            }
            Err(ChangeError::NightTaken(date)) => {
                assert!(
                    dates.contains(&date),
                    "the taken night is in the loser's stay"
                );
                assert!(
                    owner.get(&date).is_some_and(|o| *o != booking.id),
                    "and a winner holds it"
                );
                assert!(
                    !owner.values().any(|o| *o == booking.id),
                    "a loser holds nothing"
                );
                let stored = ports
                    .booking_reader()
                    .unwrap()
                    .booking(&booking.id)
                    .await
                    .unwrap()
                    .unwrap();
                assert_eq!(
                    stored.status(),
                    BookingStatus::Pending,
                    "a loser's booking is untouched"
                );
            }
            Err(other) => panic!("unexpected outcome {other:?}"),
        }
    }
    let held: usize = owner.len();
    assert!(
        winners >= 6 && winners < contenders.len(),
        "a real race: {winners} winners hold {held} nights"
    );
    let events = ports.outbox.recorded_events().await.unwrap();
    let held_events = events
        .iter()
        .filter(|e| matches!(e.change, Change::BookingHeld { .. }))
        .count();
    assert_eq!(
        held_events, winners,
        "one BookingHeld per winner, none from a loser"
    );
}
