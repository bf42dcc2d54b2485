//! Emailing notifications on moto: the address from a Cognito user pool,
//! the mail through SES v2, each notification at most once.

use aws_sdk_cognitoidentityprovider::types::AttributeType;
use berth_aws::config::{AwsConfig, Environment, vars};
use berth_aws::notifier::EmailNotifier;
use berth_domain::ids::{BookingId, UserId};
use berth_domain::ports::{Notification, Notifier};
use serde_json::Value;

use crate::{stub, support};

/// The subjects of every email moto's SES has sent to `address`.
async fn sent_to(address: &str) -> Vec<String> {
    let data: Value = serde_json::from_str(
        &stub::get(&format!("{}/moto-api/data.json", support::moto_url())).await,
    )
    .unwrap();
    data["ses"]["Message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| {
            m["destinations"]["ToAddresses"]
                .as_array()
                .is_some_and(|to| to.iter().any(|a| a == address))
        })
        .map(|m| m["subject"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_notification_is_emailed_to_the_user_once() {
    let sdk = support::moto();
    let tables = support::fresh_tables(&sdk).await;
    let cognito = aws_sdk_cognitoidentityprovider::Client::new(&sdk);
    let pool = cognito
        .create_user_pool()
        .pool_name(support::unique("pool"))
        .send()
        .await
        .unwrap();
    let pool_id = pool.user_pool().unwrap().id().unwrap().to_owned();
    let address = format!("{}@example.com", support::unique("guest"));
    let created = cognito
        .admin_create_user()
        .user_pool_id(&pool_id)
        .username(support::unique("user"))
        .user_attributes(
            AttributeType::builder()
                .name("email")
                .value(&address)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let sub = created
        .user()
        .unwrap()
        .attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .and_then(|a| a.value())
        .unwrap()
        .to_owned();
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
        subject: "Your stay is confirmed".into(),
        body: "See you soon.".into(),
    };
    notifier.send(&notification).await.unwrap();
    notifier.send(&notification).await.unwrap();
    let (a, b) = tokio::join!(notifier.send(&notification), notifier.send(&notification));
    a.unwrap();
    b.unwrap();
    assert_eq!(
        sent_to(&address).await,
        ["Your stay is confirmed"],
        "sent once"
    );

    let stranger = Notification {
        id: support::unique("note"),
        recipient: UserId::parse("nobody-here").unwrap(),
        ..notification
    };
    notifier
        .send(&stranger)
        .await
        .expect("no address: nothing to send, not an error");
}
