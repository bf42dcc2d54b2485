//! The Stripe gateway: the shared gateway contract against localstripe, and
//! the keyed retries localstripe cannot show (it ignores Idempotency-Key)
//! against a fake Stripe that honours it and can lose answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_sdk_secretsmanager::Client as Secrets;
use berth_aws::config::{AwsConfig, Environment, vars};
use berth_aws::stripe::{PaymentKeys, StripeClient, StripeGateway};
use berth_contract::gateway::{Cards, gateway_contract};
use berth_domain::booking::PaymentMethod;
use berth_domain::money::{Currency, Money};
use berth_domain::ports::{PaymentError, PaymentGateway, PaymentState};
use serde_json::{Value, json};

use crate::stub::{Reply, Request, Stub};
use crate::support;

fn eur(amount: i64) -> Money {
    Money::new(amount, Currency::parse("EUR").unwrap())
}

fn visa() -> PaymentMethod {
    PaymentMethod::parse("pm_card_visa").unwrap()
}

/// The gateway as a Lambda builds it: secret key from Secrets Manager (moto).
async fn gateway_on(api_base: &str) -> StripeGateway {
    let sdk = support::moto();
    let tables = support::fresh_tables(&sdk).await;
    let secret = Secrets::new(&sdk)
        .create_secret()
        .name(support::unique("stripe"))
        .secret_string(r#"{"secret_key": "sk_test_berth"}"#)
        .send()
        .await
        .unwrap();
    let env = Environment::from_pairs([
        (vars::PAYMENT_SECRET_ARN, secret.arn().unwrap()),
        (vars::PAYMENTS_TABLE, &tables.payments),
        (vars::STRIPE_API_BASE, api_base),
    ]);
    StripeGateway::from_env(&AwsConfig::new(sdk, env)).unwrap()
}

#[tokio::test]
async fn passes_the_gateway_contract_on_localstripe() {
    let gateway = gateway_on(&support::stripe_url()).await;
    gateway_contract(
        &gateway,
        Cards {
            succeeds: "pm_card_visa",
            // localstripe declines this one (and lets pm_card_chargeDeclined through).
            declined: "pm_card_chargeCustomerFail",
        },
        &support::unique("run"),
    )
    .await;
}

#[tokio::test]
async fn a_key_reused_for_another_amount_is_rejected() {
    let gateway = gateway_on(&support::stripe_url()).await;
    let key = support::unique("key");
    gateway.charge(&key, eur(100), &visa()).await.unwrap();
    let other = gateway.charge(&key, eur(200), &visa()).await;
    assert!(matches!(other, Err(PaymentError::Rejected(_))), "{other:?}");
}

#[tokio::test]
async fn a_missing_secret_variable_is_named() {
    let config = AwsConfig::new(
        support::moto(),
        Environment::from_pairs([(vars::PAYMENTS_TABLE, "t")]),
    );
    let error = StripeGateway::from_env(&config).unwrap_err();
    assert_eq!(
        error.to_string(),
        "missing environment variable PAYMENT_SECRET_ARN"
    );
}

/// What the fake Stripe did, and which answers it is to lose.
#[derive(Default)]
struct FakeStripe {
    objects: HashMap<String, Value>,
    /// Idempotency-Key → the first answer, replayed to a repeat (as Stripe does).
    answers: HashMap<String, (u16, Value)>,
    /// Operations whose next answer is lost after the work is done.
    lose: Vec<&'static str>,
    /// How many times each operation did its work.
    done: HashMap<&'static str, usize>,
    next_id: usize,
}

impl FakeStripe {
    fn id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}_{}", self.next_id)
    }

    fn handle(&mut self, request: &Request) -> Reply {
        let key = request.header("idempotency-key").map(str::to_owned);
        if let Some((status, body)) = key.as_ref().and_then(|k| self.answers.get(k)) {
            return Reply::Json(*status, body.clone());
        }
        let (operation, status, body) = self.work(request);
        *self.done.entry(operation).or_default() += 1;
        if let Some(key) = key {
            self.answers.insert(key, (status, body.clone()));
        }
        match self.lose.iter().position(|o| *o == operation) {
            Some(i) => {
                self.lose.remove(i);
                Reply::Drop
            }
            None => Reply::Json(status, body),
        }
    }

    fn work(&mut self, request: &Request) -> (&'static str, u16, Value) {
        let route = request.route().to_owned();
        let parts: Vec<&str> = route.trim_start_matches("/v1/").split('/').collect();
        match (request.method.as_str(), parts.as_slice()) {
            ("POST", ["payment_intents"]) => {
                let id = self.id("pi");
                let intent = json!({
                    "id": id, "object": "payment_intent", "status": "requires_confirmation",
                    "amount": request.field("amount").unwrap().parse::<i64>().unwrap(),
                    "currency": request.field("currency").unwrap(),
                    "payment_method": request.field("payment_method").unwrap(),
                    "latest_charge": null, "last_payment_error": null,
                    "created": self.next_id,
                    "metadata": {"berth_key": request.field("metadata[berth_key]")},
                });
                self.objects.insert(id, intent.clone());
                ("create", 200, intent)
            }
            ("POST", ["payment_intents", id, "confirm"]) => {
                let charge = self.id("ch");
                let intent = self.objects.get_mut(*id).unwrap();
                if intent["payment_method"] == "pm_card_chargeDeclined" {
                    intent["status"] = json!("requires_payment_method");
                    intent["last_payment_error"] = json!({"message": "Your card was declined."});
                    let error = json!({"error": {"type": "card_error", "code": "card_declined", "message": "Your card was declined."}});
                    return ("confirm", 402, error);
                }
                // Fake-only methods that leave the intent unsettled, as
                // delayed methods and manual capture do at Stripe.
                intent["status"] = match intent["payment_method"].as_str() {
                    Some("pm_fake_processing") => json!("processing"),
                    Some("pm_fake_manual_capture") => json!("requires_capture"),
                    _ => json!("succeeded"),
                };
                intent["latest_charge"] = json!({"id": charge, "amount_refunded": 0});
                ("confirm", 200, intent.clone())
            }
            ("POST", ["payment_intents", id, "cancel"]) => {
                let intent = self.objects.get_mut(*id).unwrap();
                if intent["status"] != "requires_capture" {
                    let error = json!({"error": {"type": "invalid_request_error", "code": "payment_intent_unexpected_state",
                        "message": format!("You cannot cancel this PaymentIntent because it has a status of {}.", intent["status"])}});
                    return ("cancel", 400, error);
                }
                intent["status"] = json!("canceled");
                ("cancel", 200, intent.clone())
            }
            ("GET", ["payment_intents"]) => {
                let since: i64 = request.field("created[gte]").unwrap().parse().unwrap();
                // Stripe caps a page at 100; this fake at 4, so that paging shows.
                let limit: usize = request
                    .field("limit")
                    .unwrap()
                    .parse::<usize>()
                    .unwrap()
                    .min(4);
                // Newest first, as Stripe lists.
                let mut intents: Vec<Value> = self
                    .objects
                    .values()
                    .filter(|o| o["object"] == "payment_intent")
                    .filter(|o| o["created"].as_i64().unwrap() >= since)
                    .cloned()
                    .collect();
                intents.sort_by_key(|o| std::cmp::Reverse(o["created"].as_i64().unwrap()));
                if let Some(after) = request.field("starting_after") {
                    let at = intents
                        .iter()
                        .position(|o| o["id"] == after.as_str())
                        .unwrap();
                    intents.drain(..=at);
                }
                let has_more = intents.len() > limit;
                intents.truncate(limit);
                (
                    "list intents",
                    200,
                    json!({"object": "list", "data": intents, "has_more": has_more}),
                )
            }
            ("GET", ["payment_intents", id]) => ("retrieve", 200, self.objects[*id].clone()),
            ("GET", ["refunds"]) => {
                let intent = request.field("payment_intent").unwrap();
                let refunds: Vec<Value> = self
                    .objects
                    .values()
                    .filter(|o| o["object"] == "refund" && o["payment_intent"] == intent.as_str())
                    .cloned()
                    .collect();
                (
                    "list refunds",
                    200,
                    json!({"object": "list", "data": refunds}),
                )
            }
            ("GET", ["refunds", id]) => ("retrieve refund", 200, self.objects[*id].clone()),
            ("POST", ["refunds"]) => {
                let id = self.id("re");
                let intent = request.field("payment_intent").unwrap();
                let amount: i64 = request.field("amount").unwrap().parse().unwrap();
                let refund = json!({
                    "id": id, "object": "refund", "amount": amount, "currency": "eur",
                    "payment_intent": intent,
                    "metadata": {"berth_key": request.field("metadata[berth_key]").unwrap()},
                });
                self.objects.insert(id, refund.clone());
                let charge = &mut self.objects.get_mut(&intent).unwrap()["latest_charge"];
                charge["amount_refunded"] =
                    json!(charge["amount_refunded"].as_i64().unwrap() + amount);
                ("refund", 200, refund)
            }
            other => panic!("unexpected Stripe call {other:?}"),
        }
    }
}

