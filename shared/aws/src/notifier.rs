//! Emailing notifications through SES v2, each at most once.
//!
//! The recipient's address comes from Cognito (the user whose `sub` is the
//! user id). Before sending, a marker is claimed in `USERS_TABLE` with a
//! conditional put (`pk` = `NOTIFICATION#<id>`, `sk` = `SENT`; no personal
//! data, TTL 30 days, past SQS's 14-day retention): a duplicate delivery
//! finds it and sends nothing. If SES refuses, the marker is released so a
//! retry may send; if the process dies between claim and send, the message
//! is not sent (at most once wins over at least once).
//!
//! Events reach the sender in any order, so before claiming, the booking's
//! newest notified version is advanced (`pk` = `NOTIFICATION#<booking id>`,
//! `sk` = `LATEST`, a conditional update that fails for an older version):
//! a notification about an older version than one sent is skipped.

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use berth_domain::ids::UserId;
use berth_domain::ports::{Notification, Notifier};
use chrono::{Duration, Utc};

use crate::access::{Access, Grant, on};
use crate::config::{AwsConfig, MissingVariable, vars};
use crate::dynamo::item::{Item, n, s, ttl_seconds};
use crate::dynamo::schema::{TTL_ATTRIBUTE, users};
use crate::identity::UserPool;

const MARKER_DAYS: i64 = 30;

/// [`Notifier`]. Needs `NOTIFY_FROM_ADDRESS`, `USER_POOL_ID`, `USERS_TABLE`.
#[derive(Debug, Clone)]
pub struct EmailNotifier {
    ses: aws_sdk_sesv2::Client,
    pool: UserPool,
    dynamo: aws_sdk_dynamodb::Client,
    users_table: String,
    from: String,
}

fn marker(notification: &Notification) -> Item {
    [
        (
            users::KEY.to_owned(),
            s(format!("NOTIFICATION#{}", notification.id)),
        ),
        (users::SORT.to_owned(), s("SENT")),
    ]
    .into()
}

impl EmailNotifier {
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        let sdk = config.sdk();
        Ok(Self {
            ses: aws_sdk_sesv2::Client::new(sdk),
            pool: UserPool::from_env(config)?,
            dynamo: aws_sdk_dynamodb::Client::new(sdk),
            users_table: config.require(vars::USERS_TABLE)?,
            from: config.require(vars::NOTIFY_FROM_ADDRESS)?,
        })
    }

    /// The user's email address, `None` when the pool has no such user or no address.
    pub async fn address_of(&self, user: &UserId) -> anyhow::Result<Option<String>> {
        self.pool
            .address_of(user)
            .await
            .context("looking up a recipient")
    }

    /// Records `notification.version` as the newest notified of its booking;
    /// `false` when a newer one was notified already (this one is late).
    async fn advance(&self, notification: &Notification) -> anyhow::Result<bool> {
        let key: Item = [
            (
                users::KEY.to_owned(),
                s(format!("NOTIFICATION#{}", notification.booking_id)),
            ),
            (users::SORT.to_owned(), s("LATEST")),
        ]
        .into();
        let update = self
            .dynamo
            .update_item()
            .table_name(&self.users_table)
            .set_key(Some(key))
            .update_expression("SET #version = :version, #ttl = :ttl")
            .condition_expression("attribute_not_exists(#version) OR #version <= :version")
            .expression_attribute_names("#version", "version")
            .expression_attribute_names("#ttl", TTL_ATTRIBUTE)
            .expression_attribute_values(":version", n(i64::try_from(notification.version)?))
            .expression_attribute_values(
                ":ttl",
                n(ttl_seconds(Utc::now() + Duration::days(MARKER_DAYS))),
            )
            .send()
            .await;
        match update {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(anyhow::Error::new(e).context("recording a notified version")),
        }
    }

    /// Claims the notification's marker; `false` when it was claimed before.
    async fn claim(&self, notification: &Notification) -> anyhow::Result<bool> {
        let mut item = marker(notification);
        item.extend([
            ("state".to_owned(), s("SENDING")),
            (
                TTL_ATTRIBUTE.to_owned(),
                n(ttl_seconds(Utc::now() + Duration::days(MARKER_DAYS))),
            ),
        ]);
        let put = self
            .dynamo
            .put_item()
            .table_name(&self.users_table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        match put {
            Ok(_) => Ok(true),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_conditional_check_failed_exception()) =>
            {
                Ok(false)
            }
            Err(e) => Err(anyhow::Error::new(e).context("claiming a notification")),
        }
    }

    async fn settle(
        &self,
        notification: &Notification,
        state: &str,
        message_id: Option<&str>,
    ) -> anyhow::Result<()> {
        self.dynamo
            .update_item()
            .table_name(&self.users_table)
            .set_key(Some(marker(notification)))
            .update_expression("SET #state = :state, #message = :message")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#message", "message_id")
            .expression_attribute_values(":state", s(state))
            .expression_attribute_values(
                ":message",
                message_id.map_or(AttributeValue::Null(true), s),
            )
            .send()
            .await
            .context("settling a notification")?;
        Ok(())
    }

    async fn release(&self, notification: &Notification) -> anyhow::Result<()> {
        self.dynamo
            .delete_item()
            .table_name(&self.users_table)
            .set_key(Some(marker(notification)))
            .condition_expression("#state = :sending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":sending", s("SENDING"))
            .send()
            .await
            .context("releasing a notification")?;
        Ok(())
    }

    async fn deliver(&self, notification: &Notification) -> anyhow::Result<Option<String>> {
        let Some(address) = self.address_of(&notification.recipient).await? else {
            return Ok(None);
        };
        let text = |data: &str| Content::builder().data(data).charset("UTF-8").build();
        let sent = self
            .ses
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(address).build())
            .content(
                EmailContent::builder()
                    .simple(
                        Message::builder()
                            .subject(text(&notification.subject)?)
                            .body(Body::builder().text(text(&notification.body)?).build())
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .context("sending an email")?;
        Ok(Some(sent.message_id().unwrap_or_default().to_owned()))
    }
}

/// [`Notifier`]: the recipient's address (`ListUsers`), the send
/// (`SendEmail`, on whichever identity sends) and its once-only record
/// (`PutItem`, `UpdateItem`, `DeleteItem`).
pub const NOTIFIER: Access = Access {
    port: "Notifier",
    grants: &[
        Grant {
            actions: &["ses:SendEmail"],
            on: None,
        },
        on(vars::USER_POOL_ID, &["cognito-idp:ListUsers"]),
        on(
            vars::USERS_TABLE,
            &[
                "dynamodb:PutItem",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
            ],
        ),
    ],
    env: &[
        vars::USERS_TABLE,
        vars::USER_POOL_ID,
        vars::NOTIFY_FROM_ADDRESS,
    ],
};

#[async_trait]
impl Notifier for EmailNotifier {
    async fn send(&self, notification: &Notification) -> anyhow::Result<()> {
        if !self.advance(notification).await? {
            tracing::info!(notification = %notification.id, "skipping a notification about an older version");
            return Ok(());
        }
        if !self.claim(notification).await? {
            return Ok(());
        }
        match self.deliver(notification).await {
            Ok(Some(message_id)) => self.settle(notification, "SENT", Some(&message_id)).await,
            Ok(None) => {
                tracing::warn!(notification = %notification.id, "recipient has no email address");
                self.settle(notification, "NO_ADDRESS", None).await
            }
            Err(e) => {
                if let Err(release) = self.release(notification).await {
                    tracing::warn!(error = %format!("{release:#}"), "could not release a notification");
                }
                Err(e)
            }
        }
    }
}
