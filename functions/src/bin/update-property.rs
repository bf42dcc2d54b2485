//! Lambda entry point: `PATCH /properties/{id}`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::UPDATE_PROPERTY).await
}
