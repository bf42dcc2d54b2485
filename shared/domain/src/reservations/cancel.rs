//! A guest cancels a confirmed booking: refunded by the policy they booked
//! under, nights released, `BookingCancelled` recorded. Cancelling twice
//! answers the first cancellation.

use super::BookingError;
use crate::booking::{Booking, BookingStatus};
use crate::dates::Timestamp;
use crate::events::{Change, DomainEvent};
use crate::ids::BookingId;
use crate::ports::{
    BookingChange, BookingChanges, BookingReader, ChangeError, NightsChange, PaymentGateway,
};
use crate::user::Caller;

const ATTEMPTS: usize = 5;

pub async fn cancel_booking(
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    gateway: &dyn PaymentGateway,
    caller: &Caller,
    id: &BookingId,
    now: Timestamp,
) -> Result<Booking, BookingError> {
    for _ in 0..ATTEMPTS {
        let booking = bookings
            .booking(id)
            .await?
            .ok_or_else(|| BookingError::NotFound(id.clone()))?;
        if booking.guest_id != caller.user_id && !caller.is_admin() {
            return Err(BookingError::Forbidden(
                "only the booking's guest may cancel it",
            ));
        }
        match booking.status {
            BookingStatus::Cancelled => return Ok(booking),
            BookingStatus::Confirmed => {}
            other => return Err(BookingError::NotCancellable(other)),
        }
        let owed = booking
            .cancellation_policy
            .refund(booking.total, booking.check_in, now);
        // The refund is keyed by the booking: a second cancel gets the first refund back.
        let refund = match (owed.amount > 0, &booking.payment_ref) {
            (true, Some(charge)) => {
                gateway
                    .refund(&format!("{id}:cancel"), charge, owed)
                    .await?
                    .amount
            }
            _ => owed,
        };
        let mut cancelled = booking.moved(BookingStatus::Cancelled, now)?;
        cancelled.refund = Some(refund);
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
        let change = BookingChange {
            booking: &cancelled,
            from: &[BookingStatus::Confirmed],
            nights: NightsChange::Release,
            events: &events,
        };
        match changes.apply(&change).await {
            Ok(()) => return Ok(cancelled),
            Err(ChangeError::Unexpected(e)) => return Err(e.into()),
            Err(_) => continue,
        }
    }
    Err(BookingError::Contended)
}
