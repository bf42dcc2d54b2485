//! The search index: every property's searchable fields and its nights, in
//! memory, kept fresh by domain events.
//!
//! Layout (one slot per property; see each module):
//! - `listings`: one column per field, a packed `Card` of the filter fields,
//!   city postings and a quarter-degree spatial grid;
//! - `nights`: a 960-day bitset row per property of closed (blocked or
//!   booked) nights, rolling with the calendar;
//! - `holds`: unsettled bookings' holds, checked against the query's time;
//! - `position`: the last applied feed position, so replays are exact;
//! - `versions`: each booking's newest applied version, so late events are
//!   skipped whatever order the feed delivers them in.

mod build;
mod holds;
mod listings;
mod nights;
mod orders;
mod position;
mod snapshot;
mod versions;

use berth_domain::booking::Booking;
use berth_domain::dates::{Date, Timestamp};
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::{BookingId, PropertyId};
use berth_domain::property::Property;

pub use build::{IndexBuilder, UnknownProperty};
pub use position::{FeedPosition, InvalidSequence, Positions, ShardSequence};
pub use snapshot::SnapshotError;

pub(crate) use holds::{Hold, Holds};
pub(crate) use listings::{Card, GRID_COLUMNS, Listings, Upsert, city_key, grid_column, grid_row};
pub(crate) use nights::{Day, NightRows};
pub(crate) use orders::{CityOrders, rating_key};
pub(crate) use versions::BookingVersions;

/// What applying one event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The event was new; its effect (if it has one for search) is in.
    Applied,
    /// The index had already applied this position: nothing changed.
    AlreadySeen,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Index {
    pub(crate) positions: Positions,
    pub(crate) listings: Listings,
    pub(crate) nights: NightRows,
    pub(crate) holds: Holds,
    pub(crate) orders: CityOrders,
    pub(crate) bookings: BookingVersions,
    /// Cities at least this big are searched through their sort orders.
    pub(crate) ordered_scan_from: usize,
}

/// Below this many properties a city is scanned whole: it is quick anyway.
pub(crate) const ORDERED_SCAN_FROM: usize = 2_048;

impl Index {
    /// An empty index whose night window is placed for `today`.
    pub fn new(today: Date) -> Self {
        Self {
            positions: Positions::default(),
            listings: Listings::default(),
            nights: NightRows::new(day(today)),
            holds: Holds::default(),
            orders: CityOrders::default(),
            bookings: BookingVersions::default(),
            ordered_scan_from: ORDERED_SCAN_FROM,
        }
    }

    /// Searches cities of at least `properties` through their sort orders
    /// (for tests, which use small cities).
    #[doc(hidden)]
    pub fn set_ordered_scan_from(&mut self, properties: usize) {
        self.ordered_scan_from = properties;
    }

    /// A bulk loader for an index that stands at `positions` once loaded.
    pub fn builder(today: Date, positions: Positions) -> IndexBuilder {
        IndexBuilder::new(today, positions)
    }

    /// Applies the event at `seq` of the local platform's single ordered feed;
    /// ignores it when `seq` is at or below the last applied sequence.
    pub fn apply(&mut self, seq: u64, event: &DomainEvent) -> Applied {
        self.apply_at(&FeedPosition::Sequence(seq), event)
    }

    /// Applies the event found at `position`, unless it was applied already.
    pub fn apply_at(&mut self, position: &FeedPosition, event: &DomainEvent) -> Applied {
        if !self.positions.is_new(position) {
            return Applied::AlreadySeen;
        }
        // A booking's event older than one applied already is late: its
        // position is taken, its change is not.
        if event.booking().is_none_or(|b| self.bookings.admit(b)) {
            self.change(&event.change);
        }
        self.positions.advance(position);
        Applied::Applied
    }

    pub fn positions(&self) -> &Positions {
        &self.positions
    }

    /// How many properties the index holds.
    pub fn len(&self) -> usize {
        self.listings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.listings.len() == 0
    }

