//! `berth serve --backend aws`: the platform's state on the AWS adapters —
//! properties, calendars, bookings, idempotency keys, users, the audit log
//! and the outbox in DynamoDB, payments through Stripe when a Stripe URL is
//! given — against whatever `AWS_ENDPOINT_URL` points at (moto, locally),
//! with every table created on start if missing.
//!
//! What AWS runs as services stays in-process: the workflow executor (Step
//! Functions on moto cannot run Lambda tasks without Docker), queues and
//! their consumers, the ledger (moto's RDS Data API cannot execute SQL) and
//! notifications. Events reach them as in AWS, from the outbox table's
//! DynamoDB stream, mirrored into the local outbox in stream order.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use berth_aws::config::emulator_sdk_config;
use berth_aws::dynamo::outbox;
use berth_aws::stripe::{PaymentKeys, StripeClient, StripeGateway};
use berth_aws::{AwsConfig, AwsSource};
use berth_domain::events::DomainEvent;
use berth_domain::ports::PaymentGateway;
use berth_domain::wiring::{PortSource, Ports};
use berth_embedded::SqliteStore;

/// Where the AWS backend's resources live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsBackend {
    /// Resource names are `<prefix>-…`.
    pub prefix: String,
    /// Stripe's API (localstripe, locally); the fake gateway when absent.
    pub stripe_url: Option<String>,
    /// An emulator to use instead of `AWS_ENDPOINT_URL`.
    pub endpoint: Option<String>,
}

/// The store ports over DynamoDB, and what the mirror needs.
pub struct AwsPorts {
    pub outbox_table: String,
    pub dynamo: aws_sdk_dynamodb::Client,
    pub streams: aws_sdk_dynamodbstreams::Client,
}

/// Replaces `ports`' store ports with the AWS adapters (built as the
/// Lambdas build them, from the deployment's names), after creating
/// whatever is missing.
pub async fn adopt(
    backend: &AwsBackend,
    definition: &str,
    ports: &mut Ports,
) -> anyhow::Result<AwsPorts> {
    let endpoint = backend.endpoint.clone().or_else(|| {
        std::env::var("AWS_ENDPOINT_URL")
            .ok()
            .filter(|e| !e.is_empty())
    });
    let sdk = match endpoint {
        // An emulator: a region and dummy credentials, so no AWS setup is needed.
        Some(endpoint) => emulator_sdk_config(&endpoint),
        None => AwsConfig::load().await.sdk().clone(),
    };
    let deployment = berth_aws::bootstrap::bootstrap(&sdk, &backend.prefix, definition)
        .await
        .context("creating the AWS resources (is AWS_ENDPOINT_URL set to a running moto?)")?;
    let aws = AwsSource::new(AwsConfig::new(sdk.clone(), deployment.environment()));
    ports.property_reader = aws.property_reader()?;
    ports.property_writer = aws.property_writer()?;
    ports.host_listings = aws.host_listings()?;
    ports.calendar_reader = aws.calendar_reader()?;
    ports.calendar_writer = aws.calendar_writer()?;
    ports.booking_reader = aws.booking_reader()?;
    ports.requests = aws.requests()?;
    ports.changes = aws.changes()?;
    ports.abandoned = aws.abandoned()?;
    ports.profiles = aws.profiles()?;
    ports.signals = aws.signals()?;
    ports.audit = aws.audit()?;
    ports.feeds = aws.feeds()?;
    ports.feed_nights = aws.feed_nights()?;
    ports.conflicts = aws.conflicts()?;
    ports.export_links = aws.export_links()?;
    // The local store keeps the ledger, notifications, queues and the
    // mirrored outbox; the bookings table answers whose bookings: last.
    ports.personal_data = aws.personal_data_around(ports.personal_data.clone())?;
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    if let Some(url) = &backend.stripe_url {
        let stripe = StripeClient::new(url, "sk_test_berth_local".into())?;
        let gateway: Arc<dyn PaymentGateway> = Arc::new(StripeGateway::new(
            stripe,
            PaymentKeys::new(dynamo.clone(), deployment.tables.payments.clone()),
        ));
        ports.gateway = gateway;
    }
    Ok(AwsPorts {
        outbox_table: deployment.tables.outbox.clone(),
        dynamo,
        streams: aws_sdk_dynamodbstreams::Client::new(&sdk),
    })
}

/// How often the outbox stream is read when it had nothing new.
const IDLE: Duration = Duration::from_millis(100);

/// Mirrors the outbox table's stream into the local outbox, forever.
pub async fn mirror(aws: AwsPorts, store: SqliteStore) {
    let mut iterators: HashMap<String, Option<String>> = HashMap::new();
    loop {
        match read_stream(&aws, &mut iterators).await {
            Ok(events) if events.is_empty() => tokio::time::sleep(IDLE).await,
            Ok(events) => {
                if let Err(error) = store.mirror_events(&events).await {
                    tracing::error!(
                        error = format!("{error:#}"),
                        "mirroring outbox events failed"
                    );
                }
            }
            Err(error) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "reading the outbox stream failed"
                );
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// New events on every shard of the outbox stream. A shard's iterator is
/// `None` once the shard is closed and read to its end.
async fn read_stream(
    aws: &AwsPorts,
    iterators: &mut HashMap<String, Option<String>>,
) -> anyhow::Result<Vec<DomainEvent>> {
    let table = aws
        .dynamo
        .describe_table()
        .table_name(&aws.outbox_table)
        .send()
        .await?;
    let stream = table
        .table()
        .and_then(|t| t.latest_stream_arn())
        .context("the outbox table has no stream")?
        .to_owned();
    let description = aws
        .streams
        .describe_stream()
        .stream_arn(&stream)
        .send()
        .await?;
    for shard in description
        .stream_description()
        .map(|d| d.shards())
        .unwrap_or_default()
    {
        let Some(id) = shard.shard_id() else { continue };
        if !iterators.contains_key(id) {
            let iterator = aws
                .streams
                .get_shard_iterator()
                .stream_arn(&stream)
                .shard_id(id)
                .shard_iterator_type(ShardIteratorType::TrimHorizon)
                .send()
                .await?;
            iterators.insert(id.to_owned(), iterator.shard_iterator().map(str::to_owned));
        }
    }
    let mut events = Vec::new();
    for iterator in iterators.values_mut() {
        let Some(current) = iterator.clone() else {
            continue;
        };
        let records = aws
            .streams
            .get_records()
            .shard_iterator(current)
            .send()
            .await?;
        // Only inserts carry a new image; removals (TTL) are skipped.
        for image in records
            .records()
            .iter()
            .filter_map(|r| r.dynamodb().and_then(|d| d.new_image()))
        {
            let text = image.get(outbox::EVENT).and_then(|v| v.as_s().ok());
            events.push(outbox::event_in(text.map(String::as_str))?);
        }
        *iterator = records.next_shard_iterator().map(str::to_owned);
    }
    Ok(events)
}
