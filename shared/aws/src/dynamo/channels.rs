//! Calendar sync in `CALENDAR_TABLE`, beside the nights of each property
//! (docs/dynamodb.md): a property's feeds, export token and conflicts are
//! items of its partition whose sort keys start with `~`, which sorts after
//! every date, so a query of nights by date never meets them.
//!
//! - feed: `~feed#<feed id>` (feed ids are time-ordered: oldest first),
//!   `listed_feed` (the feed id, key of the sparse index that lists every
//!   feed for the scheduled sync), `data` (the feed as JSON);
//! - export token: `~export`, `token`;
//! - conflict: `~conflict#<date>#<feed id>#<booking id>`, `data`.
//!
//! Imported nights are night items ([`nights`]), each written under the
//! import rule's condition, many to a transaction with their
//! `CalendarChanged` event; a night refused is dropped and the rest tried
//! again, as a booking's release does.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::TransactWriteItem;
use berth_domain::calendar::Night;
use berth_domain::calendar_sync::imported_event;
use berth_domain::channels::{Conflict, ExportToken, Feed};
use berth_domain::dates::{Date, Timestamp};
use berth_domain::events::DomainEvent;
use berth_domain::ids::{FeedId, PropertyId};
use berth_domain::ports::{CalendarConflicts, ExportLinks, FeedNights, FeedStore};

use crate::access::{Access, on};
use crate::config::vars;
use crate::dynamo::actions::{Condition, delete, put};
use crate::dynamo::catalog::{CALENDAR_ENV, DynamoCalendar};
use crate::dynamo::item::{Item, get_json, get_s, json, s};
use crate::dynamo::nights;
use crate::dynamo::outbox;
use crate::dynamo::schema::calendar;
use crate::dynamo::transact::{Check, MAX_ACTIONS, TransactError, transact};

const FEED: &str = "~feed#";
const EXPORT: &str = "~export";
const CONFLICT: &str = "~conflict#";

fn key(property: &PropertyId, sort: String) -> Item {
    [
        (calendar::KEY.to_owned(), s(property.as_str())),
        (calendar::SORT.to_owned(), s(sort)),
    ]
    .into()
}

fn feed_item(feed: &Feed) -> anyhow::Result<Item> {
    let mut item = key(&feed.property_id, format!("{FEED}{}", feed.id));
    item.insert(calendar::FEED_LIST_KEY.into(), s(feed.id.as_str()));
    item.insert("data".into(), json(feed)?);
    Ok(item)
}

/// Whether a conditional write's condition held: `false` when DynamoDB
/// refused it for that, an error for anything else.
fn held<T, E, R>(outcome: Result<T, SdkError<E, R>>, what: &'static str) -> anyhow::Result<bool>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match outcome {
        Ok(_) => Ok(true),
        Err(e) if e.code() == Some("ConditionalCheckFailedException") => Ok(false),
        Err(e) => Err(anyhow::Error::new(e).context(what)),
    }
}

fn condition(exists: bool) -> &'static str {
    if exists {
        "attribute_exists(property_id)"
    } else {
        "attribute_not_exists(property_id)"
    }
}

/// [`FeedStore`]: `Query` of a property's feeds, `Scan` of the feeds index,
/// conditional `PutItem` and `DeleteItem`.
pub const FEED_STORE: Access = Access {
    port: "FeedStore",
    grants: &[on(
        vars::CALENDAR_TABLE,
        &[
            "dynamodb:Query",
            "dynamodb:Scan",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
        ],
    )],
    env: CALENDAR_ENV,
};

/// [`FeedNights`]: `Query` of the nights, transactions of night puts and
/// deletes with their event.
pub const FEED_NIGHTS: Access = Access {
    port: "FeedNights",
    grants: &[
        on(
            vars::CALENDAR_TABLE,
            &["dynamodb:Query", "dynamodb:PutItem", "dynamodb:DeleteItem"],
        ),
        on(vars::OUTBOX_TABLE, &["dynamodb:PutItem"]),
    ],
    env: CALENDAR_ENV,
};

/// [`CalendarConflicts`]: `Query`, and a transaction putting a conflict
/// (if new) with its event.
pub const CALENDAR_CONFLICTS: Access = Access {
    port: "CalendarConflicts",
    grants: &[
        on(
            vars::CALENDAR_TABLE,
            &["dynamodb:Query", "dynamodb:PutItem"],
        ),
        on(vars::OUTBOX_TABLE, &["dynamodb:PutItem"]),
    ],
    env: CALENDAR_ENV,
};

