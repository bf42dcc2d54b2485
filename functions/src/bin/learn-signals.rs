//! Lambda entry point: the signals consumer. Builds its adapters
//! once, at init, from the environment template.yaml sets, then serves
//! invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::dynamo::DynamoProperties;
use berth_aws::dynamo::DynamoUsers;
use berth_functions::events::learn_signals::{Deps, handle};
use lambda_runtime::{Error, run, service_fn};

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
    run(service_fn(|event| handle(&deps, event))).await
}
