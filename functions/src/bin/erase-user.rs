//! Lambda entry point: the erasure consumer. Builds its adapters once, at
//! init, from the environment template.yaml sets, then serves invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::dynamo::{DynamoAudit, DynamoBookings, DynamoUsers};
use berth_aws::ledger::RdsDataLedger;
use berth_functions::events::erase_user::{Deps, handle};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let bookings = Arc::new(DynamoBookings::from_env(&config)?);
    let deps = Deps {
        bookings: bookings.clone(),
        stores: vec![
            Arc::new(DynamoUsers::from_env(&config)?),
            Arc::new(DynamoAudit::from_env(&config)?),
            Arc::new(RdsDataLedger::from_env(&config)?),
            bookings,
        ],
    };
    berth_functions::runtime::function(
        deps,
        |deps, event| async move { handle(&deps, event).await },
    )
    .await
}
