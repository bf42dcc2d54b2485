//! Money never stays on a failed booking: the compensation releases an
//! authorised payment and waits out a processing one, and the reconciler
//! gives back whatever the provider still holds for FAILED or EXPIRED
//! bookings, once, however often (or concurrently) it runs. Over the SQLite
//! store and the fake gateway, through the domain's own use cases.

use std::path::PathBuf;
use std::sync::Arc;

use berth_contract::fixtures;
use berth_domain::booking::{Booking, BookingStatus, FailureReason};
use berth_domain::ports::{BookingReader, PaymentGateway, PaymentState};
use berth_domain::reservations::{
    self, RECONCILE_LOOKBACK, ReconcileReport, StepError, reconcile_payments,
};
use berth_embedded::{Db, FakeGateway, PaymentFaults, SqliteStore};
use chrono::{Duration, Utc};

struct World {
    store: Arc<SqliteStore>,
    gateway: Arc<FakeGateway>,
    _dir: PathBuf,
}

fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir").keep();
    let db = Db::open(&dir).expect("opening SQLite");
    World {
        store: Arc::new(SqliteStore::new(db.clone())),
        gateway: Arc::new(FakeGateway::new(db)),
        _dir: dir,
    }
}

impl World {
    /// A booking of a fresh property, HELD (its nights reserved).
    async fn held_booking(&self, guest: &str) -> Booking {
        let ports = crate::contract::subject_over(self.store.as_ref().clone());
        let property = fixtures::property(&ports, "payhost").await;
        let booking =
            fixtures::stored_booking(&ports, &property, guest, fixtures::stay(20, 2)).await;
        reservations::reserve(
            self.store.as_ref(),
            self.store.as_ref(),
            &booking.id,
            Duration::minutes(15),
            Utc::now(),
        )
        .await
        .expect("reserving");
        booking
    }

    async fn pay(&self, booking: &Booking) -> Result<(), StepError> {
        reservations::pay(
            self.store.as_ref(),
            self.store.as_ref(),
            self.gateway.as_ref(),
            &booking.id,
            Utc::now(),
        )
        .await
    }

    async fn compensate(&self, booking: &Booking) -> Result<(), StepError> {
        reservations::refund_if_charged(
            self.store.as_ref(),
            self.store.as_ref(),
            self.gateway.as_ref(),
            &booking.id,
            Utc::now(),
        )
        .await
    }

    async fn fail(&self, booking: &Booking) {
        reservations::fail(
            self.store.as_ref(),
            self.store.as_ref(),
            &booking.id,
            FailureReason::PaymentUnavailable,
            Utc::now(),
        )
        .await
        .expect("failing the booking");
    }

    async fn reconcile(&self) -> ReconcileReport {
        reconcile_payments(
            self.gateway.as_ref(),
            self.store.as_ref(),
            self.store.as_ref(),
            Utc::now(),
            100,
        )
        .await
        .expect("reconciling")
    }

    async fn stored(&self, booking: &Booking) -> Booking {
        self.store
            .booking(&booking.id)
            .await
            .expect("reading")
            .expect("stored")
    }

    fn faults(&self, uncaptured: f64, processing: f64) {
        self.gateway.set_faults(PaymentFaults {
            uncaptured,
            processing,
            ..PaymentFaults::default()
        });
    }

    /// What was refunded of the charge made for `booking`.
    fn refunded(&self, booking: &Booking) -> i64 {
        let charges = self.gateway.charges().expect("charges");
        let charge = charges
            .iter()
            .find(|c| c.key == booking.id.as_str())
            .expect("a charge for the booking");
        charge.refunded
    }
}

#[tokio::test]
async fn the_compensation_releases_an_authorised_payment() {
    let w = world();
    let booking = w.held_booking("authorised-guest").await;
    w.faults(1.0, 0.0);
    let paid = w.pay(&booking).await;
    assert!(
        matches!(paid, Err(StepError::PaymentUnavailable(_))),
        "{paid:?}"
    );
    assert!(matches!(
        w.gateway.payment(booking.id.as_str()).await.unwrap(),
        Some(PaymentState::Authorised { .. })
    ));
    w.compensate(&booking).await.expect("compensating");
    assert_eq!(
        w.gateway.payment(booking.id.as_str()).await.unwrap(),
        None,
        "released: nothing is held any more"
    );
    w.compensate(&booking)
        .await
        .expect("compensating again is a no-op");
    assert_eq!(w.stored(&booking).await.refund(), None, "nothing was taken");
}

