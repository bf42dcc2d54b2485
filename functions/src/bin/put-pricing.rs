//! Lambda entry point: `PUT /properties/{id}/pricing`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::PUT_PRICING).await
}
