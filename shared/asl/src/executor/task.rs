//! States that do work which may fail and be retried or caught: Task,
//! Parallel and Map. The work runs, then Retry, Catch or failure follow as
//! the state says; this module also runs a Task's work.

use std::sync::Arc;

use serde_json::{Value, json};

use super::ExecutionError;
use super::run::{Events, Run, Step, assign, within_limit};
use crate::context::Scope;
use crate::dataflow::{ResultPath, Selector};
use crate::definition::{
    Branch, Catcher, Integration, Retrier, State, StateKind, Task, Transition,
};
use crate::fault::{Origin, StateError};
use crate::invoker::{CatchPanic, TaskContext};
use crate::journal::{Checkpoint, EventDetail};
use crate::payload::Context;

/// The parts of a Task, Parallel or Map state that handle its result.
struct Handling<'a> {
    retry: &'a [Retrier],
    catch: &'a [Catcher],
    result_path: &'a ResultPath,
    output_path: &'a Selector,
    transition: Transition,
}

impl<'a> Handling<'a> {
    fn of(kind: &'a StateKind) -> Option<Self> {
        let (io, recovery) = match kind {
            StateKind::Task(task) => {
                return Some(Self {
                    retry: &task.retry,
                    catch: &task.catch,
                    result_path: &task.result_path,
                    output_path: &task.io.output_path,
                    transition: task.transition,
                });
            }
            StateKind::Parallel(parallel) => (&parallel.io, &parallel.recovery),
            StateKind::Map(map) => (&map.io, &map.recovery),
            _ => return None,
        };
        Some(Self {
            retry: &recovery.retry,
            catch: &recovery.catch,
            result_path: &recovery.result_path,
            output_path: &io.output_path,
            transition: recovery.transition,
        })
    }
}

impl Run {
    /// Runs a Task, Parallel or Map state with its Retry and Catch.
    pub(super) async fn recovering(
        &self,
        branch: &Branch,
        state: &State,
        mut checkpoint: Checkpoint,
        scope: &Scope,
        events: &mut Events,
        durable: bool,
    ) -> Result<Step, ExecutionError> {
        let Some(handling) = Handling::of(&state.kind) else {
            return Ok(Step::failed(StateError::runtime(
                "not a Task, Parallel or Map state",
            )));
        };
        loop {
            // Set only when resuming during a retry's delay.
            if let Some(due) = checkpoint.retry_at.take() {
                self.sleep_until(due).await;
            }
            let ctx = self.context(state, &checkpoint, scope);
            let error = match self
                .work(state, &checkpoint.input, &ctx, scope, events)
                .await
            {
                Ok(result) => {
                    match finish(&handling, state, checkpoint.input.clone(), result, &ctx) {
                        Ok(step) => return Ok(step),
                        Err(error) => error,
                    }
                }
                Err(error) => error,
            };
            if error.origin == Origin::Runtime {
                return Ok(Step::failed(error));
            }
            let retrier = handling
                .retry
                .iter()
                .position(|retrier| retrier.matches(&error));
            if let Some(index) = retrier {
                let done = checkpoint.retry_counts[index];
                if done < handling.retry[index].max_attempts {
                    let delay = handling.retry[index].delay(done);
                    checkpoint.retry_counts[index] = done + 1;
                    checkpoint.retry_at = Some(self.now() + delay);
                    events.push(self.event(EventDetail::RetryScheduled {
                        attempt: done + 1,
                        delay_ms: u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                    }));
                    if durable {
                        self.write(events, Some(&checkpoint), None).await?;
                    }
                    self.shared.timer.sleep(delay).await;
                    checkpoint.retry_at = None;
                    continue;
                }
            }
            let catcher = handling
                .catch
                .iter()
                .find(|catcher| catcher.matches(&error));
            return Ok(match catcher {
                Some(catcher) => self.catch(branch, catcher, error, checkpoint.input, &ctx, events),
                None => Step::failed(error),
            });
        }
    }

