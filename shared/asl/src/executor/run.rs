//! One execution's walk through its states, under the execution timeout.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{ExecutionError, Shared, retrier_count, states};
use crate::context::{Random, Scope};
use crate::definition::{Branch, State, StateKind, Transition};
use crate::fault::StateError;
use crate::journal::{
    Checkpoint, EventDetail, ExecutionEnd, ExecutionKey, ExecutionStatus, HistoryEvent,
    JournalEntry, JournalError,
};
use crate::payload::{Context, Template};

/// Step Functions' largest state input, output or task result: 256 KiB of
/// UTF-8 JSON.
pub(super) const MAX_PAYLOAD_BYTES: usize = 256 * 1024;

/// Step Functions fails an execution whose history reaches 25,000 events.
pub(super) const MAX_HISTORY_EVENTS: usize = 25_000;

/// Events are written at the latest after this many, so that a loop through
/// instant states keeps its history bounded and yields to other executions.
const MAX_UNWRITTEN_EVENTS: usize = 64;

/// Events not written to the journal yet.
pub(super) type Events = Vec<HistoryEvent>;

/// The state an execution is in, and its checkpoint there.
pub(super) struct Cursor {
    pub(super) index: usize,
    pub(super) checkpoint: Checkpoint,
}

/// Variables a state assigns as it completes.
pub(super) type Assigned = Option<Map<String, Value>>;

/// What a state decided.
pub(super) enum Step {
    Next {
        index: usize,
        output: Arc<Value>,
        assigned: Assigned,
    },
    Succeed(Arc<Value>),
    /// A Fail state: the execution (or branch) fails with its error.
    Fail {
        error: Option<String>,
        cause: Option<String>,
    },
    /// An error no Retry or Catch handled.
    Error(StateError),
}

impl Step {
    pub(super) fn after(transition: Transition, output: Arc<Value>, assigned: Assigned) -> Self {
        match transition {
            Transition::Next(index) => Step::Next {
                index,
                output,
                assigned,
            },
            Transition::End => Step::Succeed(output),
        }
    }

    pub(super) fn failed(error: StateError) -> Self {
        Step::Error(error)
    }
}

/// Evaluates `Assign` against `data` (what `$` means for the state).
pub(super) fn assign(
    template: &Option<Template>,
    data: &Value,
    ctx: &Context<'_>,
) -> Result<Assigned, StateError> {
    let Some(template) = template else {
        return Ok(None);
    };
    match template.render(data, ctx)? {
        Value::Object(values) => Ok(Some(values)),
        _ => Err(StateError::runtime("Assign must be a JSON object")),
    }
}

/// Fails with `States.DataLimitExceeded` when `value` is larger than a
/// payload may be.
pub(super) fn within_limit(value: &Value, what: impl FnOnce() -> String) -> Result<(), StateError> {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            if self.0 > MAX_PAYLOAD_BYTES {
                return Err(std::io::ErrorKind::FileTooLarge.into());
            }
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    match serde_json::to_writer(Count(0), value) {
        Ok(()) => Ok(()),
        Err(_) => Err(StateError::data_limit(what())),
    }
}

/// How the walk through the states ended, short of a timeout.
enum Ending {
    Succeeded(Arc<Value>),
    Failed {
        error: Option<String>,
        cause: Option<String>,
    },
}

impl Ending {
    fn error(error: StateError) -> Self {
        Ending::Failed {
            error: Some(error.name),
            cause: Some(error.cause),
        }
    }
}

pub(super) fn entered(now: DateTime<Utc>, checkpoint: &Checkpoint) -> HistoryEvent {
    HistoryEvent {
        timestamp: now,
        detail: EventDetail::StateEntered {
            state: checkpoint.state.clone(),
            input: checkpoint.input.clone(),
        },
    }
}

pub(super) struct Run {
    pub(super) shared: Arc<Shared>,
    key: ExecutionKey,
    /// The execution's input, for `$$.Execution.Input`.
    input: Arc<Value>,
    random: Random,
    /// Events written to the journal so far.
    recorded: AtomicUsize,
}

