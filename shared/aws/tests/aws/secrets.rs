//! Reading secrets from moto's Secrets Manager.

use aws_sdk_secretsmanager::Client;
use berth_aws::secrets::{field_or_whole, secret_string};

use crate::support;

#[tokio::test]
async fn secrets_are_read_whole_or_by_field() {
    let client = Client::new(&support::moto());
    let plain = client
        .create_secret()
        .name(support::unique("plain"))
        .secret_string("sk_test_plain")
        .send()
        .await
        .unwrap();
    let json = client
        .create_secret()
        .name(support::unique("json"))
        .secret_string(r#"{"secret_key":"sk_test_json","note":"x"}"#)
        .send()
        .await
        .unwrap();
    let read = secret_string(&client, plain.arn().unwrap()).await.unwrap();
    assert_eq!(
        field_or_whole(&read, "secret_key").unwrap(),
        "sk_test_plain"
    );
    let read = secret_string(&client, json.name().unwrap()).await.unwrap();
    assert_eq!(field_or_whole(&read, "secret_key").unwrap(), "sk_test_json");
    let missing = secret_string(&client, "no-such-secret").await.unwrap_err();
    assert!(
        format!("{missing:#}").contains("no-such-secret"),
        "{missing:#}"
    );
}
