//! Why a definition was refused, and where in it.

/// A definition the executor refuses to run. `path` is a JSONPath to the
/// offending node, such as `$.States.Reserve.Retry[0].ErrorEquals`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {problem}")]
pub struct LoadError {
    pub path: String,
    pub problem: LoadProblem,
}

impl LoadError {
    pub(crate) fn new(path: impl Into<String>, problem: LoadProblem) -> Self {
        Self {
            path: path.into(),
            problem,
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadProblem {
    #[error("not valid JSON: {0}")]
    InvalidJson(String),
    #[error("no definition substitution named {0:?}")]
    MissingSubstitution(String),
    #[error(
        "unsupported QueryLanguage {0:?}: only JSONPath runs locally (JSONata is refused: no Rust implementation of it is complete enough to give what AWS gives)"
    )]
    UnsupportedQueryLanguage(String),
    #[error("unsupported state type {0:?}")]
    UnsupportedStateType(String),
    #[error("unknown or unsupported field {0:?}")]
    UnknownField(String),
    #[error("missing required field {0:?}")]
    MissingField(&'static str),
    #[error("{0}")]
    InvalidValue(String),
    #[error("unsupported path {path:?}: {reason}")]
    UnsupportedPath { path: String, reason: String },
    #[error("unknown or unsupported intrinsic function {0:?}")]
    UnknownIntrinsic(String),
    #[error("no state is named {0:?}")]
    UnknownState(String),
    #[error("no transition leads to this state from StartAt")]
    UnreachableState,
    #[error("resource {0:?} is not mapped to a task handler")]
    UnmappedResource(String),
    #[error("States.ALL must be the only error name of the last retrier or catcher")]
    MisplacedStatesAll,
}

/// Builds the JSONPath of a child node for error messages.
pub(crate) fn child(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}['{key}']")
    }
}

pub(crate) fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}
