//! The ledger over the RDS Data API (Aurora PostgreSQL), running the very
//! statements of `berth-ledger-sql` that the embedded ledger runs on SQLite,
//! with typed parameters. Recording several entries is one transaction.

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_rdsdata::Client;
use aws_sdk_rdsdata::types::{Field, SqlParameter};
use berth_domain::dates::{Date, DateRange};
use berth_domain::ids::UserId;
use berth_domain::money::Currency;
use berth_domain::ports::{Earnings, Erasure, Ledger, LedgerEntry, LedgerMigrations, PersonalData};

use crate::access::{Access, on};
use crate::config::{AwsConfig, MissingVariable, vars};

/// [`Ledger`]. Needs `LEDGER_CLUSTER_ARN`, `LEDGER_SECRET_ARN`, `LEDGER_DATABASE`.
#[derive(Debug, Clone)]
pub struct RdsDataLedger {
    client: Client,
    cluster_arn: String,
    secret_arn: String,
    database: String,
    /// Between attempts of a migration while the cluster resumes.
    resume_pause: std::time::Duration,
}

fn text(name: &str, value: impl Into<String>) -> SqlParameter {
    SqlParameter::builder()
        .name(name)
        .value(Field::StringValue(value.into()))
        .build()
}

fn long(name: &str, value: i64) -> SqlParameter {
    SqlParameter::builder()
        .name(name)
        .value(Field::LongValue(value))
        .build()
}

/// The parameters of `berth_ledger_sql::INSERT_ENTRY`.
fn entry_parameters(entry: &LedgerEntry) -> Vec<SqlParameter> {
    vec![
        text("id", &entry.id),
        text("booking_id", entry.booking_id.as_str()),
        text("host_id", entry.host_id.as_str()),
        text("property_id", entry.property_id.as_str()),
        long("amount", entry.amount.amount),
        text("currency", entry.amount.currency.as_str()),
        text("occurred_on", Date::of(entry.occurred_at).to_string()),
        text("occurred_at", entry.occurred_at.to_rfc3339()),
    ]
}

fn integer(field: &Field) -> anyhow::Result<i64> {
    match field {
        Field::LongValue(v) => Ok(*v),
        // NUMERIC results arrive as text.
        Field::StringValue(v) => Ok(v.parse()?),
        other => anyhow::bail!("expected an integer, got {other:?}"),
    }
}

/// One row of `berth_ledger_sql::EARNINGS`: currency, gross, refunds, net, bookings.
fn earnings_of(row: &[Field]) -> anyhow::Result<Earnings> {
    let [currency, gross, refunds, net, bookings] = row else {
        anyhow::bail!("an earnings row has 5 columns, got {}", row.len());
    };
    let Field::StringValue(currency) = currency else {
        anyhow::bail!("currency is not text: {currency:?}");
    };
    Ok(Earnings {
        currency: Currency::parse(currency)?,
        gross: integer(gross)?,
        refunds: integer(refunds)?,
        net: integer(net)?,
        bookings: u32::try_from(integer(bookings)?)?,
    })
}

impl RdsDataLedger {
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        Ok(Self::new(
            Client::new(config.sdk()),
            config.require(vars::LEDGER_CLUSTER_ARN)?,
            config.require(vars::LEDGER_SECRET_ARN)?,
            config.require(vars::LEDGER_DATABASE)?,
        ))
    }

    pub fn new(
        client: Client,
        cluster_arn: impl Into<String>,
        secret_arn: impl Into<String>,
        database: impl Into<String>,
    ) -> Self {
        Self {
            client,
            cluster_arn: cluster_arn.into(),
            secret_arn: secret_arn.into(),
            database: database.into(),
            resume_pause: RESUME_PAUSE,
        }
    }

    /// Waits `pause` between migration attempts on a resuming cluster.
    pub fn with_resume_pause(self, pause: std::time::Duration) -> Self {
        Self {
            resume_pause: pause,
            ..self
        }
    }

    /// Creates the ledger's tables and indexes if missing, one statement at a time.
    pub async fn apply_schema(&self) -> anyhow::Result<()> {
        for statement in berth_ledger_sql::schema_statements() {
            self.execute(statement, vec![])
                .await
                .with_context(|| format!("applying ledger schema statement {statement}"))?;
        }
        Ok(())
    }

    async fn execute(
        &self,
        sql: &str,
        parameters: Vec<SqlParameter>,
    ) -> anyhow::Result<aws_sdk_rdsdata::operation::execute_statement::ExecuteStatementOutput> {
        Ok(self
            .client
            .execute_statement()
            .resource_arn(&self.cluster_arn)
            .secret_arn(&self.secret_arn)
            .database(&self.database)
            .sql(sql)
            .set_parameters((!parameters.is_empty()).then_some(parameters))
            .send()
            .await?)
    }

    /// Records every entry in one transaction.
    async fn record_together(&self, entries: &[LedgerEntry]) -> anyhow::Result<()> {
        let began = self
            .client
            .begin_transaction()
            .resource_arn(&self.cluster_arn)
            .secret_arn(&self.secret_arn)
            .database(&self.database)
            .send()
            .await
            .context("beginning a ledger transaction")?;
        let transaction = began.transaction_id().context("no transaction id")?;
        let inserted = self
            .client
            .batch_execute_statement()
            .resource_arn(&self.cluster_arn)
            .secret_arn(&self.secret_arn)
            .database(&self.database)
            .transaction_id(transaction)
            .sql(berth_ledger_sql::INSERT_ENTRY)
            .set_parameter_sets(Some(entries.iter().map(entry_parameters).collect()))
            .send()
            .await;
        if let Err(e) = inserted {
            let rolled_back = self
                .client
                .rollback_transaction()
                .resource_arn(&self.cluster_arn)
                .secret_arn(&self.secret_arn)
                .transaction_id(transaction)
                .send()
                .await;
            if let Err(rollback) = rolled_back {
                // The transaction times out on its own; the insert's error matters.
                tracing::warn!(error = %rollback, "rolling back a ledger transaction failed");
            }
            return Err(anyhow::Error::new(e).context("recording ledger entries"));
        }
        self.client
            .commit_transaction()
            .resource_arn(&self.cluster_arn)
            .secret_arn(&self.secret_arn)
            .transaction_id(transaction)
            .send()
            .await
            .context("committing ledger entries")?;
        Ok(())
    }
}

