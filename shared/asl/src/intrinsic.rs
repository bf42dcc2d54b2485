//! Intrinsic functions (`States.Format(…)` and friends), parsed when the
//! definition loads. An unknown function or a wrong number of arguments is a
//! load error; a bad argument value at run time is `States.IntrinsicFailure`.

use std::borrow::Cow;

use serde_json::Value;

use crate::definition::error::LoadProblem;
use crate::fault::StateError;
use crate::payload::{Context, Expression, Source};

#[derive(Debug, Clone)]
pub(crate) struct Call {
    function: Function,
    args: Vec<Arg>,
}

#[derive(Debug, Clone)]
enum Function {
    /// The template, already split at its `{}` slots.
    Format(Vec<Piece>),
    StringToJson,
    JsonToString,
    Array,
    ArrayLength,
    ArrayGetItem,
    ArrayContains,
    MathAdd,
    Uuid,
}

#[derive(Debug, Clone)]
enum Piece {
    Text(String),
    Slot,
}

#[derive(Debug, Clone)]
enum Arg {
    Literal(Value),
    Expression(Expression),
}

/// A character of a string literal, and whether it was escaped with `\`.
type Literal = Vec<(char, bool)>;

impl Call {
    pub(crate) fn parse(text: &str) -> Result<Self, LoadProblem> {
        let mut parser = Parser { text, at: 0 };
        let call = parser.call()?;
        parser.skip_spaces();
        if parser.at != text.len() {
            return Err(parser.fail("unexpected text after the closing `)`"));
        }
        Ok(call)
    }

