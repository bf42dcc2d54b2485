//! CloudFormation, as far as custom resources need it: locally nothing
//! deploys (the SQLite store applies its schema, the ledger's included, when
//! it opens), so a custom resource function run by hand (`berth invoke`)
//! has its answer kept and logged here, never sent to the URL in its event.

use std::sync::Mutex;

use async_trait::async_trait;
use berth_functions::stack::{Replies, StackResponse};

#[derive(Default)]
pub struct LocalStack {
    answers: Mutex<Vec<StackResponse>>,
}

impl LocalStack {
    /// Every answer given, oldest first.
    pub fn answers(&self) -> Vec<StackResponse> {
        self.answers.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl Replies for LocalStack {
    async fn send(
        &self,
        url: &str,
        response: &StackResponse,
    ) -> anyhow::Result<()> {
        tracing::info!(
            url,
            resource = response.logical_resource_id,
            status = ?response.status,
            "a custom resource answered (kept locally, not sent)"
        );
        if let Ok(mut answers) = self.answers.lock() {
            answers.push(response.clone());
        }
        Ok(())
    }
}
