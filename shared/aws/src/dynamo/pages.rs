//! Newest-first pages of one partition of a global secondary index whose
//! sort key is a time-ordered id (UUID v7): a guest's or a host's bookings,
//! a host's listings. One Query per page (more only when DynamoDB stops
//! early at 1 MB); the cursor is the last id of the page before.

use anyhow::Context;
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;

use crate::dynamo::actions::Condition;
use crate::dynamo::item::{get_json, s};

/// Which partition of which index: `key = value`, sorted by `sort`.
pub struct Partition<'a> {
    pub table: &'a str,
    pub index: &'static str,
    pub key: &'static str,
    pub value: &'a str,
    pub sort: &'static str,
}

/// Up to `limit + 1` records (the items' `data`) with a sort key below
/// `after`, newest first: the one beyond `limit` tells that more follow
/// ([`berth_domain::ports::Page::from_one_more`]).
pub async fn newest_first<T: DeserializeOwned>(
    client: &Client,
    partition: &Partition<'_>,
    limit: u32,
    after: Option<&str>,
) -> anyhow::Result<Vec<T>> {
    let wanted = limit as usize + 1;
    let mut condition = Condition::new("#key = :key")
        .name("#key", partition.key)
        .value(":key", s(partition.value));
    if let Some(after) = after {
        condition = Condition::new("#key = :key AND #sort < :after")
            .name("#key", partition.key)
            .name("#sort", partition.sort)
            .value(":key", s(partition.value))
            .value(":after", s(after));
    }
    let mut items: Vec<T> = Vec::new();
    let mut start = None;
    while items.len() < wanted {
        let ask = i32::try_from(wanted - items.len()).unwrap_or(i32::MAX);
        let found = client
            .query()
            .table_name(partition.table)
            .index_name(partition.index)
            .key_condition_expression(&condition.expression)
            .set_expression_attribute_names(condition.names())
            .set_expression_attribute_values(condition.values())
            .scan_index_forward(false)
            .limit(ask)
            .set_exclusive_start_key(start)
            .send()
            .await
            .with_context(|| format!("querying index {}", partition.index))?;
        for item in found.items() {
            items.push(get_json(item, "data")?);
        }
        match found.last_evaluated_key() {
            Some(key) => start = Some(key.clone()),
            None => break,
        }
    }
    Ok(items)
}
