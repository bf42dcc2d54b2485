//! Properties (`PROPERTIES_TABLE`) and their calendars (`CALENDAR_TABLE`).
//!
//! Property item: `property_id` (key), `host_id` (the `by_host` index's
//! key), `version` (N, the condition of every update), `data` (the property
//! as JSON).

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use berth_domain::calendar::{Night, NightState};
use berth_domain::dates::{Date, DateRange, Timestamp};
use berth_domain::events::DomainEvent;
use berth_domain::ids::{PropertyId, UserId};
use berth_domain::ports::{
    CalendarReader, CalendarWriter, HostListings, Page, PageRequest, PropertyReader,
    PropertyWriter, WriteError,
};
use berth_domain::property::Property;

use crate::access::{Access, on};
use crate::config::{AwsConfig, MissingVariable, vars};
use crate::dynamo::actions::{Condition, delete, put};
use crate::dynamo::item::{Item, get_json, json, n, s};
use crate::dynamo::nights;
use crate::dynamo::outbox;
use crate::dynamo::pages::{self, Partition};
use crate::dynamo::schema::properties;
use crate::dynamo::transact::{TransactError, transact};

/// [`PropertyReader`] and [`PropertyWriter`]. Needs `PROPERTIES_TABLE`, `OUTBOX_TABLE`.
#[derive(Debug, Clone)]
pub struct DynamoProperties {
    pub(super) client: Client,
    pub(super) table: String,
    outbox: String,
}