    /// One try of the state's work, up to and including `ResultSelector`.
    async fn work(
        &self,
        state: &State,
        input: &Value,
        ctx: &Context<'_>,
        scope: &Scope,
        events: &mut Events,
    ) -> Result<Arc<Value>, StateError> {
        match &state.kind {
            StateKind::Task(task) => self.attempt(task, input, ctx, events).await,
            StateKind::Parallel(parallel) => {
                self.parallel(parallel, input, ctx, scope, events).await
            }
            StateKind::Map(map) => self.map(map, input, ctx, scope, events).await,
            _ => Err(StateError::runtime("not a Task, Parallel or Map state")),
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
        let mut waiting = task.wait_for_token.then(|| self.new_token());
        let token = waiting.as_ref().map(|waiting| waiting.token.clone());
        let ctx = &Context {
            task_token: token.as_deref(),
            ..*ctx
        };
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
        let work = async {
            let answer = self.invoke(task, task_input, &task_ctx).await?;
            match waiting.as_mut() {
                Some(waiting) => self.callback(waiting, task.heartbeat).await,
                None => Ok(answer),
            }
        };
        let outcome = match task.timeout {
            None => work.await,
            Some(timeout) => tokio::select! {
                outcome = work => outcome,
                () = self.shared.timer.sleep(timeout) => Err(StateError::timeout(format!(
                    "the task did not finish within {} s", timeout.as_secs()
                ))),
            },
        };
        match outcome {
            Ok(output) => {
                let output = Arc::new(output);
                events.push(self.event(EventDetail::TaskSucceeded {
                    output: output.clone(),
                }));
                within_limit(&output, || {
                    format!(
                        "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                        ctx.state
                    )
                })?;
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

    /// Calls the code behind the Task, through its integration.
    async fn invoke(
        &self,
        task: &Task,
        input: Value,
        ctx: &TaskContext<'_>,
    ) -> Result<Value, StateError> {
        let (resource, payload) = match task.integration {
            Integration::Direct => (task.resource.to_string(), input),
            Integration::LambdaInvoke => lambda_request(input)?,
        };
        let call = CatchPanic::new(self.shared.invoker.invoke(&resource, payload, ctx));
        let answer = match call.await {
            Ok(Ok(output)) => output,
            Ok(Err(failure)) if task.integration == Integration::LambdaInvoke => {
                return Err(lambda_error(failure));
            }
            Ok(Err(failure)) => return Err(StateError::from_task(failure)),
            Err(panic) => return Err(StateError::task_failed(panic)),
        };
        Ok(match task.integration {
            Integration::Direct => answer,
            Integration::LambdaInvoke => lambda_response(answer),
        })
    }

    /// Takes a catcher: the error output `{Error, Cause}` goes to its
    /// `ResultPath` and is `$` for its `Assign`.
    fn catch(
        &self,
        branch: &Branch,
        catcher: &Catcher,
        error: StateError,
        input: Arc<Value>,
        ctx: &Context<'_>,
        events: &mut Events,
    ) -> Step {
        let next = &branch.states[catcher.next];
        events.push(self.event(EventDetail::CatchTaken {
            error: error.name.clone(),
            next: next.name.clone(),
        }));
        let error_output = Arc::new(json!({ "Error": error.name, "Cause": error.cause }));
        let assigned = match assign(&catcher.assign, &error_output, ctx) {
            Ok(assigned) => assigned,
            Err(error) => return Step::failed(error),
        };
        match catcher.result_path.apply(input, error_output) {
            Ok(output) => Step::Next {
                index: catcher.next,
                output,
                assigned,
            },
            Err(error) => Step::failed(error),
        }
    }
}

/// `Assign` (which sees the result as `$`), `ResultPath`, `OutputPath`.
fn finish(
    handling: &Handling<'_>,
    state: &State,
    input: Arc<Value>,
    result: Arc<Value>,
    ctx: &Context<'_>,
) -> Result<Step, StateError> {
    let assigned = assign(&state.assign, &result, ctx)?;
    if !handling.result_path.fits(&input) {
        return Err(StateError::result_path_mismatch(
            "the state's ResultPath does not fit the state's input",
        ));
    }
    let output = handling.result_path.apply(input, result)?;
    let output = handling.output_path.select_shared(output)?;
    Ok(Step::after(handling.transition, output, assigned))
}

/// The function and payload of an `arn:aws:states:::lambda:invoke` Task.
fn lambda_request(parameters: Value) -> Result<(String, Value), StateError> {
    let Value::Object(mut parameters) = parameters else {
        return Err(StateError::runtime(
            "lambda:invoke needs Parameters with FunctionName",
        ));
    };
    let function = match parameters.remove("FunctionName") {
        Some(Value::String(function)) => function,
        other => {
            return Err(StateError::runtime(format!(
                "lambda:invoke needs a FunctionName string, not {other:?}"
            )));
        }
    };
    let payload = parameters.remove("Payload").unwrap_or_else(|| json!({}));
    Ok((function, payload))
}

/// What `lambda:invoke` returns: the function's answer under `Payload`,
/// beside the Invoke API's response fields.
fn lambda_response(payload: Value) -> Value {
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "HttpHeaders": { "Content-Type": "application/json" },
            "HttpStatusCode": 200
        },
        "SdkResponseMetadata": { "RequestId": uuid::Uuid::new_v4().to_string() },
        "StatusCode": 200
    })
}

/// A function error through `lambda:invoke`: its `errorType` is the error
/// name and the cause is the function's whole error document.
fn lambda_error(failure: crate::invoker::TaskFailure) -> StateError {
    let cause = json!({
        "errorMessage": failure.cause,
        "errorType": failure.error,
        "trace": []
    })
    .to_string();
    StateError::from_task(crate::invoker::TaskFailure::new(failure.error, cause))
}
