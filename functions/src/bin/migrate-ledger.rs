//! Lambda entry point: the ledger migration the stack runs on deploy (a
//! custom resource). Builds its adapters once, at init, from the
//! environment template.yaml sets, then serves invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::ledger::RdsDataLedger;
use berth_aws::stack::StackReplies;
use berth_functions::stack::migrate_ledger::{Deps, handle};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let deps = Deps {
        ledger: Arc::new(RdsDataLedger::from_env(&config)?),
        replies: Arc::new(StackReplies::new()?),
    };
    berth_functions::runtime::function(
        deps,
        |deps, event| async move { handle(&deps, event).await },
    )
    .await
}
