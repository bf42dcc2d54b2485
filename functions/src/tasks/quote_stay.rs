//! Task Quote: the property still takes the stay, at a price.

use std::sync::Arc;

use berth_domain::ports::{BookingReader, PropertyReader};
use berth_domain::reservations;
use lambda_runtime::LambdaEvent;

use super::{BookingTask, TaskResult};

pub struct Deps {
    pub bookings: Arc<dyn BookingReader>,
    pub properties: Arc<dyn PropertyReader>,
}

#[tracing::instrument(name = "quote_stay", skip_all, fields(booking_id = %event.payload.booking_id))]
pub async fn handle(deps: &Deps, event: LambdaEvent<BookingTask>) -> TaskResult {
    let task = event.payload;
    reservations::quote(
        deps.bookings.as_ref(),
        deps.properties.as_ref(),
        &task.booking_id,
    )
    .await?;
    Ok(task)
}
