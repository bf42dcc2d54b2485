//! Bookings: idempotent requests and the workflow's atomic changes
//! (docs/architecture.md, "The booking protocol").

use std::collections::HashMap;

use berth_domain::booking::{Booking, BookingStatus, FailureReason};
use berth_domain::calendar::{Night, NightState};
use berth_domain::dates::{Date, DateRange, Timestamp};
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::BookingId;
use berth_domain::ports::{
    BookingChange, ChangeError, ClaimOutcome, IdempotencyKey, NightsChange, PageRequest,
    RequestClaim, RequestState, Role,
};
use berth_domain::property::Property;
use chrono::{Duration, Utc};

use crate::Subject;
use crate::fixtures::{booking, day, held, hold, property, stay, stored_booking, user};

fn claim_for(booking: &Booking, key: &str, now: Timestamp, ttl: Duration) -> RequestClaim {
    RequestClaim {
        now,
        user: booking.guest_id.clone(),
        key: IdempotencyKey::parse(key).unwrap(),
        fingerprint: format!("fp-{key}"),
        lease_until: now + Duration::seconds(30),
        expires_at: now + ttl,
    }
}

pub async fn claims_are_idempotent(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let now = Utc::now();
    let first = booking(&p, "guest", stay(5, 2), now);
    let second = booking(&p, "guest", stay(5, 2), now);
    let key = IdempotencyKey::parse("key-1").unwrap();
    assert_eq!(
        ports
            .requests()
            .unwrap()
            .record(&first.guest_id, &key, now)
            .await
            .unwrap(),
        None
    );
    let requested =
        |b: &Booking| DomainEvent::new(Change::BookingRequested { booking: b.clone() }, now);
    let claim = claim_for(&first, "key-1", now, Duration::hours(24));
    assert_eq!(
        ports
            .requests()
            .unwrap()
            .claim(&claim, &first, &requested(&first))
            .await
            .unwrap(),
        ClaimOutcome::Claimed
    );
    let stored = ports
        .booking_reader()
        .unwrap()
        .booking(&first.id)
        .await
        .unwrap();
    assert_eq!(
        stored.as_ref(),
        Some(&first),
        "the booking is stored with the claim"
    );

    let again = ports
        .requests()
        .unwrap()
        .claim(&claim, &second, &requested(&second))
        .await
        .unwrap();
    let ClaimOutcome::Existing(record) = again else {
        panic!("second claim of a key: {again:?}")
    };
    assert_eq!(record.booking, first, "the key answers the first booking");
    assert_eq!(record.fingerprint, "fp-key-1");
    assert!(matches!(record.state, RequestState::InProgress { .. }));
    assert_eq!(
        ports
            .booking_reader()
            .unwrap()
            .booking(&second.id)
            .await
            .unwrap(),
        None,
        "nothing written by a lost claim"
    );

    ports
        .requests()
        .unwrap()
        .complete(&first.guest_id, &key)
        .await
        .unwrap();
    ports
        .requests()
        .unwrap()
        .complete(&first.guest_id, &key)
        .await
        .unwrap();
    let record = ports
        .requests()
        .unwrap()
        .record(&first.guest_id, &key, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.state, RequestState::Completed);

    // Keys belong to a user: another guest's same key is another request.
    let mut other = booking(&p, "other-guest", stay(5, 2), now);
    other.guest_id = user("other-guest");
    let other_claim = claim_for(&other, "key-1", now, Duration::hours(24));
    assert_eq!(
        ports
            .requests()
            .unwrap()
            .claim(&other_claim, &other, &requested(&other))
            .await
            .unwrap(),
        ClaimOutcome::Claimed
    );
}

