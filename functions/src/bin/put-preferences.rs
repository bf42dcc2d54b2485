//! Lambda entry point: `PUT /me/preferences`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::PUT_PREFERENCES).await
}
