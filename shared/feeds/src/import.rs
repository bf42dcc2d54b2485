//! Reading another channel's feed: each event becomes the nights it makes
//! unavailable, keyed by its UID so that a later sync can replace exactly what
//! this feed imported before.
//!
//! A night is the calendar day it starts on, as elsewhere in Berth. An event's
//! nights run from the day of its start up to, not including, the day of its
//! end, and at least the start's own night (RFC 5545 §3.6.1: a DATE start with
//! no end lasts one day). Days are read in the zone the feed wrote them in: a
//! DATE as written, a floating or TZID date-time by its local day, a UTC
//! date-time by its UTC day.
//!
//! Never wipe on doubt: a feed that is empty, truncated, unparsable or has no
//! events is an error, so the caller keeps what it imported before.

use std::collections::{BTreeMap, BTreeSet};

use berth_domain::channels::FeedEvent;
use berth_domain::dates::{Date, DateRange};
use chrono::{NaiveDate, NaiveDateTime, TimeDelta, TimeZone};
use icalendar::{CalendarDateTime, Component, DatePerhapsTime, Event, EventLike, EventStatus};

use crate::EXPORT_UID_SUFFIX;

/// Occurrences of one recurring event read at most; a rule that yields more
/// inside the window is reported rather than cut short silently.
pub const MAX_OCCURRENCES: u16 = 1000;

/// Why a feed was not imported. The caller keeps what it had.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedError {
    #[error("the feed is empty")]
    Empty,
    #[error("the feed is not an iCalendar document: it does not begin with BEGIN:VCALENDAR")]
    NotICalendar,
    #[error("the feed is truncated: it does not end with END:VCALENDAR")]
    Truncated,
    #[error("the feed cannot be parsed: {0}")]
    Unparsable(String),
    #[error("the feed has no events")]
    NoEvents,
    #[error("event {uid:?}: {reason}")]
    BadEvent { uid: String, reason: String },
}

/// The events of `text` with the nights of `window` each closes (in order,
/// without repeats, never none). Cancelled
/// events, and events whose UID Berth itself exported, are left out.
pub fn read_feed(text: &str, window: DateRange) -> Result<Vec<FeedEvent>, FeedError> {
    check_framing(text)?;
    let calendar: icalendar::Calendar = text.parse().map_err(FeedError::Unparsable)?;
    let events: Vec<(String, &Event)> = calendar.events().map(|e| (uid_of(e), e)).collect();
    if events.is_empty() {
        return Err(FeedError::NoEvents);
    }
    // An instance with a RECURRENCE-ID takes the place of the occurrence of
    // its UID that starts on that day (RFC 5545 §3.8.4.4).
    let mut overridden: BTreeSet<(&str, NaiveDate)> = BTreeSet::new();
    for (uid, event) in &events {
        if let Some(recurrence_id) = event.get_recurrence_id() {
            overridden.insert((uid.as_str(), day_time_of(&recurrence_id).date()));
        }
    }
    let mut nights_by_uid: BTreeMap<&str, BTreeSet<Date>> = BTreeMap::new();
    for (uid, event) in &events {
        if uid.ends_with(EXPORT_UID_SUFFIX) || event.get_status() == Some(EventStatus::Cancelled) {
            continue;
        }
        let is_master = event.get_recurrence_id().is_none();
        let nights = nights_by_uid.entry(uid.as_str()).or_default();
        for span in spans(event, uid, window)? {
            if is_master && overridden.contains(&(uid.as_str(), span.start)) {
                continue;
            }
            nights.extend(span.days().filter(|day| window.contains(*day)));
        }
    }
    Ok(nights_by_uid
        .into_iter()
        .filter(|(_, nights)| !nights.is_empty())
        .map(|(uid, nights)| FeedEvent {
            uid: uid.to_owned(),
            nights: nights.into_iter().collect(),
        })
        .collect())
}

