//! Running a TransactWriteItems to completion: retried (with jittered
//! backoff) while DynamoDB cancels it for contention or throttling, answered
//! with each action's failed condition (and the item it found) otherwise.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{CancellationReason, TransactWriteItem};

use crate::dynamo::item::Item;
use crate::retry::Backoff;

/// DynamoDB's limit on actions in one transaction.
pub const MAX_ACTIONS: usize = 100;

/// How one action of a refused transaction fared.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    Passed,
    /// Its condition failed; the item it found (ALL_OLD), if any.
    Failed(Option<Item>),
}

#[derive(Debug, thiserror::Error)]
pub enum TransactError {
    /// Conditions failed: one [`Check`] per action, in request order.
    #[error("a condition of the transaction failed")]
    Refused(Vec<Check>),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

impl TransactError {
    /// The first failed action within `actions`, with the item it found.
    pub fn first_failed(
        checks: &[Check],
        actions: std::ops::Range<usize>,
    ) -> Option<(usize, Option<&Item>)> {
        actions.into_iter().find_map(|i| match checks.get(i) {
            Some(Check::Failed(item)) => Some((i, item.as_ref())),
            _ => None,
        })
    }
}

/// What to do about one failed attempt.
enum Verdict {
    Refused(Vec<Check>),
    /// Cancelled for contention or throttling: nothing was written.
    RetryCancelled,
    /// The outcome is unknown (timeout, 5xx): retry under the same token.
    RetrySame,
    Fail(anyhow::Error),
}

/// Applies `actions` atomically. Errors: [`TransactError`].
pub async fn transact(
    client: &Client,
    actions: Vec<TransactWriteItem>,
) -> Result<(), TransactError> {
    if actions.len() > MAX_ACTIONS {
        return Err(anyhow::anyhow!(
            "a transaction of {} actions exceeds DynamoDB's {MAX_ACTIONS}",
            actions.len()
        )
        .into());
    }
    let backoff = Backoff::CONTENTION;
    // The token makes a resent transaction whose answer was lost a no-op; a
    // transaction known to be cancelled is retried under a fresh one.
    let mut token = uuid::Uuid::new_v4().to_string();
    for retry in 0.. {
        let sent = client
            .transact_write_items()
            .set_transact_items(Some(actions.clone()))
            .client_request_token(&token)
            .send()
            .await;
        let error = match sent {
            Ok(_) => return Ok(()),
            Err(error) => error,
        };
        let verdict = judge(error);
        let last = retry + 1 >= backoff.attempts;
        match verdict {
            Verdict::Refused(checks) => return Err(TransactError::Refused(checks)),
            Verdict::Fail(error) => return Err(error.into()),
            Verdict::RetryCancelled | Verdict::RetrySame if last => {
                return Err(anyhow::anyhow!(
                    "transaction still contended or throttled after {} attempts",
                    backoff.attempts
                )
                .into());
            }
            Verdict::RetryCancelled => token = uuid::Uuid::new_v4().to_string(),
            Verdict::RetrySame => {}
        }
        backoff.pause(retry).await;
    }
    unreachable!("the retry loop returns")
}

fn judge(error: SdkError<TransactWriteItemsError>) -> Verdict {
    if let SdkError::ServiceError(service) = &error
        && let TransactWriteItemsError::TransactionCanceledException(cancelled) = service.err()
    {
        return judge_cancellation(cancelled.cancellation_reasons());
    }
    match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            Verdict::RetrySame
        }
        _ if is_transient(error.code()) => Verdict::RetrySame,
        _ => Verdict::Fail(anyhow::Error::new(error).context("DynamoDB TransactWriteItems")),
    }
}

fn judge_cancellation(reasons: &[CancellationReason]) -> Verdict {
    let code = |r: &CancellationReason| r.code().unwrap_or("None").to_owned();
    if reasons
        .iter()
        .any(|r| r.code() == Some("ConditionalCheckFailed"))
    {
        return Verdict::Refused(
            reasons
                .iter()
                .map(|r| match r.code() {
                    Some("ConditionalCheckFailed") => Check::Failed(r.item().cloned()),
                    _ => Check::Passed,
                })
                .collect(),
        );
    }
    let contended = reasons.iter().any(|r| {
        matches!(
            r.code(),
            Some("TransactionConflict" | "ThrottlingError" | "ProvisionedThroughputExceeded")
        )
    });
    if contended {
        Verdict::RetryCancelled
    } else {
        let codes: Vec<String> = reasons.iter().map(code).collect();
        Verdict::Fail(anyhow::anyhow!("transaction cancelled: {codes:?}"))
    }
}

/// Error codes of any DynamoDB call that are worth another try.
pub fn is_transient(code: Option<&str>) -> bool {
    matches!(
        code,
        Some(
            "ThrottlingException"
                | "ProvisionedThroughputExceededException"
                | "RequestLimitExceeded"
                | "TransactionInProgressException"
                | "InternalServerError"
                | "ServiceUnavailable"
        )
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dynamo::item::s;

    fn reason(code: &str, item: Option<Item>) -> CancellationReason {
        CancellationReason::builder()
            .code(code)
            .set_item(item)
            .build()
    }

    #[test]
    fn failed_conditions_are_reported_per_action_with_the_item_found() {
        let taken: Item = [("booking_id".to_owned(), s("bk_other"))].into();
        let verdict = judge_cancellation(&[
            reason("None", None),
            reason("ConditionalCheckFailed", Some(taken.clone())),
            reason("TransactionConflict", None),
        ]);
        let Verdict::Refused(checks) = verdict else {
            panic!("a failed condition is an answer, not a retry")
        };
        assert_eq!(
            checks,
            [
                Check::Passed,
                Check::Failed(Some(taken.clone())),
                Check::Passed
            ]
        );
        assert_eq!(
            TransactError::first_failed(&checks, 0..3).map(|(i, item)| (i, item.cloned())),
            Some((1, Some(taken)))
        );
        assert_eq!(TransactError::first_failed(&checks, 2..3), None);
    }

    #[test]
    fn contention_is_retried_and_other_cancellations_fail() {
        assert!(matches!(
            judge_cancellation(&[reason("None", None), reason("TransactionConflict", None)]),
            Verdict::RetryCancelled
        ));
        assert!(matches!(
            judge_cancellation(&[reason("ThrottlingError", None)]),
            Verdict::RetryCancelled
        ));
        assert!(matches!(
            judge_cancellation(&[reason("ValidationError", None)]),
            Verdict::Fail(_)
        ));
    }
}
