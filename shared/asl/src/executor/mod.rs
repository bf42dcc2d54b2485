//! Starts, resumes, stops and describes executions of one state machine.
//! Each execution runs as its own tokio task; the journal is the only state
//! that outlives it.

mod callback;
mod iteration;
mod run;
mod states;
mod task;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use serde_json::Value;
use tokio::task::{AbortHandle, JoinHandle};

use crate::definition::{StateKind, StateMachine};
use crate::fault::RUNTIME;
use crate::invoker::TaskInvoker;
use crate::journal::{
    Checkpoint, EventDetail, ExecutionEnd, ExecutionJournal, ExecutionKey, ExecutionRecord,
    ExecutionStatus, HistoryEvent, JournalEntry, JournalError, JournalStart, RunningExecution,
};
use crate::timer::Timer;
pub use callback::CallbackError;
use run::{Cursor, Run};

/// Runs executions of one state machine. Dropping it stops every execution
/// it runs where it stands, as a killed process would; a new executor on the
/// same journal continues them with [`Executor::resume_all`].
pub struct Executor {
    shared: Arc<Shared>,
}

struct Shared {
    machine: Arc<StateMachine>,
    invoker: Arc<dyn TaskInvoker>,
    journal: Arc<dyn ExecutionJournal>,
    timer: Arc<dyn Timer>,
    /// Tasks waiting for SendTaskSuccess or SendTaskFailure.
    tokens: callback::Tokens,
    /// Seeds `States.UUID` and `States.MathRandom`, when set.
    seed: OnceLock<u64>,
    /// Executions running in this process, by name.
    running: Mutex<HashMap<String, AbortHandle>>,
}

impl Shared {
    fn running(&self) -> MutexGuard<'_, HashMap<String, AbortHandle>> {
        self.running
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[derive(Debug)]
pub enum StartOutcome {
    Started(ExecutionHandle),
    /// An execution with this name exists already; nothing was started.
    AlreadyExists,
}

/// A running execution. Dropping the handle leaves the execution running.
#[derive(Debug)]
pub struct ExecutionHandle {
    key: ExecutionKey,
    join: JoinHandle<Result<ExecutionStatus, ExecutionError>>,
}

impl ExecutionHandle {
    pub fn key(&self) -> &ExecutionKey {
        &self.key
    }

