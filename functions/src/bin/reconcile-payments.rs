//! Lambda entry point: the scheduled payment reconciler.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::RECONCILE_PAYMENTS).await
}
