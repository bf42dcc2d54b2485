//! Step Functions task functions of the booking workflow: one per step and
//! per compensation. Each takes `{"booking_id"}` and answers it unchanged, so
//! the state machine's data stays small; its error type is what Retry and
//! Catch match on.

pub mod charge_payment;
pub mod confirm_booking;
pub mod fail_booking;
pub mod quote_stay;
pub mod refund_payment;
pub mod release_nights;
pub mod reserve_nights;

use std::fmt;

use berth_domain::ids::BookingId;
use berth_domain::reservations::StepError;
use lambda_runtime::Diagnostic;
use serde::{Deserialize, Serialize};

/// Every task's input and output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BookingTask {
    pub booking_id: BookingId,
}

/// A task's failure, named for the state machine.
#[derive(Debug)]
pub struct TaskError(pub StepError);

impl From<StepError> for TaskError {
    fn from(error: StepError) -> Self {
        if let StepError::Retryable(e) = &error {
            tracing::warn!(
                error = format!("{e:#}"),
                "task failed; the workflow will retry"
            );
        }
        // Lambda counts a business error among the function's Errors; the
        // canary alarm subtracts these so only faults roll a deployment back.
        if error.is_business() {
            crate::metrics::task_business_error();
        }
        TaskError(error)
    }
}

impl fmt::Display for TaskError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<TaskError> for Diagnostic {
    fn from(error: TaskError) -> Self {
        Diagnostic {
            error_type: error.0.name().to_owned(),
            error_message: error.0.to_string(),
        }
    }
}

pub type TaskResult = Result<BookingTask, TaskError>;

#[cfg(test)]
mod tests;