pub async fn expired_claims_free_the_key(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let then = Utc::now() - Duration::hours(25);
    let old = booking(&p, "guest", stay(5, 2), then);
    let event = DomainEvent::new(
        Change::BookingRequested {
            booking: old.clone(),
        },
        then,
    );
    let claim = claim_for(&old, "key-2", then, Duration::hours(24));
    assert_eq!(
        ports
            .requests()
            .unwrap()
            .claim(&claim, &old, &event)
            .await
            .unwrap(),
        ClaimOutcome::Claimed
    );
    let now = Utc::now();
    let key = IdempotencyKey::parse("key-2").unwrap();
    assert_eq!(
        ports
            .requests()
            .unwrap()
            .record(&old.guest_id, &key, now)
            .await
            .unwrap(),
        None,
        "expired"
    );
    let fresh = booking(&p, "guest", stay(9, 2), now);
    let event = DomainEvent::new(
        Change::BookingRequested {
            booking: fresh.clone(),
        },
        now,
    );
    let claim = claim_for(&fresh, "key-2", now, Duration::hours(24));
    assert_eq!(
        ports
            .requests()
            .unwrap()
            .claim(&claim, &fresh, &event)
            .await
            .unwrap(),
        ClaimOutcome::Claimed
    );
    let record = ports
        .requests()
        .unwrap()
        .record(&fresh.guest_id, &key, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(record.booking.id, fresh.id);
}

pub(crate) async fn nights_of(ports: &Subject, p: &Property, from: u32, to: u32) -> Vec<Night> {
    let range = DateRange::new(day(from), day(to), 366).unwrap();
    ports
        .calendar_reader()
        .unwrap()
        .nights(&p.id, range)
        .await
        .unwrap()
}

fn held_by(nights: &[Night], booking: &BookingId) -> Vec<Date> {
    nights
        .iter()
        .filter(
            |n| matches!(&n.state, NightState::Held { booking_id, .. } if booking_id == booking),
        )
        .map(|n| n.date)
        .collect()
}

pub async fn holding_takes_free_and_expired_nights(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let now = Utc::now();
    let early = stored_booking(ports, &p, "guest-1", stay(10, 3)).await;
    let lapsed = now - Duration::seconds(1);
    hold(ports, &early, now - Duration::minutes(20), lapsed)
        .await
        .expect("first hold");
    let late = stored_booking(ports, &p, "guest-2", stay(11, 3)).await;
    let until = now + Duration::minutes(15);
    let stored = hold(ports, &late, now, until)
        .await
        .expect("an expired hold is free");
    let nights = nights_of(ports, &p, 10, 14).await;
    assert_eq!(held_by(&nights, &late.id), [day(11), day(12), day(13)]);
    assert_eq!(
        held_by(&nights, &early.id),
        [day(10)],
        "the lapsed hold keeps only what nobody took"
    );
    let expiry = nights.iter().find_map(|n| match &n.state {
        NightState::Held {
            booking_id,
            expires_at,
        } if *booking_id == late.id => Some(*expires_at),
        _ => None,
    });
    assert_eq!(
        expiry.map(|e| e.timestamp_millis()),
        Some(until.timestamp_millis())
    );
    let read = ports
        .booking_reader()
        .unwrap()
        .booking(&late.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.status(), BookingStatus::Held);
    assert_eq!(read, stored);
    let events = ports.outbox.recorded_events().await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| matches!(&e.change, Change::BookingHeld { booking } if booking.id == late.id))
    );
}

pub async fn holding_refuses_taken_nights_atomically(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let now = Utc::now();
    let until = now + Duration::minutes(15);
    let first = stored_booking(ports, &p, "guest-1", stay(20, 2)).await;
    hold(ports, &first, now, until).await.unwrap();
    let blocked = DomainEvent::new(
        Change::CalendarChanged {
            property_id: p.id.clone(),
            blocked: true,
            dates: vec![day(30)],
        },
        now,
    );
    ports
        .calendar_writer()
        .unwrap()
        .set_blocked(&p.id, &[day(30)], true, now, &blocked)
        .await
        .unwrap();

    let overlapping = stored_booking(ports, &p, "guest-2", stay(18, 3)).await;
    let result = hold(ports, &overlapping, now, until).await;
    assert!(
        matches!(result, Err(ChangeError::NightTaken(d)) if d == day(20)),
        "the loser is told which night was taken: {result:?}"
    );
    let on_block = stored_booking(ports, &p, "guest-3", stay(29, 2)).await;
    let result = hold(ports, &on_block, now, until).await;
    assert!(
        matches!(result, Err(ChangeError::NightTaken(d)) if d == day(30)),
        "{result:?}"
    );

    let nights = nights_of(ports, &p, 15, 35).await;
    assert!(
        held_by(&nights, &overlapping.id).is_empty(),
        "no night of the loser was written"
    );
    assert!(held_by(&nights, &on_block.id).is_empty());
    for loser in [&overlapping, &on_block] {
        let read = ports
            .booking_reader()
            .unwrap()
            .booking(&loser.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            read.status(),
            BookingStatus::Pending,
            "the loser's booking is untouched"
        );
    }
}

pub async fn holding_again_is_a_no_op(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let now = Utc::now();
    let b = stored_booking(ports, &p, "guest", stay(40, 2)).await;
    let until = now + Duration::minutes(15);
    hold(ports, &b, now, until).await.unwrap();
    let held_once = held(&b, now, until);
    // A retried Reserve finds its own hold and takes it again.
    let retry = hold(ports, &held_once, now, until).await;
    assert!(retry.is_ok(), "re-holding my own nights: {retry:?}");
    assert_eq!(held_by(&nights_of(ports, &p, 40, 42).await, &b.id).len(), 2);
}