async fn fake_stripe() -> (Arc<Mutex<FakeStripe>>, Stub, StripeGateway) {
    let fake = Arc::new(Mutex::new(FakeStripe::default()));
    let handler = fake.clone();
    let stub = Stub::start(move |request| handler.lock().unwrap().handle(request)).await;
    let sdk = support::moto();
    let tables = support::fresh_tables(&sdk).await;
    let gateway = StripeGateway::new(
        StripeClient::new(&stub.url, "sk_test_fake".into()).unwrap(),
        PaymentKeys::new(aws_sdk_dynamodb::Client::new(&sdk), tables.payments),
    );
    (fake, stub, gateway)
}

fn done(fake: &Mutex<FakeStripe>, operation: &str) -> usize {
    fake.lock()
        .unwrap()
        .done
        .get(operation)
        .copied()
        .unwrap_or(0)
}

#[tokio::test]
async fn a_lost_create_answer_is_replayed_under_its_key() {
    let (fake, stub, gateway) = fake_stripe().await;
    fake.lock().unwrap().lose.push("create");
    let lost = gateway.charge("bk-1", eur(5_000), &visa()).await;
    assert!(
        matches!(lost, Err(PaymentError::Unavailable(_))),
        "{lost:?}"
    );
    let charge = gateway.charge("bk-1", eur(5_000), &visa()).await.unwrap();
    assert_eq!(
        (done(&fake, "create"), done(&fake, "confirm")),
        (1, 1),
        "one intent, confirmed once"
    );
    assert_eq!(
        gateway.find_charge("bk-1").await.unwrap().map(|c| c.id),
        Some(charge.id)
    );
    let keys: Vec<Option<String>> = stub
        .requests()
        .iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect();
    assert_eq!(
        keys,
        [
            Some("bk-1:create".to_owned()),
            Some("bk-1:create".to_owned()),
            Some("bk-1:confirm".to_owned())
        ]
    );
    let first = &stub.requests()[0];
    assert_eq!(first.header("authorization"), Some("Bearer sk_test_fake"));
    assert_eq!(first.field("confirm").as_deref(), Some("false"));
    assert_eq!(first.field("metadata[berth_key]").as_deref(), Some("bk-1"));
}

