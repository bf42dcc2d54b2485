//! Choice rules: comparisons of a `Variable` against a literal or another
//! path, combined with `And`, `Or` and `Not`.

mod compare;

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::Value;

use crate::definition::error::{LoadError, LoadProblem, item};
use crate::definition::fields::{Fields, invalid};
use crate::fault::StateError;
use crate::payload::{Context, Source};
pub(crate) use compare::timestamp;
use compare::{Glob, compare, glob, matches};

#[derive(Debug, Clone)]
pub(crate) enum Rule {
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
    Compare { variable: Source, test: Test },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    String,
    Numeric,
    Timestamp,
}

#[derive(Debug, Clone)]
pub(crate) enum Test {
    IsPresent(bool),
    IsNull(bool),
    IsString(bool),
    IsNumeric(bool),
    IsBoolean(bool),
    IsTimestamp(bool),
    Matches(Vec<Glob>),
    BooleanEquals(Operand),
    Order {
        kind: Kind,
        accept: Accept,
        operand: Operand,
    },
}

#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Literal(Value),
    Path(Source),
}

/// Which results of comparing the variable with the operand pass a test.
type Accept = fn(Ordering) -> bool;

const ORDERS: [(&str, Accept); 5] = [
    ("Equals", Ordering::is_eq),
    ("LessThan", Ordering::is_lt),
    ("GreaterThan", Ordering::is_gt),
    ("LessThanEquals", Ordering::is_le),
    ("GreaterThanEquals", Ordering::is_ge),
];

impl Rule {
    /// Parses the rule in `fields`; the caller takes `Next` and `Comment`
    /// of a top-level rule first and finishes `fields` afterwards.
    pub(crate) fn parse(fields: &mut Fields<'_>) -> Result<Self, LoadError> {
        let combine_and: fn(Vec<Rule>) -> Rule = Rule::And;
        for (key, combine) in [("And", combine_and), ("Or", Rule::Or)] {
            if let Some(value) = fields.take(key) {
                let at = fields.at(key);
                let rules = match value {
                    Value::Array(rules) if !rules.is_empty() => rules,
                    _ => return Err(invalid(&at, "expected a non-empty array of choice rules")),
                };
                return rules
                    .iter()
                    .enumerate()
                    .map(|(index, rule)| Rule::parse_nested(rule, item(&at, index)))
                    .collect::<Result<_, _>>()
                    .map(combine);
            }
        }
        if let Some(rule) = fields.take("Not") {
            return Ok(Rule::Not(Box::new(Rule::parse_nested(
                rule,
                fields.at("Not"),
            )?)));
        }
        let variable_at = fields.at("Variable");
        let variable = Source::parse(fields.required_string("Variable")?)
            .map_err(|problem| LoadError::new(&variable_at, problem))?;
        let operators: Vec<&str> = fields.untaken().collect();
        if let Some(unknown) = operators.iter().find(|name| !is_operator(name)) {
            return Err(LoadError::new(
                fields.path(),
                LoadProblem::UnknownField((*unknown).to_owned()),
            ));
        }
        let [operator] = operators[..] else {
            return Err(invalid(
                fields.path(),
                &format!("expected one comparison operator beside Variable, found {operators:?}"),
            ));
        };
        let at = fields.at(operator);
        let value = fields
            .take(operator)
            .ok_or_else(|| invalid(&at, "missing comparison value"))?;
        let test = parse_test(operator, value, &at)?;
        Ok(Rule::Compare { variable, test })
    }

    fn parse_nested(value: &Value, at: String) -> Result<Self, LoadError> {
        let mut fields = Fields::new(value, at)?;
        let rule = Rule::parse(&mut fields)?;
        fields.finish()?;
        Ok(rule)
    }

