//! Lambda entry point: a host stops importing a calendar.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::DELETE_CALENDAR_FEED).await
}
