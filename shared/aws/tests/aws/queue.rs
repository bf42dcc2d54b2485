//! Queuing notifications on a FIFO queue on moto.

use std::collections::HashMap;

use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName};
use berth_aws::queue::SqsNotificationQueue;
use berth_domain::ids::{BookingId, UserId};
use berth_domain::ports::{Notification, NotificationQueue};

use crate::support;

fn notification(booking: &BookingId, n: usize) -> Notification {
    Notification {
        id: format!("{booking}-n{n}"),
        booking_id: booking.clone(),
        recipient: UserId::parse("guest").unwrap(),
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
