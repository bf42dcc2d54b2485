//! The outbox: every domain event, in commit order, numbered. Events are
//! written in the same transaction as the change they describe; the local
//! platform's relay reads them from here and publishes them.

use berth_domain::events::DomainEvent;

use crate::SqliteStore;
use crate::codec::from_json;

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
