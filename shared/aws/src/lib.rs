//! Berth's AWS adapters: every domain port over the AWS services Berth runs
//! on, built once per Lambda at init from one [`AwsConfig`].
//!
//! - [`config`]: the shared `SdkConfig` (one rustls + ring HTTP client; the
//!   SDK's `AWS_ENDPOINT_URL` points it at an emulator) and the named
//!   environment variables each adapter reads;
//! - [`dynamo`]: the store ports over DynamoDB, one table per kind of record,
//!   events written to the outbox table in the same transaction (see
//!   `docs/dynamodb.md`);
//! - [`workflow`] (Step Functions), [`events`] (EventBridge), [`queue`]
//!   (SQS FIFO), [`notifier`] (SES v2 + Cognito), [`ledger`] (RDS Data API),
//!   [`stripe`] (the payment gateway), [`secrets`] (Secrets Manager),
//!   [`search`] (the search index's snapshots: S3 and Kinesis), [`identity`]
//!   (the Cognito user pool),
//!   [`stack`] (answers to CloudFormation custom resources);
//! - [`source`]: the ports a function asks for, built from its environment,
//!   each recorded with the IAM actions and variables it needs ([`access`]);
//! - [`bootstrap`]: creates every table, bus, queue and the state machine on
//!   a fresh emulator.

pub mod access;
pub mod bootstrap;
pub mod config;
pub mod dynamo;
pub mod events;
pub mod identity;
pub mod ledger;
pub mod notifier;
pub mod queue;
mod retry;
pub mod search;
pub mod secrets;
pub mod source;
pub mod stack;
pub mod stripe;
pub mod workflow;

pub use config::{AwsConfig, Environment, MissingVariable};
pub use source::AwsSource;
