//! Payment gateways: keyed charges and refunds never move money twice.

use berth_domain::booking::PaymentMethod;
use berth_domain::money::{Currency, Money};
use berth_domain::ports::{PaymentError, PaymentGateway};

/// What a gateway under test accepts and declines.
pub struct Cards<'a> {
    pub succeeds: &'a str,
    pub declined: &'a str,
}

fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::parse("EUR").unwrap())
}

/// Runs every gateway check with keys made unique by `run`.
pub async fn gateway_contract(gateway: &dyn PaymentGateway, cards: Cards<'_>, run: &str) {
    let visa = PaymentMethod::parse(cards.succeeds).unwrap();
    let key = format!("{run}-charge");
    assert_eq!(
        gateway.find_charge(&key).await.unwrap(),
        None,
        "nothing under a fresh key"
    );
    let first = gateway
        .charge(&key, eur(12_345), &visa)
        .await
        .expect("a good card is charged");
    assert_eq!(first.amount, eur(12_345));
    assert_eq!(first.refunded, eur(0));
    let again = gateway
        .charge(&key, eur(12_345), &visa)
        .await
        .expect("a retried charge");
    assert_eq!(
        again.id, first.id,
        "a retry with the same key returns the same charge"
    );
    assert_eq!(
        gateway.find_charge(&key).await.unwrap().map(|c| c.id),
        Some(first.id.clone())
    );

    let declined = PaymentMethod::parse(cards.declined).unwrap();
    let refused = gateway
        .charge(&format!("{run}-declined"), eur(500), &declined)
        .await;
    assert!(
        matches!(refused, Err(PaymentError::Declined(_))),
        "declined card: {refused:?}"
    );
    assert_eq!(
        gateway
            .find_charge(&format!("{run}-declined"))
            .await
            .unwrap(),
        None,
        "a decline is no charge"
    );

    let refund_key = format!("{run}-refund");
    let refund = gateway
        .refund(&refund_key, &first.id, eur(2_345))
        .await
        .expect("a partial refund");
    assert_eq!(refund.amount, eur(2_345));
    let replay = gateway
        .refund(&refund_key, &first.id, eur(2_345))
        .await
        .expect("a retried refund");
    assert_eq!(
        replay.id, refund.id,
        "a retry with the same key refunds once"
    );
    let charge = gateway.find_charge(&key).await.unwrap().unwrap();
    assert_eq!(charge.refunded, eur(2_345), "refunded once");
    let rest = gateway
        .refund(&format!("{run}-rest"), &first.id, eur(10_000))
        .await
        .expect("refunding the rest");
    assert_eq!(rest.amount, eur(10_000));
    let over = gateway
        .refund(&format!("{run}-over"), &first.id, eur(1))
        .await;
    assert!(
        over.is_err(),
        "refunding more than was charged is refused: {over:?}"
    );
}
