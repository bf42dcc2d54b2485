//! The booking workflow's steps and their compensations (docs/architecture.md,
//! "The booking protocol"). Step Functions may run any of them more than
//! once, so each checks where the booking stands first and does only what is
//! still to do.

use chrono::Duration;

use crate::booking::{Booking, BookingStatus, FailureReason, InvalidTransition};
use crate::dates::{Date, Timestamp};
use crate::error::InvalidInput;
use crate::events::{Change, DomainEvent};
use crate::ids::BookingId;
use crate::money::Money;
use crate::ports::{
    BookingChange, BookingChanges, BookingReader, ChangeError, NightsChange, PaymentError,
    PaymentGateway, PaymentState, PropertyReader,
};
use crate::pricing;
use crate::retry::{self, Attempt};

/// Why a step failed. [`StepError::name`] is the error type the workflow's
/// Retry and Catch match on.
#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error("night {0} is not available")]
    NightsUnavailable(Date),
    #[error("payment declined: {0}")]
    PaymentDeclined(String),
    #[error("payment provider unavailable: {0}")]
    PaymentUnavailable(String),
    #[error("payment request rejected: {0}")]
    PaymentRejected(String),
    /// The hold lapsed before the booking was paid for, or lapsed and
    /// another booking took a night: a business reason the guest is told.
    #[error("the booking's hold expired")]
    HoldExpired,
    /// The booking settled otherwise (FAILED, EXPIRED, CANCELLED) before this
    /// step: nothing to do, and nothing to tell the guest.
    #[error("the booking is {0} already")]
    Settled(BookingStatus),
    /// The booking is not at this step's status: the workflow ran a step out
    /// of order, which is the platform's fault.
    #[error("the booking is {0}, which this step does not start from")]
    OutOfOrder(BookingStatus),
    #[error("the stay is no longer valid: {0}")]
    InvalidStay(InvalidInput),
    #[error("booking {0} not found")]
    BookingNotFound(BookingId),
    /// The store could not answer; the step may be retried as is.
    #[error("{0:#}")]
    Retryable(#[from] anyhow::Error),
}

impl StepError {
    pub fn name(&self) -> &'static str {
        match self {
            StepError::NightsUnavailable(_) => "NightsUnavailable",
            StepError::PaymentDeclined(_) => "PaymentDeclined",
            StepError::PaymentUnavailable(_) => "PaymentUnavailable",
            StepError::PaymentRejected(_) => "PaymentRejected",
            StepError::HoldExpired => "HoldExpired",
            StepError::Settled(_) => "BookingSettled",
            StepError::OutOfOrder(_) => "BookingOutOfOrder",
            StepError::InvalidStay(_) => "InvalidStay",
            StepError::BookingNotFound(_) => "BookingNotFound",
            StepError::Retryable(_) => "Retryable",
        }
    }

    /// The guest's or the market's outcome, not a fault of Berth's: a night
    /// taken, a payment method declined or refused by the provider, a hold
    /// that lapsed, a stay no longer offered, a booking that settled
    /// otherwise before the step (a step out of order is a fault). Final (the workflow never
    /// retries it, scripts/checks/workflow.py holds it to that) and never a
    /// reason to roll a deployment back (user input must not be able to).
    pub fn is_business(&self) -> bool {
        matches!(
            self,
            StepError::NightsUnavailable(_)
                | StepError::PaymentDeclined(_)
                | StepError::PaymentRejected(_)
                | StepError::HoldExpired
                | StepError::Settled(_)
                | StepError::InvalidStay(_)
        )
    }
}

impl From<PaymentError> for StepError {
    fn from(error: PaymentError) -> Self {
        match error {
            PaymentError::Declined(why) => StepError::PaymentDeclined(why),
            PaymentError::Unavailable(why) => StepError::PaymentUnavailable(why),
            PaymentError::Rejected(why) => StepError::PaymentRejected(why),
        }
    }
}

