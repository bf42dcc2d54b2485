//! Parallel and inline Map states: their branches and item processors run
//! as sub-workflows inside the state, concurrently, with their own scope of
//! variables (the outer ones readable). A sub-workflow is not journaled on
//! its own: after a crash the whole Parallel or Map state runs again, as a
//! Task would.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures::StreamExt;
use serde_json::{Value, json};

use super::run::{Events, Run, Step};
use crate::context::Scope;
use crate::definition::iteration::Limit;
use crate::definition::{Branch, Concurrency, MapState, Parallel, Tolerance};
use crate::fault::StateError;
use crate::journal::{Checkpoint, EventDetail};
use crate::payload::Context;

/// A sub-workflow's output, or the error that ended it.
type Outcome = Result<Arc<Value>, StateError>;

impl Run {
    pub(super) async fn parallel(
        &self,
        parallel: &Parallel,
        input: &Value,
        ctx: &Context<'_>,
        scope: &Scope,
        events: &mut Events,
    ) -> Result<Arc<Value>, StateError> {
        let effective = parallel.io.input_path.select(input)?;
        let branch_input = Arc::new(match &parallel.parameters {
            Some(parameters) => parameters.render(&effective, ctx)?,
            None => effective.into_owned(),
        });
        events.push(self.event(EventDetail::ParallelStarted {
            branches: parallel.branches.len(),
        }));
        let runs = parallel.branches.iter().map(|branch| {
            let input = branch_input.clone();
            async move {
                let mut events = Events::new();
                let outcome = self
                    .sub_workflow(branch, input, scope.inner(), &mut events)
                    .await;
                (outcome, events)
            }
        });
        let mut outputs = Vec::with_capacity(parallel.branches.len());
        for (outcome, branch_events) in futures::future::join_all(runs).await {
            events.extend(branch_events);
            outputs.push(outcome?);
        }
        let result: Value = outputs.into_iter().map(Arc::unwrap_or_clone).collect();
        select_result(&parallel.recovery.result_selector, result, ctx)
    }

    pub(super) async fn map(
        &self,
        map: &MapState,
        input: &Value,
        ctx: &Context<'_>,
        scope: &Scope,
        events: &mut Events,
    ) -> Result<Arc<Value>, StateError> {
        let effective = map.io.input_path.select(input)?;
        let items = map.items_path.select(&effective)?;
        let Value::Array(items) = items.as_ref() else {
            return Err(StateError::runtime(format!(
                "Attempting to map over non-iterable node: the ItemsPath of a Map state must select an array, not {items}"
            )));
        };
        let limit = match &map.concurrency {
            Concurrency::Fixed(limit) => *limit,
            Concurrency::Path(path) => {
                path.select(&effective)
                    .and_then(Value::as_u64)
                    .ok_or_else(|| {
                        StateError::runtime(format!(
                            "the MaxConcurrencyPath {path} must select a non-negative integer"
                        ))
                    })?
            }
        };
        let limit = match usize::try_from(limit) {
            Ok(0) | Err(_) => items.len().max(1),
            Ok(limit) => limit,
        };
        let mut inputs = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let item_ctx = Context {
                map_item: Some((index, item)),
                ..*ctx
            };
            inputs.push(Arc::new(match &map.item_selector {
                Some(selector) => selector.render(&effective, &item_ctx)?,
                None => item.clone(),
            }));
        }
        events.push(self.event(EventDetail::MapStarted { items: items.len() }));
        let runs = inputs.into_iter().map(|input| async move {
            let mut events = Events::new();
            let outcome = self
                .sub_workflow(&map.processor, input, scope.inner(), &mut events)
                .await;
            (outcome, events)
        });
        let outcomes: Vec<(Outcome, Events)> =
            futures::stream::iter(runs).buffered(limit).collect().await;
        let mut outcomes_only = Vec::with_capacity(outcomes.len());
        for (outcome, item_events) in outcomes {
            events.extend(item_events);
            outcomes_only.push(outcome);
        }
        let result = tolerate(&map.tolerance, &effective, outcomes_only)?;
        select_result(&map.recovery.result_selector, result, ctx)
    }

    /// Runs a branch or item processor from its first state to its end.
    fn sub_workflow<'s>(
        &'s self,
        branch: &'s Branch,
        input: Arc<Value>,
        mut scope: Scope,
        events: &'s mut Events,
    ) -> Pin<Box<dyn Future<Output = Outcome> + Send + 's>> {
        Box::pin(async move {
            let mut index = branch.start_at;
            let mut input = input;
            loop {
                let state = &branch.states[index];
                let now = self.now();
                let checkpoint = Checkpoint {
                    state: state.name.clone(),
                    input: input.clone(),
                    entered_at: now,
                    retry_counts: vec![0; super::retrier_count(&state.kind)],
                    retry_at: None,
                    started_at: now,
                    deadline: None,
                    variables: Arc::default(),
                };
                events.push(super::run::entered(now, &checkpoint));
                let step = self
                    .step(branch, state, checkpoint, &scope, events, false)
                    .await
                    .map_err(|error| StateError::runtime(error.to_string()))?;
                match step {
                    Step::Next {
                        index: next,
                        output,
                        assigned,
                    } => {
                        scope.assign(assigned.unwrap_or_default());
                        events.push(self.event(EventDetail::StateExited {
                            state: state.name.clone(),
                            output: output.clone(),
                        }));
                        index = next;
                        input = output;
                    }
                    Step::Succeed(output) => {
                        events.push(self.event(EventDetail::StateExited {
                            state: state.name.clone(),
                            output: output.clone(),
                        }));
                        return Ok(output);
                    }
                    Step::Fail { error, cause } => {
                        return Err(StateError::new_named(
                            error.unwrap_or_default(),
                            cause.unwrap_or_default(),
                        ));
                    }
                    Step::Error(error) => return Err(error),
                }
            }
        })
    }
}

