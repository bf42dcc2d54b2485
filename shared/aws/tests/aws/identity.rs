//! Erasure reaches the user pool on moto: the erased user's account, and
//! with it their email address, is deleted; erasing again succeeds; other
//! users stay.

use berth_aws::config::{AwsConfig, Environment, vars};
use berth_aws::identity::UserPool;
use berth_domain::ids::UserId;
use berth_domain::ports::{Erasure, PersonalData};

use crate::support;

#[tokio::test]
async fn erasure_deletes_the_users_account_and_address() {
    let sdk = support::moto();
    let pool = support::fresh_user_pool(&sdk).await;
    let address = format!("{}@example.com", support::unique("erased"));
    let erased = UserId::parse(&support::pool_user(&sdk, &pool, &address).await).unwrap();
    let kept_address = format!("{}@example.com", support::unique("kept"));
    let kept = UserId::parse(&support::pool_user(&sdk, &pool, &kept_address).await).unwrap();
    let env = Environment::from_pairs([(vars::USER_POOL_ID, pool.as_str())]);
    let users = UserPool::from_env(&AwsConfig::new(sdk.clone(), env)).unwrap();
    assert_eq!(
        users.address_of(&erased).await.unwrap(),
        Some(address.clone())
    );

    let erasure = Erasure {
        user: erased.clone(),
        pseudonym: UserId::pseudonym(),
        bookings: Vec::new(),
    };
    users.forget(&erasure).await.unwrap();
    users
        .forget(&erasure)
        .await
        .expect("erasing again finds nothing and succeeds");

    assert_eq!(users.address_of(&erased).await.unwrap(), None);
    let listed = aws_sdk_cognitoidentityprovider::Client::new(&sdk)
        .list_users()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let addresses: Vec<_> = listed
        .users()
        .iter()
        .flat_map(|u| u.attributes())
        .filter(|a| a.name() == "email")
        .filter_map(|a| a.value())
        .collect();
    assert_eq!(
        addresses,
        [kept_address.as_str()],
        "only the other user is left"
    );
    assert!(users.address_of(&kept).await.unwrap().is_some());
}
