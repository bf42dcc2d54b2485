//! Calendar sync's stores (docs/architecture.md, "Calendar sync"): feeds,
//! imported nights under the night rules, conflicts recorded once with
//! their event, export tokens, and the race between imports and Reserves.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use async_trait::async_trait;
use berth_domain::calendar::NightState;
use berth_domain::calendar_sync::{self, Syncing};
use berth_domain::channels::{Conflict, ExportToken, FeedEvent, NewFeed};
use berth_domain::dates::{Date, DateRange};
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::{BookingId, FeedId};
use berth_domain::ports::{
    BookingReader, CalendarConflicts, CalendarReader, ChangeError, FeedNights, FeedReadError,
    FeedReader, FeedStore,
};
use chrono::{Duration, Utc};

use crate::Subject;
use crate::bookings::nights_of;
use crate::fixtures::{day, hold, property, stay, stored_booking};

fn closing(nights: &[u32], uid: &str) -> BTreeMap<Date, String> {
    nights.iter().map(|n| (day(*n), uid.to_owned())).collect()
}

pub async fn feeds_are_listed_saved_and_deleted(ports: &Subject) {
    let store = ports.feeds().unwrap();
    let (a, b) = (
        property(ports, "host-a").await,
        property(ports, "host-b").await,
    );
    let new = |name: &str| NewFeed::parse(name, "https://example.com/a.ics").unwrap();
    let first = new("Airbnb").into_feed(a.id.clone());
    let second = new("VRBO").into_feed(a.id.clone());
    let other = new("Booking").into_feed(b.id.clone());
    for feed in [&first, &second, &other] {
        store.insert_feed(feed).await.unwrap();
    }
    assert_eq!(
        store.feeds(&a.id).await.unwrap(),
        [first.clone(), second.clone()]
    );
    let all = store.all_feeds().await.unwrap();
    for feed in [&first, &second, &other] {
        assert!(all.contains(feed), "every feed is listed for the schedule");
    }
    let mut synced = first.clone();
    synced.last_synced_at = Some(Utc::now());
    synced.events = 3;
    assert!(store.save_feed(&synced).await.unwrap());
    assert_eq!(store.feeds(&a.id).await.unwrap()[0].events, 3);
    assert!(store.delete_feed(&a.id, &first.id).await.unwrap());
    assert!(!store.delete_feed(&a.id, &first.id).await.unwrap());
    assert!(
        !store.save_feed(&synced).await.unwrap(),
        "a sync never brings a deleted feed back"
    );
    assert_eq!(store.feeds(&a.id).await.unwrap(), [second]);
}

pub async fn imports_follow_the_night_rules(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let nights = ports.feed_nights().unwrap();
    let (feed, other) = (FeedId::generate(), FeedId::generate());
    let now = Utc::now();
    let guest = stored_booking(ports, &p, "guest-1", stay(12, 1)).await;
    hold(ports, &guest, now, now + Duration::minutes(15))
        .await
        .unwrap();
    nights
        .import_nights(&p.id, &other, &closing(&[13], "theirs"), now)
        .await
        .unwrap();
    let blocked = DomainEvent::new(
        Change::CalendarChanged {
            property_id: p.id.clone(),
            blocked: true,
            dates: vec![day(14)],
        },
        now,
    );
    ports
        .calendar_writer()
        .unwrap()
        .set_blocked(&p.id, &[day(14)], true, now, &blocked)
        .await
        .unwrap();
    let refused = nights
        .import_nights(&p.id, &feed, &closing(&[10, 11, 12, 13, 14], "e1"), now)
        .await
        .unwrap();
    let refused: BTreeSet<Date> = refused.iter().map(|n| n.date).collect();
    assert_eq!(
        refused,
        [day(12), day(13), day(14)].into(),
        "guest, other feed, block"
    );
    let window = DateRange::new(day(0), day(60), 366).unwrap();
    let read = ports
        .calendar_reader()
        .unwrap()
        .nights(&p.id, window)
        .await
        .unwrap();
    assert_eq!(
        calendar_sync::imported_by(&read, &feed),
        closing(&[10, 11], "e1")
    );
    // An event moved to another night of the same feed takes it over.
    let moved = nights
        .import_nights(&p.id, &feed, &closing(&[11], "e2"), now)
        .await
        .unwrap();
    assert!(moved.is_empty());
    nights
        .release_imported(
            &p.id,
            &feed,
            &[day(10), day(12), day(13), day(14)].into(),
            now,
        )
        .await
        .unwrap();
    let left = nights_of(ports, &p, 10, 15).await;
    let states: Vec<(Date, &NightState)> = left.iter().map(|n| (n.date, &n.state)).collect();
    assert_eq!(
        states.len(),
        4,
        "only the feed's own night 10 was freed: {states:?}"
    );
    assert!(
        matches!(states[0], (d, NightState::Imported { event_uid, .. }) if d == day(11) && event_uid == "e2")
    );
    assert!(matches!(states[1].1, NightState::Held { .. }));
    assert!(matches!(states[2].1, NightState::Imported { feed_id, .. } if *feed_id == other));
    assert_eq!(states[3].1, &NightState::Blocked);
}

