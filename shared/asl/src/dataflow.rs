//! How data moves through a state: `InputPath` and `OutputPath` select part
//! of a document, `ResultPath` places a result into the state's input.
//!
//! Documents travel between states as `Arc<Value>` so that the history, the
//! checkpoint and the next state share one copy; a document is copied only
//! when a result must be merged into it while someone else still holds it.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::fault::StateError;
use crate::path::ReferencePath;
use crate::query::Query;

/// `InputPath` or `OutputPath`: a path, or `null` for an empty object.
#[derive(Debug, Clone)]
pub(crate) enum Selector {
    Path { text: Box<str>, query: Query },
    Empty,
}

impl Selector {
    pub(crate) fn select<'v>(&self, document: &'v Value) -> Result<Cow<'v, Value>, StateError> {
        match self {
            Selector::Empty => Ok(Cow::Owned(Value::Object(Map::new()))),
            Selector::Path { text, query } => query
                .select(document)
                .ok_or_else(|| not_found(text, document)),
        }
    }

    /// `$`, the whole document.
    pub(crate) fn root() -> Self {
        Selector::Path {
            text: "$".into(),
            query: Query::root(),
        }
    }

    /// Like [`Selector::select`], without copying when the path is `$`.
    pub(crate) fn select_shared(&self, document: Arc<Value>) -> Result<Arc<Value>, StateError> {
        match self {
            Selector::Path { query, .. } if query.is_root() => Ok(document),
            other => other.select(&document).map(|v| Arc::new(v.into_owned())),
        }
    }
}

fn not_found(path: &str, document: &Value) -> StateError {
    StateError::runtime(format!(
        "Invalid path '{path}' : No results for path: {path}, in the input '{document}'"
    ))
}

/// `ResultPath`: where the result goes in the state's input, or `null` to
/// discard the result and pass the input on.
#[derive(Debug, Clone)]
pub(crate) enum ResultPath {
    Path(ReferencePath),
    Discard,
}

impl ResultPath {
    pub(crate) fn fits(&self, input: &Value) -> bool {
        match self {
            ResultPath::Path(path) => path.fits(input),
            ResultPath::Discard => true,
        }
    }

    pub(crate) fn apply(
        &self,
        input: Arc<Value>,
        result: Arc<Value>,
    ) -> Result<Arc<Value>, StateError> {
        match self {
            ResultPath::Discard => Ok(input),
            ResultPath::Path(path) if path.is_root() => Ok(result),
            ResultPath::Path(path) => {
                let mut merged = Arc::unwrap_or_clone(input);
                if path.insert(&mut merged, Arc::unwrap_or_clone(result)) {
                    Ok(Arc::new(merged))
                } else {
                    Err(mismatch(path))
                }
            }
        }
    }
}

pub(crate) fn mismatch(path: &ReferencePath) -> StateError {
    StateError::result_path_mismatch(format!(
        "unable to apply ResultPath {path}: the state's input has no object there"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn result_path(text: &str) -> ResultPath {
        ResultPath::Path(ReferencePath::parse(text).unwrap())
    }

    #[test]
    fn result_path_replaces_merges_or_discards() {
        let input = Arc::new(json!({"a": 1}));
        let result = Arc::new(json!({"b": 2}));
        let apply = |path: &ResultPath| path.apply(input.clone(), result.clone()).unwrap();
        assert_eq!(*apply(&result_path("$")), json!({"b": 2}));
        assert_eq!(*apply(&result_path("$.r")), json!({"a": 1, "r": {"b": 2}}));
        assert_eq!(*apply(&ResultPath::Discard), json!({"a": 1}));
        assert_eq!(
            *input,
            json!({"a": 1}),
            "the shared input is never modified"
        );
    }

    #[test]
    fn result_path_into_a_scalar_is_a_match_failure() {
        let path = result_path("$.a.b");
        let input = Arc::new(json!({"a": 1}));
        assert!(!path.fits(&input));
        let error = path.apply(input, Arc::new(json!(2))).unwrap_err();
        assert_eq!(error.name, "States.ResultPathMatchFailure");
    }

    #[test]
    fn null_selector_gives_an_empty_object() {
        let selected = Selector::Empty.select_shared(Arc::new(json!([1]))).unwrap();
        assert_eq!(*selected, json!({}));
    }
}
