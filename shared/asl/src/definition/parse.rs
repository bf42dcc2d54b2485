//! Parses one state of each supported type, taking exactly the fields the
//! States Language allows for that type.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::error::{LoadError, LoadProblem, item};
use super::fields::{Fields, invalid, parse_reference_path};
use super::iteration;
use super::recovery::{catchers, retriers};
use super::{
    Branch, Choice, ChoiceRule, Fail, Io, Pass, State, StateKind, Task, Transition, Wait, WaitFor,
};
use crate::choice::{Rule, timestamp};
use crate::dataflow::{ResultPath, Selector};
use crate::path::ReferencePath;
use crate::payload::{Expression, Template};
use crate::query::Query;

/// Says whether a Task `Resource` is mapped to code that runs it.
pub(crate) type Resolver<'a> = &'a dyn Fn(&str) -> bool;

/// The states of a machine, branch or item processor, with transitions
/// resolved and every state reachable from `start_at`.
pub(crate) fn branch(
    start_at: &str,
    definitions: &serde_json::Map<String, Value>,
    states_at: &str,
    resolver: Resolver<'_>,
) -> Result<Branch, LoadError> {
    if definitions.is_empty() {
        return Err(invalid(states_at, "expected at least one state"));
    }
    let names = Names::new(definitions.keys());
    let states = definitions
        .iter()
        .map(|(name, value)| state(name, value, super::child(states_at, name), &names, resolver))
        .collect::<Result<Vec<_>, _>>()?;
    let start_at_path = match states_at.strip_suffix("States") {
        Some(parent) => format!("{parent}StartAt"),
        None => states_at.to_owned(),
    };
    let start_at = names.resolve(start_at, &start_at_path)?;
    let branch = Branch { start_at, states };
    branch.check_reachable(states_at)?;
    Ok(branch)
}

/// State names and their indexes, for resolving transitions.
pub(crate) struct Names<'a> {
    index: HashMap<&'a str, usize>,
}

impl<'a> Names<'a> {
    pub(crate) fn new(names: impl Iterator<Item = &'a String>) -> Self {
        let index = names
            .enumerate()
            .map(|(i, name)| (name.as_str(), i))
            .collect();
        Self { index }
    }

    pub(crate) fn resolve(&self, name: &str, at: &str) -> Result<usize, LoadError> {
        self.index
            .get(name)
            .copied()
            .ok_or_else(|| LoadError::new(at, LoadProblem::UnknownState(name.to_owned())))
    }
}

pub(crate) fn state(
    name: &str,
    value: &Value,
    at: String,
    names: &Names<'_>,
    resolver: Resolver<'_>,
) -> Result<State, LoadError> {
    let mut fields = Fields::new(value, at)?;
    let kind_at = fields.at("Type");
    let kind = fields.required_string("Type")?;
    fields.string("Comment")?;
    query_language(&mut fields)?;
    let assign = match kind {
        "Succeed" | "Fail" => None,
        _ => template(&mut fields, "Assign")?,
    };
    let kind = match kind {
        "Task" => StateKind::Task(task(&mut fields, names, resolver)?),
        "Pass" => StateKind::Pass(pass(&mut fields, names)?),
        "Choice" => StateKind::Choice(choice(&mut fields, names)?),
        "Wait" => StateKind::Wait(wait(&mut fields, names)?),
        "Succeed" => StateKind::Succeed(io(&mut fields)?),
        "Fail" => StateKind::Fail(fail(&mut fields)?),
        "Parallel" => StateKind::Parallel(iteration::parallel(&mut fields, names, resolver)?),
        "Map" => StateKind::Map(iteration::map(&mut fields, names, resolver)?),
        other => {
            return Err(LoadError::new(
                kind_at,
                LoadProblem::UnsupportedStateType(other.to_owned()),
            ));
        }
    };
    fields.finish()?;
    Ok(State {
        name: name.into(),
        kind,
        assign,
    })
}

/// `TimeoutSeconds`, within the bounds Step Functions accepts.
pub(crate) fn timeout_seconds(fields: &mut Fields<'_>) -> Result<Option<Duration>, LoadError> {
    const MAX: u64 = 99_999_999;
    match fields.integer("TimeoutSeconds", 1)? {
        Some(seconds) if seconds > MAX => Err(invalid(
            &fields.at("TimeoutSeconds"),
            &format!("TimeoutSeconds may be at most {MAX}"),
        )),
        seconds => Ok(seconds.map(Duration::from_secs)),
    }
}

/// `QueryLanguage` may only restate the default, JSONPath.
pub(crate) fn query_language(fields: &mut Fields<'_>) -> Result<(), LoadError> {
    match fields.string("QueryLanguage")? {
        None | Some("JSONPath") => Ok(()),
        Some(other) => Err(LoadError::new(
            fields.at("QueryLanguage"),
            LoadProblem::UnsupportedQueryLanguage(other.to_owned()),
        )),
    }
}

