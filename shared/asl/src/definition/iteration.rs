//! Parallel and inline Map states: sub-workflows run over the state's input
//! (each branch) or over each item of an array (the item processor).

use serde_json::Value;

use super::error::{LoadError, LoadProblem, item};
use super::fields::{Fields, invalid, parse_reference_path};
use super::parse::{self, Names, Resolver};
use super::recovery::{Catcher, Retrier, catchers, retriers};
use super::{Branch, Io, Transition};
use crate::dataflow::{ResultPath, Selector};
use crate::path::ReferencePath;
use crate::payload::Template;

/// What Task, Parallel and Map share after their work is done: the result's
/// shaping and placement, and recovery from errors.
#[derive(Debug)]
pub(crate) struct Recovery {
    pub(crate) result_selector: Option<Template>,
    pub(crate) result_path: ResultPath,
    pub(crate) retry: Vec<Retrier>,
    pub(crate) catch: Vec<Catcher>,
    pub(crate) transition: Transition,
}

#[derive(Debug)]
pub(crate) struct Parallel {
    pub(crate) io: Io,
    pub(crate) parameters: Option<Template>,
    pub(crate) branches: Vec<Branch>,
    pub(crate) recovery: Recovery,
}

#[derive(Debug)]
pub(crate) struct MapState {
    pub(crate) io: Io,
    pub(crate) items_path: Selector,
    /// `ItemSelector` (or the legacy `Parameters`): each item's input.
    pub(crate) item_selector: Option<Template>,
    /// `ItemProcessor` (or the legacy `Iterator`).
    pub(crate) processor: Branch,
    pub(crate) concurrency: Concurrency,
    pub(crate) tolerance: Tolerance,
    pub(crate) recovery: Recovery,
}

/// How many items run at once; 0 means no limit.
#[derive(Debug)]
pub(crate) enum Concurrency {
    Fixed(u64),
    Path(ReferencePath),
}

/// How many failed items the Map state tolerates before it fails.
#[derive(Debug, Default)]
pub(crate) struct Tolerance {
    pub(crate) count: Option<Limit>,
    pub(crate) percentage: Option<Limit>,
}

#[derive(Debug)]
pub(crate) enum Limit {
    Fixed(f64),
    Path(ReferencePath),
}

pub(super) fn parallel(
    fields: &mut Fields<'_>,
    names: &Names<'_>,
    resolver: Resolver<'_>,
) -> Result<Parallel, LoadError> {
    let at = fields.at("Branches");
    let branches = match fields.required("Branches")? {
        Value::Array(branches) if !branches.is_empty() => branches,
        _ => return Err(invalid(&at, "expected a non-empty array of branches")),
    };
    let branches = branches
        .iter()
        .enumerate()
        .map(|(index, value)| sub_workflow(value, item(&at, index), resolver, false))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Parallel {
        io: parse::io(fields)?,
        parameters: parse::template(fields, "Parameters")?,
        branches,
        recovery: recovery(fields, names)?,
    })
}

