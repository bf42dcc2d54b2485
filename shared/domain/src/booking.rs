//! Bookings and their life: `PENDING → HELD → PAID → CONFIRMED`,
//! `CONFIRMED → CANCELLED`, and any unsettled status → `FAILED` or `EXPIRED`.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::calendar;
use crate::cancellation::{CancellationPolicy, CancellationTerms};
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
            // The provider refused the guest's payment method (no such
            // method, not usable for this charge): to the guest, a decline.
            "PaymentDeclined" | "PaymentRejected" => Self::PaymentDeclined,
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
    status: BookingStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    failure_reason: Option<FailureReason>,
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
    payment_ref: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refund: Option<Money>,
    /// When an unsettled booking expires: the end of its nights' hold once
    /// HELD, before that the deadline for taking the hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    hold_expires_at: Option<Timestamp>,
    pub created_at: Timestamp,
    updated_at: Timestamp,
    /// 1 when requested, one more with every change stored. Its events
    /// carry it, so read models tell a late event from a new one (see
    /// [`crate::projections::is_current`]).
    #[serde(default)]
    version: u64,
}

/// A booking move that its status does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("booking is {from}; it cannot become {to}")]
pub struct InvalidTransition {
    pub from: BookingStatus,
    pub to: BookingStatus,
}

