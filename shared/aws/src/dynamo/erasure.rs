//! Erasure over DynamoDB ([`PersonalData`]): the users table drops the
//! profile and signals; the properties table pseudonymises a host's
//! listings (`host_id` and the listing's JSON); the bookings adapter pseudonymises the user's
//! bookings, deletes their Idempotency-Keys and pseudonymises the outbox's
//! events that name them; the audit log pseudonymises the records of their
//! bookings. Each rewrite is conditioned on the value it read, so a change
//! landing in between fails the erasure, which SQS then retries.
//!
//! IAM: users `dynamodb:DeleteItem`; properties `dynamodb:Scan`,
//! `dynamodb:UpdateItem`; bookings `dynamodb:GetItem`,
//! `dynamodb:UpdateItem`; idempotency `dynamodb:Query`,
//! `dynamodb:DeleteItem`; outbox `dynamodb:Scan`, `dynamodb:UpdateItem`;
//! audit `dynamodb:Query`, `dynamodb:UpdateItem`.

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use berth_domain::ports::{Erasure, PersonalData};

use crate::access::{Access, on};
use crate::config::vars;
use crate::dynamo::bookings::BOOKINGS_ENV;
use crate::dynamo::catalog::PROPERTIES_ENV;
use crate::dynamo::item::{Item, get_s, s};
use crate::dynamo::schema::{audit, bookings, idempotency, outbox, properties, users};
use crate::dynamo::users::USERS_ENV;
use crate::dynamo::{DynamoAudit, DynamoBookings, DynamoProperties, DynamoUsers};

/// [`PersonalData`] on the users table: the profile and signals go.
pub const USERS: Access = Access {
    port: "PersonalData",
    grants: &[on(vars::USERS_TABLE, &["dynamodb:DeleteItem"])],
    env: USERS_ENV,
};

/// [`PersonalData`] on the properties table: a host's listings are
/// pseudonymised. The table has no index by host, so it is scanned (a
/// filter on `host_id`); erasures are rare and the table one item per listing.
pub const PROPERTIES: Access = Access {
    port: "PersonalData",
    grants: &[on(
        vars::PROPERTIES_TABLE,
        &["dynamodb:Scan", "dynamodb:UpdateItem"],
    )],
    env: PROPERTIES_ENV,
};

/// [`PersonalData`] on the audit table: the user's bookings' records are
/// pseudonymised.
pub const AUDIT: Access = Access {
    port: "PersonalData",
    grants: &[on(
        vars::AUDIT_TABLE,
        &["dynamodb:Query", "dynamodb:UpdateItem"],
    )],
    env: &[vars::AUDIT_TABLE],
};

/// [`PersonalData`] on the bookings adapter's tables: bookings and outbox
/// events pseudonymised, Idempotency-Keys deleted.
pub const BOOKINGS: Access = Access {
    port: "PersonalData",
    grants: &[
        on(
            vars::BOOKINGS_TABLE,
            &["dynamodb:GetItem", "dynamodb:UpdateItem"],
        ),
        on(
            vars::IDEMPOTENCY_TABLE,
            &["dynamodb:Query", "dynamodb:DeleteItem"],
        ),
        on(
            vars::OUTBOX_TABLE,
            &["dynamodb:Scan", "dynamodb:UpdateItem"],
        ),
    ],
    env: BOOKINGS_ENV,
};

/// The item's key attributes.
fn key_of(item: &Item, names: &[&str]) -> Item {
    names
        .iter()
        .filter_map(|name| item.get(*name).map(|v| ((*name).to_owned(), v.clone())))
        .collect()
}

/// Replaces the JSON in `item`'s `attribute` by its pseudonymised form (and
/// sets `also`), if it still holds what was read. Does nothing when the
/// JSON does not mention the user.
async fn pseudonymise(
    client: &Client,
    table: &str,
    key: Item,
    item: &Item,
    attribute: &str,
    erasure: &Erasure,
    also: &[&str],
) -> anyhow::Result<()> {
    let old = get_s(item, attribute)?;
    let Some(new) = erasure.pseudonymise(old) else {
        return Ok(());
    };
    let mut update = client
        .update_item()
        .table_name(table)
        .set_key(Some(key))
        .condition_expression("#json = :old")
        .expression_attribute_names("#json", attribute)
        .expression_attribute_values(":old", s(old))
        .expression_attribute_values(":new", s(new));
    let mut sets = vec!["#json = :new".to_owned()];
    for (i, name) in also.iter().enumerate() {
        if item.get(*name) == Some(&s(erasure.user.as_str())) {
            sets.push(format!("#also{i} = :pseudonym"));
            update = update.expression_attribute_names(format!("#also{i}"), *name);
        }
    }
    // DynamoDB refuses a value the expressions do not use.
    if sets.len() > 1 {
        update = update.expression_attribute_values(":pseudonym", s(erasure.pseudonym.as_str()));
    }
    update
        .update_expression(format!("SET {}", sets.join(", ")))
        .send()
        .await
        .with_context(|| format!("pseudonymising an item of {table}"))?;
    Ok(())
}

