//! Lambda entry point: `GET /bookings`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::LIST_BOOKINGS).await
}
