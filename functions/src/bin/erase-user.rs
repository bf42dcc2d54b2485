//! Lambda entry point: the erasure consumer.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::ERASE_USER).await
}
