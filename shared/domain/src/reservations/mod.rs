//! Use cases of bookings: a guest's request, the workflow's steps and their
//! compensations, cancellation, the sweeper for abandoned bookings and the
//! reconciler of payments left on failed ones.

mod cancel;
mod reconcile;
mod request;
mod saga;
mod sweep;

pub use cancel::cancel_booking;
pub use reconcile::{RECONCILE_LOOKBACK, ReconcileReport, reconcile_payments};
pub use request::{
    BookingOrder, HoldMinutes, RequestTimes, booking_of, list_bookings, request_booking,
};
pub use saga::{StepError, confirm, fail, pay, quote, refund_if_charged, release, reserve};
pub use sweep::{SweepReport, sweep};

use crate::booking::{BookingStatus, InvalidTransition};
use crate::error::InvalidInput;
use crate::ids::{BookingId, PropertyId};
use crate::ports::{ChangeError, PaymentError};

#[derive(Debug, thiserror::Error)]
pub enum BookingError {
    #[error(transparent)]
    Invalid(#[from] InvalidInput),
    #[error("property {0} not found")]
    PropertyNotFound(PropertyId),
    #[error("booking {0} not found")]
    NotFound(BookingId),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("this Idempotency-Key was used for a different request")]
    KeyReused,
    #[error("a request with this Idempotency-Key is still in progress; retry shortly")]
    InProgress,
    #[error("a {0} booking cannot be cancelled; only CONFIRMED ones can")]
    NotCancellable(BookingStatus),
    #[error("the booking changed while cancelling; try again")]
    Contended,
    #[error(transparent)]
    Payment(#[from] PaymentError),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl From<ChangeError> for BookingError {
    fn from(error: ChangeError) -> Self {
        match error {
            ChangeError::Unexpected(e) => BookingError::Unexpected(e),
            ChangeError::NightTaken(_) | ChangeError::StatusChanged(_) => BookingError::Contended,
        }
    }
}

impl From<InvalidTransition> for BookingError {
    fn from(error: InvalidTransition) -> Self {
        BookingError::NotCancellable(error.from)
    }
}
