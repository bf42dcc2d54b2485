//! The search service's integration tests, one binary.

// A test reads as one scenario, start to end: the 80-line limit on
// functions (clippy.toml) is for the code under test.
#![allow(clippy::too_many_lines)]

mod http;
mod model;
mod oracle;
mod order;
mod params;
mod replicas;
mod snapshots;
mod support;
mod world;
