//! Cancellation policies and the refund each one owes. A stay counts as begun
//! at midnight UTC of its check-in day.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use crate::dates::{Date, Timestamp};
use crate::error::InvalidInput;
use crate::money::Money;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancellationPolicy {
    /// Full refund until 24 hours before check-in.
    Flexible,
    /// Full refund until 5 days before check-in.
    Moderate,
    /// Half refunded until 7 days before check-in.
    Strict,
}

impl CancellationPolicy {
    pub fn parse(name: &str) -> Result<Self, InvalidInput> {
        match name {
            "flexible" => Ok(Self::Flexible),
            "moderate" => Ok(Self::Moderate),
            "strict" => Ok(Self::Strict),
            _ => Err(InvalidInput::new(
                "cancellation_policy",
                "must be flexible, moderate or strict",
            )),
        }
    }

    /// How long before check-in the refund window closes, and what share of
    /// the total (numerator, denominator) it returns.
    fn window(self) -> (Duration, i64, i64) {
        match self {
            Self::Flexible => (Duration::hours(24), 1, 1),
            Self::Moderate => (Duration::days(5), 1, 1),
            Self::Strict => (Duration::days(7), 1, 2),
        }
    }

    /// The last moment cancelling a stay starting on `check_in` is refunded.
    pub fn refund_until(self, check_in: Date) -> Timestamp {
        check_in.start() - self.window().0
    }

    /// The refund for cancelling, at `now`, a stay that cost `paid` and
    /// starts on `check_in`. Nothing once the window has closed.
    pub fn refund(self, paid: Money, check_in: Date, now: Timestamp) -> Money {
        let (_, numerator, denominator) = self.window();
        if now <= self.refund_until(check_in) {
            paid.fraction(numerator, denominator)
        } else {
            Money::zero(paid.currency)
        }
    }

    /// What cancelling at `now` refunds, and until when the policy refunds:
    /// what a guest is shown before they cancel.
    pub fn terms(self, paid: Money, check_in: Date, now: Timestamp) -> CancellationTerms {
        CancellationTerms {
            refund: self.refund(paid, check_in, now),
            refund_until: self.refund_until(check_in),
        }
    }
}

/// The refund a cancellation would bring now, and the deadline for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CancellationTerms {
    pub refund: Money,
    pub refund_until: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn paid() -> Money {
        Money::new(30_001, Currency::parse("EUR").unwrap())
    }

    fn at(check_in: Date, before: Duration) -> Timestamp {
        check_in.start() - before
    }

    #[test]
    fn each_policy_refunds_inside_its_window_and_nothing_after() {
        let check_in = Date::parse("2027-03-10").unwrap();
        let cases = [
            (CancellationPolicy::Flexible, Duration::hours(24), 30_001),
            (CancellationPolicy::Moderate, Duration::days(5), 30_001),
            (CancellationPolicy::Strict, Duration::days(7), 15_000),
        ];
        for (policy, notice, refund) in cases {
            let on_time = policy.refund(paid(), check_in, at(check_in, notice));
            assert_eq!(on_time.amount, refund, "{policy:?} at the deadline");
            let late = policy.refund(
                paid(),
                check_in,
                at(check_in, notice - Duration::seconds(1)),
            );
            assert_eq!(late.amount, 0, "{policy:?} a second late");
        }
    }

    #[test]
    fn terms_show_the_refund_now_and_its_deadline() {
        let check_in = Date::parse("2027-03-10").unwrap();
        let policy = CancellationPolicy::Strict;
        let deadline = check_in.start() - Duration::days(7);
        let before = policy.terms(paid(), check_in, deadline);
        assert_eq!(
            (before.refund.amount, before.refund_until),
            (15_000, deadline)
        );
        let after = policy.terms(paid(), check_in, deadline + Duration::seconds(1));
        assert_eq!((after.refund.amount, after.refund_until), (0, deadline));
    }

    #[test]
    fn policies_parse_by_name_only() {
        assert_eq!(
            CancellationPolicy::parse("strict").unwrap(),
            CancellationPolicy::Strict
        );
        assert!(CancellationPolicy::parse("Strict").is_err());
    }
}
