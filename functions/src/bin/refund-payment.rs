//! Lambda entry point: the booking workflow's refund compensation.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::REFUND_PAYMENT).await
}
