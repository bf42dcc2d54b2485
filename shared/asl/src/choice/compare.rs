//! Comparing values the way Choice rules do: strings by code point, numbers
//! across integer and float, timestamps as instants, and `*` wildcards.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::{Number, Value};

use super::Kind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Glob {
    Char(char),
    Star,
}

/// Compares two values as `kind`; `None` when either is not of that kind,
/// which makes the comparison false rather than an error.
pub(super) fn compare(kind: Kind, left: &Value, right: &Value) -> Option<Ordering> {
    match (kind, left, right) {
        (Kind::String, Value::String(l), Value::String(r)) => Some(l.cmp(r)),
        (Kind::Numeric, Value::Number(l), Value::Number(r)) => compare_numbers(l, r),
        (Kind::Timestamp, Value::String(l), Value::String(r)) => {
            Some(timestamp(l)?.cmp(&timestamp(r)?))
        }
        _ => None,
    }
}

fn compare_numbers(left: &Number, right: &Number) -> Option<Ordering> {
    if let (Some(l), Some(r)) = (left.as_i64(), right.as_i64()) {
        return Some(l.cmp(&r));
    }
    if let (Some(l), Some(r)) = (left.as_u64(), right.as_u64()) {
        return Some(l.cmp(&r));
    }
    left.as_f64()?.partial_cmp(&right.as_f64()?)
}

pub(crate) fn timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// `*` matches any run of characters; `\*` and `\\` are a literal `*` and `\`.
pub(super) fn glob(pattern: &str) -> Vec<Glob> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '*' => out.push(Glob::Star),
            '\\' => match chars.next() {
                Some(escaped @ ('*' | '\\')) => out.push(Glob::Char(escaped)),
                Some(other) => out.extend([Glob::Char('\\'), Glob::Char(other)]),
                None => out.push(Glob::Char('\\')),
            },
            c => out.push(Glob::Char(c)),
        }
    }
    out
}

pub(super) fn matches(pattern: &[Glob], text: &str) -> bool {
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Glob::Star) => {
                backtrack = Some((p, t));
                p += 1;
            }
            Some(Glob::Char(c)) if *c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match backtrack {
                Some((star, consumed)) => {
                    backtrack = Some((star, consumed + 1));
                    p = star + 1;
                    t = consumed + 1;
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|g| *g == Glob::Star)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_matches_any_run_and_escapes_are_literal() {
        let cases = [
            ("log-*.txt", "log-2024.txt", true),
            ("log-*.txt", "log-.txt", true),
            ("log-*.txt", "log-1.csv", false),
            ("*", "", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXcYYb", false),
            (r"price\*", "price*", true),
            (r"price\*", "prices", false),
            (r"back\\slash", r"back\slash", true),
        ];
        for (pattern, text, expected) in cases {
            assert_eq!(
                matches(&glob(pattern), text),
                expected,
                "{pattern} ~ {text}"
            );
        }
    }

    #[test]
    fn numbers_compare_across_integer_and_float() {
        let n = |v: Value| v.as_number().cloned().unwrap();
        assert_eq!(
            compare_numbers(&n(1.into()), &n(1.0.into())),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare_numbers(&n((-3).into()), &n(2.5.into())),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare_numbers(&n(u64::MAX.into()), &n(1.into())),
            Some(Ordering::Greater)
        );
    }
}
