//! Property-nights in `CALENDAR_TABLE`: one item per night that is not free,
//! keyed by `property_id` and `date` (`YYYY-MM-DD`, which sorts as dates do).
//!
//! Attributes: `state` (HELD, BOOKED, BLOCKED or IMPORTED), `booking_id`
//! (HELD and BOOKED), `hold_until_ms` (HELD: when the hold lapses, compared
//! in conditions), `feed_id` and `event_uid` (IMPORTED). Nights have no TTL: a BOOKED night must never vanish, and a
//! lapsed hold is as good as free to every condition.
//!
//! The conditions below are DynamoDB's statement of the night rules
//! (`berth_domain::calendar::rules`), which they cannot call; the aws tests'
//! `night_rules` binds each to its rule over every state a night can be in.

use anyhow::Context;
use aws_sdk_dynamodb::Client;
use berth_domain::calendar::{Night, NightState};
use berth_domain::dates::{Date, DateRange, Timestamp};
use berth_domain::ids::{BookingId, FeedId, PropertyId};

use crate::dynamo::actions::Condition;
use crate::dynamo::item::{Item, get_n, get_s, millis, n, s};
use crate::dynamo::schema::calendar;

pub const HELD: &str = "HELD";
pub const BOOKED: &str = "BOOKED";
pub const BLOCKED: &str = "BLOCKED";
pub const IMPORTED: &str = "IMPORTED";

pub fn key(property: &PropertyId, date: Date) -> Item {
    [
        (calendar::KEY.to_owned(), s(property.as_str())),
        (calendar::SORT.to_owned(), s(date.to_string())),
    ]
    .into()
}

/// The item of a night in `state`.
pub fn item(property: &PropertyId, date: Date, state: &NightState) -> Item {
    let mut item = key(property, date);
    match state {
        NightState::Held {
            booking_id,
            expires_at,
        } => {
            item.insert("state".into(), s(HELD));
            item.insert("booking_id".into(), s(booking_id.as_str()));
            item.insert("hold_until_ms".into(), n(millis(*expires_at)));
        }
        NightState::Booked { booking_id } => {
            item.insert("state".into(), s(BOOKED));
            item.insert("booking_id".into(), s(booking_id.as_str()));
        }
        NightState::Blocked => {
            item.insert("state".into(), s(BLOCKED));
        }
        NightState::Imported { feed_id, event_uid } => {
            item.insert("state".into(), s(IMPORTED));
            item.insert("feed_id".into(), s(feed_id.as_str()));
            item.insert("event_uid".into(), s(event_uid));
        }
    }
    item
}

pub fn date_of(item: &Item) -> anyhow::Result<Date> {
    Ok(Date::parse(get_s(item, calendar::SORT)?)?)
}

pub fn night_of(item: &Item) -> anyhow::Result<Night> {
    let booking =
        || -> anyhow::Result<BookingId> { Ok(BookingId::parse(get_s(item, "booking_id")?)?) };
    let state = match get_s(item, "state")? {
        HELD => NightState::Held {
            booking_id: booking()?,
            expires_at: chrono::DateTime::from_timestamp_millis(get_n(item, "hold_until_ms")?)
                .context("hold_until_ms out of range")?,
        },
        BOOKED => NightState::Booked {
            booking_id: booking()?,
        },
        BLOCKED => NightState::Blocked,
        IMPORTED => NightState::Imported {
            feed_id: FeedId::parse(get_s(item, "feed_id")?)?,
            event_uid: get_s(item, "event_uid")?.to_owned(),
        },
        other => anyhow::bail!("unknown night state {other}"),
    };
    Ok(Night {
        date: date_of(item)?,
        state,
    })
}

