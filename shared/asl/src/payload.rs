//! Payload templates (`Parameters`, `ResultSelector`): JSON whose `key.$`
//! fields take their value from the state's data, the context object or an
//! intrinsic function. Templates are compiled once when the definition loads;
//! at run time they only copy values.

use std::borrow::Cow;
use std::fmt;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use crate::definition::error::{LoadError, LoadProblem, child, item};
use crate::fault::StateError;
use crate::intrinsic::Call;
use crate::path::ReferencePath;

/// The context object (`$$`) as seen by one state.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Context<'a> {
    pub(crate) state_machine: &'a str,
    pub(crate) execution: &'a str,
    pub(crate) started_at: DateTime<Utc>,
    pub(crate) state: &'a str,
    pub(crate) entered_at: DateTime<Utc>,
    pub(crate) retry_count: u32,
}

/// The ARNs that `$$.Execution.Id` and `$$.StateMachine.Id` report locally.
pub(crate) fn state_machine_arn(state_machine: &str) -> String {
    format!("arn:aws:states:local:000000000000:stateMachine:{state_machine}")
}

pub(crate) fn execution_arn(state_machine: &str, execution: &str) -> String {
    format!("arn:aws:states:local:000000000000:execution:{state_machine}:{execution}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContextField {
    ExecutionId,
    ExecutionName,
    ExecutionStartTime,
    StateName,
    StateEnteredTime,
    StateRetryCount,
    StateMachineId,
    StateMachineName,
}

/// Where a value comes from: the state's data (`$…`) or the context (`$$…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    Data(ReferencePath),
    Context(ContextField),
}

impl Source {
    pub(crate) fn parse(text: &str) -> Result<Self, LoadProblem> {
        let unsupported = |reason: String| LoadProblem::UnsupportedPath {
            path: text.to_owned(),
            reason,
        };
        let Some(rest) = text.strip_prefix("$$") else {
            return ReferencePath::parse(text)
                .map(Source::Data)
                .map_err(unsupported);
        };
        let path = ReferencePath::parse_segments(text, rest).map_err(unsupported)?;
        let field = match path.field_names().as_deref() {
            Some(["Execution", "Id"]) => ContextField::ExecutionId,
            Some(["Execution", "Name"]) => ContextField::ExecutionName,
            Some(["Execution", "StartTime"]) => ContextField::ExecutionStartTime,
            Some(["State", "Name"]) => ContextField::StateName,
            Some(["State", "EnteredTime"]) => ContextField::StateEnteredTime,
            Some(["State", "RetryCount"]) => ContextField::StateRetryCount,
            Some(["StateMachine", "Id"]) => ContextField::StateMachineId,
            Some(["StateMachine", "Name"]) => ContextField::StateMachineName,
            _ => return Err(unsupported("not a supported context object field".into())),
        };
        Ok(Source::Context(field))
    }

    pub(crate) fn resolve<'v>(&self, data: &'v Value, ctx: &Context<'_>) -> Option<Cow<'v, Value>> {
        let field = match self {
            Source::Data(path) => return path.select(data).map(Cow::Borrowed),
            Source::Context(field) => field,
        };
        let value = match field {
            ContextField::ExecutionId => execution_arn(ctx.state_machine, ctx.execution).into(),
            ContextField::ExecutionName => ctx.execution.into(),
            ContextField::ExecutionStartTime => timestamp(ctx.started_at),
            ContextField::StateName => ctx.state.into(),
            ContextField::StateEnteredTime => timestamp(ctx.entered_at),
            ContextField::StateRetryCount => ctx.retry_count.into(),
            ContextField::StateMachineId => state_machine_arn(ctx.state_machine).into(),
            ContextField::StateMachineName => ctx.state_machine.into(),
        };
        Some(Cow::Owned(value))
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Data(path) => path.fmt(f),
            Source::Context(field) => write!(f, "$${field:?}"),
        }
    }
}

fn timestamp(at: DateTime<Utc>) -> Value {
    at.to_rfc3339_opts(SecondsFormat::Millis, true).into()
}

/// The value of a `key.$` field: a path or an intrinsic function call.
#[derive(Debug, Clone)]
pub(crate) enum Expression {
    Source(Source),
    Call(Call),
}

