//! Lambda entry point: the notification router.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::QUEUE_NOTIFICATIONS).await
}
