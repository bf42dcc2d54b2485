//! Lambda entry point: the notification sender. Builds its adapters
//! once, at init, from the environment template.yaml sets, then serves
//! invocations.

use std::sync::Arc;

use berth_aws::AwsConfig;
use berth_aws::notifier::EmailNotifier;
use berth_functions::events::send_notifications::{Deps, handle};
use lambda_runtime::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    berth_functions::init_logging();
    let config = AwsConfig::load().await;
    let notifier = Arc::new(EmailNotifier::from_env(&config)?);
    let deps = Deps { notifier };
    berth_functions::runtime::function(
        deps,
        |deps, event| async move { handle(&deps, event).await },
    )
    .await
}
