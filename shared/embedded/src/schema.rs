//! The schema, as migrations applied in order at start (tracked in SQLite's
//! `user_version`). Never edit a released migration: add the next one.

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

/// Times are Unix milliseconds (comparable in SQL); whole records are JSON.
const V1: &str = "
CREATE TABLE properties (
    id TEXT PRIMARY KEY,
    host_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX properties_by_host ON properties (host_id);

CREATE TABLE nights (
    property_id TEXT NOT NULL,
    date TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('HELD', 'BOOKED', 'BLOCKED')),
    booking_id TEXT,
    expires_at INTEGER,
    PRIMARY KEY (property_id, date)
) WITHOUT ROWID;
CREATE INDEX nights_by_booking ON nights (booking_id) WHERE booking_id IS NOT NULL;

CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    guest_id TEXT NOT NULL,
    host_id TEXT NOT NULL,
    property_id TEXT NOT NULL,
    status TEXT NOT NULL,
    deadline INTEGER,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX bookings_by_guest ON bookings (guest_id, id);
CREATE INDEX bookings_by_host ON bookings (host_id, id);
CREATE INDEX bookings_unsettled ON bookings (deadline) WHERE status IN ('PENDING', 'HELD', 'PAID');

CREATE TABLE idempotency_keys (
    user_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    booking TEXT NOT NULL,
    completed INTEGER NOT NULL DEFAULT 0,
    lease_until INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;

CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    event TEXT NOT NULL
);

CREATE TABLE profiles (
    user_id TEXT PRIMARY KEY,
    data TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE signals (
    user_id TEXT PRIMARY KEY,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE signal_events (
    event_id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit_log (
    event_id TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    record TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX audit_by_booking ON audit_log (booking_id, occurred_at);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    booking_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    sent_at INTEGER NOT NULL,
    message TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE gateway_charges (
    key TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    method TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('captured', 'declined')),
    decline_reason TEXT,
    refunded INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE gateway_refunds (
    key TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    charge_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    currency TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
";

/// The local platform's own machinery: workflow executions, durable queues,
/// and how far the event relay has got.
const V3: &str = "
CREATE TABLE executions (
    state_machine TEXT NOT NULL,
    name TEXT NOT NULL,
    status TEXT NOT NULL,
    checkpoint TEXT NOT NULL,
    PRIMARY KEY (state_machine, name)
) WITHOUT ROWID;
CREATE INDEX executions_running ON executions (state_machine) WHERE status = 'RUNNING';
CREATE TABLE execution_history (
    state_machine TEXT NOT NULL,
    name TEXT NOT NULL,
    seq INTEGER NOT NULL,
    events TEXT NOT NULL,
    PRIMARY KEY (state_machine, name, seq)
) WITHOUT ROWID;

CREATE TABLE queue_messages (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    group_id TEXT,
    dedup_id TEXT,
    body TEXT NOT NULL,
    visible_at INTEGER NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    sent_at INTEGER NOT NULL
);
CREATE INDEX queue_messages_ready ON queue_messages (queue, visible_at, id);
CREATE INDEX queue_messages_groups ON queue_messages (queue, group_id, id);
CREATE UNIQUE INDEX queue_messages_dedup ON queue_messages (queue, dedup_id) WHERE dedup_id IS NOT NULL;

CREATE TABLE relay_cursors (
    name TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
) WITHOUT ROWID;
";

/// Audit records are about a kilobyte: in a WITHOUT ROWID table every one
/// spilled onto an overflow page of its own (four times the space, and a
/// fresh page written per insert). A rowid table keeps them inline.
const V4: &str = "
CREATE TABLE audit_entries (
    seq INTEGER PRIMARY KEY,
    event_id TEXT NOT NULL UNIQUE,
    booking_id TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    record TEXT NOT NULL
);
INSERT INTO audit_entries (event_id, booking_id, occurred_at, record)
    SELECT event_id, booking_id, occurred_at, record FROM audit_log ORDER BY occurred_at, event_id;
DROP TABLE audit_log;
ALTER TABLE audit_entries RENAME TO audit_log;
CREATE INDEX audit_by_booking ON audit_log (booking_id, occurred_at);
";

/// Notifications remember the booking version they speak of, so a late
/// one (an older version than one sent) is not sent.
const V5: &str = "
ALTER TABLE notifications ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX notifications_by_booking ON notifications (booking_id, version);
";

/// Calendar sync: a night may be IMPORTED by a feed's event (SQLite cannot
/// change a CHECK constraint, so the table is rebuilt); feeds, export
/// tokens and conflicts with bookings.
const V6: &str = "
CREATE TABLE nights_v6 (
    property_id TEXT NOT NULL,
    date TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('HELD', 'BOOKED', 'BLOCKED', 'IMPORTED')),
    booking_id TEXT,
    expires_at INTEGER,
    feed_id TEXT,
    event_uid TEXT,
    PRIMARY KEY (property_id, date)
) WITHOUT ROWID;
INSERT INTO nights_v6 (property_id, date, state, booking_id, expires_at)
    SELECT property_id, date, state, booking_id, expires_at FROM nights;
DROP TABLE nights;
ALTER TABLE nights_v6 RENAME TO nights;
CREATE INDEX nights_by_booking ON nights (booking_id) WHERE booking_id IS NOT NULL;
CREATE INDEX nights_by_feed ON nights (feed_id, date) WHERE feed_id IS NOT NULL;

CREATE TABLE feeds (
    id TEXT PRIMARY KEY,
    property_id TEXT NOT NULL,
    created_seq INTEGER NOT NULL,
    data TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX feeds_by_property ON feeds (property_id, created_seq);

CREATE TABLE export_tokens (
    property_id TEXT PRIMARY KEY,
    token TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE calendar_conflicts (
    property_id TEXT NOT NULL,
    date TEXT NOT NULL,
    feed_id TEXT NOT NULL,
    booking_id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (property_id, date, feed_id, booking_id)
) WITHOUT ROWID;
";

pub fn migrate(conn: &mut Connection) -> anyhow::Result<()> {
    let migrations = Migrations::new(vec![
        M::up(V1),
        M::up(berth_ledger_sql::SCHEMA),
        M::up(V3),
        M::up(V4),
        M::up(V5),
        M::up(V6),
    ]);
    migrations.to_latest(conn)?;
    Ok(())
}
