//! The SDK's standard `AWS_ENDPOINT_URL` sends every client built from
//! [`AwsConfig::load`] to the emulator. The check runs in a child process of
//! this test binary, so the variables are set for it alone.

use berth_aws::AwsConfig;
use berth_aws::dynamo::TableNames;

use crate::support;

const CHILD: &str = "BERTH_ENDPOINT_CHECK_TABLE";

#[tokio::test]
async fn aws_endpoint_url_points_every_client_at_the_emulator() {
    if let Ok(table) = std::env::var(CHILD) {
        let config = AwsConfig::load().await;
        aws_sdk_dynamodb::Client::new(config.sdk())
            .describe_table()
            .table_name(&table)
            .send()
            .await
            .expect("the table the parent made on moto");
        return;
    }
    let sdk = support::moto();
    let names = TableNames::with_prefix(&support::unique("endpoint"));
    let spec = names.specs().remove(0);
    berth_aws::bootstrap::create_table(&aws_sdk_dynamodb::Client::new(&sdk), &spec)
        .await
        .unwrap();
    let child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "config::aws_endpoint_url_points_every_client_at_the_emulator",
        ])
        .env(CHILD, &spec.name)
        .env("AWS_ENDPOINT_URL", support::moto_url())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_PROFILE")
        .output()
        .await
        .unwrap();
    assert!(
        child.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&child.stdout),
        String::from_utf8_lossy(&child.stderr)
    );
}
