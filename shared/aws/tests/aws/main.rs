//! Berth's AWS adapters against emulators on 127.0.0.1: moto (DynamoDB, SQS,
//! EventBridge, Step Functions, Secrets Manager, Cognito, SES) and
//! localstripe, plus recorded-request stubs where an emulator falls short
//! (RDS Data API, Stripe's Idempotency-Key), and the ledger's SQL on a real
//! PostgreSQL behind a Data API stub. Run them through
//! `scripts/emulators.sh run -- cargo test -p berth-aws`; without the
//! emulators' URLs every test here fails, saying so.

// A test reads as one scenario, start to end: the 80-line limit on
// functions (clippy.toml) is for the code under test.
#![allow(clippy::too_many_lines)]

mod bootstrap;
mod config;
mod contract;
mod events;
mod gateway;
mod identity;
mod night_rules;
mod notifier;
mod postgres;
mod queue;
mod race;
mod rds_data;
mod search;
mod secrets;
mod stub;
mod support;
mod transact;
mod workflow;
