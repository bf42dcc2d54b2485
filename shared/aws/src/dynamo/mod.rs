//! The store ports over DynamoDB: one table per kind of record, named by its
//! environment variable (docs/dynamodb.md has the design). Every write that
//! carries domain events puts them in `OUTBOX_TABLE` in the same
//! TransactWriteItems.
//!
//! - [`catalog`]: properties and calendars; [`channels`]: calendar sync's
//!   feeds, imported nights, conflicts and export tokens; [`bookings`] and [`changes`]:
//!   bookings, idempotent requests, the workflow's atomic steps;
//!   [`users`]: profiles and signals; [`audit`]: the audit log;
//!   [`erasure`]: forgetting a user in all of them;
//! - [`schema`]: keys, indexes, streams and TTLs of every table;
//! - [`outbox`], [`nights`], [`item`], [`actions`], [`transact`]: how items
//!   are written and transactions run; [`pages`]: newest-first listings.

pub mod actions;
pub mod audit;
pub mod bookings;
pub mod catalog;
pub mod changes;
pub mod channels;
pub mod erasure;
pub mod item;
pub mod nights;
pub mod outbox;
pub mod pages;
pub mod schema;
pub mod transact;
pub mod users;

pub use audit::DynamoAudit;
pub use bookings::{BookingTables, DynamoBookings};
pub use catalog::{DynamoCalendar, DynamoProperties};
pub use schema::TableNames;
pub use users::DynamoUsers;
