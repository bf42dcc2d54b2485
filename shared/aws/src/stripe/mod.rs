//! The payment gateway over Stripe's PaymentIntents.
//!
//! A charge under key K: create the intent unconfirmed (Idempotency-Key
//! `K:create`), map K to it in `PAYMENTS_TABLE`, then confirm it
//! (`K:confirm`), captured automatically. A retry finds the mapping and
//! carries on from the intent's state, so [`PaymentGateway::find_charge`]
//! has a strongly consistent answer and a charge never happens twice.
//!
//! Releasing an authorised intent under key C: `cancel` (Idempotency-Key
//! `C:cancel`); one cancelled already counts as released. Listing payments
//! reads intents by creation time and knows Berth's by their `berth_key` tag.
//!
//! A refund under key R: the mapped refund if any; else a refund of the
//! intent tagged `metadata[berth_key]=R` if Stripe has one (a lost answer);
//! else a new one (Idempotency-Key `R:refund`), mapped.

mod client;
mod keys;

use async_trait::async_trait;
use berth_domain::booking::PaymentMethod;
use berth_domain::dates::Timestamp;
use berth_domain::money::{Currency, Money};
use berth_domain::ports::{Charge, Payment, PaymentError, PaymentGateway, PaymentState, Refund};
use serde::Deserialize;
use serde_json::Value;

pub use client::{API_VERSION, StripeClient, classify};
pub use keys::PaymentKeys;

use anyhow::Context;
use tokio::sync::OnceCell;

use crate::access::{Access, on};
use crate::config::{AwsConfig, MissingVariable, vars};

pub const DEFAULT_API_BASE: &str = "https://api.stripe.com";

/// [`PaymentGateway`]. Needs `PAYMENT_SECRET_ARN` (the Stripe secret key:
/// the whole secret string, or its `secret_key` field), `PAYMENTS_TABLE`,
/// and optionally `STRIPE_API_BASE`.
#[derive(Debug, Clone)]
pub struct StripeGateway {
    /// Built on first use from [`Self::secret`], so building the gateway
    /// reads only names and calls nothing.
    stripe: OnceCell<StripeClient>,
    secret: Option<SecretKey>,
    keys: PaymentKeys,
}

/// Where the Stripe secret key is read from, once, on the first payment call.
#[derive(Debug, Clone)]
struct SecretKey {
    secrets: aws_sdk_secretsmanager::Client,
    secret_id: String,
    api_base: String,
}

/// The environment variables [`StripeGateway::from_env`] reads.
pub const ENV: &[&str] = &[
    vars::PAYMENT_SECRET_ARN,
    vars::PAYMENTS_TABLE,
    vars::STRIPE_API_BASE,
];

/// [`PaymentGateway`]'s AWS calls: the secret key (Secrets Manager, once)
/// and the key → intent mappings ([`PaymentKeys`]: `GetItem`, conditional
/// `PutItem`).
pub const GATEWAY: Access = Access {
    port: "PaymentGateway",
    grants: &[
        on(vars::PAYMENT_SECRET_ARN, &["secretsmanager:GetSecretValue"]),
        on(
            vars::PAYMENTS_TABLE,
            &["dynamodb:GetItem", "dynamodb:PutItem"],
        ),
    ],
    env: ENV,
};

#[derive(Debug, Deserialize)]
struct Intent {
    id: String,
    status: String,
    amount: i64,
    currency: String,
    /// An id, or the charge itself when expanded.
    latest_charge: Option<Value>,
    last_payment_error: Option<Value>,
    #[serde(default)]
    metadata: Value,
}

#[derive(Debug, Deserialize)]
struct StripeRefund {
    id: String,
    amount: i64,
    currency: String,
    #[serde(default)]
    metadata: Value,
}

#[derive(Debug, Deserialize)]
struct List<T> {
    data: Vec<T>,
    #[serde(default)]
    has_more: bool,
}

fn currency(code: &str) -> Result<Currency, PaymentError> {
    Currency::parse(&code.to_ascii_uppercase())
        .map_err(|_| PaymentError::Unavailable(format!("Stripe answered currency {code}")))
}

impl Intent {
    fn amount(&self) -> Result<Money, PaymentError> {
        Ok(Money::new(self.amount, currency(&self.currency)?))
    }

    /// Minor units refunded so far (needs `latest_charge` expanded).
    fn refunded(&self) -> i64 {
        self.latest_charge
            .as_ref()
            .and_then(|c| c["amount_refunded"].as_i64())
            .unwrap_or(0)
    }

    fn charge(&self) -> Result<Charge, PaymentError> {
        let amount = self.amount()?;
        Ok(Charge {
            id: self.id.clone(),
            amount,
            refunded: Money::new(self.refunded(), amount.currency),
        })
    }

