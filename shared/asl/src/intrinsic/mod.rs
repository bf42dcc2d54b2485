//! Intrinsic functions (`States.Format(…)` and friends), parsed when the
//! definition loads: an unknown function, a wrong number of arguments or
//! nesting deeper than ten calls is a load error. A bad argument value at run
//! time fails the state with `States.Runtime`, as Step Functions does; the
//! functions themselves are in [`functions`].

mod functions;

use std::borrow::Cow;

use serde_json::Value;

use crate::definition::error::LoadProblem;
use crate::fault::StateError;
use crate::payload::{Context, Expression, Source};
use functions::Function;

/// Step Functions nests at most ten intrinsic functions in one field.
const MAX_DEPTH: usize = 10;

#[derive(Debug, Clone)]
pub(crate) struct Call {
    text: Box<str>,
    function: Function,
    args: Vec<Arg>,
}

#[derive(Debug, Clone)]
enum Arg {
    Literal(Value),
    Expression(Expression),
}

impl Call {
    pub(crate) fn parse(text: &str) -> Result<Self, LoadProblem> {
        let mut parser = Parser {
            text,
            at: 0,
            depth: 0,
        };
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
                        StateError::runtime(format!(
                            "The JsonPath argument for the field '{}' could not be found in the input '{data}'",
                            self.text
                        ))
                    })
                }
                Arg::Expression(expression) => expression.evaluate(data, ctx, &self.text),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let args: Vec<&Value> = args.iter().map(AsRef::as_ref).collect();
        self.function.apply(&args, ctx).map_err(|detail| {
            StateError::runtime(format!(
                "The function '{}' had the following error: {detail}",
                self.text
            ))
        })
    }
}

struct Parser<'t> {
    text: &'t str,
    at: usize,
    depth: usize,
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
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.fail("intrinsic functions nest at most 10 deep"));
        }
        let start = self.at;
        let name_len = self
            .rest()
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
            .unwrap_or(self.rest().len());
        let name = &self.text[self.at..self.at + name_len];
        let function =
            Function::named(name).ok_or_else(|| LoadProblem::UnknownIntrinsic(name.to_owned()))?;
        self.at += name_len;
        if !self.eat('(') {
            return Err(self.fail("expected `(`"));
        }
        let mut args = Vec::new();
        if !self.eat(')') {
            loop {
                self.skip_spaces();
                // States.Format's template keeps its escapes until the
                // function tells `{}` slots from escaped braces.
                let raw = function.is_format() && args.is_empty();
                args.push(self.arg(raw)?);
                if self.eat(')') {
                    break;
                }
                if !self.eat(',') {
                    return Err(self.fail("expected `,` or `)`"));
                }
            }
        }
        let function = function
            .with_args(&args_literals(&args))
            .map_err(|problem| self.fail(&problem))?;
        self.depth -= 1;
        Ok(Call {
            text: self.text[start..self.at].into(),
            function,
            args,
        })
    }

    fn arg(&mut self, raw: bool) -> Result<Arg, LoadProblem> {
        if self.eat('\'') {
            return self.literal(raw).map(|text| Arg::Literal(text.into()));
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

    /// A string literal after its opening quote, with `\\'`, `\\{`, `\\}` and
    /// `\\\\` unescaped, or, when `raw`, with only `\\'` unescaped.
    fn literal(&mut self, raw: bool) -> Result<String, LoadProblem> {
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((offset, c)) = chars.next() {
            match c {
                '\'' => {
                    self.at += offset + 1;
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, '\'')) => out.push('\''),
                    Some((_, escaped @ ('{' | '}' | '\\'))) => {
                        if raw {
                            out.push('\\');
                        }
                        out.push(escaped);
                    }
                    _ => return Err(self.fail("an open `\\` escapes nothing")),
                },
                c => out.push(c),
            }
        }
        Err(self.fail("unterminated string literal"))
    }
}

/// The literal arguments of a call, `None` where the value comes at run time.
fn args_literals(args: &[Arg]) -> Vec<Option<&Value>> {
    args.iter()
        .map(|arg| match arg {
            Arg::Literal(value) => Some(value),
            Arg::Expression(_) => None,
        })
        .collect()
}
