//! Lambda entry point: the ledger consumer. Builds its adapters
//! once, at init, from the environment template.yaml sets, then serves
//! invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::ledger::RdsDataLedger;
use berth_functions::events::record_ledger::{Deps, handle};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let ledger = Arc::new(RdsDataLedger::from_env(&config)?);
    let deps = Deps { ledger };
    berth_functions::runtime::function(
        deps,
        |deps, event| async move { handle(&deps, event).await },
    )
    .await
}