    pub(crate) fn evaluate(&self, data: &Value, ctx: &Context<'_>) -> Result<bool, StateError> {
        match self {
            Rule::And(rules) => {
                for rule in rules {
                    if !rule.evaluate(data, ctx)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Rule::Or(rules) => {
                for rule in rules {
                    if rule.evaluate(data, ctx)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Rule::Not(rule) => rule.evaluate(data, ctx).map(|matched| !matched),
            Rule::Compare { variable, test } => {
                let value = variable.resolve(data, ctx);
                if let Test::IsPresent(expected) = test {
                    return Ok(value.is_some() == *expected);
                }
                let value = value.ok_or_else(|| missing(variable))?;
                test.holds(&value, data, ctx)
            }
        }
    }
}

fn missing(source: &Source) -> StateError {
    StateError::runtime(format!(
        "Invalid path '{source}': the choice state's condition path references an invalid value"
    ))
}

fn parse_test(operator: &str, value: &Value, at: &str) -> Result<Test, LoadError> {
    let flag = || {
        value
            .as_bool()
            .ok_or_else(|| invalid(at, "expected true or false"))
    };
    let test = match operator {
        "IsPresent" => Test::IsPresent(flag()?),
        "IsNull" => Test::IsNull(flag()?),
        "IsString" => Test::IsString(flag()?),
        "IsNumeric" => Test::IsNumeric(flag()?),
        "IsBoolean" => Test::IsBoolean(flag()?),
        "IsTimestamp" => Test::IsTimestamp(flag()?),
        "StringMatches" => Test::Matches(glob(
            value
                .as_str()
                .ok_or_else(|| invalid(at, "expected a string"))?,
        )),
        "BooleanEquals" => Test::BooleanEquals(Operand::Literal(Value::Bool(flag()?))),
        "BooleanEqualsPath" => Test::BooleanEquals(Operand::Path(path(value, at)?)),
        _ => {
            let (kind, rest) = [
                ("String", Kind::String),
                ("Numeric", Kind::Numeric),
                ("Timestamp", Kind::Timestamp),
            ]
            .into_iter()
            .find_map(|(prefix, kind)| Some((kind, operator.strip_prefix(prefix)?)))
            .ok_or_else(|| unknown(operator, at))?;
            let (order, operand) = match rest.strip_suffix("Path") {
                Some(order) => (order, Operand::Path(path(value, at)?)),
                None => (rest, Operand::Literal(literal(kind, value, at)?)),
            };
            let accept = ORDERS
                .iter()
                .find_map(|(name, accept)| (*name == order).then_some(*accept))
                .ok_or_else(|| unknown(operator, at))?;
            Test::Order {
                kind,
                accept,
                operand,
            }
        }
    };
    Ok(test)
}

fn is_operator(name: &str) -> bool {
    const TYPE_TESTS: [&str; 7] = [
        "IsPresent",
        "IsNull",
        "IsString",
        "IsNumeric",
        "IsBoolean",
        "IsTimestamp",
        "StringMatches",
    ];
    let compared = name.strip_suffix("Path").unwrap_or(name);
    TYPE_TESTS.contains(&name)
        || compared == "BooleanEquals"
        || ["String", "Numeric", "Timestamp"].iter().any(|kind| {
            compared
                .strip_prefix(kind)
                .is_some_and(|order| ORDERS.iter().any(|(name, _)| *name == order))
        })
}

fn unknown(operator: &str, at: &str) -> LoadError {
    LoadError::new(at, LoadProblem::UnknownField(operator.to_owned()))
}

fn path(value: &Value, at: &str) -> Result<Source, LoadError> {
    let text = value
        .as_str()
        .ok_or_else(|| invalid(at, "expected a path"))?;
    Source::parse(text).map_err(|problem| LoadError::new(at, problem))
}

fn literal(kind: Kind, value: &Value, at: &str) -> Result<Value, LoadError> {
    let valid = match kind {
        Kind::String => value.is_string(),
        Kind::Numeric => value.is_number(),
        Kind::Timestamp => value.as_str().and_then(timestamp).is_some(),
    };
    if valid {
        Ok(value.clone())
    } else {
        let expected = match kind {
            Kind::String => "expected a string",
            Kind::Numeric => "expected a number",
            Kind::Timestamp => "expected an RFC 3339 timestamp",
        };
        Err(LoadError::new(
            at,
            LoadProblem::InvalidValue(expected.into()),
        ))
    }
}

impl Test {
    fn holds(&self, value: &Value, data: &Value, ctx: &Context<'_>) -> Result<bool, StateError> {
        Ok(match self {
            Test::IsPresent(expected) => *expected,
            Test::IsNull(expected) => value.is_null() == *expected,
            Test::IsString(expected) => value.is_string() == *expected,
            Test::IsNumeric(expected) => value.is_number() == *expected,
            Test::IsBoolean(expected) => value.is_boolean() == *expected,
            Test::IsTimestamp(expected) => {
                value.as_str().and_then(timestamp).is_some() == *expected
            }
            Test::Matches(pattern) => value.as_str().is_some_and(|text| matches(pattern, text)),
            Test::BooleanEquals(expected) => {
                let expected = expected.resolve(data, ctx)?;
                value.is_boolean() && expected.is_boolean() && *value == *expected
            }
            Test::Order {
                kind,
                accept,
                operand: expected,
            } => {
                let expected = expected.resolve(data, ctx)?;
                compare(*kind, value, &expected).is_some_and(accept)
            }
        })
    }
}

impl Operand {
    fn resolve<'v>(
        &'v self,
        data: &'v Value,
        ctx: &Context<'_>,
    ) -> Result<Cow<'v, Value>, StateError> {
        match self {
            Operand::Literal(literal) => Ok(Cow::Borrowed(literal)),
            Operand::Path(source) => source.resolve(data, ctx).ok_or_else(|| missing(source)),
        }
    }
}
