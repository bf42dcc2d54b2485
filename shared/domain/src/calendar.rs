//! A property's nights. A night with no record is free; otherwise it is held
//! by one booking until an expiry, booked by one booking, blocked by the
//! host, or imported: closed by an event of a calendar the host imports
//! from another channel.

use serde::{Deserialize, Serialize};

use crate::dates::{Date, DateRange, Timestamp};
use crate::ids::{BookingId, FeedId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NightState {
    Held {
        booking_id: BookingId,
        expires_at: Timestamp,
    },
    Booked {
        booking_id: BookingId,
    },
    Blocked,
    /// Sold or closed on another channel: `event_uid` of feed `feed_id`.
    Imported {
        feed_id: FeedId,
        event_uid: String,
    },
}

/// One night's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Night {
    pub date: Date,
    #[serde(flatten)]
    pub state: NightState,
}

/// The lapse rule: a hold lapses at its expiry (not after), and a lapsed
/// hold is as good as free. `T` is any reading of the clock, so stores and
/// indexes that keep milliseconds or nanoseconds apply the same rule.
pub fn hold_lapsed<T: PartialOrd>(expires_at: T, now: T) -> bool {
    expires_at <= now
}

impl NightState {
    /// Whether a guest could take this night at `now`: an expired hold is as
    /// good as free.
    pub fn is_taken(&self, now: Timestamp) -> bool {
        match self {
            NightState::Held { expires_at, .. } => !hold_lapsed(*expires_at, now),
            NightState::Booked { .. } | NightState::Blocked | NightState::Imported { .. } => true,
        }
    }

    /// A night may be held by `booking` if it is free (no record), its hold
    /// has lapsed, or `booking` already holds it (so a retry is a no-op);
    /// docs/architecture.md, "The booking protocol".
    pub fn may_be_held_by(&self, booking: &BookingId, now: Timestamp) -> bool {
        match self {
            NightState::Held {
                booking_id,
                expires_at,
            } => booking_id == booking || hold_lapsed(*expires_at, now),
            NightState::Booked { .. } | NightState::Blocked | NightState::Imported { .. } => false,
        }
    }

    pub fn booking(&self) -> Option<&BookingId> {
        match self {
            NightState::Held { booking_id, .. } | NightState::Booked { booking_id } => {
                Some(booking_id)
            }
            NightState::Blocked | NightState::Imported { .. } => None,
        }
    }

    /// The feed that imported this night, if one did.
    pub fn feed(&self) -> Option<&FeedId> {
        match self {
            NightState::Imported { feed_id, .. } => Some(feed_id),
            _ => None,
        }
    }
}

/// The rules of every write to a night, given its record (`None`: free) and
/// the time. Each store applies these and nothing else: the embedded store
/// calls them, and the DynamoDB conditions are bound to them by a test.
pub mod rules {
    use super::{NightState, hold_lapsed};
    use crate::dates::Timestamp;
    use crate::ids::{BookingId, FeedId};

    /// Reserve: free, a lapsed hold, or held by `booking` already.
    pub fn may_hold(night: Option<&NightState>, booking: &BookingId, now: Timestamp) -> bool {
        night.is_none_or(|state| state.may_be_held_by(booking, now))
    }

    /// Confirm: only the booking holding the night books it (its hold may
    /// have lapsed, if no one took the night meanwhile).
    pub fn may_book(night: Option<&NightState>, booking: &BookingId) -> bool {
        matches!(night, Some(NightState::Held { booking_id, .. }) if booking_id == booking)
    }

    /// Release: a booking frees only the nights it holds or has booked.
    pub fn may_release(night: Option<&NightState>, booking: &BookingId) -> bool {
        matches!(night, Some(NightState::Held { booking_id, .. } | NightState::Booked { booking_id }) if booking_id == booking)
    }

    /// A host blocks a free night, a lapsed hold or an imported night (the
    /// host's own block outlasts the feed's), never a guest's night.
    pub fn may_block(night: Option<&NightState>, now: Timestamp) -> bool {
        match night {
            None | Some(NightState::Imported { .. }) => true,
            Some(NightState::Held { expires_at, .. }) => hold_lapsed(*expires_at, now),
            Some(NightState::Booked { .. } | NightState::Blocked) => false,
        }
    }

