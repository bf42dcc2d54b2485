//! One execution's walk through its states, under the execution timeout.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{ExecutionError, Shared, retrier_count, states};
use crate::definition::{State, StateKind, Transition};
use crate::fault::StateError;
use crate::journal::{
    Checkpoint, EventDetail, ExecutionEnd, ExecutionKey, ExecutionStatus, HistoryEvent,
    JournalEntry, JournalError,
};
use crate::payload::Context;

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

/// What a state decided.
pub(super) enum Step {
    Next {
        index: usize,
        output: Arc<Value>,
    },
    Succeed(Arc<Value>),
    Fail {
        error: Option<String>,
        cause: Option<String>,
    },
}

impl Step {
    pub(super) fn after(transition: Transition, output: Arc<Value>) -> Self {
        match transition {
            Transition::Next(index) => Step::Next { index, output },
            Transition::End => Step::Succeed(output),
        }
    }

    pub(super) fn failed(error: StateError) -> Self {
        Step::Fail {
            error: Some(error.name),
            cause: Some(error.cause),
        }
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
}

impl Run {
    pub(super) fn new(shared: Arc<Shared>, key: ExecutionKey) -> Self {
        Self { shared, key }
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
        loop {
            let Cursor { index, checkpoint } = cursor;
            let (started_at, deadline) = (checkpoint.started_at, checkpoint.deadline);
            let state = machine.state(index);
            let ctx = self.context(state, &checkpoint);
            let step = match &state.kind {
                StateKind::Task(task) => self.task(state, task, checkpoint, events).await?,
                StateKind::Wait(wait) => self.wait(wait, checkpoint).await,
                StateKind::Pass(pass) => states::pass(pass, checkpoint.input, &ctx),
                StateKind::Choice(choice) => states::choice(choice, checkpoint.input, &ctx),
                StateKind::Succeed(io) => states::succeed(io, checkpoint.input),
                StateKind::Fail(fail) => states::fail(fail, &checkpoint.input, &ctx),
            };
            let (index, output) = match step {
                Step::Next { index, output } => (index, output),
                Step::Succeed(output) => {
                    events.push(self.exited(state, output.clone()));
                    return Ok(Ending::Succeeded(output));
                }
                Step::Fail { error, cause } => return Ok(Ending::Failed { error, cause }),
            };
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

    pub(super) fn context<'s>(&'s self, state: &'s State, checkpoint: &Checkpoint) -> Context<'s> {
        Context {
            state_machine: self.shared.machine.name(),
            execution: &self.key.name,
            started_at: checkpoint.started_at,
            state: &state.name,
            entered_at: checkpoint.entered_at,
            retry_count: checkpoint.retry_counts.iter().sum(),
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
        events.clear();
        Ok(())
    }
}
