//! Lambda entry point: the outbox stream publisher. Builds its adapters
//! once, at init, from the environment template.yaml sets, then serves
//! invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::events::EventBridgePublisher;
use berth_functions::events::publish_events::{Deps, handle};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let publisher = Arc::new(EventBridgePublisher::from_env(&config)?);
    let deps = Deps { publisher };
    berth_functions::runtime::function(
        deps,
        |deps, event| async move { handle(&deps, event).await },
    )
    .await
}