#[async_trait]
impl PersonalData for DynamoUsers {
    async fn forget(&self, erasure: &Erasure) -> anyhow::Result<()> {
        for sort in ["PROFILE", "SIGNALS"] {
            let key: Item = [
                (users::KEY.to_owned(), s(format!("USER#{}", erasure.user))),
                (users::SORT.to_owned(), s(sort)),
            ]
            .into();
            self.client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key))
                .send()
                .await
                .context("deleting a user's record")?;
        }
        Ok(())
    }
}

#[async_trait]
impl PersonalData for DynamoProperties {
    async fn forget(&self, erasure: &Erasure) -> anyhow::Result<()> {
        let scan = self
            .client
            .scan()
            .table_name(&self.table)
            .filter_expression("#host = :user")
            .expression_attribute_names("#host", "host_id")
            .expression_attribute_values(":user", s(erasure.user.as_str()))
            .consistent_read(true);
        let listings = Scanned {
            table: &self.table,
            key: &[properties::KEY],
            json: "data",
            also: &["host_id"],
        };
        listings.pseudonymise(&self.client, scan, erasure).await
    }
}

/// The items a scan finds, pseudonymised: their `json` attribute, and any
/// of `also` that holds the user's id.
struct Scanned<'a> {
    table: &'a str,
    key: &'a [&'a str],
    json: &'a str,
    also: &'a [&'a str],
}

impl Scanned<'_> {
    async fn pseudonymise(
        &self,
        client: &Client,
        scan: aws_sdk_dynamodb::operation::scan::builders::ScanFluentBuilder,
        erasure: &Erasure,
    ) -> anyhow::Result<()> {
        let mut start = None;
        loop {
            let page = scan
                .clone()
                .set_exclusive_start_key(start)
                .send()
                .await
                .with_context(|| format!("finding what names an erased user in {}", self.table))?;
            for item in page.items() {
                let key = key_of(item, self.key);
                pseudonymise(client, self.table, key, item, self.json, erasure, self.also).await?;
            }
            match page.last_evaluated_key() {
                Some(key) => start = Some(key.clone()),
                None => return Ok(()),
            }
        }
    }
}

#[async_trait]
impl PersonalData for DynamoAudit {
    async fn forget(&self, erasure: &Erasure) -> anyhow::Result<()> {
        for booking in &erasure.bookings {
            for item in &self.records_of(booking).await? {
                let key = key_of(item, &[audit::KEY, audit::SORT]);
                pseudonymise(&self.client, &self.table, key, item, "record", erasure, &[]).await?;
            }
        }
        Ok(())
    }
}

#[async_trait]
impl PersonalData for DynamoBookings {
    async fn forget(&self, erasure: &Erasure) -> anyhow::Result<()> {
        self.forget_requests(erasure).await?;
        self.forget_outbox(erasure).await?;
        // Last: until the bookings change, a retry still finds them.
        for id in &erasure.bookings {
            let key: Item = [(bookings::KEY.to_owned(), s(id.as_str()))].into();
            let read = self
                .client
                .get_item()
                .table_name(&self.tables.bookings)
                .set_key(Some(key.clone()))
                .consistent_read(true)
                .send()
                .await
                .context("reading a booking to erase")?;
            if let Some(item) = read.item() {
                let also = ["guest_id", "host_id"];
                pseudonymise(
                    &self.client,
                    &self.tables.bookings,
                    key,
                    item,
                    "data",
                    erasure,
                    &also,
                )
                .await?;
            }
        }
        Ok(())
    }
}

impl DynamoBookings {
    /// Deletes the user's Idempotency-Keys (each holds a copy of its booking).
    async fn forget_requests(&self, erasure: &Erasure) -> anyhow::Result<()> {
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.tables.idempotency)
                .key_condition_expression("#user = :user")
                .expression_attribute_names("#user", idempotency::KEY)
                .expression_attribute_values(":user", s(erasure.user.as_str()))
                .set_exclusive_start_key(start)
                .send()
                .await
                .context("finding a user's Idempotency-Keys")?;
            for item in page.items() {
                self.client
                    .delete_item()
                    .table_name(&self.tables.idempotency)
                    .set_key(Some(key_of(item, &[idempotency::KEY, idempotency::SORT])))
                    .send()
                    .await
                    .context("deleting an Idempotency-Key")?;
            }
            match page.last_evaluated_key() {
                Some(key) => start = Some(key.clone()),
                None => return Ok(()),
            }
        }
    }

    /// Pseudonymises the outbox's events that name the user (the table
    /// keeps a week of events; a scan is fine for a rare erasure).
    async fn forget_outbox(&self, erasure: &Erasure) -> anyhow::Result<()> {
        let [(plain, _), (nested, _)] = erasure.replacements();
        let scan = self
            .client
            .scan()
            .table_name(&self.tables.outbox)
            .filter_expression("contains(#event, :plain) OR contains(#event, :nested)")
            .expression_attribute_names("#event", "event")
            .expression_attribute_values(":plain", AttributeValue::S(plain))
            .expression_attribute_values(":nested", AttributeValue::S(nested));
        let events = Scanned {
            table: &self.tables.outbox,
            key: &[outbox::KEY],
            json: "event",
            also: &[],
        };
        events.pseudonymise(&self.client, scan, erasure).await
    }
}
