//! Per-night availability of every property: one bitset row per property
//! over a window of days that rolls forward with the calendar, plus the rare
//! closed nights that lie beyond the window.
//!
//! A set bit is a *closed* night: blocked by the host or booked. Holds are
//! kept apart (see `holds`) because they end by themselves.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

/// Days are numbered from the common era (chrono's `num_days_from_ce`).
pub type Day = i32;

/// Words per property row: 15 × 64 = 960 days. A stay starts at most 730
/// days ahead and lasts at most 90 nights, so the window needs to reach 820
/// days past today; it starts 64 to 128 days before today.
pub const WORDS: usize = 15;
pub const WINDOW_DAYS: Day = (WORDS * 64) as Day;
/// The window moves by whole words once today is this far past its start.
const ROLL_AFTER: Day = 128;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NightRows {
    /// The first day of the window; always a multiple of 64.
    first_day: Day,
    words: Vec<u64>,
    /// Closed nights past the window's end, as (slot, day).
    beyond: BTreeSet<(u32, Day)>,
}

impl NightRows {
    pub fn new(today: Day) -> Self {
        Self {
            first_day: window_start(today),
            words: Vec::new(),
            beyond: BTreeSet::new(),
        }
    }

    /// Adds an all-open row for a new slot.
    pub fn push_row(&mut self) {
        self.words.extend_from_slice(&[0; WORDS]);
    }

    pub fn rows(&self) -> usize {
        self.words.len() / WORDS
    }

    /// Marks a night closed or open. Nights before the window are in the
    /// past and no longer matter.
    pub fn set(&mut self, slot: u32, day: Day, closed: bool) {
        let offset = day - self.first_day;
        if offset < 0 {
            return;
        }
        if offset >= WINDOW_DAYS {
            if closed {
                self.beyond.insert((slot, day));
            } else {
                self.beyond.remove(&(slot, day));
            }
            return;
        }
        let (word, bit) = (offset as usize / 64, offset as usize % 64);
        let cell = &mut self.words[slot as usize * WORDS + word];
        if closed {
            *cell |= 1 << bit;
        } else {
            *cell &= !(1 << bit);
        }
    }

    pub fn set_range(&mut self, slot: u32, from: Day, to: Day, closed: bool) {
        for day in from..to {
            self.set(slot, day, closed);
        }
    }

    /// Whether every night of `from..to` is open (days before the window count as open).
    pub fn all_open(&self, slot: u32, from: Day, to: Day) -> bool {
        let start = (from - self.first_day).max(0);
        let end = (to - self.first_day).min(WINDOW_DAYS);
        if start < end {
            let row = &self.words[slot as usize * WORDS..][..WORDS];
            if !range_clear(row, start as usize, end as usize) {
                return false;
            }
        }
        let beyond_from = from.max(self.first_day + WINDOW_DAYS);
        beyond_from >= to
            || self
                .beyond
                .range((slot, beyond_from)..(slot, to))
                .next()
                .is_none()
    }

    /// The share of closed nights over the booking horizon from `today`.
    pub fn closed_share(&self, today: Day) -> f64 {
        let start = (today - self.first_day).clamp(0, WINDOW_DAYS) as usize;
        let end = (today + 820 - self.first_day).clamp(0, WINDOW_DAYS) as usize;
        let closed: u64 = self.words.chunks_exact(WORDS).map(|row| count_set(row, start, end)).sum();
        let total = (end - start) * self.rows();
        if total == 0 { 0.0 } else { closed as f64 / total as f64 }
    }

    /// Whether the window no longer reaches far enough past `today`.
    pub fn is_stale(&self, today: Day) -> bool {
        today - self.first_day >= ROLL_AFTER || today < self.first_day
    }

    /// Moves the window so that it starts 64 to 128 days before `today`,
    /// forgetting past nights and taking in closed nights it now reaches.
    pub fn roll(&mut self, today: Day) {
        let start = window_start(today);
        let shift = start - self.first_day;
        if shift == 0 {
            return;
        }
        if shift > 0 {
            let words = (shift / 64) as usize;
            for row in self.words.chunks_exact_mut(WORDS) {
                if words >= WORDS {
                    row.fill(0);
                } else {
                    row.copy_within(words.., 0);
                    row[WORDS - words..].fill(0);
                }
            }
        } else {
            // The clock went back: the nights now in front are unknown, so
            // start over from what lies beyond.
            let closed = self.closed_in_window();
            self.words.fill(0);
            self.beyond.extend(closed);
        }
        self.first_day = start;
        let end = start + WINDOW_DAYS;
        let reached: Vec<(u32, Day)> = self
            .beyond
            .iter()
            .filter(|(_, d)| *d < end)
            .copied()
            .collect();
        for (slot, day) in reached {
            self.beyond.remove(&(slot, day));
            self.set(slot, day, true);
        }
    }