/// The property's night records within `range`, in date order (strongly consistent).
pub async fn read(
    client: &Client,
    table: &str,
    property: &PropertyId,
    range: DateRange,
) -> anyhow::Result<Vec<Night>> {
    let last = range.from.add_days(range.len().saturating_sub(1));
    let mut nights = Vec::new();
    let mut start = None;
    loop {
        let page = client
            .query()
            .table_name(table)
            .consistent_read(true)
            .key_condition_expression("#p = :p AND #d BETWEEN :from AND :last")
            .expression_attribute_names("#p", calendar::KEY)
            .expression_attribute_names("#d", calendar::SORT)
            .expression_attribute_values(":p", s(property.as_str()))
            .expression_attribute_values(":from", s(range.from.to_string()))
            .expression_attribute_values(":last", s(last.to_string()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .context("querying a property's nights")?;
        for item in page.items() {
            nights.push(night_of(item)?);
        }
        match page.last_evaluated_key() {
            Some(key) => start = Some(key.clone()),
            None => return Ok(nights),
        }
    }
}

/// Timestamps as conditions compare them.
pub fn now_value(now: Timestamp) -> aws_sdk_dynamodb::types::AttributeValue {
    n(millis(now))
}

/// `rules::may_hold`: free, a lapsed hold, or held by `booking` already.
pub fn may_hold(booking: &BookingId, now: Timestamp) -> Condition {
    Condition::new(
        "attribute_not_exists(property_id) OR (#state = :held AND (#booking = :me OR #until <= :now))",
    )
    .name("#state", "state")
    .name("#booking", "booking_id")
    .name("#until", "hold_until_ms")
    .value(":held", s(HELD))
    .value(":me", s(booking.as_str()))
    .value(":now", now_value(now))
}

/// `rules::may_book`: held by `booking` (lapsed or not).
pub fn may_book(booking: &BookingId) -> Condition {
    Condition::new("#state = :held AND #booking = :me")
        .name("#state", "state")
        .name("#booking", "booking_id")
        .value(":held", s(HELD))
        .value(":me", s(booking.as_str()))
}

/// `rules::may_release`: held or booked by `booking`.
pub fn may_release(booking: &BookingId) -> Condition {
    Condition::new("#booking = :me AND #state IN (:held, :booked)")
        .name("#state", "state")
        .name("#booking", "booking_id")
        .value(":held", s(HELD))
        .value(":booked", s(BOOKED))
        .value(":me", s(booking.as_str()))
}

/// `rules::may_block`: free, a lapsed hold, or imported.
pub fn may_block(now: Timestamp) -> Condition {
    Condition::new(
        "attribute_not_exists(property_id) OR #state = :imported OR (#state = :held AND #until <= :now)",
    )
    .name("#state", "state")
    .name("#until", "hold_until_ms")
    .value(":held", s(HELD))
    .value(":imported", s(IMPORTED))
    .value(":now", now_value(now))
}

/// `rules::may_import`: free, a lapsed hold, or imported by `feed` already.
pub fn may_import(feed: &FeedId, now: Timestamp) -> Condition {
    Condition::new(
        "attribute_not_exists(property_id) OR (#state = :held AND #until <= :now) \
         OR (#state = :imported AND #feed = :feed)",
    )
    .name("#state", "state")
    .name("#until", "hold_until_ms")
    .name("#feed", "feed_id")
    .value(":held", s(HELD))
    .value(":imported", s(IMPORTED))
    .value(":feed", s(feed.as_str()))
    .value(":now", now_value(now))
}

/// `rules::may_unimport`: imported by `feed`.
pub fn may_unimport(feed: &FeedId) -> Condition {
    Condition::new("#state = :imported AND #feed = :feed")
        .name("#state", "state")
        .name("#feed", "feed_id")
        .value(":imported", s(IMPORTED))
        .value(":feed", s(feed.as_str()))
}

/// `rules::may_unblock`: blocked.
pub fn may_unblock() -> Condition {
    Condition::new("#state = :blocked")
        .name("#state", "state")
        .value(":blocked", s(BLOCKED))
}
