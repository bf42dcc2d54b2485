//! Lambda entry point: `GET /me/properties`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::LIST_MY_PROPERTIES).await
}
