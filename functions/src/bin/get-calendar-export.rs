//! Lambda entry point: a property's secret iCal link.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::GET_CALENDAR_EXPORT).await
}
