//! Pricing a stay: the one rule quotes, bookings and search share.
//!
//! A night costs its season's price, else its weekday's, else the
//! property's nightly price. The largest length-of-stay discount the stay
//! reaches comes off the nights; the cleaning fee and the document's fees
//! are added; percent taxes apply to that accommodation amount and
//! per-guest-night taxes to guests × nights. Every percentage is taken in
//! integer minor units, rounded half up, line by line.
//!
//! - `document`: the pricing document and its checks;
//! - `bounds`: what any stay can cost, for search to pass over properties
//!   unpriced;
//! - `rules`: the stay rules (guests, nights, notice, window, days) and how
//!   a refused stay is named.

mod bounds;
mod document;
mod rules;

use serde::{Deserialize, Serialize};

pub use bounds::Bounds;
pub use document::{
    Fee, FeeBasis, FeeDocument, LengthDiscount, MAX_ENTRIES, Pricing, PricingDocument, Season,
    SeasonDocument, Tax, TaxDocument, TaxRate, Weekday, Weekdays,
};
pub use rules::Refusal;

use crate::dates::{Date, Stay};
use crate::error::InvalidInput;
use crate::ids::PropertyId;
use crate::money::Money;
use crate::property::Property;

/// What prices a stay at one property: the listing's prices and limits and
/// its pricing document.
#[derive(Debug, Clone, Copy)]
pub struct Terms<'a> {
    pub nightly_price: Money,
    pub cleaning_fee: Money,
    pub min_nights: u32,
    pub max_nights: u32,
    pub max_guests: u32,
    pub pricing: &'a Pricing,
}

impl<'a> Terms<'a> {
    pub fn of(property: &'a Property) -> Self {
        let listing = &property.listing;
        Self {
            nightly_price: listing.nightly_price,
            cleaning_fee: listing.cleaning_fee,
            min_nights: listing.min_nights,
            max_nights: listing.max_nights,
            max_guests: listing.max_guests,
            pricing: &property.pricing,
        }
    }

    /// The price of `night`: its season's, else its weekday's, else the nightly price.
    pub fn night(&self, night: Date) -> Money {
        match self.pricing.season(night) {
            Some(season) => season.nightly_price,
            None => self.off_season(Weekday::of(night)),
        }
    }

    /// The price of a night outside every season: its weekday's, else the nightly price.
    pub fn off_season(&self, day: Weekday) -> Money {
        self.pricing.weekday_prices[day as usize].unwrap_or(self.nightly_price)
    }
}

/// A named amount: a fee or a tax.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub name: String,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NightPrice {
    pub date: Date,
    pub price: Money,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    pub percent: u32,
    pub amount: Money,
}

/// A stay's sums. `total = nightly_total − discount + cleaning_fee + fees + taxes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub nightly_total: Money,
    pub discount: Option<Discount>,
    pub cleaning_fee: Money,
    pub fees: Money,
    pub taxes: Money,
    pub total: Money,
}

/// Where the lines of a price go as they are worked out. Search wants only
/// the totals (`()`); a quote keeps every line.
pub trait Lines {
    fn night(&mut self, _date: Date, _price: Money) {}
    fn fee(&mut self, _fee: &Fee, _amount: Money) {}
    fn tax(&mut self, _tax: &Tax, _amount: Money) {}
}

impl Lines for () {}

/// The price of a stay, broken down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub property_id: PropertyId,
    pub check_in: Date,
    pub check_out: Date,
    pub guests: u32,
    pub nights: u32,
    pub night_prices: Vec<NightPrice>,
    /// The property's nightly price (nights without a season or weekday price).
    pub nightly_price: Money,
    pub nightly_total: Money,
    pub discount: Option<Discount>,
    pub cleaning_fee: Money,
    pub fees: Vec<Line>,
    pub taxes: Vec<Line>,
    pub total: Money,
}

impl Quote {
    pub fn stay(&self) -> Stay {
        Stay {
            check_in: self.check_in,
            check_out: self.check_out,
        }
    }
}

/// `percent` of a non-negative `amount`, rounded half up to a minor unit.
pub fn percent_of(amount: Money, percent: u32) -> Money {
    Money::new(
        (amount.amount * i64::from(percent) + 50) / 100,
        amount.currency,
    )
}

