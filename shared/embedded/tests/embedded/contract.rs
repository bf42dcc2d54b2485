//! Every port contract, over a fresh SQLite file per check.

use std::sync::Arc;

use async_trait::async_trait;
use berth_contract::{OutboxProbe, Subject, contract_suite};
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

pub async fn sqlite_ports() -> Subject {
    // The directory must outlive the test; the OS cleans /tmp.
    let dir = tempfile::tempdir().expect("temp dir").keep();
    subject_over(SqliteStore::new(Db::open(&dir).expect("opening SQLite")))
}

/// Every port over one store.
pub fn subject_over(store: SqliteStore) -> Subject {
    Subject {
        ports: Arc::new(store.clone()),
        outbox: Arc::new(Probe(store)),
    }
}

contract_suite!(sqlite_ports);