pub async fn status_conditions_guard_every_change(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let now = Utc::now();
    let b = stored_booking(ports, &p, "guest", stay(50, 1)).await;
    let failed = b.failed(FailureReason::NightsUnavailable, now).unwrap();
    let wrong = ports
        .changes()
        .unwrap()
        .apply(&BookingChange {
            booking: &failed,
            from: &[BookingStatus::Held],
            nights: NightsChange::Keep,
            events: &[],
        })
        .await;
    assert!(
        matches!(
            wrong,
            Err(ChangeError::StatusChanged(Some(BookingStatus::Pending)))
        ),
        "{wrong:?}"
    );
    let ghost = booking(&p, "guest", stay(50, 1), now);
    let missing = ports
        .changes()
        .unwrap()
        .apply(&BookingChange {
            booking: &ghost,
            from: &[BookingStatus::Pending],
            nights: NightsChange::Keep,
            events: &[],
        })
        .await;
    assert!(
        matches!(missing, Err(ChangeError::StatusChanged(None))),
        "{missing:?}"
    );
    assert_eq!(
        ports
            .booking_reader()
            .unwrap()
            .booking(&ghost.id)
            .await
            .unwrap(),
        None,
        "no booking conjured"
    );
}

async fn pay_and_book(
    ports: &Subject,
    held: &Booking,
    now: Timestamp,
) -> Result<Booking, ChangeError> {
    let paid = held.paid("pi_test", now).unwrap();
    ports
        .changes()
        .unwrap()
        .apply(&BookingChange {
            booking: &paid,
            from: &[BookingStatus::Held],
            nights: NightsChange::Keep,
            events: &[],
        })
        .await?;
    let confirmed = paid.confirmed(now).unwrap();
    let events = [DomainEvent::new(
        Change::BookingConfirmed {
            booking: confirmed.clone(),
        },
        now,
    )];
    ports
        .changes()
        .unwrap()
        .apply(&BookingChange {
            booking: &confirmed,
            from: &[BookingStatus::Paid],
            nights: NightsChange::Book,
            events: &events,
        })
        .await
        .map(|()| confirmed)
}

pub async fn booking_needs_every_night_held_by_me(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let now = Utc::now();
    let until = now + Duration::minutes(15);
    let mine = stored_booking(ports, &p, "guest-1", stay(60, 2)).await;
    let held_mine = hold(
        ports,
        &mine,
        now - Duration::minutes(20),
        now - Duration::minutes(5),
    )
    .await
    .unwrap();
    // My hold lapsed and someone took one of my nights.
    let thief = stored_booking(ports, &p, "guest-2", stay(61, 1)).await;
    hold(ports, &thief, now, until).await.unwrap();
    let result = pay_and_book(ports, &held_mine, now).await;
    assert!(
        matches!(result, Err(ChangeError::NightTaken(d)) if d == day(61)),
        "{result:?}"
    );
    let read = ports
        .booking_reader()
        .unwrap()
        .booking(&mine.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        read.status(),
        BookingStatus::Paid,
        "the failed confirm changed nothing"
    );
    let nights = nights_of(ports, &p, 60, 62).await;
    assert!(
        !nights
            .iter()
            .any(|n| matches!(n.state, NightState::Booked { .. })),
        "no night booked"
    );

    let other = stored_booking(ports, &p, "guest-3", stay(70, 2)).await;
    let held_other = hold(ports, &other, now, until).await.unwrap();
    let confirmed = pay_and_book(ports, &held_other, now).await.unwrap();
    let nights = nights_of(ports, &p, 70, 72).await;
    assert!(nights.iter().all(|n| n.state
        == NightState::Booked {
            booking_id: confirmed.id.clone()
        }));
    assert_eq!(nights.len(), 2);
}

pub async fn release_frees_only_my_nights(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let now = Utc::now();
    let until = now + Duration::minutes(15);
    let mine = stored_booking(ports, &p, "guest-1", stay(80, 3)).await;
    let held_mine = hold(
        ports,
        &mine,
        now - Duration::minutes(20),
        now - Duration::minutes(1),
    )
    .await
    .unwrap();
    let other = stored_booking(ports, &p, "guest-2", stay(82, 2)).await;
    hold(ports, &other, now, until).await.unwrap();
    ports
        .changes()
        .unwrap()
        .apply(&BookingChange {
            booking: &held_mine,
            from: &[BookingStatus::Held],
            nights: NightsChange::Release,
            events: &[],
        })
        .await
        .unwrap();
    let nights = nights_of(ports, &p, 80, 85).await;
    assert!(held_by(&nights, &mine.id).is_empty());
    assert_eq!(
        held_by(&nights, &other.id),
        [day(82), day(83)],
        "another booking's nights stay held"
    );
}

