//! Bookings: reads, idempotent requests, and the workflow's atomic changes
//! over a booking and its nights.

use async_trait::async_trait;
use berth_domain::booking::{Booking, BookingStatus};
use berth_domain::calendar::rules;
use berth_domain::dates::{Date, Timestamp};
use berth_domain::events::DomainEvent;
use berth_domain::ids::{BookingId, UserId};
use berth_domain::ports::{
    AbandonedBookings, BookingChange, BookingChanges, BookingReader, BookingRequests, ChangeError,
    ClaimOutcome, IdempotencyKey, IdempotencyRecord, NightsChange, Page, PageRequest, RequestClaim,
    RequestState, Role,
};
use rusqlite::{Connection, OptionalExtension};

use crate::SqliteStore;
use crate::catalog::night_state;
use crate::codec::{EncodedEvents, from_json, instant, millis, to_json};

/// A booking's row, encoded off the writer thread.
struct BookingRow {
    id: String,
    guest_id: String,
    host_id: String,
    property_id: String,
    status: &'static str,
    deadline: Option<i64>,
    data: String,
}

impl BookingRow {
    fn new(booking: &Booking) -> anyhow::Result<Self> {
        let deadline = (!booking.status().is_settled())
            .then(|| booking.hold_expires_at().map(millis))
            .flatten();
        Ok(Self {
            id: booking.id.to_string(),
            guest_id: booking.guest_id.to_string(),
            host_id: booking.host_id.to_string(),
            property_id: booking.property_id.to_string(),
            status: booking.status().as_str(),
            deadline,
            data: to_json(booking)?,
        })
    }

    fn insert(&self, conn: &Connection) -> rusqlite::Result<()> {
        conn.prepare_cached(
            "INSERT INTO bookings (id, guest_id, host_id, property_id, status, deadline, data) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute((
            &self.id,
            &self.guest_id,
            &self.host_id,
            &self.property_id,
            self.status,
            self.deadline,
            &self.data,
        ))?;
        Ok(())
    }

    fn update(&self, conn: &Connection) -> rusqlite::Result<()> {
        conn.prepare_cached(
            "UPDATE bookings SET status = ?1, deadline = ?2, data = ?3 WHERE id = ?4",
        )?
        .execute((self.status, self.deadline, &self.data, &self.id))?;
        Ok(())
    }
}

fn stored_status(conn: &Connection, id: &str) -> rusqlite::Result<Option<BookingStatus>> {
    let status: Option<String> = conn
        .prepare_cached("SELECT status FROM bookings WHERE id = ?1")?
        .query_row([id], |row| row.get(0))
        .optional()?;
    Ok(status.and_then(|s| BookingStatus::parse(&s)))
}

#[async_trait]
impl BookingReader for SqliteStore {
    async fn booking(&self, id: &BookingId) -> anyhow::Result<Option<Booking>> {
        self.db.read(|tx| {
            tx.prepare_cached("SELECT data FROM bookings WHERE id = ?1")?
                .query_row([id.as_str()], |row| from_json(&row.get::<_, String>(0)?))
                .optional()
        })
    }

    async fn bookings_of(
        &self,
        user: &UserId,
        role: Role,
        page: &PageRequest,
    ) -> anyhow::Result<Page<Booking>> {
        let column = match role {
            Role::Guest => "guest_id",
            Role::Host => "host_id",
        };
        // Ids sort by creation, so "newest first" is "id descending"; a
        // cursor is a plain range on the index (no OR, which would defeat it).
        let cursor = after_cursor(page.after.is_some());
        let sql = format!(
            "SELECT data FROM bookings WHERE {column} = ?1 AND {cursor} ORDER BY id DESC LIMIT ?3"
        );
        let after = page.after.as_ref().map(BookingId::to_string);
        let limit = i64::from(page.limit);
        let items: Vec<Booking> = self.db.read(|tx| {
            let mut query = tx.prepare_cached(&sql)?;
            let rows = query.query_map((user.as_str(), &after, limit + 1), |row| {
                from_json(&row.get::<_, String>(0)?)
            })?;
            rows.collect()
        })?;
        Ok(Page::from_one_more(items, page.limit, |b| b.id.clone()))
    }
}

/// The condition on `id` for a page after the cursor `?2` (when there is
/// one), as a plain range the `(owner, id)` index answers.
pub(crate) fn after_cursor(given: bool) -> &'static str {
    if given { "id < ?2" } else { "?2 IS NULL" }
}

fn key_record(
    conn: &Connection,
    user: &str,
    key: &str,
    now: i64,
) -> rusqlite::Result<Option<IdempotencyRecord>> {
    conn.prepare_cached(
        "SELECT fingerprint, booking, completed, lease_until FROM idempotency_keys \
         WHERE user_id = ?1 AND key = ?2 AND expires_at > ?3",
    )?
    .query_row((user, key, now), |row| {
        let state = if row.get::<_, bool>(2)? {
            RequestState::Completed
        } else {
            RequestState::InProgress {
                lease_until: instant(row.get(3)?),
            }
        };
        Ok(IdempotencyRecord {
            fingerprint: row.get(0)?,
            booking: from_json(&row.get::<_, String>(1)?)?,
            state,
        })
    })
    .optional()
}

