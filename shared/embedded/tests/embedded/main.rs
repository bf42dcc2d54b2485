//! The embedded adapters: the shared port contract, the fake gateway, what
//! only SQLite must show (durability across reopening, group commit), the
//! booking use cases run over them alone, and the payment compensation and
//! reconciler over them.

mod contract;
mod durability;
mod gateway;
mod payments;
mod use_cases;