    /// Waits for the execution to end and returns how it ended.
    pub async fn finished(self) -> Result<ExecutionStatus, ExecutionError> {
        self.join
            .await
            .unwrap_or_else(|_| Err(ExecutionError::Interrupted(self.key)))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExecutionError {
    #[error("invalid execution name {name:?}: {reason}")]
    InvalidName { name: String, reason: &'static str },
    #[error("execution {0} was stopped, or its executor dropped, before it ended")]
    Interrupted(ExecutionKey),
    #[error("execution journal: {0}")]
    Journal(#[from] JournalError),
}

impl Executor {
    pub fn new(
        machine: Arc<StateMachine>,
        invoker: Arc<dyn TaskInvoker>,
        journal: Arc<dyn ExecutionJournal>,
        timer: Arc<dyn Timer>,
    ) -> Self {
        let shared = Shared {
            machine,
            invoker,
            journal,
            timer,
            tokens: callback::Tokens::default(),
            seed: OnceLock::new(),
            running: Mutex::new(HashMap::new()),
        };
        Self {
            shared: Arc::new(shared),
        }
    }

    /// Makes `States.UUID` and `States.MathRandom` deterministic: an
    /// execution of a given name draws the same values on every run.
    /// Set it before starting executions: a second seed is ignored.
    pub fn with_seed(self, seed: u64) -> Self {
        let _ = self.shared.seed.set(seed);
        self
    }

    pub fn machine(&self) -> &Arc<StateMachine> {
        &self.shared.machine
    }

    /// Records a new execution and starts running it in the background, like
    /// StartExecution: a name already used for this state machine starts
    /// nothing and answers [`StartOutcome::AlreadyExists`].
    #[tracing::instrument(skip(self, input), fields(state_machine = self.machine().name()))]
    pub async fn start(&self, name: &str, input: Value) -> Result<StartOutcome, ExecutionError> {
        validate_name(name)?;
        let machine = &self.shared.machine;
        let now = self.shared.timer.now();
        let index = machine.start_at();
        let state = machine.state(index);
        let input = Arc::new(input);
        let checkpoint = Checkpoint {
            state: state.name.clone(),
            input: input.clone(),
            entered_at: now,
            retry_counts: vec![0; retrier_count(&state.kind)],
            retry_at: None,
            started_at: now,
            deadline: machine.timeout().map(|timeout| now + timeout),
            variables: Arc::default(),
        };
        let events = [
            HistoryEvent {
                timestamp: now,
                detail: EventDetail::ExecutionStarted {
                    input: input.clone(),
                },
            },
            run::entered(now, &checkpoint),
        ];
        let key = self.key(name);
        match self
            .shared
            .journal
            .start(&key, &events, &checkpoint)
            .await?
        {
            JournalStart::AlreadyExists => Ok(StartOutcome::AlreadyExists),
            JournalStart::Started => {
                let cursor = Cursor { index, checkpoint };
                let handle = self.spawn(key, (input, events.len()), cursor, Vec::new());
                Ok(handle.map_or(StartOutcome::AlreadyExists, StartOutcome::Started))
            }
        }
    }

    /// Continues every RUNNING execution of this state machine that is not
    /// running here already, by re-entering the state of its last checkpoint.
    /// A Task may therefore run again: tasks must be idempotent.
    #[tracing::instrument(skip(self), fields(state_machine = self.machine().name()))]
    pub async fn resume_all(&self) -> Result<Vec<ExecutionHandle>, ExecutionError> {
        let machine = &self.shared.machine;
        let running = self.shared.journal.running(machine.name()).await?;
        let mut handles = Vec::with_capacity(running.len());
        for RunningExecution {
            key,
            mut checkpoint,
        } in running
        {
            if self.shared.running().contains_key(&key.name) {
                continue;
            }
            let now = self.shared.timer.now();
            let Some(index) = machine.index_of(&checkpoint.state) else {
                let cause = format!(
                    "the checkpoint's state '{}' no longer exists in the definition",
                    checkpoint.state
                );
                self.end_failed(&key, cause).await?;
                continue;
            };
            let retriers = retrier_count(&machine.state(index).kind);
            if checkpoint.retry_counts.len() != retriers {
                checkpoint.retry_counts = vec![0; retriers];
                checkpoint.retry_at = None;
            }
            tracing::info!(execution = %key, state = %checkpoint.state, "resuming");
            let started = self.execution_input(&key).await?;
            let events = vec![run::entered(now, &checkpoint)];
            handles.extend(self.spawn(key, started, Cursor { index, checkpoint }, events));
        }
        Ok(handles)
    }

    /// Ends a RUNNING execution as ABORTED, like StopExecution. Returns false
    /// when there is no such execution or it has ended already.
    pub async fn stop(&self, name: &str, cause: Option<String>) -> Result<bool, ExecutionError> {
        let key = self.key(name);
        let event = HistoryEvent {
            timestamp: self.shared.timer.now(),
            detail: EventDetail::ExecutionAborted { cause },
        };
        let entry = JournalEntry {
            events: &[event],
            checkpoint: None,
            end: Some(ExecutionEnd::Aborted),
        };
        match self.shared.journal.record(&key, entry).await {
            Ok(()) => {}
            Err(JournalError::NotRunning(_)) => return Ok(false),
            Err(error) => return Err(error.into()),
        }
        if let Some(task) = self.shared.running().remove(name) {
            task.abort();
        }
        Ok(true)
    }

    /// The execution's status and history, as the journal has them.
    pub async fn describe(&self, name: &str) -> Result<Option<ExecutionRecord>, ExecutionError> {
        Ok(self.shared.journal.execution(&self.key(name)).await?)
    }

    fn key(&self, name: &str) -> ExecutionKey {
        ExecutionKey {
            state_machine: self.shared.machine.name().to_owned(),
            name: name.to_owned(),
        }
    }

    async fn end_failed(&self, key: &ExecutionKey, cause: String) -> Result<(), ExecutionError> {
        let event = HistoryEvent {
            timestamp: self.shared.timer.now(),
            detail: EventDetail::ExecutionFailed {
                error: Some(RUNTIME.to_owned()),
                cause: Some(cause),
            },
        };
        let entry = JournalEntry {
            events: &[event],
            checkpoint: None,
            end: Some(ExecutionEnd::Failed),
        };
        match self.shared.journal.record(key, entry).await {
            Ok(()) | Err(JournalError::NotRunning(_)) => Ok(()),
            Err(error) => Err(error.into()),
        }
    }

    /// The input the execution started with, and how many events its
    /// history has, from the journal.
    async fn execution_input(
        &self,
        key: &ExecutionKey,
    ) -> Result<(Arc<Value>, usize), ExecutionError> {
        let Some(record) = self.shared.journal.execution(key).await? else {
            return Ok((Arc::default(), 0));
        };
        let recorded = record.history.len();
        let input = record
            .history
            .into_iter()
            .find_map(|event| match event.detail {
                EventDetail::ExecutionStarted { input } => Some(input),
                _ => None,
            });
        Ok((input.unwrap_or_default(), recorded))
    }

    /// Runs the execution from `cursor`, unless it is running here already.
    fn spawn(
        &self,
        key: ExecutionKey,
        (input, recorded): (Arc<Value>, usize),
        cursor: Cursor,
        events: Vec<HistoryEvent>,
    ) -> Option<ExecutionHandle> {
        // Registering under the lock means the task cannot deregister first.
        let mut running = self.shared.running();
        if running.contains_key(&key.name) {
            return None;
        }
        let run = Run::new(self.shared.clone(), key.clone(), input, recorded);
        let shared = self.shared.clone();
        let join = tokio::spawn(async move {
            let name = run.key().name.clone();
            let outcome = run.execute(cursor, events).await;
            shared.running().remove(&name);
            outcome
        });
        running.insert(key.name.clone(), join.abort_handle());
        Some(ExecutionHandle { key, join })
    }
}

impl Drop for Executor {
    fn drop(&mut self) {
        for (_, task) in self.shared.running().drain() {
            task.abort();
        }
    }
}

fn retrier_count(kind: &StateKind) -> usize {
    match kind {
        StateKind::Task(task) => task.retry.len(),
        StateKind::Parallel(parallel) => parallel.recovery.retry.len(),
        StateKind::Map(map) => map.recovery.retry.len(),
        _ => 0,
    }
}

/// Execution names follow StartExecution's rules, so that a name accepted
/// here is accepted by AWS too.
fn validate_name(name: &str) -> Result<(), ExecutionError> {
    let reason = if name.is_empty() || name.chars().count() > 80 {
        Some("it must be 1 to 80 characters long")
    } else if name
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || "<>{}[]?*\"#%\\^|~`$&,;:/".contains(c))
    {
        Some(
            "it must not contain whitespace, brackets, wildcards or characters such as : / ; , & $",
        )
    } else {
        None
    };
    match reason {
        Some(reason) => Err(ExecutionError::InvalidName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
}
