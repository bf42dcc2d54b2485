//! Calendar sync's stores: imported feeds, the nights they import (in
//! `nights`, state IMPORTED, decided by the night rules like every other
//! night write), conflicts with bookings, and export tokens.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;
use async_trait::async_trait;
use berth_domain::calendar::{Night, rules};
use berth_domain::calendar_sync::imported_event;
use berth_domain::channels::{Conflict, ExportToken, Feed};
use berth_domain::dates::{Date, Timestamp};
use berth_domain::events::DomainEvent;
use berth_domain::ids::{FeedId, PropertyId};
use berth_domain::ports::{CalendarConflicts, ExportLinks, FeedNights, FeedStore};
use rusqlite::OptionalExtension;

use crate::SqliteStore;
use crate::catalog::night_state;
use crate::codec::{EncodedEvents, from_json, to_json};

/// Feeds of one property, or (`None`) of every property, oldest first.
fn feeds_of(store: &SqliteStore, property: Option<&PropertyId>) -> anyhow::Result<Vec<Feed>> {
    store.db.read(|conn| {
        let mut query = conn.prepare_cached(
            "SELECT data FROM feeds WHERE ?1 IS NULL OR property_id = ?1 \
             ORDER BY property_id, created_seq",
        )?;
        let rows = query.query_map([property.map(PropertyId::as_str)], |row| {
            from_json(&row.get::<_, String>(0)?)
        })?;
        rows.collect()
    })
}

#[async_trait]
impl FeedStore for SqliteStore {
    async fn feeds(&self, property: &PropertyId) -> anyhow::Result<Vec<Feed>> {
        feeds_of(self, Some(property))
    }

    async fn all_feeds(&self) -> anyhow::Result<Vec<Feed>> {
        feeds_of(self, None)
    }

    async fn insert_feed(&self, feed: &Feed) -> anyhow::Result<()> {
        let row = (
            feed.id.to_string(),
            feed.property_id.to_string(),
            to_json(feed)?,
        );
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO feeds (id, property_id, created_seq, data) VALUES (?1, ?2, \
                     (SELECT COALESCE(MAX(created_seq), 0) + 1 FROM feeds), ?3)",
                )?
                .execute(row)?;
                Ok::<_, anyhow::Error>(())
            })
            .await
            .context("storing a feed")
    }

    async fn save_feed(&self, feed: &Feed) -> anyhow::Result<bool> {
        let row = (to_json(feed)?, feed.id.to_string());
        self.db
            .write(move |conn| {
                let updated = conn
                    .prepare_cached("UPDATE feeds SET data = ?1 WHERE id = ?2")?
                    .execute(row)?;
                Ok::<_, anyhow::Error>(updated == 1)
            })
            .await
            .context("saving a feed's sync")
    }

    async fn delete_feed(&self, property: &PropertyId, feed: &FeedId) -> anyhow::Result<bool> {
        let row = (feed.to_string(), property.to_string());
        self.db
            .write(move |conn| {
                let deleted = conn
                    .prepare_cached("DELETE FROM feeds WHERE id = ?1 AND property_id = ?2")?
                    .execute(row)?;
                Ok::<_, anyhow::Error>(deleted == 1)
            })
            .await
            .context("deleting a feed")
    }
}

#[async_trait]
impl FeedNights for SqliteStore {
    async fn import_nights(
        &self,
        property: &PropertyId,
        feed: &FeedId,
        close: &BTreeMap<Date, String>,
        now: Timestamp,
    ) -> anyhow::Result<Vec<Night>> {
        if close.is_empty() {
            return Ok(vec![]);
        }
        let (property, feed, close) = (property.clone(), feed.clone(), close.clone());
        self.db
            .write(move |conn| {
                let mut import = conn.prepare_cached(
                    "INSERT OR REPLACE INTO nights (property_id, date, state, feed_id, event_uid) \
                     VALUES (?1, ?2, 'IMPORTED', ?3, ?4)",
                )?;
                let (mut imported, mut refused) = (Vec::new(), Vec::new());
                for (date, uid) in &close {
                    let text = date.to_string();
                    match night_state(conn, property.as_str(), &text)? {
                        Some(state) if !rules::may_import(Some(&state), &feed, now) => {
                            refused.push(Night { date: *date, state });
                        }
                        _ => {
                            import.execute((property.as_str(), &text, feed.as_str(), uid))?;
                            imported.push(*date);
                        }
                    }
                }
                if !imported.is_empty() {
                    EncodedEvents::one(&imported_event(&property, imported, true, now))?
                        .append(conn)?;
                }
                Ok::<_, anyhow::Error>(refused)
            })
            .await
            .context("importing nights")
    }

