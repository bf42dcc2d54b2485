//! Lambda entry point: the notification router. Builds its adapters
//! once, at init, from the environment template.yaml sets, then serves
//! invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::queue::SqsNotificationQueue;
use berth_functions::events::queue_notifications::{Deps, handle};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let queue = Arc::new(SqsNotificationQueue::from_env(&config)?);
    let deps = Deps { queue };
    berth_functions::runtime::function(
        deps,
        |deps, event| async move { handle(&deps, event).await },
    )
    .await
}
