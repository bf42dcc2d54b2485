//! Lambda entry point: the booking workflow's release compensation. Builds its adapters
//! once, at init, from the environment template.yaml sets, then serves
//! invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::dynamo::DynamoBookings;
use berth_functions::tasks::release_nights::{Deps, handle};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let bookings = Arc::new(DynamoBookings::from_env(&config)?);
    let deps = Deps {
        bookings: bookings.clone(),
        changes: bookings.clone(),
    };
    berth_functions::runtime::function(
        deps,
        |deps, event| async move { handle(&deps, event).await },
    )
    .await
}
