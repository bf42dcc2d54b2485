//! A payment gateway for the local platform that behaves like Stripe's test
//! mode: `pm_card_visa` (and the other plain test cards) succeed,
//! `pm_card_chargeDeclined*` and `pm_card_chargeCustomerFail` are declined.
//! Charges and refunds are keyed and durable, so a retried call never moves
//! money twice. Tests can inject faults: unavailability, calls that never
//! answer, captures whose answer is lost, and payments left authorised
//! (uncaptured) or processing. Those two states live in memory beside the
//! stored charge: a restart settles them as captured.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use berth_domain::booking::PaymentMethod;
use berth_domain::dates::Timestamp;
use berth_domain::money::{Currency, Money};
use berth_domain::ports::{Charge, Payment, PaymentError, PaymentGateway, PaymentState, Refund};
use chrono::Utc;
use rand::Rng;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codec::millis;
use crate::db::Db;

/// Faults to inject, each a share of charge calls (0.0 to 1.0).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaymentFaults {
    /// Fail before reaching the provider: nothing is charged.
    pub unavailable: f64,
    /// Never answer, charging nothing: the caller's timeout must fire.
    pub timeout: f64,
    /// Capture, then never answer: the caller must retry with the same key.
    pub lost_response: f64,
    /// Authorise without capturing (Stripe's `requires_capture`): the call
    /// answers `Unavailable` and the payment waits to be released.
    pub uncaptured: f64,
    /// Leave the payment processing (Stripe's `processing`) until
    /// [`FakeGateway::settle_processing`]: the call answers `Unavailable`.
    pub processing: f64,
    /// Added to every call, in milliseconds.
    pub latency_ms: u64,
}

/// A payment not settled yet, by charge id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unsettled {
    Authorised,
    Processing,
}

/// What the gateway has seen, for tests and the bench.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GatewayStats {
    pub charge_calls: u64,
    pub faults_injected: u64,
}

/// One charge as the gateway keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChargeRecord {
    pub key: String,
    pub id: String,
    pub method: String,
    pub amount: Money,
    pub captured: bool,
    pub refunded: i64,
}

pub struct FakeGateway {
    db: Db,
    faults: Mutex<PaymentFaults>,
    unsettled: Mutex<HashMap<String, Unsettled>>,
    charge_calls: AtomicU64,
    faults_injected: AtomicU64,
}

enum Fault {
    Unavailable,
    Timeout,
    LostResponse,
}

