//! Durable queues with SQS's semantics, for the local platform: a received
//! message stays invisible for the visibility timeout and comes back unless
//! deleted; after `max_receives` receives it moves to its dead-letter queue;
//! a FIFO queue hands out one message per group at a time, in order, and
//! drops a duplicate deduplication id while the first is still queued.

use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};

use crate::db::Db;

/// How one queue behaves (the template's queue properties).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSpec {
    pub name: String,
    pub fifo: bool,
    pub visibility_timeout_ms: i64,
    /// Receives before a message is dead-lettered.
    pub max_receives: u32,
    pub dead_letter_queue: Option<String>,
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub queue: String,
    pub body: String,
    pub group_id: Option<String>,
    pub dedup_id: Option<String>,
}

/// A received message: delete it by `id` once handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub id: i64,
    pub body: String,
    pub receive_count: u32,
    pub group_id: Option<String>,
    pub sent_at_ms: i64,
}

#[derive(Clone)]
pub struct LocalQueues {
    db: Db,
}

impl LocalQueues {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    pub async fn send(&self, messages: Vec<Outgoing>, now_ms: i64) -> anyhow::Result<()> {
        self.send_and_advance(messages, None, now_ms).await
    }

    /// Sends `messages` and, in the same transaction, moves the named cursor
    /// to `seq`: how the relay hands events on exactly once per commit.
    pub async fn send_and_advance(
        &self,
        messages: Vec<Outgoing>,
        cursor: Option<(String, u64)>,
        now_ms: i64,
    ) -> anyhow::Result<()> {
        self.db
            .write(move |conn| {
                let mut insert = conn.prepare_cached(
                    "INSERT OR IGNORE INTO queue_messages (queue, group_id, dedup_id, body, visible_at, sent_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                )?;
                for m in &messages {
                    insert.execute((&m.queue, &m.group_id, &m.dedup_id, &m.body, now_ms))?;
                }
                if let Some((name, seq)) = &cursor {
                    conn.prepare_cached("INSERT OR REPLACE INTO relay_cursors (name, seq) VALUES (?1, ?2)")?
                        .execute((name, *seq as i64))?;
                }
                Ok(())
            })
            .await
    }

    pub async fn save_cursor(&self, name: &str, seq: u64) -> anyhow::Result<()> {
        self.send_and_advance(vec![], Some((name.to_owned(), seq)), 0)
            .await
    }

    pub fn cursor(&self, name: &str) -> anyhow::Result<u64> {
        let seq: Option<i64> = self.db.read(|tx| {
            tx.prepare_cached("SELECT seq FROM relay_cursors WHERE name = ?1")?
                .query_row([name], |row| row.get(0))
                .optional()
        })?;
        Ok(seq.unwrap_or(0) as u64)
    }

    /// Up to `max` visible messages, now invisible for the timeout. Messages
    /// received too often go to the dead-letter queue instead.
    pub async fn receive(
        &self,
        spec: &QueueSpec,
        max: u32,
        now_ms: i64,
    ) -> anyhow::Result<Vec<Received>> {
        let spec = spec.clone();
        self.db
            .write(move |conn| {
                let sql = if spec.fifo {
                    "SELECT id, body, receive_count, group_id, sent_at FROM queue_messages m \
                     WHERE queue = ?1 AND visible_at <= ?2 AND id = (SELECT MIN(id) FROM queue_messages o \
                     WHERE o.queue = m.queue AND o.group_id IS m.group_id) ORDER BY id LIMIT ?3"
                } else {
                    "SELECT id, body, receive_count, group_id, sent_at FROM queue_messages \
                     WHERE queue = ?1 AND visible_at <= ?2 ORDER BY visible_at, id LIMIT ?3"
                };
                let candidates: Vec<Received> = conn
                    .prepare_cached(sql)?
                    .query_map((&spec.name, now_ms, i64::from(max)), |row| {
                        Ok(Received {
                            id: row.get(0)?,
                            body: row.get(1)?,
                            receive_count: row.get(2)?,
                            group_id: row.get(3)?,
                            sent_at_ms: row.get(4)?,
                        })
                    })?
                    .collect::<rusqlite::Result<_>>()?;
                let mut received = Vec::with_capacity(candidates.len());
                for mut message in candidates {
                    match &spec.dead_letter_queue {
                        Some(dlq) if message.receive_count >= spec.max_receives => {
                            conn.prepare_cached(
                                "UPDATE queue_messages SET queue = ?1, visible_at = ?2, receive_count = 0 WHERE id = ?3",
                            )?
                            .execute((dlq, now_ms, message.id))?;
                        }
                        _ => {
                            conn.prepare_cached(
                                "UPDATE queue_messages SET visible_at = ?1, receive_count = receive_count + 1 \
                                 WHERE id = ?2",
                            )?
                            .execute((now_ms + spec.visibility_timeout_ms, message.id))?;
                            message.receive_count += 1;
                            received.push(message);
                        }
                    }
                }
                Ok(received)
            })
            .await
    }

    pub async fn delete(&self, ids: Vec<i64>) -> anyhow::Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        self.db
            .write(move |conn| {
                let mut delete = conn.prepare_cached("DELETE FROM queue_messages WHERE id = ?1")?;
                for id in &ids {
                    delete.execute([id])?;
                }
                Ok(())
            })
            .await
    }

    /// Messages in a queue, visible or not.
    pub fn depth(&self, queue: &str) -> anyhow::Result<u64> {
        self.db.read(|tx| {
            tx.prepare_cached("SELECT COUNT(*) FROM queue_messages WHERE queue = ?1")?
                .query_row([queue], |row| row.get::<_, i64>(0))
                .map(|n| n as u64)
        })
    }

    /// When the next invisible message of a queue becomes visible, if any.
    pub fn next_visible_at(&self, queue: &str) -> anyhow::Result<Option<i64>> {
        self.db.read(|tx| {
            tx.prepare_cached("SELECT MIN(visible_at) FROM queue_messages WHERE queue = ?1")?
                .query_row([queue], |row| row.get(0))
        })
    }
}