    /// Where the intent stands, if it holds or may hold money.
    fn state(self) -> Result<Option<PaymentState>, PaymentError> {
        Ok(match self.status.as_str() {
            "succeeded" => Some(PaymentState::Captured(self.charge()?)),
            "requires_capture" => Some(PaymentState::Authorised { id: self.id }),
            "processing" => Some(PaymentState::Processing { id: self.id }),
            _ => None,
        })
    }

    /// The charge, once the intent has settled: captured, or declined.
    fn settled(self) -> Result<Charge, PaymentError> {
        match self.status.as_str() {
            "succeeded" => self.charge(),
            "requires_payment_method" | "canceled" => Err(PaymentError::Declined(
                self.last_payment_error
                    .as_ref()
                    .and_then(|e| e["message"].as_str())
                    .unwrap_or("the payment failed")
                    .to_owned(),
            )),
            "requires_action" => Err(PaymentError::Declined(
                "the card requires authentication".into(),
            )),
            other => Err(PaymentError::Unavailable(format!(
                "payment {} is {other}",
                self.id
            ))),
        }
    }
}

impl StripeRefund {
    fn refund(&self) -> Result<Refund, PaymentError> {
        Ok(Refund {
            id: self.id.clone(),
            amount: Money::new(self.amount, currency(&self.currency)?),
        })
    }
}

impl StripeGateway {
    /// The gateway as a function builds it: names only; the secret key is
    /// read on the first payment call.
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        let secret = SecretKey {
            secrets: aws_sdk_secretsmanager::Client::new(config.sdk()),
            secret_id: config.require(vars::PAYMENT_SECRET_ARN)?,
            api_base: config
                .env()
                .optional(vars::STRIPE_API_BASE)
                .unwrap_or_else(|| DEFAULT_API_BASE.to_owned()),
        };
        let table = config.require(vars::PAYMENTS_TABLE)?;
        Ok(Self {
            stripe: OnceCell::new(),
            secret: Some(secret),
            keys: PaymentKeys::new(aws_sdk_dynamodb::Client::new(config.sdk()), table),
        })
    }

    pub fn new(stripe: StripeClient, keys: PaymentKeys) -> Self {
        Self {
            stripe: OnceCell::new_with(Some(stripe)),
            secret: None,
            keys,
        }
    }

    /// The Stripe client, reading the secret key the first time.
    async fn stripe(&self) -> Result<&StripeClient, PaymentError> {
        self.stripe
            .get_or_try_init(|| async {
                let source = self
                    .secret
                    .as_ref()
                    .context("the gateway has neither a client nor a secret")?;
                let secret =
                    crate::secrets::secret_string(&source.secrets, &source.secret_id).await?;
                let secret_key = crate::secrets::field_or_whole(&secret, "secret_key")?;
                StripeClient::new(&source.api_base, secret_key)
            })
            .await
            .map_err(|e: anyhow::Error| PaymentError::Unavailable(format!("{e:#}")))
    }

    async fn intent(&self, id: &str) -> Result<Intent, PaymentError> {
        self.stripe()
            .await?
            .get(
                &format!("/v1/payment_intents/{id}"),
                &[("expand[]", "latest_charge")],
            )
            .await
    }

    /// The intent mapped to `key`, creating (unconfirmed) and mapping it if none.
    async fn intent_for(
        &self,
        key: &str,
        amount: Money,
        method: &PaymentMethod,
    ) -> Result<Intent, PaymentError> {
        let mapping = format!("charge#{key}");
        if let Some(id) = self.keys.find(&mapping).await? {
            return self.intent(&id).await;
        }
        let amount_text = amount.amount.to_string();
        let currency_text = amount.currency.as_str().to_ascii_lowercase();
        let created: Intent = self
            .stripe()
            .await?
            .post(
                "/v1/payment_intents",
                &[
                    ("amount", &amount_text),
                    ("currency", &currency_text),
                    ("payment_method", method.as_str()),
                    ("payment_method_types[]", "card"),
                    ("capture_method", "automatic"),
                    ("confirm", "false"),
                    ("metadata[berth_key]", key),
                ],
                &format!("{key}:create"),
            )
            .await?;
        let mapped = self.keys.remember(&mapping, &created.id).await?;
        if mapped == created.id {
            Ok(created)
        } else {
            self.intent(&mapped).await
        }
    }

    /// The refund made under `key`, found by its mapping or by Stripe's tag.
    async fn existing_refund(
        &self,
        mapping: &str,
        key: &str,
        charge_id: &str,
    ) -> Result<Option<StripeRefund>, PaymentError> {
        if let Some(id) = self.keys.find(mapping).await? {
            return Ok(Some(
                self.stripe()
                    .await?
                    .get(&format!("/v1/refunds/{id}"), &[])
                    .await?,
            ));
        }
        let listed: List<StripeRefund> = self
            .stripe()
            .await?
            .get(
                "/v1/refunds",
                &[(charge_field(charge_id), charge_id), ("limit", "100")],
            )
            .await?;
        Ok(listed
            .data
            .into_iter()
            .find(|r| r.metadata["berth_key"].as_str() == Some(key)))
    }
}

