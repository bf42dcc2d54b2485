//! Where the emulators are, and fresh resources on them per test.

use aws_config::SdkConfig;
use berth_aws::config::emulator_sdk_config;
use berth_aws::dynamo::TableNames;

const HOW: &str =
    "run these tests through the emulators: scripts/emulators.sh run -- cargo test -p berth-aws";

/// moto's URL; the test fails (never skips) without it.
pub fn moto_url() -> String {
    std::env::var("BERTH_MOTO_URL").unwrap_or_else(|_| panic!("BERTH_MOTO_URL is not set: {HOW}"))
}

/// localstripe's URL; the test fails (never skips) without it.
pub fn stripe_url() -> String {
    std::env::var("BERTH_STRIPE_URL")
        .unwrap_or_else(|_| panic!("BERTH_STRIPE_URL is not set: {HOW}"))
}

pub fn moto() -> SdkConfig {
    emulator_sdk_config(&moto_url())
}

/// A name no other test uses, so tests share one moto in parallel.
pub fn unique(what: &str) -> String {
    format!(
        "t{}-{what}",
        &uuid::Uuid::new_v4().simple().to_string()[..12]
    )
}

/// Every table, fresh and empty, on moto.
pub async fn fresh_tables(sdk: &SdkConfig) -> TableNames {
    let names = TableNames::with_prefix(&unique("berth"));
    berth_aws::bootstrap::create_tables(&aws_sdk_dynamodb::Client::new(sdk), &names)
        .await
        .expect("creating tables on moto");
    names
}
