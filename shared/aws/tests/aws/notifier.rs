//! Emailing notifications on moto: the address from a Cognito user pool,
//! the mail through SES v2, each notification at most once.

use berth_aws::config::{AwsConfig, Environment, vars};
use berth_aws::notifier::EmailNotifier;
use berth_domain::ids::{BookingId, UserId};
use berth_domain::ports::{Notification, Notifier};

use crate::{stub, support};

/// How many emails moto's SES has sent (SES v1 GetSendQuota, by hand: the
/// count is all the test needs, and the v1 SDK is not worth compiling for it).
async fn emails_sent() -> f64 {
    let answer = stub::call(
        "POST",
        &format!("{}/", support::moto_url()),
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20270101/us-east-1/ses/aws4_request, SignedHeaders=host, Signature=0",
            ),
        ],
        "Action=GetSendQuota&Version=2010-12-01",
    )
    .await;
    let count = answer
        .split("<SentLast24Hours>")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no quota in {answer}"));
    count.parse().unwrap()
}

#[tokio::test]
async fn a_notification_is_emailed_to_the_user_once() {
    let sdk = support::moto();
    let tables = support::fresh_tables(&sdk).await;
    let pool_id = support::fresh_user_pool(&sdk).await;
    let address = format!("{}@example.com", support::unique("guest"));
    let sub = support::pool_user(&sdk, &pool_id, &address).await;
    let from = "bookings@berth.example";
    aws_sdk_sesv2::Client::new(&sdk)
        .create_email_identity()
        .email_identity(from)
        .send()
        .await
        .unwrap();
    let env = Environment::from_pairs([
        (vars::USERS_TABLE, tables.users.as_str()),
        (vars::USER_POOL_ID, &pool_id),
        (vars::NOTIFY_FROM_ADDRESS, from),
    ]);
    let notifier = EmailNotifier::from_env(&AwsConfig::new(sdk, env)).unwrap();
    let recipient = UserId::parse(&sub).unwrap();
    assert_eq!(
        notifier.address_of(&recipient).await.unwrap().as_deref(),
        Some(address.as_str())
    );

    let notification = Notification {
        id: support::unique("note"),
        booking_id: BookingId::generate(),
        recipient,
        version: 4,
        subject: "Your stay is confirmed".into(),
        body: "See you soon.".into(),
    };
    let before = emails_sent().await;
    notifier.send(&notification).await.unwrap();
    notifier.send(&notification).await.unwrap();
    let (a, b) = tokio::join!(notifier.send(&notification), notifier.send(&notification));
    a.unwrap();
    b.unwrap();
    assert_eq!(emails_sent().await - before, 1.0, "sent once");

    // Events arrive in any order: news about an older version of the
    // booking than one sent is not sent; about a newer one, it is.
    let late = Notification {
        id: support::unique("note"),
        version: 3,
        ..notification.clone()
    };
    notifier.send(&late).await.unwrap();
    assert_eq!(
        emails_sent().await - before,
        1.0,
        "a late message is skipped"
    );
    let newer = Notification {
        id: support::unique("note"),
        version: 5,
        ..notification.clone()
    };
    notifier.send(&newer).await.unwrap();
    assert_eq!(emails_sent().await - before, 2.0, "a newer message is sent");

    let stranger = Notification {
        id: support::unique("note"),
        booking_id: BookingId::generate(),
        recipient: UserId::parse("nobody-here").unwrap(),
        ..notification
    };
    notifier
        .send(&stranger)
        .await
        .expect("no address: nothing to send, not an error");
    assert_eq!(emails_sent().await - before, 2.0);
}