fn check_framing(text: &str) -> Result<(), FeedError> {
    let mut lines = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty());
    let Some(first) = lines.next() else {
        return Err(FeedError::Empty);
    };
    if !first.eq_ignore_ascii_case("BEGIN:VCALENDAR") {
        return Err(FeedError::NotICalendar);
    }
    match lines.next_back() {
        Some(last) if last.eq_ignore_ascii_case("END:VCALENDAR") => Ok(()),
        _ => Err(FeedError::Truncated),
    }
}

/// RFC 5545 requires a UID; a feed that omits one still gets a UID stable
/// across syncs, from the event's start and end.
fn uid_of(event: &Event) -> String {
    match event.get_uid() {
        Some(uid) if !uid.trim().is_empty() => uid.trim().to_owned(),
        _ => format!(
            "no-uid:{}/{}",
            event.property_value("DTSTART").unwrap_or(""),
            event.property_value("DTEND").unwrap_or("")
        ),
    }
}

/// The stretches of days an event covers: one, or one per occurrence of a
/// recurring event that can touch `window`.
fn spans(event: &Event, uid: &str, window: DateRange) -> Result<Vec<Span>, FeedError> {
    let bad = |reason: String| FeedError::BadEvent {
        uid: uid.to_owned(),
        reason,
    };
    let start = event
        .get_start()
        .ok_or_else(|| bad("it has no DTSTART".into()))?;
    let length = length_of(event, &start).map_err(bad)?;
    if event.property_value("RRULE").is_none() && event.property_value("RDATE").is_none() {
        return Ok(vec![Span::of(day_time_of(&start), length)]);
    }
    let set = event
        .get_recurrence()
        .map_err(|error| bad(format!("its recurrence cannot be read: {error}")))?;
    // Only occurrences that can reach into the window matter.
    let zone = set.get_dt_start().timezone();
    let bound = |day: NaiveDate| {
        zone.from_local_datetime(&day.and_time(chrono::NaiveTime::MIN))
            .earliest()
            .ok_or_else(|| bad(format!("{day} does not exist in its time zone")))
    };
    let after = bound(window.from.naive() - length - TimeDelta::days(1))?;
    let before = bound(window.to.naive() + TimeDelta::days(1))?;
    let result = set.after(after).before(before).all(MAX_OCCURRENCES);
    if result.limited && result.dates.len() >= usize::from(MAX_OCCURRENCES) {
        return Err(bad(format!(
            "it recurs more than {MAX_OCCURRENCES} times within the calendar's window"
        )));
    }
    Ok(result
        .dates
        .iter()
        .map(|occurrence| Span::of(occurrence.naive_local(), length))
        .collect())
}

/// How long the event lasts: to its DTEND, or for its DURATION, or a day for
/// a DATE start and no time at all for a DATE-TIME start (RFC 5545 §3.6.1).
fn length_of(event: &Event, start: &DatePerhapsTime) -> Result<TimeDelta, String> {
    if let Some(end) = event.get_end() {
        let length = day_time_of(&end) - day_time_of(start);
        return if length < TimeDelta::zero() {
            Err("it ends before it starts".into())
        } else {
            Ok(length)
        };
    }
    if let Some(duration) = event.property_value("DURATION") {
        let parsed = iso8601::duration(duration)
            .map_err(|_| format!("its DURATION {duration:?} cannot be read"))?;
        return TimeDelta::from_std(parsed.into()).map_err(|_| "its DURATION is too long".into());
    }
    Ok(match start {
        DatePerhapsTime::Date(_) => TimeDelta::days(1),
        DatePerhapsTime::DateTime(_) => TimeDelta::zero(),
    })
}

/// A start as the local date and time the feed wrote (midnight for a DATE).
fn day_time_of(value: &DatePerhapsTime) -> NaiveDateTime {
    match value {
        DatePerhapsTime::Date(date) => date.and_time(chrono::NaiveTime::MIN),
        DatePerhapsTime::DateTime(CalendarDateTime::Floating(local)) => *local,
        DatePerhapsTime::DateTime(CalendarDateTime::WithTimezone { date_time, .. }) => *date_time,
        DatePerhapsTime::DateTime(CalendarDateTime::Utc(utc)) => utc.naive_utc(),
    }
}

