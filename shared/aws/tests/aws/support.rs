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

/// A fresh, empty Cognito user pool on moto: its id.
pub async fn fresh_user_pool(sdk: &SdkConfig) -> String {
    let pool = aws_sdk_cognitoidentityprovider::Client::new(sdk)
        .create_user_pool()
        .pool_name(unique("pool"))
        .send()
        .await
        .expect("creating a user pool on moto");
    pool.user_pool().unwrap().id().unwrap().to_owned()
}

/// A user with `email` in `pool`: their `sub`, Berth's user id.
pub async fn pool_user(sdk: &SdkConfig, pool: &str, email: &str) -> String {
    use aws_sdk_cognitoidentityprovider::types::AttributeType;
    let created = aws_sdk_cognitoidentityprovider::Client::new(sdk)
        .admin_create_user()
        .user_pool_id(pool)
        .username(unique("user"))
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(email)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("creating a user on moto");
    created
        .user()
        .unwrap()
        .attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .unwrap()
        .to_owned()
}
