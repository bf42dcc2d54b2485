//! The payment reconciler: money the provider holds for a booking that
//! ended FAILED or EXPIRED goes back to the guest, whatever the workflow or
//! the sweeper managed. It starts from the provider's payments, not from the
//! bookings, so a charge whose answer was lost (the booking never learned of
//! it) is found too. Every move is keyed as the compensation keys it, so a
//! payment is refunded or released at most once however often this runs.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::saga::{StepError, record_refund, settle_payment};
use crate::booking::BookingStatus;
use crate::dates::Timestamp;
use crate::ids::BookingId;
use crate::ports::{BookingChanges, BookingReader, Payment, PaymentGateway, PaymentState};

/// How far back each run looks. Runs are far more frequent than this, so a
/// payment that settles late (processing for hours) is still seen.
pub const RECONCILE_LOOKBACK: Duration = Duration::hours(72);

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconcileReport {
    /// Payments the provider listed.
    pub payments: u32,
    /// Of those, payments of FAILED or EXPIRED bookings.
    pub examined: u32,
    /// Captured money refunded (or found refunded and noted on the booking).
    pub refunded: u32,
    /// Authorised payments released.
    pub released: u32,
    /// Payments still processing: the next run looks again.
    pub pending: u32,
    /// Payments that could not be settled this run (logged by the caller).
    pub failed: Vec<String>,
}

/// Settles up to `limit` payments made in the lookback window before `now`.
/// Errors only when the provider cannot list its payments; one payment's
/// trouble is reported in [`ReconcileReport::failed`] and the rest go on.
pub async fn reconcile_payments(
    gateway: &dyn PaymentGateway,
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    now: Timestamp,
    limit: u32,
) -> Result<ReconcileReport, StepError> {
    let payments = gateway
        .payments_since(now - RECONCILE_LOOKBACK, limit)
        .await?;
    let mut report = ReconcileReport {
        payments: u32::try_from(payments.len()).unwrap_or(u32::MAX),
        ..ReconcileReport::default()
    };
    for payment in payments {
        // Keys that are not a booking's id belong to no booking of Berth's.
        let Ok(id) = BookingId::parse(&payment.key) else {
            continue;
        };
        match settle_one(gateway, bookings, changes, &id, &payment, now).await {
            Ok(Some(outcome)) => {
                report.examined += 1;
                match outcome {
                    Outcome::Refunded => report.refunded += 1,
                    Outcome::Released => report.released += 1,
                    Outcome::Pending => report.pending += 1,
                    Outcome::Nothing => {}
                }
            }
            Ok(None) => {}
            Err(error) => {
                report.examined += 1;
                report.failed.push(format!("{id}: {error}"));
            }
        }
    }
    Ok(report)
}

enum Outcome {
    Refunded,
    Released,
    Pending,
    Nothing,
}

/// `None` when the booking is not one whose money must go back.
async fn settle_one(
    gateway: &dyn PaymentGateway,
    bookings: &dyn BookingReader,
    changes: &dyn BookingChanges,
    id: &BookingId,
    payment: &Payment,
    now: Timestamp,
) -> Result<Option<Outcome>, StepError> {
    let Some(booking) = bookings.booking(id).await? else {
        return Ok(None);
    };
    if !matches!(
        booking.status(),
        BookingStatus::Failed | BookingStatus::Expired
    ) {
        return Ok(None);
    }
    let outcome = match &payment.state {
        PaymentState::Processing { .. } => return Ok(Some(Outcome::Pending)),
        PaymentState::Captured(charge)
            if charge.refunded == charge.amount && booking.refund() == Some(charge.amount) =>
        {
            Outcome::Nothing
        }
        // Read afresh and settled under the compensation's keys.
        _ => match settle_payment(gateway, id).await {
            Ok(Some(refund)) => {
                record_refund(bookings, changes, id, refund, now).await?;
                Outcome::Refunded
            }
            Ok(None) if matches!(payment.state, PaymentState::Authorised { .. }) => {
                Outcome::Released
            }
            Ok(None) => Outcome::Nothing,
            Err(other) => return Err(other),
        },
    };
    Ok(Some(outcome))
}