impl Run {
    pub(super) fn new(
        shared: Arc<Shared>,
        key: ExecutionKey,
        input: Arc<Value>,
        recorded: usize,
    ) -> Self {
        let random = Random::new(shared.seed.get().copied(), &key.name);
        Self {
            shared,
            key,
            input,
            random,
            recorded: AtomicUsize::new(recorded),
        }
    }

    pub(super) fn key(&self) -> &ExecutionKey {
        &self.key
    }

    pub(super) async fn execute(
        self,
        cursor: Cursor,
        mut events: Events,
    ) -> Result<ExecutionStatus, ExecutionError> {
        let outcome = self.execute_timed(cursor, &mut events).await;
        if let Err(error) = &outcome {
            match error {
                ExecutionError::Journal(JournalError::NotRunning(_)) => {
                    tracing::info!(execution = %self.key, "ended elsewhere, stopping");
                }
                error => tracing::error!(execution = %self.key, %error, "execution halted"),
            }
        }
        outcome
    }

    async fn execute_timed(
        &self,
        cursor: Cursor,
        events: &mut Events,
    ) -> Result<ExecutionStatus, ExecutionError> {
        if !events.is_empty() {
            self.write(events, None, None).await?;
        }
        let remaining = cursor
            .checkpoint
            .deadline
            .map(|deadline| (deadline - self.now()).to_std().unwrap_or_default());
        let step = match remaining {
            None => Some(self.walk(cursor, events).await?),
            Some(remaining) if remaining.is_zero() => None,
            Some(remaining) => tokio::select! {
                step = self.walk(cursor, events) => Some(step?),
                () = self.shared.timer.sleep(remaining) => None,
            },
        };
        let (detail, end) = match step {
            None => (EventDetail::ExecutionTimedOut, ExecutionEnd::TimedOut),
            Some(Ending::Succeeded(output)) => (
                EventDetail::ExecutionSucceeded { output },
                ExecutionEnd::Succeeded,
            ),
            Some(Ending::Failed { error, cause }) => (
                EventDetail::ExecutionFailed { error, cause },
                ExecutionEnd::Failed,
            ),
        };
        events.push(self.event(detail));
        self.write(events, None, Some(end)).await?;
        Ok(end.into())
    }

    /// Runs states until one ends the execution.
    async fn walk(
        &self,
        mut cursor: Cursor,
        events: &mut Events,
    ) -> Result<Ending, ExecutionError> {
        let machine = &*self.shared.machine;
        let top = machine.top();
        loop {
            let Cursor { index, checkpoint } = cursor;
            let (started_at, deadline) = (checkpoint.started_at, checkpoint.deadline);
            let state = machine.state(index);
            let mut scope = Scope::new(checkpoint.variables.clone());
            let step = self
                .step(top, state, checkpoint, &scope, events, true)
                .await?;
            let (index, output, assigned) = match step {
                Step::Next {
                    index,
                    output,
                    assigned,
                } => (index, output, assigned),
                Step::Succeed(output) => {
                    if let Err(error) = self.output_within_limit(state, &output) {
                        return Ok(Ending::error(error));
                    }
                    events.push(self.exited(state, output.clone()));
                    return Ok(Ending::Succeeded(output));
                }
                Step::Fail { error, cause } => return Ok(Ending::Failed { error, cause }),
                Step::Error(error) => return Ok(Ending::error(error)),
            };
            if let Err(error) = self.output_within_limit(state, &output) {
                return Ok(Ending::error(error));
            }
            // Room for this transition's two events and the execution's end.
            if self.recorded.load(Ordering::Relaxed) + events.len() + 3 > MAX_HISTORY_EVENTS {
                return Ok(Ending::error(StateError::runtime(format!(
                    "The execution reached the maximum number of history events ({MAX_HISTORY_EVENTS})."
                ))));
            }
            scope.assign(assigned.unwrap_or_default());
            events.push(self.exited(state, output.clone()));
            let next = machine.state(index);
            let now = self.now();
            let checkpoint = Checkpoint {
                state: next.name.clone(),
                input: output,
                entered_at: now,
                retry_counts: vec![0; retrier_count(&next.kind)],
                retry_at: None,
                started_at,
                deadline,
                variables: scope.own(),
            };
            events.push(entered(now, &checkpoint));
            cursor = Cursor { index, checkpoint };
            if next.kind.is_durable() {
                self.write(events, Some(&cursor.checkpoint), None).await?;
            } else if events.len() >= MAX_UNWRITTEN_EVENTS {
                self.write(events, Some(&cursor.checkpoint), None).await?;
                tokio::task::yield_now().await;
            }
        }
    }