    /// A host unblocks only a blocked night.
    pub fn may_unblock(night: Option<&NightState>) -> bool {
        matches!(night, Some(NightState::Blocked))
    }

    /// Import (a feed's sync): exactly as a Reserve, a free night or a lapsed
    /// hold, or a night this feed imported already (an event moved to it).
    /// A guest's night stays the guest's (the collision is a conflict), a
    /// host's block stays, and another feed's night stays that feed's.
    pub fn may_import(night: Option<&NightState>, feed: &FeedId, now: Timestamp) -> bool {
        match night {
            None => true,
            Some(NightState::Held { expires_at, .. }) => hold_lapsed(*expires_at, now),
            Some(NightState::Imported { feed_id, .. }) => feed_id == feed,
            Some(NightState::Booked { .. } | NightState::Blocked) => false,
        }
    }

    /// A feed frees only the nights it imported.
    pub fn may_unimport(night: Option<&NightState>, feed: &FeedId) -> bool {
        matches!(night, Some(NightState::Imported { feed_id, .. }) if feed_id == feed)
    }
}

/// What a guest sees of one night.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    Available,
    Unavailable,
}

/// Each day of `range` with whether it can be booked, given the records that
/// exist in it (in any order).
pub fn availability(
    range: DateRange,
    nights: &[Night],
    now: Timestamp,
) -> Vec<(Date, Availability)> {
    let mut taken = vec![false; range.len() as usize];
    for night in nights {
        if range.contains(night.date) && night.state.is_taken(now) {
            taken[range.from.days_until(night.date) as usize] = true;
        }
    }
    range
        .days()
        .zip(taken)
        .map(|(date, taken)| {
            let status = if taken {
                Availability::Unavailable
            } else {
                Availability::Available
            };
            (date, status)
        })
        .collect()
}

/// The first night of `dates` that `booking` may not hold, given the records.
pub fn first_unholdable(
    dates: impl IntoIterator<Item = Date>,
    nights: &[Night],
    booking: &BookingId,
    now: Timestamp,
) -> Option<Date> {
    dates.into_iter().find(|date| {
        nights
            .iter()
            .any(|n| n.date == *date && !n.state.may_be_held_by(booking, now))
    })
}

/// How a host's block or unblock of a range lands on its nights.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarPlan {
    /// These nights change; the rest already were as asked.
    Change(Vec<Date>),
    /// A guest holds or has booked these nights: a host cannot block them.
    Taken(Vec<Date>),
}

