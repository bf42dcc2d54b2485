//! Lambda entry point: `GET /properties/{id}/pricing`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::GET_PRICING).await
}
