//! The durable record of executions: the port the executor writes through,
//! the history it keeps, and an in-memory adapter for tests.
//!
//! The executor writes once per durable state entry: the events since the
//! last write together with the new checkpoint, in one [`JournalEntry`]. An
//! adapter must apply an entry atomically, so that after a crash the last
//! checkpoint and the history agree.

mod memory;

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use memory::InMemoryJournal;

/// Where executions of state machines are recorded.
///
/// Error contract: [`JournalError::NotRunning`] when `record` targets an
/// execution that does not exist or has ended (for example one stopped
/// meanwhile, which tells its runner to let go);
/// [`JournalError::Unexpected`] for storage failures, after which the
/// execution stays RUNNING and [`crate::Executor::resume_all`] can pick it up.
#[async_trait]
pub trait ExecutionJournal: Send + Sync {
    /// Creates a RUNNING execution from its first events and checkpoint,
    /// unless one with the same state machine and name exists: then nothing
    /// changes and the answer is [`JournalStart::AlreadyExists`].
    async fn start(
        &self,
        key: &ExecutionKey,
        events: &[HistoryEvent],
        checkpoint: &Checkpoint,
    ) -> Result<JournalStart, JournalError>;

    /// Appends the entry's events and, when given, replaces the checkpoint
    /// and ends the execution, all at once. The executor may drop the call's
    /// future (execution timeout, stop, executor dropped): the entry must then
    /// be applied whole or not at all.
    async fn record(&self, key: &ExecutionKey, entry: JournalEntry<'_>)
    -> Result<(), JournalError>;

    /// Every RUNNING execution of a state machine, with its last checkpoint.
    async fn running(&self, state_machine: &str) -> Result<Vec<RunningExecution>, JournalError>;

    /// One execution's status and full history.
    async fn execution(&self, key: &ExecutionKey) -> Result<Option<ExecutionRecord>, JournalError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JournalStart {
    Started,
    AlreadyExists,
}

#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("execution {0} is not running")]
    NotRunning(ExecutionKey),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// One write: events to append, and optionally a new checkpoint and the end.
#[derive(Debug, Clone, Copy)]
pub struct JournalEntry<'a> {
    pub events: &'a [HistoryEvent],
    pub checkpoint: Option<&'a Checkpoint>,
    pub end: Option<ExecutionEnd>,
}

/// An execution is named uniquely within its state machine.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ExecutionKey {
    pub state_machine: String,
    pub name: String,
}

impl fmt::Display for ExecutionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.state_machine, self.name)
    }
}

/// Everything needed to carry on after a crash: re-enter `state` with
/// `input`, keeping its retry counters and the execution's clock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub state: Arc<str>,
    pub input: Arc<Value>,
    pub entered_at: DateTime<Utc>,
    /// Retries made so far, one counter per retrier of the state.
    pub retry_counts: Vec<u32>,
    /// When a scheduled retry is due, if the state is waiting for one.
    pub retry_at: Option<DateTime<Utc>>,
    pub started_at: DateTime<Utc>,
    /// When the execution times out, if its state machine has TimeoutSeconds.
    pub deadline: Option<DateTime<Utc>>,
    /// The workflow variables (`Assign`) in force when the state is entered.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub variables: Arc<Map<String, Value>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunningExecution {
    pub key: ExecutionKey,
    pub checkpoint: Checkpoint,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionStatus {
    Running,
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

/// How an execution ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionEnd {
    Succeeded,
    Failed,
    TimedOut,
    Aborted,
}

impl From<ExecutionEnd> for ExecutionStatus {
    fn from(end: ExecutionEnd) -> Self {
        match end {
            ExecutionEnd::Succeeded => ExecutionStatus::Succeeded,
            ExecutionEnd::Failed => ExecutionStatus::Failed,
            ExecutionEnd::TimedOut => ExecutionStatus::TimedOut,
            ExecutionEnd::Aborted => ExecutionStatus::Aborted,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEvent {
    pub timestamp: DateTime<Utc>,
    #[serde(flatten)]
    pub detail: EventDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum EventDetail {
    ExecutionStarted {
        input: Arc<Value>,
    },
    StateEntered {
        state: Arc<str>,
        input: Arc<Value>,
    },
    TaskScheduled {
        resource: Arc<str>,
    },
    TaskSucceeded {
        output: Arc<Value>,
    },
    TaskFailed {
        error: String,
        cause: String,
    },
    RetryScheduled {
        attempt: u32,
        delay_ms: u64,
    },
    CatchTaken {
        error: String,
        next: Arc<str>,
    },
    ParallelStarted {
        branches: usize,
    },
    MapStarted {
        items: usize,
    },
    StateExited {
        state: Arc<str>,
        output: Arc<Value>,
    },
    ExecutionSucceeded {
        output: Arc<Value>,
    },
    ExecutionFailed {
        error: Option<String>,
        cause: Option<String>,
    },
    ExecutionTimedOut,
    ExecutionAborted {
        cause: Option<String>,
    },
}

/// An execution as the journal knows it, ready to serve as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionRecord {
    pub key: ExecutionKey,
    pub status: ExecutionStatus,
    pub history: Vec<HistoryEvent>,
}

impl ExecutionRecord {
    /// The output of a SUCCEEDED execution.
    pub fn output(&self) -> Option<&Value> {
        self.history
            .iter()
            .rev()
            .find_map(|event| match &event.detail {
                EventDetail::ExecutionSucceeded { output } => Some(&**output),
                _ => None,
            })
    }

    /// The error and cause of a FAILED execution.
    pub fn failure(&self) -> Option<(Option<&str>, Option<&str>)> {
        self.history
            .iter()
            .rev()
            .find_map(|event| match &event.detail {
                EventDetail::ExecutionFailed { error, cause } => {
                    Some((error.as_deref(), cause.as_deref()))
                }
                _ => None,
            })
    }
}
