//! Properties and calendars.

use berth_domain::booking::BookingStatus;
use berth_domain::calendar::NightState;
use berth_domain::catalog;
use berth_domain::dates::DateRange;
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::{BookingId, PropertyId};
use berth_domain::ports::{BookingChange, NightsChange, PageRequest, WriteError};
use berth_domain::pricing::PricingDocument;
use berth_domain::user::{Caller, Group};
use chrono::{Duration, Utc};

use crate::Subject;
use crate::fixtures::{day, property, stay, stored_booking, user};

pub async fn property_round_trip(ports: &Subject) {
    let stored = property(ports, "host-a").await;
    let read = ports
        .property_reader()
        .unwrap()
        .property(&stored.id)
        .await
        .unwrap();
    assert_eq!(read.as_ref(), Some(&stored));
    assert_eq!(
        ports
            .property_reader()
            .unwrap()
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

/// A property's pricing document is stored with it (written with its
/// PricingChanged event), and a booking keeps the breakdown it was quoted.
pub async fn pricing_travels_with_the_property(ports: &Subject) {
    let stored = property(ports, "host-a").await;
    let document: PricingDocument = serde_json::from_value(serde_json::json!({
        "seasons": [{"from": day(3), "to": day(40),
                     "nightly_price": {"amount": 15000, "currency": "EUR"}, "min_nights": 2}],
        "weekday_prices": {"sat": {"amount": 12000, "currency": "EUR"}},
        "length_discounts": [{"min_nights": 7, "percent": 10}],
        "fees": [{"name": "linen", "per": "guest", "amount": {"amount": 1000, "currency": "EUR"}}],
        "taxes": [{"name": "VAT", "percent": 6},
                  {"name": "tourist tax", "per_guest_night": {"amount": 200, "currency": "EUR"}}],
        "advance_notice_days": 1, "check_in_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    }))
    .expect("a pricing document");
    let host = Caller::new(user("host-a"), [Group::Hosts]);
    let priced = catalog::set_pricing(
        ports.property_reader().unwrap().as_ref(),
        ports.property_writer().unwrap().as_ref(),
        &host,
        &stored.id,
        document,
        Utc::now(),
    )
    .await
    .expect("setting the pricing document");
    assert!(!priced.pricing.is_empty());
    let read = ports
        .property_reader()
        .unwrap()
        .property(&stored.id)
        .await
        .unwrap();
    assert_eq!(
        read.as_ref(),
        Some(&priced),
        "the document is stored with the property"
    );
    let events = ports.outbox.recorded_events().await.unwrap();
    assert!(
        events.iter().any(|e| matches!(&e.change,
            Change::PricingChanged { property } if property.pricing == priced.pricing)),
        "PricingChanged recorded with the document"
    );
    let booking = stored_booking(ports, &priced, "guest-a", stay(10, 7)).await;
    assert!(booking.discount.is_some() && booking.taxes.len() == 2 && booking.fees.len() == 1);
    let read = ports
        .booking_reader()
        .unwrap()
        .booking(&booking.id)
        .await
        .unwrap();
    assert_eq!(
        read,
        Some(booking),
        "the quoted breakdown is stored with the booking"
    );
}

pub async fn stale_updates_conflict(ports: &Subject) {
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
        .property_writer()
        .unwrap()
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
        .property_writer()
        .unwrap()
        .update_property(&stale, &stale_event)
        .await;
    assert!(
        matches!(result, Err(WriteError::Conflict)),
        "stale update: {result:?}"
    );
    let read = ports
        .property_reader()
        .unwrap()
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

pub async fn blocking_and_unblocking(ports: &Subject) {
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
        .calendar_writer()
        .unwrap()
        .set_blocked(&p.id, &dates, true, Utc::now(), &event)
        .await
        .unwrap();
    let nights = ports
        .calendar_reader()
        .unwrap()
        .nights(&p.id, range)
        .await
        .unwrap();
    assert_eq!(
        nights.iter().map(|n| n.date).collect::<Vec<_>>(),
        [day(11), day(12)],
        "date order"
    );
    assert!(nights.iter().all(|n| n.state == NightState::Blocked));
    let outside = DateRange::new(day(12), day(13), 366).unwrap();
    assert_eq!(
        ports
            .calendar_reader()
            .unwrap()
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
        .calendar_writer()
        .unwrap()
        .set_blocked(&p.id, &[day(11)], false, Utc::now(), &unblock)
        .await
        .unwrap();
    let nights = ports
        .calendar_reader()
        .unwrap()
        .nights(&p.id, range)
        .await
        .unwrap();
    assert_eq!(nights.iter().map(|n| n.date).collect::<Vec<_>>(), [day(12)]);
    let again = ports
        .calendar_writer()
        .unwrap()
        .set_blocked(&p.id, &[day(11)], false, Utc::now(), &unblock)
        .await;
    assert!(
        matches!(again, Err(WriteError::Conflict)),
        "unblocking a free night: {again:?}"
    );
    let events = ports.outbox.recorded_events().await.unwrap();
    assert!(events.iter().any(|e| e.id == event.id) && events.iter().any(|e| e.id == unblock.id));
}

pub async fn blocking_refuses_guest_nights_atomically(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let now = Utc::now();
    let booking = stored_booking(ports, &p, "guest", stay(30, 2)).await;
    let held = booking.held(now + Duration::minutes(15), now).unwrap();
    ports
        .changes()
        .unwrap()
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
        .calendar_writer()
        .unwrap()
        .set_blocked(&p.id, &dates, true, now, &event)
        .await;
    assert!(
        matches!(result, Err(WriteError::Conflict)),
        "blocking a held night: {result:?}"
    );
    let range = DateRange::new(day(29), day(32), 366).unwrap();
    let nights = ports
        .calendar_reader()
        .unwrap()
        .nights(&p.id, range)
        .await
        .unwrap();
    assert!(
        nights.iter().all(
            |n| matches!(&n.state, NightState::Held { booking_id, .. } if *booking_id == held.id)
        ),
        "nothing was blocked, the hold is intact: {nights:?}"
    );
    // Once the hold has lapsed, the host may block the night.
    let later = now + Duration::minutes(16);
    ports
        .calendar_writer()
        .unwrap()
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
    let nights = ports
        .calendar_reader()
        .unwrap()
        .nights(&p.id, range)
        .await
        .unwrap();
    assert!(
        nights
            .iter()
            .any(|n| n.date == day(30) && n.state == NightState::Blocked)
    );
    assert!(!nights.iter().any(|n| n.state.booking() == Some(&unknown)));
}

/// A host's listings come a page at a time, newest first, each once, with
/// its latest version; nobody else's listing is among them.
pub async fn host_listings_page_newest_first(ports: &Subject) {
    let mut made = Vec::new();
    for _ in 0..5 {
        made.push(property(ports, "host-many").await);
        property(ports, "host-other").await;
    }
    let mut renamed = made[1].clone();
    renamed.listing.title = "Renamed after listing".into();
    renamed.version += 1;
    let event = DomainEvent::new(
        Change::PropertyUpdated {
            property: renamed.clone(),
        },
        Utc::now(),
    );
    ports
        .property_writer()
        .unwrap()
        .update_property(&renamed, &event)
        .await
        .expect("renaming a listing");
    made[1] = renamed;
    made.reverse();
    let listings = ports.host_listings().unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = listings
            .listings_of(&user("host-many"), &PageRequest { limit: 2, after })
            .await
            .unwrap();
        assert!(page.items.len() <= 2);
        seen.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(
        seen, made,
        "every listing once, newest first, as stored now"
    );
    let none = listings
        .listings_of(
            &user("host-without-listings"),
            &PageRequest {
                limit: 10,
                after: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(none.items, Vec::new());
    assert_eq!(none.next, None);
}
