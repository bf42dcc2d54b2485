//! Calendar dates (`YYYY-MM-DD`), stays and date ranges. A range's end is
//! exclusive: a stay from the 1st to the 3rd is the nights of the 1st and 2nd.

use std::fmt;

use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::InvalidInput;

/// An instant, always UTC.
pub type Timestamp = DateTime<Utc>;

/// The longest stay Berth sells, well inside DynamoDB's 100 actions per transaction.
pub const MAX_STAY_NIGHTS: u32 = 90;
/// How far ahead a stay may start.
pub const BOOKING_HORIZON_DAYS: u32 = 730;
/// The longest range a calendar read or change may cover.
pub const MAX_RANGE_DAYS: u32 = 366;

/// A calendar day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date(NaiveDate);

impl Date {
    /// Parses exactly `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let shape_ok = text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| match i {
                4 | 7 => b == b'-',
                _ => b.is_ascii_digit(),
            });
        shape_ok
            .then(|| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok())
            .flatten()
            .map(Self)
            .ok_or_else(|| InvalidInput::new("", format!("{text:?} is not a date (YYYY-MM-DD)")))
    }

    pub fn from_naive(date: NaiveDate) -> Self {
        Self(date)
    }

    pub fn naive(self) -> NaiveDate {
        self.0
    }

    /// The UTC day of an instant.
    pub fn of(instant: Timestamp) -> Self {
        Self(instant.date_naive())
    }

    /// Midnight UTC at the start of this day: when a stay's check-in counts as begun.
    pub fn start(self) -> Timestamp {
        self.0.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    pub fn add_days(self, days: u32) -> Self {
        Self(self.0 + Days::new(u64::from(days)))
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        (later.0 - self.0).num_days()
    }
}

impl TryFrom<String> for Date {
    type Error = InvalidInput;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<Date> for String {
    fn from(date: Date) -> Self {
        date.to_string()
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.format("%Y-%m-%d"))
    }
}

/// Days `from` (inclusive) to `to` (exclusive), at least one day long.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateRange {
    pub from: Date,
    pub to: Date,
}

impl DateRange {
    /// A range of 1 to `max_days` days. Field names in errors are `from`/`to`.
    pub fn new(from: Date, to: Date, max_days: u32) -> Result<Self, InvalidInput> {
        let days = from.days_until(to);
        if days < 1 {
            return Err(InvalidInput::new("to", "must be after from"));
        }
        if days > i64::from(max_days) {
            return Err(InvalidInput::new(
                "to",
                format!("a range covers at most {max_days} days"),
            ));
        }
        Ok(Self { from, to })
    }

    pub fn len(&self) -> u32 {
        // Constructed ranges are 1..=MAX days long.
        u32::try_from(self.from.days_until(self.to)).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn days(&self) -> impl Iterator<Item = Date> + use<> {
        let from = self.from;
        (0..self.len()).map(move |i| from.add_days(i))
    }

    pub fn contains(&self, date: Date) -> bool {
        self.from <= date && date < self.to
    }
}

/// The nights a guest stays: check-in to check-out (exclusive), 1 to 90 nights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Stay {
    pub check_in: Date,
    pub check_out: Date,
}

impl Stay {
    /// A stay that starts today or later, within the booking horizon, of at
    /// most [`MAX_STAY_NIGHTS`].
    pub fn new(check_in: Date, check_out: Date, today: Date) -> Result<Self, InvalidInput> {
        if check_in < today {
            return Err(InvalidInput::new("check_in", "is in the past"));
        }
        if today.days_until(check_in) > i64::from(BOOKING_HORIZON_DAYS) {
            return Err(InvalidInput::new(
                "check_in",
                format!("stays can be booked at most {BOOKING_HORIZON_DAYS} days ahead"),
            ));
        }
        Self::existing(check_in, check_out)
    }

    /// A stay read back from storage or an event: only its shape is checked,
    /// because it may well lie in the past by now.
    pub fn existing(check_in: Date, check_out: Date) -> Result<Self, InvalidInput> {
        let nights = check_in.days_until(check_out);
        if nights < 1 {
            return Err(InvalidInput::new("check_out", "must be after check_in"));
        }
        if nights > i64::from(MAX_STAY_NIGHTS) {
            return Err(InvalidInput::new(
                "check_out",
                format!("a stay is at most {MAX_STAY_NIGHTS} nights"),
            ));
        }
        Ok(Self {
            check_in,
            check_out,
        })
    }

    pub fn nights(&self) -> u32 {
        self.range().len()
    }

    pub fn range(&self) -> DateRange {
        DateRange {
            from: self.check_in,
            to: self.check_out,
        }
    }

    /// Each night of the stay, by its date.
    pub fn dates(&self) -> impl Iterator<Item = Date> + use<> {
        self.range().days()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn dates_parse_only_the_iso_day_form() {
        assert_eq!(d("2026-02-28").to_string(), "2026-02-28");
        for bad in [
            "2026-2-28",
            "2026-02-30",
            "26-02-28",
            "2026/02/28",
            "2026-02-28T00:00",
            "",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_stay_counts_nights_with_an_exclusive_check_out() {
        let stay = Stay::new(d("2026-12-30"), d("2027-01-02"), d("2026-12-01")).unwrap();
        assert_eq!(stay.nights(), 3);
        let dates: Vec<String> = stay.dates().map(|d| d.to_string()).collect();
        assert_eq!(dates, ["2026-12-30", "2026-12-31", "2027-01-01"]);
    }

    #[test]
    fn stays_must_be_forward_future_and_at_most_ninety_nights() {
        let today = d("2026-06-01");
        let in_ = d("2026-06-10");
        assert_eq!(
            Stay::new(in_, in_, today).unwrap_err().field,
            "check_out",
            "zero nights"
        );
        assert!(Stay::new(in_, d("2026-06-09"), today).is_err());
        assert!(Stay::new(in_, in_.add_days(90), today).is_ok());
        assert!(Stay::new(in_, in_.add_days(91), today).is_err());
        assert_eq!(
            Stay::new(d("2026-05-31"), d("2026-06-02"), today)
                .unwrap_err()
                .field,
            "check_in"
        );
        assert!(
            Stay::new(today, today.add_days(1), today).is_ok(),
            "tonight is bookable"
        );
        assert!(Stay::new(today.add_days(731), today.add_days(732), today).is_err());
    }

    #[test]
    fn ranges_are_bounded() {
        let from = d("2026-01-01");
        assert!(DateRange::new(from, from, 10).is_err());
        assert_eq!(
            DateRange::new(from, from.add_days(10), 10).unwrap().len(),
            10
        );
        assert!(DateRange::new(from, from.add_days(11), 10).is_err());
        let range = DateRange::new(from, from.add_days(2), 10).unwrap();
        assert!(range.contains(from) && range.contains(from.add_days(1)));
        assert!(!range.contains(from.add_days(2)));
    }
}