impl FakeGateway {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            faults: Mutex::new(PaymentFaults::default()),
            unsettled: Mutex::new(HashMap::new()),
            charge_calls: AtomicU64::new(0),
            faults_injected: AtomicU64::new(0),
        }
    }

    pub fn set_faults(&self, faults: PaymentFaults) {
        if let Ok(mut current) = self.faults.lock() {
            *current = faults;
        }
    }

    pub fn faults(&self) -> PaymentFaults {
        self.faults.lock().map(|f| *f).unwrap_or_default()
    }

    pub fn stats(&self) -> GatewayStats {
        GatewayStats {
            charge_calls: self.charge_calls.load(Ordering::Relaxed),
            faults_injected: self.faults_injected.load(Ordering::Relaxed),
        }
    }

    /// Every charge ever attempted, declined ones included.
    pub fn charges(&self) -> anyhow::Result<Vec<ChargeRecord>> {
        self.db.read(|tx| {
            let mut query = tx.prepare_cached(
                "SELECT key, id, method, amount, currency, outcome, refunded FROM gateway_charges ORDER BY created_at, key",
            )?;
            let rows = query.query_map([], |row| {
                let currency: String = row.get(4)?;
                Ok(ChargeRecord {
                    key: row.get(0)?,
                    id: row.get(1)?,
                    method: row.get(2)?,
                    amount: Money::new(row.get(3)?, Currency::parse(&currency).map_err(|e| conversion(e.to_string()))?),
                    captured: row.get::<_, String>(5)? == "captured",
                    refunded: row.get(6)?,
                })
            })?;
            rows.collect()
        })
    }

    /// Draws this call's fault, if any.
    fn draw(&self) -> Option<Fault> {
        let faults = self.faults();
        let roll: f64 = rand::rng().random();
        let fault = if roll < faults.unavailable {
            Fault::Unavailable
        } else if roll < faults.unavailable + faults.timeout {
            Fault::Timeout
        } else if roll < faults.unavailable + faults.timeout + faults.lost_response {
            Fault::LostResponse
        } else {
            return None;
        };
        self.faults_injected.fetch_add(1, Ordering::Relaxed);
        Some(fault)
    }

    /// Draws whether a new capture stays unsettled.
    fn draw_unsettled(&self) -> Option<Unsettled> {
        let faults = self.faults();
        let roll: f64 = rand::rng().random();
        if roll < faults.uncaptured {
            Some(Unsettled::Authorised)
        } else if roll < faults.uncaptured + faults.processing {
            Some(Unsettled::Processing)
        } else {
            None
        }
    }

    fn unsettled(&self, charge_id: &str) -> Option<Unsettled> {
        self.unsettled
            .lock()
            .ok()
            .and_then(|held| held.get(charge_id).copied())
    }

    /// Every processing payment settles, captured. Answers how many did.
    pub fn settle_processing(&self) -> usize {
        let Ok(mut held) = self.unsettled.lock() else {
            return 0;
        };
        let before = held.len();
        held.retain(|_, state| *state != Unsettled::Processing);
        before - held.len()
    }

    /// A stored row as the provider would answer for it now.
    fn state_of(&self, row: ChargeRow) -> Result<Option<PaymentState>, PaymentError> {
        let id = row.0.clone();
        match (charge_of(row), self.unsettled(&id)) {
            (Err(PaymentError::Declined(_)), _) => Ok(None),
            (Err(other), _) => Err(other),
            (Ok(_), Some(Unsettled::Authorised)) => Ok(Some(PaymentState::Authorised { id })),
            (Ok(_), Some(Unsettled::Processing)) => Ok(Some(PaymentState::Processing { id })),
            (Ok(charge), None) => Ok(Some(PaymentState::Captured(charge))),
        }
    }

    async fn latency(&self) {
        let ms = self.faults().latency_ms;
        if ms > 0 {
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
    }
}

fn conversion(message: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, message.into())
}

/// How Stripe's test payment methods behave: `Err(reason)` for a decline.
fn authorise(method: &str) -> Result<(), String> {
    match method {
        "pm_card_visa"
        | "pm_card_visa_debit"
        | "pm_card_mastercard"
        | "pm_card_mastercard_debit"
        | "pm_card_amex"
        | "pm_card_discover"
        | "pm_card_diners"
        | "pm_card_jcb"
        | "pm_card_unionpay" => Ok(()),
        "pm_card_chargeDeclined" | "pm_card_chargeCustomerFail" => Err("card_declined".into()),
        "pm_card_chargeDeclinedInsufficientFunds" => Err("insufficient_funds".into()),
        "pm_card_chargeDeclinedFraudulent" => Err("fraudulent".into()),
        "pm_card_chargeDeclinedExpiredCard" => Err("expired_card".into()),
        "pm_card_chargeDeclinedIncorrectCvc" => Err("incorrect_cvc".into()),
        "pm_card_chargeDeclinedProcessingError" => Err("processing_error".into()),
        other => Err(format!("no such payment method: {other}")),
    }
}

type ChargeRow = (String, String, i64, String, String, Option<String>, i64);

fn charge_by_key(conn: &Connection, key: &str) -> rusqlite::Result<Option<ChargeRow>> {
    conn.prepare_cached(
        "SELECT id, method, amount, currency, outcome, decline_reason, refunded FROM gateway_charges WHERE key = ?1",
    )?
    .query_row([key], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?)))
    .optional()
}