#[tokio::test]
async fn a_lost_confirm_answer_never_charges_twice() {
    let (fake, _stub, gateway) = fake_stripe().await;
    fake.lock().unwrap().lose.push("confirm");
    assert!(gateway.find_charge("bk-2").await.unwrap().is_none());
    let lost = gateway.charge("bk-2", eur(5_000), &visa()).await;
    assert!(
        matches!(lost, Err(PaymentError::Unavailable(_))),
        "{lost:?}"
    );
    assert!(
        gateway.find_charge("bk-2").await.unwrap().is_some(),
        "the charge is found although its answer was lost"
    );
    gateway.charge("bk-2", eur(5_000), &visa()).await.unwrap();
    assert_eq!((done(&fake, "create"), done(&fake, "confirm")), (1, 1));
}

#[tokio::test]
async fn a_decline_is_final_and_replayed() {
    let (fake, _stub, gateway) = fake_stripe().await;
    let declined = PaymentMethod::parse("pm_card_chargeDeclined").unwrap();
    for _ in 0..2 {
        let result = gateway.charge("bk-3", eur(5_000), &declined).await;
        assert!(
            matches!(result, Err(PaymentError::Declined(_))),
            "{result:?}"
        );
    }
    assert_eq!(
        done(&fake, "confirm"),
        1,
        "the retry reads the declined intent"
    );
    assert_eq!(gateway.find_charge("bk-3").await.unwrap(), None);
}

