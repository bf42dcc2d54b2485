//! How values sit in SQLite: instants as Unix milliseconds, records as JSON.

use berth_domain::dates::Timestamp;
use berth_domain::events::DomainEvent;
use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub fn millis(instant: Timestamp) -> i64 {
    instant.timestamp_millis()
}

pub fn instant(millis: i64) -> Timestamp {
    DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or_default()
}

pub fn to_json<T: Serialize>(value: &T) -> anyhow::Result<String> {
    Ok(serde_json::to_string(value)?)
}

/// Decodes a JSON column, as a rusqlite error so it fits inside queries.
pub fn from_json<T: DeserializeOwned>(text: &str) -> rusqlite::Result<T> {
    serde_json::from_str(text).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// Events, serialised by the caller (off the writer thread).
#[derive(Debug, Clone, Default)]
pub struct EncodedEvents(Vec<(String, String)>);

impl EncodedEvents {
    pub fn new(events: &[DomainEvent]) -> anyhow::Result<Self> {
        events
            .iter()
            .map(|e| Ok((e.id.to_string(), to_json(e)?)))
            .collect::<anyhow::Result<_>>()
            .map(Self)
    }

    pub fn one(event: &DomainEvent) -> anyhow::Result<Self> {
        Self::new(std::slice::from_ref(event))
    }

    /// Appends the events to the outbox, in the caller's transaction.
    pub fn append(&self, conn: &Connection) -> rusqlite::Result<()> {
        let mut insert =
            conn.prepare_cached("INSERT INTO outbox (event_id, event) VALUES (?1, ?2)")?;
        for (id, event) in &self.0 {
            insert.execute((id, event))?;
        }
        Ok(())
    }
}
