//! The states that need no task: Pass, Choice, Wait, Succeed and Fail.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use super::run::{Run, Step, assign};
use crate::choice::timestamp;
use crate::definition::{Choice, Fail, Io, Pass, Wait, WaitFor};
use crate::fault::StateError;
use crate::journal::Checkpoint;
use crate::payload::{Context, Template};

/// `Assign` of a Pass state sees its result as `$`.
pub(super) fn pass(
    pass: &Pass,
    assigns: &Option<Template>,
    input: Arc<Value>,
    ctx: &Context<'_>,
) -> Step {
    let output = || {
        let result = match (&pass.result, &pass.parameters) {
            (Some(result), _) => result.clone(),
            (None, Some(parameters)) => {
                let effective = pass.io.input_path.select(&input)?;
                Arc::new(parameters.render(&effective, ctx)?)
            }
            (None, None) => pass.io.input_path.select_shared(input.clone())?,
        };
        let assigned = assign(assigns, &result, ctx)?;
        let output = pass.result_path.apply(input, result)?;
        Ok((pass.io.output_path.select_shared(output)?, assigned))
    };
    match output() {
        Ok((output, assigned)) => Step::after(pass.transition, output, assigned),
        Err(error) => Step::failed(error),
    }
}

/// The matching rule's `Assign` (or the state's, when `Default` is taken)
/// sees the effective input as `$`.
pub(super) fn choice(
    choice: &Choice,
    assigns: &Option<Template>,
    input: Arc<Value>,
    ctx: &Context<'_>,
) -> Step {
    let decide = || {
        let effective = choice.io.input_path.select_shared(input)?;
        let mut next = choice.default.map(|index| (index, assigns));
        for rule in &choice.choices {
            if rule.rule.evaluate(&effective, ctx)? {
                next = Some((rule.next, &rule.assign));
                break;
            }
        }
        let (index, assigns) = next.ok_or_else(|| StateError::no_choice_matched(ctx.state))?;
        let assigned = assign(assigns, &effective, ctx)?;
        let output = choice.io.output_path.select_shared(effective)?;
        Ok(Step::Next {
            index,
            output,
            assigned,
        })
    };
    decide().unwrap_or_else(Step::failed)
}

pub(super) fn succeed(io: &Io, input: Arc<Value>) -> Step {
    io.input_path
        .select_shared(input)
        .and_then(|effective| io.output_path.select_shared(effective))
        .map_or_else(Step::failed, Step::Succeed)
}

pub(super) fn fail(fail: &Fail, input: &Value, ctx: &Context<'_>) -> Step {
    let text = |template: &Option<Template>| -> Result<Option<String>, StateError> {
        let Some(template) = template else {
            return Ok(None);
        };
        match template.render(input, ctx) {
            Ok(Value::String(text)) => Ok(Some(text)),
            Ok(other) => Err(StateError::runtime(format!(
                "a Fail state's ErrorPath and CausePath must give a string, not {other}"
            ))),
            Err(error) => Err(StateError::runtime(error.cause)),
        }
    };
    match (text(&fail.error), text(&fail.cause)) {
        (Ok(error), Ok(cause)) => Step::Fail { error, cause },
        (Err(error), _) | (_, Err(error)) => Step::failed(error),
    }
}

impl Run {
    pub(super) async fn wait(
        &self,
        wait: &Wait,
        assigns: &Option<Template>,
        checkpoint: &Checkpoint,
        ctx: &Context<'_>,
    ) -> Step {
        let effective = match wait.io.input_path.select_shared(checkpoint.input.clone()) {
            Ok(effective) => effective,
            Err(error) => return Step::failed(error),
        };
        // Counted from when the state was entered, so a resumed wait does
        // not start over.
        let due = match &wait.until {
            WaitFor::Seconds(seconds) => Some(later(checkpoint.entered_at, *seconds)),
            WaitFor::Timestamp(at) => Some(*at),
            WaitFor::SecondsPath(path) => path
                .select(&effective)
                .and_then(Value::as_u64)
                .map(|seconds| later(checkpoint.entered_at, seconds)),
            WaitFor::TimestampPath(path) => path
                .select(&effective)
                .and_then(Value::as_str)
                .and_then(timestamp),
        };
        let Some(due) = due else {
            return Step::failed(StateError::runtime(
                "a Wait state's SecondsPath must give a non-negative integer and its \
                 TimestampPath an RFC 3339 timestamp",
            ));
        };
        self.sleep_until(due).await;
        let assigned = match assign(assigns, &effective, ctx) {
            Ok(assigned) => assigned,
            Err(error) => return Step::failed(error),
        };
        match wait.io.output_path.select_shared(effective) {
            Ok(output) => Step::after(wait.transition, output, assigned),
            Err(error) => Step::failed(error),
        }
    }
}

fn later(at: DateTime<Utc>, seconds: u64) -> DateTime<Utc> {
    i64::try_from(seconds)
        .ok()
        .and_then(TimeDelta::try_seconds)
        .and_then(|delta| at.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}
