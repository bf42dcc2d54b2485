//! Lambda entry point: `GET /properties/{id}/pricing`. Builds its adapters
//! once, at init, from the environment template.yaml sets, then serves
//! invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::dynamo::DynamoProperties;
use berth_functions::http::get_pricing::{Deps, handle};
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let properties = Arc::new(DynamoProperties::from_env(&config)?);
    let deps = Deps { properties };
    berth_functions::runtime::http(
        deps,
        |deps, request| async move { handle(&deps, request).await },
    )
    .await
}