    /// An estimate of the heap the index occupies, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.listings.heap_bytes()
            + self.nights.heap_bytes()
            + self.holds.heap_bytes()
            + self.orders.heap_bytes()
            + self.bookings.heap_bytes()
    }

    /// The share of nights closed (blocked or booked) over the booking horizon from `today`.
    pub fn closed_share(&self, today: Date) -> f64 {
        self.nights.closed_share(day(today))
    }

    /// Whether the night window must move before it can answer for `now`.
    pub fn needs_upkeep(&self, now: Timestamp) -> bool {
        self.nights.is_stale(day(Date::of(now)))
    }

    /// Moves the night window with the calendar and forgets expired holds.
    /// Neither changes any answer; both keep the index small and fast.
    pub fn upkeep(&mut self, now: Timestamp) {
        let today = day(Date::of(now));
        if self.nights.is_stale(today) {
            self.nights.roll(today);
            self.bookings.prune(today);
        }
        for slot in self.holds.prune(instant(now)) {
            self.listings.cards[slot as usize].held = false;
        }
    }

    fn change(&mut self, change: &Change) {
        match change {
            Change::PropertyCreated { property }
            | Change::PropertyUpdated { property }
            | Change::PricingChanged { property } => {
                self.upsert(property);
            }
            Change::CalendarChanged {
                property_id,
                blocked,
                dates,
            } => {
                if let Some(slot) = self.slot(property_id) {
                    for date in dates {
                        self.nights.set(slot, day(*date), *blocked);
                    }
                }
            }
            Change::BookingHeld { booking } => self.hold(booking),
            Change::BookingConfirmed { booking } => {
                self.release(booking);
                self.set_stay(booking, true);
            }
            Change::BookingCancelled { booking } => {
                self.release(booking);
                self.set_stay(booking, false);
            }
            Change::BookingFailed { booking } | Change::BookingExpired { booking } => {
                self.release(booking);
            }
            Change::BookingRequested { .. }
            | Change::BookingPaid { .. }
            | Change::PaymentRefunded { .. }
            | Change::CalendarConflict { .. }
            | Change::UserErased { .. } => {}
        }
    }

    pub(crate) fn upsert(&mut self, property: &Property) -> Upsert {
        let id = property_key(&property.id);
        if let Some(slot) = self.listings.slot(id)
            && property.version >= self.listings.versions[slot as usize]
        {
            self.orders.remove(&self.listings, slot);
        }
        let outcome = self.listings.upsert(id, property);
        match outcome {
            Upsert::Added(slot) => {
                self.nights.push_row();
                self.orders.insert(&self.listings, slot);
            }
            Upsert::Updated(slot) => self.orders.insert(&self.listings, slot),
            Upsert::Stale => {}
        }
        outcome
    }

    pub(crate) fn slot(&self, id: &PropertyId) -> Option<u32> {
        let slot = self.listings.slot(property_key(id));
        if slot.is_none() {
            tracing::warn!(property_id = %id, "event for a property the index does not know");
        }
        slot
    }

    fn hold(&mut self, booking: &Booking) {
        let Some(slot) = self.slot(&booking.property_id) else {
            return;
        };
        let hold = Hold {
            booking: booking_key(&booking.id),
            from: day(booking.check_in),
            to: day(booking.check_out),
            // A hold without an expiry lasts until its booking settles.
            expires_at: booking.hold_expires_at().map_or(i64::MAX, instant),
        };
        self.holds.hold(slot, hold);
        self.listings.cards[slot as usize].held = true;
    }

    /// Frees whatever `booking` holds at its property; other bookings' holds stay.
    fn release(&mut self, booking: &Booking) {
        let Some(slot) = self.slot(&booking.property_id) else {
            return;
        };
        let still_held = self.holds.release(slot, booking_key(&booking.id));
        self.listings.cards[slot as usize].held = still_held;
    }

    fn set_stay(&mut self, booking: &Booking, closed: bool) {
        let Some(slot) = self.slot(&booking.property_id) else {
            return;
        };
        self.nights
            .set_range(slot, day(booking.check_in), day(booking.check_out), closed);
    }
}

pub(crate) fn day(date: Date) -> Day {
    use chrono::Datelike;
    date.naive().num_days_from_ce()
}

pub(crate) fn property_key(id: &PropertyId) -> u128 {
    hex_key(id.as_str(), PropertyId::PREFIX)
}

pub(crate) fn property_id(key: u128) -> PropertyId {
    PropertyId::from_uuid(uuid::Uuid::from_u128(key))
}

pub(crate) fn booking_key(id: &BookingId) -> u128 {
    hex_key(id.as_str(), BookingId::PREFIX)
}

/// Minted ids are a prefix and 32 hex digits (checked when they were parsed).
fn hex_key(id: &str, prefix: &str) -> u128 {
    u128::from_str_radix(&id[prefix.len()..], 16).unwrap_or_default()
}

/// An instant as nanoseconds since the Unix epoch, exact so that a hold
/// expiring a nanosecond after a query still counts; instants past 2262 are
/// as good as never.
pub(crate) fn instant(at: Timestamp) -> i64 {
    at.timestamp_nanos_opt().unwrap_or(i64::MAX)
}
