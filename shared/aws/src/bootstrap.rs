//! Creates, when missing, everything the AWS adapters need, named from a
//! prefix: every table (with its indexes, stream and TTL), the three event
//! buses, the notifications FIFO queue with its dead-letter queue, and the
//! booking state machine from a given definition. Each step is idempotent,
//! so `berth serve --backend aws` can run it at every start against a fresh
//! or a used emulator. (In AWS, template.yaml creates all of this.)

use std::time::Duration;

use anyhow::Context;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType, TableStatus,
    TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_sqs::types::QueueAttributeName;

use crate::config::{Environment, vars};
use crate::dynamo::schema::{AttributeKind, TTL_ATTRIBUTE, TableNames, TableSpec};
use crate::events::Buses;

/// A dead letter is a message received this many times without success.
pub const MAX_RECEIVES: u32 = 5;

/// The emulator's placeholder role for the state machine (moto does not check it).
const WORKFLOW_ROLE: &str = "arn:aws:iam::123456789012:role/berth-booking-workflow";

/// What [`bootstrap`] made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub tables: TableNames,
    pub buses: Buses,
    pub notifications_queue_url: String,
    pub notifications_dlq_url: String,
    pub booking_state_machine_arn: String,
}

impl Deployment {
    /// The environment variables the adapters read, for what was made here.
    /// (Ledger, payment secret, user pool and sender are not made here.)
    pub fn environment(&self) -> Environment {
        let mut pairs: Vec<(&str, String)> = self
            .tables
            .vars()
            .iter()
            .map(|(k, v)| (*k, v.to_string()))
            .collect();
        pairs.extend([
            (vars::PROPERTIES_BUS, self.buses.properties.clone()),
            (vars::BOOKINGS_BUS, self.buses.bookings.clone()),
            (vars::USERS_BUS, self.buses.users.clone()),
            (
                vars::NOTIFICATIONS_QUEUE_URL,
                self.notifications_queue_url.clone(),
            ),
            (
                vars::BOOKING_STATE_MACHINE_ARN,
                self.booking_state_machine_arn.clone(),
            ),
        ]);
        Environment::from_pairs(pairs)
    }
}

/// Creates whatever is missing, all named `<prefix>-…`.
pub async fn bootstrap(
    sdk: &SdkConfig,
    prefix: &str,
    booking_definition: &str,
) -> anyhow::Result<Deployment> {
    let tables = TableNames::with_prefix(prefix);
    create_tables(&aws_sdk_dynamodb::Client::new(sdk), &tables).await?;
    let events = aws_sdk_eventbridge::Client::new(sdk);
    let buses = Buses {
        properties: format!("{prefix}-properties"),
        bookings: format!("{prefix}-bookings"),
        users: format!("{prefix}-users"),
    };
    for bus in [&buses.properties, &buses.bookings, &buses.users] {
        create_bus(&events, bus).await?;
    }
    let (queue, dlq) = create_fifo_queue(
        &aws_sdk_sqs::Client::new(sdk),
        &format!("{prefix}-notifications"),
    )
    .await?;
    let arn = create_state_machine(
        &aws_sdk_sfn::Client::new(sdk),
        &format!("{prefix}-booking"),
        booking_definition,
    )
    .await?;
    Ok(Deployment {
        tables,
        buses,
        notifications_queue_url: queue,
        notifications_dlq_url: dlq,
        booking_state_machine_arn: arn,
    })
}

/// Creates every table (in parallel) and waits until each is active.
pub async fn create_tables(
    client: &aws_sdk_dynamodb::Client,
    names: &TableNames,
) -> anyhow::Result<()> {
    let specs = names.specs();
    futures::future::try_join_all(specs.iter().map(|spec| create_table(client, spec))).await?;
    Ok(())
}

fn key(name: &str, kind: KeyType) -> anyhow::Result<KeySchemaElement> {
    Ok(KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()?)
}

fn attribute(name: &str, kind: AttributeKind) -> anyhow::Result<AttributeDefinition> {
    let kind = match kind {
        AttributeKind::S => ScalarAttributeType::S,
        AttributeKind::N => ScalarAttributeType::N,
    };
    Ok(AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(kind)
        .build()?)
}

/// Creates one table if missing, waits for it, and turns its TTL on.
pub async fn create_table(
    client: &aws_sdk_dynamodb::Client,
    spec: &TableSpec,
) -> anyhow::Result<()> {
    let mut keys = vec![key(spec.key, KeyType::Hash)?];
    let mut attributes = vec![(spec.key, AttributeKind::S)];
    if let Some(sort) = spec.sort {
        keys.push(key(sort, KeyType::Range)?);
        attributes.push((sort, AttributeKind::S));
    }
    let mut indexes = Vec::new();
    for index in &spec.indexes {
        attributes.push((index.key, AttributeKind::S));
        attributes.push(index.sort);
        indexes.push(
            GlobalSecondaryIndex::builder()
                .index_name(index.name)
                .key_schema(key(index.key, KeyType::Hash)?)
                .key_schema(key(index.sort.0, KeyType::Range)?)
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()?,
        );
    }
    attributes.sort_by_key(|(name, _)| *name);
    attributes.dedup_by_key(|(name, _)| *name);
    let created = client
        .create_table()
        .table_name(&spec.name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_key_schema(Some(keys))
        .set_attribute_definitions(Some(
            attributes
                .into_iter()
                .map(|(name, kind)| attribute(name, kind))
                .collect::<anyhow::Result<_>>()?,
        ))
        .set_global_secondary_indexes((!indexes.is_empty()).then_some(indexes))
        .set_stream_specification(
            spec.stream
                .then(|| {
                    StreamSpecification::builder()
                        .stream_enabled(true)
                        .stream_view_type(StreamViewType::NewImage)
                        .build()
                })
                .transpose()?,
        )
        .send()
        .await;
    match created {
        Ok(_) => {}
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_in_use_exception()) => {}
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!("creating table {}", spec.name)));
        }
    }
    wait_until_active(client, &spec.name).await?;
    if spec.ttl {
        enable_ttl(client, &spec.name).await?;
    }
    Ok(())
}