/// [`ExportLinks`]: `GetItem` and `PutItem` of the token.
pub const EXPORT_LINKS: Access = Access {
    port: "ExportLinks",
    grants: &[on(
        vars::CALENDAR_TABLE,
        &["dynamodb:GetItem", "dynamodb:PutItem"],
    )],
    env: CALENDAR_ENV,
};

impl DynamoCalendar {
    /// The items of a property's partition whose sort key starts with
    /// `prefix`, every page (the SDK's paginator follows LastEvaluatedKey).
    async fn items_of(&self, property: &PropertyId, prefix: &str) -> anyhow::Result<Vec<Item>> {
        self.client
            .query()
            .table_name(&self.table)
            .consistent_read(true)
            .key_condition_expression("#p = :p AND begins_with(#d, :prefix)")
            .expression_attribute_names("#p", calendar::KEY)
            .expression_attribute_names("#d", calendar::SORT)
            .expression_attribute_values(":p", s(property.as_str()))
            .expression_attribute_values(":prefix", s(prefix))
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .context("querying a property's calendar records")
    }

    /// Puts `item` if the item at its key `exists` (or, `false`, does
    /// not): `false` when it did not hold. A single conditional `PutItem`
    /// (1 WRU), not a transaction (2).
    async fn put_if(&self, item: Item, exists: bool) -> anyhow::Result<bool> {
        let put = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition(exists))
            .send()
            .await;
        held(put, "writing a calendar sync record")
    }

    /// Writes `dates` with `action` each (under its condition), with the
    /// event `event_of` makes of the dates written, as many to a
    /// transaction as fit. A date refused is dropped (with the item it
    /// found) and the rest of its transaction tried again.
    async fn night_by_night(
        &self,
        dates: Vec<Date>,
        action: impl Fn(Date) -> anyhow::Result<TransactWriteItem>,
        event_of: impl Fn(Vec<Date>) -> DomainEvent,
    ) -> anyhow::Result<Vec<(Date, Option<Item>)>> {
        let mut refused = Vec::new();
        for chunk in dates.chunks(MAX_ACTIONS - 1) {
            let mut chunk = chunk.to_vec();
            while !chunk.is_empty() {
                let mut actions = chunk
                    .iter()
                    .map(|d| action(*d))
                    .collect::<anyhow::Result<Vec<_>>>()?;
                actions.push(outbox::record(&self.outbox, &event_of(chunk.clone()))?);
                let checks = match transact(&self.client, actions).await {
                    Ok(()) => break,
                    Err(TransactError::Refused(checks)) => checks,
                    Err(TransactError::Unexpected(e)) => {
                        return Err(e.context("writing imported nights"));
                    }
                };
                let before = chunk.len();
                let mut kept = Vec::new();
                for (date, check) in chunk.into_iter().zip(checks) {
                    match check {
                        Check::Failed(old) => refused.push((date, old)),
                        Check::Passed => kept.push(date),
                    }
                }
                anyhow::ensure!(kept.len() < before, "a calendar event is recorded already");
                chunk = kept;
            }
        }
        Ok(refused)
    }
}

#[async_trait]
impl FeedStore for DynamoCalendar {
    async fn feeds(&self, property: &PropertyId) -> anyhow::Result<Vec<Feed>> {
        let items = self.items_of(property, FEED).await?;
        items.iter().map(|item| get_json(item, "data")).collect()
    }

    async fn all_feeds(&self) -> anyhow::Result<Vec<Feed>> {
        let items = self
            .client
            .scan()
            .table_name(&self.table)
            .index_name(calendar::FEEDS)
            .into_paginator()
            .items()
            .send()
            .collect::<Result<Vec<_>, _>>()
            .await
            .context("listing every feed")?;
        items.iter().map(|item| get_json(item, "data")).collect()
    }

    async fn insert_feed(&self, feed: &Feed) -> anyhow::Result<()> {
        let inserted = self.put_if(feed_item(feed)?, false).await?;
        anyhow::ensure!(inserted, "feed {} exists already", feed.id);
        Ok(())
    }

