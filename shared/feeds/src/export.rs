//! Writing a property's unavailable nights as a feed other channels import:
//! one event per run of consecutive nights closed for the same reason, whole
//! days (`DTSTART;VALUE=DATE`, `DTEND` exclusive), a UID that stays the same
//! for the same booking or block, and nothing about the guest.

use berth_domain::calendar::{Night, NightState};
use berth_domain::dates::{Date, Timestamp};
use icalendar::{Calendar, Component, Event, EventLike, Property};
use sha2::{Digest, Sha256};

use crate::EXPORT_UID_SUFFIX;

/// Why a night is closed, as much as a feed may say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Closure {
    /// Held or booked by this booking.
    Booking(String),
    /// Blocked by the host.
    Blocked,
    /// Closed by an event of an imported feed.
    Imported { feed: String, event: String },
}

/// One closed night of the property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedNight {
    pub date: Date,
    pub closure: Closure,
}

/// Closed nights (as `calendar_sync::exported_nights` answers them), each
/// with why: a hold or a booking, a host's block, an imported event.
pub fn closed_nights(nights: Vec<Night>) -> Vec<ClosedNight> {
    nights
        .into_iter()
        .map(|night| {
            let closure = match night.state {
                NightState::Held { booking_id, .. } | NightState::Booked { booking_id } => {
                    Closure::Booking(booking_id.to_string())
                }
                NightState::Blocked => Closure::Blocked,
                NightState::Imported { feed_id, event_uid } => Closure::Imported {
                    feed: feed_id.to_string(),
                    event: event_uid,
                },
            };
            ClosedNight {
                date: night.date,
                closure,
            }
        })
        .collect()
}

/// A run of consecutive nights closed for the same reason: `to` exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub from: Date,
    pub to: Date,
    pub closure: Closure,
}

/// The runs of `nights`, in date order.
pub fn runs(mut nights: Vec<ClosedNight>) -> Vec<Run> {
    nights.sort_by_key(|night| night.date);
    let mut runs: Vec<Run> = Vec::new();
    for night in nights {
        match runs.last_mut() {
            Some(run) if run.to == night.date && run.closure == night.closure => {
                run.to = night.date.add_days(1);
            }
            _ => runs.push(Run {
                from: night.date,
                to: night.date.add_days(1),
                closure: night.closure,
            }),
        }
    }
    runs
}

/// The UID of a run: a booking's id, a block's first night, an imported
/// event's feed and UID (hashed: another channel's UID may say too much).
pub fn uid(property_id: &str, run: &Run) -> String {
    let stem = match &run.closure {
        Closure::Booking(booking) => format!("booking-{booking}"),
        Closure::Blocked => format!("block-{property_id}-{}", run.from),
        Closure::Imported { feed, event } => {
            let digest = Sha256::digest(format!("{feed}\n{event}"));
            let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
            format!("import-{hex}")
        }
    };
    format!("{stem}{EXPORT_UID_SUFFIX}")
}

/// The property's feed: a VCALENDAR with one VEVENT per run. `stamp` is the
/// DTSTAMP every event carries (RFC 5545 §3.8.7.2: when the feed was made).
pub fn write_feed(property_id: &str, nights: Vec<ClosedNight>, stamp: Timestamp) -> String {
    let mut calendar = Calendar::empty();
    calendar.append_property(Property::new("VERSION", "2.0"));
    calendar.append_property(Property::new("PRODID", "-//Berth//Calendar export//EN"));
    calendar.append_property(Property::new("CALSCALE", "GREGORIAN"));
    calendar.append_property(Property::new("METHOD", "PUBLISH"));
    for run in runs(nights) {
        let summary = match run.closure {
            Closure::Booking(_) => "Reserved",
            Closure::Blocked | Closure::Imported { .. } => "Not available",
        };
        calendar.push(
            Event::new()
                .uid(&uid(property_id, &run))
                .timestamp(stamp)
                .starts(run.from.naive())
                .ends(run.to.naive())
                .summary(summary)
                .add_property("TRANSP", "OPAQUE")
                .done(),
        );
    }
    calendar.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::read_feed;
    use berth_domain::dates::DateRange;

    fn day(text: &str) -> Date {
        Date::parse(text).expect("a date")
    }

    fn night(date: &str, closure: Closure) -> ClosedNight {
        ClosedNight {
            date: day(date),
            closure,
        }
    }

    fn stamp() -> Timestamp {
        day("2027-01-01").start()
    }

    #[test]
    fn consecutive_nights_with_one_reason_make_one_run() {
        let booking = Closure::Booking("b1".into());
        let runs = runs(vec![
            night("2027-03-03", booking.clone()),
            night("2027-03-01", booking.clone()),
            night("2027-03-02", booking.clone()),
            night("2027-03-04", Closure::Blocked),
            night("2027-03-06", Closure::Blocked),
        ]);
        assert_eq!(
            runs,
            vec![
                Run {
                    from: day("2027-03-01"),
                    to: day("2027-03-04"),
                    closure: booking
                },
                Run {
                    from: day("2027-03-04"),
                    to: day("2027-03-05"),
                    closure: Closure::Blocked
                },
                Run {
                    from: day("2027-03-06"),
                    to: day("2027-03-07"),
                    closure: Closure::Blocked
                },
            ]
        );
    }

    #[test]
    fn a_feed_has_whole_day_events_stable_uids_and_no_guest_data() {
        let nights = vec![
            night("2027-03-01", Closure::Booking("b1".into())),
            night("2027-03-02", Closure::Booking("b1".into())),
            night(
                "2027-04-10",
                Closure::Imported {
                    feed: "f1".into(),
                    event: "guest-name@airbnb".into(),
                },
            ),
        ];
        let feed = write_feed("p1", nights.clone(), stamp());
        assert_eq!(
            feed,
            write_feed("p1", nights, stamp()),
            "the same nights, the same feed"
        );
        assert!(feed.contains("DTSTART;VALUE=DATE:20270301\r\n"), "{feed}");
        assert!(feed.contains("DTEND;VALUE=DATE:20270303\r\n"), "{feed}");
        assert!(feed.contains("UID:booking-b1@calendar.berth\r\n"), "{feed}");
        assert!(
            feed.contains("SUMMARY:Reserved\r\n") && feed.contains("SUMMARY:Not available\r\n")
        );
        assert!(
            !feed.contains("guest-name"),
            "an imported UID is not repeated: {feed}"
        );

        let parsed: icalendar::Calendar = feed.parse().expect("the export parses");
        assert_eq!(parsed.events().count(), 2);
    }

    #[test]
    fn a_feed_echoed_back_imports_nothing() {
        let feed = write_feed("p1", vec![night("2027-03-01", Closure::Blocked)], stamp());
        let window = DateRange::new(day("2027-01-01"), day("2028-01-01"), 400).expect("a range");
        assert_eq!(read_feed(&feed, window), Ok(vec![]));
    }
}
