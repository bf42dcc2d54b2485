//! Lambda entry point: the signals consumer.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::LEARN_SIGNALS).await
}
