//! Bookings (`BOOKINGS_TABLE`) and the Idempotency-Keys that created them
//! (`IDEMPOTENCY_TABLE`): reads, listings, idempotent requests and the
//! sweeper's query. The workflow's atomic changes are in [`super::changes`].
//!
//! Booking item: `booking_id` (key), `status`, `guest_id`, `host_id`,
//! `property_id`, `data` (the booking as JSON); while unsettled, also
//! `sweep_shard` and `deadline_ms`, the keys of the sparse index of
//! unsettled bookings by deadline.
//!
//! Idempotency item: `user_id`, `request_key` (keys), `fingerprint`,
//! `booking` (JSON), `state` (INPROGRESS | COMPLETED), `lease_until_ms`,
//! `valid_until_ms` (after this the record counts as absent), `expires_at`
//! (TTL, so DynamoDB eventually deletes what no longer counts).

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use berth_domain::booking::{Booking, BookingStatus};
use berth_domain::dates::Timestamp;
use berth_domain::events::DomainEvent;
use berth_domain::ids::{BookingId, UserId};
use berth_domain::ports::{
    AbandonedBookings, BookingReader, BookingRequests, ClaimOutcome, IdempotencyKey,
    IdempotencyRecord, Page, PageRequest, RequestClaim, RequestState, Role,
};

use crate::access::{Access, on};
use crate::config::{AwsConfig, MissingVariable, vars};
use crate::dynamo::actions::{Condition, put};
use crate::dynamo::item::{Item, get_json, get_n, get_s, json, millis, n, s, ttl_seconds};
use crate::dynamo::outbox;
use crate::dynamo::pages::{self, Partition};
use crate::dynamo::schema::{TTL_ATTRIBUTE, bookings, idempotency};
use crate::dynamo::transact::{TransactError, transact};

const IN_PROGRESS: &str = "INPROGRESS";
const COMPLETED: &str = "COMPLETED";

/// The booking ports: [`BookingReader`], [`BookingRequests`],
/// [`berth_domain::ports::BookingChanges`], [`AbandonedBookings`].
/// Needs `BOOKINGS_TABLE`, `CALENDAR_TABLE`, `IDEMPOTENCY_TABLE`, `OUTBOX_TABLE`.
#[derive(Debug, Clone)]
pub struct DynamoBookings {
    pub(super) client: Client,
    pub(super) tables: BookingTables,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingTables {
    pub bookings: String,
    pub calendar: String,
    pub idempotency: String,
    pub outbox: String,
}

impl DynamoBookings {
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        Ok(Self::new(
            Client::new(config.sdk()),
            BookingTables {
                bookings: config.require(vars::BOOKINGS_TABLE)?,
                calendar: config.require(vars::CALENDAR_TABLE)?,
                idempotency: config.require(vars::IDEMPOTENCY_TABLE)?,
                outbox: config.require(vars::OUTBOX_TABLE)?,
            },
        ))
    }

    pub fn new(client: Client, tables: BookingTables) -> Self {
        Self { client, tables }
    }

    /// The stored status of a booking, `None` when there is no such booking.
    pub(super) async fn status(&self, id: &BookingId) -> anyhow::Result<Option<BookingStatus>> {
        let read = self
            .client
            .get_item()
            .table_name(&self.tables.bookings)
            .key(bookings::KEY, s(id.as_str()))
            .projection_expression("#status")
            .expression_attribute_names("#status", "status")
            .consistent_read(true)
            .send()
            .await
            .context("reading a booking's status")?;
        Ok(read.item().and_then(status_of))
    }
}

/// A booking's item.
pub(super) fn item(booking: &Booking) -> anyhow::Result<Item> {
    let mut item: Item = [
        (bookings::KEY.to_owned(), s(booking.id.as_str())),
        ("status".to_owned(), s(booking.status().as_str())),
        ("guest_id".to_owned(), s(booking.guest_id.as_str())),
        ("host_id".to_owned(), s(booking.host_id.as_str())),
        ("property_id".to_owned(), s(booking.property_id.as_str())),
        ("data".to_owned(), json(booking)?),
    ]
    .into();
    if let (false, Some(deadline)) = (booking.status().is_settled(), booking.hold_expires_at()) {
        item.insert("sweep_shard".into(), s(sweep_shard(&booking.id)));
        item.insert("deadline_ms".into(), n(millis(deadline)));
    }
    Ok(item)
}

/// Spreads unsettled bookings over the sparse index's shards by the random
/// tail of their id.
fn sweep_shard(id: &BookingId) -> String {
    let digit = id
        .as_str()
        .chars()
        .last()
        .and_then(|c| c.to_digit(16))
        .unwrap_or(0);
    (digit % bookings::SWEEP_SHARDS).to_string()
}

