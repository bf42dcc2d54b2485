//! Queuing notifications: on a FIFO queue on moto, and against a
//! SendMessageBatch stub that fails entries (moto never does).

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use aws_config::retry::RetryConfig;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use berth_aws::config::emulator_sdk_config;
use berth_aws::queue::SqsNotificationQueue;
use berth_domain::ids::{BookingId, UserId};
use berth_domain::ports::{Notification, NotificationQueue};

use serde_json::json;

use crate::stub::{Reply, Stub};
use crate::support;

fn notification(booking: &BookingId, n: usize) -> Notification {
    Notification {
        id: format!("{booking}-n{n}"),
        booking_id: booking.clone(),
        recipient: UserId::parse("guest").unwrap(),
        version: n as u64,
        subject: format!("update {n}"),
        body: "…".into(),
    }
}

#[tokio::test]
async fn notifications_arrive_once_in_order_per_booking() {
    let sdk = support::moto();
    let sqs = Client::new(&sdk);
    let (url, dlq) = berth_aws::bootstrap::create_fifo_queue(&sqs, &support::unique("notify"))
        .await
        .unwrap();
    let queue = SqsNotificationQueue::new(sqs.clone(), &url);
    let bookings: Vec<BookingId> = (0..4).map(|_| BookingId::generate()).collect();
    // 23 messages: more than two batches, several per booking.
    let sent: Vec<Notification> = (0..23).map(|i| notification(&bookings[i % 4], i)).collect();
    queue.enqueue(&sent).await.unwrap();
    queue
        .enqueue(&sent[..3])
        .await
        .expect("a repeat is deduplicated");

    let mut received: HashMap<String, Vec<String>> = HashMap::new();
    let mut count = 0;
    loop {
        let batch = sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(10)
            .message_system_attribute_names(MessageSystemAttributeName::MessageGroupId)
            .send()
            .await
            .unwrap();
        if batch.messages().is_empty() {
            break;
        }
        for message in batch.messages() {
            let body: Notification = serde_json::from_str(message.body().unwrap()).unwrap();
            let group = &message.attributes().unwrap()[&MessageSystemAttributeName::MessageGroupId];
            assert_eq!(group, body.booking_id.as_str(), "one group per booking");
            received.entry(group.clone()).or_default().push(body.id);
            count += 1;
            sqs.delete_message()
                .queue_url(&url)
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
    assert_eq!(count, sent.len(), "each notification once");
    for booking in &bookings {
        let expected: Vec<String> = sent
            .iter()
            .filter(|n| &n.booking_id == booking)
            .map(|n| n.id.clone())
            .collect();
        assert_eq!(received[booking.as_str()], expected, "in order");
    }
    let attributes = sqs
        .get_queue_attributes()
        .queue_url(&url)
        .attribute_names(QueueAttributeName::RedrivePolicy)
        .send()
        .await
        .unwrap();
    let redrive = &attributes.attributes().unwrap()[&QueueAttributeName::RedrivePolicy];
    assert!(
        redrive.contains(dlq.rsplit('/').next().unwrap()),
        "{redrive}"
    );
}

/// A SendMessageBatch stub failing `flaky` once; records each batch's
/// (group, deduplication id) pairs.
async fn send_batch_stub(
    flaky: String,
    sender_fault: bool,
) -> (Stub, Arc<Mutex<Vec<Vec<(String, String)>>>>) {
    let batches = Arc::new(Mutex::new(Vec::new()));
    let seen = batches.clone();
    let failed_once = Mutex::new(false);
    let stub = Stub::start(move |request| {
        assert_eq!(request.header("x-amz-target"), Some("AmazonSQS.SendMessageBatch"));
        let body = request.json();
        let entries = body["Entries"].as_array().unwrap().clone();
        seen.lock().unwrap().push(
            entries
                .iter()
                .map(|e| {
                    (
                        e["MessageGroupId"].as_str().unwrap().to_owned(),
                        e["MessageDeduplicationId"].as_str().unwrap().to_owned(),
                    )
                })
                .collect(),
        );
        let (mut successful, mut failed) = (Vec::new(), Vec::new());
        for entry in &entries {
            let fail = entry["MessageDeduplicationId"] == flaky.as_str()
                && (sender_fault || !std::mem::replace(&mut *failed_once.lock().unwrap(), true));
            if fail {
                failed.push(json!({"Id": entry["Id"], "SenderFault": sender_fault, "Code": "InternalError", "Message": "x"}));
            } else {
                successful.push(json!({"Id": entry["Id"], "MessageId": "m", "MD5OfMessageBody": "d"}));
            }
        }
        Reply::Json(200, json!({"Successful": successful, "Failed": failed}))
    })
    .await;
    (stub, batches)
}

fn stub_queue(stub: &Stub) -> SqsNotificationQueue {
    let sdk = emulator_sdk_config(&stub.url)
        .into_builder()
        .retry_config(RetryConfig::disabled())
        .build();
    SqsNotificationQueue::new(
        Client::new(&sdk),
        format!("{}/123456789012/q.fifo", stub.url),
    )
}

#[tokio::test]
async fn failed_entries_are_retried_before_the_next_batch() {
    let bookings: Vec<BookingId> = (0..12).map(|_| BookingId::generate()).collect();
    let mut sent: Vec<Notification> = bookings.iter().map(|b| notification(b, 0)).collect();
    sent.push(notification(&bookings[0], 1));
    let flaky = sent[3].id.clone();
    let (stub, batches) = send_batch_stub(flaky.clone(), false).await;
    stub_queue(&stub).enqueue(&sent).await.unwrap();
    let batches = batches.lock().unwrap();
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    assert_eq!(
        sizes,
        [10, 1, 3],
        "ten, the failed one again, then the rest"
    );
    assert_eq!(batches[1][0].1, flaky);
    for batch in batches.iter() {
        let groups: BTreeSet<&String> = batch.iter().map(|(g, _)| g).collect();
        assert_eq!(
            groups.len(),
            batch.len(),
            "one message per booking per batch"
        );
    }
}

#[tokio::test]
async fn a_refused_entry_fails_the_enqueue() {
    let booking = BookingId::generate();
    let sent = [notification(&booking, 0)];
    let (stub, _) = send_batch_stub(sent[0].id.clone(), true).await;
    assert!(stub_queue(&stub).enqueue(&sent).await.is_err());
}
