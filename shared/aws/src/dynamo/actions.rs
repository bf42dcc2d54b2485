//! Building transaction actions: a [`Condition`] (expression, names, values)
//! and the put / delete / condition-check actions that carry one.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};

use crate::dynamo::item::Item;

/// A condition expression with its placeholders.
#[derive(Debug, Clone, Default)]
pub struct Condition {
    pub expression: String,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Condition {
    pub fn new(expression: impl Into<String>) -> Self {
        Self {
            expression: expression.into(),
            ..Default::default()
        }
    }

    /// `#placeholder` stands for attribute `attribute`.
    pub fn name(mut self, placeholder: &str, attribute: &str) -> Self {
        self.names
            .insert(placeholder.to_owned(), attribute.to_owned());
        self
    }

    /// `:placeholder` stands for `value`.
    pub fn value(mut self, placeholder: &str, value: AttributeValue) -> Self {
        self.values.insert(placeholder.to_owned(), value);
        self
    }

    /// DynamoDB refuses empty maps: `None` when there is nothing.
    pub fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }

    pub fn values(&self) -> Option<HashMap<String, AttributeValue>> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

/// Puts `item` if `condition` holds; a failed condition reports the old item.
pub fn put(table: &str, item: Item, condition: &Condition) -> anyhow::Result<TransactWriteItem> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .condition_expression(&condition.expression)
        .set_expression_attribute_names(condition.names())
        .set_expression_attribute_values(condition.values())
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Deletes the item at `key` if `condition` holds.
pub fn delete(table: &str, key: Item, condition: &Condition) -> anyhow::Result<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(table)
        .set_key(Some(key))
        .condition_expression(&condition.expression)
        .set_expression_attribute_names(condition.names())
        .set_expression_attribute_values(condition.values())
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// Deletes the item at `key`, whatever it holds.
pub fn delete_any(table: &str, key: Item) -> anyhow::Result<TransactWriteItem> {
    let delete = Delete::builder()
        .table_name(table)
        .set_key(Some(key))
        .build()?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}
