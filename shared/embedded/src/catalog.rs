//! Properties and their calendars.

use anyhow::Context;
use async_trait::async_trait;
use berth_domain::calendar::{Night, NightState, rules};
use berth_domain::dates::{Date, DateRange, Timestamp};
use berth_domain::events::DomainEvent;
use berth_domain::ids::{BookingId, FeedId, PropertyId, UserId};
use berth_domain::ports::{
    CalendarReader, CalendarWriter, HostListings, Page, PageRequest, PropertyReader,
    PropertyWriter, WriteError,
};
use berth_domain::property::Property;
use rusqlite::{Connection, OptionalExtension, Row};

use crate::SqliteStore;
use crate::bookings::after_cursor;
use crate::codec::{EncodedEvents, from_json, instant, to_json};

#[async_trait]
impl PropertyReader for SqliteStore {
    async fn property(&self, id: &PropertyId) -> anyhow::Result<Option<Property>> {
        self.db.read(|tx| {
            tx.prepare_cached("SELECT data FROM properties WHERE id = ?1")?
                .query_row([id.as_str()], |row| from_json(&row.get::<_, String>(0)?))
                .optional()
        })
    }
}

#[async_trait]
impl HostListings for SqliteStore {
    async fn listings_of(
        &self,
        host: &UserId,
        page: &PageRequest<PropertyId>,
    ) -> anyhow::Result<Page<Property, PropertyId>> {
        // `properties_by_host` holds (host_id, id), the table being WITHOUT
        // ROWID; ids sort by creation, so "newest first" is "id descending".
        let limit = i64::from(page.limit);
        let after = page.after.as_ref().map(PropertyId::to_string);
        let sql = format!(
            "SELECT data FROM properties WHERE host_id = ?1 AND {} ORDER BY id DESC LIMIT ?3",
            after_cursor(page.after.is_some())
        );
        let items: Vec<Property> = self.db.read(|tx| {
            let mut query = tx.prepare_cached(&sql)?;
            let rows = query.query_map((host.as_str(), &after, limit + 1), |row| {
                from_json(&row.get::<_, String>(0)?)
            })?;
            rows.collect()
        })?;
        Ok(Page::from_one_more(items, page.limit, |p| p.id.clone()))
    }
}

#[async_trait]
impl PropertyWriter for SqliteStore {
    async fn insert_property(
        &self,
        property: &Property,
        event: &DomainEvent,
    ) -> anyhow::Result<()> {
        let row = (
            property.id.to_string(),
            property.host_id.to_string(),
            property.version as i64,
            to_json(property)?,
        );
        let events = EncodedEvents::one(event)?;
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "INSERT INTO properties (id, host_id, version, data) VALUES (?1, ?2, ?3, ?4)",
                )?
                .execute(row)?;
                events.append(conn)?;
                Ok::<_, anyhow::Error>(())
            })
            .await
            .context("storing a new property")
    }

    async fn update_property(
        &self,
        property: &Property,
        event: &DomainEvent,
    ) -> Result<(), WriteError> {
        let id = property.id.to_string();
        let version = property.version as i64;
        let data = to_json(property)?;
        let events = EncodedEvents::one(event)?;
        self.db
            .write(move |conn| {
                let updated = conn
                    .prepare_cached("UPDATE properties SET version = ?1, data = ?2 WHERE id = ?3 AND version = ?4")
                    .and_then(|mut s| s.execute((version, data, &id, version - 1)))
                    .map_err(anyhow::Error::from)?;
                if updated == 0 {
                    return Err(WriteError::Conflict);
                }
                events.append(conn).map_err(anyhow::Error::from)?;
                Ok(())
            })
            .await
    }
}

