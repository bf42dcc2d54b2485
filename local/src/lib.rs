//! `berth`, Berth's local platform and developer CLI, as a library so its
//! tests can start it in-process.
//!
//! - [`platform`]: every AWS service Berth uses, stood in for in-process;
//! - [`server`]: the HTTP API over the platform, and [`serve`] (`berth serve`);
//! - the other subcommands: [`demo`], [`bench`], [`invoke`], [`catalogue`], [`states`];
//! - [`client`] and [`invariants`]: driving and checking Berth over HTTP.

pub mod bench;
pub mod catalogue;
pub mod client;
pub mod demo;
pub mod invariants;
pub mod invoke;
mod logging;
pub mod platform;
pub mod seed;
pub mod serve;
pub mod server;
pub mod states;
