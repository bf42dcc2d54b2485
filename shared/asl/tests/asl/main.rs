//! Behaviour of the States Language executor, one module per concern.

// A test reads as one scenario, start to end: the 80-line limit on
// functions (clippy.toml) is for the code under test.
#![allow(clippy::too_many_lines)]

mod booking;
mod callbacks;
mod choice;
mod conformance;
mod dataflow;
mod durability;
mod loading;
mod recovery;
mod support;
mod timing;
