//! Lambda entry point: `GET /bookings/{id}`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::GET_BOOKING).await
}
