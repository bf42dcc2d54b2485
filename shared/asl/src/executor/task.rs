//! Task states: invoke the resource under the state's timeout, then retry,
//! catch or fail as the state's Retry and Catch say.

use std::sync::Arc;

use serde_json::{Value, json};

use super::ExecutionError;
use super::run::{Events, Run, Step};
use crate::definition::{Catcher, State, Task};
use crate::fault::{Origin, StateError};
use crate::invoker::{CatchPanic, TaskContext};
use crate::journal::{Checkpoint, EventDetail};
use crate::payload::Context;

impl Run {
    pub(super) async fn task(
        &self,
        state: &State,
        task: &Task,
        mut checkpoint: Checkpoint,
        events: &mut Events,
    ) -> Result<Step, ExecutionError> {
        loop {
            // Set only when resuming during a retry's delay.
            if let Some(due) = checkpoint.retry_at.take() {
                self.sleep_until(due).await;
            }
            let ctx = self.context(state, &checkpoint);
            let error = match self.attempt(task, &checkpoint.input, &ctx, events).await {
                Ok(result) if task.result_path.fits(&checkpoint.input) => {
                    let output = task
                        .result_path
                        .apply(checkpoint.input, result)
                        .and_then(|output| task.io.output_path.select_shared(output));
                    return Ok(output
                        .map_or_else(Step::failed, |output| Step::after(task.transition, output)));
                }
                Ok(_) => StateError::result_path_mismatch(
                    "the task's ResultPath does not fit the state's input",
                ),
                Err(error) => error,
            };
            if error.origin == Origin::Runtime {
                return Ok(Step::failed(error));
            }
            let retrier = task
                .retry
                .iter()
                .position(|retrier| retrier.matches(&error));
            if let Some(index) = retrier {
                let done = checkpoint.retry_counts[index];
                if done < task.retry[index].max_attempts {
                    let delay = task.retry[index].delay(done);
                    checkpoint.retry_counts[index] = done + 1;
                    checkpoint.retry_at = Some(self.now() + delay);
                    events.push(self.event(EventDetail::RetryScheduled {
                        attempt: done + 1,
                        delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    }));
                    self.write(events, Some(&checkpoint), None).await?;
                    self.shared.timer.sleep(delay).await;
                    checkpoint.retry_at = None;
                    continue;
                }
            }
            let catcher = task.catch.iter().find(|catcher| catcher.matches(&error));
            return Ok(match catcher {
                Some(catcher) => self.catch(catcher, error, checkpoint.input, events),
                None => Step::failed(error),
            });
        }
    }

    /// One try: input processing, the invocation, and `ResultSelector`.
    async fn attempt(
        &self,
        task: &Task,
        input: &Value,
        ctx: &Context<'_>,
        events: &mut Events,
    ) -> Result<Arc<Value>, StateError> {
        let effective = task.io.input_path.select(input)?;
        let task_input = match &task.parameters {
            Some(parameters) => parameters.render(&effective, ctx)?,
            None => effective.into_owned(),
        };
        events.push(self.event(EventDetail::TaskScheduled {
            resource: task.resource.clone(),
        }));
        let task_ctx = TaskContext {
            state_machine: ctx.state_machine,
            execution: ctx.execution,
            state: ctx.state,
            retry_count: ctx.retry_count,
            deadline: task.timeout.map(|timeout| self.now() + timeout),
        };
        match self.invoke(task, task_input, &task_ctx).await {
            Ok(output) => {
                let output = Arc::new(output);
                events.push(self.event(EventDetail::TaskSucceeded {
                    output: output.clone(),
                }));
                match &task.result_selector {
                    Some(selector) => selector.render(&output, ctx).map(Arc::new),
                    None => Ok(output),
                }
            }
            Err(error) => {
                events.push(self.event(EventDetail::TaskFailed {
                    error: error.name.clone(),
                    cause: error.cause.clone(),
                }));
                Err(error)
            }
        }
    }

    async fn invoke(
        &self,
        task: &Task,
        input: Value,
        ctx: &TaskContext<'_>,
    ) -> Result<Value, StateError> {
        let call = CatchPanic::new(self.shared.invoker.invoke(&task.resource, input, ctx));
        let outcome = match task.timeout {
            None => call.await,
            Some(timeout) => tokio::select! {
                outcome = call => outcome,
                () = self.shared.timer.sleep(timeout) => {
                    return Err(StateError::timeout(format!(
                        "the task did not finish within {} s", timeout.as_secs()
                    )));
                }
            },
        };
        match outcome {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(failure)) => Err(StateError::from_task(failure)),
            Err(panic) => Err(StateError::task_failed(panic)),
        }
    }

    fn catch(
        &self,
        catcher: &Catcher,
        error: StateError,
        input: Arc<Value>,
        events: &mut Events,
    ) -> Step {
        let next = self.shared.machine.state(catcher.next);
        events.push(self.event(EventDetail::CatchTaken {
            error: error.name.clone(),
            next: next.name.clone(),
        }));
        let error_output = Arc::new(json!({ "Error": error.name, "Cause": error.cause }));
        match catcher.result_path.apply(input, error_output) {
            Ok(output) => Step::Next {
                index: catcher.next,
                output,
            },
            Err(error) => Step::failed(error),
        }
    }
}
