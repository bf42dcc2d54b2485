//! The sweeper: bookings whose workflow never settled them by their deadline
//! expire, their nights are freed and any money taken goes back.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::saga::{StepError, record_refund, settle_payment};
use crate::booking::BookingStatus;
use crate::calendar::hold_lapsed;
use crate::dates::Timestamp;
use crate::events::{Change, DomainEvent};
use crate::ports::{
    AbandonedBookings, BookingChange, BookingChanges, BookingReader, ChangeError, NightsChange,
    PaymentGateway,
};

/// A PAID booking's workflow is about to confirm it; give it this long past
/// the hold before expiring it (and refunding).
pub const PAID_GRACE: Duration = Duration::minutes(5);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SweepReport {
    pub examined: u32,
    pub expired: u32,
    pub refunded: u32,
    /// Payments left for the reconciler: still processing, or unreachable.
    pub unsettled_payments: u32,
}

/// Expires up to `limit` abandoned bookings.
pub async fn sweep(
    abandoned: &dyn AbandonedBookings,
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    gateway: &dyn PaymentGateway,
    now: Timestamp,
    limit: u32,
) -> Result<SweepReport, StepError> {
    let mut report = SweepReport::default();
    for booking in abandoned.abandoned(now, limit).await? {
        report.examined += 1;
        let deadline = booking.hold_expires_at().unwrap_or(booking.created_at);
        if booking.status() == BookingStatus::Paid && !hold_lapsed(deadline + PAID_GRACE, now) {
            continue;
        }
        let Ok(expired) = booking.expired(now) else {
            continue;
        };
        let events = [DomainEvent::new(
            Change::BookingExpired {
                booking: expired.clone(),
            },
            now,
        )];
        let change = BookingChange {
            booking: &expired,
            from: &[booking.status()],
            nights: NightsChange::Release,
            events: &events,
        };
        match changes.apply(&change).await {
            Ok(()) => report.expired += 1,
            // The workflow moved it on meanwhile: not abandoned after all.
            Err(ChangeError::StatusChanged(_) | ChangeError::NightTaken(_)) => continue,
            Err(ChangeError::Unexpected(e)) => return Err(e.into()),
        }
        // A HELD booking may have been charged by a payment whose answer was lost.
        if matches!(booking.status(), BookingStatus::Held | BookingStatus::Paid) {
            match settle_payment(gateway, &booking.id).await {
                Ok(Some(refund)) => {
                    record_refund(bookings, changes, &booking.id, refund, now).await?;
                    report.refunded += 1;
                }
                Ok(None) => {}
                // Still processing, or the provider is away: the reconciler
                // gives the money back once it can.
                Err(StepError::PaymentUnavailable(_)) => report.unsettled_payments += 1,
                Err(other) => return Err(other),
            }
        }
    }
    Ok(report)
}
