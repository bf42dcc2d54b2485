//! Reference paths: the subset of JSONPath that the States Language allows
//! wherever a path must name exactly one node (`$`, `$.a.b`, `$['a b']`,
//! `$.items[0]`). Wildcards, filters, slices and recursive descent select
//! many nodes, so they are refused when the definition loads.

use std::fmt;

use serde_json::{Map, Value};

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Field(String),
    Index(usize),
}

/// A parsed reference path; the empty path is `$`, the whole document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReferencePath {
    text: Box<str>,
    segments: Vec<Segment>,
}

impl fmt::Display for ReferencePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl ReferencePath {
    pub(crate) fn root() -> Self {
        Self {
            text: "$".into(),
            segments: Vec::new(),
        }
    }

    /// Parses `$…`. A leading `$$` (the context object) is not a reference
    /// path into the state's data and is refused here.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        match text.strip_prefix('$') {
            Some(rest) if !rest.starts_with('$') => Self::parse_segments(text, rest),
            _ => Err("a reference path starts with a single `$`".to_owned()),
        }
    }

    /// Parses `rest`, what follows the `$` (or `$$`) of the path `text`.
    pub(crate) fn parse_segments(text: &str, mut rest: &str) -> Result<Self, String> {
        let mut segments = Vec::new();
        while !rest.is_empty() {
            let (segment, tail) = if let Some(after_dot) = rest.strip_prefix('.') {
                dotted_field(after_dot)?
            } else if let Some(after_bracket) = rest.strip_prefix('[') {
                bracketed(after_bracket)?
            } else {
                return Err(format!("unexpected `{rest}`"));
            };
            segments.push(segment);
            rest = tail;
        }
        Ok(Self {
            text: text.into(),
            segments,
        })
    }

    pub(crate) fn is_root(&self) -> bool {
        self.segments.is_empty()
    }

    /// The node the path names, if the document has it.
    pub(crate) fn select<'v>(&self, document: &'v Value) -> Option<&'v Value> {
        self.segments
            .iter()
            .try_fold(document, |node, segment| match (segment, node) {
                (Segment::Field(name), Value::Object(map)) => map.get(name),
                (Segment::Index(index), Value::Array(items)) => items.get(*index),
                _ => None,
            })
    }

    /// Whether [`ReferencePath::insert`] can place a value in `document`:
    /// missing fields are created, but nothing else is overwritten to make room.
    pub(crate) fn fits(&self, document: &Value) -> bool {
        let Some((last, parents)) = self.segments.split_last() else {
            return true;
        };
        let mut node = document;
        for (position, segment) in parents.iter().enumerate() {
            match (segment, node) {
                (Segment::Field(name), Value::Object(map)) => match map.get(name) {
                    Some(child) => node = child,
                    None => return self.segments[position + 1..].iter().all(is_field),
                },
                (Segment::Index(index), Value::Array(items)) if *index < items.len() => {
                    node = &items[*index];
                }
                _ => return false,
            }
        }
        match (last, node) {
            (Segment::Field(_), Value::Object(_)) => true,
            (Segment::Index(index), Value::Array(items)) => *index < items.len(),
            _ => false,
        }
    }

    /// Places `value` at the path, creating missing objects on the way.
    /// Leaves `document` untouched and returns false when it does not fit.
    pub(crate) fn insert(&self, document: &mut Value, value: Value) -> bool {
        if !self.fits(document) {
            return false;
        }
        let Some((last, parents)) = self.segments.split_last() else {
            *document = value;
            return true;
        };
        let mut node = document;
        for segment in parents {
            node = match (segment, node) {
                (Segment::Field(name), Value::Object(map)) => map
                    .entry(name.as_str())
                    .or_insert_with(|| Value::Object(Map::new())),
                (Segment::Index(index), Value::Array(items)) => &mut items[*index],
                _ => return false,
            };
        }
        match (last, node) {
            (Segment::Field(name), Value::Object(map)) => {
                map.insert(name.clone(), value);
                true
            }
            (Segment::Index(index), Value::Array(items)) => {
                items[*index] = value;
                true
            }
            _ => false,
        }
    }
}

fn is_field(segment: &Segment) -> bool {
    matches!(segment, Segment::Field(_))
}

fn dotted_field(text: &str) -> Result<(Segment, &str), String> {
    let end = text.find(['.', '[']).unwrap_or(text.len());
    let name = &text[..end];
    if name.is_empty() {
        return Err("recursive descent (`..`) and empty field names are not supported".into());
    }
    if let Some(bad) = name.chars().find(|c| "*?@()'\",:".contains(*c)) {
        return Err(format!(
            "`{bad}` in `{name}`: wildcards, filters and expressions are not supported"
        ));
    }
    Ok((Segment::Field(name.to_owned()), &text[end..]))
}

fn bracketed(text: &str) -> Result<(Segment, &str), String> {
    if let Some(quote) = text.chars().next().filter(|c| *c == '\'' || *c == '"') {
        let body = &text[1..];
        let close = body
            .find(quote)
            .ok_or_else(|| "unterminated quoted field name".to_owned())?;
        let tail = body[close + 1..]
            .strip_prefix(']')
            .ok_or_else(|| "expected `]` after a quoted field name".to_owned())?;
        return Ok((Segment::Field(body[..close].to_owned()), tail));
    }
    let close = text
        .find(']')
        .ok_or_else(|| "unterminated `[`".to_owned())?;
    let index = &text[..close];
    if index.is_empty() || !index.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "`[{index}]`: only a non-negative array index or a quoted field name is supported"
        ));
    }
    let index = index
        .parse()
        .map_err(|_| format!("array index `{index}` is too large"))?;
    Ok((Segment::Index(index), &text[close + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(text: &str) -> ReferencePath {
        ReferencePath::parse(text).unwrap()
    }

    #[test]
    fn selects_fields_quoted_fields_and_indexes() {
        let doc = json!({"a": {"b c": [10, {"d": true}]}});
        assert_eq!(path("$").select(&doc), Some(&doc));
        assert_eq!(path("$['a']['b c'][0]").select(&doc), Some(&json!(10)));
        assert_eq!(path("$.a['b c'][1].d").select(&doc), Some(&json!(true)));
        assert_eq!(path("$.a.missing").select(&doc), None);
        assert_eq!(path("$.a['b c'][2]").select(&doc), None);
    }

    #[test]
    fn refuses_paths_that_select_many_nodes() {
        for text in [
            "$..a",
            "$.a[*]",
            "$.*",
            "$.a[?(@.b)]",
            "$.a[0:2]",
            "$.a[0,1]",
            "$.a[-1]",
            "a.b",
            "$$.Execution",
            "$.a.",
        ] {
            assert!(ReferencePath::parse(text).is_err(), "{text} was accepted");
        }
    }

    #[test]
    fn insert_creates_missing_objects_and_refuses_to_overwrite_scalars() {
        let mut doc = json!({"a": 1, "list": [0, 1]});
        assert!(path("$.b.c").insert(&mut doc, json!("x")));
        assert!(path("$.list[1]").insert(&mut doc, json!("y")));
        assert_eq!(doc, json!({"a": 1, "b": {"c": "x"}, "list": [0, "y"]}));

        let before = doc.clone();
        assert!(!path("$.a.c").insert(&mut doc, json!(2)));
        assert!(!path("$.list[5]").insert(&mut doc, json!(2)));
        assert!(!path("$.new[0]").insert(&mut doc, json!(2)));
        assert_eq!(doc, before);
    }
}
