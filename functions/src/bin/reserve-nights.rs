//! Lambda entry point: the booking workflow's Reserve task.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::RESERVE_NIGHTS).await
}
