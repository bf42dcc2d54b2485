//! Per-night availability of every property over a window of days that
//! rolls forward with the calendar, plus the rare closed nights that lie
//! beyond the window.
//!
//! A set bit is a *closed* night: blocked by the host or booked. Holds are
//! kept apart (see `holds`) because they end by themselves.
//!
//! The bits are stored column-major: one column per 64-day word, each
//! holding that word for every slot. A query checks the same one to three
//! words of every candidate, so it streams 8 bytes per candidate and word
//! instead of pulling a whole row into cache; and rolling the window is
//! dropping the oldest column.

use std::collections::{BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};

/// Days are numbered from the common era (chrono's `num_days_from_ce`).
pub type Day = i32;

/// Words per property: 15 × 64 = 960 days. A stay starts at most 730 days
/// ahead and lasts at most 90 nights, so the window needs to reach 820 days
/// past today; it starts 64 to 128 days before today.
pub const WORDS: usize = 15;
pub const WINDOW_DAYS: Day = (WORDS * 64) as Day;
/// The window moves by whole words once today is this far past its start.
const ROLL_AFTER: Day = 128;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NightRows {
    /// The first day of the window; always a multiple of 64.
    first_day: Day,
    /// `columns[w][slot]`: days `first_day + 64w ..` of `slot`.
    columns: VecDeque<Vec<u64>>,
    /// Closed nights past the window's end, as (slot, day).
    beyond: BTreeSet<(u32, Day)>,
}

impl NightRows {
    pub fn new(today: Day) -> Self {
        Self {
            first_day: window_start(today),
            columns: (0..WORDS).map(|_| Vec::new()).collect(),
            beyond: BTreeSet::new(),
        }
    }

    /// Adds an all-open row for a new slot.
    pub fn push_row(&mut self) {
        for column in &mut self.columns {
            column.push(0);
        }
    }

    pub fn rows(&self) -> usize {
        self.columns[0].len()
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
        let cell = &mut self.columns[word][slot as usize];
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
    #[inline]
    pub fn all_open(&self, slot: u32, from: Day, to: Day) -> bool {
        let start = (from - self.first_day).max(0);
        let end = (to - self.first_day).min(WINDOW_DAYS);
        if start < end {
            let closed = words(start as usize, end as usize)
                .any(|(w, mask)| self.columns[w][slot as usize] & mask != 0);
            if closed {
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
        if start >= end || self.rows() == 0 {
            return 0.0;
        }
        let closed: u64 = words(start, end)
            .map(|(w, mask)| {
                self.columns[w]
                    .iter()
                    .map(|word| u64::from((word & mask).count_ones()))
                    .sum::<u64>()
            })
            .sum();
        closed as f64 / ((end - start) * self.rows()) as f64
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
            for _ in 0..(shift / 64).min(WORDS as Day) {
                let mut column = self.columns.pop_front().expect("the window has columns");
                column.fill(0);
                self.columns.push_back(column);
            }
        } else {
            // The clock went back: the nights now in front are unknown, so
            // start over from what lies beyond.
            let closed = self.closed_in_window();
            self.columns.iter_mut().for_each(|c| c.fill(0));
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
        for (w, column) in self.columns.iter().enumerate() {
            for (slot, word) in column.iter().enumerate() {
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
        for column in &mut self.columns {
            *column = order.iter().map(|old| column[*old as usize]).collect();
        }
        self.beyond = self
            .beyond
            .iter()
            .map(|(slot, day)| (new_slot_of[*slot as usize], *day))
            .collect();
    }

    pub fn heap_bytes(&self) -> usize {
        self.columns.iter().map(|c| c.capacity() * 8).sum::<usize>()
            + self.beyond.len() * 2 * std::mem::size_of::<(u32, Day)>()
    }
}

/// The window start for `today`: a multiple of 64, 64 to 127 days before it.
fn window_start(today: Day) -> Day {
    (today - 64).div_euclid(64) * 64
}

/// The words that window offsets `start..end` (not empty) touch, each with
/// the mask of its bits in the range.
#[inline]
fn words(start: usize, end: usize) -> impl Iterator<Item = (usize, u64)> {
    let (first, last) = (start / 64, (end - 1) / 64);
    (first..=last).map(move |w| {
        let lo = if w == first { start % 64 } else { 0 };
        let hi = if w == last { (end - 1) % 64 + 1 } else { 64 };
        let mask = if hi - lo == 64 {
            u64::MAX
        } else {
            ((1u64 << (hi - lo)) - 1) << lo
        };
        (w, mask)
    })
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