pub(super) fn status_of(item: &Item) -> Option<BookingStatus> {
    get_s(item, "status").ok().and_then(BookingStatus::parse)
}

/// The environment [`DynamoBookings::from_env`] reads.
pub const BOOKINGS_ENV: &[&str] = &[
    vars::BOOKINGS_TABLE,
    vars::CALENDAR_TABLE,
    vars::IDEMPOTENCY_TABLE,
    vars::OUTBOX_TABLE,
];

/// [`BookingReader`]: `GetItem` on the bookings table, `Query` on its
/// guest and host indexes.
pub const BOOKING_READER: Access = Access {
    port: "BookingReader",
    grants: &[on(
        vars::BOOKINGS_TABLE,
        &["dynamodb:GetItem", "dynamodb:Query"],
    )],
    env: BOOKINGS_ENV,
};

#[async_trait]
impl BookingReader for DynamoBookings {
    async fn booking(&self, id: &BookingId) -> anyhow::Result<Option<Booking>> {
        let read = self
            .client
            .get_item()
            .table_name(&self.tables.bookings)
            .key(bookings::KEY, s(id.as_str()))
            .consistent_read(true)
            .send()
            .await
            .context("reading a booking")?;
        read.item().map(|item| get_json(item, "data")).transpose()
    }

    async fn bookings_of(
        &self,
        user: &UserId,
        role: Role,
        page: &PageRequest,
    ) -> anyhow::Result<Page<Booking>> {
        let (index, attribute) = match role {
            Role::Guest => (bookings::BY_GUEST, "guest_id"),
            Role::Host => (bookings::BY_HOST, "host_id"),
        };
        let partition = Partition {
            table: &self.tables.bookings,
            index,
            key: attribute,
            value: user.as_str(),
            sort: bookings::KEY,
        };
        let after = page.after.as_ref().map(BookingId::as_str);
        let items = pages::newest_first::<Booking>(&self.client, &partition, page.limit, after)
            .await
            .context("listing bookings")?;
        Ok(Page::from_one_more(items, page.limit, |b| b.id.clone()))
    }
}

fn request_key(user: &UserId, key: &IdempotencyKey) -> Item {
    [
        (idempotency::KEY.to_owned(), s(user.as_str())),
        (idempotency::SORT.to_owned(), s(key.as_str())),
    ]
    .into()
}

fn record_of(item: &Item) -> anyhow::Result<IdempotencyRecord> {
    let state = match get_s(item, "state")? {
        COMPLETED => RequestState::Completed,
        _ => RequestState::InProgress {
            lease_until: chrono::DateTime::from_timestamp_millis(get_n(item, "lease_until_ms")?)
                .context("lease_until_ms out of range")?,
        },
    };
    Ok(IdempotencyRecord {
        fingerprint: get_s(item, "fingerprint")?.to_owned(),
        booking: get_json(item, "booking")?,
        state,
    })
}

/// [`BookingRequests`]: the key's record (`GetItem`, `UpdateItem`), and a
/// transaction putting the record, the booking and its event.
pub const BOOKING_REQUESTS: Access = Access {
    port: "BookingRequests",
    grants: &[
        on(
            vars::IDEMPOTENCY_TABLE,
            &[
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
            ],
        ),
        on(vars::BOOKINGS_TABLE, &["dynamodb:PutItem"]),
        on(vars::OUTBOX_TABLE, &["dynamodb:PutItem"]),
    ],
    env: BOOKINGS_ENV,
};