impl Expression {
    pub(crate) fn compile(text: &str, at: &str) -> Result<Self, LoadError> {
        let compiled = if text.starts_with("States.") {
            Call::parse(text).map(Expression::Call)
        } else if text.starts_with('$') {
            Source::parse(text).map(Expression::Source)
        } else {
            Err(LoadProblem::InvalidValue(format!(
                "{text:?} is neither a path nor an intrinsic function"
            )))
        };
        compiled.map_err(|problem| LoadError::new(at, problem))
    }

    pub(crate) fn evaluate<'v>(
        &self,
        data: &'v Value,
        ctx: &Context<'_>,
    ) -> Result<Cow<'v, Value>, StateError> {
        match self {
            Expression::Source(source) => source.resolve(data, ctx).ok_or_else(|| {
                StateError::parameter_path(format!("the path {source} was not found in {data}"))
            }),
            Expression::Call(call) => call.evaluate(data, ctx).map(Cow::Owned),
        }
    }
}

/// A compiled `Parameters` or `ResultSelector`.
#[derive(Debug, Clone)]
pub(crate) enum Template {
    Literal(Value),
    Object(Vec<(String, Template)>),
    Array(Vec<Template>),
    Expression(Expression),
}

impl Template {
    pub(crate) fn compile(value: &Value, at: &str) -> Result<Self, LoadError> {
        let template = match value {
            Value::Object(map) => {
                let mut fields: Vec<(String, Template)> = Vec::with_capacity(map.len());
                for (key, field) in map {
                    let field_at = child(at, key);
                    let (name, template) = match key.strip_suffix(".$") {
                        Some(name) => match field {
                            Value::String(text) => (
                                name,
                                Template::Expression(Expression::compile(text, &field_at)?),
                            ),
                            _ => return Err(invalid(&field_at, "a `.$` field needs a string")),
                        },
                        None => (key.as_str(), Template::compile(field, &field_at)?),
                    };
                    if fields.iter().any(|(existing, _)| existing == name) {
                        return Err(invalid(&field_at, "the field is given twice"));
                    }
                    fields.push((name.to_owned(), template));
                }
                Template::Object(fields)
            }
            Value::Array(items) => Template::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(index, value)| Template::compile(value, &item(at, index)))
                    .collect::<Result<_, _>>()?,
            ),
            literal => return Ok(Template::Literal(literal.clone())),
        };
        Ok(template.folded())
    }

    /// A subtree without any dynamic field becomes one literal to clone.
    fn folded(self) -> Self {
        match self {
            Template::Object(fields) if fields.iter().all(|(_, t)| t.literal().is_some()) => {
                let map = fields
                    .into_iter()
                    .filter_map(|(name, t)| t.into_literal().map(|value| (name, value)))
                    .collect::<Map<_, _>>();
                Template::Literal(Value::Object(map))
            }
            Template::Array(items) if items.iter().all(|t| t.literal().is_some()) => {
                Template::Literal(
                    items
                        .into_iter()
                        .filter_map(Template::into_literal)
                        .collect(),
                )
            }
            other => other,
        }
    }

    fn literal(&self) -> Option<&Value> {
        match self {
            Template::Literal(value) => Some(value),
            _ => None,
        }
    }

    fn into_literal(self) -> Option<Value> {
        match self {
            Template::Literal(value) => Some(value),
            _ => None,
        }
    }

    pub(crate) fn render(&self, data: &Value, ctx: &Context<'_>) -> Result<Value, StateError> {
        match self {
            Template::Literal(value) => Ok(value.clone()),
            Template::Object(fields) => fields
                .iter()
                .map(|(name, t)| Ok((name.clone(), t.render(data, ctx)?)))
                .collect::<Result<Map<_, _>, _>>()
                .map(Value::Object),
            Template::Array(items) => items.iter().map(|t| t.render(data, ctx)).collect(),
            Template::Expression(expression) => expression.evaluate(data, ctx).map(Cow::into_owned),
        }
    }
}

fn invalid(at: &str, problem: &str) -> LoadError {
    LoadError::new(at, LoadProblem::InvalidValue(problem.to_owned()))
}