impl DynamoProperties {
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        Ok(Self::new(
            Client::new(config.sdk()),
            config.require(vars::PROPERTIES_TABLE)?,
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

    fn item(property: &Property) -> anyhow::Result<Item> {
        Ok([
            (properties::KEY.to_owned(), s(property.id.as_str())),
            ("host_id".to_owned(), s(property.host_id.as_str())),
            ("version".to_owned(), n(i64::try_from(property.version)?)),
            ("data".to_owned(), json(property)?),
        ]
        .into())
    }
}

/// The environment [`DynamoProperties::from_env`] reads.
pub const PROPERTIES_ENV: &[&str] = &[vars::PROPERTIES_TABLE, vars::OUTBOX_TABLE];

/// [`PropertyReader`]: `GetItem` on the properties table.
pub const PROPERTY_READER: Access = Access {
    port: "PropertyReader",
    grants: &[on(vars::PROPERTIES_TABLE, &["dynamodb:GetItem"])],
    env: PROPERTIES_ENV,
};

#[async_trait]
impl PropertyReader for DynamoProperties {
    async fn property(&self, id: &PropertyId) -> anyhow::Result<Option<Property>> {
        let read = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(properties::KEY, s(id.as_str()))
            .consistent_read(true)
            .send()
            .await
            .context("reading a property")?;
        read.item().map(|item| get_json(item, "data")).transpose()
    }
}

/// [`HostListings`]: `Query` on the properties table's `by_host` index
/// (IAM authorises a Query on an index against the table's resource:
/// `<table ARN>/index/<name>`, which the template grants).
pub const HOST_LISTINGS: Access = Access {
    port: "HostListings",
    grants: &[on(vars::PROPERTIES_TABLE, &["dynamodb:Query"])],
    env: PROPERTIES_ENV,
};

#[async_trait]
impl HostListings for DynamoProperties {
    async fn listings_of(
        &self,
        host: &UserId,
        page: &PageRequest<PropertyId>,
    ) -> anyhow::Result<Page<Property, PropertyId>> {
        let partition = Partition {
            table: &self.table,
            index: properties::BY_HOST,
            key: "host_id",
            value: host.as_str(),
            sort: properties::KEY,
        };
        let after = page.after.as_ref().map(PropertyId::as_str);
        let items = pages::newest_first::<Property>(&self.client, &partition, page.limit, after)
            .await
            .context("listing a host's properties")?;
        Ok(Page::from_one_more(items, page.limit, |p| p.id.clone()))
    }
}

/// [`PropertyWriter`]: a transaction putting the property and its event.
pub const PROPERTY_WRITER: Access = Access {
    port: "PropertyWriter",
    grants: &[
        on(vars::PROPERTIES_TABLE, &["dynamodb:PutItem"]),
        on(vars::OUTBOX_TABLE, &["dynamodb:PutItem"]),
    ],
    env: PROPERTIES_ENV,
};

#[async_trait]
impl PropertyWriter for DynamoProperties {
    async fn insert_property(
        &self,
        property: &Property,
        event: &DomainEvent,
    ) -> anyhow::Result<()> {
        let actions = vec![
            put(
                &self.table,
                Self::item(property)?,
                &Condition::new("attribute_not_exists(property_id)"),
            )?,
            outbox::record(&self.outbox, event)?,
        ];
        transact(&self.client, actions)
            .await
            .map_err(|e| anyhow::Error::new(e).context("storing a new property"))
    }

    async fn update_property(
        &self,
        property: &Property,
        event: &DomainEvent,
    ) -> Result<(), WriteError> {
        let previous = i64::try_from(property.version)
            .map_err(anyhow::Error::from)?
            .saturating_sub(1);
        let actions = vec![
            put(
                &self.table,
                Self::item(property)?,
                &Condition::new("#version = :previous")
                    .name("#version", "version")
                    .value(":previous", n(previous)),
            )?,
            outbox::record(&self.outbox, event)?,
        ];
        match transact(&self.client, actions).await {
            Ok(()) => Ok(()),
            Err(TransactError::Refused(checks))
                if TransactError::first_failed(&checks, 0..1).is_some() =>
            {
                Err(WriteError::Conflict)
            }
            Err(e) => Err(anyhow::Error::new(e).context("updating a property").into()),
        }
    }
}

/// [`CalendarReader`] and [`CalendarWriter`]. Needs `CALENDAR_TABLE`, `OUTBOX_TABLE`.
#[derive(Debug, Clone)]
pub struct DynamoCalendar {
    pub(crate) client: Client,
    pub(crate) table: String,
    pub(crate) outbox: String,
}

impl DynamoCalendar {
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        Ok(Self::new(
            Client::new(config.sdk()),
            config.require(vars::CALENDAR_TABLE)?,
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
}

/// The environment [`DynamoCalendar::from_env`] reads.
pub const CALENDAR_ENV: &[&str] = &[vars::CALENDAR_TABLE, vars::OUTBOX_TABLE];

/// [`CalendarReader`]: `Query` on the calendar table.
pub const CALENDAR_READER: Access = Access {
    port: "CalendarReader",
    grants: &[on(vars::CALENDAR_TABLE, &["dynamodb:Query"])],
    env: CALENDAR_ENV,
};

#[async_trait]
impl CalendarReader for DynamoCalendar {
    async fn nights(&self, property: &PropertyId, range: DateRange) -> anyhow::Result<Vec<Night>> {
        nights::read(&self.client, &self.table, property, range).await
    }
}

/// [`CalendarWriter`]: a transaction putting (blocking) or deleting
/// (unblocking) nights, with its event.
pub const CALENDAR_WRITER: Access = Access {
    port: "CalendarWriter",
    grants: &[
        on(
            vars::CALENDAR_TABLE,
            &["dynamodb:PutItem", "dynamodb:DeleteItem"],
        ),
        on(vars::OUTBOX_TABLE, &["dynamodb:PutItem"]),
    ],
    env: CALENDAR_ENV,
};

#[async_trait]
impl CalendarWriter for DynamoCalendar {
    async fn set_blocked(
        &self,
        property: &PropertyId,
        dates: &[Date],
        blocked: bool,
        now: Timestamp,
        event: &DomainEvent,
    ) -> Result<(), WriteError> {
        let (block, unblock) = (nights::may_block(now), nights::may_unblock());
        let mut actions = dates
            .iter()
            .map(|date| {
                if blocked {
                    put(
                        &self.table,
                        nights::item(property, *date, &NightState::Blocked),
                        &block,
                    )
                } else {
                    delete(&self.table, nights::key(property, *date), &unblock)
                }
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        actions.push(outbox::record(&self.outbox, event)?);
        match transact(&self.client, actions).await {
            Ok(()) => Ok(()),
            Err(TransactError::Refused(checks))
                if TransactError::first_failed(&checks, 0..dates.len()).is_some() =>
            {
                Err(WriteError::Conflict)
            }
            Err(e) => Err(anyhow::Error::new(e).context("changing a calendar").into()),
        }
    }
}
