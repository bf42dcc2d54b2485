//! What any stay at some terms can cost, worked out once per document so
//! that search can pass over, unpriced, the properties that cannot make a
//! page. Every number here follows a line of [`super::price`]: a bound is
//! that line with the stay's nights at their cheapest (or dearest) and each
//! rounding at its worst.

use serde::{Deserialize, Serialize};

use super::{FeeBasis, TaxRate, Terms};

/// Bounds of a stay's total at some terms, fixed in size so that search
/// keeps them beside every priced property: for every stay of `n` nights
/// and `g` guests the terms accept, `n × floor() ≤ lower(n, g) ≤ total ≤
/// upper(n, g)`.
///
/// Only the nights' prices are bounded; the cleaning fee, the fees and the
/// per-guest-night taxes of the uncapped or equally capped kind come out
/// exact, so for a stay without seasons, weekday prices or discounts the
/// bounds are within a unit per percent tax of the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounds {
    /// The lowest and highest price any night can have.
    low_night: i64,
    high_night: i64,
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
    /// The fewest nights any length discount asks (`u32::MAX`: none), and
    /// the largest percent any gives.
    discount_from: u32,
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
            per_stay: self.cleaning_fee.amount,
            per_guest: 0,
            per_night: 0,
            per_guest_night: 0,
            guest_night_tax: 0,
            taxed_nights_least: u32::MAX,
            taxed_nights_most: 0,
            discount_from: pricing
                .length_discounts
                .iter()
                .map(|d| d.min_nights)
                .min()
                .unwrap_or(u32::MAX),
            largest_discount: pricing.largest_discount(),
            percent: 0,
            percent_taxes: 0,
        };
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
    /// No night of any stay costs less than this once discounted: what
    /// search walks priced properties by.
    pub fn floor(&self) -> i64 {
        self.low_night * i64::from(100 - self.largest_discount) / 100
    }

    /// No stay of `nights` for `guests` costs less. (Stays are at most
    /// `MAX_STAY_NIGHTS` and guests `MAX_GUESTS`, so nothing overflows.)
    pub fn lower(&self, nights: u32, guests: u32) -> i64 {
        let discount = if nights >= self.discount_from {
            self.largest_discount
        } else {
            0
        };
        // `price` rounds the discount half up: the discounted nights are
        // never below the exact product, rounded down.
        let stay_nights = i64::from(nights) * self.low_night * i64::from(100 - discount) / 100;
        let accommodation = stay_nights + self.fees(nights, guests);
        let rounding = 50 * i64::from(self.percent_taxes);
        let percent_taxes = (accommodation * i64::from(self.percent) - rounding).max(0) / 100;
        accommodation + percent_taxes + self.guest_night_taxes(nights, guests, self.taxed_nights_least)
    }

    /// No stay of `nights` for `guests` costs more.
    pub fn upper(&self, nights: u32, guests: u32) -> i64 {
        let accommodation = i64::from(nights) * self.high_night + self.fees(nights, guests);
        let rounding = 50 * i64::from(self.percent_taxes);
        let percent_taxes = (accommodation * i64::from(self.percent) + rounding) / 100;
        accommodation + percent_taxes + self.guest_night_taxes(nights, guests, self.taxed_nights_most)
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