async fn load(bookings: &dyn BookingReader, id: &BookingId) -> Result<Booking, StepError> {
    bookings
        .booking(id)
        .await?
        .ok_or_else(|| StepError::BookingNotFound(id.clone()))
}

/// Where a forward step stands, given the booking's status: `Ok(true)` to
/// do the step (the booking is at `from`), `Ok(false)` if it is done already
/// (the booking reached one of `done`), else why the step does not apply.
fn stands(
    status: BookingStatus,
    from: BookingStatus,
    done: &[BookingStatus],
) -> Result<bool, StepError> {
    if status == from {
        Ok(true)
    } else if done.contains(&status) {
        Ok(false)
    } else {
        Err(not_at_step(status))
    }
}

fn not_at_step(status: BookingStatus) -> StepError {
    if status.is_settled() {
        StepError::Settled(status)
    } else {
        StepError::OutOfOrder(status)
    }
}

/// A transition its status refused: the booking moved on under the step.
fn refused(error: InvalidTransition) -> StepError {
    not_at_step(error.from)
}

/// The outcome of a forward move that lost a race: fine if the booking got to
/// (or past) where the move was going, not this step's to do otherwise.
fn raced(error: ChangeError, reached: &[BookingStatus], id: &BookingId) -> Result<(), StepError> {
    match error {
        ChangeError::StatusChanged(Some(status)) if reached.contains(&status) => Ok(()),
        ChangeError::StatusChanged(Some(status)) => Err(not_at_step(status)),
        ChangeError::StatusChanged(None) => Err(StepError::BookingNotFound(id.clone())),
        ChangeError::NightTaken(date) => Err(StepError::NightsUnavailable(date)),
        ChangeError::Unexpected(e) => Err(StepError::Retryable(e)),
    }
}

/// A compensation's write that lost a race is retried; any other refusal is final.
fn compensation(error: ChangeError) -> Attempt<StepError> {
    match error {
        ChangeError::Unexpected(e) => Attempt::Failed(e.into()),
        ChangeError::StatusChanged(_) | ChangeError::NightTaken(_) => Attempt::Conflict,
    }
}

fn event(change: Change, now: Timestamp) -> [DomainEvent; 1] {
    [DomainEvent::new(change, now)]
}

/// Quote: the property still takes this stay (guests, nights), at a price.
pub async fn quote(
    bookings: &dyn BookingReader,
    properties: &dyn PropertyReader,
    id: &BookingId,
) -> Result<(), StepError> {
    let booking = load(bookings, id).await?;
    match booking.status() {
        BookingStatus::Confirmed => return Ok(()),
        status if status.is_settled() => return Err(StepError::Settled(status)),
        _ => {}
    }
    let property = properties
        .property(&booking.property_id)
        .await?
        .ok_or_else(|| {
            StepError::InvalidStay(InvalidInput::new(
                "property_id",
                "the property is no longer listed",
            ))
        })?;
    // The rules as of the day the guest asked; the price stays the one quoted then.
    let asked = Date::of(booking.created_at);
    pricing::quote(&property, booking.stay(), booking.guests, asked)
        .map_err(StepError::InvalidStay)?;
    Ok(())
}

/// Reserve: every night of the stay and the booking → HELD, in one change.
pub async fn reserve(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    id: &BookingId,
    hold: Duration,
    now: Timestamp,
) -> Result<(), StepError> {
    use BookingStatus::*;
    let booking = load(bookings, id).await?;
    if !stands(booking.status(), Pending, &[Held, Paid, Confirmed])? {
        return Ok(());
    }
    let until = now + hold;
    let held = booking.held(until, now).map_err(refused)?;
    let events = event(
        Change::BookingHeld {
            booking: held.clone(),
        },
        now,
    );
    let change = BookingChange {
        booking: &held,
        from: &[Pending],
        nights: NightsChange::Hold { until, now },
        events: &events,
    };
    changes
        .apply(&change)
        .await
        .or_else(|e| raced(e, &[Held, Paid, Confirmed], id))
}

