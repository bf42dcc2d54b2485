//! What each intrinsic function computes, and the argument checks Step
//! Functions makes. Limits and roundings follow AWS's intrinsic-functions
//! page (docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use serde_json::{Map, Value};
use sha2::Digest;

use crate::payload::Context;

/// Base64Encode, Base64Decode and Hash take at most this many characters.
const MAX_INPUT_CHARS: usize = 10_000;
/// ArrayRange makes at most this many items.
const MAX_RANGE_ITEMS: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Function {
    Format,
    StringToJson,
    JsonToString,
    Array,
    ArrayPartition,
    ArrayContains,
    ArrayRange,
    ArrayGetItem,
    ArrayLength,
    ArrayUnique,
    Base64Encode,
    Base64Decode,
    Hash,
    JsonMerge,
    StringSplit,
    MathRandom,
    MathAdd,
    Uuid,
}

/// Each function, its name, and how many arguments it takes (min, max).
const FUNCTIONS: [(&str, Function, usize, usize); 18] = [
    ("States.Format", Function::Format, 1, usize::MAX),
    ("States.StringToJson", Function::StringToJson, 1, 1),
    ("States.JsonToString", Function::JsonToString, 1, 1),
    ("States.Array", Function::Array, 0, usize::MAX),
    ("States.ArrayPartition", Function::ArrayPartition, 2, 2),
    ("States.ArrayContains", Function::ArrayContains, 2, 2),
    ("States.ArrayRange", Function::ArrayRange, 3, 3),
    ("States.ArrayGetItem", Function::ArrayGetItem, 2, 2),
    ("States.ArrayLength", Function::ArrayLength, 1, 1),
    ("States.ArrayUnique", Function::ArrayUnique, 1, 1),
    ("States.Base64Encode", Function::Base64Encode, 1, 1),
    ("States.Base64Decode", Function::Base64Decode, 1, 1),
    ("States.Hash", Function::Hash, 2, 2),
    ("States.JsonMerge", Function::JsonMerge, 3, 3),
    ("States.StringSplit", Function::StringSplit, 2, 2),
    ("States.MathRandom", Function::MathRandom, 2, 3),
    ("States.MathAdd", Function::MathAdd, 2, 2),
    ("States.UUID", Function::Uuid, 0, 0),
];

const HASHES: [&str; 5] = ["MD5", "SHA-1", "SHA-256", "SHA-384", "SHA-512"];

impl Function {
    pub(super) fn named(name: &str) -> Option<Self> {
        FUNCTIONS
            .iter()
            .find_map(|(known, function, ..)| (*known == name).then_some(*function))
    }

    pub(super) fn is_format(self) -> bool {
        self == Function::Format
    }

    fn name(self) -> &'static str {
        FUNCTIONS
            .iter()
            .find_map(|(name, function, ..)| (*function == self).then_some(*name))
            .unwrap_or("States")
    }

    /// Checks the number of arguments, and what literals already show.
    pub(super) fn with_args(self, literals: &[Option<&Value>]) -> Result<Self, String> {
        let (_, _, min, max) = FUNCTIONS
            .iter()
            .find(|(_, function, ..)| *function == self)
            .copied()
            .ok_or("unknown function")?;
        let name = self.name();
        if literals.len() < min || literals.len() > max {
            return Err(match (min, max) {
                (min, usize::MAX) => format!("{name} takes at least {min} arguments"),
                (min, max) if min == max => format!("{name} takes {min} arguments"),
                (min, max) => format!("{name} takes {min} to {max} arguments"),
            });
        }
        match (self, literals) {
            (Function::Format, [Some(template), rest @ ..]) => {
                let template = template.as_str().ok_or("the template must be a string")?;
                let slots = pieces(template)?.iter().filter(|p| p.is_none()).count();
                if slots != rest.len() {
                    return Err(format!(
                        "the template has {slots} `{{}}` but {} arguments follow it",
                        rest.len()
                    ));
                }
            }
            (Function::Hash, [_, Some(algorithm)]) if !is_hash(algorithm) => {
                return Err(format!("the hash algorithm must be one of {HASHES:?}"));
            }
            (Function::JsonMerge, [_, _, Some(deep)]) if *deep != &Value::Bool(false) => {
                return Err("States.JsonMerge supports only shallow merges: its third argument must be false".into());
            }
            _ => {}
        }
        Ok(self)
    }

    pub(super) fn apply(self, args: &[&Value], ctx: &Context<'_>) -> Result<Value, String> {
        match (self, args) {
            (Function::Format, [template, rest @ ..]) => format(string(template)?, rest),
            (Function::StringToJson, [text]) => string_to_json(string(text)?),
            (Function::JsonToString, [value]) => Ok(value.to_string().into()),
            (Function::Array, _) => Ok(args.iter().map(|v| (*v).clone()).collect()),
            (Function::ArrayPartition, [items, size]) => partition(array(items)?, size),
            (Function::ArrayContains, [items, wanted]) => Ok(array(items)?.contains(wanted).into()),
            (Function::ArrayRange, [first, last, step]) => range(first, last, step),
            (Function::ArrayGetItem, [items, index]) => get_item(array(items)?, index),
            (Function::ArrayLength, [items]) => Ok(array(items)?.len().into()),
            (Function::ArrayUnique, [items]) => Ok(unique(array(items)?)),
            (Function::Base64Encode, [text]) => Ok(STANDARD.encode(limited(string(text)?)?).into()),
            (Function::Base64Decode, [text]) => base64_decode(limited(string(text)?)?),
            (Function::Hash, [data, algorithm]) => hash(data, string(algorithm)?),
            (Function::JsonMerge, [left, right, deep]) => merge(left, right, deep),
            (Function::StringSplit, [text, separators]) => {
                Ok(split(string(text)?, string(separators)?))
            }
            (Function::MathRandom, [start, end, seed @ ..]) => {
                random(start, end, seed.first(), ctx)
            }
            (Function::MathAdd, [left, right]) => add(left, right),
            (Function::Uuid, []) => Ok(ctx.random.uuid().into()),
            _ => Err("wrong number of arguments".into()),
        }
    }
}

