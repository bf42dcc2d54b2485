//! How values sit in DynamoDB items: keys and indexed values as plain
//! attributes, instants used in conditions as Unix milliseconds, TTL
//! attributes as Unix seconds, whole records as JSON in `data`.

use std::collections::HashMap;

use anyhow::{Context, anyhow};
use aws_sdk_dynamodb::types::AttributeValue;
use berth_domain::dates::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub type Item = HashMap<String, AttributeValue>;

pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn millis(instant: Timestamp) -> i64 {
    instant.timestamp_millis()
}

/// A TTL attribute: whole seconds, rounded up so nothing is purged early.
pub fn ttl_seconds(instant: Timestamp) -> i64 {
    let millis = instant.timestamp_millis();
    millis.div_euclid(1000) + i64::from(millis.rem_euclid(1000) != 0)
}

pub fn json<T: Serialize>(value: &T) -> anyhow::Result<AttributeValue> {
    Ok(s(serde_json::to_string(value)?))
}

pub fn get_s<'a>(item: &'a Item, name: &str) -> anyhow::Result<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(text)) => Ok(text),
        other => Err(anyhow!("attribute {name} is not a string: {other:?}")),
    }
}

pub fn get_n(item: &Item, name: &str) -> anyhow::Result<i64> {
    match item.get(name) {
        Some(AttributeValue::N(text)) => text
            .parse()
            .with_context(|| format!("attribute {name} is not an integer: {text}")),
        other => Err(anyhow!("attribute {name} is not a number: {other:?}")),
    }
}

/// The record kept as JSON in attribute `name`.
pub fn get_json<T: DeserializeOwned>(item: &Item, name: &str) -> anyhow::Result<T> {
    serde_json::from_str(get_s(item, name)?).with_context(|| format!("decoding attribute {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn ttl_rounds_up_to_whole_seconds() {
        let whole = Utc.timestamp_opt(1_700_000_000, 0).unwrap();
        assert_eq!(ttl_seconds(whole), 1_700_000_000);
        let later = Utc.timestamp_millis_opt(1_700_000_000_001).unwrap();
        assert_eq!(ttl_seconds(later), 1_700_000_001);
    }

    #[test]
    fn attributes_decode_or_say_what_is_wrong() {
        let item: Item = [("a".to_owned(), s("x")), ("b".to_owned(), n(42))].into();
        assert_eq!(get_s(&item, "a").unwrap(), "x");
        assert_eq!(get_n(&item, "b").unwrap(), 42);
        assert!(get_n(&item, "a").unwrap_err().to_string().contains("a"));
        assert!(get_s(&item, "missing").is_err());
    }
}
