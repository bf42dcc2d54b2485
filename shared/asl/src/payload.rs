//! Payload templates (`Parameters`, `ResultSelector`): JSON whose `key.$`
//! fields take their value from the state's data, the context object or an
//! intrinsic function. Templates are compiled once when the definition loads;
//! at run time they only copy values.

use std::borrow::Cow;
use std::fmt;

use serde_json::{Map, Value};

pub(crate) use crate::context::Context;
use crate::context::ContextPath;
use crate::definition::error::{LoadError, LoadProblem, child, item};
use crate::fault::StateError;
use crate::intrinsic::Call;
use crate::query::Query;

/// Where a value comes from: the state's data (`$…`), the context object
/// (`$$…`) or a variable (`$name…`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Source {
    text: Box<str>,
    kind: SourceKind,
}

#[derive(Debug, Clone, PartialEq)]
enum SourceKind {
    Data(Query),
    Context(ContextPath),
    Variable { name: String, rest: Query },
}

impl Source {
    pub(crate) fn parse(text: &str) -> Result<Self, LoadProblem> {
        let unsupported = |reason: String| LoadProblem::UnsupportedPath {
            path: text.to_owned(),
            reason,
        };
        let kind = if let Some(rest) = text.strip_prefix("$$") {
            SourceKind::Context(ContextPath::parse(rest).map_err(unsupported)?)
        } else if let Some(rest) = text.strip_prefix('$') {
            let name_len = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let query = Query::parse_steps(&rest[name_len..]).map_err(unsupported)?;
            match &rest[..name_len] {
                "" => SourceKind::Data(query),
                name => SourceKind::Variable {
                    name: name.to_owned(),
                    rest: query,
                },
            }
        } else {
            return Err(unsupported("a path starts with `$`".into()));
        };
        Ok(Self {
            text: text.into(),
            kind,
        })
    }

    pub(crate) fn resolve<'v>(&self, data: &'v Value, ctx: &Context<'_>) -> Option<Cow<'v, Value>> {
        match &self.kind {
            SourceKind::Data(query) => query.select(data),
            SourceKind::Context(path) => path.resolve(ctx).map(Cow::Owned),
            SourceKind::Variable { name, rest } => {
                let value = ctx.variables.get(name)?;
                rest.select(value).map(|v| Cow::Owned(v.into_owned()))
            }
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
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

    /// Evaluates the expression of the field `field` (for error messages).
    pub(crate) fn evaluate<'v>(
        &self,
        data: &'v Value,
        ctx: &Context<'_>,
        field: &str,
    ) -> Result<Cow<'v, Value>, StateError> {
        match self {
            Expression::Source(source) => source.resolve(data, ctx).ok_or_else(|| {
                StateError::parameter_path(format!(
                    "The JSONPath '{source}' specified for the field '{field}.$' could not be found in the input '{data}'"
                ))
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
        self.render_field(data, ctx, "")
    }

    fn render_field(
        &self,
        data: &Value,
        ctx: &Context<'_>,
        field: &str,
    ) -> Result<Value, StateError> {
        match self {
            Template::Literal(value) => Ok(value.clone()),
            Template::Object(fields) => fields
                .iter()
                .map(|(name, t)| Ok((name.clone(), t.render_field(data, ctx, name)?)))
                .collect::<Result<Map<_, _>, _>>()
                .map(Value::Object),
            Template::Array(items) => items
                .iter()
                .map(|t| t.render_field(data, ctx, field))
                .collect(),
            Template::Expression(expression) => {
                expression.evaluate(data, ctx, field).map(Cow::into_owned)
            }
        }
    }
}

fn invalid(at: &str, problem: &str) -> LoadError {
    LoadError::new(at, LoadProblem::InvalidValue(problem.to_owned()))
}