/// Pay: capture the total, keyed by the booking id, then record it (→ PAID).
pub async fn pay(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    gateway: &dyn PaymentGateway,
    id: &BookingId,
    now: Timestamp,
) -> Result<(), StepError> {
    use BookingStatus::*;
    let booking = load(bookings, id).await?;
    if !stands(booking.status(), Held, &[Paid, Confirmed])? {
        return Ok(());
    }
    if booking.hold_lapsed(now) {
        return Err(StepError::HoldExpired);
    }
    let charge = gateway
        .charge(booking.id.as_str(), booking.total, &booking.payment_method)
        .await?;
    let paid = booking.paid(charge.id, now).map_err(refused)?;
    let events = event(
        Change::BookingPaid {
            booking: paid.clone(),
        },
        now,
    );
    let change = BookingChange {
        booking: &paid,
        from: &[Held],
        nights: NightsChange::Keep,
        events: &events,
    };
    changes
        .apply(&change)
        .await
        .or_else(|e| raced(e, &[Paid, Confirmed], id))
}

/// Confirm: every night HELD by this booking → BOOKED, the booking → CONFIRMED.
pub async fn confirm(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    id: &BookingId,
    now: Timestamp,
) -> Result<bool, StepError> {
    use BookingStatus::*;
    let booking = load(bookings, id).await?;
    if !stands(booking.status(), Paid, &[Confirmed])? {
        return Ok(false);
    }
    let confirmed = booking.confirmed(now).map_err(refused)?;
    let events = event(
        Change::BookingConfirmed {
            booking: confirmed.clone(),
        },
        now,
    );
    let change = BookingChange {
        booking: &confirmed,
        from: &[Paid],
        nights: NightsChange::Book,
        events: &events,
    };
    match changes.apply(&change).await {
        Ok(()) => Ok(true),
        // Someone else holds a night: the hold lapsed and was taken.
        Err(ChangeError::NightTaken(_)) => Err(StepError::HoldExpired),
        Err(e) => raced(e, &[Confirmed], id).map(|()| false),
    }
}

/// Compensation: give back any money taken for this booking: a captured
/// charge is refunded, an authorised one released, and one still processing
/// fails the step as `PaymentUnavailable` so it is retried once it settles
/// (and the reconciler settles it should the workflow give up). A confirmed
/// (or cancelled) booking is never refunded here: cancelling is the guest's call.
pub async fn refund_if_charged(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    gateway: &dyn PaymentGateway,
    id: &BookingId,
    now: Timestamp,
) -> Result<(), StepError> {
    let booking = load(bookings, id).await?;
    if matches!(
        booking.status(),
        BookingStatus::Confirmed | BookingStatus::Cancelled
    ) {
        return Ok(());
    }
    let Some(refund) = settle_payment(gateway, id).await? else {
        return Ok(());
    };
    record_refund(bookings, changes, id, refund, now).await
}

/// Gives back whatever the payment made for `booking` holds, once: an
/// authorised payment is released, a captured one refunded of what is left
/// (the compensation, the sweeper and the reconciler share these keys).
/// Answers the amount that went back to the guest by refund, if any. A
/// payment still processing may yet be captured: `PaymentUnavailable`, so
/// the caller asks again once it has settled.
pub(super) async fn settle_payment(
    gateway: &dyn PaymentGateway,
    booking: &BookingId,
) -> Result<Option<Money>, StepError> {
    match gateway.payment(booking.as_str()).await? {
        None => Ok(None),
        Some(PaymentState::Authorised { id }) => {
            gateway.cancel(&format!("{booking}:release"), &id).await?;
            Ok(None)
        }
        Some(PaymentState::Processing { id }) => Err(StepError::PaymentUnavailable(format!(
            "payment {id} is still processing; it is refunded once it settles"
        ))),
        Some(PaymentState::Captured(charge)) => {
            let outstanding = charge.amount.amount - charge.refunded.amount;
            if outstanding > 0 {
                gateway
                    .refund(
                        &format!("{booking}:refund"),
                        &charge.id,
                        Money::new(outstanding, charge.amount.currency),
                    )
                    .await?;
            }
            Ok(Some(charge.amount))
        }
    }
}

