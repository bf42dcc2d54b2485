//! Errors shared by every domain area. Each use case has its own enum beside it;
//! this module holds what they have in common.

use std::fmt;

/// A value from outside that breaks a rule: which field, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct InvalidInput {
    /// Dotted path of the offending field, such as `nightly_price.amount`.
    pub field: String,
    pub problem: String,
}

impl InvalidInput {
    pub fn new(field: impl Into<String>, problem: impl fmt::Display) -> Self {
        Self {
            field: field.into(),
            problem: problem.to_string(),
        }
    }

    /// The same problem, blamed on `field` (for values whose own parser does
    /// not know which request field they came from).
    pub fn named(self, field: &str) -> Self {
        Self {
            field: field.to_owned(),
            ..self
        }
    }

    /// The same problem seen from an enclosing field: `currency` inside
    /// `nightly_price` becomes `nightly_price.currency`.
    pub fn at(self, parent: &str) -> Self {
        let field = if self.field.is_empty() {
            parent.to_owned()
        } else {
            format!("{parent}.{}", self.field)
        };
        Self { field, ..self }
    }
}
