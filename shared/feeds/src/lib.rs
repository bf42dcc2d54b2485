//! Calendar exchange with other channels (Airbnb, Booking.com, VRBO all speak
//! iCalendar, RFC 5545): [`import`] reads a feed into the nights each of its
//! events makes unavailable, [`export`] writes a property's unavailable nights
//! as a feed, [`fetch`] brings a feed from a URL a user typed, and
//! [`address`] decides which addresses it may be fetched from; [`reader`]
//! is the domain's `FeedReader` port over fetching and reading. docs/architecture.md ("Calendar sync") says how these fit the
//! booking protocol.

pub mod address;
pub mod export;
pub mod fetch;
pub mod import;
pub mod reader;

/// Every UID Berth writes ends with this, so a feed that echoes Berth's own
/// export back is recognised and not imported again.
pub const EXPORT_UID_SUFFIX: &str = "@calendar.berth";
