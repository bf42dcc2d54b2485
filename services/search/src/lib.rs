//! Berth's search service: an in-memory index of every property and its
//! nights, answering GET /search in milliseconds, kept fresh by domain events.
//!
//! - [`index`]: the index, its bulk loader and snapshots;
//! - [`query`]: GET /search parameters, cursor and execution;
//! - [`service`]: the index shared by queries and the event feed;
//! - [`http`]: the axum router (GET /search, /health, /ready);
//! - [`feed`]: event feeds (the Kinesis one for AWS) and the loop that applies them;
//! - [`snapshots`]: published snapshots (S3, a file) and their publisher;
//! - [`server`]: the `berth-search` binary's configuration and start-up;
//! - [`bench`]: a generated-data benchmark (`berth bench search`).

pub mod bench;
pub mod feed;
pub mod http;
pub mod index;
pub mod query;
pub mod server;
pub mod service;
pub mod snapshots;

pub use http::{router, search_routes};
pub use index::{Applied, FeedPosition, Index, IndexBuilder, Positions};
pub use query::{SearchPage, SearchRequest};
pub use service::SearchService;
