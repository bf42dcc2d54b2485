//! [`ShardReader`] over the AWS SDK's Kinesis client.

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_kinesis::Client;
use aws_sdk_kinesis::types::ShardIteratorType;

use super::{RawRecord, ReadError, RecordsPage, ShardInfo, ShardReader, Start};
use crate::index::ShardSequence;

/// Records per GetRecords call: a few seconds of Berth's events.
const PAGE: i32 = 1_000;

/// The IAM actions these calls need, on the stream. (The stream is
/// encrypted with the AWS managed key `aws/kinesis`, whose key policy lets
/// any principal of the account allowed to use Kinesis use it through
/// Kinesis, so no `kms:Decrypt`.)
pub const ACTIONS: &[&str] = &[
    "kinesis:ListShards",
    "kinesis:GetShardIterator",
    "kinesis:GetRecords",
];

#[derive(Debug, Clone)]
pub struct AwsShards {
    client: Client,
    /// A stream name, or its ARN (starting `arn:`).
    stream: String,
}

impl AwsShards {
    pub fn new(client: Client, stream: impl Into<String>) -> Self {
        Self {
            client,
            stream: stream.into(),
        }
    }

    /// Over a client built from `sdk`.
    pub fn from_sdk(sdk: &aws_config::SdkConfig, stream: impl Into<String>) -> Self {
        Self::new(Client::new(sdk), stream)
    }

    /// The SDK configuration every client of the service is built from:
    /// one rustls (ring) HTTP client, credentials and region from the
    /// environment (on EKS, the pod's IAM role via its service account).
    pub async fn sdk_config() -> aws_config::SdkConfig {
        use aws_smithy_http_client::{Builder, tls};
        let http = Builder::new()
            .tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .http_client(http)
            .load()
            .await
    }

    fn is_arn(&self) -> bool {
        self.stream.starts_with("arn:")
    }
}

#[async_trait]
impl ShardReader for AwsShards {
    async fn list_shards(&self) -> anyhow::Result<Vec<ShardInfo>> {
        let mut shards = Vec::new();
        let mut next_token: Option<String> = None;
        loop {
            let mut call = self.client.list_shards();
            // A continuation names only the token, not the stream.
            call = match (&next_token, self.is_arn()) {
                (Some(token), _) => call.next_token(token),
                (None, true) => call.stream_arn(&self.stream),
                (None, false) => call.stream_name(&self.stream),
            };
            let page = call
                .send()
                .await
                .with_context(|| format!("listing the shards of {}", self.stream))?;
            shards.extend(page.shards().iter().map(|s| ShardInfo {
                id: s.shard_id().to_owned(),
                parent: s.parent_shard_id().map(str::to_owned),
                adjacent_parent: s.adjacent_parent_shard_id().map(str::to_owned),
            }));
            match page.next_token() {
                Some(token) => next_token = Some(token.to_owned()),
                None => return Ok(shards),
            }
        }
    }

    async fn shard_iterator(&self, shard_id: &str, start: &Start) -> Result<String, ReadError> {
        let mut call = self.client.get_shard_iterator().shard_id(shard_id);
        call = if self.is_arn() {
            call.stream_arn(&self.stream)
        } else {
            call.stream_name(&self.stream)
        };
        call = match start {
            Start::AfterSequence(sequence) => call
                .shard_iterator_type(ShardIteratorType::AfterSequenceNumber)
                .starting_sequence_number(sequence.as_str()),
            Start::TrimHorizon => call.shard_iterator_type(ShardIteratorType::TrimHorizon),
        };
        match call.send().await {
            Ok(out) => out.shard_iterator().map(str::to_owned).ok_or_else(|| {
                ReadError::Other(anyhow::anyhow!("no iterator for shard {shard_id}"))
            }),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_provisioned_throughput_exceeded_exception()) =>
            {
                Err(ReadError::Throttled)
            }
            Err(e) => Err(ReadError::Other(
                anyhow::Error::new(e).context(format!("opening shard {shard_id}")),
            )),
        }
    }

    async fn records(&self, iterator: &str) -> Result<RecordsPage, ReadError> {
        let mut call = self
            .client
            .get_records()
            .shard_iterator(iterator)
            .limit(PAGE);
        if self.is_arn() {
            call = call.stream_arn(&self.stream);
        }
        let out = match call.send().await {
            Ok(out) => out,
            Err(e) => {
                let service = e.as_service_error();
                if service.is_some_and(|s| s.is_expired_iterator_exception()) {
                    return Err(ReadError::ExpiredIterator);
                }
                if service.is_some_and(|s| s.is_provisioned_throughput_exceeded_exception()) {
                    return Err(ReadError::Throttled);
                }
                return Err(ReadError::Other(
                    anyhow::Error::new(e).context("reading records"),
                ));
            }
        };
        let records = out
            .records()
            .iter()
            .map(|r| {
                let sequence = ShardSequence::parse(r.sequence_number())
                    .context("Kinesis gave a malformed sequence number")?;
                Ok(RawRecord {
                    sequence,
                    data: r.data().as_ref().to_vec(),
                })
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(RecordsPage {
            records,
            next_iterator: out.next_shard_iterator().map(str::to_owned),
            millis_behind_latest: out.millis_behind_latest(),
        })
    }
}
