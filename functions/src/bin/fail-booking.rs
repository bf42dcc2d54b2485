//! Lambda entry point: the booking workflow's final compensation.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::FAIL_BOOKING).await
}
