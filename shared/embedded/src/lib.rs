//! Berth's embedded adapters: every domain port over one SQLite file in a
//! data directory, plus a fake payment gateway, for the local platform.
//!
//! - [`db`]: the file, its writer thread (group commit) and reader pool;
//! - [`schema`]: migrations, applied at open;
//! - one module per area: [`catalog`] (properties, nights), [`channels`]
//!   (calendar sync: feeds, imported nights, conflicts, export tokens), [`bookings`],
//!   [`users`], [`records`] (ledger, audit log, notifications), [`outbox`],
//!   [`erasure`] (forgetting a user across all of them);
//! - [`gateway`]: the fake payment gateway;
//! - [`source`]: the store as a source of ports;
//! - the local platform's machinery: [`journal`] (workflow executions),
//!   [`queues`] (durable queues with SQS's semantics).

pub mod bookings;
pub mod catalog;
pub mod channels;
mod codec;
pub mod db;
pub mod erasure;
pub mod gateway;
pub mod journal;
pub mod outbox;
pub mod queues;
pub mod records;
mod schema;
pub mod source;
pub mod users;

pub use db::Db;
pub use gateway::{FakeGateway, PaymentFaults};

/// Every store port, over one database.
#[derive(Clone)]
pub struct SqliteStore {
    db: Db,
}

impl SqliteStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }
}