async fn wait_until_active(client: &aws_sdk_dynamodb::Client, table: &str) -> anyhow::Result<()> {
    for _ in 0..120 {
        let described = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .with_context(|| format!("describing table {table}"))?;
        if described.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    anyhow::bail!("table {table} did not become active within a minute")
}

async fn enable_ttl(client: &aws_sdk_dynamodb::Client, table: &str) -> anyhow::Result<()> {
    let current = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .with_context(|| format!("describing TTL of {table}"))?;
    let status = current
        .time_to_live_description()
        .and_then(|d| d.time_to_live_status());
    if matches!(
        status,
        Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
    ) {
        return Ok(());
    }
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .enabled(true)
                .attribute_name(TTL_ATTRIBUTE)
                .build()?,
        )
        .send()
        .await
        .with_context(|| format!("enabling TTL on {table}"))?;
    Ok(())
}

/// Creates an event bus if missing.
pub async fn create_bus(client: &aws_sdk_eventbridge::Client, name: &str) -> anyhow::Result<()> {
    match client.create_event_bus().name(name).send().await {
        Ok(_) => Ok(()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_resource_already_exists_exception()) =>
        {
            Ok(())
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("creating bus {name}"))),
    }
}

/// Creates `<name>.fifo` and its dead-letter queue `<name>-dlq.fifo`, and
/// redrives to it after [`MAX_RECEIVES`]. Answers both URLs.
pub async fn create_fifo_queue(
    client: &aws_sdk_sqs::Client,
    name: &str,
) -> anyhow::Result<(String, String)> {
    let dlq = ensure_queue(
        client,
        &format!("{name}-dlq.fifo"),
        &[
            (QueueAttributeName::FifoQueue, "true".to_owned()),
            (
                QueueAttributeName::MessageRetentionPeriod,
                "1209600".to_owned(),
            ),
        ],
    )
    .await?;
    let dlq_arn = client
        .get_queue_attributes()
        .queue_url(&dlq)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .context("reading the dead-letter queue's ARN")?
        .attributes()
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .context("the dead-letter queue has no ARN")?;
    let redrive = serde_json::json!({
        "deadLetterTargetArn": dlq_arn,
        "maxReceiveCount": MAX_RECEIVES.to_string(),
    });
    let queue = ensure_queue(
        client,
        &format!("{name}.fifo"),
        &[
            (QueueAttributeName::FifoQueue, "true".to_owned()),
            (QueueAttributeName::VisibilityTimeout, "60".to_owned()),
            (QueueAttributeName::RedrivePolicy, redrive.to_string()),
        ],
    )
    .await?;
    Ok((queue, dlq))
}

/// The queue's URL, creating it with `attributes` or bringing an existing
/// one's attributes up to date.
async fn ensure_queue(
    client: &aws_sdk_sqs::Client,
    name: &str,
    attributes: &[(QueueAttributeName, String)],
) -> anyhow::Result<String> {
    let created = client
        .create_queue()
        .queue_name(name)
        .set_attributes(Some(attributes.iter().cloned().collect()))
        .send()
        .await;
    match created {
        Ok(out) => out.queue_url().map(str::to_owned).context("no queue URL"),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_queue_name_exists()) =>
        {
            let url = client
                .get_queue_url()
                .queue_name(name)
                .send()
                .await
                .with_context(|| format!("finding queue {name}"))?
                .queue_url()
                .map(str::to_owned)
                .context("no queue URL")?;
            let changeable = attributes
                .iter()
                .filter(|(k, _)| *k != QueueAttributeName::FifoQueue)
                .cloned()
                .collect();
            client
                .set_queue_attributes()
                .queue_url(&url)
                .set_attributes(Some(changeable))
                .send()
                .await
                .with_context(|| format!("updating queue {name}"))?;
            Ok(url)
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("creating queue {name}"))),
    }
}

/// Creates the state machine, or gives an existing one this definition.
pub async fn create_state_machine(
    client: &aws_sdk_sfn::Client,
    name: &str,
    definition: &str,
) -> anyhow::Result<String> {
    let created = client
        .create_state_machine()
        .name(name)
        .definition(definition)
        .role_arn(WORKFLOW_ROLE)
        .send()
        .await;
    match created {
        Ok(out) => Ok(out.state_machine_arn().to_owned()),
        Err(e)
            if e.as_service_error()
                .is_some_and(|e| e.is_state_machine_already_exists()) =>
        {
            let arn = find_state_machine(client, name).await?;
            client
                .update_state_machine()
                .state_machine_arn(&arn)
                .definition(definition)
                .send()
                .await
                .with_context(|| format!("updating state machine {name}"))?;
            Ok(arn)
        }
        Err(e) => Err(anyhow::Error::new(e).context(format!("creating state machine {name}"))),
    }
}

async fn find_state_machine(client: &aws_sdk_sfn::Client, name: &str) -> anyhow::Result<String> {
    let mut pages = client.list_state_machines().into_paginator().send();
    while let Some(page) = pages.next().await {
        let page = page.context("listing state machines")?;
        if let Some(found) = page.state_machines().iter().find(|m| m.name() == name) {
            return Ok(found.state_machine_arn().to_owned());
        }
    }
    anyhow::bail!("state machine {name} exists but was not listed")
}
