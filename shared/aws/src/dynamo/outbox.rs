//! The outbox: each domain event is put in `OUTBOX_TABLE` in the same
//! transaction as the change it describes. The table's stream (NEW_IMAGE)
//! feeds the publisher; items expire (TTL) after a week.
//!
//! Item: `event_id` (S, key), `event` (S, the event as serde_json writes
//! it), `expires_at` (N, Unix seconds). [`event_in`] is the one decoder of
//! an item, whichever client's attribute values hold it (the table's, a
//! Lambda stream event's, the Streams API's).

use anyhow::Context;
use aws_sdk_dynamodb::types::TransactWriteItem;
use berth_domain::events::DomainEvent;
use chrono::{Duration, Utc};

use crate::dynamo::actions::{Condition, put};
use crate::dynamo::item::{Item, json, n, s, ttl_seconds};
use crate::dynamo::schema::{TTL_ATTRIBUTE, outbox};

/// The action recording `event`; an event id is never recorded twice.
pub fn record(table: &str, event: &DomainEvent) -> anyhow::Result<TransactWriteItem> {
    let expires = Utc::now() + Duration::days(outbox::RETENTION_DAYS);
    let item: Item = [
        (outbox::KEY.to_owned(), s(event.id.to_string())),
        (EVENT.to_owned(), json(event)?),
        (TTL_ATTRIBUTE.to_owned(), n(ttl_seconds(expires))),
    ]
    .into();
    put(
        table,
        item,
        &Condition::new("attribute_not_exists(event_id)"),
    )
}

/// The actions recording `events`, in order.
pub fn record_all(table: &str, events: &[DomainEvent]) -> anyhow::Result<Vec<TransactWriteItem>> {
    events.iter().map(|e| record(table, e)).collect()
}

/// The attribute that holds an item's event.
pub const EVENT: &str = "event";

/// The event of an outbox item, from its [`EVENT`] attribute's string.
pub fn event_in(text: Option<&str>) -> anyhow::Result<DomainEvent> {
    let text = text.with_context(|| format!("an outbox item has no string {EVENT}"))?;
    serde_json::from_str(text).context("decoding an outbox item's event")
}

/// The event an outbox item holds.
pub fn event_of(item: &Item) -> anyhow::Result<DomainEvent> {
    event_in(
        item.get(EVENT)
            .and_then(|v| v.as_s().ok())
            .map(String::as_str),
    )
}