#[async_trait]
impl CalendarReader for SqliteStore {
    async fn nights(&self, property: &PropertyId, range: DateRange) -> anyhow::Result<Vec<Night>> {
        self.db.read(|tx| {
            let mut query = tx.prepare_cached(&format!(
                "SELECT {NIGHT_COLUMNS} FROM nights \
                 WHERE property_id = ?1 AND date >= ?2 AND date < ?3 ORDER BY date"
            ))?;
            let rows = query.query_map(
                (
                    property.as_str(),
                    range.from.to_string(),
                    range.to.to_string(),
                ),
                night_of_row,
            )?;
            rows.collect()
        })
    }
}

/// The columns of a night, in the order [`night_of_row`] reads them.
pub(crate) const NIGHT_COLUMNS: &str = "date, state, booking_id, expires_at, feed_id, event_uid";

/// A `nights` row ([`NIGHT_COLUMNS`]) as a domain night.
pub(crate) fn night_of_row(row: &Row<'_>) -> rusqlite::Result<Night> {
    night_of_row_at(row, 0)
}

/// Like [`night_of_row`], with the night's columns starting at `first`.
pub(crate) fn night_of_row_at(row: &Row<'_>, first: usize) -> rusqlite::Result<Night> {
    let bad = |what: &str| {
        rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            what.to_owned().into(),
        )
    };
    let date = Date::parse(&row.get::<_, String>(first)?).map_err(|_| bad("night date"))?;
    let booking = || -> rusqlite::Result<BookingId> {
        BookingId::parse(&row.get::<_, String>(first + 2)?).map_err(|_| bad("night booking id"))
    };
    let state = match row.get::<_, String>(first + 1)?.as_str() {
        "HELD" => NightState::Held {
            booking_id: booking()?,
            expires_at: instant(row.get(first + 3)?),
        },
        "BOOKED" => NightState::Booked {
            booking_id: booking()?,
        },
        "BLOCKED" => NightState::Blocked,
        "IMPORTED" => NightState::Imported {
            feed_id: FeedId::parse(&row.get::<_, String>(first + 4)?)
                .map_err(|_| bad("night feed id"))?,
            event_uid: row.get(first + 5)?,
        },
        _ => return Err(bad("night state")),
    };
    Ok(Night { date, state })
}

/// The state of a night (`None`: free), for the writes that the night rules
/// of `berth_domain::calendar::rules` decide.
pub(crate) fn night_state(
    conn: &Connection,
    property: &str,
    date: &str,
) -> rusqlite::Result<Option<NightState>> {
    conn.prepare_cached(&format!(
        "SELECT {NIGHT_COLUMNS} FROM nights WHERE property_id = ?1 AND date = ?2"
    ))?
    .query_row((property, date), night_of_row)
    .optional()
    .map(|night| night.map(|n| n.state))
}

#[async_trait]
impl CalendarWriter for SqliteStore {
    async fn set_blocked(
        &self,
        property: &PropertyId,
        dates: &[Date],
        blocked: bool,
        now: Timestamp,
        event: &DomainEvent,
    ) -> Result<(), WriteError> {
        let property = property.to_string();
        let dates: Vec<String> = dates.iter().map(Date::to_string).collect();
        let events = EncodedEvents::one(event)?;
        self.db
            .write(move |conn| {
                for date in &dates {
                    let night = night_state(conn, &property, date).map_err(anyhow::Error::from)?;
                    let allowed = if blocked {
                        rules::may_block(night.as_ref(), now)
                    } else {
                        rules::may_unblock(night.as_ref())
                    };
                    if !allowed {
                        return Err(WriteError::Conflict);
                    }
                    let statement = if blocked {
                        "INSERT OR REPLACE INTO nights (property_id, date, state) VALUES (?1, ?2, 'BLOCKED')"
                    } else {
                        "DELETE FROM nights WHERE property_id = ?1 AND date = ?2"
                    };
                    conn.prepare_cached(statement)
                        .and_then(|mut s| s.execute((&property, date)))
                        .map_err(anyhow::Error::from)?;
                }
                events.append(conn).map_err(anyhow::Error::from)?;
                Ok(())
            })
            .await
    }
}
