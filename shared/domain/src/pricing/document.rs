//! A property's pricing document: seasons, weekday prices, length-of-stay
//! discounts, fees, taxes and stay rules. [`PricingDocument`] is the shape a
//! host sends and reads back; [`Pricing`] is the same document checked
//! against the property's currency, so that every value in it is valid.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::dates::{BOOKING_HORIZON_DAYS, Date, MAX_STAY_NIGHTS};
use crate::error::InvalidInput;
use crate::money::{Currency, MAX_PRICE_AMOUNT, Money};

/// At most this many seasons, discounts, fees and taxes each.
pub const MAX_ENTRIES: usize = 50;

/// The pricing document as JSON carries it. Every field may be left out;
/// `{}` prices every night at the property's nightly price.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PricingDocument {
    #[serde(default)]
    pub seasons: Vec<SeasonDocument>,
    #[serde(default)]
    pub weekday_prices: BTreeMap<String, Money>,
    #[serde(default)]
    pub length_discounts: Vec<LengthDiscount>,
    #[serde(default)]
    pub fees: Vec<FeeDocument>,
    #[serde(default)]
    pub taxes: Vec<TaxDocument>,
    #[serde(default)]
    pub advance_notice_days: Option<u32>,
    #[serde(default)]
    pub booking_window_days: Option<u32>,
    #[serde(default)]
    pub check_in_days: Option<Vec<String>>,
    #[serde(default)]
    pub check_out_days: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeasonDocument {
    pub from: Date,
    /// Exclusive.
    pub to: Date,
    pub nightly_price: Money,
    #[serde(default)]
    pub min_nights: Option<u32>,
}

/// `percent` off the nights of a stay of at least `min_nights`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LengthDiscount {
    pub min_nights: u32,
    pub percent: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeeDocument {
    pub name: String,
    pub per: String,
    pub amount: Money,
}

/// Either `percent` of the accommodation amount, or `per_guest_night`
/// (optionally for at most `max_nights` nights).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaxDocument {
    pub name: String,
    #[serde(default)]
    pub percent: Option<u32>,
    #[serde(default)]
    pub per_guest_night: Option<Money>,
    #[serde(default)]
    pub max_nights: Option<u32>,
}

/// A day of the week, named as pricing documents name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub fn name(self) -> &'static str {
        ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][self as usize]
    }

    pub fn of(date: Date) -> Self {
        use chrono::Datelike;
        Self::ALL[date.naive().weekday().num_days_from_monday() as usize]
    }

    fn parse(field: &str, name: &str) -> Result<Self, InvalidInput> {
        Self::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| {
                InvalidInput::new(
                    field,
                    format!("unknown weekday {name:?}; one of mon tue wed thu fri sat sun"),
                )
            })
    }
}

/// A set of weekdays, one bit each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weekdays(u8);

impl Weekdays {
    pub fn contains(self, day: Weekday) -> bool {
        self.0 & (1 << day as u8) != 0
    }

    fn parse(field: &str, names: &[String]) -> Result<Self, InvalidInput> {
        let mut bits = 0;
        for (i, name) in names.iter().enumerate() {
            bits |= 1 << Weekday::parse(&format!("{field}[{i}]"), name)? as u8;
        }
        if bits == 0 {
            return Err(InvalidInput::new(
                field,
                "name at least one day, or leave it out",
            ));
        }
        Ok(Self(bits))
    }

    fn names(self) -> Vec<String> {
        Weekday::ALL
            .into_iter()
            .filter(|d| self.contains(*d))
            .map(|d| d.name().to_owned())
            .collect()
    }
}

/// What a fee is multiplied by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeeBasis {
    Stay,
    Night,
    Guest,
    GuestNight,
}

impl FeeBasis {
    const ALL: [FeeBasis; 4] = [Self::Stay, Self::Night, Self::Guest, Self::GuestNight];

