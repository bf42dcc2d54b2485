//! `Retry` and `Catch`: which errors a Task recovers from, and how.

use std::time::Duration;

use serde_json::Value;

use super::error::{LoadError, LoadProblem, item};
use super::fields::{Fields, invalid};
use super::parse::{Names, result_path, template};
use crate::dataflow::ResultPath;
use crate::fault::{ALL, PREDEFINED, StateError};
use crate::payload::Template;

const YEAR_SECONDS: f64 = 365.0 * 24.0 * 3600.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Jitter {
    Full,
    None,
}

#[derive(Debug, Clone)]
pub(crate) struct Retrier {
    errors: Vec<String>,
    interval_seconds: f64,
    pub(crate) max_attempts: u32,
    backoff_rate: f64,
    max_delay_seconds: Option<f64>,
    jitter: Jitter,
}

impl Retrier {
    pub(crate) fn matches(&self, error: &StateError) -> bool {
        self.errors.iter().any(|name| error.matches(name))
    }

    /// The wait before the retry that follows `retries_done` earlier ones:
    /// `IntervalSeconds × BackoffRate^retries_done`, capped by
    /// `MaxDelaySeconds`, then drawn from `[0, delay]` under FULL jitter.
    pub(crate) fn delay(&self, retries_done: u32) -> Duration {
        let exponent = i32::try_from(retries_done).unwrap_or(i32::MAX);
        let mut seconds = self.interval_seconds * self.backoff_rate.powi(exponent);
        if let Some(cap) = self.max_delay_seconds {
            seconds = seconds.min(cap);
        }
        // No execution lasts longer than a year, so neither need a delay.
        seconds = seconds.min(YEAR_SECONDS);
        if self.jitter == Jitter::Full {
            seconds *= rand::random::<f64>();
        }
        Duration::from_millis((seconds * 1000.0).round() as u64)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Catcher {
    errors: Vec<String>,
    pub(crate) next: usize,
    pub(crate) result_path: ResultPath,
    /// Variables set from the error output (`$`) when the catcher is taken.
    pub(crate) assign: Option<Template>,
}

impl Catcher {
    pub(crate) fn matches(&self, error: &StateError) -> bool {
        self.errors.iter().any(|name| error.matches(name))
    }
}

pub(crate) fn retriers(value: Option<&Value>, at: &str) -> Result<Vec<Retrier>, LoadError> {
    entries(value, at, |fields| {
        let errors = error_equals(fields)?;
        let interval_seconds = fields.integer("IntervalSeconds", 1)?.unwrap_or(1) as f64;
        let max_attempts = fields.integer("MaxAttempts", 0)?.unwrap_or(3);
        let max_attempts = u32::try_from(max_attempts)
            .map_err(|_| invalid(&fields.at("MaxAttempts"), "MaxAttempts is too large"))?;
        let backoff_rate = fields.number("BackoffRate")?.unwrap_or(2.0);
        if backoff_rate < 1.0 {
            return Err(invalid(
                &fields.at("BackoffRate"),
                "BackoffRate must be at least 1.0",
            ));
        }
        let max_delay_seconds = fields.integer("MaxDelaySeconds", 1)?.map(|s| s as f64);
        let jitter = match fields.string("JitterStrategy")? {
            None | Some("NONE") => Jitter::None,
            Some("FULL") => Jitter::Full,
            Some(_) => {
                return Err(invalid(
                    &fields.at("JitterStrategy"),
                    "expected \"FULL\" or \"NONE\"",
                ));
            }
        };
        Ok(Retrier {
            errors,
            interval_seconds,
            max_attempts,
            backoff_rate,
            max_delay_seconds,
            jitter,
        })
    })
}

pub(crate) fn catchers(
    value: Option<&Value>,
    at: &str,
    names: &Names,
) -> Result<Vec<Catcher>, LoadError> {
    entries(value, at, |fields| {
        let errors = error_equals(fields)?;
        let next = names.resolve(fields.required_string("Next")?, &fields.at("Next"))?;
        let result_path = result_path(fields)?;
        let assign = template(fields, "Assign")?;
        Ok(Catcher {
            errors,
            next,
            result_path,
            assign,
        })
    })
}

/// Parses each entry of a `Retry` or `Catch` array and checks that
/// `States.ALL` stands alone in the last one.
fn entries<T>(
    value: Option<&Value>,
    at: &str,
    mut parse: impl FnMut(&mut Fields<'_>) -> Result<T, LoadError>,
) -> Result<Vec<T>, LoadError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let Value::Array(entries) = value else {
        return Err(invalid(at, "expected an array"));
    };
    let mut parsed = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let entry_at = item(at, index);
        let mut fields = Fields::new(entry, entry_at.clone())?;
        let names = fields.peek("ErrorEquals").and_then(Value::as_array);
        if let Some(names) = names.filter(|names| names.iter().any(|n| n.as_str() == Some(ALL)))
            && (names.len() != 1 || index + 1 != entries.len())
        {
            return Err(LoadError::new(
                format!("{entry_at}.ErrorEquals"),
                LoadProblem::MisplacedStatesAll,
            ));
        }
        parsed.push(parse(&mut fields)?);
        fields.finish()?;
    }
    Ok(parsed)
}

fn error_equals(fields: &mut Fields<'_>) -> Result<Vec<String>, LoadError> {
    let at = fields.at("ErrorEquals");
    let Value::Array(names) = fields.required("ErrorEquals")? else {
        return Err(invalid(&at, "expected an array of error names"));
    };
    if names.is_empty() {
        return Err(invalid(&at, "expected at least one error name"));
    }
    names
        .iter()
        .enumerate()
        .map(|(index, name)| match name.as_str() {
            Some(name) if name.starts_with("States.") && !PREDEFINED.contains(&name) => {
                Err(invalid(
                    &item(&at, index),
                    &format!("{name:?} is not a predefined error name"),
                ))
            }
            Some(name) if !name.is_empty() => Ok(name.to_owned()),
            _ => Err(invalid(
                &item(&at, index),
                "error names are non-empty strings",
            )),
        })
        .collect()
}
