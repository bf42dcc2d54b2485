//! The workflow executor's journal: executions, their checkpoints and
//! history, durable in the same SQLite file, so a killed `berth serve`
//! resumes every in-flight booking on restart.

use async_trait::async_trait;
use berth_asl::{
    Checkpoint, ExecutionJournal, ExecutionKey, ExecutionRecord, ExecutionStatus, HistoryEvent,
    JournalEntry, JournalError, JournalStart, RunningExecution,
};
use rusqlite::{Connection, OptionalExtension};

use crate::codec::{from_json, to_json};
use crate::db::Db;

pub struct SqliteJournal {
    db: Db,
}

impl SqliteJournal {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

fn status_name(status: ExecutionStatus) -> &'static str {
    match status {
        ExecutionStatus::Running => "RUNNING",
        ExecutionStatus::Succeeded => "SUCCEEDED",
        ExecutionStatus::Failed => "FAILED",
        ExecutionStatus::TimedOut => "TIMED_OUT",
        ExecutionStatus::Aborted => "ABORTED",
    }
}

fn status_of(name: &str) -> ExecutionStatus {
    match name {
        "SUCCEEDED" => ExecutionStatus::Succeeded,
        "FAILED" => ExecutionStatus::Failed,
        "TIMED_OUT" => ExecutionStatus::TimedOut,
        "ABORTED" => ExecutionStatus::Aborted,
        _ => ExecutionStatus::Running,
    }
}

/// Appends one entry's events as a single history row.
fn append_history(conn: &Connection, key: &ExecutionKey, events: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO execution_history (state_machine, name, seq, events) VALUES (?1, ?2, \
         (SELECT COALESCE(MAX(seq), 0) + 1 FROM execution_history WHERE state_machine = ?1 AND name = ?2), ?3)",
    )?
    .execute((&key.state_machine, &key.name, events))?;
    Ok(())
}

#[async_trait]
impl ExecutionJournal for SqliteJournal {
    async fn start(
        &self,
        key: &ExecutionKey,
        events: &[HistoryEvent],
        checkpoint: &Checkpoint,
    ) -> Result<JournalStart, JournalError> {
        let key = key.clone();
        let events = to_json(&events)?;
        let checkpoint = to_json(checkpoint)?;
        self.db
            .write(move |conn| {
                let inserted = conn
                    .prepare_cached(
                        "INSERT OR IGNORE INTO executions (state_machine, name, status, checkpoint) \
                         VALUES (?1, ?2, 'RUNNING', ?3)",
                    )?
                    .execute((&key.state_machine, &key.name, &checkpoint))?;
                if inserted == 0 {
                    return Ok(JournalStart::AlreadyExists);
                }
                append_history(conn, &key, &events)?;
                Ok::<_, anyhow::Error>(JournalStart::Started)
            })
            .await
            .map_err(JournalError::Unexpected)
    }

    async fn record(
        &self,
        key: &ExecutionKey,
        entry: JournalEntry<'_>,
    ) -> Result<(), JournalError> {
        let key = key.clone();
        let events = (!entry.events.is_empty())
            .then(|| to_json(&entry.events))
            .transpose()?;
        let checkpoint = entry.checkpoint.map(to_json).transpose()?;
        let status = entry.end.map(|end| status_name(ExecutionStatus::from(end)));
        self.db
            .write(move |conn| {
                let db = |e: rusqlite::Error| JournalError::Unexpected(e.into());
                let updated = conn
                    .prepare_cached(
                        "UPDATE executions SET checkpoint = COALESCE(?3, checkpoint), status = COALESCE(?4, status) \
                         WHERE state_machine = ?1 AND name = ?2 AND status = 'RUNNING'",
                    )
                    .and_then(|mut s| s.execute((&key.state_machine, &key.name, &checkpoint, status)))
                    .map_err(db)?;
                if updated == 0 {
                    return Err(JournalError::NotRunning(key));
                }
                if let Some(events) = &events {
                    append_history(conn, &key, events).map_err(db)?;
                }
                Ok(())
            })
            .await
    }

    async fn running(&self, state_machine: &str) -> Result<Vec<RunningExecution>, JournalError> {
        let rows: Vec<(String, String)> = self.db.read(|tx| {
            let mut query = tx.prepare_cached(
                "SELECT name, checkpoint FROM executions WHERE state_machine = ?1 AND status = 'RUNNING' ORDER BY name",
            )?;
            let rows = query.query_map([state_machine], |row| Ok((row.get(0)?, row.get(1)?)))?;
            rows.collect()
        })?;
        rows.into_iter()
            .map(|(name, checkpoint)| {
                Ok(RunningExecution {
                    key: ExecutionKey {
                        state_machine: state_machine.to_owned(),
                        name,
                    },
                    checkpoint: serde_json::from_str(&checkpoint).map_err(anyhow::Error::from)?,
                })
            })
            .collect()
    }

    async fn execution(&self, key: &ExecutionKey) -> Result<Option<ExecutionRecord>, JournalError> {
        let found = self.db.read(|conn| {
            // Status and history from one snapshot.
            let tx = conn.unchecked_transaction()?;
            let status: Option<String> = tx
                .prepare_cached("SELECT status FROM executions WHERE state_machine = ?1 AND name = ?2")?
                .query_row((&key.state_machine, &key.name), |row| row.get(0))
                .optional()?;
            let Some(status) = status else { return Ok(None) };
            let mut query = tx.prepare_cached(
                "SELECT events FROM execution_history WHERE state_machine = ?1 AND name = ?2 ORDER BY seq",
            )?;
            let mut history = Vec::new();
            for events in query.query_map((&key.state_machine, &key.name), |row| {
                from_json::<Vec<HistoryEvent>>(&row.get::<_, String>(0)?)
            })? {
                history.extend(events?);
            }
            drop(query);
            tx.finish()?;
            Ok(Some((status, history)))
        })?;
        Ok(found.map(|(status, history)| ExecutionRecord {
            key: key.clone(),
            status: status_of(&status),
            history,
        }))
    }
}
