//! Read models fed by domain events: what each event means for the ledger,
//! the audit log and the guest's notifications. Pure functions; consumers
//! apply them idempotently by event id.
//!
//! Events reach consumers in any order (EventBridge, SQS and a stream's
//! shards keep none across items), so each read model either commutes (the
//! ledger sums, the audit trail sorts by version, signals count confirmed
//! stays) or keeps the newest version it applied per aggregate and skips
//! older events ([`is_current`]: the search index, notifications).

use crate::events::{Change, DomainEvent};
use crate::money::Money;
use crate::ports::{AuditRecord, LedgerEntry, Notification};

/// Whether an event that leaves its aggregate at `version` still changes a
/// read model that has applied `applied` (the newest version it applied of
/// that aggregate, if any). Older events are late: skipped. An equal
/// version passes, because one change may record several events (a
/// cancellation and its refund); each is applied once, by its id.
pub fn is_current(applied: Option<u64>, version: u64) -> bool {
    applied.is_none_or(|applied| version >= applied)
}

/// A booking's audit trail in the order its changes happened: by the
/// booking's version, then time, then event id (events of one change share
/// a version), however the records arrived.
pub fn order_trail(trail: &mut [AuditRecord]) {
    trail.sort_by(|a, b| {
        (a.version, a.occurred_at, &a.event_id).cmp(&(b.version, b.occurred_at, &b.event_id))
    });
}

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
        version: booking.version(),
        detail: event.detail(),
    })
}

/// What the guest (or, of a calendar conflict, the host) hears about a
/// booking, if anything.
pub fn notification(event: &DomainEvent) -> Option<Notification> {
    if let Change::CalendarConflict { conflict, booking } = &event.change {
        return Some(Notification {
            id: event.id.to_string(),
            booking_id: booking.id.clone(),
            recipient: booking.host_id.clone(),
            version: booking.version(),
            subject: "A calendar you import collides with a booking".to_owned(),
            body: format!(
                "The night of {} is closed by event {} of calendar feed {}, but booking {}                  holds it on Berth. The booking stands; settle the other channel's side.",
                conflict.date, conflict.event_uid, conflict.feed_id, booking.id
            ),
        });
    }
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
        version: booking.version(),
        subject,
        body,
    })
}