    pub fn name(self) -> &'static str {
        match self {
            Self::Stay => "stay",
            Self::Night => "night",
            Self::Guest => "guest",
            Self::GuestNight => "guest_night",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Season {
    pub from: Date,
    pub to: Date,
    pub nightly_price: Money,
    pub min_nights: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fee {
    pub name: String,
    pub per: FeeBasis,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaxRate {
    /// Percent of the accommodation amount.
    Percent(u32),
    /// An amount per guest per night, for at most `max_nights` nights.
    PerGuestNight {
        amount: Money,
        max_nights: Option<u32>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tax {
    pub name: String,
    pub rate: TaxRate,
}

/// A checked pricing document. The default prices every night at the
/// property's nightly price, as if there were none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "PricingDocument", try_from = "PricingDocument")]
pub struct Pricing {
    /// Ordered by start; none overlaps the next.
    pub seasons: Vec<Season>,
    /// By `Weekday as usize`.
    pub weekday_prices: [Option<Money>; 7],
    /// Ordered by `min_nights`.
    pub length_discounts: Vec<LengthDiscount>,
    pub fees: Vec<Fee>,
    pub taxes: Vec<Tax>,
    pub advance_notice_days: Option<u32>,
    pub booking_window_days: Option<u32>,
    pub check_in_days: Option<Weekdays>,
    pub check_out_days: Option<Weekdays>,
}

impl Pricing {
    /// Checks a host's document for a property priced in `currency`; a
    /// refusal names the field at fault (`seasons[1].to`).
    pub fn parse(document: PricingDocument, currency: Currency) -> Result<Self, InvalidInput> {
        let money = |field: String, value: Money| price(&field, value, currency);
        let mut weekday_prices = [None; 7];
        for (name, value) in document.weekday_prices {
            let field = format!("weekday_prices.{name}");
            let day = Weekday::parse(&field, &name)?;
            weekday_prices[day as usize] = Some(money(field, value)?);
        }
        let seasons = seasons(document.seasons, currency)?;
        let length_discounts = discounts(document.length_discounts)?;
        let fees = entries("fees", document.fees, |field, fee| {
            Ok(Fee {
                name: name(&format!("{field}.name"), fee.name)?,
                per: basis(&format!("{field}.per"), &fee.per)?,
                amount: money(format!("{field}.amount"), fee.amount)?,
            })
        })?;
        let taxes = entries("taxes", document.taxes, |field, tax| {
            parse_tax(&field, tax, currency)
        })?;
        let days = |field: &str, value: Option<u32>, max: u32| match value {
            Some(days) if days > max => Err(InvalidInput::new(
                field,
                format!("must be between 0 and {max}"),
            )),
            _ => Ok(value),
        };
        let weekdays = |field: &str, names: Option<Vec<String>>| {
            names.map(|n| Weekdays::parse(field, &n)).transpose()
        };
        Ok(Self {
            seasons,
            weekday_prices,
            length_discounts,
            fees,
            taxes,
            advance_notice_days: days(
                "advance_notice_days",
                document.advance_notice_days,
                BOOKING_HORIZON_DAYS,
            )?,
            booking_window_days: days(
                "booking_window_days",
                document.booking_window_days,
                BOOKING_HORIZON_DAYS,
            )?,
            check_in_days: weekdays("check_in_days", document.check_in_days)?,
            check_out_days: weekdays("check_out_days", document.check_out_days)?,
        })
    }

    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// The currency of the document's amounts; `None` when it has none.
    pub fn currency(&self) -> Option<Currency> {
        self.amounts().next().map(|m| m.currency)
    }

    fn amounts(&self) -> impl Iterator<Item = Money> + '_ {
        let seasons = self.seasons.iter().map(|s| s.nightly_price);
        let weekdays = self.weekday_prices.iter().flatten().copied();
        let fees = self.fees.iter().map(|f| f.amount);
        let taxes = self.taxes.iter().filter_map(|t| match t.rate {
            TaxRate::PerGuestNight { amount, .. } => Some(amount),
            TaxRate::Percent(_) => None,
        });
        seasons.chain(weekdays).chain(fees).chain(taxes)
    }

    /// The season containing `night`, if any.
    pub fn season(&self, night: Date) -> Option<&Season> {
        let after = self.seasons.partition_point(|s| s.from <= night);
        after
            .checked_sub(1)
            .map(|i| &self.seasons[i])
            .filter(|s| night < s.to)
    }

    /// The lowest price any night can have, `base` being the property's.
    pub fn lowest_night(&self, base: Money) -> Money {
        let seasons = self.seasons.iter().map(|s| s.nightly_price);
        let weekdays = self.weekday_prices.iter().flatten().copied();
        seasons
            .chain(weekdays)
            .fold(base, |low, m| if m.amount < low.amount { m } else { low })
    }

    /// The highest price any night can have, `base` being the property's.
    pub fn highest_night(&self, base: Money) -> Money {
        let seasons = self.seasons.iter().map(|s| s.nightly_price);
        let weekdays = self.weekday_prices.iter().flatten().copied();
        seasons.chain(weekdays).fold(
            base,
            |high, m| if m.amount > high.amount { m } else { high },
        )
    }

    /// The largest discount percent any stay can get.
    pub fn largest_discount(&self) -> u32 {
        self.length_discounts
            .iter()
            .map(|d| d.percent)
            .max()
            .unwrap_or(0)
    }
}

fn price(field: &str, value: Money, currency: Currency) -> Result<Money, InvalidInput> {
    if value.currency != currency {
        return Err(InvalidInput::new(
            format!("{field}.currency"),
            format!("must be the property's currency, {currency}"),
        ));
    }
    if !(0..=MAX_PRICE_AMOUNT).contains(&value.amount) {
        return Err(InvalidInput::new(
            format!("{field}.amount"),
            format!("must be between 0 and {MAX_PRICE_AMOUNT} minor units"),
        ));
    }
    Ok(value)
}

/// Each entry of a list parsed with its `list[i]` field name.
fn entries<D, T>(
    list: &str,
    documents: Vec<D>,
    parse: impl Fn(String, D) -> Result<T, InvalidInput>,
) -> Result<Vec<T>, InvalidInput> {
    if documents.len() > MAX_ENTRIES {
        return Err(InvalidInput::new(
            list,
            format!("at most {MAX_ENTRIES} entries"),
        ));
    }
    documents
        .into_iter()
        .enumerate()
        .map(|(i, d)| parse(format!("{list}[{i}]"), d))
        .collect()
}

fn seasons(
    documents: Vec<SeasonDocument>,
    currency: Currency,
) -> Result<Vec<Season>, InvalidInput> {
    let mut seasons = entries("seasons", documents, |field, s| {
        if s.to <= s.from {
            return Err(InvalidInput::new(
                format!("{field}.to"),
                "must be after from",
            ));
        }
        if let Some(min) = s.min_nights {
            nights(&format!("{field}.min_nights"), min)?;
        }
        Ok((
            field.clone(),
            Season {
                from: s.from,
                to: s.to,
                nightly_price: price(&format!("{field}.nightly_price"), s.nightly_price, currency)?,
                min_nights: s.min_nights,
            },
        ))
    })?;
    seasons.sort_by_key(|(_, s)| s.from);
    for pair in seasons.windows(2) {
        let ((earlier_field, earlier), (field, later)) = (&pair[0], &pair[1]);
        if later.from < earlier.to {
            return Err(InvalidInput::new(
                field.as_str(),
                format!("overlaps {earlier_field}: seasons may not overlap"),
            ));
        }
    }
    Ok(seasons.into_iter().map(|(_, s)| s).collect())
}

fn discounts(documents: Vec<LengthDiscount>) -> Result<Vec<LengthDiscount>, InvalidInput> {
    let mut discounts = entries("length_discounts", documents, |field, d| {
        nights(&format!("{field}.min_nights"), d.min_nights)?;
        percent(&format!("{field}.percent"), d.percent)?;
        Ok(d)
    })?;
    discounts.sort_by_key(|d| d.min_nights);
    Ok(discounts)
}

fn parse_tax(field: &str, tax: TaxDocument, currency: Currency) -> Result<Tax, InvalidInput> {
    let name = name(&format!("{field}.name"), tax.name)?;
    let rate = match (tax.percent, tax.per_guest_night) {
        (Some(p), None) => {
            if tax.max_nights.is_some() {
                return Err(InvalidInput::new(
                    format!("{field}.max_nights"),
                    "applies only to a per_guest_night tax",
                ));
            }
            TaxRate::Percent(percent(&format!("{field}.percent"), p)?)
        }
        (None, Some(amount)) => TaxRate::PerGuestNight {
            amount: price(&format!("{field}.per_guest_night"), amount, currency)?,
            max_nights: tax
                .max_nights
                .map(|n| nights(&format!("{field}.max_nights"), n))
                .transpose()?,
        },
        _ => {
            return Err(InvalidInput::new(
                field,
                "a tax has either percent or per_guest_night",
            ));
        }
    };
    Ok(Tax { name, rate })
}

fn percent(field: &str, value: u32) -> Result<u32, InvalidInput> {
    if value > 100 {
        return Err(InvalidInput::new(field, "must be between 0 and 100"));
    }
    Ok(value)
}

fn nights(field: &str, value: u32) -> Result<u32, InvalidInput> {
    if !(1..=MAX_STAY_NIGHTS).contains(&value) {
        return Err(InvalidInput::new(
            field,
            format!("must be between 1 and {MAX_STAY_NIGHTS}"),
        ));
    }
    Ok(value)
}

fn name(field: &str, value: String) -> Result<String, InvalidInput> {
    let value = value.trim().to_owned();
    if !(1..=60).contains(&value.chars().count()) || value.chars().any(char::is_control) {
        return Err(InvalidInput::new(
            field,
            "must be 1 to 60 characters, none a control character",
        ));
    }
    Ok(value)
}

fn basis(field: &str, per: &str) -> Result<FeeBasis, InvalidInput> {
    FeeBasis::ALL
        .into_iter()
        .find(|b| b.name() == per)
        .ok_or_else(|| {
            InvalidInput::new(
                field,
                format!("unknown {per:?}; one of stay, night, guest, guest_night"),
            )
        })
}

impl From<Pricing> for PricingDocument {
    fn from(pricing: Pricing) -> Self {
        let weekday_prices = Weekday::ALL
            .into_iter()
            .filter_map(|d| Some((d.name().to_owned(), pricing.weekday_prices[d as usize]?)))
            .collect();
        Self {
            seasons: pricing
                .seasons
                .into_iter()
                .map(|s| SeasonDocument {
                    from: s.from,
                    to: s.to,
                    nightly_price: s.nightly_price,
                    min_nights: s.min_nights,
                })
                .collect(),
            weekday_prices,
            length_discounts: pricing.length_discounts,
            fees: pricing
                .fees
                .into_iter()
                .map(|f| FeeDocument {
                    name: f.name,
                    per: f.per.name().to_owned(),
                    amount: f.amount,
                })
                .collect(),
            taxes: pricing.taxes.into_iter().map(TaxDocument::from).collect(),
            advance_notice_days: pricing.advance_notice_days,
            booking_window_days: pricing.booking_window_days,
            check_in_days: pricing.check_in_days.map(Weekdays::names),
            check_out_days: pricing.check_out_days.map(Weekdays::names),
        }
    }
}

impl From<Tax> for TaxDocument {
    fn from(tax: Tax) -> Self {
        let (percent, per_guest_night, max_nights) = match tax.rate {
            TaxRate::Percent(p) => (Some(p), None, None),
            TaxRate::PerGuestNight { amount, max_nights } => (None, Some(amount), max_nights),
        };
        Self {
            name: tax.name,
            percent,
            per_guest_night,
            max_nights,
        }
    }
}

/// A stored document, checked once more: its own amounts agree on a
/// currency, which was the property's when it was accepted.
impl TryFrom<PricingDocument> for Pricing {
    type Error = InvalidInput;
    fn try_from(document: PricingDocument) -> Result<Self, Self::Error> {
        let currencies = document
            .seasons
            .iter()
            .map(|s| s.nightly_price)
            .chain(document.weekday_prices.values().copied())
            .chain(document.fees.iter().map(|f| f.amount))
            .chain(document.taxes.iter().filter_map(|t| t.per_guest_night));
        // Without any amount, no currency is ever compared.
        let currency = currencies
            .map(|m| m.currency)
            .next()
            .map_or_else(|| Currency::parse("EUR"), Ok)?;
        Self::parse(document, currency)
    }
}