    fn output_within_limit(&self, state: &State, output: &Value) -> Result<(), StateError> {
        within_limit(output, || {
            format!(
                "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                state.name
            )
        })
    }

    /// Runs one state of `branch` from `checkpoint`. Outside the machine's
    /// top level (`durable` false) nothing is written to the journal.
    pub(super) async fn step(
        &self,
        branch: &Branch,
        state: &State,
        checkpoint: Checkpoint,
        scope: &Scope,
        events: &mut Events,
        durable: bool,
    ) -> Result<Step, ExecutionError> {
        let ctx = self.context(state, &checkpoint, scope);
        Ok(match &state.kind {
            StateKind::Task(_) | StateKind::Parallel(_) | StateKind::Map(_) => {
                return self
                    .recovering(branch, state, checkpoint, scope, events, durable)
                    .await;
            }
            StateKind::Wait(wait) => self.wait(wait, &state.assign, &checkpoint, &ctx).await,
            StateKind::Pass(pass) => {
                states::pass(pass, &state.assign, checkpoint.input.clone(), &ctx)
            }
            StateKind::Choice(choice) => {
                states::choice(choice, &state.assign, checkpoint.input.clone(), &ctx)
            }
            StateKind::Succeed(io) => states::succeed(io, checkpoint.input.clone()),
            StateKind::Fail(fail) => states::fail(fail, &checkpoint.input, &ctx),
        })
    }

    pub(super) fn context<'s>(
        &'s self,
        state: &'s State,
        checkpoint: &Checkpoint,
        scope: &'s Scope,
    ) -> Context<'s> {
        Context {
            state_machine: self.shared.machine.name(),
            execution: &self.key.name,
            execution_input: &self.input,
            started_at: checkpoint.started_at,
            state: &state.name,
            entered_at: checkpoint.entered_at,
            retry_count: checkpoint.retry_counts.iter().sum(),
            map_item: None,
            task_token: None,
            variables: scope,
            random: &self.random,
        }
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.shared.timer.now()
    }

    pub(super) fn event(&self, detail: EventDetail) -> HistoryEvent {
        HistoryEvent {
            timestamp: self.now(),
            detail,
        }
    }

    fn exited(&self, state: &State, output: Arc<Value>) -> HistoryEvent {
        self.event(EventDetail::StateExited {
            state: state.name.clone(),
            output,
        })
    }

    /// Sleeps until `due`; returns at once if it has passed.
    pub(super) async fn sleep_until(&self, due: DateTime<Utc>) {
        if let Ok(remaining) = (due - self.now()).to_std()
            && !remaining.is_zero()
        {
            self.shared.timer.sleep(remaining).await;
        }
    }

    /// Writes the unwritten events, with a checkpoint and the end if given.
    pub(super) async fn write(
        &self,
        events: &mut Events,
        checkpoint: Option<&Checkpoint>,
        end: Option<ExecutionEnd>,
    ) -> Result<(), ExecutionError> {
        let entry = JournalEntry {
            events,
            checkpoint,
            end,
        };
        self.shared.journal.record(&self.key, entry).await?;
        self.recorded.fetch_add(events.len(), Ordering::Relaxed);
        events.clear();
        Ok(())
    }
}
