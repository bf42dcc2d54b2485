//! The night rules in DynamoDB's language are the domain's night rules.
//! `berth_domain::calendar::rules` decides every write to a night; the
//! embedded store calls it, but a DynamoDB condition expression cannot call
//! Rust, so `berth_aws::dynamo::nights` states each rule again as a
//! condition. This test binds the two: for every state a night can be in,
//! every relation to the writing booking (or importing feed) and a `now`
//! before, at and after a hold's expiry, the condition the adapter sends (evaluated by moto, on an
//! item written as the adapter writes it) must give the domain's verdict.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::TransactWriteItem;
use berth_aws::dynamo::actions::{delete, put};
use berth_aws::dynamo::nights;
use berth_aws::dynamo::transact::{TransactError, transact};
use berth_domain::calendar::{NightState, rules};
use berth_domain::dates::{Date, Timestamp};
use berth_domain::ids::{BookingId, FeedId, PropertyId};
use chrono::{DateTime, Duration, Utc};

use crate::support;

/// Every write to a night, each guarded by one rule.
#[derive(Debug, Clone, Copy)]
enum Write {
    Hold,
    Book,
    Release,
    Block,
    Unblock,
    Import,
    Unimport,
}

const WRITES: [Write; 7] = [
    Write::Hold,
    Write::Book,
    Write::Release,
    Write::Block,
    Write::Unblock,
    Write::Import,
    Write::Unimport,
];

/// Who writes: a booking (hold, book, release), the host, or a feed (import).
struct Writer {
    booking: BookingId,
    feed: FeedId,
}

/// The states of every kind a night can be in, in each relation to `me` and
/// to `now`. The match has no wildcard arm: a new kind of `NightState` fails
/// to compile here until it is given its samples.
fn samples_of(kind: &NightState, me: &Writer, now: Timestamp) -> Vec<NightState> {
    let whose = [me.booking.clone(), BookingId::generate()];
    match kind {
        NightState::Held { .. } => {
            let expiries = [-1, 0, 1].map(|ms| now + Duration::milliseconds(ms));
            whose
                .iter()
                .flat_map(|booking| {
                    expiries.map(|expires_at| NightState::Held {
                        booking_id: booking.clone(),
                        expires_at,
                    })
                })
                .collect()
        }
        NightState::Booked { .. } => whose
            .into_iter()
            .map(|booking_id| NightState::Booked { booking_id })
            .collect(),
        NightState::Blocked => vec![NightState::Blocked],
        NightState::Imported { .. } => [me.feed.clone(), FeedId::generate()]
            .into_iter()
            .map(|feed_id| NightState::Imported {
                feed_id,
                event_uid: "event@other.channel".into(),
            })
            .collect(),
    }
}

/// Every sample night (`None`: free, no item).
fn samples(me: &Writer, now: Timestamp) -> Vec<Option<NightState>> {
    let someone = BookingId::generate();
    let kinds = [
        NightState::Imported {
            feed_id: FeedId::generate(),
            event_uid: String::new(),
        },
        NightState::Held {
            booking_id: someone.clone(),
            expires_at: now,
        },
        NightState::Booked {
            booking_id: someone,
        },
        NightState::Blocked,
    ];
    let mut samples = vec![None];
    for kind in &kinds {
        samples.extend(samples_of(kind, me, now).into_iter().map(Some));
    }
    samples
}

fn domain_verdict(write: Write, night: Option<&NightState>, me: &Writer, now: Timestamp) -> bool {
    let (feed, me) = (&me.feed, &me.booking);
    match write {
        Write::Hold => rules::may_hold(night, me, now),
        Write::Book => rules::may_book(night, me),
        Write::Release => rules::may_release(night, me),
        Write::Block => rules::may_block(night, now),
        Write::Unblock => rules::may_unblock(night),
        Write::Import => rules::may_import(night, feed, now),
        Write::Unimport => rules::may_unimport(night, feed),
    }
}

/// The action the adapter sends for `write` by `me` at `now`.
fn action(
    table: &str,
    property: &PropertyId,
    date: Date,
    write: Write,
    me: &Writer,
    now: Timestamp,
) -> TransactWriteItem {
    let (feed, me) = (&me.feed, &me.booking);
    let state = |state: NightState| nights::item(property, date, &state);
    let key = || nights::key(property, date);
    let held = NightState::Held {
        booking_id: me.clone(),
        expires_at: now + Duration::minutes(15),
    };
    let booked = NightState::Booked {
        booking_id: me.clone(),
    };
    match write {
        Write::Hold => put(table, state(held), &nights::may_hold(me, now)),
        Write::Book => put(table, state(booked), &nights::may_book(me)),
        Write::Release => delete(table, key(), &nights::may_release(me)),
        Write::Block => put(table, state(NightState::Blocked), &nights::may_block(now)),
        Write::Unblock => delete(table, key(), &nights::may_unblock()),
        Write::Import => {
            let imported = NightState::Imported {
                feed_id: feed.clone(),
                event_uid: "event@other.channel".into(),
            };
            put(table, state(imported), &nights::may_import(feed, now))
        }
        Write::Unimport => delete(table, key(), &nights::may_unimport(feed)),
    }
    .expect("an action")
}

async fn dynamo_verdict(client: &Client, action: TransactWriteItem) -> bool {
    match transact(client, vec![action]).await {
        Ok(()) => true,
        Err(TransactError::Refused(_)) => false,
        Err(TransactError::Unexpected(e)) => panic!("DynamoDB failed: {e:#}"),
    }
}

#[tokio::test]
async fn every_night_condition_gives_the_domain_rules_verdict() {
    let sdk = support::moto();
    let client = Client::new(&sdk);
    let table = support::fresh_tables(&sdk).await.calendar;
    let me = Writer {
        booking: BookingId::generate(),
        feed: FeedId::generate(),
    };
    // Milliseconds: what the items and conditions keep.
    let now = DateTime::<Utc>::from_timestamp_millis(1_900_000_000_000).expect("an instant");
    let date = Date::parse("2030-03-01").expect("a date");
    let mut disagreements = Vec::new();
    let mut cases = 0;
    for night in samples(&me, now) {
        for write in WRITES {
            // A property of its own per case, so each starts from its sample.
            let property = PropertyId::generate();
            if let Some(state) = &night {
                client
                    .put_item()
                    .table_name(&table)
                    .set_item(Some(nights::item(&property, date, state)))
                    .send()
                    .await
                    .expect("writing the sample night");
            }
            let expected = domain_verdict(write, night.as_ref(), &me, now);
            let action = action(&table, &property, date, write, &me, now);
            let actual = dynamo_verdict(&client, action).await;
            if actual != expected {
                disagreements.push(format!(
                    "{write:?} by me over {night:?}: DynamoDB {actual}, domain {expected}"
                ));
            }
            cases += 1;
        }
    }
    assert_eq!(
        cases,
        12 * WRITES.len(),
        "free, 2 imports, 6 holds, 2 bookings, a block"
    );
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