fn select_result(
    selector: &Option<crate::payload::Template>,
    result: Value,
    ctx: &Context<'_>,
) -> Result<Arc<Value>, StateError> {
    match selector {
        Some(selector) => selector.render(&result, ctx).map(Arc::new),
        None => Ok(Arc::new(result)),
    }
}

/// The Map's result: every item's output. Without a tolerance the first
/// failed item fails the state with its error; with one, failed items stand
/// as their `{Error, Cause}` until there are more than tolerated.
fn tolerate(
    tolerance: &Tolerance,
    effective: &Value,
    outcomes: Vec<Outcome>,
) -> Result<Value, StateError> {
    let total = outcomes.len();
    let failed = outcomes.iter().filter(|outcome| outcome.is_err()).count();
    if failed == 0 {
        return Ok(outcomes
            .into_iter()
            .flatten()
            .map(Arc::unwrap_or_clone)
            .collect());
    }
    let limit = |limit: &Option<Limit>| -> Result<Option<f64>, StateError> {
        match limit {
            None => Ok(None),
            Some(Limit::Fixed(value)) => Ok(Some(*value)),
            Some(Limit::Path(path)) => path
                .select(effective)
                .and_then(Value::as_f64)
                .map(Some)
                .ok_or_else(|| {
                    StateError::runtime(format!(
                        "the tolerated failure path {path} must select a number"
                    ))
                }),
        }
    };
    let count = limit(&tolerance.count)?;
    let percentage = limit(&tolerance.percentage)?;
    if count.is_none() && percentage.is_none() {
        let first = outcomes.into_iter().find_map(Result::err);
        return Err(first.unwrap_or_else(|| StateError::runtime("an item failed")));
    }
    let within_count = count.is_some_and(|count| failed as f64 <= count);
    let within_percentage =
        percentage.is_some_and(|percentage| failed as f64 * 100.0 / total as f64 <= percentage);
    if !(within_count || within_percentage) {
        return Err(StateError::new_named(
            "States.ExceedToleratedFailureThreshold",
            "The specified tolerated failure threshold was exceeded",
        ));
    }
    Ok(outcomes
        .into_iter()
        .map(|outcome| match outcome {
            Ok(output) => Arc::unwrap_or_clone(output),
            Err(error) => json!({ "Error": error.name, "Cause": error.cause }),
        })
        .collect())
}
