//! The outbox: every domain event, in commit order, numbered. Events are
//! written in the same transaction as the change they describe; the local
//! platform's relay reads them from here and publishes them.

use berth_domain::calendar::Night;
use berth_domain::events::DomainEvent;
use berth_domain::ids::PropertyId;
use berth_domain::property::Property;

use crate::SqliteStore;
use crate::catalog::{NIGHT_COLUMNS, night_of_row_at};
use crate::codec::from_json;

/// Every property and night record as of one outbox position: what a read
/// model bootstraps from before following the events after it.
pub struct Snapshot {
    pub seq: u64,
    pub properties: Vec<Property>,
    pub nights: Vec<(PropertyId, Night)>,
}

impl SqliteStore {
    /// Up to `limit` events numbered after `seq`, in order.
    pub fn events_after(&self, seq: u64, limit: u32) -> anyhow::Result<Vec<(u64, DomainEvent)>> {
        self.db.read(|tx| {
            let mut query = tx.prepare_cached(
                "SELECT seq, event FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = query.query_map((seq as i64, i64::from(limit)), |row| {
                Ok((
                    row.get::<_, i64>(0)? as u64,
                    from_json(&row.get::<_, String>(1)?)?,
                ))
            })?;
            rows.collect()
        })
    }

    /// Like [`Self::events_after`], but each event as its id and stored JSON,
    /// for whoever only passes events on.
    pub fn raw_events_after(
        &self,
        seq: u64,
        limit: u32,
    ) -> anyhow::Result<Vec<(u64, String, String)>> {
        self.db.read(|tx| {
            let mut query = tx.prepare_cached(
                "SELECT seq, event_id, event FROM outbox WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            )?;
            let rows = query.query_map((seq as i64, i64::from(limit)), |row| {
                Ok((row.get::<_, i64>(0)? as u64, row.get(1)?, row.get(2)?))
            })?;
            rows.collect()
        })
    }

    /// Copies events recorded elsewhere (the DynamoDB outbox, when the
    /// platform runs on the AWS adapters) into this outbox, in the order
    /// given; events it holds already are skipped.
    pub async fn mirror_events(&self, events: &[DomainEvent]) -> anyhow::Result<()> {
        let rows = events
            .iter()
            .map(|e| Ok((e.id.to_string(), serde_json::to_string(e)?)))
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.db
            .write(move |conn| {
                let mut insert = conn.prepare_cached(
                    "INSERT OR IGNORE INTO outbox (event_id, event) VALUES (?1, ?2)",
                )?;
                for row in &rows {
                    insert.execute((&row.0, &row.1))?;
                }
                Ok(())
            })
            .await
    }

    /// A consistent snapshot of the catalogue and its calendars.
    pub fn snapshot(&self) -> anyhow::Result<Snapshot> {
        self.db.read(|conn| {
            let tx = conn.unchecked_transaction()?;
            let seq = tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM outbox", [], |row| {
                row.get::<_, i64>(0)
            })? as u64;
            let properties = tx
                .prepare("SELECT data FROM properties")?
                .query_map([], |row| from_json(&row.get::<_, String>(0)?))?
                .collect::<rusqlite::Result<Vec<Property>>>()?;
            let nights = tx
                .prepare(&format!(
                    "SELECT property_id, {NIGHT_COLUMNS} FROM nights ORDER BY property_id, date"
                ))?
                .query_map([], |row| {
                    let property = PropertyId::parse(&row.get::<_, String>(0)?).map_err(|e| {
                        rusqlite::Error::FromSqlConversionFailure(
                            0,
                            rusqlite::types::Type::Text,
                            Box::new(e),
                        )
                    })?;
                    Ok((property, night_of_row_at(row, 1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            tx.finish()?;
            Ok(Snapshot {
                seq,
                properties,
                nights,
            })
        })
    }

    /// The number of the last event written, 0 when there is none.
    pub fn last_event_seq(&self) -> anyhow::Result<u64> {
        self.db.read(|tx| {
            tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM outbox", [], |row| {
                row.get::<_, i64>(0)
            })
            .map(|seq| seq as u64)
        })
    }
}
