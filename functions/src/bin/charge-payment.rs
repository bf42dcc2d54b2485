//! Lambda entry point: the booking workflow's Pay task.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::CHARGE_PAYMENT).await
}
