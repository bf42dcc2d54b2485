//! The port through which Task states reach the code behind their `Resource`
//! (on the local platform: the same Lambda handlers that AWS invokes).

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde_json::Value;

/// Runs the work behind a Task state's `Resource`.
///
/// Error contract: return `Err(TaskFailure)` for a failure the function
/// reports (a Lambda's `errorType`/`errorMessage`); Retry and Catch match its
/// `error`. A panic is caught and becomes `States.TaskFailed`. Implementations
/// must be idempotent per execution and state: after a crash the executor runs
/// a Task again (Step Functions' at-least-once contract).
#[async_trait]
pub trait TaskInvoker: Send + Sync {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        ctx: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure>;
}

/// What a task may know about the execution that runs it.
#[derive(Debug, Clone)]
pub struct TaskContext<'a> {
    pub state_machine: &'a str,
    pub execution: &'a str,
    pub state: &'a str,
    /// How many times this state has been retried so far.
    pub retry_count: u32,
    /// When the state's `TimeoutSeconds` runs out, if it has one.
    pub deadline: Option<DateTime<Utc>>,
}

/// A failure reported by a task: the error name Retry and Catch match, and a
/// human-readable cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}: {cause}")]
pub struct TaskFailure {
    pub error: String,
    pub cause: String,
}

impl TaskFailure {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        Self {
            error: error.into(),
            cause: cause.into(),
        }
    }
}

/// Resolves to `Err(message)` instead of unwinding when `inner` panics, so a
/// broken task fails its state rather than the executor.
pub(crate) struct CatchPanic<F> {
    inner: F,
}

impl<F> CatchPanic<F> {
    pub(crate) fn new(inner: F) -> Self {
        Self { inner }
    }
}

impl<F: Future + Unpin> Future for CatchPanic<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.inner;
        match catch_unwind(AssertUnwindSafe(|| Pin::new(inner).poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(panic_message(payload.as_ref()))),
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let detail = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    format!("the task panicked: {detail}")
}
