//! Bookings and their life: `PENDING → HELD → PAID → CONFIRMED`,
//! `CONFIRMED → CANCELLED`, and any unsettled status → `FAILED` or `EXPIRED`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cancellation::CancellationPolicy;
use crate::dates::{Date, Stay, Timestamp};
use crate::error::InvalidInput;
use crate::ids::{BookingId, PropertyId, UserId};
use crate::money::Money;
use crate::pricing::{Discount, Line, NightPrice, Quote};
use crate::property::Property;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BookingStatus {
    Pending,
    Held,
    Paid,
    Confirmed,
    Failed,
    Cancelled,
    Expired,
}

impl BookingStatus {
    pub const ALL: [BookingStatus; 7] = [
        Self::Pending,
        Self::Held,
        Self::Paid,
        Self::Confirmed,
        Self::Failed,
        Self::Cancelled,
        Self::Expired,
    ];

    /// Statuses the booking workflow has not yet settled.
    pub const UNSETTLED: [BookingStatus; 3] = [Self::Pending, Self::Held, Self::Paid];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Held => "HELD",
            Self::Paid => "PAID",
            Self::Confirmed => "CONFIRMED",
            Self::Failed => "FAILED",
            Self::Cancelled => "CANCELLED",
            Self::Expired => "EXPIRED",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// The workflow is done with this booking (only a guest's cancel may follow).
    pub fn is_settled(self) -> bool {
        !Self::UNSETTLED.contains(&self)
    }

    /// Whether a booking in this status may move to `next`.
    pub fn may_become(self, next: BookingStatus) -> bool {
        use BookingStatus::*;
        match (self, next) {
            (Pending, Held) | (Held, Paid) | (Paid, Confirmed) | (Confirmed, Cancelled) => true,
            (from, Failed | Expired) => !from.is_settled(),
            _ => false,
        }
    }
}

impl fmt::Display for BookingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a booking failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FailureReason {
    NightsUnavailable,
    PaymentDeclined,
    PaymentUnavailable,
    HoldExpired,
    InvalidStay,
    /// The platform could not finish the booking and gave up; nothing stays charged.
    SystemError,
}

impl FailureReason {
    /// The reason for a workflow error name (a Step Functions error such as
    /// `NightsUnavailable`). Names that are not business errors mean the
    /// platform itself failed.
    pub fn from_error_name(name: &str) -> Self {
        match name {
            "NightsUnavailable" => Self::NightsUnavailable,
            "PaymentDeclined" => Self::PaymentDeclined,
            "PaymentUnavailable" => Self::PaymentUnavailable,
            "HoldExpired" => Self::HoldExpired,
            "InvalidStay" => Self::InvalidStay,
            _ => Self::SystemError,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NightsUnavailable => "NIGHTS_UNAVAILABLE",
            Self::PaymentDeclined => "PAYMENT_DECLINED",
            Self::PaymentUnavailable => "PAYMENT_UNAVAILABLE",
            Self::HoldExpired => "HOLD_EXPIRED",
            Self::InvalidStay => "INVALID_STAY",
            Self::SystemError => "SYSTEM_ERROR",
        }
    }
}

/// A payment method reference from the payment provider, such as `pm_card_visa`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PaymentMethod(String);

