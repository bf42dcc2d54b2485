//! Nights held by bookings that have not settled yet. A hold ends by itself
//! at its expiry, so it is never folded into the closed-night bitsets: a hold
//! is checked against the time of the query. Several bookings may hold the
//! same night over time (a later one after an earlier one expired); each
//! booking's hold is kept and released on its own, so releasing a stale hold
//! never frees nights that another booking holds now. Whether a hold has
//! lapsed is the domain's rule (`calendar::hold_lapsed`), on nanoseconds.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use berth_domain::calendar::hold_lapsed;
use serde::{Deserialize, Serialize};

use super::nights::Day;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Hold {
    pub booking: u128,
    pub from: Day,
    pub to: Day,
    /// Nanoseconds since the Unix epoch (see `index::instant`).
    pub expires_at: i64,
}

impl Hold {
    fn is_live_over(&self, from: Day, to: Day, now_ns: i64) -> bool {
        !hold_lapsed(self.expires_at, now_ns) && self.from < to && from < self.to
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Holds {
    by_slot: HashMap<u32, Vec<Hold>, BuildHasherDefault<SlotHasher>>,
}

/// Slots are small integers chosen by the index, not by callers: a
/// multiplicative hash is enough, and far cheaper than SipHash on the
/// query path.
#[derive(Default)]
pub struct SlotHasher(u64);

impl Hasher for SlotHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*byte)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u32(&mut self, slot: u32) {
        self.0 = u64::from(slot).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl Holds {
    /// Records that `hold.booking` holds `hold.from..hold.to`, replacing
    /// whatever that booking held before at this property.
    pub fn hold(&mut self, slot: u32, hold: Hold) {
        let holds = self.by_slot.entry(slot).or_default();
        holds.retain(|h| h.booking != hold.booking);
        holds.push(hold);
    }

    /// Adds a held range without replacing the booking's other ranges (bulk loading).
    pub fn add(&mut self, slot: u32, hold: Hold) {
        self.by_slot.entry(slot).or_default().push(hold);
    }

    /// Forgets `booking`'s hold at this property. Answers whether the slot
    /// still has holds.
    pub fn release(&mut self, slot: u32, booking: u128) -> bool {
        let Some(holds) = self.by_slot.get_mut(&slot) else {
            return false;
        };
        holds.retain(|h| h.booking != booking);
        if holds.is_empty() {
            self.by_slot.remove(&slot);
            return false;
        }
        true
    }

    /// Whether no live hold at `now_ns` covers a night of `from..to`.
    pub fn all_free(&self, slot: u32, from: Day, to: Day, now_ns: i64) -> bool {
        self.by_slot
            .get(&slot)
            .is_none_or(|holds| !holds.iter().any(|h| h.is_live_over(from, to, now_ns)))
    }

    /// Drops holds that expired by `now_ns`: they can never matter again.
    /// Answers the slots left without holds.
    pub fn prune(&mut self, now_ns: i64) -> Vec<u32> {
        let mut emptied = Vec::new();
        self.by_slot.retain(|slot, holds| {
            holds.retain(|h| !hold_lapsed(h.expires_at, now_ns));
            if holds.is_empty() {
                emptied.push(*slot);
            }
            !holds.is_empty()
        });
        emptied
    }

    pub fn remap(&mut self, new_slot_of: &[u32]) {
        self.by_slot = std::mem::take(&mut self.by_slot)
            .into_iter()
            .map(|(slot, holds)| (new_slot_of[slot as usize], holds))
            .collect();
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.by_slot.values().map(Vec::len).sum()
    }

    pub fn heap_bytes(&self) -> usize {
        let entry = std::mem::size_of::<(u32, Vec<Hold>)>() + 1;
        self.by_slot.capacity() * entry
            + self
                .by_slot
                .values()
                .map(|v| v.capacity() * std::mem::size_of::<Hold>())
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hold(booking: u128, from: Day, to: Day, expires_at: i64) -> Hold {
        Hold {
            booking,
            from,
            to,
            expires_at,
        }
    }

    #[test]
    fn a_hold_counts_until_it_expires() {
        let mut holds = Holds::default();
        holds.hold(3, hold(1, 10, 13, 1_000));
        assert!(!holds.all_free(3, 12, 14, 999));
        assert!(holds.all_free(3, 12, 14, 1_000));
        assert!(holds.all_free(3, 13, 20, 0), "check-out night is not held");
        assert!(
            holds.all_free(4, 10, 13, 0),
            "other properties are untouched"
        );
    }

    #[test]
    fn releasing_a_stale_hold_keeps_the_newer_one() {
        let mut holds = Holds::default();
        holds.hold(0, hold(1, 10, 13, 1_000));
        holds.hold(0, hold(2, 10, 13, 5_000));
        assert!(holds.release(0, 1));
        assert!(!holds.all_free(0, 10, 11, 2_000));
        assert!(!holds.release(0, 2));
        assert!(holds.all_free(0, 10, 11, 2_000));
    }

    #[test]
    fn holding_again_replaces_and_pruning_drops_expired() {
        let mut holds = Holds::default();
        holds.hold(0, hold(1, 10, 13, 1_000));
        holds.hold(0, hold(1, 20, 22, 1_000));
        assert!(holds.all_free(0, 10, 13, 0));
        assert_eq!(holds.len(), 1);
        holds.hold(1, hold(2, 1, 2, 3_000));
        assert_eq!(holds.prune(1_000), vec![0]);
        assert_eq!(holds.len(), 1);
    }
}
