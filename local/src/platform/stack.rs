//! CloudFormation, as far as custom resources need it: locally nothing
//! deploys (the SQLite store applies its schema, the ledger's included, when
//! it opens), so a custom resource function run by hand (`berth invoke`)
//! has its answer logged here, never sent to the URL in its event.

use async_trait::async_trait;
use berth_domain::ports::DeployReplies;

pub struct LocalStack;

#[async_trait]
impl DeployReplies for LocalStack {
    async fn reply(&self, url: &str, body: &[u8]) -> anyhow::Result<()> {
        tracing::info!(
            url,
            answer = %String::from_utf8_lossy(body),
            "a custom resource answered (logged locally, not sent)"
        );
        Ok(())
    }
}
