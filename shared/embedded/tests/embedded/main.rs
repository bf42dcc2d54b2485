//! The embedded adapters: the shared port contract, the fake gateway, and
//! what only SQLite must show (durability across reopening, group commit),
//! and the payment compensation and reconciler over them.

mod contract;
mod durability;
mod gateway;
mod payments;
