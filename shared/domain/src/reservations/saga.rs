//! The booking workflow's steps (DESIGN §4) and their compensations. Step
//! Functions may run any of them more than once, so each checks where the
//! booking stands first and does only what is still to do.

use chrono::Duration;

use crate::booking::{Booking, BookingStatus, FailureReason};
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
    #[error("the booking's hold expired")]
    HoldExpired,
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
            StepError::InvalidStay(_) => "InvalidStay",
            StepError::BookingNotFound(_) => "BookingNotFound",
            StepError::Retryable(_) => "Retryable",
        }
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

/// A forward step found its booking settled: done if confirmed, too late otherwise.
fn already_settled(booking: &Booking) -> Result<(), StepError> {
    match booking.status {
        BookingStatus::Confirmed => Ok(()),
        _ => Err(StepError::HoldExpired),
    }
}

/// The outcome of a forward move that lost a race: fine if the booking got to
/// (or past) where the move was going, too late if it settled otherwise.
fn raced(error: ChangeError, reached: &[BookingStatus]) -> Result<(), StepError> {
    match error {
        ChangeError::StatusChanged(Some(status)) if reached.contains(&status) => Ok(()),
        ChangeError::StatusChanged(_) => Err(StepError::HoldExpired),
        ChangeError::NightTaken(date) => Err(StepError::NightsUnavailable(date)),
        ChangeError::Unexpected(e) => Err(StepError::Retryable(e)),
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
    if booking.status.is_settled() {
        return already_settled(&booking);
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
    pricing::quote(&property, booking.stay(), booking.guests).map_err(StepError::InvalidStay)?;
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
    match booking.status {
        Held | Paid | Confirmed => return Ok(()),
        Pending => {}
        _ => return Err(StepError::HoldExpired),
    }
    let until = now + hold;
    let mut held = booking
        .moved(Held, now)
        .map_err(|_| StepError::HoldExpired)?;
    held.hold_expires_at = Some(until);
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
        .or_else(|e| raced(e, &[Held, Paid, Confirmed]))
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
    match booking.status {
        Paid | Confirmed => return Ok(()),
        Held => {}
        _ => return Err(StepError::HoldExpired),
    }
    if booking.hold_expires_at.is_some_and(|until| until <= now) {
        return Err(StepError::HoldExpired);
    }
    let charge = gateway
        .charge(booking.id.as_str(), booking.total, &booking.payment_method)
        .await?;
    let mut paid = booking
        .moved(Paid, now)
        .map_err(|_| StepError::HoldExpired)?;
    paid.payment_ref = Some(charge.id);
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
        .or_else(|e| raced(e, &[Paid, Confirmed]))
}

/// Confirm: every night HELD by this booking → BOOKED, the booking → CONFIRMED.
pub async fn confirm(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    id: &BookingId,
    now: Timestamp,
) -> Result<(), StepError> {
    use BookingStatus::*;
    let booking = load(bookings, id).await?;
    match booking.status {
        Confirmed => return Ok(()),
        Paid => {}
        _ => return Err(StepError::HoldExpired),
    }
    let mut confirmed = booking
        .moved(Confirmed, now)
        .map_err(|_| StepError::HoldExpired)?;
    confirmed.hold_expires_at = None;
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
        // Someone else holds a night: the hold lapsed and was taken.
        Err(ChangeError::NightTaken(_)) => Err(StepError::HoldExpired),
        other => other.or_else(|e| raced(e, &[Confirmed])),
    }
}

/// How often a compensation re-reads a booking that changed under it.
const COMPENSATION_ATTEMPTS: usize = 5;

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
        booking.status,
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
    for _ in 0..COMPENSATION_ATTEMPTS {
        let booking = load(bookings, id).await?;
        if booking.refund == Some(refund) {
            return Ok(());
        }
        let refunded = Booking {
            refund: Some(refund),
            updated_at: now,
            ..booking.clone()
        };
        let events = event(
            Change::PaymentRefunded {
                booking: refunded.clone(),
                refund,
            },
            now,
        );
        let change = BookingChange {
            booking: &refunded,
            from: &[booking.status],
            nights: NightsChange::Keep,
            events: &events,
        };
        match changes.apply(&change).await {
            Ok(()) => return Ok(()),
            Err(ChangeError::Unexpected(e)) => return Err(e.into()),
            Err(_) => continue,
        }
    }
    Err(anyhow::anyhow!("booking {id} kept changing while recording its refund").into())
}

/// Compensation: free every night this booking holds.
pub async fn release(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    id: &BookingId,
) -> Result<(), StepError> {
    for _ in 0..COMPENSATION_ATTEMPTS {
        let booking = load(bookings, id).await?;
        if matches!(
            booking.status,
            BookingStatus::Confirmed | BookingStatus::Cancelled
        ) {
            return Ok(());
        }
        let change = BookingChange {
            booking: &booking,
            from: &[booking.status],
            nights: NightsChange::Release,
            events: &[],
        };
        match changes.apply(&change).await {
            Ok(()) => return Ok(()),
            Err(ChangeError::Unexpected(e)) => return Err(e.into()),
            Err(_) => continue,
        }
    }
    Err(anyhow::anyhow!("booking {id} kept changing while releasing its nights").into())
}

/// Compensation: the booking → FAILED with `reason` (its nights freed), unless
/// it has settled already.
pub async fn fail(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    id: &BookingId,
    reason: FailureReason,
    now: Timestamp,
) -> Result<(), StepError> {
    for _ in 0..COMPENSATION_ATTEMPTS {
        let booking = load(bookings, id).await?;
        if booking.status.is_settled() {
            return Ok(());
        }
        let mut failed = booking
            .moved(BookingStatus::Failed, now)
            .map_err(|_| StepError::HoldExpired)?;
        failed.failure_reason = Some(reason);
        failed.hold_expires_at = None;
        let events = event(
            Change::BookingFailed {
                booking: failed.clone(),
            },
            now,
        );
        let change = BookingChange {
            booking: &failed,
            from: &[booking.status],
            nights: NightsChange::Release,
            events: &events,
        };
        match changes.apply(&change).await {
            Ok(()) => return Ok(()),
            Err(ChangeError::Unexpected(e)) => return Err(e.into()),
            Err(_) => continue,
        }
    }
    Err(anyhow::anyhow!("booking {id} kept changing while failing it").into())
}