/// Plans blocking (or unblocking) every night of `range`. Blocking a free
/// night or an expired hold blocks it; blocking a live hold or a booking is
/// refused. Unblocking touches only blocked nights.
pub fn plan_blocking(
    range: DateRange,
    blocked: bool,
    nights: &[Night],
    now: Timestamp,
) -> CalendarPlan {
    let state_of = |date: Date| nights.iter().find(|n| n.date == date).map(|n| &n.state);
    if blocked {
        let taken: Vec<Date> = range
            .days()
            .filter(|d| {
                let night = state_of(*d);
                !rules::may_unblock(night) && !rules::may_block(night, now)
            })
            .collect();
        if !taken.is_empty() {
            return CalendarPlan::Taken(taken);
        }
        CalendarPlan::Change(
            range
                .days()
                .filter(|d| !rules::may_unblock(state_of(*d)))
                .collect(),
        )
    } else {
        CalendarPlan::Change(
            range
                .days()
                .filter(|d| rules::may_unblock(state_of(*d)))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, Utc};

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    fn held(date: &str, by: &BookingId, expires_at: Timestamp) -> Night {
        Night {
            date: d(date),
            state: NightState::Held {
                booking_id: by.clone(),
                expires_at,
            },
        }
    }

    #[test]
    fn an_expired_hold_is_free_and_a_live_one_is_not() {
        let now = Utc::now();
        let other = BookingId::generate();
        let me = BookingId::generate();
        let live = NightState::Held {
            booking_id: other.clone(),
            expires_at: now + Duration::minutes(1),
        };
        let expired = NightState::Held {
            booking_id: other,
            expires_at: now,
        };
        assert!(live.is_taken(now) && !live.may_be_held_by(&me, now));
        assert!(!expired.is_taken(now) && expired.may_be_held_by(&me, now));
    }

    #[test]
    fn a_booking_may_hold_again_what_it_already_holds() {
        let now = Utc::now();
        let me = BookingId::generate();
        let mine = held("2027-01-01", &me, now + Duration::minutes(5));
        assert!(mine.state.may_be_held_by(&me, now));
        assert_eq!(first_unholdable([d("2027-01-01")], &[mine], &me, now), None);
        let booked = Night {
            date: d("2027-01-02"),
            state: NightState::Booked {
                booking_id: me.clone(),
            },
        };
        assert!(!booked.state.may_be_held_by(&me, now), "booked is final");
        assert_eq!(
            first_unholdable([d("2027-01-01"), d("2027-01-02")], &[booked], &me, now),
            Some(d("2027-01-02"))
        );
    }

    #[test]
    fn availability_lists_every_day_of_the_range() {
        let now = Utc::now();
        let range = DateRange::new(d("2027-01-01"), d("2027-01-04"), 10).unwrap();
        let nights = [
            Night {
                date: d("2027-01-02"),
                state: NightState::Blocked,
            },
            held(
                "2027-01-03",
                &BookingId::generate(),
                now - Duration::seconds(1),
            ),
        ];
        let statuses: Vec<Availability> = availability(range, &nights, now)
            .into_iter()
            .map(|(_, a)| a)
            .collect();
        assert_eq!(
            statuses,
            [
                Availability::Available,
                Availability::Unavailable,
                Availability::Available
            ]
        );
    }

    #[test]
    fn blocking_refuses_live_guest_nights_and_unblocking_touches_only_blocks() {
        let now = Utc::now();
        let range = DateRange::new(d("2027-01-01"), d("2027-01-04"), 10).unwrap();
        let guest = held(
            "2027-01-02",
            &BookingId::generate(),
            now + Duration::minutes(1),
        );
        assert_eq!(
            plan_blocking(range, true, std::slice::from_ref(&guest), now),
            CalendarPlan::Taken(vec![d("2027-01-02")])
        );
        let blocked = Night {
            date: d("2027-01-01"),
            state: NightState::Blocked,
        };
        assert_eq!(
            plan_blocking(range, true, std::slice::from_ref(&blocked), now),
            CalendarPlan::Change(vec![d("2027-01-02"), d("2027-01-03")])
        );
        assert_eq!(
            plan_blocking(range, false, &[blocked, guest], now),
            CalendarPlan::Change(vec![d("2027-01-01")])
        );
    }

    #[test]
    fn an_import_takes_what_a_reserve_takes_and_keeps_off_guests_blocks_and_other_feeds() {
        let now = Utc::now();
        let (feed, other) = (FeedId::generate(), FeedId::generate());
        let booking = BookingId::generate();
        let imported = |feed_id: &FeedId| NightState::Imported {
            feed_id: feed_id.clone(),
            event_uid: "a".into(),
        };
        let held = |minutes| NightState::Held {
            booking_id: booking.clone(),
            expires_at: now + Duration::minutes(minutes),
        };
        let cases = [
            (None, true),
            (Some(held(-1)), true),
            (Some(held(1)), false),
            (
                Some(NightState::Booked {
                    booking_id: booking.clone(),
                }),
                false,
            ),
            (Some(NightState::Blocked), false),
            (Some(imported(&feed)), true),
            (Some(imported(&other)), false),
        ];
        for (night, allowed) in &cases {
            assert_eq!(
                rules::may_import(night.as_ref(), &feed, now),
                *allowed,
                "{night:?}"
            );
        }
        assert!(rules::may_unimport(Some(&imported(&feed)), &feed));
        assert!(!rules::may_unimport(Some(&imported(&other)), &feed));
        assert!(!rules::may_unimport(Some(&NightState::Blocked), &feed));
        assert!(
            imported(&feed).is_taken(now),
            "imported nights are unavailable"
        );
        assert!(!rules::may_hold(Some(&imported(&feed)), &booking, now));
        assert!(
            rules::may_block(Some(&imported(&feed)), now),
            "a host's block outlasts a feed's"
        );
    }
}