    fn closed_in_window(&self) -> Vec<(u32, Day)> {
        let mut closed = Vec::new();
        for (slot, row) in self.words.chunks_exact(WORDS).enumerate() {
            for (w, word) in row.iter().enumerate() {
                let mut bits = *word;
                while bits != 0 {
                    let bit = bits.trailing_zeros() as Day;
                    closed.push((slot as u32, self.first_day + w as Day * 64 + bit));
                    bits &= bits - 1;
                }
            }
        }
        closed
    }

    /// Reorders rows: row `i` of the result is row `order[i]` of `self`.
    pub fn permute(&mut self, order: &[u32], new_slot_of: &[u32]) {
        let mut words = vec![0; self.words.len()];
        for (new, old) in order.iter().enumerate() {
            let old = *old as usize;
            words[new * WORDS..][..WORDS].copy_from_slice(&self.words[old * WORDS..][..WORDS]);
        }
        self.words = words;
        self.beyond = self
            .beyond
            .iter()
            .map(|(slot, day)| (new_slot_of[*slot as usize], *day))
            .collect();
    }

    pub fn heap_bytes(&self) -> usize {
        self.words.capacity() * 8 + self.beyond.len() * 2 * std::mem::size_of::<(u32, Day)>()
    }
}

/// The window start for `today`: a multiple of 64, 64 to 127 days before it.
fn window_start(today: Day) -> Day {
    (today - 64).div_euclid(64) * 64
}

/// Each word of `row` that bits `start..end` (not empty) touch, masked to them.
fn masked(row: &[u64], start: usize, end: usize) -> impl Iterator<Item = u64> + '_ {
    let (first, last) = (start / 64, (end - 1) / 64);
    row[first..=last].iter().enumerate().map(move |(i, word)| {
        let w = first + i;
        let lo = if w == first { start % 64 } else { 0 };
        let hi = if w == last { (end - 1) % 64 + 1 } else { 64 };
        let mask = if hi - lo == 64 { u64::MAX } else { ((1u64 << (hi - lo)) - 1) << lo };
        word & mask
    })
}

/// Whether bits `start..end` (not empty) of `row` are all clear.
fn range_clear(row: &[u64], start: usize, end: usize) -> bool {
    masked(row, start, end).all(|word| word == 0)
}

fn count_set(row: &[u64], start: usize, end: usize) -> u64 {
    if start >= end {
        return 0;
    }
    masked(row, start, end).map(|word| u64::from(word.count_ones())).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(today: Day) -> NightRows {
        let mut rows = NightRows::new(today);
        rows.push_row();
        rows.push_row();
        rows
    }

    #[test]
    fn the_window_covers_the_whole_booking_horizon() {
        for today in 700_000..700_200 {
            let rows = NightRows::new(today);
            assert!(rows.first_day <= today);
            assert!(rows.first_day + WINDOW_DAYS > today + 820);
            assert!(!rows.is_stale(today));
        }
    }

    #[test]
    fn ranges_see_closed_nights_across_word_edges() {
        let today = 700_000;
        let mut rows = rows(today);
        let day = rows.first_day + 127;
        rows.set(1, day, true);
        assert!(rows.all_open(0, day, day + 1), "other rows stay open");
        assert!(!rows.all_open(1, day - 90, day + 1));
        assert!(!rows.all_open(1, day, day + 90));
        assert!(rows.all_open(1, day - 90, day));
        assert!(rows.all_open(1, day + 1, day + 91));
        rows.set(1, day, false);
        assert!(rows.all_open(1, day, day + 1));
    }

    #[test]
    fn nights_beyond_the_window_are_kept_and_rolled_in() {
        let today = 700_000;
        let mut rows = rows(today);
        let far = rows.first_day + WINDOW_DAYS + 10;
        rows.set(0, far, true);
        assert!(!rows.all_open(0, far - 5, far + 5));
        let later = today + 200;
        assert!(rows.is_stale(later));
        rows.roll(later);
        assert!(!rows.is_stale(later));
        assert!(rows.beyond.is_empty());
        assert!(!rows.all_open(0, far, far + 1));
        assert!(rows.all_open(0, far + 1, far + 2));
    }

    #[test]
    fn rolling_forgets_the_past_and_keeps_the_future() {
        let today = 700_000;
        let mut rows = rows(today);
        rows.set(0, today, true);
        rows.set(0, today + 500, true);
        rows.roll(today + 300);
        assert!(
            rows.all_open(0, today - 10, today + 1),
            "past nights are forgotten"
        );
        assert!(!rows.all_open(0, today + 500, today + 501));
        rows.roll(today);
        assert!(
            !rows.all_open(0, today + 500, today + 501),
            "survives the clock going back"
        );
    }
}
