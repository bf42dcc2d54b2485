//! The ledger's schema, applied by the stack on every deploy that changes it
//! (the `LedgerSchema` custom resource in template.yaml), before the ledger
//! consumer exists: no confirmation reaches a ledger without its tables.
//! Applying it is idempotent; deleting the resource leaves the ledger alone.

use std::collections::BTreeMap;
use std::sync::Arc;

use berth_domain::ports::LedgerMigrations;
use lambda_runtime::LambdaEvent;

use super::{Replies, RequestType, StackRequest, StackResponse, Status};

/// The resource's physical id: one schema per stack, whatever changes.
pub const PHYSICAL_ID: &str = "berth-ledger-schema";

pub struct Deps {
    pub ledger: Arc<dyn LedgerMigrations>,
    pub replies: Arc<dyn Replies>,
}

#[tracing::instrument(name = "migrate_ledger", skip_all)]
pub async fn handle(
    deps: &Deps,
    event: LambdaEvent<StackRequest>,
) -> Result<StackResponse, lambda_runtime::Error> {
    let request = event.payload;
    let outcome = match request.request_type {
        RequestType::Delete => Ok(BTreeMap::new()),
        RequestType::Create | RequestType::Update => match deps.ledger.migrate().await {
            Ok(()) => Ok(BTreeMap::from([(
                "SchemaVersion".to_owned(),
                berth_ledger_sql::schema_version(),
            )])),
            Err(error) => {
                tracing::error!(error = format!("{error:#}"), "applying the ledger schema failed");
                Err(format!("applying the ledger schema failed: {error:#}"))
            }
        },
    };
    let answer = StackResponse::to(&request, PHYSICAL_ID, outcome);
    if answer.status == Status::Failed {
        tracing::warn!(reason = ?answer.reason, "telling the stack the schema was not applied");
    }
    // Not answering would hold the deploy an hour: a failed send fails the
    // invocation, and Lambda's retry of the stack's asynchronous invoke
    // sends again.
    deps.replies.send(&request.response_url, &answer).await?;
    Ok(answer)
}