/// The days from a start's day up to, not including, its end's day; at least
/// the start's day.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: NaiveDate,
    end: NaiveDate,
}

impl Span {
    fn of(start: NaiveDateTime, length: TimeDelta) -> Self {
        let first = start.date();
        let end = (start + length)
            .date()
            .max(first.succ_opt().unwrap_or(first));
        Self { start: first, end }
    }

    fn days(self) -> impl Iterator<Item = Date> {
        self.start
            .iter_days()
            .take_while(move |day| *day < self.end)
            .map(Date::from_naive)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        Date::parse(text).expect("a date")
    }

    fn window() -> DateRange {
        DateRange::new(day("2027-01-01"), day("2028-01-01"), 400).expect("a range")
    }

    fn feed(events: &[&str]) -> String {
        let mut text = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
        for event in events {
            text.push_str("BEGIN:VEVENT\r\n");
            for line in event.lines() {
                text.push_str(line.trim());
                text.push_str("\r\n");
            }
            text.push_str("DTSTAMP:20261201T000000Z\r\nEND:VEVENT\r\n");
        }
        text + "END:VCALENDAR\r\n"
    }

    fn nights(text: &str) -> Vec<(String, Vec<String>)> {
        read_feed(text, window())
            .expect("the feed reads")
            .into_iter()
            .map(|event| {
                (
                    event.uid,
                    event.nights.iter().map(Date::to_string).collect(),
                )
            })
            .collect()
    }

    fn one(uid: &str, days: &[&str]) -> Vec<(String, Vec<String>)> {
        vec![(uid.to_owned(), days.iter().map(|d| d.to_string()).collect())]
    }

    #[test]
    fn a_date_event_closes_its_nights_up_to_its_exclusive_end() {
        let text = feed(&[
            "UID:a@airbnb\nSUMMARY:Reserved\nDTSTART;VALUE=DATE:20270301\nDTEND;VALUE=DATE:20270304",
        ]);
        assert_eq!(
            nights(&text),
            one("a@airbnb", &["2027-03-01", "2027-03-02", "2027-03-03"])
        );
    }

    #[test]
    fn a_date_start_without_end_lasts_one_day() {
        let text = feed(&["UID:a\nDTSTART;VALUE=DATE:20270301"]);
        assert_eq!(nights(&text), one("a", &["2027-03-01"]));
    }

    #[test]
    fn date_times_map_to_the_days_they_were_written_in() {
        let text = feed(&[
            "UID:utc\nDTSTART:20270301T150000Z\nDTEND:20270303T100000Z",
            "UID:floating\nDTSTART:20270310T150000\nDTEND:20270311T110000",
            "UID:zoned\nDTSTART;TZID=Europe/Lisbon:20270320T230000\nDTEND;TZID=Europe/Lisbon:20270322T110000",
            "UID:short\nDTSTART:20270401T100000Z\nDTEND:20270401T120000Z",
            "UID:duration\nDTSTART;VALUE=DATE:20270501\nDURATION:P2D",
        ]);
        let read: BTreeMap<String, Vec<String>> = nights(&text).into_iter().collect();
        assert_eq!(read["utc"], ["2027-03-01", "2027-03-02"]);
        assert_eq!(read["floating"], ["2027-03-10"]);
        assert_eq!(read["zoned"], ["2027-03-20", "2027-03-21"]);
        assert_eq!(
            read["short"],
            ["2027-04-01"],
            "an event within one day still closes its night"
        );
        assert_eq!(read["duration"], ["2027-05-01", "2027-05-02"]);
    }

