//! A guest cancels a confirmed booking: refunded by the policy they booked
//! under, nights released, `BookingCancelled` recorded. Cancelling twice
//! answers the first cancellation.

use super::BookingError;
use crate::booking::{Booking, BookingStatus};
use crate::dates::Timestamp;
use crate::events::{Change, DomainEvent};
use crate::ids::BookingId;
use crate::money::Money;
use crate::ports::{
    BookingChange, BookingChanges, BookingReader, ChangeError, NightsChange, PaymentGateway,
};
use crate::retry::{self, Attempt};
use crate::user::Caller;

pub async fn cancel_booking(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    gateway: &dyn PaymentGateway,
    caller: &Caller,
    id: &BookingId,
    now: Timestamp,
) -> Result<Booking, BookingError> {
    let attempt = || async move {
        let booking = bookings
            .booking(id)
            .await
            .map_err(BookingError::from)?
            .ok_or_else(|| BookingError::NotFound(id.clone()))?;
        if booking.guest_id != caller.user_id && !caller.is_admin() {
            return Err(BookingError::Forbidden("only the booking's guest may cancel it").into());
        }
        match booking.status() {
            BookingStatus::Cancelled => return Ok(booking),
            BookingStatus::Confirmed => {}
            other => return Err(BookingError::NotCancellable(other).into()),
        }
        let refund = refund_by_policy(gateway, &booking, now).await?;
        let cancelled = booking.cancelled(refund, now).map_err(BookingError::from)?;
        let events = cancellation_events(&cancelled, refund, now);
        let change = BookingChange {
            booking: &cancelled,
            from: &[BookingStatus::Confirmed],
            nights: NightsChange::Release,
            events: &events,
        };
        match changes.apply(&change).await {
            Ok(()) => Ok(cancelled),
            Err(ChangeError::Unexpected(e)) => Err(BookingError::from(e).into()),
            Err(ChangeError::StatusChanged(_) | ChangeError::NightTaken(_)) => {
                Err(Attempt::Conflict)
            }
        }
    };
    retry::on_conflict(attempt, || BookingError::Contended).await
}

/// Refunds what the booking's policy owes at `now`. The refund is keyed by
/// the booking: a second cancel gets the first refund back.
async fn refund_by_policy(
    gateway: &dyn PaymentGateway,
    booking: &Booking,
    now: Timestamp,
) -> Result<Money, BookingError> {
    let owed = booking
        .cancellation_policy
        .refund(booking.total, booking.check_in, now);
    match (owed.amount > 0, booking.payment_ref()) {
        (true, Some(charge)) => Ok(gateway
            .refund(&format!("{}:cancel", booking.id), charge, owed)
            .await?
            .amount),
        _ => Ok(owed),
    }
}

fn cancellation_events(cancelled: &Booking, refund: Money, now: Timestamp) -> Vec<DomainEvent> {
    let mut events = vec![DomainEvent::new(
        Change::BookingCancelled {
            booking: cancelled.clone(),
        },
        now,
    )];
    if refund.amount > 0 {
        events.push(DomainEvent::new(
            Change::PaymentRefunded {
                booking: cancelled.clone(),
                refund,
            },
            now,
        ));
    }
    events
}
