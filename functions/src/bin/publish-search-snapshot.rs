//! Lambda entry point: the scheduled search snapshot publisher.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::PUBLISH_SEARCH_SNAPSHOT).await
}