pub async fn conflicts_are_recorded_once_with_their_event(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let booking = stored_booking(ports, &p, "guest-1", stay(20, 1)).await;
    let conflict = Conflict {
        date: day(20),
        feed_id: FeedId::generate(),
        event_uid: "airbnb-1".into(),
        booking_id: booking.id.clone(),
    };
    let event = || {
        DomainEvent::new(
            Change::CalendarConflict {
                conflict: conflict.clone(),
                booking: booking.clone(),
            },
            Utc::now(),
        )
    };
    let store = ports.conflicts().unwrap();
    let first = event();
    assert!(
        store
            .record_conflict(&p.id, &conflict, &first)
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_conflict(&p.id, &conflict, &event())
            .await
            .unwrap()
    );
    assert_eq!(
        store.conflicts(&p.id).await.unwrap(),
        std::slice::from_ref(&conflict)
    );
    let recorded = ports.outbox.recorded_events().await.unwrap();
    let conflicts: Vec<_> = recorded
        .iter()
        .filter(|e| e.detail_type() == "CalendarConflict")
        .collect();
    assert_eq!(conflicts.len(), 1, "one event for one conflict");
    assert_eq!(conflicts[0].id, first.id);
}

pub async fn export_tokens_are_issued_once_and_rotated(ports: &Subject) {
    let p = property(ports, "host-a").await;
    let links = ports.export_links().unwrap();
    assert_eq!(links.export_token(&p.id).await.unwrap(), None);
    let (first, second) = (ExportToken::generate(), ExportToken::generate());
    assert_eq!(
        links.issue_export_token(&p.id, &first).await.unwrap(),
        first
    );
    assert_eq!(
        links.issue_export_token(&p.id, &second).await.unwrap(),
        first,
        "a second issue answers the token stored"
    );
    links.replace_export_token(&p.id, &second).await.unwrap();
    assert_eq!(links.export_token(&p.id).await.unwrap(), Some(second));
}

/// The stores a sync runs on, from a subject.
struct SyncPorts {
    calendar: Arc<dyn CalendarReader>,
    feeds: Arc<dyn FeedStore>,
    nights: Arc<dyn FeedNights>,
    conflicts: Arc<dyn CalendarConflicts>,
    bookings: Arc<dyn BookingReader>,
}

impl SyncPorts {
    fn of(ports: &Subject) -> Self {
        Self {
            calendar: ports.calendar_reader().unwrap(),
            feeds: ports.feeds().unwrap(),
            nights: ports.feed_nights().unwrap(),
            conflicts: ports.conflicts().unwrap(),
            bookings: ports.booking_reader().unwrap(),
        }
    }

    fn with<'a>(&'a self, reader: &'a dyn FeedReader) -> Syncing<'a> {
        Syncing {
            calendar: self.calendar.as_ref(),
            feeds: self.feeds.as_ref(),
            nights: self.nights.as_ref(),
            conflicts: self.conflicts.as_ref(),
            bookings: self.bookings.as_ref(),
            reader,
        }
    }
}

/// A feed that always says the same.
struct Fixed(Vec<FeedEvent>);

#[async_trait]
impl FeedReader for Fixed {
    async fn check(&self, _url: &str) -> Result<(), FeedReadError> {
        Ok(())
    }

    async fn events(
        &self,
        _url: &str,
        _window: DateRange,
    ) -> Result<Vec<FeedEvent>, FeedReadError> {
        Ok(self.0.clone())
    }
}

