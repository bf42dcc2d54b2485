//! Errors raised while a state runs, named as Step Functions names them so
//! that Retry and Catch match them the same way AWS does.

use crate::invoker::TaskFailure;

pub(crate) const ALL: &str = "States.ALL";
pub(crate) const TASK_FAILED: &str = "States.TaskFailed";
pub(crate) const TIMEOUT: &str = "States.Timeout";
pub(crate) const RUNTIME: &str = "States.Runtime";
pub(crate) const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";

/// Every predefined error name; any other `States.` name in a definition is
/// a typo that would silently never match.
pub(crate) const PREDEFINED: &[&str] = &[
    ALL,
    DATA_LIMIT_EXCEEDED,
    "States.ExceedToleratedFailureThreshold",
    "States.HeartbeatTimeout",
    "States.IntrinsicFailure",
    "States.ItemReaderFailed",
    "States.NoChoiceMatched",
    "States.ParameterPathFailure",
    "States.Permissions",
    "States.QueryEvaluationError",
    "States.ResultPathMatchFailure",
    "States.ResultWriterFailed",
    RUNTIME,
    TASK_FAILED,
    TIMEOUT,
    "States.BranchFailed",
];

/// Where an error came from, which decides what can match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The task reported or caused a failure; `States.TaskFailed` matches it.
    Task,
    /// The task outlived its `TimeoutSeconds`.
    Timeout,
    /// Data processing failed in a way Retry and Catch may handle.
    Processing,
    /// `States.DataLimitExceeded`: only a retrier or catcher naming it
    /// matches, never `States.ALL`.
    Terminal,
    /// `States.Runtime`: nothing retries or catches it.
    Runtime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StateError {
    pub(crate) name: String,
    pub(crate) cause: String,
    pub(crate) origin: Origin,
}

impl StateError {
    pub(crate) fn runtime(cause: impl Into<String>) -> Self {
        Self::new(RUNTIME, cause, Origin::Runtime)
    }

    /// A payload over the size Step Functions allows.
    pub(crate) fn data_limit(cause: impl Into<String>) -> Self {
        Self::new(DATA_LIMIT_EXCEEDED, cause, Origin::Terminal)
    }

    /// A path in a payload template that selects nothing: Step Functions
    /// fails the state with `States.Runtime`, which nothing catches.
    pub(crate) fn parameter_path(cause: impl Into<String>) -> Self {
        Self::runtime(cause)
    }

    pub(crate) fn new_named(name: impl Into<String>, cause: impl Into<String>) -> Self {
        Self::new(name, cause, Origin::Processing)
    }

    pub(crate) fn result_path_mismatch(cause: impl Into<String>) -> Self {
        Self::new("States.ResultPathMatchFailure", cause, Origin::Processing)
    }

    pub(crate) fn no_choice_matched(state: &str) -> Self {
        Self::new(
            "States.NoChoiceMatched",
            format!("no choice rule of state '{state}' matched and it has no Default"),
            Origin::Processing,
        )
    }

    pub(crate) fn timeout(cause: impl Into<String>) -> Self {
        Self::new(TIMEOUT, cause, Origin::Timeout)
    }

    pub(crate) fn heartbeat_timeout(cause: impl Into<String>) -> Self {
        Self::new("States.HeartbeatTimeout", cause, Origin::Timeout)
    }

    pub(crate) fn task_failed(cause: impl Into<String>) -> Self {
        Self::new(TASK_FAILED, cause, Origin::Task)
    }

    /// A failure the task reported; one without a name counts as
    /// `States.TaskFailed`.
    pub(crate) fn from_task(failure: TaskFailure) -> Self {
        if failure.error.is_empty() {
            return Self::task_failed(failure.cause);
        }
        Self::new(failure.error, failure.cause, Origin::Task)
    }

    fn new(name: impl Into<String>, cause: impl Into<String>, origin: Origin) -> Self {
        Self {
            name: name.into(),
            cause: cause.into(),
            origin,
        }
    }

    /// Whether the name in a retrier's or catcher's `ErrorEquals` matches.
    pub(crate) fn matches(&self, error_name: &str) -> bool {
        if self.origin == Origin::Runtime {
            return false;
        }
        match error_name {
            ALL => self.origin != Origin::Terminal,
            TASK_FAILED => self.origin == Origin::Task,
            name => name == self.name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(error: &str) -> StateError {
        StateError::from_task(TaskFailure::new(error, "boom"))
    }

    #[test]
    fn states_all_matches_everything_but_runtime_errors() {
        assert!(task("PaymentDeclined").matches(ALL));
        assert!(StateError::timeout("late").matches(ALL));
        assert!(!StateError::data_limit("big").matches(ALL));
        assert!(StateError::data_limit("big").matches(DATA_LIMIT_EXCEEDED));
        assert!(!StateError::runtime("bad path").matches(ALL));
        assert!(!StateError::runtime("bad path").matches(RUNTIME));
    }

    #[test]
    fn task_failed_matches_task_failures_but_not_timeouts() {
        assert!(task("PaymentDeclined").matches(TASK_FAILED));
        assert!(task("").matches(TASK_FAILED));
        assert!(!StateError::timeout("late").matches(TASK_FAILED));
        assert!(!StateError::parameter_path("missing").matches(TASK_FAILED));
    }

    #[test]
    fn other_names_match_exactly() {
        assert!(task("Retryable").matches("Retryable"));
        assert!(!task("Retryable").matches("retryable"));
        assert!(StateError::timeout("late").matches(TIMEOUT));
    }
}
