//! The ledger's schema, applied by the stack on every deploy that changes it
//! (the `LedgerSchema` custom resource in template.yaml), before the ledger
//! consumer exists: no confirmation reaches a ledger without its tables.
//! Applying it is idempotent; deleting the resource leaves the ledger alone.

use std::collections::HashMap;
use std::sync::Arc;

use aws_lambda_events::event::cloudformation::CloudFormationCustomResourceRequest;
use berth_domain::ports::LedgerMigrations;
use lambda_runtime::LambdaEvent;
use serde::Serialize;

use super::{Replies, response, response_url};

/// The resource's physical id: one schema per stack, whatever changes.
pub const PHYSICAL_ID: &str = "berth-ledger-schema";

pub struct Deps {
    pub ledger: Arc<dyn LedgerMigrations>,
    pub replies: Arc<dyn Replies>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Migrated {
    /// What the stack was told.
    pub status: String,
    /// The schema version now in place (`berth_ledger_sql::schema_version`).
    pub schema_version: Option<String>,
}

#[tracing::instrument(name = "migrate_ledger", skip_all)]
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<CloudFormationCustomResourceRequest>,
) -> Result<Migrated, lambda_runtime::Error> {
    let request = event.payload;
    let outcome = match &request {
        CloudFormationCustomResourceRequest::Delete(_) => Ok(HashMap::new()),
        _ => match deps.ledger.migrate().await {
            Ok(()) => Ok(HashMap::from([(
                "SchemaVersion".to_owned(),
                berth_ledger_sql::schema_version(),
            )])),
            Err(error) => {
                tracing::error!(error = format!("{error:#}"), "applying the ledger schema failed");
                Err(format!("applying the ledger schema failed: {error:#}"))
            }
        },
    };
    let answer = response(&request, PHYSICAL_ID, outcome);
    // Not answering would hold the deploy an hour: a failed send fails the
    // invocation, and CloudFormation's own retry of the invoke sends again.
    deps.replies.send(response_url(&request), &answer).await?;
    Ok(Migrated {
        status: serde_json::to_value(&answer.status)?
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        schema_version: answer.data.get("SchemaVersion").cloned(),
    })
}
