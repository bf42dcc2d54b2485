//! Functions the stack itself runs while it deploys (CloudFormation custom
//! resources): each does its work on Create and Update, answers the stack
//! through [`Replies`] whatever happens (a function that never answers
//! holds the deploy for an hour), and never undoes anything on Delete.
//!
//! The request and response are CloudFormation's custom resource shapes
//! (AWS CloudFormation User Guide, "Custom resource request objects" and
//! "Custom resource response objects").

pub mod migrate_ledger;

use std::collections::BTreeMap;

use berth_domain::ports::DeployReplies;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum RequestType {
    Create,
    Update,
    Delete,
}

/// What CloudFormation sends a custom resource's function.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackRequest {
    pub request_type: RequestType,
    #[serde(rename = "ResponseURL")]
    pub response_url: String,
    pub stack_id: String,
    pub request_id: String,
    pub logical_resource_id: String,
    /// Absent on Create.
    #[serde(default)]
    pub physical_resource_id: Option<String>,
    #[serde(default)]
    pub resource_properties: serde_json::Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    Success,
    Failed,
}

/// What the function answers CloudFormation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackResponse {
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub physical_resource_id: String,
    pub stack_id: String,
    pub request_id: String,
    pub logical_resource_id: String,
    pub data: BTreeMap<String, String>,
}

impl StackResponse {
    /// The answer to `request`, with the ids CloudFormation matches it by.
    pub fn to(
        request: &StackRequest,
        physical_id: &str,
        outcome: Result<BTreeMap<String, String>, String>,
    ) -> Self {
        let (status, reason, data) = match outcome {
            Ok(data) => (Status::Success, None, data),
            Err(why) => (Status::Failed, Some(why), BTreeMap::new()),
        };
        Self {
            status,
            reason,
            physical_resource_id: physical_id.to_owned(),
            stack_id: request.stack_id.clone(),
            request_id: request.request_id.clone(),
            logical_resource_id: request.logical_resource_id.clone(),
            data,
        }
    }
}

/// Sends a custom resource's outcome to the pre-signed URL in its event.
pub async fn send(
    replies: &dyn DeployReplies,
    url: &str,
    response: &StackResponse,
) -> anyhow::Result<()> {
    replies.reply(url, &serde_json::to_vec(response)?).await
}
