//! Every port contract, over a fresh SQLite file per check.

use std::sync::Arc;

use async_trait::async_trait;
use berth_contract::{OutboxProbe, Ports, contract_suite};
use berth_domain::events::DomainEvent;
use berth_embedded::{Db, SqliteStore};

struct Probe(SqliteStore);

#[async_trait]
impl OutboxProbe for Probe {
    async fn recorded_events(&self) -> anyhow::Result<Vec<DomainEvent>> {
        Ok(self
            .0
            .events_after(0, u32::MAX)?
            .into_iter()
            .map(|(_, e)| e)
            .collect())
    }
}

pub async fn sqlite_ports() -> Ports {
    // The directory must outlive the test; the OS cleans /tmp.
    let dir = tempfile::tempdir().expect("temp dir").keep();
    ports_over(Arc::new(SqliteStore::new(
        Db::open(&dir).expect("opening SQLite"),
    )))
}

/// Every port over one store.
pub fn ports_over(s: Arc<SqliteStore>) -> Ports {
    let store = s.as_ref().clone();
    Ports {
        property_reader: s.clone(),
        property_writer: s.clone(),
        calendar_reader: s.clone(),
        calendar_writer: s.clone(),
        booking_reader: s.clone(),
        requests: s.clone(),
        changes: s.clone(),
        abandoned: s.clone(),
        ledger: s.clone(),
        audit: s.clone(),
        profiles: s.clone(),
        signals: s,
        outbox: Arc::new(Probe(store)),
    }
}

contract_suite!(sqlite_ports);
