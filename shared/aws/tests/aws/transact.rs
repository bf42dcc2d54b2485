//! How the adapters run a DynamoDB transaction when DynamoDB cancels it or
//! its answer is lost, against a recording stub: moto (one DynamoDB request
//! at a time) never reports a TransactionConflict.

use std::collections::VecDeque;
use std::sync::Mutex;

use aws_config::retry::RetryConfig;
use berth_aws::config::emulator_sdk_config;
use berth_aws::dynamo::actions::{Condition, put};
use berth_aws::dynamo::item::s;
use berth_aws::dynamo::transact::{Check, TransactError, transact};
use serde_json::{Value, json};

use crate::stub::{Reply, Stub};

fn cancelled(reasons: Value) -> Reply {
    Reply::Json(
        400,
        json!({
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "Message": "Transaction cancelled",
            "CancellationReasons": reasons,
        }),
    )
}

/// A stub answering `replies` in turn; the client makes no retries of its own.
async fn scripted(replies: Vec<Reply>) -> (Stub, aws_sdk_dynamodb::Client) {
    let replies = Mutex::new(VecDeque::from(replies));
    let stub = Stub::start(move |request| {
        assert_eq!(
            request.header("x-amz-target"),
            Some("DynamoDB_20120810.TransactWriteItems")
        );
        replies
            .lock()
            .unwrap()
            .pop_front()
            .expect("no more replies scripted")
    })
    .await;
    let sdk = emulator_sdk_config(&stub.url)
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    (stub, aws_sdk_dynamodb::Client::new(&sdk))
}

fn actions() -> Vec<aws_sdk_dynamodb::types::TransactWriteItem> {
    let item = |id: &str| [("id".to_owned(), s(id))].into();
    let condition = Condition::new("attribute_not_exists(id)");
    vec![
        put("t", item("a"), &condition).unwrap(),
        put("t", item("b"), &condition).unwrap(),
    ]
}

fn tokens(stub: &Stub) -> Vec<String> {
    stub.requests()
        .iter()
        .map(|r| r.json()["ClientRequestToken"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn contention_is_retried_under_a_fresh_token_a_lost_answer_under_the_same() {
    let (stub, client) = scripted(vec![
        cancelled(json!([{"Code": "None"}, {"Code": "TransactionConflict"}])),
        Reply::Json(500, json!({"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError", "message": "x"})),
        Reply::Drop,
        Reply::Json(200, json!({})),
    ])
    .await;
    transact(&client, actions())
        .await
        .expect("committed on the fourth try");
    let tokens = tokens(&stub);
    assert_eq!(tokens.len(), 4);
    assert_ne!(
        tokens[0], tokens[1],
        "a cancelled transaction is retried as a new one"
    );
    assert_eq!(
        tokens[1], tokens[2],
        "an unknown outcome is resent under its token"
    );
    assert_eq!(tokens[2], tokens[3]);
    let body = stub.requests()[0].json();
    let first = &body["TransactItems"][0]["Put"];
    assert_eq!(first["ConditionExpression"], "attribute_not_exists(id)");
    assert_eq!(first["ReturnValuesOnConditionCheckFailure"], "ALL_OLD");
}

#[tokio::test]
async fn a_failed_condition_is_answered_with_the_item_found() {
    let (stub, client) = scripted(vec![cancelled(json!([
        {"Code": "None"},
        {"Code": "ConditionalCheckFailed", "Item": {"id": {"S": "b"}, "owner": {"S": "someone"}}},
    ]))])
    .await;
    let Err(TransactError::Refused(checks)) = transact(&client, actions()).await else {
        panic!("a failed condition is a refusal")
    };
    let found = [
        ("id".to_owned(), s("b")),
        ("owner".to_owned(), s("someone")),
    ]
    .into();
    assert_eq!(checks, [Check::Passed, Check::Failed(Some(found))]);
    assert_eq!(stub.requests().len(), 1, "not retried");
}

#[tokio::test]
async fn endless_contention_gives_up() {
    let conflict = || cancelled(json!([{"Code": "ThrottlingError"}, {"Code": "None"}]));
    let (stub, client) = scripted((0..10).map(|_| conflict()).collect()).await;
    let result = transact(&client, actions()).await;
    assert!(
        matches!(result, Err(TransactError::Unexpected(_))),
        "{result:?}"
    );
    assert_eq!(stub.requests().len(), 10);
}

#[tokio::test]
async fn a_transaction_over_a_hundred_actions_is_refused_unsent() {
    let (stub, client) = scripted(vec![]).await;
    let mut many = Vec::new();
    for _ in 0..51 {
        many.extend(actions());
    }
    assert!(transact(&client, many).await.is_err());
    assert!(stub.requests().is_empty());
}
