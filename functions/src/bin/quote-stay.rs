//! Lambda entry point: the booking workflow's Quote task.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::QUOTE_STAY).await
}
