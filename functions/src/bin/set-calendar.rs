//! Lambda entry point: `PUT /properties/{id}/calendar`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::SET_CALENDAR).await
}
