//! The rules a stay must keep before it has a price: guests, nights (the
//! check-in night's season may ask for more), advance notice, booking window
//! and the days a stay may start and end.

use super::{Terms, Weekday};
use crate::dates::{Date, Stay};
use crate::error::InvalidInput;

/// Why a property does not take a stay: the rule, with its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("guests: must be at least 1")]
    NoGuests,
    #[error("max_guests: this property sleeps at most {0}")]
    TooManyGuests(u32),
    #[error("min_nights: this property is let for at least {0} nights")]
    TooFewNights(u32),
    #[error("seasons.min_nights: stays starting in this season are at least {0} nights")]
    TooFewSeasonNights(u32),
    #[error("max_nights: this property is let for at most {0} nights")]
    TooManyNights(u32),
    #[error("advance_notice_days: check-in is at least {0} days from today")]
    AdvanceNotice(u32),
    #[error("booking_window_days: check-in is at most {0} days from today")]
    BookingWindow(u32),
    #[error("check_in_days: stays may not start on a {}", .0.name())]
    CheckInDay(Weekday),
    #[error("check_out_days: stays may not end on a {}", .0.name())]
    CheckOutDay(Weekday),
}

impl Refusal {
    /// The request field the refusal blames.
    pub fn field(self) -> &'static str {
        match self {
            Self::NoGuests | Self::TooManyGuests(_) => "guests",
            Self::TooFewNights(_)
            | Self::TooFewSeasonNights(_)
            | Self::TooManyNights(_)
            | Self::CheckOutDay(_) => "check_out",
            Self::AdvanceNotice(_) | Self::BookingWindow(_) | Self::CheckInDay(_) => "check_in",
        }
    }

    /// The rule's name, as the listing or pricing document calls it.
    pub fn rule(self) -> &'static str {
        match self {
            Self::NoGuests => "guests",
            Self::TooManyGuests(_) => "max_guests",
            Self::TooFewNights(_) => "min_nights",
            Self::TooFewSeasonNights(_) => "seasons.min_nights",
            Self::TooManyNights(_) => "max_nights",
            Self::AdvanceNotice(_) => "advance_notice_days",
            Self::BookingWindow(_) => "booking_window_days",
            Self::CheckInDay(_) => "check_in_days",
            Self::CheckOutDay(_) => "check_out_days",
        }
    }
}

impl From<Refusal> for InvalidInput {
    fn from(refusal: Refusal) -> Self {
        InvalidInput::new(refusal.field(), refusal)
    }
}

pub(super) fn check(terms: &Terms, stay: Stay, guests: u32, today: Date) -> Result<(), Refusal> {
    if guests < 1 {
        return Err(Refusal::NoGuests);
    }
    if guests > terms.max_guests {
        return Err(Refusal::TooManyGuests(terms.max_guests));
    }
    let nights = stay.nights();
    let pricing = terms.pricing;
    match pricing.season(stay.check_in).and_then(|s| s.min_nights) {
        Some(min) if nights < min => return Err(Refusal::TooFewSeasonNights(min)),
        Some(_) => {}
        None if nights < terms.min_nights => return Err(Refusal::TooFewNights(terms.min_nights)),
        None => {}
    }
    if nights > terms.max_nights {
        return Err(Refusal::TooManyNights(terms.max_nights));
    }
    let ahead = today.days_until(stay.check_in);
    if let Some(days) = pricing.advance_notice_days
        && ahead < i64::from(days)
    {
        return Err(Refusal::AdvanceNotice(days));
    }
    if let Some(days) = pricing.booking_window_days
        && ahead > i64::from(days)
    {
        return Err(Refusal::BookingWindow(days));
    }
    let (arrival, departure) = (Weekday::of(stay.check_in), Weekday::of(stay.check_out));
    if pricing.check_in_days.is_some_and(|d| !d.contains(arrival)) {
        return Err(Refusal::CheckInDay(arrival));
    }
    if pricing
        .check_out_days
        .is_some_and(|d| !d.contains(departure))
    {
        return Err(Refusal::CheckOutDay(departure));
    }
    Ok(())
}
