//! Lambda entry point: the scheduled calendar sync.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::SYNC_CALENDAR_FEEDS).await
}
