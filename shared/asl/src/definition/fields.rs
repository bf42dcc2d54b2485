//! A strict reader of one JSON object of the definition: every field must be
//! taken by the parser, so an unknown or unsupported one is an error rather
//! than something silently ignored.

use serde_json::{Map, Value};

use super::error::{LoadError, LoadProblem, child};
use crate::path::ReferencePath;

pub(crate) struct Fields<'a> {
    path: String,
    map: &'a Map<String, Value>,
    taken: Vec<&'a str>,
}

impl<'a> Fields<'a> {
    pub(crate) fn new(value: &'a Value, path: String) -> Result<Self, LoadError> {
        match value {
            Value::Object(map) => Ok(Self {
                path,
                map,
                taken: Vec::new(),
            }),
            _ => Err(invalid(&path, "expected a JSON object")),
        }
    }

    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// The JSONPath of one of this object's fields.
    pub(crate) fn at(&self, key: &str) -> String {
        child(&self.path, key)
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Looks at a field without taking it.
    pub(crate) fn peek(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    pub(crate) fn take(&mut self, key: &str) -> Option<&'a Value> {
        let (key, value) = self.map.get_key_value(key)?;
        self.taken.push(key);
        Some(value)
    }

    /// The fields no parser has taken yet.
    pub(crate) fn untaken(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.map
            .keys()
            .map(String::as_str)
            .filter(|key| !self.taken.contains(key))
    }

    pub(crate) fn required(&mut self, key: &'static str) -> Result<&'a Value, LoadError> {
        self.take(key)
            .ok_or_else(|| LoadError::new(self.path.clone(), LoadProblem::MissingField(key)))
    }

    pub(crate) fn string(&mut self, key: &'static str) -> Result<Option<&'a str>, LoadError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(_) => Err(invalid(&self.at(key), "expected a string")),
        }
    }

    pub(crate) fn required_string(&mut self, key: &'static str) -> Result<&'a str, LoadError> {
        match self.required(key)? {
            Value::String(text) => Ok(text),
            _ => Err(invalid(&self.at(key), "expected a string")),
        }
    }

    /// A whole number of at least `min`.
    pub(crate) fn integer(
        &mut self,
        key: &'static str,
        min: u64,
    ) -> Result<Option<u64>, LoadError> {
        match self.take(key) {
            None => Ok(None),
            Some(value) => match value.as_u64() {
                Some(number) if number >= min => Ok(Some(number)),
                _ => Err(invalid(
                    &self.at(key),
                    &format!("expected an integer of at least {min}"),
                )),
            },
        }
    }

    pub(crate) fn number(&mut self, key: &'static str) -> Result<Option<f64>, LoadError> {
        match self.take(key) {
            None => Ok(None),
            Some(value) => value
                .as_f64()
                .map(Some)
                .ok_or_else(|| invalid(&self.at(key), "expected a number")),
        }
    }

    pub(crate) fn boolean(&mut self, key: &'static str) -> Result<Option<bool>, LoadError> {
        match self.take(key) {
            None => Ok(None),
            Some(Value::Bool(flag)) => Ok(Some(*flag)),
            Some(_) => Err(invalid(&self.at(key), "expected true or false")),
        }
    }

    /// Refuses every field no parser took.
    pub(crate) fn finish(self) -> Result<(), LoadError> {
        match self.untaken().next() {
            Some(key) => Err(LoadError::new(
                self.path.clone(),
                LoadProblem::UnknownField(key.to_owned()),
            )),
            None => Ok(()),
        }
    }
}

pub(crate) fn invalid(path: &str, problem: &str) -> LoadError {
    LoadError::new(path, LoadProblem::InvalidValue(problem.to_owned()))
}

pub(crate) fn parse_reference_path(text: &str, at: &str) -> Result<ReferencePath, LoadError> {
    ReferencePath::parse(text).map_err(|reason| {
        LoadError::new(
            at,
            LoadProblem::UnsupportedPath {
                path: text.to_owned(),
                reason,
            },
        )
    })
}
