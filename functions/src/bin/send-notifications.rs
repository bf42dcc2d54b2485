//! Lambda entry point: the notification sender.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::SEND_NOTIFICATIONS).await
}
