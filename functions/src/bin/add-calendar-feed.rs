//! Lambda entry point: a host adds a calendar to import.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::ADD_CALENDAR_FEED).await
}
