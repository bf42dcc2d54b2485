//! The newest version applied of each booking, so a late event (the feed
//! keeps no order across a booking's events) changes nothing: a
//! `BookingConfirmed` arriving after `BookingCancelled` must not close the
//! nights again. A booking is forgotten once its stay has left the night
//! window: no event about it can change the index any more.

use std::collections::HashMap;

use berth_domain::booking::Booking;
use berth_domain::projections::is_current;
use serde::{Deserialize, Serialize};

use super::nights::Day;
use super::{booking_key, day};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingVersions {
    /// Booking key → (newest version applied, its stay's check-out day).
    latest: HashMap<u128, (u64, Day)>,
}

impl BookingVersions {
    /// Whether an event leaving `booking` as it is should be applied; if so,
    /// it becomes the newest applied.
    pub fn admit(&mut self, booking: &Booking) -> bool {
        let key = booking_key(&booking.id);
        let applied = self.latest.get(&key).map(|(version, _)| *version);
        if !is_current(applied, booking.version()) {
            return false;
        }
        self.latest
            .insert(key, (booking.version(), day(booking.check_out)));
        true
    }

    /// Forgets bookings whose stay ended before `today`.
    pub fn prune(&mut self, today: Day) {
        self.latest.retain(|_, (_, check_out)| *check_out >= today);
    }

    pub fn heap_bytes(&self) -> usize {
        self.latest.capacity() * (std::mem::size_of::<(u128, (u64, Day))>() + 1)
    }
}
