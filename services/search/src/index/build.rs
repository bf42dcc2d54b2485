//! Bulk loading: an index built from a store's properties and night records
//! rather than from the whole event history. Slots are laid out by city and
//! grid cell, so that a city's (or an area's) properties sit side by side
//! in every column.

use std::collections::HashMap;

use berth_domain::calendar::NightState;
use berth_domain::dates::{Date, Stay, Timestamp};
use berth_domain::ids::{BookingId, PropertyId};
use berth_domain::property::Property;

use super::listings::{grid_column, grid_row};
use super::{Day, Hold, Index, Positions, booking_key, day, instant, property_key};

/// Night records came for a property that was not added first.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("nights for property {0}, which was not added")]
pub struct UnknownProperty(pub PropertyId);

pub struct IndexBuilder {
    index: Index,
    /// Held nights by (slot, booking): the days and the hold's expiry.
    held: HashMap<(u32, u128), (Vec<Day>, i64)>,
}

impl IndexBuilder {
    pub(super) fn new(today: Date, positions: Positions) -> Self {
        let mut index = Index::new(today);
        index.positions = positions;
        index.orders.deferred = true;
        Self {
            index,
            held: HashMap::new(),
        }
    }

    /// Adds a property (a later version of the same one replaces it).
    pub fn add_property(&mut self, property: &Property) {
        self.index.upsert(property);
    }

    /// Adds a property's night records (free nights have none): blocked,
    /// booked, and held ones with their booking and expiry.
    pub fn add_nights<'a>(
        &mut self,
        property: &PropertyId,
        nights: impl IntoIterator<Item = (Date, &'a NightState)>,
    ) -> Result<(), UnknownProperty> {
        let slot = self.slot(property)?;
        for (date, state) in nights {
            match state {
                NightState::Blocked | NightState::Booked { .. } | NightState::Imported { .. } => {
                    self.index.nights.set(slot, day(date), true);
                }
                NightState::Held {
                    booking_id,
                    expires_at,
                } => {
                    let entry = self
                        .held
                        .entry((slot, booking_key(booking_id)))
                        .or_insert_with(|| (Vec::new(), instant(*expires_at)));
                    entry.0.push(day(date));
                }
            }
        }
        Ok(())
    }

    /// Adds a booking's hold over a whole stay.
    pub fn add_hold(
        &mut self,
        property: &PropertyId,
        booking: &BookingId,
        stay: Stay,
        expires_at: Timestamp,
    ) -> Result<(), UnknownProperty> {
        let slot = self.slot(property)?;
        let entry = self
            .held
            .entry((slot, booking_key(booking)))
            .or_insert_with(|| (Vec::new(), instant(expires_at)));
        entry.0.extend(stay.dates().map(day));
        Ok(())
    }

    fn slot(&self, property: &PropertyId) -> Result<u32, UnknownProperty> {
        self.index
            .listings
            .slot(property_key(property))
            .ok_or_else(|| UnknownProperty(property.clone()))
    }

    /// The finished index, its slots laid out by city and place.
    pub fn finish(self) -> Index {
        let Self { mut index, held } = self;
        for ((slot, booking), (mut days, expires_at)) in held {
            days.sort_unstable();
            days.dedup();
            for (from, to) in runs(&days) {
                index.holds.add(
                    slot,
                    Hold {
                        booking,
                        from,
                        to,
                        expires_at,
                    },
                );
            }
            index.listings.cards[slot as usize].held = true;
        }
        cluster(&mut index);
        index
    }
}

/// Consecutive days as `from..to` ranges.
fn runs(days: &[Day]) -> Vec<(Day, Day)> {
    let mut runs: Vec<(Day, Day)> = Vec::new();
    for day in days {
        match runs.last_mut() {
            Some((_, to)) if *to == *day => *to += 1,
            _ => runs.push((*day, day + 1)),
        }
    }
    runs
}

/// Renumbers slots in (city, grid cell, id) order.
pub(super) fn cluster(index: &mut Index) {
    let listings = &index.listings;
    let mut order: Vec<u32> = (0..listings.len() as u32).collect();
    order.sort_unstable_by_key(|slot| {
        let s = *slot as usize;
        let (lat, lon) = listings.locations[s];
        (
            listings.cities[s],
            grid_row(lat),
            grid_column(lon),
            listings.ids[s],
        )
    });
    let mut new_slot_of = vec![0; order.len()];
    for (new, old) in order.iter().enumerate() {
        new_slot_of[*old as usize] = new as u32;
    }
    index.listings.permute(&order, &new_slot_of);
    index.nights.permute(&order, &new_slot_of);
    index.holds.remap(&new_slot_of);
    index.orders.rebuild(&index.listings);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_days_become_ranges() {
        assert_eq!(runs(&[1, 2, 3, 7, 9, 10]), vec![(1, 4), (7, 8), (9, 11)]);
        assert!(runs(&[]).is_empty());
    }
}