#[tokio::test]
async fn the_compensation_waits_for_a_processing_payment_then_refunds_it() {
    let w = world();
    let booking = w.held_booking("processing-guest").await;
    w.faults(0.0, 1.0);
    assert!(w.pay(&booking).await.is_err());
    let early = w.compensate(&booking).await;
    assert!(
        matches!(early, Err(StepError::PaymentUnavailable(_))),
        "a processing payment is not settled yet: the step must be retried, not pass: {early:?}"
    );
    assert_eq!(w.gateway.settle_processing(), 1);
    w.compensate(&booking)
        .await
        .expect("refunding once settled");
    assert_eq!(w.refunded(&booking), booking.total.amount);
    assert_eq!(w.stored(&booking).await.refund(), Some(booking.total));
}

#[tokio::test]
async fn the_reconciler_gives_back_money_left_on_failed_bookings_once() {
    let w = world();
    // 1. The workflow gave up while the payment was processing.
    let processing = w.held_booking("late-settler").await;
    w.faults(0.0, 1.0);
    assert!(w.pay(&processing).await.is_err());
    w.fail(&processing).await;
    // 2. A capture whose answer was lost: the booking never learned of it.
    let lost = w.held_booking("lost-answer").await;
    w.faults(0.0, 0.0);
    w.gateway
        .charge(lost.id.as_str(), lost.total, &lost.payment_method)
        .await
        .expect("the capture the workflow never heard of");
    w.fail(&lost).await;
    // 3. An authorised payment on a booking that failed.
    let authorised = w.held_booking("authorised-only").await;
    w.faults(1.0, 0.0);
    assert!(w.pay(&authorised).await.is_err());
    w.fail(&authorised).await;
    // 4. A confirmed booking: its money stays.
    w.faults(0.0, 0.0);
    let kept = w.held_booking("happy-guest").await;
    w.pay(&kept).await.expect("paying");
    reservations::confirm(w.store.as_ref(), w.store.as_ref(), &kept.id, Utc::now())
        .await
        .expect("confirming");

    let first = w.reconcile().await;
    assert_eq!(
        (first.refunded, first.released, first.pending),
        (1, 1, 1),
        "{first:?}"
    );
    assert!(first.failed.is_empty(), "{first:?}");
    assert_eq!(w.refunded(&lost), lost.total.amount);
    assert_eq!(w.stored(&lost).await.refund(), Some(lost.total));
    assert_eq!(
        w.gateway.payment(authorised.id.as_str()).await.unwrap(),
        None
    );

    w.gateway.settle_processing();
    let second = w.reconcile().await;
    assert_eq!((second.refunded, second.pending), (1, 0), "{second:?}");
    assert_eq!(w.refunded(&processing), processing.total.amount);

    let third = w.reconcile().await;
    assert_eq!(
        (third.refunded, third.released, third.pending),
        (0, 0, 0),
        "nothing is left to give back: {third:?}"
    );
    assert_eq!(w.refunded(&kept), 0, "a confirmed booking keeps its money");
    assert_eq!(w.stored(&kept).await.status(), BookingStatus::Confirmed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reconcilers_running_at_once_refund_once() {
    let w = world();
    let mut bookings = Vec::new();
    for n in 0..5 {
        let booking = w.held_booking(&format!("racer-{n}")).await;
        w.gateway
            .charge(booking.id.as_str(), booking.total, &booking.payment_method)
            .await
            .expect("charging");
        w.fail(&booking).await;
        bookings.push(booking);
    }
    let runs = futures::future::join_all((0..4).map(|_| w.reconcile())).await;
    for booking in &bookings {
        assert_eq!(
            w.refunded(booking),
            booking.total.amount,
            "refunded exactly once"
        );
        assert_eq!(w.stored(booking).await.refund(), Some(booking.total));
    }
    assert!(runs.iter().all(|r| r.failed.is_empty()), "{runs:?}");
}

#[tokio::test]
async fn the_reconciler_looks_back_only_so_far() {
    let w = world();
    let booking = w.held_booking("old-guest").await;
    w.gateway
        .charge(booking.id.as_str(), booking.total, &booking.payment_method)
        .await
        .expect("charging");
    w.fail(&booking).await;
    let later = Utc::now() + RECONCILE_LOOKBACK + Duration::minutes(1);
    let report = reconcile_payments(
        w.gateway.as_ref(),
        w.store.as_ref(),
        w.store.as_ref(),
        later,
        100,
    )
    .await
    .expect("reconciling");
    assert_eq!(report.payments, 0, "{report:?}");
}
