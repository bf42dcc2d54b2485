//! Reading secrets from Secrets Manager, once, at init. Secret values are
//! never logged.

use anyhow::Context;
use aws_sdk_secretsmanager::Client;

/// The secret's string value.
pub async fn secret_string(client: &Client, secret_id: &str) -> anyhow::Result<String> {
    let found = client
        .get_secret_value()
        .secret_id(secret_id)
        .send()
        .await
        .with_context(|| format!("reading secret {secret_id}"))?;
    found
        .secret_string()
        .map(str::to_owned)
        .with_context(|| format!("secret {secret_id} has no string value"))
}

/// A value kept either as the whole secret string or, when the secret is a
/// JSON object (as the console writes key/value secrets), as its `field`.
pub fn field_or_whole(secret: &str, field: &str) -> anyhow::Result<String> {
    let value = match serde_json::from_str::<serde_json::Value>(secret) {
        Ok(serde_json::Value::Object(map)) => map
            .get(field)
            .and_then(|v| v.as_str())
            .map(str::to_owned)
            .with_context(|| format!("the secret is a JSON object without a string {field:?}"))?,
        _ => secret.trim().to_owned(),
    };
    anyhow::ensure!(!value.is_empty(), "the secret is empty");
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_is_the_whole_string_or_a_field_of_its_json() {
        assert_eq!(
            field_or_whole("sk_test_123\n", "secret_key").unwrap(),
            "sk_test_123"
        );
        assert_eq!(
            field_or_whole(r#"{"secret_key":"sk_test_456"}"#, "secret_key").unwrap(),
            "sk_test_456"
        );
        assert!(field_or_whole(r#"{"other":"x"}"#, "secret_key").is_err());
        assert!(field_or_whole("  ", "secret_key").is_err());
    }
}
