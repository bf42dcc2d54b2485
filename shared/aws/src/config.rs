//! The one `SdkConfig` every client is built from, and the named environment
//! variables adapters read once at init.
//!
//! Every client shares one HTTP client: hyper 1 + rustls with ring, so the
//! SDK's default second TLS stack (and aws-lc's C build) is never compiled.
//! The SDK's standard `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_<SERVICE>`)
//! sends every client to an emulator.

use std::collections::HashMap;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_dynamodb::config::{Credentials, SharedCredentialsProvider, SharedHttpClient};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};

/// The environment variables Berth's functions are configured with
/// (template.yaml sets them).
pub mod vars {
    pub const PROPERTIES_TABLE: &str = "PROPERTIES_TABLE";
    pub const CALENDAR_TABLE: &str = "CALENDAR_TABLE";
    pub const BOOKINGS_TABLE: &str = "BOOKINGS_TABLE";
    pub const IDEMPOTENCY_TABLE: &str = "IDEMPOTENCY_TABLE";
    pub const OUTBOX_TABLE: &str = "OUTBOX_TABLE";
    pub const USERS_TABLE: &str = "USERS_TABLE";
    pub const AUDIT_TABLE: &str = "AUDIT_TABLE";
    pub const PAYMENTS_TABLE: &str = "PAYMENTS_TABLE";
    pub const BOOKING_STATE_MACHINE_ARN: &str = "BOOKING_STATE_MACHINE_ARN";
    pub const PROPERTIES_BUS: &str = "PROPERTIES_BUS";
    pub const BOOKINGS_BUS: &str = "BOOKINGS_BUS";
    pub const USERS_BUS: &str = "USERS_BUS";
    pub const NOTIFICATIONS_QUEUE_URL: &str = "NOTIFICATIONS_QUEUE_URL";
    pub const LEDGER_CLUSTER_ARN: &str = "LEDGER_CLUSTER_ARN";
    pub const LEDGER_SECRET_ARN: &str = "LEDGER_SECRET_ARN";
    pub const LEDGER_DATABASE: &str = "LEDGER_DATABASE";
    /// Secrets Manager secret holding the Stripe secret key.
    pub const PAYMENT_SECRET_ARN: &str = "PAYMENT_SECRET_ARN";
    /// Optional; `https://api.stripe.com` when unset.
    pub const STRIPE_API_BASE: &str = "STRIPE_API_BASE";
    pub const NOTIFY_FROM_ADDRESS: &str = "NOTIFY_FROM_ADDRESS";
    pub const USER_POOL_ID: &str = "USER_POOL_ID";
    /// The bucket of the search index's snapshots.
    pub const SEARCH_SNAPSHOT_BUCKET: &str = "SEARCH_SNAPSHOT_BUCKET";
    /// The search feed (a Kinesis stream's name or ARN).
    pub const SEARCH_STREAM: &str = "SEARCH_STREAM";
    /// Optional; how long a booking's nights stay held, in minutes.
    pub const HOLD_MINUTES: &str = "HOLD_MINUTES";
    /// Optional; where the API is reached from outside (`https://…`) when
    /// that is not the domain a request names: behind CloudFront.
    pub const PUBLIC_URL: &str = "PUBLIC_URL";

    /// Every variable an adapter cannot do without.
    pub const REQUIRED: &[&str] = &[
        PROPERTIES_TABLE,
        CALENDAR_TABLE,
        BOOKINGS_TABLE,
        IDEMPOTENCY_TABLE,
        OUTBOX_TABLE,
        USERS_TABLE,
        AUDIT_TABLE,
        PAYMENTS_TABLE,
        BOOKING_STATE_MACHINE_ARN,
        PROPERTIES_BUS,
        BOOKINGS_BUS,
        USERS_BUS,
        NOTIFICATIONS_QUEUE_URL,
        LEDGER_CLUSTER_ARN,
        LEDGER_SECRET_ARN,
        LEDGER_DATABASE,
        PAYMENT_SECRET_ARN,
        NOTIFY_FROM_ADDRESS,
        USER_POOL_ID,
        SEARCH_SNAPSHOT_BUCKET,
        SEARCH_STREAM,
    ];
    /// Empty in AWS. `sam local` runs a function in a container that sees
    /// only the variables the template declares; env.local.json sets this
    /// one to the emulators' endpoint (moto), as `AWS_ENDPOINT_URL` would.
    pub const EMULATOR_ENDPOINT: &str = "BERTH_EMULATOR_ENDPOINT";
}

/// A required environment variable that is unset (or empty).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("missing environment variable {0}")]
pub struct MissingVariable(pub &'static str);

/// Where adapters read their settings: the process environment, or a map
/// (tests, and the local platform running on an emulator).
#[derive(Debug, Clone, Default)]
pub struct Environment {
    map: Option<HashMap<String, String>>,
}

impl Environment {
    pub fn process() -> Self {
        Self { map: None }
    }

    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Self {
            map: Some(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect(),
            ),
        }
    }

    pub fn optional(&self, name: &str) -> Option<String> {
        let value = match &self.map {
            Some(map) => map.get(name).cloned(),
            None => std::env::var(name).ok(),
        };
        value.filter(|v| !v.trim().is_empty())
    }

    pub fn require(&self, name: &'static str) -> Result<String, MissingVariable> {
        self.optional(name).ok_or(MissingVariable(name))
    }
}

/// What every adapter constructor takes: the shared SDK config and the
/// environment to read names from.
#[derive(Debug, Clone)]
pub struct AwsConfig {
    sdk: SdkConfig,
    env: Environment,
}

impl AwsConfig {
    /// The SDK config from the process environment (region, credentials,
    /// `AWS_ENDPOINT_URL`), with names read from the process environment.
    pub async fn load() -> Self {
        let env = Environment::process();
        let sdk = match env.optional(vars::EMULATOR_ENDPOINT) {
            Some(endpoint) => emulator_sdk_config(&endpoint),
            None => {
                aws_config::defaults(BehaviorVersion::latest())
                    .http_client(http_client())
                    .load()
                    .await
            }
        };
        Self::new(sdk, env)
    }

    pub fn new(sdk: SdkConfig, env: Environment) -> Self {
        Self { sdk, env }
    }

    pub fn sdk(&self) -> &SdkConfig {
        &self.sdk
    }

    pub fn env(&self) -> &Environment {
        &self.env
    }

    pub fn require(&self, name: &'static str) -> Result<String, MissingVariable> {
        self.env.require(name)
    }
}

/// An SDK config for an emulator at `endpoint`: region us-east-1 and
/// static dummy credentials, so it works on a machine with no AWS setup.
pub fn emulator_sdk_config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "emulator",
        )))
        .http_client(http_client())
        .build()
}

fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_variable_is_named() {
        let env = Environment::from_pairs([("PROPERTIES_TABLE", "props"), ("USERS_TABLE", " ")]);
        assert_eq!(env.require(vars::PROPERTIES_TABLE).unwrap(), "props");
        let missing = env.require(vars::USERS_TABLE).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "missing environment variable USERS_TABLE"
        );
        assert_eq!(env.optional(vars::STRIPE_API_BASE), None);
    }
}
