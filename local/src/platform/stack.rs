//! CloudFormation, as far as custom resources need it: locally nothing
//! deploys (the SQLite store applies its schema, the ledger's included, when
//! it opens), so a custom resource function run by hand (`berth invoke`)
//! has its answer logged here, never sent to the URL in its event.

use async_trait::async_trait;
use berth_functions::stack::{Replies, StackResponse};

pub struct LocalStack;

#[async_trait]
impl Replies for LocalStack {
    async fn send(&self, url: &str, response: &StackResponse) -> anyhow::Result<()> {
        tracing::info!(
            url,
            resource = response.logical_resource_id,
            status = ?response.status,
            "a custom resource answered (logged locally, not sent)"
        );
        Ok(())
    }
}
