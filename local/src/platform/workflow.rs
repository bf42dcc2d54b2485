//! The booking workflow, run in-process: statemachines/booking.asl.json (the
//! very file the template deploys) on Berth's ASL executor, each Task
//! resource mapped to the same task function AWS would invoke, executions
//! journaled in the data directory.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use async_trait::async_trait;
use berth_asl::{Executor, StateMachine, TaskContext, TaskFailure, TaskInvoker, Timer};
use berth_domain::ids::BookingId;
use berth_domain::ports::{BookingWorkflow, CallbackError, TaskCallbacks};
use serde_json::{Value, json};

use super::registry::{Functions, JsonFn};

/// The deployed definition, compiled in so the binary runs from anywhere.
pub const BOOKING_DEFINITION: &str = include_str!("../../../statemachines/booking.asl.json");
pub const BOOKING_STATE_MACHINE: &str = "booking";

/// Task resources are `${<Function>Arn}` substitutions; locally each one
/// resolves to `local:function:<name>`.
pub fn function_substitutions() -> HashMap<String, String> {
    berth_functions::catalogue::FUNCTIONS
        .iter()
        .filter_map(|f| match f.trigger {
            berth_functions::catalogue::Trigger::Task { substitution } => Some((
                substitution.to_owned(),
                format!("local:function:{}", f.name),
            )),
            _ => None,
        })
        .collect()
}

/// Loads the booking state machine; an ASL feature the executor lacks, or a
/// resource no function answers, fails here.
pub fn load_booking_machine(definition: &str) -> anyhow::Result<StateMachine> {
    let resolves = |resource: &str| {
        resource
            .strip_prefix("local:function:")
            .and_then(berth_functions::catalogue::function)
            .is_some()
    };
    StateMachine::load(
        BOOKING_STATE_MACHINE,
        definition,
        &function_substitutions(),
        &resolves,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
    .context("loading statemachines/booking.asl.json")
}

/// Reads the definition from `statemachines/` when run from the repository
/// (so edits apply without rebuilding), else the compiled-in copy.
pub fn booking_definition(repository: &Path) -> String {
    std::fs::read_to_string(repository.join("statemachines/booking.asl.json"))
        .unwrap_or_else(|_| BOOKING_DEFINITION.to_owned())
}

/// Invokes task functions by resource.
pub struct LocalTasks {
    functions: HashMap<String, JsonFn>,
}

impl LocalTasks {
    pub fn new(functions: &Functions) -> Self {
        let functions = functions
            .json
            .iter()
            .map(|(name, f)| (format!("local:function:{name}"), f.clone()))
            .collect();
        Self { functions }
    }
}

#[async_trait]
impl TaskInvoker for LocalTasks {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        _ctx: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure> {
        let function = self.functions.get(resource).ok_or_else(|| {
            TaskFailure::new("States.TaskFailed", format!("no function for {resource}"))
        })?;
        function(input).await
    }
}

/// `BookingWorkflow` over the local executor; started once the executor exists.
#[derive(Default)]
pub struct LocalWorkflow {
    executor: OnceLock<Arc<Executor>>,
}

impl LocalWorkflow {
    pub fn attach(&self, executor: Arc<Executor>) {
        let _ = self.executor.set(executor);
    }

    pub fn executor(&self) -> Option<&Arc<Executor>> {
        self.executor.get()
    }
}

#[async_trait]
impl BookingWorkflow for LocalWorkflow {
    async fn start(&self, booking: &BookingId) -> anyhow::Result<()> {
        let executor = self
            .executor
            .get()
            .context("the workflow executor is not running yet")?;
        executor
            .start(booking.as_str(), json!({"booking_id": booking}))
            .await
            .map_err(|e| anyhow::anyhow!("starting the workflow for {booking}: {e}"))?;
        Ok(())
    }
}

/// SendTask* on the local executor.
#[async_trait]
impl TaskCallbacks for LocalWorkflow {
    async fn succeed(&self, token: &str, output: &Value) -> Result<(), CallbackError> {
        let executor = self.running()?;
        local_outcome(executor.send_task_success(token, &output.to_string()))
    }

    async fn fail(&self, token: &str, error: &str, cause: &str) -> Result<(), CallbackError> {
        local_outcome(self.running()?.send_task_failure(token, error, cause))
    }

    async fn heartbeat(&self, token: &str) -> Result<(), CallbackError> {
        local_outcome(self.running()?.send_task_heartbeat(token))
    }
}

impl LocalWorkflow {
    fn running(&self) -> Result<&Arc<Executor>, CallbackError> {
        self.executor.get().ok_or_else(|| {
            CallbackError::Unexpected(anyhow::anyhow!("the workflow executor is not running yet"))
        })
    }
}

fn local_outcome(sent: Result<(), berth_asl::CallbackError>) -> Result<(), CallbackError> {
    match sent {
        Ok(()) => Ok(()),
        Err(berth_asl::CallbackError::TaskDoesNotExist(_)) => Err(CallbackError::NoSuchTask),
        Err(error) => Err(CallbackError::Unexpected(error.into())),
    }
}

/// Starts the executor over `journal`, wired to the task functions.
pub fn executor(
    machine: StateMachine,
    functions: &Functions,
    journal: Arc<dyn berth_asl::ExecutionJournal>,
    timer: Arc<dyn Timer>,
) -> Arc<Executor> {
    Arc::new(Executor::new(
        Arc::new(machine),
        Arc::new(LocalTasks::new(functions)),
        journal,
        timer,
    ))
}