/// How a refund names what it refunds: an intent (ours) or a bare charge.
fn charge_field(charge_id: &str) -> &'static str {
    if charge_id.starts_with("ch_") {
        "charge"
    } else {
        "payment_intent"
    }
}

#[async_trait]
impl PaymentGateway for StripeGateway {
    async fn charge(
        &self,
        key: &str,
        amount: Money,
        method: &PaymentMethod,
    ) -> Result<Charge, PaymentError> {
        let intent = self.intent_for(key, amount, method).await?;
        if intent.amount()? != amount {
            return Err(PaymentError::Rejected(format!(
                "key {key} was used for a charge of {}",
                intent.amount()?
            )));
        }
        let intent = if intent.status == "requires_confirmation" {
            // A fresh charge: nothing is refunded yet, so the answer need not expand it.
            self.stripe()
                .await?
                .post::<Intent>(
                    &format!("/v1/payment_intents/{}/confirm", intent.id),
                    &[],
                    &format!("{key}:confirm"),
                )
                .await?
        } else {
            intent
        };
        intent.settled()
    }

    async fn payment(&self, key: &str) -> Result<Option<PaymentState>, PaymentError> {
        let Some(id) = self.keys.find(&format!("charge#{key}")).await? else {
            return Ok(None);
        };
        self.intent(&id).await?.state()
    }

    async fn cancel(&self, key: &str, payment_id: &str) -> Result<(), PaymentError> {
        let cancelled = self
            .stripe()
            .await?
            .post::<Intent>(
                &format!("/v1/payment_intents/{payment_id}/cancel"),
                &[("cancellation_reason", "abandoned")],
                &format!("{key}:cancel"),
            )
            .await;
        let error = match cancelled {
            Ok(_) => return Ok(()),
            Err(PaymentError::Unavailable(why)) => return Err(PaymentError::Unavailable(why)),
            Err(error) => error,
        };
        // Stripe refuses to cancel an intent that is not cancellable; its
        // state says whether that is done already or needs a refund instead.
        match self.intent(payment_id).await?.status.as_str() {
            "canceled" => Ok(()),
            "succeeded" => Err(PaymentError::Rejected(format!(
                "payment {payment_id} was captured: refund it"
            ))),
            _ => Err(error),
        }
    }

    async fn payments_since(
        &self,
        since: Timestamp,
        limit: u32,
    ) -> Result<Vec<Payment>, PaymentError> {
        let created = since.timestamp().to_string();
        let mut payments = Vec::new();
        let mut after: Option<String> = None;
        let mut listed = 0u32;
        while listed < limit {
            let page_size = (limit - listed).min(100).to_string();
            let mut query = vec![
                ("created[gte]", created.as_str()),
                ("limit", page_size.as_str()),
                ("expand[]", "data.latest_charge"),
            ];
            if let Some(last) = &after {
                query.push(("starting_after", last));
            }
            let page: List<Intent> = self
                .stripe()
                .await?
                .get("/v1/payment_intents", &query)
                .await?;
            listed += u32::try_from(page.data.len()).unwrap_or(u32::MAX);
            after = page.data.last().map(|i| i.id.clone());
            let more = page.has_more && after.is_some();
            for intent in page.data {
                let Some(key) = intent.metadata["berth_key"].as_str().map(str::to_owned) else {
                    continue;
                };
                if let Some(state) = intent.state()? {
                    payments.push(Payment { key, state });
                }
            }
            if !more {
                break;
            }
        }
        Ok(payments)
    }

    async fn refund(
        &self,
        key: &str,
        charge_id: &str,
        amount: Money,
    ) -> Result<Refund, PaymentError> {
        let mapping = format!("refund#{key}");
        if let Some(found) = self.existing_refund(&mapping, key, charge_id).await? {
            self.keys.remember(&mapping, &found.id).await?;
            return found.refund();
        }
        if charge_id.starts_with("pi_") {
            // Stripe refuses an over-refund too; asking first gives a clear answer.
            let intent = self.intent(charge_id).await?;
            let left = intent.amount - intent.refunded();
            if amount.amount > left || amount.currency != intent.amount()?.currency {
                return Err(PaymentError::Rejected(format!(
                    "refunding {amount} of {charge_id}, which has {left} left to refund"
                )));
            }
        }
        let amount_text = amount.amount.to_string();
        let refund: StripeRefund = self
            .stripe()
            .await?
            .post(
                "/v1/refunds",
                &[
                    (charge_field(charge_id), charge_id),
                    ("amount", &amount_text),
                    ("metadata[berth_key]", key),
                ],
                &format!("{key}:refund"),
            )
            .await?;
        self.keys.remember(&mapping, &refund.id).await?;
        refund.refund()
    }
}
