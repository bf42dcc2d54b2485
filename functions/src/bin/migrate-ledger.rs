//! Lambda entry point: the ledger migration the stack runs on deploy.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::MIGRATE_LEDGER).await
}
