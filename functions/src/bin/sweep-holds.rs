//! Lambda entry point: the scheduled hold sweeper.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::SWEEP_HOLDS).await
}
