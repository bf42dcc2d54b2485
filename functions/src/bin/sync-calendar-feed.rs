//! Lambda entry point: a host syncs an imported calendar now.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::SYNC_CALENDAR_FEED).await
}
