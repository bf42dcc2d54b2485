//! Lambda entry point: the audit consumer.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::APPEND_AUDIT).await
}
