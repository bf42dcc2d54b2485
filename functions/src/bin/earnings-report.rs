//! Lambda entry point: `GET /reports/earnings`. Builds its adapters
//! once, at init, from the environment template.yaml sets, then serves
//! invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::ledger::RdsDataLedger;
use berth_functions::http::earnings_report::{Deps, handle};
use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let ledger = Arc::new(RdsDataLedger::from_env(&config)?);
    let deps = Deps { ledger };
    berth_functions::runtime::http(
        deps,
        |deps, request| async move { handle(&deps, request).await },
    )
    .await
}
