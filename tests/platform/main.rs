//! End-to-end tests of the local platform over HTTP: one test binary, an
//! in-process `berth serve` on port 0 per test (a real `berth` process where
//! a test kills it).

// A test reads as one scenario, start to end: the 80-line limit on
// functions (clippy.toml) is for the code under test.
#![allow(clippy::too_many_lines)]

mod api;
mod aws_backend;
mod bookings;
mod calendar_sync;
mod crash;
mod erasure;
mod event_order;
mod iam;
mod openapi;
mod parity;
mod pricing;
mod read_models;
mod search;
mod settings;
mod stacks;
mod states;
mod support;
mod web;
