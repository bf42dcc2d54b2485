//! Functions the stack itself runs while it deploys (CloudFormation custom
//! resources): each does its work on Create and Update, answers the stack
//! through [`Replies`] whatever happens (a function that never answers
//! holds the deploy for an hour), and never undoes anything on Delete.

pub mod migrate_ledger;

use std::collections::HashMap;

use async_trait::async_trait;
use aws_lambda_events::event::cloudformation::{
    CloudFormationCustomResourceRequest, CloudFormationCustomResourceResponse,
    CloudFormationCustomResourceResponseStatus,
};

/// Where a custom resource's outcome goes: the pre-signed URL in its event.
#[async_trait]
pub trait Replies: Send + Sync {
    async fn send(
        &self,
        url: &str,
        response: &CloudFormationCustomResourceResponse,
    ) -> anyhow::Result<()>;
}

#[async_trait]
impl Replies for berth_aws::stack::StackReplies {
    async fn send(
        &self,
        url: &str,
        response: &CloudFormationCustomResourceResponse,
    ) -> anyhow::Result<()> {
        self.put(url, serde_json::to_vec(response)?).await
    }
}

/// What a custom resource answers: its outcome and the ids CloudFormation
/// matches it by.
pub fn response(
    request: &CloudFormationCustomResourceRequest,
    physical_id: &str,
    outcome: Result<HashMap<String, String>, String>,
) -> CloudFormationCustomResourceResponse {
    let (stack_id, request_id, logical_id) = match request {
        CloudFormationCustomResourceRequest::Create(r) => {
            (&r.stack_id, &r.request_id, &r.logical_resource_id)
        }
        CloudFormationCustomResourceRequest::Update(r) => {
            (&r.stack_id, &r.request_id, &r.logical_resource_id)
        }
        CloudFormationCustomResourceRequest::Delete(r) => {
            (&r.stack_id, &r.request_id, &r.logical_resource_id)
        }
    };
    let (status, reason, data) = match outcome {
        Ok(data) => (CloudFormationCustomResourceResponseStatus::Success, None, data),
        Err(why) => (
            CloudFormationCustomResourceResponseStatus::Failed,
            Some(why),
            HashMap::new(),
        ),
    };
    CloudFormationCustomResourceResponse {
        status,
        reason,
        physical_resource_id: physical_id.to_owned(),
        stack_id: stack_id.clone(),
        request_id: request_id.clone(),
        logical_resource_id: logical_id.clone(),
        no_echo: false,
        data,
        other: serde_json::Map::new(),
    }
}

/// The URL a request's response goes to.
pub fn response_url(request: &CloudFormationCustomResourceRequest) -> &str {
    match request {
        CloudFormationCustomResourceRequest::Create(r) => &r.response_url,
        CloudFormationCustomResourceRequest::Update(r) => &r.response_url,
        CloudFormationCustomResourceRequest::Delete(r) => &r.response_url,
    }
}
