//! Publishing to EventBridge: delivery through a rule to an SQS target on
//! moto, and batching and entry retries against a recording stub.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use aws_config::retry::RetryConfig;
use aws_sdk_eventbridge::types::Target;
use aws_sdk_sqs::types::QueueAttributeName;
use berth_aws::config::emulator_sdk_config;
use berth_aws::events::{Buses, EventBridgePublisher};
use berth_contract::fixtures;
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ports::EventPublisher;
use berth_domain::property::Property;
use chrono::Utc;
use serde_json::{Value, json};

use crate::stub::{Reply, Stub};
use crate::support;

fn booking_events(count: usize) -> Vec<DomainEvent> {
    let now = Utc::now();
    let property = Property::list(fixtures::user("host"), fixtures::listing("Lisbon"), now);
    (0..count)
        .map(|i| {
            let booking =
                fixtures::booking(&property, &format!("guest-{i}"), fixtures::stay(5, 2), now);
            DomainEvent::new(Change::BookingRequested { booking }, now)
        })
        .collect()
}

fn buses(prefix: &str) -> Buses {
    Buses {
        properties: format!("{prefix}-properties"),
        bookings: format!("{prefix}-bookings"),
        users: format!("{prefix}-users"),
    }
}

#[tokio::test]
async fn events_reach_a_rule_target_on_their_bus() {
    let sdk = support::moto();
    let events = aws_sdk_eventbridge::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let buses = buses(&support::unique("bus"));
    for bus in [&buses.properties, &buses.bookings, &buses.users] {
        berth_aws::bootstrap::create_bus(&events, bus)
            .await
            .unwrap();
    }
    let queue = sqs
        .create_queue()
        .queue_name(support::unique("target"))
        .send()
        .await
        .unwrap();
    let url = queue.queue_url().unwrap();
    let arn = sqs
        .get_queue_attributes()
        .queue_url(url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .unwrap()
        .attributes()
        .unwrap()[&QueueAttributeName::QueueArn]
        .clone();
    let rule = support::unique("rule");
    events
        .put_rule()
        .name(&rule)
        .event_bus_name(&buses.bookings)
        .event_pattern(r#"{"source": ["berth.bookings"]}"#)
        .send()
        .await
        .unwrap();
    events
        .put_targets()
        .rule(&rule)
        .event_bus_name(&buses.bookings)
        .targets(Target::builder().id("queue").arn(arn).build().unwrap())
        .send()
        .await
        .unwrap();

    let published = booking_events(23);
    let publisher = EventBridgePublisher::new(events.clone(), buses.clone());
    let failed = publisher.publish(&published).await.unwrap();
    assert!(failed.is_empty(), "{failed:?}");

    let mut received = Vec::new();
    for _ in 0..20 {
        let batch = sqs
            .receive_message()
            .queue_url(url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        for message in batch.messages() {
            let envelope: Value = serde_json::from_str(message.body().unwrap()).unwrap();
            assert_eq!(envelope["source"], "berth.bookings");
            let event = DomainEvent::from_bus(
                envelope["detail-type"].as_str().unwrap(),
                envelope["detail"].clone(),
            )
            .expect("the detail is DomainEvent::detail()");
            received.push(event);
            sqs.delete_message()
                .queue_url(url)
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
        if received.len() >= published.len() {
            break;
        }
    }
    let ids = |events: &[DomainEvent]| events.iter().map(|e| e.id.clone()).collect::<BTreeSet<_>>();
    assert_eq!(ids(&received), ids(&published), "every event arrived");
    assert_eq!(received.len(), published.len(), "once each");
    let sample = published.iter().find(|e| e.id == received[0].id).unwrap();
    assert_eq!(&received[0], sample, "intact");
}

/// A PutEvents stub failing `flaky` once and `broken` always; records entry batches.
async fn put_events_stub(flaky: String, broken: String) -> (Stub, Arc<Mutex<Vec<Vec<String>>>>) {
    let batches = Arc::new(Mutex::new(Vec::new()));
    let seen = batches.clone();
    let failed_once = Mutex::new(false);
    let stub = Stub::start(move |request| {
        assert_eq!(request.header("x-amz-target"), Some("AWSEvents.PutEvents"));
        let body = request.json();
        let entries = body["Entries"].as_array().unwrap();
        let details: Vec<String> = entries
            .iter()
            .map(|e| e["Detail"].as_str().unwrap().to_owned())
            .collect();
        seen.lock().unwrap().push(details.clone());
        let results: Vec<Value> = details
            .iter()
            .map(|detail| {
                let fail = detail.contains(&broken)
                    || (detail.contains(&flaky)
                        && !std::mem::replace(&mut *failed_once.lock().unwrap(), true));
                if fail {
                    json!({"ErrorCode": "InternalFailure", "ErrorMessage": "try again"})
                } else {
                    json!({"EventId": uuid::Uuid::new_v4().to_string()})
                }
            })
            .collect();
        let failures = results
            .iter()
            .filter(|r| r.get("ErrorCode").is_some())
            .count();
        Reply::Json(
            200,
            json!({"FailedEntryCount": failures, "Entries": results}),
        )
    })
    .await;
    (stub, batches)
}

fn stub_client(stub: &Stub) -> aws_sdk_eventbridge::Client {
    let sdk = emulator_sdk_config(&stub.url)
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_eventbridge::Client::new(&sdk)
}

#[tokio::test]
async fn batches_of_ten_and_failed_entries_are_retried() {
    let events = booking_events(23);
    let (flaky, broken) = (events[4].id.to_string(), events[17].id.to_string());
    let (stub, batches) = put_events_stub(flaky.clone(), broken.clone()).await;
    let publisher = EventBridgePublisher::new(stub_client(&stub), buses("b"));
    let failed = publisher.publish(&events).await.unwrap();
    assert_eq!(
        failed,
        [events[17].id.clone()],
        "only the entry that never went through"
    );
    let batches = batches.lock().unwrap();
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    assert_eq!(&sizes[..3], [10, 10, 3]);
    assert!(sizes.iter().all(|s| *s <= 10));
    assert_eq!(batches[3].len(), 2, "the failed two are retried together");
    let tries = |id: &str| batches.iter().flatten().filter(|d| d.contains(id)).count();
    assert_eq!(
        tries(&flaky),
        2,
        "the flaky entry went through on its retry"
    );
    assert_eq!(tries(&broken), 4, "the broken one was tried each attempt");
}

#[tokio::test]
async fn when_every_call_fails_publish_errs() {
    let stub = Stub::start(|_| {
        Reply::Json(
            400,
            json!({"__type": "ValidationException", "message": "no"}),
        )
    })
    .await;
    let publisher = EventBridgePublisher::new(stub_client(&stub), buses("b"));
    assert!(publisher.publish(&booking_events(3)).await.is_err());
    assert!(
        publisher.publish(&[]).await.unwrap().is_empty(),
        "nothing to publish is fine"
    );
}
