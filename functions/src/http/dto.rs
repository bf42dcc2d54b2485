//! Request shapes shared by several routes. Each refuses fields it does not
//! know, so a client can never set what it must not (ids, owners, statuses).

use serde::Deserialize;

/// `{"amount": 12000, "currency": "EUR"}`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MoneyBody {
    pub amount: i64,
    pub currency: String,
}

impl MoneyBody {
    pub fn parts(self) -> (i64, String) {
        (self.amount, self.currency)
    }
}

/// `{"lat": 38.7, "lon": -9.1}`
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocationBody {
    pub lat: f64,
    pub lon: f64,
}
