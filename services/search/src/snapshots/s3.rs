//! [`SnapshotStore`] over S3: one object of the (versioned) snapshot bucket.
//!
//! Replacing is a conditional PutObject: `If-Match` the ETag read, or
//! `If-None-Match: *` when there was none, so a run never overwrites a
//! snapshot it did not start from; S3 answers 412 (or 409 for a race with
//! another conditional write) and the object stays as it is ("Add
//! preconditions to S3 operations with conditional requests",
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/conditional-requests.html>).

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::primitives::ByteStream;

use super::{ReplaceError, SnapshotStore, Stored};

/// Where the publisher writes and replicas read, in the snapshot bucket.
pub const KEY: &str = "search/latest.snap";

/// The IAM actions [`SnapshotStore::latest`] calls. `s3:ListBucket` (on the
/// bucket) is there because without it S3 answers GetObject on a missing
/// key with 403 Access Denied instead of 404 NoSuchKey ("GetObject",
/// Permissions, <https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html>),
/// and a missing snapshot must read as missing, not as a failure.
pub const READ_ACTIONS: &[&str] = &["s3:GetObject", "s3:ListBucket"];
/// The IAM actions [`SnapshotStore::replace`] calls (a conditional
/// PutObject needs no other).
pub const WRITE_ACTIONS: &[&str] = &["s3:PutObject"];

#[derive(Debug, Clone)]
pub struct S3Snapshots {
    client: Client,
    bucket: String,
    key: String,
}

impl S3Snapshots {
    /// Over a client built from `sdk`: path-style addressing when `sdk`
    /// names an endpoint (an emulator on 127.0.0.1 has no bucket hosts).
    pub fn from_sdk(
        sdk: &aws_config::SdkConfig,
        bucket: impl Into<String>,
        key: impl Into<String>,
    ) -> Self {
        let config = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(sdk.endpoint_url().is_some())
            .build();
        Self {
            client: Client::from_conf(config),
            bucket: bucket.into(),
            key: key.into(),
        }
    }

    fn uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

#[async_trait]
impl SnapshotStore for S3Snapshots {
    async fn latest(&self) -> anyhow::Result<Option<Stored>> {
        let got = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .send()
            .await;
        let out = match got {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(anyhow::Error::new(e).context(format!("reading {}", self.uri()))),
        };
        let tag = out
            .e_tag()
            .with_context(|| format!("{} came without an ETag", self.uri()))?
            .to_owned();
        let bytes = out
            .body
            .collect()
            .await
            .with_context(|| format!("downloading {}", self.uri()))?
            .into_bytes();
        Ok(Some(Stored {
            bytes: bytes.into(),
            tag,
        }))
    }

    async fn replace(&self, bytes: Vec<u8>, replacing: Option<&str>) -> Result<(), ReplaceError> {
        let put = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(&self.key)
            .content_type("application/octet-stream")
            .body(ByteStream::from(bytes));
        let put = match replacing {
            Some(tag) => put.if_match(tag),
            None => put.if_none_match("*"),
        };
        match put.send().await {
            Ok(_) => Ok(()),
            Err(e)
                if e.raw_response()
                    .is_some_and(|r| matches!(r.status().as_u16(), 409 | 412)) =>
            {
                Err(ReplaceError::Changed)
            }
            Err(e) => Err(ReplaceError::Other(
                anyhow::Error::new(e).context(format!("writing {}", self.uri())),
            )),
        }
    }
}
