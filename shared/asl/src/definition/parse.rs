//! Parses one state of each supported type, taking exactly the fields the
//! States Language allows for that type.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::error::{LoadError, LoadProblem, item};
use super::fields::{Fields, invalid, parse_reference_path};
use super::recovery::{catchers, retriers};
use super::{Choice, Fail, Io, Pass, State, StateKind, Task, Transition, Wait, WaitFor};
use crate::choice::{Rule, timestamp};
use crate::dataflow::{ResultPath, Selector};
use crate::path::ReferencePath;
use crate::payload::{Expression, Template};

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
    resolver: &dyn Fn(&str) -> bool,
) -> Result<State, LoadError> {
    let mut fields = Fields::new(value, at)?;
    let kind_at = fields.at("Type");
    let kind = fields.required_string("Type")?;
    fields.string("Comment")?;
    query_language(&mut fields)?;
    let kind = match kind {
        "Task" => StateKind::Task(task(&mut fields, names, resolver)?),
        "Pass" => StateKind::Pass(pass(&mut fields, names)?),
        "Choice" => StateKind::Choice(choice(&mut fields, names)?),
        "Wait" => StateKind::Wait(wait(&mut fields, names)?),
        "Succeed" => StateKind::Succeed(io(&mut fields)?),
        "Fail" => StateKind::Fail(fail(&mut fields)?),
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
    resolver: &dyn Fn(&str) -> bool,
) -> Result<Task, LoadError> {
    let resource = fields.required_string("Resource")?;
    if !resolver(resource) {
        return Err(LoadError::new(
            fields.at("Resource"),
            LoadProblem::UnmappedResource(resource.to_owned()),
        ));
    }
    let retry = retriers(fields.take("Retry"), &fields.at("Retry"))?;
    let catch = catchers(fields.take("Catch"), &fields.at("Catch"), names)?;
    Ok(Task {
        io: io(fields)?,
        resource: resource.into(),
        parameters: template(fields, "Parameters")?,
        result_selector: template(fields, "ResultSelector")?,
        result_path: result_path(fields)?,
        retry,
        catch,
        timeout: timeout_seconds(fields)?,
        transition: transition(fields, names)?,
    })
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
        let rule = Rule::parse(&mut rule_fields)?;
        rule_fields.finish()?;
        choices.push((rule, next));
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

fn io(fields: &mut Fields<'_>) -> Result<Io, LoadError> {
    Ok(Io {
        input_path: selector(fields, "InputPath")?,
        output_path: selector(fields, "OutputPath")?,
    })
}

fn selector(fields: &mut Fields<'_>, key: &'static str) -> Result<Selector, LoadError> {
    match fields.take(key) {
        None => Ok(Selector::Path(ReferencePath::root())),
        Some(Value::Null) => Ok(Selector::Empty),
        Some(Value::String(text)) => {
            parse_reference_path(text, &fields.at(key)).map(Selector::Path)
        }
        Some(_) => Err(invalid(
            &fields.at(key),
            "expected a reference path or null",
        )),
    }
}

pub(crate) fn result_path(fields: &mut Fields<'_>) -> Result<ResultPath, LoadError> {
    match selector(fields, "ResultPath")? {
        Selector::Path(path) => Ok(ResultPath::Path(path)),
        Selector::Empty => Ok(ResultPath::Discard),
    }
}

fn required_path(fields: &mut Fields<'_>, key: &'static str) -> Result<ReferencePath, LoadError> {
    let at = fields.at(key);
    parse_reference_path(fields.required_string(key)?, &at)
}

fn template(fields: &mut Fields<'_>, key: &'static str) -> Result<Option<Template>, LoadError> {
    let at = fields.at(key);
    fields
        .take(key)
        .map(|value| Template::compile(value, &at))
        .transpose()
}

fn transition(fields: &mut Fields<'_>, names: &Names<'_>) -> Result<Transition, LoadError> {
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