/// Many guests reserve while several feeds sync the same nights: every
/// night has one record; a night a feed closes is the feed's, or a
/// booking's with the conflict recorded (or a night another feed took);
/// a guest who lost was told a night that is taken.
pub async fn imports_and_reservations_race_and_every_collision_is_recorded(ports: &Subject) {
    let p = property(ports, "host-race").await;
    let now = Utc::now();
    let feeds: Vec<_> = (0..3)
        .map(|i| {
            NewFeed::parse(&format!("channel {i}"), "https://example.com/a.ics")
                .unwrap()
                .into_feed(p.id.clone())
        })
        .collect();
    for feed in &feeds {
        ports.feeds().unwrap().insert_feed(feed).await.unwrap();
    }
    let mut guests = Vec::new();
    for i in 0..24u32 {
        let start = 300 + (i * 5) % 16;
        guests.push(stored_booking(ports, &p, &format!("racer-{i}"), stay(start, 1 + i % 3)).await);
    }
    let sync_ports = SyncPorts::of(ports);
    let readers: Vec<Fixed> = (0..3u32)
        .map(|i| {
            let dates = (300 + i * 4..306 + i * 4).map(day).collect();
            Fixed(vec![FeedEvent {
                uid: format!("event-{i}"),
                nights: dates,
            }])
        })
        .collect();
    let syncs = feeds.iter().zip(&readers).map(|(feed, reader)| {
        let syncing = sync_ports.with(reader);
        async move { calendar_sync::sync_feed(&syncing, feed.clone(), now).await }
    });
    let holds = guests
        .iter()
        .map(|b| hold(ports, b, now, now + Duration::minutes(15)));
    let (synced, held) = tokio::join!(
        futures::future::join_all(syncs),
        futures::future::join_all(holds)
    );
    for feed in synced {
        assert_eq!(feed.unwrap().last_error, None);
    }
    let records = nights_of(ports, &p, 295, 330).await;
    let state: HashMap<Date, &NightState> = records.iter().map(|n| (n.date, &n.state)).collect();
    assert_eq!(state.len(), records.len(), "one record per night");
    let recorded: BTreeSet<(Date, FeedId, BookingId)> = sync_ports
        .conflicts
        .conflicts(&p.id)
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.date, c.feed_id, c.booking_id))
        .collect();
    for (feed, reader) in feeds.iter().zip(&readers) {
        for date in &reader.0[0].nights {
            match state.get(date) {
                Some(NightState::Imported { .. }) => {}
                Some(NightState::Held { booking_id, .. }) => assert!(
                    recorded.contains(&(*date, feed.id.clone(), booking_id.clone())),
                    "{date}: held by {booking_id} and closed by {} without a conflict",
                    feed.id
                ),
                other => panic!("{date} is closed by a feed but is {other:?}"),
            }
        }
    }
    let mut lost = 0;
    for (guest, outcome) in guests.iter().zip(held) {
        match outcome {
            Ok(_) => {}
            Err(ChangeError::NightTaken(date)) => {
                lost += 1;
                assert!(
                    state
                        .get(&date)
                        .is_some_and(|s| s.booking() != Some(&guest.id))
                );
            }
            Err(other) => panic!("unexpected outcome {other:?}"),
        }
    }
    assert!(
        lost > 0 && lost < guests.len(),
        "a real race: {lost} of {} lost",
        guests.len()
    );
}

/// A feed per URL; a URL it does not know fails as an unreachable feed.
struct ByUrl(Vec<(String, Vec<FeedEvent>)>);

#[async_trait]
impl FeedReader for ByUrl {
    async fn check(&self, _url: &str) -> Result<(), FeedReadError> {
        Ok(())
    }

    async fn events(&self, url: &str, _window: DateRange) -> Result<Vec<FeedEvent>, FeedReadError> {
        self.0
            .iter()
            .find(|(known, _)| known == url)
            .map(|(_, events)| events.clone())
            .ok_or_else(|| FeedReadError::Failed("the feed answered HTTP 500".into()))
    }
}

/// The scheduled run syncs every feed of every property; one that fails
/// records why and changes nothing, and the others sync all the same.
pub async fn the_schedule_syncs_every_feed_and_one_failing_stops_none(ports: &Subject) {
    let now = Utc::now();
    let mut properties = Vec::new();
    let mut feeds = Vec::new();
    for i in 0..3u32 {
        let p = property(ports, &format!("host-{i}")).await;
        let url = format!("https://channel.example/{i}.ics");
        let feed = NewFeed::parse("Airbnb", &url)
            .unwrap()
            .into_feed(p.id.clone());
        ports.feeds().unwrap().insert_feed(&feed).await.unwrap();
        properties.push(p);
        feeds.push(feed);
    }
    let event = |i: u32| {
        vec![FeedEvent {
            uid: format!("e{i}"),
            nights: vec![day(40 + i)],
        }]
    };
    let reader = ByUrl(vec![
        (feeds[0].url.clone(), event(0)),
        (feeds[2].url.clone(), event(2)),
    ]);
    let sync_ports = SyncPorts::of(ports);
    let syncing = sync_ports.with(&reader);
    let report = calendar_sync::sync_all(&syncing, now).await.unwrap();
    assert_eq!((report.synced, report.failed), (2, 1), "{report:?}");
    for (i, p) in properties.iter().enumerate() {
        let i = i as u32;
        let feed = &sync_ports.feeds.feeds(&p.id).await.unwrap()[0];
        let closed = nights_of(ports, p, 40 + i, 41 + i).await;
        if i == 1 {
            assert!(feed.last_error.is_some() && feed.last_synced_at.is_none());
            assert!(closed.is_empty(), "a failing feed changes nothing");
        } else {
            assert_eq!((feed.last_error.as_deref(), feed.events), (None, 1));
            assert_eq!(closed.len(), 1, "feed {i} imported its night");
        }
    }
}