pub(super) fn map(
    fields: &mut Fields<'_>,
    names: &Names<'_>,
    resolver: Resolver<'_>,
) -> Result<MapState, LoadError> {
    let processor = match (fields.has("ItemProcessor"), fields.has("Iterator")) {
        (true, false) => "ItemProcessor",
        (false, true) => "Iterator",
        _ => {
            return Err(invalid(
                fields.path(),
                "a Map state needs one of ItemProcessor and Iterator",
            ));
        }
    };
    let processor_at = fields.at(processor);
    let processor = sub_workflow(fields.required(processor)?, processor_at, resolver, true)?;
    let item_selector = match (fields.has("ItemSelector"), fields.has("Parameters")) {
        (true, true) => {
            return Err(invalid(
                fields.path(),
                "ItemSelector and Parameters exclude each other",
            ));
        }
        (_, true) => parse::template(fields, "Parameters")?,
        _ => parse::template(fields, "ItemSelector")?,
    };
    let items_path = match fields.string("ItemsPath")? {
        None => Selector::root(),
        Some(text) => parse::parse_selector(text, &fields.at("ItemsPath"))?,
    };
    let concurrency = match (
        fields.has("MaxConcurrency"),
        fields.has("MaxConcurrencyPath"),
    ) {
        (true, true) => {
            return Err(invalid(
                fields.path(),
                "MaxConcurrency and MaxConcurrencyPath exclude each other",
            ));
        }
        (_, true) => Concurrency::Path(path(fields, "MaxConcurrencyPath")?),
        _ => Concurrency::Fixed(fields.integer("MaxConcurrency", 0)?.unwrap_or(0)),
    };
    let tolerance = Tolerance {
        count: limit(
            fields,
            "ToleratedFailureCount",
            "ToleratedFailureCountPath",
            f64::MAX,
        )?,
        percentage: limit(
            fields,
            "ToleratedFailurePercentage",
            "ToleratedFailurePercentagePath",
            100.0,
        )?,
    };
    Ok(MapState {
        io: parse::io(fields)?,
        items_path,
        item_selector,
        processor,
        concurrency,
        tolerance,
        recovery: recovery(fields, names)?,
    })
}

fn path(fields: &mut Fields<'_>, key: &'static str) -> Result<ReferencePath, LoadError> {
    let at = fields.at(key);
    parse_reference_path(fields.required_string(key)?, &at)
}

fn limit(
    fields: &mut Fields<'_>,
    key: &'static str,
    path_key: &'static str,
    max: f64,
) -> Result<Option<Limit>, LoadError> {
    if fields.has(key) && fields.has(path_key) {
        return Err(invalid(
            fields.path(),
            &format!("{key} and {path_key} exclude each other"),
        ));
    }
    if fields.has(path_key) {
        return path(fields, path_key).map(|path| Some(Limit::Path(path)));
    }
    match fields.number(key)? {
        Some(value) if !(0.0..=max).contains(&value) => Err(invalid(
            &fields.at(key),
            &format!("expected a number from 0 to {max}"),
        )),
        value => Ok(value.map(Limit::Fixed)),
    }
}

pub(super) fn recovery(fields: &mut Fields<'_>, names: &Names<'_>) -> Result<Recovery, LoadError> {
    let retry = retriers(fields.take("Retry"), &fields.at("Retry"))?;
    let catch = catchers(fields.take("Catch"), &fields.at("Catch"), names)?;
    Ok(Recovery {
        result_selector: parse::template(fields, "ResultSelector")?,
        result_path: parse::result_path(fields)?,
        retry,
        catch,
        transition: parse::transition(fields, names)?,
    })
}

/// A branch or item processor: `StartAt` and `States`, and for a Map its
/// `ProcessorConfig`, of which only the inline mode is supported.
fn sub_workflow(
    value: &Value,
    at: String,
    resolver: Resolver<'_>,
    is_map: bool,
) -> Result<Branch, LoadError> {
    let mut fields = Fields::new(value, at)?;
    fields.string("Comment")?;
    if is_map && let Some(config) = fields.take("ProcessorConfig") {
        let mut config = Fields::new(config, fields.at("ProcessorConfig"))?;
        match config.string("Mode")? {
            None | Some("INLINE") => {}
            Some(mode) => {
                return Err(LoadError::new(
                    config.at("Mode"),
                    LoadProblem::InvalidValue(format!(
                        "Map mode {mode:?} is not supported: only INLINE Map states run locally"
                    )),
                ));
            }
        }
        config.finish()?;
    }
    let start_at = fields.required_string("StartAt")?;
    let states_at = fields.at("States");
    let Value::Object(definitions) = fields.required("States")? else {
        return Err(invalid(&states_at, "expected an object of states"));
    };
    fields.finish()?;
    parse::branch(start_at, definitions, &states_at, resolver)
}
