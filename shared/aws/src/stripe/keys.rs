//! Which Stripe object a payment key made, in `PAYMENTS_TABLE`: item
//! `payment_key` (`charge#<key>` or `refund#<key>`), `stripe_id`,
//! `created_at`. Read strongly consistent, so a retry always finds what
//! an earlier attempt made; the first mapping written wins.

use anyhow::Context;
use aws_sdk_dynamodb::Client;
use chrono::Utc;

use crate::dynamo::item::{Item, get_s, s};
use crate::dynamo::schema::payments;

#[derive(Debug, Clone)]
pub struct PaymentKeys {
    client: Client,
    table: String,
}

impl PaymentKeys {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    pub async fn find(&self, key: &str) -> anyhow::Result<Option<String>> {
        let read = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(payments::KEY, s(key))
            .consistent_read(true)
            .send()
            .await
            .context("reading a payment key")?;
        read.item()
            .map(|item| get_s(item, "stripe_id").map(str::to_owned))
            .transpose()
    }

    /// Maps `key` to `stripe_id` unless it is mapped already; answers the mapping that holds.
    pub async fn remember(&self, key: &str, stripe_id: &str) -> anyhow::Result<String> {
        let item: Item = [
            (payments::KEY.to_owned(), s(key)),
            ("stripe_id".to_owned(), s(stripe_id)),
            ("created_at".to_owned(), s(Utc::now().to_rfc3339())),
        ]
        .into();
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(payment_key)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(stripe_id.to_owned()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                self.find(key)
                    .await?
                    .context("a payment key mapping vanished")
            }
            Err(e) => Err(anyhow::Error::new(e).context("remembering a payment key")),
        }
    }
}
