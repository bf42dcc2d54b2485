//! The embedded adapters: the shared port contract, the fake gateway, what
//! only SQLite must show (durability across reopening, group commit), the
//! booking use cases run over them alone, and the payment compensation and
//! reconciler over them.

// A test reads as one scenario, start to end: the 80-line limit on
// functions (clippy.toml) is for the code under test.
#![allow(clippy::too_many_lines)]

mod contract;
mod durability;
mod gateway;
mod payments;
mod use_cases;