#[async_trait]
impl BookingRequests for SqliteStore {
    async fn record(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> anyhow::Result<Option<IdempotencyRecord>> {
        self.db
            .read(|tx| key_record(tx, user.as_str(), key.as_str(), millis(now)))
    }

    async fn claim(
        &self,
        claim: &RequestClaim,
        booking: &Booking,
        event: &DomainEvent,
    ) -> anyhow::Result<ClaimOutcome> {
        let user = claim.user.to_string();
        let key = claim.key.as_str().to_owned();
        let fingerprint = claim.fingerprint.clone();
        let (now, lease_until, expires_at) = (
            millis(claim.now),
            millis(claim.lease_until),
            millis(claim.expires_at),
        );
        let row = BookingRow::new(booking)?;
        let events = EncodedEvents::one(event)?;
        self.db
            .write(move |conn| {
                if let Some(record) = key_record(conn, &user, &key, now)? {
                    return Ok(ClaimOutcome::Existing(Box::new(record)));
                }
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO idempotency_keys \
                     (user_id, key, fingerprint, booking, completed, lease_until, expires_at) \
                     VALUES (?1, ?2, ?3, ?4, 0, ?5, ?6)",
                )?
                .execute((
                    &user,
                    &key,
                    &fingerprint,
                    &row.data,
                    lease_until,
                    expires_at,
                ))?;
                row.insert(conn)?;
                events.append(conn)?;
                Ok(ClaimOutcome::Claimed)
            })
            .await
    }

    async fn complete(&self, user: &UserId, key: &IdempotencyKey) -> anyhow::Result<()> {
        let (user, key) = (user.to_string(), key.as_str().to_owned());
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "UPDATE idempotency_keys SET completed = 1 WHERE user_id = ?1 AND key = ?2",
                )?
                .execute((&user, &key))?;
                Ok(())
            })
            .await
    }
}

#[async_trait]
impl BookingChanges for SqliteStore {
    async fn apply(&self, change: &BookingChange<'_>) -> Result<(), ChangeError> {
        let row = BookingRow::new(change.booking)?;
        let from = change.from.to_vec();
        let nights = change.nights;
        let dates: Vec<(Date, String)> = change
            .booking
            .stay()
            .dates()
            .map(|d| (d, d.to_string()))
            .collect();
        let events = EncodedEvents::new(change.events)?;
        let booking = change.booking.id.clone();
        self.db
            .write(move |conn| {
                let status = stored_status(conn, &row.id).map_err(anyhow::Error::from)?;
                if !status.is_some_and(|s| from.contains(&s)) {
                    return Err(ChangeError::StatusChanged(status));
                }
                change_nights(conn, &row, &booking, &dates, nights)?;
                row.update(conn).map_err(anyhow::Error::from)?;
                events.append(conn).map_err(anyhow::Error::from)?;
                Ok(())
            })
            .await
    }
}

/// The nights part of a booking change, night by night: each write only if
/// the night rules (`berth_domain::calendar::rules`) allow it.
fn change_nights(
    conn: &Connection,
    row: &BookingRow,
    booking: &BookingId,
    dates: &[(Date, String)],
    nights: NightsChange,
) -> Result<(), ChangeError> {
    let db = |e: rusqlite::Error| ChangeError::Unexpected(e.into());
    let property = row.property_id.as_str();
    let state = |text: &str| night_state(conn, property, text).map_err(db);
    match nights {
        NightsChange::Keep => {}
        NightsChange::Hold { until, now } => {
            let mut hold = conn.prepare_cached(
                "INSERT OR REPLACE INTO nights (property_id, date, state, booking_id, expires_at) \
                 VALUES (?1, ?2, 'HELD', ?3, ?4)",
            ).map_err(db)?;
            for (date, text) in dates {
                if !rules::may_hold(state(text)?.as_ref(), booking, now) {
                    return Err(ChangeError::NightTaken(*date));
                }
                hold.execute((property, text, &row.id, millis(until)))
                    .map_err(db)?;
            }
        }
        NightsChange::Book => {
            let mut book = conn.prepare_cached(
                "UPDATE nights SET state = 'BOOKED', expires_at = NULL WHERE property_id = ?1 AND date = ?2",
            ).map_err(db)?;
            for (date, text) in dates {
                if !rules::may_book(state(text)?.as_ref(), booking) {
                    return Err(ChangeError::NightTaken(*date));
                }
                book.execute((property, text)).map_err(db)?;
            }
        }
        NightsChange::Release => {
            let mut release = conn
                .prepare_cached("DELETE FROM nights WHERE property_id = ?1 AND date = ?2")
                .map_err(db)?;
            // Only this booking's nights; another's are never touched.
            for (_, text) in dates {
                if rules::may_release(state(text)?.as_ref(), booking) {
                    release.execute((property, text)).map_err(db)?;
                }
            }
        }
    }
    Ok(())
}

#[async_trait]
impl AbandonedBookings for SqliteStore {
    async fn abandoned(&self, before: Timestamp, limit: u32) -> anyhow::Result<Vec<Booking>> {
        self.db.read(|tx| {
            let mut query = tx.prepare_cached(
                "SELECT data FROM bookings WHERE status IN ('PENDING', 'HELD', 'PAID') AND deadline < ?1 \
                 ORDER BY deadline LIMIT ?2",
            )?;
            let rows = query.query_map((millis(before), i64::from(limit)), |row| {
                from_json(&row.get::<_, String>(0)?)
            })?;
            rows.collect()
        })
    }
}