/// Notes on the booking that `refund` went back to the guest, once.
pub(super) async fn record_refund(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    id: &BookingId,
    refund: Money,
    now: Timestamp,
) -> Result<(), StepError> {
    let attempt = || async move {
        let booking = load(bookings, id).await?;
        if booking.refund() == Some(refund) {
            return Ok(());
        }
        let refunded = booking.refunded(refund, now);
        let events = event(
            Change::PaymentRefunded {
                booking: refunded.clone(),
                refund,
            },
            now,
        );
        let change = BookingChange {
            booking: &refunded,
            from: &[booking.status()],
            nights: NightsChange::Keep,
            events: &events,
        };
        changes.apply(&change).await.map_err(compensation)
    };
    retry::on_conflict(attempt, || {
        anyhow::anyhow!("booking {id} kept changing while recording its refund").into()
    })
    .await
}

/// Compensation: free every night this booking holds.
pub async fn release(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    id: &BookingId,
) -> Result<(), StepError> {
    let attempt = || async move {
        let booking = load(bookings, id).await?;
        if matches!(
            booking.status(),
            BookingStatus::Confirmed | BookingStatus::Cancelled
        ) {
            return Ok(());
        }
        let change = BookingChange {
            booking: &booking,
            from: &[booking.status()],
            nights: NightsChange::Release,
            events: &[],
        };
        changes.apply(&change).await.map_err(compensation)
    };
    retry::on_conflict(attempt, || {
        anyhow::anyhow!("booking {id} kept changing while releasing its nights").into()
    })
    .await
}

/// Compensation: the booking → FAILED with `reason` (its nights freed), unless
/// it has settled already. Answers whether this call failed it.
pub async fn fail(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    id: &BookingId,
    reason: FailureReason,
    now: Timestamp,
) -> Result<bool, StepError> {
    let attempt = || async move {
        let booking = load(bookings, id).await?;
        if booking.status().is_settled() {
            return Ok(false);
        }
        let failed = booking.failed(reason, now).map_err(refused)?;
        let events = event(
            Change::BookingFailed {
                booking: failed.clone(),
            },
            now,
        );
        let change = BookingChange {
            booking: &failed,
            from: &[booking.status()],
            nights: NightsChange::Release,
            events: &events,
        };
        changes.apply(&change).await.map_err(compensation)?;
        Ok(true)
    };
    retry::on_conflict(attempt, || {
        anyhow::anyhow!("booking {id} kept changing while failing it").into()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_errors_are_the_guests_or_the_markets_outcome_never_a_fault() {
        let night = Date::parse("2027-03-10").unwrap();
        let business = [
            StepError::NightsUnavailable(night),
            StepError::PaymentDeclined("card_declined".into()),
            StepError::PaymentRejected("No such PaymentMethod".into()),
            StepError::HoldExpired,
            StepError::Settled(BookingStatus::Expired),
            StepError::InvalidStay(InvalidInput::new("guests", "too many")),
        ];
        for error in &business {
            assert!(error.is_business(), "{}", error.name());
        }
        let faults = [
            StepError::PaymentUnavailable("timeout".into()),
            StepError::OutOfOrder(BookingStatus::Pending),
            StepError::BookingNotFound(BookingId::generate()),
            StepError::Retryable(anyhow::anyhow!("throttled")),
        ];
        for error in &faults {
            assert!(!error.is_business(), "{}", error.name());
        }
    }
}