    async fn release_imported(
        &self,
        property: &PropertyId,
        feed: &FeedId,
        open: &BTreeSet<Date>,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        if open.is_empty() {
            return Ok(());
        }
        let (property, feed, open) = (property.clone(), feed.clone(), open.clone());
        self.db
            .write(move |conn| {
                let mut release =
                    conn.prepare_cached("DELETE FROM nights WHERE property_id = ?1 AND date = ?2")?;
                let mut released = Vec::new();
                for date in &open {
                    let text = date.to_string();
                    let state = night_state(conn, property.as_str(), &text)?;
                    if rules::may_unimport(state.as_ref(), &feed) {
                        release.execute((property.as_str(), &text))?;
                        released.push(*date);
                    }
                }
                if !released.is_empty() {
                    EncodedEvents::one(&imported_event(&property, released, false, now))?
                        .append(conn)?;
                }
                Ok::<_, anyhow::Error>(())
            })
            .await
            .context("releasing imported nights")
    }
}

#[async_trait]
impl CalendarConflicts for SqliteStore {
    async fn record_conflict(
        &self,
        property: &PropertyId,
        conflict: &Conflict,
        event: &DomainEvent,
    ) -> anyhow::Result<bool> {
        let row = (
            property.to_string(),
            conflict.date.to_string(),
            conflict.feed_id.to_string(),
            conflict.booking_id.to_string(),
            to_json(conflict)?,
        );
        let events = EncodedEvents::one(event)?;
        self.db
            .write(move |conn| {
                let inserted = conn
                    .prepare_cached(
                        "INSERT OR IGNORE INTO calendar_conflicts \
                         (property_id, date, feed_id, booking_id, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                    )?
                    .execute(row)?;
                if inserted == 1 {
                    events.append(conn)?;
                }
                Ok::<_, anyhow::Error>(inserted == 1)
            })
            .await
            .context("recording a calendar conflict")
    }

    async fn conflicts(&self, property: &PropertyId) -> anyhow::Result<Vec<Conflict>> {
        self.db.read(|conn| {
            let mut query = conn.prepare_cached(
                "SELECT data FROM calendar_conflicts WHERE property_id = ?1 \
                 ORDER BY date, feed_id, booking_id",
            )?;
            let rows = query.query_map([property.as_str()], |row| {
                from_json(&row.get::<_, String>(0)?)
            })?;
            rows.collect()
        })
    }
}

#[async_trait]
impl ExportLinks for SqliteStore {
    async fn export_token(&self, property: &PropertyId) -> anyhow::Result<Option<ExportToken>> {
        let token: Option<String> = self.db.read(|conn| {
            conn.prepare_cached("SELECT token FROM export_tokens WHERE property_id = ?1")?
                .query_row([property.as_str()], |row| row.get(0))
                .optional()
        })?;
        token
            .map(ExportToken::try_from)
            .transpose()
            .context("a stored export token")
    }

    async fn issue_export_token(
        &self,
        property: &PropertyId,
        token: &ExportToken,
    ) -> anyhow::Result<ExportToken> {
        let row = (property.to_string(), token.as_str().to_owned());
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT OR IGNORE INTO export_tokens (property_id, token) VALUES (?1, ?2)",
                )?
                .execute((&row.0, &row.1))?;
                let stored: String = conn
                    .prepare_cached("SELECT token FROM export_tokens WHERE property_id = ?1")?
                    .query_row([&row.0], |r| r.get(0))?;
                Ok::<_, anyhow::Error>(ExportToken::try_from(stored)?)
            })
            .await
            .context("issuing an export token")
    }

    async fn replace_export_token(
        &self,
        property: &PropertyId,
        token: &ExportToken,
    ) -> anyhow::Result<()> {
        let row = (property.to_string(), token.as_str().to_owned());
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO export_tokens (property_id, token) VALUES (?1, ?2)",
                )?
                .execute(row)?;
                Ok::<_, anyhow::Error>(())
            })
            .await
            .context("rotating an export token")
    }
}
