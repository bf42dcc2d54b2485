//! Lambda entry point: the signals consumer. Builds its adapters
//! once, at init, from the environment template.yaml sets, then serves
//! invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::dynamo::DynamoProperties;
use berth_aws::dynamo::DynamoUsers;
use berth_functions::events::learn_signals::{Deps, handle};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let properties = Arc::new(DynamoProperties::from_env(&config)?);
    let users = Arc::new(DynamoUsers::from_env(&config)?);
    let deps = Deps {
        properties,
        signals: users,
    };
    berth_functions::runtime::function(
        deps,
        |deps, event| async move { handle(&deps, event).await },
    )
    .await
}
