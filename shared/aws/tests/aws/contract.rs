//! Every port contract over the DynamoDB adapters on moto, each check on
//! its own fresh tables; the ledger check runs the RDS Data adapter against
//! a Data API stub that executes its SQL on SQLite.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use berth_aws::config::{AwsConfig, Environment, vars};
use berth_aws::dynamo::{
    DynamoAudit, DynamoBookings, DynamoCalendar, DynamoProperties, DynamoUsers, outbox,
};
use berth_contract::{OutboxProbe, Ports, contract_suite};
use berth_domain::events::DomainEvent;

use crate::{rds_data, support};

/// Reads the outbox table whole (tests only: a table per test keeps it small).
pub struct Probe {
    client: Client,
    table: String,
}

impl Probe {
    pub fn new(client: Client, table: &str) -> Self {
        Self {
            client,
            table: table.to_owned(),
        }
    }
}

#[async_trait]
impl OutboxProbe for Probe {
    async fn recorded_events(&self) -> anyhow::Result<Vec<DomainEvent>> {
        let mut events = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .scan()
                .table_name(&self.table)
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await?;
            for item in page.items() {
                events.push(outbox::event_of(item)?);
            }
            match page.last_evaluated_key() {
                Some(key) => start = Some(key.clone()),
                None => break,
            }
        }
        // The table has no order; the stream does. Time order is the nearest.
        events.sort_by(|a: &DomainEvent, b| (a.occurred_at, &a.id).cmp(&(b.occurred_at, &b.id)));
        Ok(events)
    }
}

pub async fn aws_ports() -> Ports {
    let sdk = support::moto();
    let tables = support::fresh_tables(&sdk).await;
    ports_on(&AwsConfig::new(sdk, Environment::from_pairs(tables.vars()))).await
}

/// The ports built as the Lambdas build them, from the names in `config`.
pub async fn ports_on(config: &AwsConfig) -> Ports {
    let properties = Arc::new(DynamoProperties::from_env(config).unwrap());
    let calendar = Arc::new(DynamoCalendar::from_env(config).unwrap());
    let bookings = Arc::new(DynamoBookings::from_env(config).unwrap());
    let users = Arc::new(DynamoUsers::from_env(config).unwrap());
    // The stub serves until the test's runtime ends.
    let (ledger, _stub) = rds_data::sqlite_ledger().await;
    let ledger = Arc::new(ledger);
    let audit = Arc::new(DynamoAudit::from_env(config).unwrap());
    let outbox = config.require(vars::OUTBOX_TABLE).unwrap();
    Ports {
        property_reader: properties.clone(),
        property_writer: properties,
        calendar_reader: calendar.clone(),
        calendar_writer: calendar,
        booking_reader: bookings.clone(),
        requests: bookings.clone(),
        changes: bookings.clone(),
        abandoned: bookings.clone(),
        ledger: ledger.clone(),
        audit: audit.clone(),
        profiles: users.clone(),
        signals: users.clone(),
        // As erase-user's main builds them: the bookings table last.
        personal_data: vec![users, audit, ledger, bookings],
        outbox: Arc::new(Probe::new(Client::new(config.sdk()), &outbox)),
    }
}

contract_suite!(aws_ports);
