//! Runs Amazon States Language state machines (JSONPath flavour) in-process,
//! so that Berth's local platform executes the very `statemachines/*.asl.json`
//! files that AWS Step Functions deploys, with the same data flow, error
//! matching, retries and catches, and survives a process kill.
//!
//! Layout:
//! - `definition` loads a definition into a [`StateMachine`]: substitutions,
//!   parsing, validation. Anything the executor does not support is refused
//!   with a [`LoadError`], never skipped. `path`, `payload`, `intrinsic` and
//!   `choice` compile the pieces of a state (reference paths, `Parameters`
//!   templates, `States.*` functions, Choice rules); `dataflow` applies
//!   `InputPath`, `ResultPath` and `OutputPath`.
//! - `executor` runs executions ([`Executor`]): one tokio task each, writing
//!   to the journal at most once per state entry. `fault` names the errors
//!   Retry and Catch match.
//! - Ports the executor depends on: [`TaskInvoker`] (the code behind a Task's
//!   `Resource`), [`ExecutionJournal`] (durable history and checkpoints, with
//!   [`InMemoryJournal`] for tests) and [`Timer`] (every wait, with
//!   [`TokioTimer`], which can run time faster).

mod choice;
mod context;
mod dataflow;
mod definition;
mod executor;
mod fault;
mod intrinsic;
mod invoker;
mod journal;
mod path;
mod payload;
mod query;
mod timer;

pub use definition::StateMachine;
pub use definition::error::{LoadError, LoadProblem};
pub use executor::{CallbackError, ExecutionError, ExecutionHandle, Executor, StartOutcome};
pub use invoker::{TaskContext, TaskFailure, TaskInvoker};
pub use journal::{
    Checkpoint, EventDetail, ExecutionEnd, ExecutionJournal, ExecutionKey, ExecutionRecord,
    ExecutionStatus, HistoryEvent, InMemoryJournal, JournalEntry, JournalError, JournalStart,
    RunningExecution,
};
pub use timer::{InvalidSpeedFactor, Timer, TokioTimer};
