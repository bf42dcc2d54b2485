//! Lambda entry point: the booking workflow's Confirm task.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::CONFIRM_BOOKING).await
}
