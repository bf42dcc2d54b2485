//! `DefinitionSubstitutions`, applied as SAM applies them: every `${Name}`
//! in a string value is replaced by the named substitution, `${!Name}` is a
//! literal `${Name}`, and a name without a substitution is an error.

use std::collections::HashMap;

use serde_json::Value;

use super::error::{LoadError, LoadProblem, child, item};
use super::fields::invalid;

pub(super) fn apply(
    value: &mut Value,
    substitutions: &HashMap<String, String>,
    at: &str,
) -> Result<(), LoadError> {
    match value {
        Value::String(text) if text.contains("${") => {
            *text = substitute(text, substitutions, at)?;
        }
        Value::Array(items) => {
            for (index, value) in items.iter_mut().enumerate() {
                apply(value, substitutions, &item(at, index))?;
            }
        }
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                apply(value, substitutions, &child(at, key))?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn substitute(
    text: &str,
    substitutions: &HashMap<String, String>,
    at: &str,
) -> Result<String, LoadError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| invalid(at, "unterminated `${` in a substitution"))?;
        let name = &after[..end];
        match name.strip_prefix('!') {
            Some(literal) => {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            }
            None => out.push_str(substitutions.get(name).ok_or_else(|| {
                LoadError::new(at, LoadProblem::MissingSubstitution(name.to_owned()))
            })?),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_names_and_keeps_escaped_ones() {
        let subs = HashMap::from([("Fn".to_owned(), "arn:fn".to_owned())]);
        let text = substitute("${Fn}:1 and ${!Literal}", &subs, "$").unwrap();
        assert_eq!(text, "arn:fn:1 and ${Literal}");
    }

    #[test]
    fn a_missing_name_is_an_error() {
        let error = substitute("${Nope}", &HashMap::new(), "$.States.A.Resource").unwrap_err();
        assert_eq!(error.path, "$.States.A.Resource");
        assert_eq!(
            error.problem,
            LoadProblem::MissingSubstitution("Nope".into())
        );
    }
}
