//! Profiles and learned signals in `USERS_TABLE`, keyed `pk` = `USER#<id>`
//! and `sk` = `PROFILE` or `SIGNALS`. Erasure deletes both in one
//! transaction with its event.
//!
//! The signals item keeps the ids of the events it learned from (`learned`,
//! a string set) and a `version`: learning is a read, then a put
//! conditioned on that version, retried when another learn got in first.

use std::collections::BTreeSet;

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use berth_domain::events::DomainEvent;
use berth_domain::ids::UserId;
use berth_domain::ports::{Profiles, SignalStore};
use berth_domain::property::Amenity;
use berth_domain::user::{Profile, Signals};

use crate::access::{Access, on};
use crate::config::{AwsConfig, MissingVariable, vars};
use crate::dynamo::actions::delete_any;
use crate::dynamo::item::{Item, get_json, get_n, json, n, s};
use crate::dynamo::outbox;
use crate::dynamo::schema::users;
use crate::dynamo::transact::transact;
use crate::retry::Backoff;

const PROFILE: &str = "PROFILE";
const SIGNALS: &str = "SIGNALS";

/// [`Profiles`] and [`SignalStore`]. Needs `USERS_TABLE`, `OUTBOX_TABLE`.
#[derive(Debug, Clone)]
pub struct DynamoUsers {
    pub(super) client: Client,
    pub(super) table: String,
    outbox: String,
}

fn key(user: &UserId, sort: &str) -> Item {
    [
        (users::KEY.to_owned(), s(format!("USER#{user}"))),
        (users::SORT.to_owned(), s(sort)),
    ]
    .into()
}

impl DynamoUsers {
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        Ok(Self::new(
            Client::new(config.sdk()),
            config.require(vars::USERS_TABLE)?,
            config.require(vars::OUTBOX_TABLE)?,
        ))
    }

    pub fn new(client: Client, table: impl Into<String>, outbox: impl Into<String>) -> Self {
        Self {
            client,
            table: table.into(),
            outbox: outbox.into(),
        }
    }

    async fn read(&self, user: &UserId, sort: &str) -> anyhow::Result<Option<Item>> {
        let read = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(user, sort)))
            .consistent_read(true)
            .send()
            .await
            .context("reading a user's record")?;
        Ok(read.item().cloned())
    }
}

/// The environment [`DynamoUsers::from_env`] reads.
pub const USERS_ENV: &[&str] = &[vars::USERS_TABLE, vars::OUTBOX_TABLE];

/// [`Profiles`]: `GetItem`, `PutItem`; erasure is a transaction deleting the
/// profile and signals and putting its event.
pub const PROFILES: Access = Access {
    port: "Profiles",
    grants: &[
        on(
            vars::USERS_TABLE,
            &[
                "dynamodb:GetItem",
                "dynamodb:PutItem",
                "dynamodb:DeleteItem",
            ],
        ),
        on(vars::OUTBOX_TABLE, &["dynamodb:PutItem"]),
    ],
    env: USERS_ENV,
};

#[async_trait]
impl Profiles for DynamoUsers {
    async fn profile(&self, user: &UserId) -> anyhow::Result<Option<Profile>> {
        self.read(user, PROFILE)
            .await?
            .map(|item| get_json(&item, "data"))
            .transpose()
    }

    async fn save_profile(&self, profile: &Profile) -> anyhow::Result<()> {
        let mut item = key(&profile.user_id, PROFILE);
        item.insert("data".into(), json(profile)?);
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .context("saving a profile")?;
        Ok(())
    }

    async fn erase(&self, user: &UserId, event: &DomainEvent) -> anyhow::Result<()> {
        let actions = vec![
            delete_any(&self.table, key(user, PROFILE))?,
            delete_any(&self.table, key(user, SIGNALS))?,
            outbox::record(&self.outbox, event)?,
        ];
        transact(&self.client, actions)
            .await
            .map_err(|e| anyhow::Error::new(e).context("erasing a user"))
    }
}

/// [`SignalStore`]: `GetItem` and a conditional `PutItem`.
pub const SIGNAL_STORE: Access = Access {
    port: "SignalStore",
    grants: &[on(
        vars::USERS_TABLE,
        &["dynamodb:GetItem", "dynamodb:PutItem"],
    )],
    env: USERS_ENV,
};

#[async_trait]
impl SignalStore for DynamoUsers {
    async fn signals(&self, user: &UserId) -> anyhow::Result<Signals> {
        match self.read(user, SIGNALS).await? {
            Some(item) => get_json(&item, "data"),
            None => Ok(Signals::default()),
        }
    }

    async fn learn(
        &self,
        user: &UserId,
        event_id: &str,
        city: &str,
        amenities: &BTreeSet<Amenity>,
    ) -> anyhow::Result<()> {
        let backoff = Backoff::CONTENTION;
        for retry in 0..backoff.attempts {
            let stored = self.read(user, SIGNALS).await?;
            let (mut signals, mut learned, version) = match &stored {
                Some(item) => (
                    get_json::<Signals>(item, "data")?,
                    match item.get("learned") {
                        Some(AttributeValue::Ss(ids)) => ids.clone(),
                        _ => vec![],
                    },
                    Some(get_n(item, "version")?),
                ),
                None => (Signals::default(), vec![], None),
            };
            if learned.iter().any(|id| id == event_id) {
                return Ok(());
            }
            signals.learn(city, amenities);
            learned.push(event_id.to_owned());
            let mut item = key(user, SIGNALS);
            item.extend([
                ("data".to_owned(), json(&signals)?),
                ("learned".to_owned(), AttributeValue::Ss(learned)),
                ("version".to_owned(), n(version.unwrap_or(0) + 1)),
            ]);
            let put = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item));
            let put = match version {
                None => put.condition_expression("attribute_not_exists(pk)"),
                Some(v) => put
                    .condition_expression("#version = :version")
                    .expression_attribute_names("#version", "version")
                    .expression_attribute_values(":version", n(v)),
            };
            match put.send().await {
                Ok(_) => return Ok(()),
                Err(e)
                    if e.as_service_error()
                        .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
                {
                    backoff.pause(retry).await;
                }
                Err(e) => return Err(anyhow::Error::new(e).context("storing signals")),
            }
        }
        anyhow::bail!("signals of {user} kept changing under learn")
    }
}
