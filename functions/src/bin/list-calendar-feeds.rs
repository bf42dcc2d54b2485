//! Lambda entry point: a property's imported calendars.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::LIST_CALENDAR_FEEDS).await
}
