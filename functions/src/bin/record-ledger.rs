//! Lambda entry point: the ledger consumer. Builds its adapters
//! once, at init, from the environment template.yaml sets, then serves
//! invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::ledger::RdsDataLedger;
use berth_functions::events::record_ledger::{Deps, handle};
use lambda_runtime::{Error, run, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let ledger = Arc::new(RdsDataLedger::from_env(&config)?);
    let deps = Deps { ledger };
    run(service_fn(|event| handle(&deps, event))).await
}
