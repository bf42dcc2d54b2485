//! What any stay at some terms can cost, worked out once per document so
//! that search can pass over, unpriced, the properties that cannot make a
//! page. Every number here follows a line of [`super::price`]: a bound is
//! that line with the stay's nights at their cheapest (or dearest) and each
//! rounding at its worst.

use serde::{Deserialize, Serialize};

use super::{FeeBasis, TaxRate, Terms, Weekday};
use crate::dates::{Date, Stay};

/// Bounds of a stay's total at some terms, fixed in size so that search
/// keeps them beside every priced property: for every stay `s` of `n`
/// nights and `g` guests the terms accept, `lower(s, g) ≤ total ≤
/// upper(s, g)`, and `lower(s, g)` is at least `n × lowest_night()` less
/// `largest_discount(n)` percent (what search walks priced properties by).
///
/// Only a stay that reaches into the seasons has its nights bounded, by the
/// cheapest and dearest night any can have; elsewhere the nights (weekday
/// or nightly prices), the cleaning fee, the fees and per-guest-night taxes
/// with one cap come out exact, and so does the discount of a stay shorter
/// than the second length any discount asks: such a stay clear of the
/// seasons has bounds within a few units (the roundings) of its total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounds {
    /// The lowest and highest price any night can have.
    low_night: i64,
    high_night: i64,
    /// A night's price outside the seasons, by `Weekday as usize`, and the
    /// first season's start and last season's end (none: every night is
    /// outside), so that a stay clear of them has its nights' sum exact.
    off_season: [i64; 7],
    seasons: Option<(Date, Date)>,
    /// The cleaning fee and the `stay` fees.
    per_stay: i64,
    /// The `guest`, `night` and `guest_night` fees, each summed.
    per_guest: i64,
    per_night: i64,
    per_guest_night: i64,
    /// The per-guest-night taxes' amounts summed, and the fewest and most
    /// nights any of them is charged for (`u32::MAX`: uncapped).
    guest_night_tax: i64,
    taxed_nights_least: u32,
    taxed_nights_most: u32,
    /// The fewest nights any length discount asks (`u32::MAX`: none), the
    /// percent a stay of that many nights gets, the next length that asks
    /// for another (`u32::MAX`: none), and the largest percent any gives:
    /// a stay shorter than the second length has its discount exact.
    discount_from: u32,
    first_discount: u32,
    discount_next: u32,
    largest_discount: u32,
    /// The percent taxes' percents summed, and how many there are (each
    /// rounds by at most half a unit).
    percent: u32,
    percent_taxes: u32,
}

impl Terms<'_> {
    pub fn bounds(&self) -> Bounds {
        let pricing = self.pricing;
        let mut bounds = Bounds {
            low_night: pricing.lowest_night(self.nightly_price).amount,
            high_night: pricing.highest_night(self.nightly_price).amount,
            off_season: Weekday::ALL.map(|day| self.off_season(day).amount),
            seasons: pricing
                .seasons
                .first()
                .zip(pricing.seasons.last())
                .map(|(first, last)| (first.from, last.to)),
            per_stay: self.cleaning_fee.amount,
            per_guest: 0,
            per_night: 0,
            per_guest_night: 0,
            guest_night_tax: 0,
            taxed_nights_least: u32::MAX,
            taxed_nights_most: 0,
            discount_from: u32::MAX,
            first_discount: 0,
            discount_next: u32::MAX,
            largest_discount: pricing.largest_discount(),
            percent: 0,
            percent_taxes: 0,
        };
        // Ordered by length: the first length's last entry is what `price` finds.
        let discounts = &pricing.length_discounts;
        if let Some(first) = discounts.first().map(|d| d.min_nights) {
            bounds.discount_from = first;
            bounds.discount_next = discounts
                .iter()
                .map(|d| d.min_nights)
                .find(|nights| *nights > first)
                .unwrap_or(u32::MAX);
            bounds.first_discount = discounts
                .iter()
                .rfind(|d| d.min_nights == first)
                .map_or(0, |d| d.percent);
        }
        for fee in &pricing.fees {
            let sum = match fee.per {
                FeeBasis::Stay => &mut bounds.per_stay,
                FeeBasis::Guest => &mut bounds.per_guest,
                FeeBasis::Night => &mut bounds.per_night,
                FeeBasis::GuestNight => &mut bounds.per_guest_night,
            };
            *sum += fee.amount.amount;
        }
        for tax in &pricing.taxes {
            match &tax.rate {
                TaxRate::Percent(percent) => {
                    bounds.percent += percent;
                    bounds.percent_taxes += 1;
                }
                TaxRate::PerGuestNight { amount, max_nights } => {
                    let cap = max_nights.unwrap_or(u32::MAX);
                    bounds.guest_night_tax += amount.amount;
                    bounds.taxed_nights_least = bounds.taxed_nights_least.min(cap);
                    bounds.taxed_nights_most = bounds.taxed_nights_most.max(cap);
                }
            }
        }
        bounds
    }
}

