//! Berth's domain: what a short-stay booking platform is, free of any cloud.
//!
//! - values: [`money`], [`dates`], [`ids`], [`property`], [`calendar`],
//!   [`channels`], [`booking`], [`cancellation`], [`pricing`], [`user`],
//!   [`events`];
//! - the world it needs, as small traits: [`ports`];
//! - use cases over those ports: [`catalog`] (listings, calendars, quotes),
//!   [`reservations`] (requests, the booking workflow's steps, cancellation,
//!   the sweeper), [`calendar_sync`] (feeds from other channels, the
//!   export link), [`accounts`], [`reports`];
//! - read models derived from events: [`projections`];
//! - [`retry`]: how a use case retries a change that lost a race;
//! - the set of ports a function is built from: [`wiring`].

pub mod accounts;
pub mod booking;
pub mod calendar;
pub mod calendar_sync;
pub mod cancellation;
pub mod catalog;
pub mod channels;
pub mod dates;
pub mod error;
pub mod events;
pub mod ids;
pub mod money;
pub mod ports;
pub mod pricing;
pub mod projections;
pub mod property;
pub mod reports;
pub mod reservations;
pub mod retry;
pub mod user;
pub mod wiring;

pub use anyhow;