    pub(crate) fn evaluate(&self, data: &Value, ctx: &Context<'_>) -> Result<Value, StateError> {
        let args = self
            .args
            .iter()
            .map(|arg| match arg {
                Arg::Literal(value) => Ok(Cow::Borrowed(value)),
                Arg::Expression(Expression::Source(source)) => {
                    source.resolve(data, ctx).ok_or_else(|| {
                        StateError::intrinsic(format!("the path {source} was not found"))
                    })
                }
                Arg::Expression(expression) => expression.evaluate(data, ctx),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let args: Vec<&Value> = args.iter().map(AsRef::as_ref).collect();
        match (&self.function, args.as_slice()) {
            (Function::Format(pieces), _) => format(pieces, &args),
            (Function::StringToJson, [text]) => serde_json::from_str(string(text)?)
                .map_err(|e| StateError::intrinsic(format!("States.StringToJson: {e}"))),
            (Function::JsonToString, [value]) => Ok(value.to_string().into()),
            (Function::Array, _) => Ok(args.iter().map(|v| (*v).clone()).collect()),
            (Function::ArrayLength, [items]) => Ok(array(items)?.len().into()),
            (Function::ArrayGetItem, [items, index]) => {
                let index = index.as_u64().ok_or_else(|| {
                    StateError::intrinsic("States.ArrayGetItem needs a non-negative integer index")
                })?;
                usize::try_from(index)
                    .ok()
                    .and_then(|index| array(items).ok()?.get(index).cloned())
                    .ok_or_else(|| StateError::intrinsic("States.ArrayGetItem: index out of range"))
            }
            (Function::ArrayContains, [items, wanted]) => Ok(array(items)?.contains(wanted).into()),
            (Function::MathAdd, [left, right]) => integer(left)?
                .checked_add(integer(right)?)
                .map(Value::from)
                .ok_or_else(|| StateError::intrinsic("States.MathAdd overflowed")),
            (Function::Uuid, []) => Ok(uuid::Uuid::new_v4().to_string().into()),
            _ => Err(StateError::intrinsic("wrong number of arguments")),
        }
    }
}

fn format(pieces: &[Piece], args: &[&Value]) -> Result<Value, StateError> {
    let mut args = args.iter();
    let mut out = String::new();
    for piece in pieces {
        let arg = match piece {
            Piece::Text(text) => {
                out.push_str(text);
                continue;
            }
            Piece::Slot => args.next(),
        };
        match arg {
            Some(Value::String(text)) => out.push_str(text),
            Some(value @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => {
                out.push_str(&value.to_string());
            }
            _ => {
                return Err(StateError::intrinsic(
                    "States.Format takes strings, numbers, booleans and null",
                ));
            }
        }
    }
    Ok(out.into())
}

fn string(value: &Value) -> Result<&str, StateError> {
    value
        .as_str()
        .ok_or_else(|| StateError::intrinsic(format!("expected a string, got {value}")))
}

fn array(value: &Value) -> Result<&Vec<Value>, StateError> {
    value
        .as_array()
        .ok_or_else(|| StateError::intrinsic(format!("expected an array, got {value}")))
}

fn integer(value: &Value) -> Result<i64, StateError> {
    value
        .as_i64()
        .ok_or_else(|| StateError::intrinsic(format!("expected an integer, got {value}")))
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
}

impl Parser<'_> {
    fn fail(&self, problem: &str) -> LoadProblem {
        LoadProblem::InvalidValue(format!(
            "invalid intrinsic function call {:?} at character {}: {problem}",
            self.text, self.at
        ))
    }

    fn rest(&self) -> &str {
        &self.text[self.at..]
    }

    fn skip_spaces(&mut self) {
        let trimmed = self.rest().trim_start();
        self.at = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, token: char) -> bool {
        self.skip_spaces();
        let found = self.rest().starts_with(token);
        if found {
            self.at += token.len_utf8();
        }
        found
    }

    fn call(&mut self) -> Result<Call, LoadProblem> {
        let name_len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .unwrap_or(self.rest().len());
        let name = &self.text[self.at..self.at + name_len];
        let (function, arity) = match name {
            "States.Format" => (Function::Format(Vec::new()), None),
            "States.StringToJson" => (Function::StringToJson, Some(1)),
            "States.JsonToString" => (Function::JsonToString, Some(1)),
            "States.Array" => (Function::Array, None),
            "States.ArrayLength" => (Function::ArrayLength, Some(1)),
            "States.ArrayGetItem" => (Function::ArrayGetItem, Some(2)),
            "States.ArrayContains" => (Function::ArrayContains, Some(2)),
            "States.MathAdd" => (Function::MathAdd, Some(2)),
            "States.UUID" => (Function::Uuid, Some(0)),
            _ => return Err(LoadProblem::UnknownIntrinsic(name.to_owned())),
        };
        self.at += name_len;
        if !self.eat('(') {
            return Err(self.fail("expected `(`"));
        }
        let mut args = Vec::new();
        let mut template = None;
        if !self.eat(')') {
            loop {
                self.skip_spaces();
                if matches!(function, Function::Format(_)) && template.is_none() {
                    if !self.eat('\'') {
                        return Err(self.fail("States.Format needs a string literal template"));
                    }
                    template = Some(self.literal()?);
                } else {
                    args.push(self.arg()?);
                }
                if self.eat(')') {
                    break;
                }
                if !self.eat(',') {
                    return Err(self.fail("expected `,` or `)`"));
                }
            }
        }
        let function = match (function, template) {
            (Function::Format(_), Some(template)) => {
                let pieces = slots(&template).map_err(|problem| self.fail(problem))?;
                let wanted = pieces.iter().filter(|p| matches!(p, Piece::Slot)).count();
                if wanted != args.len() {
                    return Err(self.fail(&format!(
                        "the template has {wanted} `{{}}` but {} arguments follow it",
                        args.len()
                    )));
                }
                Function::Format(pieces)
            }
            (Function::Format(_), None) => return Err(self.fail("States.Format needs a template")),
            (function, _) => function,
        };
        if arity.is_some_and(|arity| arity != args.len()) {
            return Err(self.fail(&format!("{name} takes {} arguments", arity.unwrap_or(0))));
        }
        Ok(Call { function, args })
    }

    fn arg(&mut self) -> Result<Arg, LoadProblem> {
        if self.eat('\'') {
            let text = self
                .literal()?
                .into_iter()
                .map(|(c, _)| c)
                .collect::<String>();
            return Ok(Arg::Literal(text.into()));
        }
        if self.rest().starts_with("States.") {
            return Ok(Arg::Expression(Expression::Call(self.call()?)));
        }
        let len = self.token_len();
        let token = self.text[self.at..self.at + len].trim_end();
        if token.is_empty() {
            return Err(self.fail("expected an argument"));
        }
        self.at += len;
        if token.starts_with('$') {
            return Source::parse(token).map(|s| Arg::Expression(Expression::Source(s)));
        }
        match serde_json::from_str::<Value>(token) {
            Ok(value @ (Value::Number(_) | Value::Bool(_) | Value::Null)) => {
                Ok(Arg::Literal(value))
            }
            _ => Err(self.fail(&format!("`{token}` is not a valid argument"))),
        }
    }

    /// The length of a path or literal argument: up to a `,` or `)` that is
    /// not inside a bracket.
    fn token_len(&self) -> usize {
        let mut depth = 0usize;
        let mut quote = None;
        for (offset, c) in self.rest().char_indices() {
            match (quote, c) {
                (Some(open), c) if c == open => quote = None,
                (Some(_), _) => {}
                (None, '\'' | '"') if depth > 0 => quote = Some(c),
                (None, '[') => depth += 1,
                (None, ']') => depth = depth.saturating_sub(1),
                (None, ',' | ')') if depth == 0 => return offset,
                _ => {}
            }
        }
        self.rest().len()
    }

    /// A string literal after its opening quote, with `\'`, `\{`, `\}` and
    /// `\\` unescaped.
    fn literal(&mut self) -> Result<Literal, LoadProblem> {
        let mut out = Vec::new();
        let mut chars = self.rest().char_indices();
        while let Some((offset, c)) = chars.next() {
            match c {
                '\'' => {
                    self.at += offset + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, escaped)) => out.push((escaped, true)),
                    None => break,
                },
                c => out.push((c, false)),
            }
        }
        Err(self.fail("unterminated string literal"))
    }
}

fn slots(template: &Literal) -> Result<Vec<Piece>, &'static str> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.iter().peekable();
    while let Some(&(c, escaped)) = chars.next() {
        match (c, escaped) {
            ('{', false) if chars.next_if(|next| **next == ('}', false)).is_some() => {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Slot);
            }
            ('{' | '}', false) => return Err("an unescaped `{` or `}` that is not a `{}` slot"),
            (c, _) => text.push(c),
        }
    }
    pieces.push(Piece::Text(text));
    Ok(pieces)
}