impl Bounds {
    /// No night of any stay costs less, before discounts.
    pub fn lowest_night(&self) -> i64 {
        self.low_night
    }

    /// The fewest nights any length discount asks (`u32::MAX`: none).
    pub fn discount_from(&self) -> u32 {
        self.discount_from
    }

    /// No stay of `nights` gets a larger discount, in percent.
    pub fn largest_discount(&self, nights: u32) -> u32 {
        match nights {
            n if n < self.discount_from => 0,
            n if n < self.discount_next => self.first_discount,
            _ => self.largest_discount,
        }
    }

    /// No stay of `nights` gets a smaller discount, in percent.
    fn smallest_discount(&self, nights: u32) -> u32 {
        if (self.discount_from..self.discount_next).contains(&nights) {
            self.first_discount
        } else {
            0
        }
    }

    /// The least and most the nights of `stay` can sum to: exact for a
    /// stay clear of every season.
    fn nights(&self, stay: Stay) -> (i64, i64) {
        let nights = stay.nights() as usize;
        match self.seasons {
            Some((from, to)) if stay.check_in < to && from < stay.check_out => {
                let n = nights as i64;
                (n * self.low_night, n * self.high_night)
            }
            _ => {
                let first = Weekday::of(stay.check_in) as usize;
                let week: i64 = self.off_season.iter().sum();
                let rest: i64 = (first..first + nights % 7)
                    .map(|day| self.off_season[day % 7])
                    .sum();
                let sum = (nights / 7) as i64 * week + rest;
                (sum, sum)
            }
        }
    }

    /// `stay` for `guests` costs no less. (Stays are at most
    /// `MAX_STAY_NIGHTS` and guests `MAX_GUESTS`, so nothing overflows.)
    pub fn lower(&self, stay: Stay, guests: u32) -> i64 {
        let nights = stay.nights();
        let discount = self.largest_discount(nights);
        // `price` rounds the discount half up: the discounted nights are
        // never below the exact product, rounded down.
        let stay_nights = self.nights(stay).0 * i64::from(100 - discount) / 100;
        let accommodation = stay_nights + self.fees(nights, guests);
        let rounding = 50 * i64::from(self.percent_taxes);
        let percent_taxes = (accommodation * i64::from(self.percent) - rounding).max(0) / 100;
        accommodation
            + percent_taxes
            + self.guest_night_taxes(nights, guests, self.taxed_nights_least)
    }

    /// `stay` for `guests` costs no more.
    pub fn upper(&self, stay: Stay, guests: u32) -> i64 {
        let nights = stay.nights();
        // The discount rounds half up: at most half a unit less comes off.
        let discount = i64::from(100 - self.smallest_discount(nights));
        let stay_nights = (self.nights(stay).1 * discount + 50) / 100;
        let accommodation = stay_nights + self.fees(nights, guests);
        let rounding = 50 * i64::from(self.percent_taxes);
        let percent_taxes = (accommodation * i64::from(self.percent) + rounding) / 100;
        accommodation
            + percent_taxes
            + self.guest_night_taxes(nights, guests, self.taxed_nights_most)
    }

    /// The cleaning fee and every fee: exact for the stay.
    fn fees(&self, nights: u32, guests: u32) -> i64 {
        let (n, g) = (i64::from(nights), i64::from(guests));
        self.per_stay + g * self.per_guest + n * self.per_night + g * n * self.per_guest_night
    }

    fn guest_night_taxes(&self, nights: u32, guests: u32, cap: u32) -> i64 {
        i64::from(guests) * i64::from(nights.min(cap)) * self.guest_night_tax
    }
}
