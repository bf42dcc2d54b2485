//! Lambda entry point: `POST /properties`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::CREATE_PROPERTY).await
}