fn charge_of(row: ChargeRow) -> Result<Charge, PaymentError> {
    let (id, _, amount, currency, outcome, reason, refunded) = row;
    if outcome != "captured" {
        return Err(PaymentError::Declined(reason.unwrap_or_default()));
    }
    let currency = Currency::parse(&currency).map_err(|e| PaymentError::Rejected(e.to_string()))?;
    Ok(Charge {
        id,
        amount: Money::new(amount, currency),
        refunded: Money::new(refunded, currency),
    })
}

fn unavailable(error: anyhow::Error) -> PaymentError {
    PaymentError::Unavailable(format!("{error:#}"))
}

#[async_trait]
impl PaymentGateway for FakeGateway {
    async fn charge(
        &self,
        key: &str,
        amount: Money,
        method: &PaymentMethod,
    ) -> Result<Charge, PaymentError> {
        self.charge_calls.fetch_add(1, Ordering::Relaxed);
        self.latency().await;
        let fault = self.draw();
        match fault {
            Some(Fault::Unavailable) => {
                return Err(PaymentError::Unavailable(
                    "injected: provider unavailable".into(),
                ));
            }
            Some(Fault::Timeout) => std::future::pending::<()>().await,
            _ => {}
        }
        let (key, asked) = (key.to_owned(), method.as_str().to_owned());
        let method = asked.clone();
        let id = format!("pi_{}", Uuid::new_v4().simple());
        let fresh = id.clone();
        let now = millis(Utc::now());
        let row = self
            .db
            .write(move |conn| {
                if let Some(row) = charge_by_key(conn, &key)? {
                    return Ok(row);
                }
                let (outcome, reason) = match authorise(&method) {
                    Ok(()) => ("captured", None),
                    Err(reason) => ("declined", Some(reason)),
                };
                conn.prepare_cached(
                    "INSERT INTO gateway_charges (key, id, method, amount, currency, outcome, decline_reason, created_at) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute((&key, &id, &method, amount.amount, amount.currency.as_str(), outcome, &reason, now))?;
                Ok::<_, anyhow::Error>((id, method, amount.amount, amount.currency.to_string(), outcome.to_owned(), reason, 0))
            })
            .await
            .map_err(unavailable)?;
        if row.1 != asked || row.2 != amount.amount || row.3 != amount.currency.as_str() {
            return Err(PaymentError::Rejected(
                "idempotency key reused with different parameters".into(),
            ));
        }
        if row.0 == fresh
            && row.4 == "captured"
            && let (Some(state), Ok(mut held)) = (self.draw_unsettled(), self.unsettled.lock())
        {
            held.insert(fresh, state);
        }
        if matches!(fault, Some(Fault::LostResponse)) {
            std::future::pending::<()>().await;
        }
        match self.unsettled(&row.0) {
            Some(state) => Err(PaymentError::Unavailable(format!(
                "payment {} is {state:?}",
                row.0
            ))),
            None => charge_of(row),
        }
    }

    async fn payment(&self, key: &str) -> Result<Option<PaymentState>, PaymentError> {
        let row = self
            .db
            .read(|tx| charge_by_key(tx, key))
            .map_err(unavailable)?;
        row.map_or(Ok(None), |row| self.state_of(row))
    }

    async fn cancel(&self, _key: &str, payment_id: &str) -> Result<(), PaymentError> {
        self.latency().await;
        match self.unsettled(payment_id) {
            Some(Unsettled::Authorised) => {}
            Some(Unsettled::Processing) => {
                return Err(PaymentError::Rejected(format!(
                    "payment {payment_id} is processing and cannot be cancelled"
                )));
            }
            None => {
                let id = payment_id.to_owned();
                let outcome: Option<String> = self
                    .db
                    .read(|tx| {
                        tx.prepare_cached("SELECT outcome FROM gateway_charges WHERE id = ?1")?
                            .query_row([&id], |r| r.get(0))
                            .optional()
                    })
                    .map_err(unavailable)?;
                return match outcome.as_deref() {
                    Some("declined") => Ok(()),
                    Some(_) => Err(PaymentError::Rejected(format!(
                        "payment {payment_id} was captured: refund it"
                    ))),
                    None => Err(PaymentError::Rejected(format!(
                        "no such payment: {payment_id}"
                    ))),
                };
            }
        }
        let id = payment_id.to_owned();
        self.db
            .write(move |conn| {
                conn.prepare_cached(
                    "UPDATE gateway_charges SET outcome = 'declined', decline_reason = 'canceled' WHERE id = ?1",
                )?
                .execute([&id])?;
                Ok::<_, anyhow::Error>(())
            })
            .await
            .map_err(unavailable)?;
        if let Ok(mut held) = self.unsettled.lock() {
            held.remove(payment_id);
        }
        Ok(())
    }

    async fn payments_since(
        &self,
        since: Timestamp,
        limit: u32,
    ) -> Result<Vec<Payment>, PaymentError> {
        let since = millis(since);
        let rows = self
            .db
            .read(|tx| {
                let mut query = tx.prepare_cached(
                    "SELECT key, id, method, amount, currency, outcome, decline_reason, refunded FROM gateway_charges \
                     WHERE created_at >= ?1 AND outcome = 'captured' ORDER BY created_at, key LIMIT ?2",
                )?;
                let rows = query.query_map((since, limit), |r| {
                    let key: String = r.get(0)?;
                    Ok((key, (r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?)))
                })?;
                rows.collect::<rusqlite::Result<Vec<(String, ChargeRow)>>>()
            })
            .map_err(unavailable)?;
        let mut payments = Vec::with_capacity(rows.len());
        for (key, row) in rows {
            if let Some(state) = self.state_of(row)? {
                payments.push(Payment { key, state });
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
        self.latency().await;
        if let Some(state) = self.unsettled(charge_id) {
            return Err(PaymentError::Rejected(format!(
                "payment {charge_id} is {state:?}: nothing was captured to refund"
            )));
        }
        let (key, charge_id) = (key.to_owned(), charge_id.to_owned());
        let id = format!("re_{}", Uuid::new_v4().simple());
        let now = millis(Utc::now());
        self.db
            .write(move |conn| {
                let existing = conn
                    .prepare_cached("SELECT id, amount, currency FROM gateway_refunds WHERE key = ?1")
                    .and_then(|mut s| {
                        s.query_row([&key], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))
                            .optional()
                    })
                    .map_err(|e| unavailable(e.into()))?;
                if let Some((id, amount, currency)) = existing {
                    let currency = Currency::parse(&currency).map_err(|e| PaymentError::Rejected(e.to_string()))?;
                    return Ok(Refund { id, amount: Money::new(amount, currency) });
                }
                let charge: Option<(i64, String, i64, String)> = conn
                    .prepare_cached("SELECT amount, currency, refunded, outcome FROM gateway_charges WHERE id = ?1")
                    .and_then(|mut s| s.query_row([&charge_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).optional())
                    .map_err(|e| unavailable(e.into()))?;
                let Some((charged, currency, refunded, outcome)) = charge else {
                    return Err(PaymentError::Rejected(format!("no such charge: {charge_id}")));
                };
                if outcome != "captured" || currency != amount.currency.as_str() {
                    return Err(PaymentError::Rejected("refund does not match a captured charge".into()));
                }
                if amount.amount <= 0 || refunded + amount.amount > charged {
                    return Err(PaymentError::Rejected(format!(
                        "refund of {} exceeds what is left of the charge ({})",
                        amount.amount,
                        charged - refunded
                    )));
                }
                conn.prepare_cached(
                    "INSERT INTO gateway_refunds (key, id, charge_id, amount, currency, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .and_then(|mut s| s.execute((&key, &id, &charge_id, amount.amount, amount.currency.as_str(), now)))
                .and_then(|_| {
                    conn.prepare_cached("UPDATE gateway_charges SET refunded = refunded + ?1 WHERE id = ?2")?
                        .execute((amount.amount, &charge_id))
                })
                .map_err(|e| unavailable(e.into()))?;
                Ok(Refund { id, amount })
            })
            .await
    }
}