pub async fn listings_page_newest_first(ports: &Subject) {
    let p = property(ports, "host-list").await;
    let mut made = Vec::new();
    for i in 0..5 {
        made.push(
            stored_booking(ports, &p, "lister", stay(100 + i * 2, 1))
                .await
                .id,
        );
    }
    made.reverse();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = ports
            .booking_reader()
            .unwrap()
            .bookings_of(
                &user("lister"),
                Role::Guest,
                &PageRequest {
                    limit: 2,
                    after: after.clone(),
                },
            )
            .await
            .unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items.iter().map(|b| b.id.clone()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(seen, made, "every booking once, newest first");
    let as_host = ports
        .booking_reader()
        .unwrap()
        .bookings_of(
            &user("host-list"),
            Role::Host,
            &PageRequest {
                limit: 50,
                after: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(as_host.items.len(), 5);
    assert_eq!(as_host.next, None);
    let stranger = ports
        .booking_reader()
        .unwrap()
        .bookings_of(
            &user("stranger"),
            Role::Guest,
            &PageRequest {
                limit: 50,
                after: None,
            },
        )
        .await
        .unwrap();
    assert!(stranger.items.is_empty());
}

pub async fn abandoned_lists_overdue_unsettled_bookings(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let now = Utc::now();
    let overdue = stored_booking(ports, &p, "guest-1", stay(120, 1)).await;
    let overdue_held = hold(
        ports,
        &overdue,
        now - Duration::minutes(30),
        now - Duration::minutes(10),
    )
    .await
    .unwrap();
    let fresh = stored_booking(ports, &p, "guest-2", stay(122, 1)).await;
    hold(ports, &fresh, now, now + Duration::minutes(15))
        .await
        .unwrap();
    let settled = stored_booking(ports, &p, "guest-3", stay(124, 1)).await;
    let held_settled = hold(
        ports,
        &settled,
        now - Duration::minutes(30),
        now - Duration::minutes(20),
    )
    .await
    .unwrap();
    let failed = held_settled
        .failed(FailureReason::NightsUnavailable, now)
        .unwrap();
    ports
        .changes()
        .unwrap()
        .apply(&BookingChange {
            booking: &failed,
            from: &[BookingStatus::Held],
            nights: NightsChange::Release,
            events: &[],
        })
        .await
        .unwrap();
    let found = ports
        .abandoned()
        .unwrap()
        .abandoned(now, 100)
        .await
        .unwrap();
    let ids: Vec<_> = found.iter().map(|b| b.id.clone()).collect();
    assert!(ids.contains(&overdue_held.id), "the overdue hold is listed");
    assert!(!ids.contains(&fresh.id), "a live hold is not");
    assert!(!ids.contains(&settled.id), "a settled booking is not");
    let deadlines: Vec<_> = found.iter().map(|b| b.hold_expires_at()).collect();
    assert!(
        deadlines.windows(2).all(|w| w[0] <= w[1]),
        "oldest deadline first"
    );
    assert!(
        ports
            .abandoned()
            .unwrap()
            .abandoned(now, 0)
            .await
            .unwrap()
            .is_empty(),
        "limit is respected"
    );
}

/// The first invariant (docs/architecture.md, The booking protocol) under
/// real concurrency: many guests race for overlapping nights; no night is
/// ever held by two bookings, and every loser is told a night of its stay
/// that a winner holds.
pub async fn concurrent_holds_never_double_book(ports: &Subject) {
    let p = property(ports, "host-race").await;
    let now = Utc::now();
    let until = now + Duration::minutes(15);
    let mut contenders = Vec::new();
    for i in 0..40u32 {
        let start = 200 + (i * 7) % 20;
        contenders
            .push(stored_booking(ports, &p, &format!("racer-{i}"), stay(start, 1 + i % 4)).await);
    }
    let attempts = contenders.iter().map(|b| hold(ports, b, now, until));
    let results = futures::future::join_all(attempts).await;
    let nights = nights_of(ports, &p, 195, 230).await;
    let mut owner: HashMap<Date, BookingId> = HashMap::new();
    for night in &nights {
        let NightState::Held { booking_id, .. } = &night.state else {
            panic!("unexpected night {night:?}")
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
            }
            Err(ChangeError::NightTaken(date)) => {
                assert!(
                    dates.contains(&date),
                    "the taken night is in the loser's stay"
                );
                assert!(
                    owner.get(&date).is_some_and(|o| *o != booking.id),
                    "and someone else holds it"
                );
                assert!(
                    !owner.values().any(|o| *o == booking.id),
                    "a loser holds nothing"
                );
            }
            Err(other) => panic!("unexpected outcome {other:?}"),
        }
    }
    assert!(
        winners >= 1 && winners < contenders.len(),
        "a real race: {winners} winners"
    );
}