impl Booking {
    /// What cancelling at `now` would refund, for a booking that can be
    /// cancelled (a confirmed one); `None` otherwise.
    pub fn cancellation_terms(&self, now: Timestamp) -> Option<CancellationTerms> {
        (self.status == BookingStatus::Confirmed).then(|| {
            self.cancellation_policy
                .terms(self.total, self.check_in, now)
        })
    }

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
            version: 1,
        }
    }

    pub fn stay(&self) -> Stay {
        Stay {
            check_in: self.check_in,
            check_out: self.check_out,
        }
    }

    pub fn status(&self) -> BookingStatus {
        self.status
    }

    /// Why it failed, once FAILED: only ever a business reason, or
    /// [`FailureReason::SystemError`] when the platform gave up.
    pub fn failure_reason(&self) -> Option<FailureReason> {
        self.failure_reason
    }

    /// The payment provider's reference for the captured charge, once PAID.
    pub fn payment_ref(&self) -> Option<&str> {
        self.payment_ref.as_deref()
    }

    /// What went back to the guest, once refunded.
    pub fn refund(&self) -> Option<Money> {
        self.refund
    }

    /// When this unsettled booking expires; `None` once settled.
    pub fn hold_expires_at(&self) -> Option<Timestamp> {
        self.hold_expires_at
    }

    pub fn updated_at(&self) -> Timestamp {
        self.updated_at
    }

    /// How many changes it has been through (see the field).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The next version of this booking, changed at `now`: every stored
    /// change goes through here.
    fn revised(&self, now: Timestamp) -> Booking {
        Booking {
            updated_at: now,
            version: self.version + 1,
            ..self.clone()
        }
    }

    /// Whether its hold (or, before HELD, its deadline) has lapsed at `now`.
    pub fn hold_lapsed(&self, now: Timestamp) -> bool {
        self.hold_expires_at
            .is_some_and(|until| calendar::hold_lapsed(until, now))
    }

    /// This booking moved to `next` at `now`, if its status allows.
    fn moved(&self, next: BookingStatus, now: Timestamp) -> Result<Booking, InvalidTransition> {
        if !self.status.may_become(next) {
            return Err(InvalidTransition {
                from: self.status,
                to: next,
            });
        }
        Ok(Booking {
            status: next,
            ..self.revised(now)
        })
    }

    /// PENDING → HELD: its nights are held until `until`.
    pub fn held(&self, until: Timestamp, now: Timestamp) -> Result<Booking, InvalidTransition> {
        let mut held = self.moved(BookingStatus::Held, now)?;
        held.hold_expires_at = Some(until);
        Ok(held)
    }

    /// HELD → PAID: the charge `payment_ref` was captured.
    pub fn paid(
        &self,
        payment_ref: impl Into<String>,
        now: Timestamp,
    ) -> Result<Booking, InvalidTransition> {
        let mut paid = self.moved(BookingStatus::Paid, now)?;
        paid.payment_ref = Some(payment_ref.into());
        Ok(paid)
    }

    /// PAID → CONFIRMED: settled, so it no longer expires.
    pub fn confirmed(&self, now: Timestamp) -> Result<Booking, InvalidTransition> {
        let mut confirmed = self.moved(BookingStatus::Confirmed, now)?;
        confirmed.hold_expires_at = None;
        Ok(confirmed)
    }

    /// Unsettled → FAILED for `reason`.
    pub fn failed(
        &self,
        reason: FailureReason,
        now: Timestamp,
    ) -> Result<Booking, InvalidTransition> {
        let mut failed = self.moved(BookingStatus::Failed, now)?;
        failed.failure_reason = Some(reason);
        failed.hold_expires_at = None;
        Ok(failed)
    }

    /// Unsettled → EXPIRED: the workflow never settled it in time.
    pub fn expired(&self, now: Timestamp) -> Result<Booking, InvalidTransition> {
        let mut expired = self.moved(BookingStatus::Expired, now)?;
        expired.hold_expires_at = None;
        Ok(expired)
    }

    /// CONFIRMED → CANCELLED by its guest, `refund` going back to them.
    pub fn cancelled(&self, refund: Money, now: Timestamp) -> Result<Booking, InvalidTransition> {
        let mut cancelled = self.moved(BookingStatus::Cancelled, now)?;
        cancelled.refund = Some(refund);
        Ok(cancelled)
    }

    /// The same booking, noting that `refund` went back to the guest (a
    /// compensation or the sweeper gave back a charge); its status stays.
    pub fn refunded(&self, refund: Money, now: Timestamp) -> Booking {
        Booking {
            refund: Some(refund),
            ..self.revised(now)
        }
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
        assert_eq!(
            FailureReason::from_error_name("PaymentRejected"),
            FailureReason::PaymentDeclined
        );
        assert_eq!(
            FailureReason::from_error_name("Lambda.Unknown"),
            FailureReason::SystemError
        );
    }

    fn pending(now: Timestamp) -> Booking {
        use crate::property::{Listing, tests::fields};
        let property = Property::list(
            UserId::parse("host").unwrap(),
            Listing::new(fields()).unwrap(),
            now,
        );
        let check_in = Date::parse("2027-01-10").unwrap();
        let stay = Stay::existing(check_in, check_in.add_days(3)).unwrap();
        let quote = crate::pricing::quote(&property, stay, 2, Date::of(now)).unwrap();
        let method = PaymentMethod::parse("pm_card_visa").unwrap();
        let guest = UserId::parse("guest").unwrap();
        Booking::request(
            guest,
            &property,
            quote,
            method,
            now,
            now + Duration::minutes(1),
        )
    }

    use chrono::{Duration, Utc};

    #[test]
    fn each_transition_sets_its_own_fields() {
        let t0 = Utc::now();
        let at = |minutes: i64| t0 + Duration::minutes(minutes);
        let booking = pending(t0);
        assert!(!booking.hold_lapsed(at(0)) && booking.hold_lapsed(at(1)));

        let held = booking.held(at(16), at(1)).unwrap();
        assert_eq!(
            (held.status(), held.hold_expires_at()),
            (Held, Some(at(16)))
        );
        assert_eq!(held.updated_at(), at(1));
        assert!(
            !held.hold_lapsed(at(15)) && held.hold_lapsed(at(16)),
            "lapses at its expiry"
        );

        let paid = held.paid("pi_1", at(2)).unwrap();
        assert_eq!((paid.status(), paid.payment_ref()), (Paid, Some("pi_1")));

        let confirmed = paid.confirmed(at(3)).unwrap();
        assert_eq!(
            (confirmed.status(), confirmed.hold_expires_at()),
            (Confirmed, None)
        );
        assert_eq!(confirmed.payment_ref(), Some("pi_1"));

        let refund = Money::new(100, confirmed.total.currency);
        let cancelled = confirmed.cancelled(refund, at(4)).unwrap();
        assert_eq!(
            (cancelled.status(), cancelled.refund()),
            (Cancelled, Some(refund))
        );

        let failed = held.failed(FailureReason::PaymentDeclined, at(5)).unwrap();
        assert_eq!(failed.status(), Failed);
        assert_eq!(
            failed.failure_reason(),
            Some(FailureReason::PaymentDeclined)
        );
        assert_eq!(failed.hold_expires_at(), None);

        let expired = paid.expired(at(6)).unwrap();
        assert_eq!(
            (expired.status(), expired.hold_expires_at()),
            (Expired, None)
        );
        assert_eq!(expired.failure_reason(), None);

        let noted = expired.refunded(refund, at(7));
        assert_eq!((noted.status(), noted.refund()), (Expired, Some(refund)));
    }

    #[test]
    fn a_transition_its_status_forbids_changes_nothing() {
        let now = Utc::now();
        let booking = pending(now);
        assert_eq!(
            booking.paid("pi_1", now).unwrap_err(),
            InvalidTransition {
                from: Pending,
                to: Paid
            }
        );
        let failed = booking.failed(FailureReason::InvalidStay, now).unwrap();
        assert!(failed.held(now, now).is_err());
        assert!(failed.failed(FailureReason::HoldExpired, now).is_err());
        assert!(failed.expired(now).is_err());
        assert!(failed.confirmed(now).is_err());
        assert!(
            booking
                .cancelled(Money::zero(booking.total.currency), now)
                .is_err()
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
