//! Lambda entry point: the outbox stream publisher.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::PUBLISH_EVENTS).await
}
