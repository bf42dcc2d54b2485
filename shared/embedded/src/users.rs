//! Profiles and the signals learned from users' bookings.

use std::collections::BTreeSet;

use async_trait::async_trait;
use berth_domain::events::DomainEvent;
use berth_domain::ids::UserId;
use berth_domain::ports::{Profiles, SignalStore};
use berth_domain::property::Amenity;
use berth_domain::user::{Profile, Signals};
use rusqlite::OptionalExtension;

use crate::SqliteStore;
use crate::codec::{EncodedEvents, from_json, to_json};

#[async_trait]
impl Profiles for SqliteStore {
    async fn profile(&self, user: &UserId) -> anyhow::Result<Option<Profile>> {
        self.db.read(|tx| {
            tx.prepare_cached("SELECT data FROM profiles WHERE user_id = ?1")?
                .query_row([user.as_str()], |row| from_json(&row.get::<_, String>(0)?))
                .optional()
        })
    }

    async fn save_profile(&self, profile: &Profile) -> anyhow::Result<()> {
        let row = (profile.user_id.to_string(), to_json(profile)?);
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO profiles (user_id, data) VALUES (?1, ?2)",
                )?
                .execute(row)?;
                Ok(())
            })
            .await
    }

    async fn erase(&self, user: &UserId, event: &DomainEvent) -> anyhow::Result<()> {
        let user = user.to_string();
        let events = EncodedEvents::one(event)?;
        self.db
            .write(move |conn| {
                for table in ["profiles", "signals", "signal_events"] {
                    conn.execute(&format!("DELETE FROM {table} WHERE user_id = ?1"), [&user])?;
                }
                events.append(conn)?;
                Ok(())
            })
            .await
    }
}

#[async_trait]
impl SignalStore for SqliteStore {
    async fn signals(&self, user: &UserId) -> anyhow::Result<Signals> {
        let stored = self.db.read(|tx| {
            tx.prepare_cached("SELECT data FROM signals WHERE user_id = ?1")?
                .query_row([user.as_str()], |row| {
                    from_json::<Signals>(&row.get::<_, String>(0)?)
                })
                .optional()
        })?;
        Ok(stored.unwrap_or_default())
    }

    async fn learn(
        &self,
        user: &UserId,
        event_id: &str,
        city: &str,
        amenities: &BTreeSet<Amenity>,
    ) -> anyhow::Result<()> {
        let (user, event_id, city, amenities) = (
            user.to_string(),
            event_id.to_owned(),
            city.to_owned(),
            amenities.clone(),
        );
        self.db
            .write(move |conn| {
                let fresh = conn
                    .prepare_cached(
                        "INSERT OR IGNORE INTO signal_events (event_id, user_id) VALUES (?1, ?2)",
                    )?
                    .execute((&event_id, &user))?;
                if fresh == 0 {
                    return Ok(());
                }
                let mut signals: Signals = conn
                    .prepare_cached("SELECT data FROM signals WHERE user_id = ?1")?
                    .query_row([&user], |row| from_json(&row.get::<_, String>(0)?))
                    .optional()?
                    .unwrap_or_default();
                signals.learn(&city, &amenities);
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO signals (user_id, data) VALUES (?1, ?2)",
                )?
                .execute((&user, to_json(&signals)?))?;
                Ok(())
            })
            .await
    }
}
