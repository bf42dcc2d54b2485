//! Lambda entry point: the scheduled payment reconciler. Builds its
//! adapters once, at init, from the environment template.yaml sets, then
//! serves invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::dynamo::DynamoBookings;
use berth_aws::stripe::StripeGateway;
use berth_domain::ports::SystemClock;
use berth_functions::events::reconcile_payments::{Deps, handle};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let bookings = Arc::new(DynamoBookings::from_env(&config)?);
    let deps = Deps {
        gateway: Arc::new(StripeGateway::from_env(&config).await?),
        bookings: bookings.clone(),
        changes: bookings,
        clock: Arc::new(SystemClock),
    };
    berth_functions::runtime::function(
        deps,
        |deps, event| async move { handle(&deps, event).await },
    )
    .await
}
