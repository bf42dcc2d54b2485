//! Properties and calendars.

use berth_domain::booking::BookingStatus;
use berth_domain::calendar::NightState;
use berth_domain::dates::DateRange;
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::{BookingId, PropertyId};
use berth_domain::ports::{BookingChange, NightsChange, WriteError};
use chrono::{Duration, Utc};

use crate::Ports;
use crate::fixtures::{day, property, stay, stored_booking};

pub async fn property_round_trip(ports: &Ports) {
    let stored = property(ports, "host-a").await;
    let read = ports.property_reader.property(&stored.id).await.unwrap();
    assert_eq!(read.as_ref(), Some(&stored));
    assert_eq!(
        ports
            .property_reader
            .property(&PropertyId::generate())
            .await
            .unwrap(),
        None
    );
    let events = ports.outbox.recorded_events().await.unwrap();
    assert!(
        events.iter().any(|e| matches!(&e.change, Change::PropertyCreated { property } if property.id == stored.id)),
        "PropertyCreated recorded with the property"
    );
}

pub async fn stale_updates_conflict(ports: &Ports) {
    let stored = property(ports, "host-a").await;
    let mut listing = stored.listing.clone();
    listing.title = "Renamed".into();
    let next = stored.revised(listing, Utc::now());
    let event = DomainEvent::new(
        Change::PropertyUpdated {
            property: next.clone(),
        },
        Utc::now(),
    );
    ports
        .property_writer
        .update_property(&next, &event)
        .await
        .expect("first update");
    let mut stale_listing = stored.listing.clone();
    stale_listing.title = "Lost update".into();
    let stale = stored.revised(stale_listing, Utc::now());
    let stale_event = DomainEvent::new(
        Change::PropertyUpdated {
            property: stale.clone(),
        },
        Utc::now(),
    );
    let result = ports
        .property_writer
        .update_property(&stale, &stale_event)
        .await;
    assert!(
        matches!(result, Err(WriteError::Conflict)),
        "stale update: {result:?}"
    );
    let read = ports
        .property_reader
        .property(&stored.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(read.listing.title, "Renamed");
    assert_eq!(read.version, 2);
    let events = ports.outbox.recorded_events().await.unwrap();
    assert!(
        !events.iter().any(|e| e.id == stale_event.id),
        "a refused write records no event"
    );
}

pub async fn blocking_and_unblocking(ports: &Ports) {
    let p = property(ports, "host-a").await;
    let range = DateRange::new(day(10), day(20), 366).unwrap();
    let dates = [day(12), day(11)];
    let event = DomainEvent::new(
        Change::CalendarChanged {
            property_id: p.id.clone(),
            blocked: true,
            dates: dates.to_vec(),
        },
        Utc::now(),
    );
    ports
        .calendar_writer
        .set_blocked(&p.id, &dates, true, Utc::now(), &event)
        .await
        .unwrap();
    let nights = ports.calendar_reader.nights(&p.id, range).await.unwrap();
    assert_eq!(
        nights.iter().map(|n| n.date).collect::<Vec<_>>(),
        [day(11), day(12)],
        "date order"
    );
    assert!(nights.iter().all(|n| n.state == NightState::Blocked));
    let outside = DateRange::new(day(12), day(13), 366).unwrap();
    assert_eq!(
        ports
            .calendar_reader
            .nights(&p.id, outside)
            .await
            .unwrap()
            .len(),
        1,
        "range is respected"
    );

    let unblock = DomainEvent::new(
        Change::CalendarChanged {
            property_id: p.id.clone(),
            blocked: false,
            dates: vec![day(11)],
        },
        Utc::now(),
    );
    ports
        .calendar_writer
        .set_blocked(&p.id, &[day(11)], false, Utc::now(), &unblock)
        .await
        .unwrap();
    let nights = ports.calendar_reader.nights(&p.id, range).await.unwrap();
    assert_eq!(nights.iter().map(|n| n.date).collect::<Vec<_>>(), [day(12)]);
    let again = ports
        .calendar_writer
        .set_blocked(&p.id, &[day(11)], false, Utc::now(), &unblock)
        .await;
    assert!(
        matches!(again, Err(WriteError::Conflict)),
        "unblocking a free night: {again:?}"
    );
    let events = ports.outbox.recorded_events().await.unwrap();
    assert!(events.iter().any(|e| e.id == event.id) && events.iter().any(|e| e.id == unblock.id));
}

pub async fn blocking_refuses_guest_nights_atomically(ports: &Ports) {
    let p = property(ports, "host-a").await;
    let now = Utc::now();
    let booking = stored_booking(ports, &p, "guest", stay(30, 2)).await;
    let held = booking.held(now + Duration::minutes(15), now).unwrap();
    ports
        .changes
        .apply(&BookingChange {
            booking: &held,
            from: &[BookingStatus::Pending],
            nights: NightsChange::Hold {
                until: now + Duration::minutes(15),
                now,
            },
            events: &[],
        })
        .await
        .unwrap();
    let dates = [day(29), day(30)];
    let event = DomainEvent::new(
        Change::CalendarChanged {
            property_id: p.id.clone(),
            blocked: true,
            dates: dates.to_vec(),
        },
        now,
    );
    let result = ports
        .calendar_writer
        .set_blocked(&p.id, &dates, true, now, &event)
        .await;
    assert!(
        matches!(result, Err(WriteError::Conflict)),
        "blocking a held night: {result:?}"
    );
    let range = DateRange::new(day(29), day(32), 366).unwrap();
    let nights = ports.calendar_reader.nights(&p.id, range).await.unwrap();
    assert!(
        nights.iter().all(
            |n| matches!(&n.state, NightState::Held { booking_id, .. } if *booking_id == held.id)
        ),
        "nothing was blocked, the hold is intact: {nights:?}"
    );
    // Once the hold has lapsed, the host may block the night.
    let later = now + Duration::minutes(16);
    ports
        .calendar_writer
        .set_blocked(
            &p.id,
            &dates,
            true,
            later,
            &DomainEvent::new(event.change.clone(), later),
        )
        .await
        .unwrap();
    let unknown = BookingId::generate();
    let nights = ports.calendar_reader.nights(&p.id, range).await.unwrap();
    assert!(
        nights
            .iter()
            .any(|n| n.date == day(30) && n.state == NightState::Blocked)
    );
    assert!(!nights.iter().any(|n| n.state.booking() == Some(&unknown)));
}
