//! Lambda entry point: a new secret iCal link.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::ROTATE_CALENDAR_EXPORT).await
}