/// Prices `stay` for `guests` as of `today`, handing each line to `lines`,
/// or names the rule the stay breaks.
///
/// Amounts cannot overflow: prices are at most `MAX_PRICE_AMOUNT`, a stay
/// at most 90 nights, guests at most 50 and each list at most
/// `MAX_ENTRIES` long, so every sum stays below 10^16.
pub fn price(
    terms: &Terms,
    stay: Stay,
    guests: u32,
    today: Date,
    lines: &mut impl Lines,
) -> Result<Totals, Refusal> {
    rules::check(terms, stay, guests, today)?;
    let currency = terms.nightly_price.currency;
    let nights = stay.nights();
    let mut nightly_total = Money::zero(currency);
    for date in stay.dates() {
        let price = terms.night(date);
        lines.night(date, price);
        nightly_total.amount += price.amount;
    }
    let discount = terms
        .pricing
        .length_discounts
        .iter()
        .rfind(|d| d.min_nights <= nights)
        .map(|d| Discount {
            percent: d.percent,
            amount: percent_of(nightly_total, d.percent),
        });
    let mut fees = Money::zero(currency);
    for fee in &terms.pricing.fees {
        let times = match fee.per {
            FeeBasis::Stay => 1,
            FeeBasis::Night => nights,
            FeeBasis::Guest => guests,
            FeeBasis::GuestNight => guests * nights,
        };
        let amount = Money::new(fee.amount.amount * i64::from(times), currency);
        lines.fee(fee, amount);
        fees.amount += amount.amount;
    }
    let accommodation = Money::new(
        nightly_total.amount - discount.map_or(0, |d| d.amount.amount)
            + terms.cleaning_fee.amount
            + fees.amount,
        currency,
    );
    let mut taxes = Money::zero(currency);
    for tax in &terms.pricing.taxes {
        let amount = match &tax.rate {
            TaxRate::Percent(percent) => percent_of(accommodation, *percent),
            TaxRate::PerGuestNight { amount, max_nights } => {
                let taxed = max_nights.map_or(nights, |cap| nights.min(cap));
                Money::new(amount.amount * i64::from(guests * taxed), currency)
            }
        };
        lines.tax(tax, amount);
        taxes.amount += amount.amount;
    }
    Ok(Totals {
        nightly_total,
        discount,
        cleaning_fee: terms.cleaning_fee,
        fees,
        taxes,
        total: Money::new(accommodation.amount + taxes.amount, currency),
    })
}

/// The total of a stay, or the rule it breaks: what search ranks by.
pub fn total(terms: &Terms, stay: Stay, guests: u32, today: Date) -> Result<Money, Refusal> {
    price(terms, stay, guests, today, &mut ()).map(|t| t.total)
}

/// Every line of a quote, in the order they were priced.
#[derive(Default)]
struct Breakdown {
    nights: Vec<NightPrice>,
    fees: Vec<Line>,
    taxes: Vec<Line>,
}

impl Lines for Breakdown {
    fn night(&mut self, date: Date, price: Money) {
        self.nights.push(NightPrice { date, price });
    }

    fn fee(&mut self, fee: &Fee, amount: Money) {
        self.fees.push(Line {
            name: fee.name.clone(),
            amount,
        });
    }

    fn tax(&mut self, tax: &Tax, amount: Money) {
        self.taxes.push(Line {
            name: tax.name.clone(),
            amount,
        });
    }
}

/// Prices `stay` for `guests` at `property` as of `today`, or says which
/// rule it breaks (naming the request field at fault).
pub fn quote(
    property: &Property,
    stay: Stay,
    guests: u32,
    today: Date,
) -> Result<Quote, InvalidInput> {
    let mut lines = Breakdown::default();
    let totals = price(&Terms::of(property), stay, guests, today, &mut lines)?;
    Ok(Quote {
        property_id: property.id.clone(),
        check_in: stay.check_in,
        check_out: stay.check_out,
        guests,
        nights: stay.nights(),
        night_prices: lines.nights,
        nightly_price: property.listing.nightly_price,
        nightly_total: totals.nightly_total,
        discount: totals.discount,
        cleaning_fee: totals.cleaning_fee,
        fees: lines.fees,
        taxes: lines.taxes,
        total: totals.total,
    })
}

#[cfg(test)]
mod tests;
