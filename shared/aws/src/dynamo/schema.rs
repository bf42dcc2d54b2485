//! The tables: their key attributes, indexes, streams and TTL attributes, in
//! one place for the adapters and for [`crate::bootstrap`]. docs/dynamodb.md
//! explains the design.

use crate::config::vars;

/// `PROPERTIES_TABLE`: one item per property.
pub mod properties {
    pub const KEY: &str = "property_id";
    /// `host_id` → `property_id`: a host's listings, newest first.
    pub const BY_HOST: &str = "by_host";
}

/// `CALENDAR_TABLE`: one item per property-night that is not free.
pub mod calendar {
    pub const KEY: &str = "property_id";
    pub const SORT: &str = "date";
    /// Sparse: `listed_feed` → `property_id`, only on feed items: every
    /// imported feed, for the scheduled sync.
    pub const FEEDS: &str = "feeds";
    pub const FEED_LIST_KEY: &str = "listed_feed";
}

/// `BOOKINGS_TABLE`: one item per booking.
pub mod bookings {
    pub const KEY: &str = "booking_id";
    /// `guest_id` → `booking_id`: a guest's bookings, newest first.
    pub const BY_GUEST: &str = "by_guest";
    /// `host_id` → `booking_id`: a host's bookings, newest first.
    pub const BY_HOST: &str = "by_host";
    /// Sparse: `sweep_shard` → `deadline_ms`, only on unsettled bookings.
    pub const UNSETTLED_BY_DEADLINE: &str = "unsettled_by_deadline";
    /// Shards of the sparse index, so no one partition takes every write.
    pub const SWEEP_SHARDS: u32 = 4;
}

/// `IDEMPOTENCY_TABLE`: one item per (user, Idempotency-Key).
pub mod idempotency {
    pub const KEY: &str = "user_id";
    pub const SORT: &str = "request_key";
}

/// `OUTBOX_TABLE`: one item per domain event; its stream feeds the publisher.
pub mod outbox {
    pub const KEY: &str = "event_id";
    /// Events stay this long (TTL); the stream keeps records for 24 hours.
    pub const RETENTION_DAYS: i64 = 7;
}

/// `USERS_TABLE`: profiles, signals and sent-notification markers.
pub mod users {
    pub const KEY: &str = "pk";
    pub const SORT: &str = "sk";
}

/// `AUDIT_TABLE`: one item per audit record.
pub mod audit {
    pub const KEY: &str = "booking_id";
    pub const SORT: &str = "entry";
}

/// `PAYMENTS_TABLE`: payment idempotency key → Stripe object id.
pub mod payments {
    pub const KEY: &str = "payment_key";
}

/// Every TTL attribute is called this (Unix seconds).
pub const TTL_ATTRIBUTE: &str = "expires_at";

/// The name of every table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableNames {
    pub properties: String,
    pub calendar: String,
    pub bookings: String,
    pub idempotency: String,
    pub outbox: String,
    pub users: String,
    pub audit: String,
    pub payments: String,
}

impl TableNames {
    /// `<prefix>-properties`, `<prefix>-calendar`, ...
    pub fn with_prefix(prefix: &str) -> Self {
        let name = |what: &str| format!("{prefix}-{what}");
        Self {
            properties: name("properties"),
            calendar: name("calendar"),
            bookings: name("bookings"),
            idempotency: name("idempotency"),
            outbox: name("outbox"),
            users: name("users"),
            audit: name("audit"),
            payments: name("payments"),
        }
    }

    /// Each table's environment variable and name.
    pub fn vars(&self) -> [(&'static str, &str); 8] {
        [
            (vars::PROPERTIES_TABLE, &self.properties),
            (vars::CALENDAR_TABLE, &self.calendar),
            (vars::BOOKINGS_TABLE, &self.bookings),
            (vars::IDEMPOTENCY_TABLE, &self.idempotency),
            (vars::OUTBOX_TABLE, &self.outbox),
            (vars::USERS_TABLE, &self.users),
            (vars::AUDIT_TABLE, &self.audit),
            (vars::PAYMENTS_TABLE, &self.payments),
        ]
    }

    /// What to create for each table.
    pub fn specs(&self) -> Vec<TableSpec> {
        let table = |name: &str, key: &'static str, sort: Option<&'static str>| TableSpec {
            name: name.to_owned(),
            key,
            sort,
            indexes: vec![],
            stream: false,
            ttl: false,
        };
        let by = |name: &'static str, key: &'static str, sort: (&'static str, AttributeKind)| {
            IndexSpec { name, key, sort }
        };
        vec![
            TableSpec {
                indexes: vec![by(
                    properties::BY_HOST,
                    "host_id",
                    (properties::KEY, AttributeKind::S),
                )],
                ..table(&self.properties, properties::KEY, None)
            },
            TableSpec {
                indexes: vec![by(
                    calendar::FEEDS,
                    calendar::FEED_LIST_KEY,
                    (calendar::KEY, AttributeKind::S),
                )],
                ..table(&self.calendar, calendar::KEY, Some(calendar::SORT))
            },
            TableSpec {
                indexes: vec![
                    by(
                        bookings::BY_GUEST,
                        "guest_id",
                        (bookings::KEY, AttributeKind::S),
                    ),
                    by(
                        bookings::BY_HOST,
                        "host_id",
                        (bookings::KEY, AttributeKind::S),
                    ),
                    by(
                        bookings::UNSETTLED_BY_DEADLINE,
                        "sweep_shard",
                        ("deadline_ms", AttributeKind::N),
                    ),
                ],
                ..table(&self.bookings, bookings::KEY, None)
            },
            TableSpec {
                ttl: true,
                ..table(&self.idempotency, idempotency::KEY, Some(idempotency::SORT))
            },
            TableSpec {
                stream: true,
                ttl: true,
                ..table(&self.outbox, outbox::KEY, None)
            },
            TableSpec {
                ttl: true,
                ..table(&self.users, users::KEY, Some(users::SORT))
            },
            table(&self.audit, audit::KEY, Some(audit::SORT)),
            table(&self.payments, payments::KEY, None),
        ]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeKind {
    S,
    N,
}

/// A global secondary index projecting every attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexSpec {
    pub name: &'static str,
    /// Always a string attribute.
    pub key: &'static str,
    pub sort: (&'static str, AttributeKind),
}

/// One table: string keys, on-demand capacity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    pub name: String,
    pub key: &'static str,
    pub sort: Option<&'static str>,
    pub indexes: Vec<IndexSpec>,
    /// A NEW_IMAGE stream.
    pub stream: bool,
    /// TTL on [`TTL_ATTRIBUTE`].
    pub ttl: bool,
}