    #[test]
    fn cancelled_events_and_berths_own_events_are_left_out() {
        let text = feed(&[
            "UID:gone\nSTATUS:CANCELLED\nDTSTART;VALUE=DATE:20270301\nDTEND;VALUE=DATE:20270302",
            "UID:booking-x@calendar.berth\nDTSTART;VALUE=DATE:20270305\nDTEND;VALUE=DATE:20270306",
            "UID:kept\nSTATUS:CONFIRMED\nDTSTART;VALUE=DATE:20270310\nDTEND;VALUE=DATE:20270311",
        ]);
        assert_eq!(nights(&text), one("kept", &["2027-03-10"]));
    }

    #[test]
    fn nights_outside_the_window_are_not_imported() {
        let text = feed(&[
            "UID:past\nDTSTART;VALUE=DATE:20261201\nDTEND;VALUE=DATE:20261205",
            "UID:edge\nDTSTART;VALUE=DATE:20261230\nDTEND;VALUE=DATE:20270103",
        ]);
        assert_eq!(nights(&text), one("edge", &["2027-01-01", "2027-01-02"]));
    }

    #[test]
    fn recurring_events_are_expanded_with_their_exceptions_and_overrides() {
        let text = feed(&[
            "UID:weekly\nDTSTART;VALUE=DATE:20270301\nDTEND;VALUE=DATE:20270302\nRRULE:FREQ=WEEKLY;COUNT=4\nEXDATE;VALUE=DATE:20270308",
            "UID:weekly\nRECURRENCE-ID;VALUE=DATE:20270315\nDTSTART;VALUE=DATE:20270316\nDTEND;VALUE=DATE:20270317",
        ]);
        assert_eq!(
            nights(&text),
            one("weekly", &["2027-03-01", "2027-03-16", "2027-03-22"])
        );
    }

    #[test]
    fn an_unbounded_rule_is_read_within_the_window_only() {
        let text = feed(&["UID:daily\nDTSTART;VALUE=DATE:20200101\nRRULE:FREQ=DAILY"]);
        let read = read_feed(&text, window()).expect("the feed reads");
        assert_eq!(read[0].nights.len(), 365);
    }

    #[test]
    fn doubtful_feeds_are_errors_so_nothing_is_wiped() {
        let whole = feed(&["UID:a\nDTSTART;VALUE=DATE:20270301"]);
        let truncated = &whole[..whole.len() - "END:VCALENDAR\r\n".len()];
        assert_eq!(read_feed("", window()), Err(FeedError::Empty));
        assert_eq!(read_feed(" \r\n", window()), Err(FeedError::Empty));
        assert_eq!(
            read_feed("<html>503</html>", window()),
            Err(FeedError::NotICalendar)
        );
        assert_eq!(read_feed(truncated, window()), Err(FeedError::Truncated));
        assert_eq!(read_feed(&feed(&[]), window()), Err(FeedError::NoEvents));
        assert!(matches!(
            read_feed(
                "BEGIN:VCALENDAR\r\n\u{1}garbage\r\nEND:VCALENDAR\r\n",
                window()
            ),
            Err(FeedError::Unparsable(_) | FeedError::NoEvents)
        ));
    }

    #[test]
    fn an_event_without_a_start_or_ending_before_it_starts_is_reported() {
        let no_start = feed(&["UID:a\nSUMMARY:x"]);
        let backwards = feed(&["UID:b\nDTSTART;VALUE=DATE:20270305\nDTEND;VALUE=DATE:20270301"]);
        assert!(
            matches!(read_feed(&no_start, window()), Err(FeedError::BadEvent { uid, .. }) if uid == "a")
        );
        assert!(
            matches!(read_feed(&backwards, window()), Err(FeedError::BadEvent { uid, .. }) if uid == "b")
        );
    }

    #[test]
    fn an_event_without_a_uid_gets_one_stable_across_reads() {
        let text = feed(&["DTSTART;VALUE=DATE:20270301\nDTEND;VALUE=DATE:20270302"]);
        assert_eq!(nights(&text), nights(&text));
        assert_eq!(nights(&text)[0].0, "no-uid:20270301/20270302");
    }
}