#[tokio::test]
async fn a_lost_refund_answer_refunds_once() {
    let (fake, stub, gateway) = fake_stripe().await;
    let charge = gateway.charge("bk-4", eur(5_000), &visa()).await.unwrap();
    fake.lock().unwrap().lose.push("refund");
    let lost = gateway.refund("bk-4-cancel", &charge.id, eur(5_000)).await;
    assert!(
        matches!(lost, Err(PaymentError::Unavailable(_))),
        "{lost:?}"
    );
    let refund = gateway
        .refund("bk-4-cancel", &charge.id, eur(5_000))
        .await
        .unwrap();
    assert_eq!(refund.amount, eur(5_000));
    assert_eq!(done(&fake, "refund"), 1, "found by its tag, not made again");
    let again = gateway
        .refund("bk-4-cancel", &charge.id, eur(5_000))
        .await
        .unwrap();
    assert_eq!(again.id, refund.id);
    let posted = stub
        .requests()
        .into_iter()
        .find(|r| r.route() == "/v1/refunds" && r.method == "POST")
        .unwrap();
    assert_eq!(posted.header("idempotency-key"), Some("bk-4-cancel:refund"));
    assert_eq!(
        gateway
            .find_charge("bk-4")
            .await
            .unwrap()
            .map(|c| c.refunded),
        Some(eur(5_000))
    );
}

#[tokio::test]
async fn stripe_failures_reach_the_domain_as_unavailable_or_rejected() {
    for (status, expected) in [
        (500, "Unavailable"),
        (429, "Unavailable"),
        (401, "Rejected"),
    ] {
        let stub = Stub::start(move |_| {
            Reply::Json(
                status,
                json!({"error": {"type": "api_error", "message": "nope"}}),
            )
        })
        .await;
        let sdk = support::moto();
        let tables = support::fresh_tables(&sdk).await;
        let gateway = StripeGateway::new(
            StripeClient::new(&stub.url, "sk_test_fake".into()).unwrap(),
            PaymentKeys::new(aws_sdk_dynamodb::Client::new(&sdk), tables.payments),
        );
        let result = gateway.charge("bk-5", eur(100), &visa()).await;
        let kind = match result {
            Err(PaymentError::Unavailable(_)) => "Unavailable",
            Err(PaymentError::Rejected(_)) => "Rejected",
            other => panic!("{status}: {other:?}"),
        };
        assert_eq!(kind, expected, "{status}");
    }
}

