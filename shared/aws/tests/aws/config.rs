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

/// A custom resource's answer reaches CloudFormation's pre-signed URL as a
/// PUT with an empty content type (the URL is signed without one).
#[tokio::test]
async fn stack_replies_put_the_answer_unsigned_by_content_type() {
    let stub =
        crate::stub::Stub::start(|_| crate::stub::Reply::Json(200, serde_json::json!({}))).await;
    let replies = berth_aws::stack::StackReplies::new().unwrap();
    replies
        .put(
            &format!("{}/cfn/response?X-Amz-Signature=abc", stub.url),
            br#"{"Status":"SUCCESS"}"#.to_vec(),
        )
        .await
        .unwrap();
    let sent = &stub.requests()[0];
    assert_eq!(sent.method, "PUT");
    assert_eq!(sent.path, "/cfn/response?X-Amz-Signature=abc");
    assert_eq!(sent.header("content-type"), Some(""));
    assert_eq!(sent.body, br#"{"Status":"SUCCESS"}"#);

    let refusing = crate::stub::Stub::start(|_| {
        crate::stub::Reply::Json(403, serde_json::json!({"error": "expired"}))
    })
    .await;
    let refused = replies
        .put(&format!("{}/cfn", refusing.url), b"{}".to_vec())
        .await;
    assert!(
        refused.is_err(),
        "a refused answer is an error, so Lambda retries"
    );
}
