//! Pricing a stay: nightly price × nights + cleaning fee, within the
//! property's rules for nights and guests.

use serde::{Deserialize, Serialize};

use crate::dates::{Date, Stay};
use crate::error::InvalidInput;
use crate::ids::PropertyId;
use crate::money::Money;
use crate::property::Property;

/// The price of a stay, broken down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub property_id: PropertyId,
    pub check_in: Date,
    pub check_out: Date,
    pub guests: u32,
    pub nights: u32,
    pub nightly_price: Money,
    pub nightly_total: Money,
    pub cleaning_fee: Money,
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

/// Prices `stay` for `guests` at `property`, or says which rule it breaks.
pub fn quote(property: &Property, stay: Stay, guests: u32) -> Result<Quote, InvalidInput> {
    let listing = &property.listing;
    if guests < 1 {
        return Err(InvalidInput::new("guests", "must be at least 1"));
    }
    if guests > listing.max_guests {
        return Err(InvalidInput::new(
            "guests",
            format!("this property sleeps at most {}", listing.max_guests),
        ));
    }
    let nights = stay.nights();
    if nights < listing.min_nights {
        return Err(InvalidInput::new(
            "check_out",
            format!(
                "this property is let for at least {} nights",
                listing.min_nights
            ),
        ));
    }
    if nights > listing.max_nights {
        return Err(InvalidInput::new(
            "check_out",
            format!(
                "this property is let for at most {} nights",
                listing.max_nights
            ),
        ));
    }
    // Prices are capped and stays are at most 90 nights, so these cannot overflow.
    let overflow = || InvalidInput::new("check_out", "the stay's price is too large");
    let nightly_total = listing
        .nightly_price
        .checked_mul(i64::from(nights))
        .ok_or_else(overflow)?;
    let total = nightly_total
        .checked_add(listing.cleaning_fee)
        .ok_or_else(overflow)?;
    Ok(Quote {
        property_id: property.id.clone(),
        check_in: stay.check_in,
        check_out: stay.check_out,
        guests,
        nights,
        nightly_price: listing.nightly_price,
        nightly_total,
        cleaning_fee: listing.cleaning_fee,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::UserId;
    use crate::property::{Listing, tests::fields};

    fn property() -> Property {
        Property::list(
            UserId::parse("host").unwrap(),
            Listing::new(fields()).unwrap(),
            chrono::Utc::now(),
        )
    }

    fn stay(nights: u32) -> Stay {
        let check_in = Date::parse("2027-01-10").unwrap();
        Stay::existing(check_in, check_in.add_days(nights)).unwrap()
    }

    #[test]
    fn a_stay_costs_nights_times_price_plus_cleaning() {
        let q = quote(&property(), stay(3), 2).unwrap();
        assert_eq!(q.nights, 3);
        assert_eq!(q.nightly_total.amount, 36_000);
        assert_eq!(q.cleaning_fee.amount, 3_000);
        assert_eq!(q.total.amount, 39_000);
        assert_eq!(q.total.currency.as_str(), "EUR");
    }

    #[test]
    fn nights_and_guests_must_fit_the_property() {
        let p = property();
        assert_eq!(
            quote(&p, stay(1), 2).unwrap_err().field,
            "check_out",
            "below min"
        );
        assert_eq!(
            quote(&p, stay(31), 2).unwrap_err().field,
            "check_out",
            "above max"
        );
        assert_eq!(quote(&p, stay(2), 5).unwrap_err().field, "guests");
        assert_eq!(quote(&p, stay(2), 0).unwrap_err().field, "guests");
        assert!(quote(&p, stay(30), 4).is_ok());
    }
}
