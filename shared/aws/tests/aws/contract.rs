//! Every port contract over the DynamoDB adapters on moto, each check on
//! its own fresh tables; the ledger check runs the RDS Data adapter against
//! a Data API stub that executes its SQL on SQLite.

use std::sync::Arc;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use berth_aws::AwsSource;
use berth_aws::config::{AwsConfig, Environment, vars};
use berth_aws::dynamo::outbox;
use berth_contract::{OutboxProbe, Subject, contract_suite};
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

pub async fn aws_ports() -> Subject {
    ports_on(&fresh_config().await).await
}

/// The ports over fresh tables, with `ledger` as the ledger.
pub async fn aws_ports_with(ledger: berth_aws::ledger::RdsDataLedger) -> Subject {
    subject(&fresh_config().await, ledger)
}

/// Fresh tables and a fresh user pool on moto, named as the Lambdas' environment names them.
async fn fresh_config() -> AwsConfig {
    let sdk = support::moto();
    let tables = support::fresh_tables(&sdk).await;
    let pool = support::fresh_user_pool(&sdk).await;
    let mut pairs: Vec<(&str, String)> = tables
        .vars()
        .iter()
        .map(|(name, value)| (*name, value.to_string()))
        .collect();
    pairs.push((vars::USER_POOL_ID, pool));
    AwsConfig::new(sdk, Environment::from_pairs(pairs))
}

/// The ports built as the Lambdas build them, from the names in `config`.
pub async fn ports_on(config: &AwsConfig) -> Subject {
    // The stub serves until the test's runtime ends.
    let (ledger, _stub) = rds_data::sqlite_ledger().await;
    subject(config, ledger)
}

fn subject(config: &AwsConfig, ledger: berth_aws::ledger::RdsDataLedger) -> Subject {
    let outbox = config.require(vars::OUTBOX_TABLE).unwrap();
    Subject {
        ports: Arc::new(AwsSource::new(config.clone()).with_ledger(ledger)),
        outbox: Arc::new(Probe::new(Client::new(config.sdk()), &outbox)),
    }
}

contract_suite!(aws_ports);
