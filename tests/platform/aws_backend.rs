//! `berth serve --backend aws` on moto (and localstripe): a booking made
//! through the API completes and is there in moto's DynamoDB.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use berth_local::client::Api;
use berth_local::serve::{Backend, start};
use serde_json::json;

use crate::support::{Options, args, day, eventually, listing, order, property};

fn emulator(variable: &str) -> String {
    std::env::var(variable)
        .unwrap_or_else(|_| panic!("{variable} is not set: run the tests through scripts/emulators.sh (scripts/test.sh does)"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_booking_on_the_aws_backend_lands_in_dynamodb() {
    let moto = emulator("BERTH_MOTO_URL");
    let stripe = emulator("BERTH_STRIPE_URL");
    let prefix = format!("b{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let mut serve = args(tempfile::tempdir().unwrap().keep(), &Options::default());
    serve.backend = Backend::Aws;
    serve.aws_prefix = prefix.clone();
    serve.aws_endpoint = Some(moto.clone());
    serve.stripe_url = Some(stripe);
    let server = start(&serve)
        .await
        .expect("berth serve --backend aws starts on moto");
    let api = Api::new(&format!("http://{}", server.addr));

    let host = api.token("awshost", &["hosts"]).await.unwrap();
    let guest = api.token("awsguest", &[]).await.unwrap();
    let mut body = listing();
    body["city"] = json!("Motoville");
    let id = property(&api, &host, &body).await;
    let placed = api
        .book(&guest, "aws-1", &order(&id, 15, 2, "pm_card_visa"))
        .await
        .unwrap();
    assert_eq!(placed.status.as_u16(), 202, "{}", placed.body);
    let booking_id = placed.body["id"].as_str().unwrap().to_owned();
    let booking = api
        .settled(&guest, &booking_id, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(booking["status"], "CONFIRMED", "{booking}");
    assert!(
        booking["payment_ref"].as_str().unwrap().starts_with("pi_"),
        "charged through Stripe's API"
    );

    let dynamo = aws_sdk_dynamodb::Client::new(&berth_aws::config::emulator_sdk_config(&moto));
    let item = dynamo
        .get_item()
        .table_name(format!("{prefix}-bookings"))
        .key("booking_id", AttributeValue::S(booking_id.clone()))
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    let item = item.item().expect("the booking is in moto's DynamoDB");
    assert_eq!(
        item.get("status")
            .and_then(|s| s.as_s().ok())
            .map(String::as_str),
        Some("CONFIRMED")
    );
    let nights = dynamo
        .query()
        .table_name(format!("{prefix}-calendar"))
        .key_condition_expression("property_id = :p")
        .expression_attribute_values(":p", AttributeValue::S(id.clone()))
        .send()
        .await
        .unwrap();
    assert_eq!(nights.count(), 2, "both nights booked in DynamoDB");

    // Events reach the in-process read models through the outbox table's stream.
    let path = format!(
        "/search?city=Motoville&check_in={}&check_out={}",
        day(30),
        day(31)
    );
    eventually(
        Duration::from_secs(20),
        "the property in search, from the outbox stream",
        || async {
            api.get(&path, None).await.unwrap().body["results"]
                .as_array()
                .is_some_and(|r| r.len() == 1)
        },
    )
    .await;
    server.stop();
}