fn is_hash(algorithm: &Value) -> bool {
    algorithm
        .as_str()
        .is_some_and(|name| HASHES.contains(&name))
}

fn string(value: &Value) -> Result<&str, String> {
    value
        .as_str()
        .ok_or_else(|| format!("expected a string, got {value}"))
}

fn array(value: &Value) -> Result<&Vec<Value>, String> {
    value
        .as_array()
        .ok_or_else(|| format!("expected an array, got {value}"))
}

fn limited(text: &str) -> Result<&str, String> {
    if text.chars().count() > MAX_INPUT_CHARS {
        return Err(format!(
            "the input is longer than {MAX_INPUT_CHARS} characters"
        ));
    }
    Ok(text)
}

/// A number as the integer Step Functions makes of it: a non-integer is
/// rounded to the nearest integer, halves upwards (Java's `Math.round`).
fn rounded(value: &Value) -> Result<i64, String> {
    if let Some(integer) = value.as_i64() {
        return Ok(integer);
    }
    match value.as_f64() {
        Some(number) if number.is_finite() && number.abs() < 9.0e18 => {
            Ok((number + 0.5).floor() as i64)
        }
        _ => Err(format!("expected an integer, got {value}")),
    }
}

/// The template split into text (`Some`) and `{}` slots (`None`); `\` escapes
/// the next character.
fn pieces(template: &str) -> Result<Vec<Option<String>>, String> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => text.extend(chars.next()),
            '{' if chars.next_if_eq(&'}').is_some() => {
                pieces.push(Some(std::mem::take(&mut text)));
                pieces.push(None);
            }
            '{' | '}' => return Err("an unescaped `{` or `}` that is not a `{}` slot".into()),
            c => text.push(c),
        }
    }
    pieces.push(Some(text));
    Ok(pieces)
}

fn format(template: &str, args: &[&Value]) -> Result<Value, String> {
    let mut args = args.iter();
    let mut out = String::new();
    for piece in pieces(template)? {
        match piece {
            Some(text) => out.push_str(&text),
            None => {
                let arg = args.next().ok_or("more `{}` than arguments")?;
                out.push_str(&display(arg));
            }
        }
    }
    if args.next().is_some() {
        return Err("more arguments than `{}`".into());
    }
    Ok(out.into())
}

/// How States.Format writes a value: strings bare, objects and arrays as
/// Java writes maps and lists (`{a=1, b=[x, y]}`).
fn display(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(display).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let fields: Vec<String> = map
                .iter()
                .map(|(key, value)| format!("{key}={}", display(value)))
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        other => other.to_string(),
    }
}

/// An empty (or blank) string gives null.
fn string_to_json(text: &str) -> Result<Value, String> {
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    serde_json::from_str(text).map_err(|e| format!("the string is not JSON: {e}"))
}

fn partition(items: &[Value], size: &Value) -> Result<Value, String> {
    let size = rounded(size)?;
    let size = usize::try_from(size)
        .ok()
        .filter(|size| *size > 0)
        .ok_or_else(|| format!("the chunk size must be a positive integer, got {size}"))?;
    Ok(items
        .chunks(size)
        .map(|chunk| Value::from(chunk.to_vec()))
        .collect())
}

fn range(first: &Value, last: &Value, step: &Value) -> Result<Value, String> {
    let (first, last, step) = (rounded(first)?, rounded(last)?, rounded(step)?);
    if step == 0 {
        return Err("the step must not be 0".into());
    }
    let count = if (step > 0 && first > last) || (step < 0 && first < last) {
        0
    } else {
        (last.abs_diff(first) / step.unsigned_abs()).saturating_add(1)
    };
    if count > MAX_RANGE_ITEMS as u64 {
        return Err(format!("the range has more than {MAX_RANGE_ITEMS} items"));
    }
    Ok((0..count as i64)
        .map(|i| Value::from(first + i * step))
        .collect())
}

