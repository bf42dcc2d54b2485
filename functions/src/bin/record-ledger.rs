//! Lambda entry point: the ledger consumer.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::RECORD_LEDGER).await
}
