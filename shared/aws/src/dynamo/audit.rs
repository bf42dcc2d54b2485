//! The append-only audit log in `AUDIT_TABLE`: `booking_id` (key) and
//! `entry` (sort: the record's time to the millisecond, `#`, its event id),
//! so a booking's trail reads oldest first; `record` holds the record as JSON.
//! Records may arrive in any order: the trail is put in the booking's
//! version order as it is read.

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use berth_domain::ids::BookingId;
use berth_domain::ports::{AuditLog, AuditRecord};
use berth_domain::projections;

use crate::access::{Access, on};
use crate::config::{AwsConfig, MissingVariable, vars};
use crate::dynamo::item::{Item, get_json, json, s};
use crate::dynamo::schema::audit;

/// [`AuditLog`]. Needs `AUDIT_TABLE`.
#[derive(Debug, Clone)]
pub struct DynamoAudit {
    pub(super) client: Client,
    pub(super) table: String,
}

impl DynamoAudit {
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        Ok(Self::new(
            Client::new(config.sdk()),
            config.require(vars::AUDIT_TABLE)?,
        ))
    }

    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
        }
    }

    async fn append_one(&self, record: &AuditRecord) -> anyhow::Result<()> {
        let entry = format!(
            "{}#{}",
            record.occurred_at.format("%Y-%m-%dT%H:%M:%S%.3fZ"),
            record.event_id
        );
        let item: Item = [
            (audit::KEY.to_owned(), s(record.booking_id.as_str())),
            (audit::SORT.to_owned(), s(entry)),
            ("event_id".to_owned(), s(&record.event_id)),
            ("record".to_owned(), json(record)?),
        ]
        .into();
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(booking_id)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(()),
            // Appended before: records are never changed.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(())
            }
            Err(e) => Err(anyhow::Error::new(e).context("appending to the audit log")),
        }
    }
}

/// [`AuditLog`]: a conditional `PutItem` per record, `Query` for a trail.
pub const AUDIT_LOG: Access = Access {
    port: "AuditLog",
    grants: &[on(
        vars::AUDIT_TABLE,
        &["dynamodb:PutItem", "dynamodb:Query"],
    )],
    env: &[vars::AUDIT_TABLE],
};

#[async_trait]
impl AuditLog for DynamoAudit {
    async fn append(&self, records: &[AuditRecord]) -> anyhow::Result<()> {
        futures::future::try_join_all(records.iter().map(|r| self.append_one(r))).await?;
        Ok(())
    }

    async fn trail(&self, booking: &BookingId) -> anyhow::Result<Vec<AuditRecord>> {
        let mut trail = self
            .records_of(booking)
            .await?
            .iter()
            .map(|item| get_json(item, "record"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        projections::order_trail(&mut trail);
        Ok(trail)
    }
}

impl DynamoAudit {
    /// Every stored record of `booking`'s trail, all pages read.
    pub(crate) async fn records_of(&self, booking: &BookingId) -> anyhow::Result<Vec<Item>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .consistent_read(true)
                .key_condition_expression("#booking = :booking")
                .expression_attribute_names("#booking", audit::KEY)
                .expression_attribute_values(":booking", s(booking.as_str()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .context("reading an audit trail")?;
            items.extend(page.items().iter().cloned());
            match page.last_evaluated_key() {
                Some(key) => start = Some(key.clone()),
                None => return Ok(items),
            }
        }
    }
}
