//! Lambda entry point: `POST /bookings/{id}/cancel`.

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    berth_functions::runtime::run(&berth_functions::catalogue::CANCEL_BOOKING).await
}
