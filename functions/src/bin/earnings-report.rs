//! Lambda entry point: `GET /reports/earnings`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::EARNINGS_REPORT).await
}
