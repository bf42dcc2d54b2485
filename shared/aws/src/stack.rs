//! CloudFormation custom resources: a function the stack runs while it
//! deploys answers by PUTting its outcome to the pre-signed S3 URL in its
//! event; until that answer arrives the stack waits (an hour, then fails).
//!
//! The PUT carries an empty content type: the URL is signed without one
//! (what AWS's own `cfn-response` module sends).

use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use http::{Method, Request};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use async_trait::async_trait;
use berth_domain::ports::DeployReplies;

use crate::access::Access;

const TIMEOUT: Duration = Duration::from_secs(30);

/// [`DeployReplies`]: a PUT to a pre-signed URL needs no permission and
/// reads no variable.
pub const REPLIES: Access = Access {
    port: "DeployReplies",
    grants: &[],
    env: &[],
};

#[async_trait]
impl DeployReplies for StackReplies {
    async fn reply(&self, url: &str, body: &[u8]) -> anyhow::Result<()> {
        self.put(url, body.to_vec()).await
    }
}

/// Sends custom resource responses. No configuration: the URL is in the event.
#[derive(Clone)]
pub struct StackReplies {
    http: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl std::fmt::Debug for StackReplies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StackReplies").finish_non_exhaustive()
    }
}

impl StackReplies {
    pub fn new() -> anyhow::Result<Self> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())?
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Self {
            http: Client::builder(TokioExecutor::new()).build(https),
        })
    }

    /// PUTs `body` (the response JSON) to `url`.
    pub async fn put(&self, url: &str, body: Vec<u8>) -> anyhow::Result<()> {
        let length = body.len();
        let request = Request::builder()
            .method(Method::PUT)
            .uri(url)
            .header("content-type", "")
            .header("content-length", length)
            .body(Full::new(Bytes::from(body)))
            .context("building the response to CloudFormation")?;
        let exchange = async {
            let response = self.http.request(request).await?;
            let status = response.status();
            let text = response.into_body().collect().await?.to_bytes();
            Ok::<_, anyhow::Error>((status, text))
        };
        let (status, text) = tokio::time::timeout(TIMEOUT, exchange)
            .await
            .context("CloudFormation's response URL did not answer in time")?
            .context("sending the response to CloudFormation")?;
        anyhow::ensure!(
            status.is_success(),
            "CloudFormation's response URL answered {status}: {}",
            String::from_utf8_lossy(&text)
        );
        Ok(())
    }
}
