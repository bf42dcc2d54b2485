//! Read models fed by domain events: what each event means for the ledger,
//! the audit log and the guest's notifications. Pure functions; consumers
//! apply them idempotently by event id.

use crate::events::{Change, DomainEvent};
use crate::money::Money;
use crate::ports::{AuditRecord, LedgerEntry, Notification};

/// Ledger lines: a confirmed booking earns its total, a refund takes it back.
pub fn ledger_entries(event: &DomainEvent) -> Vec<LedgerEntry> {
    let (booking, amount) = match &event.change {
        Change::BookingConfirmed { booking } => (booking, booking.total),
        Change::PaymentRefunded { booking, refund } if booking.status().is_settled() => {
            // Only money that was earned can be given back in the ledger: a
            // refund of a booking that never confirmed was never earned.
            if booking.status() != crate::booking::BookingStatus::Cancelled {
                return vec![];
            }
            (booking, Money::new(-refund.amount, refund.currency))
        }
        _ => return vec![],
    };
    vec![LedgerEntry {
        id: event.id.to_string(),
        booking_id: booking.id.clone(),
        host_id: booking.host_id.clone(),
        property_id: booking.property_id.clone(),
        amount,
        occurred_at: event.occurred_at,
    }]
}

/// The audit line of a booking or payment state change.
pub fn audit_record(event: &DomainEvent) -> Option<AuditRecord> {
    let booking = event.booking()?;
    Some(AuditRecord {
        event_id: event.id.to_string(),
        booking_id: booking.id.clone(),
        occurred_at: event.occurred_at,
        change: event.detail_type().to_owned(),
        status: booking.status(),
        detail: event.detail(),
    })
}

/// What the guest hears about their booking, if anything.
pub fn notification(event: &DomainEvent) -> Option<Notification> {
    let (subject, body) = match &event.change {
        Change::BookingConfirmed { booking } => (
            "Your booking is confirmed".to_owned(),
            format!(
                "Booking {} is confirmed: {} to {}, {} guest(s), {} charged.",
                booking.id, booking.check_in, booking.check_out, booking.guests, booking.total
            ),
        ),
        Change::BookingFailed { booking } => (
            "Your booking could not be completed".to_owned(),
            format!(
                "Booking {} failed ({}). Nothing was charged, or it was refunded.",
                booking.id,
                booking
                    .failure_reason()
                    .map(|r| r.as_str())
                    .unwrap_or("unknown")
            ),
        ),
        Change::BookingCancelled { booking } => (
            "Your booking is cancelled".to_owned(),
            format!(
                "Booking {} is cancelled; {} refunded.",
                booking.id,
                booking
                    .refund()
                    .unwrap_or(Money::zero(booking.total.currency))
            ),
        ),
        Change::BookingExpired { booking } => (
            "Your booking request expired".to_owned(),
            format!(
                "Booking {} expired before it could be completed.",
                booking.id
            ),
        ),
        _ => return None,
    };
    let booking = event.booking()?;
    Some(Notification {
        id: event.id.to_string(),
        booking_id: booking.id.clone(),
        recipient: booking.guest_id.clone(),
        subject,
        body,
    })
}
