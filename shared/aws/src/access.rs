//! What each adapter's port calls in AWS, stated by the adapter beside its
//! calls: the IAM actions and, for each, the environment variable naming the
//! resource they act on; and the environment variables the adapter reads.
//! [`crate::source::AwsSource`] records the [`Access`] of every port a
//! function's builder asks for, so a function's IAM actions and environment
//! follow from the handler it builds (checked against the template's roles
//! by the parity tests).
//!
//! DynamoDB's `TransactWriteItems` is authorised per item: a transaction
//! needs `dynamodb:PutItem`, `DeleteItem`, `UpdateItem` or
//! `ConditionCheckItem` on each table it writes, as its items do, and there
//! is no IAM action of its own: see "Using IAM with DynamoDB transactions",
//! <https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html>.

use serde::Serialize;

/// IAM actions on the resource one environment variable names (`None`: a
/// resource no variable names, such as SES identities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Grant {
    pub actions: &'static [&'static str],
    pub on: Option<&'static str>,
}

/// One port over one adapter: what its methods call, what its adapter reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Access {
    /// The port, as the template's statement ids name it.
    pub port: &'static str,
    pub grants: &'static [Grant],
    /// Every environment variable the adapter's `from_env` reads.
    pub env: &'static [&'static str],
}

/// `actions` on the resource `variable` names.
pub const fn on(variable: &'static str, actions: &'static [&'static str]) -> Grant {
    Grant {
        actions,
        on: Some(variable),
    }
}