#[tokio::test]
async fn unsettled_intents_are_released_or_awaited_never_refunded() {
    let (fake, stub, gateway) = fake_stripe().await;
    let manual = PaymentMethod::parse("pm_fake_manual_capture").unwrap();
    let authorised = gateway.charge("bk-6", eur(5_000), &manual).await;
    assert!(
        matches!(authorised, Err(PaymentError::Unavailable(_))),
        "{authorised:?}"
    );
    let Some(PaymentState::Authorised { id }) = gateway.payment("bk-6").await.unwrap() else {
        panic!("an uncaptured intent is authorised");
    };
    assert_eq!(gateway.find_charge("bk-6").await.unwrap(), None);
    gateway.cancel("bk-6:release", &id).await.unwrap();
    gateway
        .cancel("bk-6:release", &id)
        .await
        .expect("releasing twice is done already");
    assert_eq!(gateway.payment("bk-6").await.unwrap(), None);
    assert_eq!(done(&fake, "cancel"), 1, "Stripe cancelled it once");
    let cancels: Vec<_> = stub
        .requests()
        .into_iter()
        .filter(|r| r.route().ends_with("/cancel"))
        .map(|r| r.header("idempotency-key").map(str::to_owned))
        .collect();
    assert_eq!(cancels, vec![Some("bk-6:release:cancel".to_owned()); 2]);

    let slow = PaymentMethod::parse("pm_fake_processing").unwrap();
    assert!(gateway.charge("bk-7", eur(700), &slow).await.is_err());
    let Some(PaymentState::Processing { id }) = gateway.payment("bk-7").await.unwrap() else {
        panic!("a processing intent is processing");
    };
    let refused = gateway.cancel("bk-7:release", &id).await;
    assert!(
        matches!(refused, Err(PaymentError::Rejected(_))),
        "{refused:?}"
    );
    let captured = gateway.charge("bk-8", eur(800), &visa()).await.unwrap();
    let refused = gateway.cancel("bk-8:release", &captured.id).await;
    assert!(
        matches!(&refused, Err(PaymentError::Rejected(why)) if why.contains("refund it")),
        "{refused:?}"
    );
}

#[tokio::test]
async fn payments_are_listed_page_by_page_by_their_berth_key() {
    let (fake, stub, gateway) = fake_stripe().await;
    for n in 0..5 {
        gateway
            .charge(&format!("bk-list-{n}"), eur(100 + n), &visa())
            .await
            .unwrap();
    }
    let manual = PaymentMethod::parse("pm_fake_manual_capture").unwrap();
    let _ = gateway.charge("bk-list-held", eur(900), &manual).await;
    let declined = PaymentMethod::parse("pm_card_chargeDeclined").unwrap();
    let _ = gateway
        .charge("bk-list-declined", eur(900), &declined)
        .await;
    // An intent someone else made in the same account: no berth_key.
    fake.lock().unwrap().objects.insert(
        "pi_other".into(),
        json!({"id": "pi_other", "object": "payment_intent", "status": "succeeded", "amount": 1,
               "currency": "eur", "created": 1, "metadata": {}, "latest_charge": null,
               "last_payment_error": null}),
    );
    let since = chrono::DateTime::from_timestamp(0, 0).unwrap();
    let all = gateway.payments_since(since, 1_000).await.unwrap();
    let mut keys: Vec<&str> = all.iter().map(|p| p.key.as_str()).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "bk-list-0",
            "bk-list-1",
            "bk-list-2",
            "bk-list-3",
            "bk-list-4",
            "bk-list-held"
        ],
        "captured and authorised ones, by their key; the declined and foreign ones left out"
    );
    assert!(
        all.iter()
            .any(|p| p.key == "bk-list-held" && matches!(p.state, PaymentState::Authorised { .. }))
    );
    // The newest three intents: the declined one (holding nothing), the
    // authorised one and the last capture.
    let newest: Vec<String> = gateway
        .payments_since(since, 3)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.key)
        .collect();
    assert_eq!(
        newest,
        ["bk-list-held", "bk-list-4"],
        "at most `limit` intents are read"
    );
    let lists: Vec<_> = stub
        .requests()
        .into_iter()
        .filter(|r| r.method == "GET" && r.route() == "/v1/payment_intents")
        .collect();
    assert!(
        lists.iter().any(|r| r.field("starting_after").is_some()),
        "pages follow one another"
    );
}