impl PaymentMethod {
    pub fn parse(text: &str) -> Result<Self, InvalidInput> {
        let body = text.strip_prefix("pm_").unwrap_or("");
        if (1..=100).contains(&body.len())
            && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            Ok(Self(text.to_owned()))
        } else {
            Err(InvalidInput::new(
                "payment_method",
                "must be a payment method id such as pm_card_visa",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for PaymentMethod {
    type Error = InvalidInput;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<PaymentMethod> for String {
    fn from(method: PaymentMethod) -> Self {
        method.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub id: BookingId,
    pub status: BookingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<FailureReason>,
    pub property_id: PropertyId,
    pub guest_id: UserId,
    pub host_id: UserId,
    pub check_in: Date,
    pub check_out: Date,
    pub guests: u32,
    pub nights: u32,
    pub nightly_price: Money,
    pub nightly_total: Money,
    pub cleaning_fee: Money,
    /// The quote's other lines, locked when the guest asked: later price
    /// changes do not apply. (Empty on bookings made before they existed.)
    #[serde(default)]
    pub night_prices: Vec<NightPrice>,
    #[serde(default)]
    pub discount: Option<Discount>,
    #[serde(default)]
    pub fees: Vec<Line>,
    #[serde(default)]
    pub taxes: Vec<Line>,
    /// What the guest is charged: the quote's total.
    pub total: Money,
    pub payment_method: PaymentMethod,
    /// The property's policy when the guest booked: later changes do not apply.
    pub cancellation_policy: CancellationPolicy,
    /// The payment provider's reference for the captured charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund: Option<Money>,
    /// When an unsettled booking expires: the end of its nights' hold once
    /// HELD, before that the deadline for taking the hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A booking move that its status does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("booking is {from}; it cannot become {to}")]
pub struct InvalidTransition {
    pub from: BookingStatus,
    pub to: BookingStatus,
}

impl Booking {
    /// A new booking request by `guest_id` for a priced stay at `property`.
    /// It must settle by `deadline` or expire.
    pub fn request(
        guest_id: UserId,
        property: &Property,
        quote: Quote,
        payment_method: PaymentMethod,
        now: Timestamp,
        deadline: Timestamp,
    ) -> Self {
        Self {
            id: BookingId::generate(),
            status: BookingStatus::Pending,
            failure_reason: None,
            property_id: quote.property_id,
            guest_id,
            host_id: property.host_id.clone(),
            cancellation_policy: property.listing.cancellation_policy,
            check_in: quote.check_in,
            check_out: quote.check_out,
            guests: quote.guests,
            nights: quote.nights,
            nightly_price: quote.nightly_price,
            nightly_total: quote.nightly_total,
            cleaning_fee: quote.cleaning_fee,
            night_prices: quote.night_prices,
            discount: quote.discount,
            fees: quote.fees,
            taxes: quote.taxes,
            total: quote.total,
            payment_method,
            payment_ref: None,
            refund: None,
            hold_expires_at: Some(deadline),
            created_at: now,
            updated_at: now,
        }
    }

    pub fn stay(&self) -> Stay {
        Stay {
            check_in: self.check_in,
            check_out: self.check_out,
        }
    }

    /// This booking moved to `next` at `now`, if its status allows.
    pub fn moved(&self, next: BookingStatus, now: Timestamp) -> Result<Booking, InvalidTransition> {
        if !self.status.may_become(next) {
            return Err(InvalidTransition {
                from: self.status,
                to: next,
            });
        }
        Ok(Booking {
            status: next,
            updated_at: now,
            ..self.clone()
        })
    }

    /// Whether `user` may see this booking: its guest or its property's host.
    pub fn is_party(&self, user: &UserId) -> bool {
        &self.guest_id == user || &self.host_id == user
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BookingStatus::*;

    #[test]
    fn the_happy_path_and_cancellation_are_allowed() {
        for (from, to) in [
            (Pending, Held),
            (Held, Paid),
            (Paid, Confirmed),
            (Confirmed, Cancelled),
        ] {
            assert!(from.may_become(to), "{from} → {to}");
        }
    }

    #[test]
    fn only_unsettled_bookings_fail_or_expire() {
        for from in BookingStatus::ALL {
            for to in [Failed, Expired] {
                assert_eq!(from.may_become(to), !from.is_settled(), "{from} → {to}");
            }
        }
        assert!(Confirmed.is_settled() && Failed.is_settled() && Expired.is_settled());
        assert!(!Paid.is_settled());
    }

    #[test]
    fn no_other_move_is_allowed() {
        let allowed = |from: BookingStatus, to: BookingStatus| {
            matches!(
                (from, to),
                (Pending, Held) | (Held, Paid) | (Paid, Confirmed) | (Confirmed, Cancelled)
            ) || (matches!(to, Failed | Expired) && !from.is_settled())
        };
        for from in BookingStatus::ALL {
            for to in BookingStatus::ALL {
                assert_eq!(from.may_become(to), allowed(from, to), "{from} → {to}");
            }
        }
    }

    #[test]
    fn statuses_and_reasons_use_their_wire_names() {
        for status in BookingStatus::ALL {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
            assert_eq!(BookingStatus::parse(status.as_str()), Some(status));
        }
        let reason = FailureReason::from_error_name("PaymentDeclined");
        assert_eq!(serde_json::to_value(reason).unwrap(), "PAYMENT_DECLINED");
        assert_eq!(
            FailureReason::from_error_name("States.Timeout"),
            FailureReason::SystemError
        );
    }

    #[test]
    fn payment_methods_look_like_provider_ids() {
        assert!(PaymentMethod::parse("pm_card_visa").is_ok());
        assert!(PaymentMethod::parse("pm_card_chargeDeclined").is_ok());
        for bad in ["", "pm_", "card_visa", "pm_a b", "pm_x;drop"] {
            assert!(PaymentMethod::parse(bad).is_err(), "{bad} accepted");
        }
    }
}
