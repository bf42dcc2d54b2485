//! The search service's integration tests, one binary.

mod http;
mod model;
mod oracle;
mod order;
mod params;
mod replicas;
mod snapshots;
mod support;
mod world;