fn get_item(items: &[Value], index: &Value) -> Result<Value, String> {
    let index = index
        .as_u64()
        .ok_or_else(|| format!("the index must be a non-negative integer, got {index}"))?;
    usize::try_from(index)
        .ok()
        .and_then(|index| items.get(index))
        .cloned()
        .ok_or_else(|| format!("the index {index} is out of bounds"))
}

fn unique(items: &[Value]) -> Value {
    let mut seen: Vec<&Value> = Vec::with_capacity(items.len());
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen.into_iter().cloned().collect()
}

fn base64_decode(text: &str) -> Result<Value, String> {
    let bytes = STANDARD
        .decode(text)
        .map_err(|e| format!("not Base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::from)
        .map_err(|_| "the decoded data is not UTF-8 text".into())
}

fn hash(data: &Value, algorithm: &str) -> Result<Value, String> {
    let bytes = limited(string(data)?)?.as_bytes();
    let digest = match algorithm {
        "MD5" => md5::Md5::digest(bytes).to_vec(),
        "SHA-1" => sha1::Sha1::digest(bytes).to_vec(),
        "SHA-256" => sha2::Sha256::digest(bytes).to_vec(),
        "SHA-384" => sha2::Sha384::digest(bytes).to_vec(),
        "SHA-512" => sha2::Sha512::digest(bytes).to_vec(),
        other => {
            return Err(format!(
                "unknown hash algorithm {other:?}; use one of {HASHES:?}"
            ));
        }
    };
    Ok(digest
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>()
        .into())
}

fn merge(left: &Value, right: &Value, deep: &Value) -> Result<Value, String> {
    if deep != &Value::Bool(false) {
        return Err("only shallow merges are supported: the third argument must be false".into());
    }
    let object = |value: &Value| -> Result<Map<String, Value>, String> {
        value
            .as_object()
            .cloned()
            .ok_or_else(|| format!("expected a JSON object, got {value}"))
    };
    let mut merged = object(left)?;
    merged.extend(object(right)?);
    Ok(Value::Object(merged))
}

/// Splits at any of the separator characters, dropping empty pieces.
fn split(text: &str, separators: &str) -> Value {
    text.split(|c| separators.contains(c))
        .filter(|piece| !piece.is_empty())
        .map(Value::from)
        .collect()
}

fn truncated(value: &Value, what: &str) -> Result<i64, String> {
    if let Some(integer) = value.as_i64() {
        return Ok(integer);
    }
    match value.as_f64() {
        Some(number) if number.is_finite() && number.abs() < 9.0e18 => Ok(number.trunc() as i64),
        _ => Err(format!("expected an integer {what}, got {value}")),
    }
}

/// A random integer in `[start, end]`; with a seed argument, the same one
/// every time, and otherwise drawn from the execution's source.
fn random(
    start: &Value,
    end: &Value,
    seed: Option<&&Value>,
    ctx: &Context<'_>,
) -> Result<Value, String> {
    let (start, end) = (truncated(start, "start")?, truncated(end, "end")?);
    if start > end {
        return Err(format!("the start {start} is greater than the end {end}"));
    }
    let value = match seed {
        Some(seed) => {
            use rand::SeedableRng;
            let seed = truncated(seed, "seed")?;
            rand::rngs::StdRng::seed_from_u64(seed as u64).random_range(start..=end)
        }
        None => ctx.random.with(|rng| rng.random_range(start..=end)),
    };
    Ok(value.into())
}

fn add(left: &Value, right: &Value) -> Result<Value, String> {
    rounded(left)?
        .checked_add(rounded(right)?)
        .map(Value::from)
        .ok_or_else(|| "the sum overflows".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn format_writes_objects_and_arrays_as_java_does() {
        let value = json!({"a": 1, "b": ["x", null, true]});
        assert_eq!(display(&value), "{a=1, b=[x, null, true]}");
        assert_eq!(
            format("{} and \\{\\}", &[&json!(2.5)]),
            Ok(json!("2.5 and {}"))
        );
    }

    #[test]
    fn ranges_step_both_ways_and_are_bounded() {
        assert_eq!(
            range(&json!(1), &json!(9), &json!(2)),
            Ok(json!([1, 3, 5, 7, 9]))
        );
        assert_eq!(
            range(&json!(5), &json!(1), &json!(-2)),
            Ok(json!([5, 3, 1]))
        );
        assert_eq!(range(&json!(5), &json!(1), &json!(1)), Ok(json!([])));
        assert!(range(&json!(0), &json!(1000), &json!(1)).is_err());
    }

    #[test]
    fn non_integers_round_half_up() {
        assert_eq!(add(&json!(1.5), &json!(1)), Ok(json!(3)));
        assert_eq!(add(&json!(-1.5), &json!(0)), Ok(json!(-1)));
        assert_eq!(add(&json!(2.4), &json!(0.4)), Ok(json!(2)));
        assert!(add(&json!("1"), &json!(1)).is_err());
    }
}
