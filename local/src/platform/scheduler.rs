//! Schedules: what EventBridge Scheduler does. Each scheduled function of
//! the catalogue runs at its rate (scaled by the platform's time scale); the
//! sweeper also at once when the clock is moved forward or a run is asked for.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::Notify;

use super::registry::JsonFn;

/// The scheduled event EventBridge Scheduler sends.
pub fn scheduled_event(schedule: &str) -> Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": "000000000000",
        "time": chrono::Utc::now().to_rfc3339(),
        "region": "local",
        "resources": [format!("arn:aws:scheduler:local:000000000000:schedule/default/{schedule}")],
        "detail": {},
    })
}

/// The period of a `rate(N unit)` expression (the only kind Berth uses).
pub fn period(expression: &str) -> Option<Duration> {
    let inner = expression.strip_prefix("rate(")?.strip_suffix(')')?;
    let (count, unit) = inner.split_once(' ')?;
    let count: u64 = count.parse().ok().filter(|n| *n > 0)?;
    let seconds = match unit.trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3_600,
        "day" => 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(count * seconds))
}

pub async fn run(schedule: &'static str, every: Duration, function: JsonFn, poke: Arc<Notify>) {
    loop {
        let _ = tokio::time::timeout(every, poke.notified()).await;
        match function(scheduled_event(schedule)).await {
            Ok(report) => tracing::debug!(schedule, %report, "schedule ran"),
            Err(failure) => {
                tracing::warn!(schedule, error = %failure.error, cause = %failure.cause, "schedule failed")
            }
        }
    }
}