fn task(
    fields: &mut Fields<'_>,
    names: &Names<'_>,
    resolver: Resolver<'_>,
) -> Result<Task, LoadError> {
    let resource = fields.required_string("Resource")?;
    let (base, wait_for_token) = match resource.strip_suffix(".waitForTaskToken") {
        Some(base) => (base, true),
        None => (resource, false),
    };
    let integration = integration(fields, base, wait_for_token, resolver)?;
    let retry = retriers(fields.take("Retry"), &fields.at("Retry"))?;
    let catch = catchers(fields.take("Catch"), &fields.at("Catch"), names)?;
    let timeout = timeout_seconds(fields)?;
    let heartbeat = fields
        .integer("HeartbeatSeconds", 1)?
        .map(Duration::from_secs);
    if let (Some(heartbeat), Some(timeout)) = (heartbeat, timeout)
        && heartbeat >= timeout
    {
        return Err(invalid(
            &fields.at("HeartbeatSeconds"),
            "HeartbeatSeconds must be smaller than TimeoutSeconds",
        ));
    }
    Ok(Task {
        io: io(fields)?,
        resource: base.into(),
        integration,
        wait_for_token,
        heartbeat,
        timeout,
        parameters: template(fields, "Parameters")?,
        result_selector: template(fields, "ResultSelector")?,
        result_path: result_path(fields)?,
        retry,
        catch,
        transition: transition(fields, names)?,
    })
}

const LAMBDA_INVOKE: &str = "arn:aws:states:::lambda:invoke";

/// Which integration a Task `Resource` asks for, refusing what does not run
/// here: the `.sync` pattern, a `.waitForTaskToken` whose Parameters never
/// pass `$$.Task.Token`, and resources nothing answers.
fn integration(
    fields: &Fields<'_>,
    base: &str,
    wait_for_token: bool,
    resolver: Resolver<'_>,
) -> Result<super::Integration, LoadError> {
    let at = fields.at("Resource");
    let refuse = |problem: &str| Err(invalid(&at, problem));
    if base.ends_with(".sync") || base.contains(".sync:") {
        return refuse(
            "the .sync integration pattern (run a job and wait for it) is not supported",
        );
    }
    let parameters = fields.peek("Parameters");
    if wait_for_token && !parameters.is_some_and(|p| p.to_string().contains("$$.Task.Token")) {
        return refuse("a .waitForTaskToken Task must pass $$.Task.Token in its Parameters");
    }
    if base == LAMBDA_INVOKE {
        let function = parameters.and_then(|p| p.get("FunctionName"));
        return match function {
            Some(Value::String(name)) if !resolver(name) => Err(LoadError::new(
                format!("{}.FunctionName", fields.at("Parameters")),
                LoadProblem::UnmappedResource(name.clone()),
            )),
            Some(_) => Ok(super::Integration::LambdaInvoke),
            None if parameters.is_some_and(|p| p.get("FunctionName.$").is_some()) => {
                Ok(super::Integration::LambdaInvoke)
            }
            None => refuse("arn:aws:states:::lambda:invoke needs Parameters.FunctionName"),
        };
    }
    if !resolver(base) {
        return Err(LoadError::new(
            at,
            LoadProblem::UnmappedResource(base.to_owned()),
        ));
    }
    Ok(super::Integration::Direct)
}

fn pass(fields: &mut Fields<'_>, names: &Names<'_>) -> Result<Pass, LoadError> {
    if fields.has("Result") && fields.has("Parameters") {
        return Err(invalid(
            fields.path(),
            "Parameters has no effect on a Pass state that has a Result",
        ));
    }
    Ok(Pass {
        io: io(fields)?,
        parameters: template(fields, "Parameters")?,
        result: fields.take("Result").cloned().map(Arc::new),
        result_path: result_path(fields)?,
        transition: transition(fields, names)?,
    })
}

fn choice(fields: &mut Fields<'_>, names: &Names<'_>) -> Result<Choice, LoadError> {
    let at = fields.at("Choices");
    let rules = match fields.required("Choices")? {
        Value::Array(rules) if !rules.is_empty() => rules,
        _ => return Err(invalid(&at, "expected a non-empty array of choice rules")),
    };
    let mut choices = Vec::with_capacity(rules.len());
    for (index, rule) in rules.iter().enumerate() {
        let mut rule_fields = Fields::new(rule, item(&at, index))?;
        let next_at = rule_fields.at("Next");
        let next = names.resolve(rule_fields.required_string("Next")?, &next_at)?;
        rule_fields.string("Comment")?;
        let assign = template(&mut rule_fields, "Assign")?;
        let rule = Rule::parse(&mut rule_fields)?;
        rule_fields.finish()?;
        choices.push(ChoiceRule { rule, next, assign });
    }
    let default_at = fields.at("Default");
    let default = fields
        .string("Default")?
        .map(|name| names.resolve(name, &default_at))
        .transpose()?;
    Ok(Choice {
        io: io(fields)?,
        choices,
        default,
    })
}

