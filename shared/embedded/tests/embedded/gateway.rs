//! The fake gateway: the shared contract, Stripe's test cards, and faults.

use std::time::Duration;

use berth_contract::gateway::{Cards, gateway_contract};
use berth_domain::booking::PaymentMethod;
use berth_domain::money::{Currency, Money};
use berth_domain::ports::{PaymentError, PaymentGateway};
use berth_embedded::{Db, FakeGateway, PaymentFaults};

fn gateway() -> (FakeGateway, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap().keep();
    (FakeGateway::new(Db::open(&dir).unwrap()), dir)
}

fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::parse("EUR").unwrap())
}

#[tokio::test]
async fn passes_the_gateway_contract() {
    let (gateway, _) = gateway();
    gateway_contract(
        &gateway,
        Cards {
            succeeds: "pm_card_visa",
            declined: "pm_card_chargeDeclined",
        },
        "fake",
    )
    .await;
}

#[tokio::test]
async fn stripe_test_cards_behave_as_documented() {
    let (gateway, _) = gateway();
    for (method, ok) in [
        ("pm_card_mastercard", true),
        ("pm_card_chargeCustomerFail", false),
        ("pm_card_chargeDeclinedInsufficientFunds", false),
        ("pm_card_unknown", false),
    ] {
        let result = gateway
            .charge(method, eur(100), &PaymentMethod::parse(method).unwrap())
            .await;
        assert_eq!(result.is_ok(), ok, "{method}: {result:?}");
    }
}

#[tokio::test]
async fn a_reused_key_with_other_terms_is_rejected() {
    let (gateway, _) = gateway();
    let visa = PaymentMethod::parse("pm_card_visa").unwrap();
    gateway.charge("k", eur(100), &visa).await.unwrap();
    let other = gateway.charge("k", eur(200), &visa).await;
    assert!(matches!(other, Err(PaymentError::Rejected(_))), "{other:?}");
    assert_eq!(gateway.charges().unwrap().len(), 1);
}

#[tokio::test]
async fn injected_faults_never_double_charge() {
    let (gateway, _) = gateway();
    let visa = PaymentMethod::parse("pm_card_visa").unwrap();
    gateway.set_faults(PaymentFaults {
        unavailable: 1.0,
        ..Default::default()
    });
    let down = gateway.charge("k1", eur(100), &visa).await;
    assert!(matches!(down, Err(PaymentError::Unavailable(_))));
    assert!(
        gateway.charges().unwrap().is_empty(),
        "nothing charged when unavailable"
    );

    // A lost answer: the charge is captured but the caller never hears back.
    gateway.set_faults(PaymentFaults {
        lost_response: 1.0,
        ..Default::default()
    });
    let lost = tokio::time::timeout(
        Duration::from_millis(200),
        gateway.charge("k2", eur(100), &visa),
    )
    .await;
    assert!(lost.is_err(), "the caller times out");
    gateway.set_faults(PaymentFaults::default());
    let retried = gateway.charge("k2", eur(100), &visa).await.unwrap();
    let charges = gateway.charges().unwrap();
    assert_eq!(
        charges.len(),
        1,
        "the retry found the lost charge: {charges:?}"
    );
    assert_eq!(charges[0].id, retried.id);
    let stats = gateway.stats();
    assert_eq!((stats.charge_calls, stats.faults_injected), (3, 2));
}
