//! Erasure over the whole file, in one transaction: what is only about the
//! user is deleted (profile, signals, notifications, Idempotency-Keys), and
//! every record that must stay (bookings, properties, ledger lines, audit
//! records, outbox events, queued messages) has their id replaced by the
//! pseudonym, wherever in its JSON it appears.

use async_trait::async_trait;
use berth_domain::ports::{Erasure, PersonalData};
use rusqlite::named_params;

use crate::SqliteStore;

/// Tables whose JSON column may hold the user's id anywhere, and its name.
const JSON_COLUMNS: [(&str, &str); 5] = [
    ("bookings", "data"),
    ("properties", "data"),
    ("audit_log", "record"),
    ("outbox", "event"),
    ("queue_messages", "body"),
];

/// What is only about the user, by its user column.
const ONLY_THEIRS: [(&str, &str); 5] = [
    ("profiles", "user_id"),
    ("signals", "user_id"),
    ("signal_events", "user_id"),
    ("notifications", "recipient"),
    ("idempotency_keys", "user_id"),
];

#[async_trait]
impl PersonalData for SqliteStore {
    async fn forget(&self, erasure: &Erasure) -> anyhow::Result<()> {
        let user = erasure.user.to_string();
        let pseudonym = erasure.pseudonym.to_string();
        let replacements = erasure.replacements();
        self.db
            .write(move |conn| {
                for (table, column) in ONLY_THEIRS {
                    conn.execute(&format!("DELETE FROM {table} WHERE {column} = ?1"), [&user])?;
                }
                for (table, column) in JSON_COLUMNS {
                    for (from, to) in &replacements {
                        conn.prepare_cached(&format!(
                            "UPDATE {table} SET {column} = replace({column}, ?1, ?2) \
                             WHERE instr({column}, ?1) > 0"
                        ))?
                        .execute((from, to))?;
                    }
                }
                for (table, column) in [
                    ("bookings", "guest_id"),
                    ("bookings", "host_id"),
                    ("properties", "host_id"),
                ] {
                    conn.execute(
                        &format!("UPDATE {table} SET {column} = ?2 WHERE {column} = ?1"),
                        (&user, &pseudonym),
                    )?;
                }
                conn.prepare_cached(berth_ledger_sql::PSEUDONYMISE_HOST)?
                    .execute(named_params! {":host_id": user, ":pseudonym": pseudonym})?;
                Ok(())
            })
            .await
    }
}

impl SqliteStore {
    /// The tables with a row that mentions `text` in any column: how a
    /// developer (or a test) checks that an erasure left nothing behind.
    pub fn tables_mentioning(&self, text: &str) -> anyhow::Result<Vec<String>> {
        self.db.read(|tx| {
            let tables: Vec<String> = tx
                .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")?
                .query_map([], |row| row.get(0))?
                .collect::<Result<_, _>>()?;
            let mut found = Vec::new();
            for table in tables {
                let columns: Vec<String> = tx
                    .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
                    .query_map([], |row| row.get(0))?
                    .collect::<Result<_, _>>()?;
                let any = columns
                    .iter()
                    .map(|c| format!("instr(CAST(\"{c}\" AS TEXT), ?1) > 0"))
                    .collect::<Vec<_>>()
                    .join(" OR ");
                let hits: i64 = tx.query_row(
                    &format!("SELECT count(*) FROM \"{table}\" WHERE {any}"),
                    [text],
                    |row| row.get(0),
                )?;
                if hits > 0 {
                    found.push(table);
                }
            }
            Ok(found)
        })
    }
}