    async fn save_feed(&self, feed: &Feed) -> anyhow::Result<bool> {
        self.put_if(feed_item(feed)?, true).await
    }

    async fn delete_feed(&self, property: &PropertyId, feed: &FeedId) -> anyhow::Result<bool> {
        let deleted = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(property, format!("{FEED}{feed}"))))
            .condition_expression(condition(true))
            .send()
            .await;
        held(deleted, "deleting a feed")
    }
}

#[async_trait]
impl FeedNights for DynamoCalendar {
    async fn import_nights(
        &self,
        property: &PropertyId,
        feed: &FeedId,
        close: &BTreeMap<Date, String>,
        now: Timestamp,
    ) -> anyhow::Result<Vec<Night>> {
        let condition = nights::may_import(feed, now);
        let action = |date: Date| {
            let state = berth_domain::calendar::NightState::Imported {
                feed_id: feed.clone(),
                event_uid: close.get(&date).cloned().unwrap_or_default(),
            };
            put(
                &self.table,
                nights::item(property, date, &state),
                &condition,
            )
        };
        let event = |dates| imported_event(property, dates, true, now);
        let refused = self
            .night_by_night(close.keys().copied().collect(), action, event)
            .await?;
        refused
            .into_iter()
            .filter_map(|(_, old)| old)
            .map(|old| nights::night_of(&old))
            .collect()
    }

    async fn release_imported(
        &self,
        property: &PropertyId,
        feed: &FeedId,
        open: &BTreeSet<Date>,
        now: Timestamp,
    ) -> anyhow::Result<()> {
        let condition = nights::may_unimport(feed);
        let action = |date: Date| delete(&self.table, nights::key(property, date), &condition);
        let event = |dates| imported_event(property, dates, false, now);
        // A night no longer this feed's is left to whoever has it now.
        self.night_by_night(open.iter().copied().collect(), action, event)
            .await?;
        Ok(())
    }
}

#[async_trait]
impl CalendarConflicts for DynamoCalendar {
    async fn record_conflict(
        &self,
        property: &PropertyId,
        conflict: &Conflict,
        event: &DomainEvent,
    ) -> anyhow::Result<bool> {
        let sort = format!(
            "{CONFLICT}{}#{}#{}",
            conflict.date, conflict.feed_id, conflict.booking_id
        );
        let mut item = key(property, sort);
        item.insert("data".into(), json(conflict)?);
        let actions = vec![
            put(&self.table, item, &Condition::new(condition(false)))?,
            outbox::record(&self.outbox, event)?,
        ];
        match transact(&self.client, actions).await {
            Ok(()) => Ok(true),
            Err(TransactError::Refused(checks))
                if TransactError::first_failed(&checks, 0..1).is_some() =>
            {
                Ok(false)
            }
            Err(e) => Err(anyhow::Error::new(e).context("recording a calendar conflict")),
        }
    }

    async fn conflicts(&self, property: &PropertyId) -> anyhow::Result<Vec<Conflict>> {
        let items = self.items_of(property, CONFLICT).await?;
        items.iter().map(|item| get_json(item, "data")).collect()
    }
}

#[async_trait]
impl ExportLinks for DynamoCalendar {
    async fn export_token(&self, property: &PropertyId) -> anyhow::Result<Option<ExportToken>> {
        let read = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(property, EXPORT.to_owned())))
            .consistent_read(true)
            .send()
            .await
            .context("reading an export token")?;
        read.item()
            .map(|item| Ok(ExportToken::try_from(get_s(item, "token")?.to_owned())?))
            .transpose()
    }

    async fn issue_export_token(
        &self,
        property: &PropertyId,
        token: &ExportToken,
    ) -> anyhow::Result<ExportToken> {
        let mut item = key(property, EXPORT.to_owned());
        item.insert("token".into(), s(token.as_str()));
        if self.put_if(item, false).await? {
            return Ok(token.clone());
        }
        self.export_token(property)
            .await?
            .context("an export token that exists and then does not")
    }

    async fn replace_export_token(
        &self,
        property: &PropertyId,
        token: &ExportToken,
    ) -> anyhow::Result<()> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(key(property, EXPORT.to_owned())))
            .item("token", s(token.as_str()))
            .send()
            .await
            .context("rotating an export token")?;
        Ok(())
    }
}