fn wait(fields: &mut Fields<'_>, names: &Names<'_>) -> Result<Wait, LoadError> {
    let given: Vec<&str> = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
        .into_iter()
        .filter(|key| fields.has(key))
        .collect();
    let until = match given[..] {
        ["Seconds"] => WaitFor::Seconds(fields.integer("Seconds", 0)?.unwrap_or(0)),
        ["Timestamp"] => {
            let at = fields.at("Timestamp");
            let text = fields.required_string("Timestamp")?;
            WaitFor::Timestamp(
                timestamp(text).ok_or_else(|| invalid(&at, "expected an RFC 3339 timestamp"))?,
            )
        }
        ["SecondsPath"] => WaitFor::SecondsPath(required_path(fields, "SecondsPath")?),
        ["TimestampPath"] => WaitFor::TimestampPath(required_path(fields, "TimestampPath")?),
        _ => {
            return Err(invalid(
                fields.path(),
                "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath",
            ));
        }
    };
    Ok(Wait {
        io: io(fields)?,
        until,
        transition: transition(fields, names)?,
    })
}

fn fail(fields: &mut Fields<'_>) -> Result<Fail, LoadError> {
    Ok(Fail {
        error: fail_text(fields, "Error", "ErrorPath")?,
        cause: fail_text(fields, "Cause", "CausePath")?,
    })
}

fn fail_text(
    fields: &mut Fields<'_>,
    key: &'static str,
    path_key: &'static str,
) -> Result<Option<Template>, LoadError> {
    if fields.has(key) && fields.has(path_key) {
        return Err(invalid(
            fields.path(),
            &format!("{key} and {path_key} exclude each other"),
        ));
    }
    if let Some(text) = fields.string(key)? {
        return Ok(Some(Template::Literal(text.into())));
    }
    let at = fields.at(path_key);
    fields
        .string(path_key)?
        .map(|text| Expression::compile(text, &at).map(Template::Expression))
        .transpose()
}

pub(crate) fn io(fields: &mut Fields<'_>) -> Result<Io, LoadError> {
    Ok(Io {
        input_path: selector(fields, "InputPath")?,
        output_path: selector(fields, "OutputPath")?,
    })
}

fn selector(fields: &mut Fields<'_>, key: &'static str) -> Result<Selector, LoadError> {
    match fields.take(key) {
        None => Ok(Selector::root()),
        Some(Value::Null) => Ok(Selector::Empty),
        Some(Value::String(text)) => parse_selector(text, &fields.at(key)),
        Some(_) => Err(invalid(
            &fields.at(key),
            "expected a reference path or null",
        )),
    }
}

/// A path that selects from the state's data (not `$$` nor a variable).
pub(crate) fn parse_selector(text: &str, at: &str) -> Result<Selector, LoadError> {
    let unsupported = |reason: String| {
        LoadError::new(
            at,
            LoadProblem::UnsupportedPath {
                path: text.to_owned(),
                reason,
            },
        )
    };
    match text.strip_prefix('$') {
        Some(rest) if !rest.starts_with(|c: char| c == '$' || c.is_alphanumeric() || c == '_') => {
            Query::parse_steps(rest)
                .map(|query| Selector::Path {
                    text: text.into(),
                    query,
                })
                .map_err(unsupported)
        }
        _ => Err(unsupported(
            "a path into the state's data starts with `$.` or `$[`, or is `$`".into(),
        )),
    }
}

pub(crate) fn result_path(fields: &mut Fields<'_>) -> Result<ResultPath, LoadError> {
    match fields.take("ResultPath") {
        None => Ok(ResultPath::Path(ReferencePath::root())),
        Some(Value::Null) => Ok(ResultPath::Discard),
        Some(Value::String(text)) => {
            parse_reference_path(text, &fields.at("ResultPath")).map(ResultPath::Path)
        }
        Some(_) => Err(invalid(
            &fields.at("ResultPath"),
            "expected a reference path or null",
        )),
    }
}

fn required_path(fields: &mut Fields<'_>, key: &'static str) -> Result<ReferencePath, LoadError> {
    let at = fields.at(key);
    parse_reference_path(fields.required_string(key)?, &at)
}

pub(crate) fn template(
    fields: &mut Fields<'_>,
    key: &'static str,
) -> Result<Option<Template>, LoadError> {
    let at = fields.at(key);
    fields
        .take(key)
        .map(|value| Template::compile(value, &at))
        .transpose()
}

pub(crate) fn transition(
    fields: &mut Fields<'_>,
    names: &Names<'_>,
) -> Result<Transition, LoadError> {
    let next_at = fields.at("Next");
    match (fields.string("Next")?, fields.boolean("End")?) {
        (Some(next), None) => names.resolve(next, &next_at).map(Transition::Next),
        (None, Some(true)) => Ok(Transition::End),
        (None, Some(false)) => Err(invalid(&fields.at("End"), "End, when given, must be true")),
        _ => Err(invalid(
            fields.path(),
            "exactly one of Next and End is required",
        )),
    }
}
