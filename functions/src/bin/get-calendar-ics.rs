//! Lambda entry point: a property's iCal export.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::GET_CALENDAR_ICS).await
}