#[async_trait]
impl BookingRequests for DynamoBookings {
    async fn record(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> anyhow::Result<Option<IdempotencyRecord>> {
        let read = self
            .client
            .get_item()
            .table_name(&self.tables.idempotency)
            .set_key(Some(request_key(user, key)))
            .consistent_read(true)
            .send()
            .await
            .context("reading an idempotency record")?;
        match read.item() {
            Some(item) if get_n(item, "valid_until_ms")? > millis(now) => {
                Ok(Some(record_of(item)?))
            }
            _ => Ok(None),
        }
    }

    async fn claim(
        &self,
        claim: &RequestClaim,
        booking: &Booking,
        event: &DomainEvent,
    ) -> anyhow::Result<ClaimOutcome> {
        let mut record = request_key(&claim.user, &claim.key);
        record.extend([
            ("fingerprint".to_owned(), s(&claim.fingerprint)),
            ("booking".to_owned(), json(booking)?),
            ("state".to_owned(), s(IN_PROGRESS)),
            ("lease_until_ms".to_owned(), n(millis(claim.lease_until))),
            ("valid_until_ms".to_owned(), n(millis(claim.expires_at))),
            (TTL_ATTRIBUTE.to_owned(), n(ttl_seconds(claim.expires_at))),
        ]);
        // The key is free when it has no record or its record has expired.
        let key_free = Condition::new("attribute_not_exists(user_id) OR #valid <= :now")
            .name("#valid", "valid_until_ms")
            .value(":now", n(millis(claim.now)));
        let actions = vec![
            put(&self.tables.idempotency, record, &key_free)?,
            put(
                &self.tables.bookings,
                item(booking)?,
                &Condition::new("attribute_not_exists(booking_id)"),
            )?,
            outbox::record(&self.tables.outbox, event)?,
        ];
        // A record that vanished (TTL) between the refusal and the read back
        // frees the key: claim again.
        for _ in 0..3 {
            match transact(&self.client, actions.clone()).await {
                Ok(()) => return Ok(ClaimOutcome::Claimed),
                Err(TransactError::Refused(checks)) => {
                    match TransactError::first_failed(&checks, 0..1) {
                        Some((_, Some(held))) => {
                            return Ok(ClaimOutcome::Existing(Box::new(record_of(held)?)));
                        }
                        Some((_, None)) => {
                            if let Some(held) =
                                self.record(&claim.user, &claim.key, claim.now).await?
                            {
                                return Ok(ClaimOutcome::Existing(Box::new(held)));
                            }
                        }
                        None => anyhow::bail!(
                            "booking {} or event {} is stored already",
                            booking.id,
                            event.id
                        ),
                    }
                }
                Err(TransactError::Unexpected(e)) => return Err(e.context("claiming a request")),
            }
        }
        anyhow::bail!("the Idempotency-Key's record kept changing under the claim")
    }

    async fn complete(&self, user: &UserId, key: &IdempotencyKey) -> anyhow::Result<()> {
        let done = self
            .client
            .update_item()
            .table_name(&self.tables.idempotency)
            .set_key(Some(request_key(user, key)))
            .update_expression("SET #state = :completed")
            .condition_expression("attribute_exists(user_id)")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":completed", s(COMPLETED))
            .send()
            .await;
        match done {
            Ok(_) => Ok(()),
            // No record: nothing to complete, as in the embedded store.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(anyhow::Error::new(e).context("completing a request")),
        }
    }
}

/// [`AbandonedBookings`]: `Query` on the unsettled bookings' index.
pub const ABANDONED_BOOKINGS: Access = Access {
    port: "AbandonedBookings",
    grants: &[on(vars::BOOKINGS_TABLE, &["dynamodb:Query"])],
    env: BOOKINGS_ENV,
};

#[async_trait]
impl AbandonedBookings for DynamoBookings {
    async fn abandoned(&self, before: Timestamp, limit: u32) -> anyhow::Result<Vec<Booking>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // The oldest `limit` overall are among the oldest `limit` of each shard.
        let shards = (0..bookings::SWEEP_SHARDS).map(|shard| self.overdue_in(shard, before, limit));
        let mut found: Vec<(i64, Booking)> = futures::future::try_join_all(shards)
            .await?
            .into_iter()
            .flatten()
            .collect();
        found.sort_by(|(a, x), (b, y)| a.cmp(b).then_with(|| x.id.cmp(&y.id)));
        found.truncate(limit as usize);
        Ok(found.into_iter().map(|(_, b)| b).collect())
    }
}

impl DynamoBookings {
    /// Up to `limit` unsettled bookings of one shard due before `before`, with their deadline.
    async fn overdue_in(
        &self,
        shard: u32,
        before: Timestamp,
        limit: u32,
    ) -> anyhow::Result<Vec<(i64, Booking)>> {
        let mut found = Vec::new();
        let mut start = None;
        while found.len() < limit as usize {
            let page = self
                .client
                .query()
                .table_name(&self.tables.bookings)
                .index_name(bookings::UNSETTLED_BY_DEADLINE)
                .key_condition_expression("#shard = :shard AND #deadline < :before")
                .expression_attribute_names("#shard", "sweep_shard")
                .expression_attribute_names("#deadline", "deadline_ms")
                .expression_attribute_values(":shard", s(shard.to_string()))
                .expression_attribute_values(":before", n(millis(before)))
                .limit(i32::try_from(limit as usize - found.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start)
                .send()
                .await
                .context("querying unsettled bookings")?;
            for item in page.items() {
                found.push((get_n(item, "deadline_ms")?, get_json(item, "data")?));
            }
            match page.last_evaluated_key() {
                Some(key) => start = Some(key.clone()),
                None => break,
            }
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_id_tail() {
        let shards: std::collections::BTreeSet<String> = (0..64)
            .map(|_| sweep_shard(&BookingId::generate()))
            .collect();
        assert!(
            shards
                .iter()
                .all(|s| s.parse::<u32>().unwrap() < bookings::SWEEP_SHARDS)
        );
        assert!(shards.len() > 1);
    }
}