/// [`Ledger`]: statements on the cluster (one, a batch in a transaction),
/// and the database secret, which the Data API reads with the caller's
/// permissions.
pub const LEDGER: Access = Access {
    port: "Ledger",
    grants: &[
        on(
            vars::LEDGER_CLUSTER_ARN,
            &[
                "rds-data:ExecuteStatement",
                "rds-data:BatchExecuteStatement",
                "rds-data:BeginTransaction",
                "rds-data:CommitTransaction",
                "rds-data:RollbackTransaction",
            ],
        ),
        on(vars::LEDGER_SECRET_ARN, &["secretsmanager:GetSecretValue"]),
    ],
    env: &[
        vars::LEDGER_CLUSTER_ARN,
        vars::LEDGER_SECRET_ARN,
        vars::LEDGER_DATABASE,
    ],
};

/// [`LedgerMigrations`]: the schema's statements, one at a time.
pub const MIGRATIONS: Access = Access {
    port: "LedgerMigrations",
    grants: &[
        on(vars::LEDGER_CLUSTER_ARN, &["rds-data:ExecuteStatement"]),
        on(vars::LEDGER_SECRET_ARN, &["secretsmanager:GetSecretValue"]),
    ],
    env: &[
        vars::LEDGER_CLUSTER_ARN,
        vars::LEDGER_SECRET_ARN,
        vars::LEDGER_DATABASE,
    ],
};

/// [`PersonalData`]: one statement pseudonymising a host's lines, with the
/// same grants as a migration's statements.
pub const PERSONAL_DATA: Access = Access {
    port: "PersonalData",
    ..MIGRATIONS
};

#[async_trait]
impl Ledger for RdsDataLedger {
    async fn record(&self, entries: &[LedgerEntry]) -> anyhow::Result<()> {
        match entries {
            [] => Ok(()),
            [entry] => {
                self.execute(berth_ledger_sql::INSERT_ENTRY, entry_parameters(entry))
                    .await
                    .context("recording a ledger entry")?;
                Ok(())
            }
            several => self.record_together(several).await,
        }
    }

    async fn earnings(&self, host: &UserId, range: DateRange) -> anyhow::Result<Vec<Earnings>> {
        let found = self
            .execute(
                berth_ledger_sql::EARNINGS,
                vec![
                    text("host_id", host.as_str()),
                    text("from", range.from.to_string()),
                    text("to", range.to.to_string()),
                ],
            )
            .await
            .context("reading earnings")?;
        found.records().iter().map(|row| earnings_of(row)).collect()
    }
}

/// Erasure: the ledger keeps a host's amounts under their pseudonym
/// (`rds-data:ExecuteStatement`).
#[async_trait]
impl PersonalData for RdsDataLedger {
    async fn forget(&self, erasure: &Erasure) -> anyhow::Result<()> {
        self.execute(
            berth_ledger_sql::PSEUDONYMISE_HOST,
            vec![
                text("host_id", erasure.user.as_str()),
                text("pseudonym", erasure.pseudonym.as_str()),
            ],
        )
        .await
        .context("pseudonymising a host's ledger lines")?;
        Ok(())
    }
}

/// How long a migration waits for a paused cluster (0 ACU) to resume: it
/// answers `DatabaseResumingException` meanwhile, for about 15 s.
const RESUME_ATTEMPTS: u32 = 12;
const RESUME_PAUSE: std::time::Duration = std::time::Duration::from_secs(5);

fn resuming(error: &anyhow::Error) -> bool {
    use aws_sdk_rdsdata::error::SdkError;
    use aws_sdk_rdsdata::operation::execute_statement::ExecuteStatementError;
    error.chain().any(|cause| {
        cause
            .downcast_ref::<SdkError<ExecuteStatementError>>()
            .and_then(SdkError::as_service_error)
            .is_some_and(ExecuteStatementError::is_database_resuming_exception)
    })
}

#[async_trait]
impl LedgerMigrations for RdsDataLedger {
    async fn migrate(&self) -> anyhow::Result<()> {
        let mut attempt = 1;
        loop {
            match self.apply_schema().await {
                Err(error) if resuming(&error) && attempt < RESUME_ATTEMPTS => {
                    tracing::info!(attempt, "the ledger cluster is resuming; waiting");
                    tokio::time::sleep(self.resume_pause).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }
}
