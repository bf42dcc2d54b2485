//! Money: integer minor units of one ISO 4217 currency. Never a float.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::InvalidInput;

/// An ISO 4217 alphabetic currency code, such as `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    pub fn parse(code: &str) -> Result<Self, InvalidInput> {
        match code.as_bytes() {
            [a, b, c] if code.bytes().all(|b| b.is_ascii_uppercase()) => Ok(Self([*a, *b, *c])),
            _ => Err(InvalidInput::new(
                "currency",
                "must be a three-letter ISO 4217 code in upper case, such as EUR",
            )),
        }
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl TryFrom<String> for Currency {
    type Error = InvalidInput;
    fn try_from(code: String) -> Result<Self, Self::Error> {
        Self::parse(&code)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.as_str().to_owned()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount in minor units (cents for EUR) of one currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub amount: i64,
    pub currency: Currency,
}

/// The largest amount Berth accepts for one price: a hundred million minor units.
/// Keeps every stay total (at most 90 nights) far from i64 overflow.
pub const MAX_PRICE_AMOUNT: i64 = 100_000_000;

impl Money {
    pub fn new(amount: i64, currency: Currency) -> Self {
        Self { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// A price a host may set: not negative, not absurd.
    pub fn price(field: &'static str, amount: i64, currency: &str) -> Result<Self, InvalidInput> {
        let currency = Currency::parse(currency).map_err(|e| e.at(field))?;
        if !(0..=MAX_PRICE_AMOUNT).contains(&amount) {
            return Err(InvalidInput::new(
                field,
                format!("amount must be between 0 and {MAX_PRICE_AMOUNT} minor units"),
            ));
        }
        Ok(Self::new(amount, currency))
    }

    /// Sum of two amounts of the same currency, `None` on a currency mismatch or overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        (self.currency == other.currency)
            .then(|| self.amount.checked_add(other.amount))
            .flatten()
            .map(|amount| Money::new(amount, self.currency))
    }

    pub fn checked_mul(self, factor: i64) -> Option<Money> {
        self.amount
            .checked_mul(factor)
            .map(|amount| Money::new(amount, self.currency))
    }

    /// `numerator / denominator` of this amount, rounded down to a whole minor unit.
    pub fn fraction(self, numerator: i64, denominator: i64) -> Money {
        Money::new(self.amount * numerator / denominator, self.currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(amount: i64) -> Money {
        Money::new(amount, Currency::parse("EUR").unwrap())
    }

    #[test]
    fn currency_codes_are_three_upper_case_letters() {
        assert!(Currency::parse("EUR").is_ok());
        for bad in ["eur", "EU", "EURO", "E1R", "", "ÉUR"] {
            assert!(Currency::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn money_serialises_as_amount_and_currency() {
        let json = serde_json::to_value(eur(12_000)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"amount": 12000, "currency": "EUR"})
        );
        let back: Money = serde_json::from_value(json).unwrap();
        assert_eq!(back, eur(12_000));
        assert!(serde_json::from_str::<Money>(r#"{"amount":1,"currency":"eur"}"#).is_err());
        assert!(serde_json::from_str::<Money>(r#"{"amount":1.5,"currency":"EUR"}"#).is_err());
    }

    #[test]
    fn adding_different_currencies_is_refused() {
        let usd = Money::new(5, Currency::parse("USD").unwrap());
        assert_eq!(eur(5).checked_add(usd), None);
        assert_eq!(eur(5).checked_add(eur(7)), Some(eur(12)));
        assert_eq!(eur(i64::MAX).checked_add(eur(1)), None);
    }

    #[test]
    fn prices_are_bounded() {
        assert!(Money::price("p", -1, "EUR").is_err());
        assert!(Money::price("p", MAX_PRICE_AMOUNT + 1, "EUR").is_err());
        assert_eq!(Money::price("p", 0, "EUR").unwrap(), eur(0));
        let err = Money::price("nightly_price", 10, "euro").unwrap_err();
        assert_eq!(err.field, "nightly_price.currency");
    }

    #[test]
    fn fractions_round_down() {
        assert_eq!(eur(1001).fraction(1, 2), eur(500));
        assert_eq!(eur(1000).fraction(1, 1), eur(1000));
    }
}
