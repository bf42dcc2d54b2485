//! Event processors: the outbox publisher (DynamoDB stream → EventBridge),
//! the SQS consumers that keep read models, send notifications and erase
//! users, and the scheduled sweeper, payment reconciler, search snapshot
//! publisher and calendar sync.

pub mod append_audit;
pub mod erase_user;
pub mod learn_signals;
pub mod publish_events;
pub mod publish_search_snapshot;
pub mod queue_notifications;
pub mod reconcile_payments;
pub mod record_ledger;
pub mod send_notifications;
pub mod sqs;
pub mod sweep_holds;
pub mod sync_calendar_feeds;
