//! The embedded adapters: the shared port contract, the fake gateway, what
//! only SQLite must show (durability across reopening, group commit), and the
//! booking use cases run over them alone.

mod contract;
mod durability;
mod gateway;
mod use_cases;
