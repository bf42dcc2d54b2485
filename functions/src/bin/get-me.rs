//! Lambda entry point: `GET /me`. Builds its adapters
//! once, at init, from the environment template.yaml sets, then serves
//! invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::dynamo::DynamoUsers;
use berth_functions::http::get_me::{Deps, handle};
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let users = Arc::new(DynamoUsers::from_env(&config)?);
    let deps = Deps {
        profiles: users.clone(),
        signals: users.clone(),
    };
    berth_functions::runtime::http(
        deps,
        |deps, request| async move { handle(&deps, request).await },
    )
    .await
}
