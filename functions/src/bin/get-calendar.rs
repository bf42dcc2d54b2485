//! Lambda entry point: `GET /properties/{id}/calendar`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::GET_CALENDAR).await
}
