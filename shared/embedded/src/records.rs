//! Append-only read models: the ledger (in the SQL Aurora runs too), the
//! audit log, and the notification outbox a developer can read.

use async_trait::async_trait;
use berth_domain::dates::{Date, DateRange};
use berth_domain::ids::{BookingId, UserId};
use berth_domain::money::Currency;
use berth_domain::ports::{
    AuditLog, AuditRecord, Earnings, Ledger, LedgerEntry, LedgerMigrations, Notification, Notifier,
};
use berth_domain::projections;
use chrono::Utc;
use rusqlite::named_params;

use crate::SqliteStore;
use crate::codec::{from_json, millis, to_json};

/// The schema is one of the store's own migrations, applied when it opens;
/// running its statements again changes nothing (each is IF NOT EXISTS).
#[async_trait]
impl LedgerMigrations for SqliteStore {
    async fn migrate(&self) -> anyhow::Result<()> {
        self.db
            .write(|conn| {
                for statement in berth_ledger_sql::schema_statements() {
                    conn.execute_batch(statement)?;
                }
                Ok(())
            })
            .await
    }
}

#[async_trait]
impl Ledger for SqliteStore {
    async fn record(&self, entries: &[LedgerEntry]) -> anyhow::Result<()> {
        let entries = entries.to_vec();
        self.db
            .write(move |conn| {
                let mut insert = conn.prepare_cached(berth_ledger_sql::INSERT_ENTRY)?;
                for e in &entries {
                    insert.execute(named_params! {
                        ":id": e.id,
                        ":booking_id": e.booking_id.as_str(),
                        ":host_id": e.host_id.as_str(),
                        ":property_id": e.property_id.as_str(),
                        ":amount": e.amount.amount,
                        ":currency": e.amount.currency.as_str(),
                        ":occurred_on": Date::of(e.occurred_at).to_string(),
                        ":occurred_at": e.occurred_at.to_rfc3339(),
                    })?;
                }
                Ok(())
            })
            .await
    }

    async fn earnings(&self, host: &UserId, range: DateRange) -> anyhow::Result<Vec<Earnings>> {
        let rows: Vec<(String, i64, i64, i64, i64)> = self.db.read(|tx| {
            let mut query = tx.prepare_cached(berth_ledger_sql::EARNINGS)?;
            let rows = query.query_map(
                named_params! {
                    ":host_id": host.as_str(),
                    ":from": range.from.to_string(),
                    ":to": range.to.to_string(),
                },
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )?;
            rows.collect()
        })?;
        rows.into_iter()
            .map(|(currency, gross, refunds, net, bookings)| {
                Ok(Earnings {
                    currency: Currency::parse(&currency)?,
                    gross,
                    refunds,
                    net,
                    bookings: u32::try_from(bookings)?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl AuditLog for SqliteStore {
    async fn append(&self, records: &[AuditRecord]) -> anyhow::Result<()> {
        let rows = records
            .iter()
            .map(|r| {
                Ok((
                    r.event_id.clone(),
                    r.booking_id.to_string(),
                    millis(r.occurred_at),
                    to_json(r)?,
                ))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        self.db
            .write(move |conn| {
                let mut insert = conn.prepare_cached(
                    "INSERT OR IGNORE INTO audit_log (event_id, booking_id, occurred_at, record) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for (event_id, booking_id, occurred_at, record) in &rows {
                    insert.execute((event_id, booking_id, occurred_at, record))?;
                }
                Ok(())
            })
            .await
    }

    async fn trail(&self, booking: &BookingId) -> anyhow::Result<Vec<AuditRecord>> {
        self.db
            .read(|tx| {
                let mut query = tx.prepare_cached(
                "SELECT record FROM audit_log WHERE booking_id = ?1 ORDER BY occurred_at, event_id",
            )?;
                let rows = query.query_map([booking.as_str()], |row| {
                    from_json(&row.get::<_, String>(0)?)
                })?;
                rows.collect()
            })
            .map(|mut trail: Vec<AuditRecord>| {
                projections::order_trail(&mut trail);
                trail
            })
    }
}

#[async_trait]
impl Notifier for SqliteStore {
    async fn send(&self, notification: &Notification) -> anyhow::Result<()> {
        let row = (
            notification.id.clone(),
            notification.booking_id.to_string(),
            notification.recipient.to_string(),
            millis(Utc::now()),
            to_json(notification)?,
            i64::try_from(notification.version)?,
        );
        // Not after a newer message about the same booking (a late event).
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT OR IGNORE INTO notifications (id, booking_id, recipient, sent_at, message, version) \
                     SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS \
                     (SELECT 1 FROM notifications WHERE booking_id = ?2 AND version > ?6)",
                )?
                .execute(row)?;
                Ok(())
            })
            .await
    }
}

impl SqliteStore {
    /// The notifications sent to `recipient`, oldest first: the local
    /// platform's stand-in for an inbox.
    pub fn notifications_for(&self, recipient: &UserId) -> anyhow::Result<Vec<Notification>> {
        self.db.read(|tx| {
            let mut query = tx.prepare_cached(
                "SELECT message FROM notifications WHERE recipient = ?1 ORDER BY sent_at, id",
            )?;
            let rows = query.query_map([recipient.as_str()], |row| {
                from_json(&row.get::<_, String>(0)?)
            })?;
            rows.collect()
        })
    }
}
