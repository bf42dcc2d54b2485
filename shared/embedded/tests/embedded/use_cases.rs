//! The booking use cases alone: every workflow step and compensation, the
//! guest's request and cancellation, and the sweeper, each called directly
//! over the embedded adapters with the time passed in (no clock runs), and
//! each run again to show that a re-run does only what is left to do.

use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use berth_domain::booking::{Booking, BookingStatus, FailureReason, PaymentMethod};
use berth_domain::calendar::{Night, NightState};
use berth_domain::dates::{Date, Stay, Timestamp};
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::BookingId;
use berth_domain::ports::{
    BookingChange, BookingChanges, BookingReader, BookingWorkflow, CalendarReader, ChangeError,
    IdempotencyKey, PropertyWriter,
};
use berth_domain::property::Property;
use berth_domain::reservations::{
    self, BookingError, BookingOrder, RequestTimes, StepError, SweepReport,
};
use berth_domain::user::Caller;
use berth_embedded::{Db, FakeGateway, SqliteStore};
use chrono::{DateTime, Duration, Utc};

use BookingStatus::*;

const HOLD: Duration = Duration::minutes(15);

/// A workflow that only records what it was asked to start.
#[derive(Default)]
struct Started(std::sync::Mutex<Vec<BookingId>>);

#[async_trait]
impl BookingWorkflow for Started {
    async fn start(&self, booking: &BookingId) -> anyhow::Result<()> {
        self.0.lock().expect("not poisoned").push(booking.clone());
        Ok(())
    }
}

/// Booking changes that lose their first `races` writes to a concurrent
/// change, as a conditional write does when another writer got there first.
struct Contended {
    store: SqliteStore,
    races: AtomicUsize,
}

#[async_trait]
impl BookingChanges for Contended {
    async fn apply(&self, change: &BookingChange<'_>) -> Result<(), ChangeError> {
        let lost = self
            .races
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        if lost {
            return Err(ChangeError::StatusChanged(Some(change.from[0])));
        }
        self.store.apply(change).await
    }
}

struct World {
    store: SqliteStore,
    gateway: FakeGateway,
    workflow: Started,
    property: Property,
    /// The injected clock's zero: every step gets `t(minutes)`.
    t0: Timestamp,
}

impl World {
    async fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir").keep();
        let db = Db::open(&dir).expect("opening SQLite");
        let store = SqliteStore::new(db.clone());
        let t0 = DateTime::parse_from_rfc3339("2030-03-01T10:00:00Z")
            .expect("an instant")
            .with_timezone(&Utc);
        let host = berth_contract::fixtures::user("host-1");
        let property = Property::list(host, berth_contract::fixtures::listing("Porto"), t0);
        let created = DomainEvent::new(
            Change::PropertyCreated {
                property: property.clone(),
            },
            t0,
        );
        store
            .insert_property(&property, &created)
            .await
            .expect("storing the property");
        Self {
            store,
            gateway: FakeGateway::new(db),
            workflow: Started::default(),
            property,
            t0,
        }
    }

    fn t(&self, minutes: i64) -> Timestamp {
        self.t0 + Duration::minutes(minutes)
    }

    /// Three nights a month after the clock's zero, shifted by `days`.
    fn stay(&self, days: u32) -> Stay {
        let check_in = Date::of(self.t0).add_days(30 + days);
        Stay::existing(check_in, check_in.add_days(3)).expect("a stay")
    }

    fn guest(&self, name: &str) -> Caller {
        Caller::new(berth_contract::fixtures::user(name), [])
    }

    /// A PENDING booking requested at `t(0)` by `guest`, paying with `method`.
    async fn requested(&self, guest: &str, stay: Stay, method: &str) -> Booking {
        let order = BookingOrder {
            property_id: self.property.id.clone(),
            check_in: stay.check_in,
            check_out: stay.check_out,
            guests: 2,
            payment_method: PaymentMethod::parse(method).expect("a payment method"),
        };
        let key = IdempotencyKey::parse(&uuid::Uuid::new_v4().to_string()).expect("a key");
        reservations::request_booking(
            &self.store,
            &self.store,
            &self.workflow,
            &self.guest(guest),
            key,
            order,
            RequestTimes::default(),
            self.t(0),
        )
        .await
        .expect("requesting a booking")
    }

    async fn booking(&self, id: &BookingId) -> Booking {
        self.store
            .booking(id)
            .await
            .expect("reading")
            .expect("stored")
    }

    async fn nights(&self, stay: Stay) -> Vec<Night> {
        self.store
            .nights(&self.property.id, stay.range())
            .await
            .expect("reading nights")
    }

    async fn reserve(&self, id: &BookingId, at: Timestamp) -> Result<(), StepError> {
        reservations::reserve(&self.store, &self.store, id, HOLD, at).await
    }

    async fn pay(&self, id: &BookingId, at: Timestamp) -> Result<(), StepError> {
        reservations::pay(&self.store, &self.store, &self.gateway, id, at).await
    }

    async fn confirm(&self, id: &BookingId, at: Timestamp) -> Result<(), StepError> {
        reservations::confirm(&self.store, &self.store, id, at)
            .await
            .map(|_| ())
    }

    async fn fail(
        &self,
        id: &BookingId,
        reason: FailureReason,
        at: Timestamp,
    ) -> Result<bool, StepError> {
        reservations::fail(&self.store, &self.store, id, reason, at).await
    }

    /// A booking taken through reserve, pay and confirm at minutes 1, 2, 3.
    async fn confirmed(&self, guest: &str, stay: Stay) -> Booking {
        let booking = self.requested(guest, stay, "pm_card_visa").await;
        self.reserve(&booking.id, self.t(1)).await.expect("reserve");
        self.pay(&booking.id, self.t(2)).await.expect("pay");
        self.confirm(&booking.id, self.t(3)).await.expect("confirm");
        self.booking(&booking.id).await
    }

    fn captured(&self) -> usize {
        let charges = self.gateway.charges().expect("charges");
        charges.iter().filter(|c| c.captured).count()
    }
}

fn held_by(nights: &[Night], booking: &BookingId) -> usize {
    nights
        .iter()
        .filter(
            |n| matches!(&n.state, NightState::Held { booking_id, .. } if booking_id == booking),
        )
        .count()
}

fn booked_by(nights: &[Night], booking: &BookingId) -> usize {
    nights
        .iter()
        .filter(|n| matches!(&n.state, NightState::Booked { booking_id } if booking_id == booking))
        .count()
}

#[tokio::test]
async fn a_request_is_stored_pending_and_started_once_per_key() {
    let w = World::new().await;
    let booking = w.requested("guest-1", w.stay(0), "pm_card_visa").await;
    assert_eq!(booking.status(), Pending);
    assert_eq!(booking.hold_expires_at(), Some(w.t(0) + HOLD));
    assert_eq!(w.booking(&booking.id).await, booking);
    assert_eq!(*w.workflow.0.lock().unwrap(), vec![booking.id.clone()]);
}

#[tokio::test]
async fn reserve_holds_every_night_and_a_rerun_changes_nothing() {
    let w = World::new().await;
    let stay = w.stay(0);
    let booking = w.requested("guest-1", stay, "pm_card_visa").await;
    w.reserve(&booking.id, w.t(1)).await.expect("reserve");
    let held = w.booking(&booking.id).await;
    assert_eq!(held.status(), Held);
    assert_eq!(held.hold_expires_at(), Some(w.t(1) + HOLD));
    assert_eq!(held_by(&w.nights(stay).await, &booking.id), 3);

    w.reserve(&booking.id, w.t(2)).await.expect("re-run");
    assert_eq!(
        w.booking(&booking.id).await,
        held,
        "the re-run wrote nothing"
    );
}

#[tokio::test]
async fn reserve_refuses_a_live_hold_and_takes_a_lapsed_one() {
    let w = World::new().await;
    let stay = w.stay(0);
    let first = w.requested("guest-1", stay, "pm_card_visa").await;
    let second = w.requested("guest-2", stay, "pm_card_visa").await;
    w.reserve(&first.id, w.t(1)).await.expect("first holds");

    let refused = w.reserve(&second.id, w.t(2)).await;
    assert!(
        matches!(refused, Err(StepError::NightsUnavailable(d)) if d == stay.check_in),
        "{refused:?}"
    );
    assert_eq!(w.booking(&second.id).await.status(), Pending, "unchanged");

    // The first hold lapses at t(16), exactly: then it is as good as free.
    w.reserve(&second.id, w.t(16))
        .await
        .expect("the lapsed hold is free");
    assert_eq!(held_by(&w.nights(stay).await, &second.id), 3);
}

#[tokio::test]
async fn pay_captures_once_and_records_the_charge() {
    let w = World::new().await;
    let booking = w.requested("guest-1", w.stay(0), "pm_card_visa").await;
    w.reserve(&booking.id, w.t(1)).await.expect("reserve");
    w.pay(&booking.id, w.t(2)).await.expect("pay");
    let paid = w.booking(&booking.id).await;
    assert_eq!(paid.status(), Paid);
    assert!(paid.payment_ref().is_some_and(|r| !r.is_empty()));

    w.pay(&booking.id, w.t(3)).await.expect("re-run");
    assert_eq!(w.booking(&booking.id).await, paid);
    assert_eq!(w.captured(), 1, "one charge");
}

#[tokio::test]
async fn pay_refuses_a_lapsed_hold_without_charging() {
    let w = World::new().await;
    let booking = w.requested("guest-1", w.stay(0), "pm_card_visa").await;
    w.reserve(&booking.id, w.t(1)).await.expect("reserve");
    let lapsed = w.pay(&booking.id, w.t(16)).await;
    assert!(matches!(lapsed, Err(StepError::HoldExpired)), "{lapsed:?}");
    assert_eq!(w.booking(&booking.id).await.status(), Held);
    assert_eq!(w.gateway.stats().charge_calls, 0);
}

#[tokio::test]
async fn a_declined_card_leaves_the_booking_held() {
    let w = World::new().await;
    let booking = w
        .requested("guest-1", w.stay(0), "pm_card_chargeDeclined")
        .await;
    w.reserve(&booking.id, w.t(1)).await.expect("reserve");
    let declined = w.pay(&booking.id, w.t(2)).await;
    assert!(
        matches!(declined, Err(StepError::PaymentDeclined(_))),
        "{declined:?}"
    );
    assert_eq!(w.booking(&booking.id).await.status(), Held);
    assert_eq!(w.captured(), 0);
}

#[tokio::test]
async fn steps_out_of_order_or_after_settling_say_so() {
    let w = World::new().await;
    let booking = w.requested("guest-1", w.stay(0), "pm_card_visa").await;
    let early = w.pay(&booking.id, w.t(1)).await;
    assert!(
        matches!(early, Err(StepError::OutOfOrder(Pending))),
        "{early:?}"
    );
    let early = w.confirm(&booking.id, w.t(1)).await;
    assert!(
        matches!(early, Err(StepError::OutOfOrder(Pending))),
        "{early:?}"
    );

    let failed = w
        .fail(&booking.id, FailureReason::InvalidStay, w.t(1))
        .await;
    assert!(matches!(failed, Ok(true)), "{failed:?}");
    for late in [
        w.reserve(&booking.id, w.t(2)).await,
        w.pay(&booking.id, w.t(2)).await,
        w.confirm(&booking.id, w.t(2)).await,
        reservations::quote(&w.store, &w.store, &booking.id).await,
    ] {
        assert!(matches!(late, Err(StepError::Settled(Failed))), "{late:?}");
    }
    let failed = w.booking(&booking.id).await;
    assert_eq!(failed.failure_reason(), Some(FailureReason::InvalidStay));

    let unknown = BookingId::generate();
    let missing = w.reserve(&unknown, w.t(2)).await;
    assert!(
        matches!(missing, Err(StepError::BookingNotFound(_))),
        "{missing:?}"
    );
}

#[tokio::test]
async fn confirm_books_every_night_and_a_rerun_changes_nothing() {
    let w = World::new().await;
    let stay = w.stay(0);
    let confirmed = w.confirmed("guest-1", stay).await;
    assert_eq!(confirmed.status(), Confirmed);
    assert_eq!(confirmed.hold_expires_at(), None);
    assert_eq!(booked_by(&w.nights(stay).await, &confirmed.id), 3);
    reservations::quote(&w.store, &w.store, &confirmed.id)
        .await
        .expect("quote of a confirmed booking is done");

    let again = reservations::confirm(&w.store, &w.store, &confirmed.id, w.t(4)).await;
    assert!(
        matches!(again, Ok(false)),
        "a re-run confirms nothing: {again:?}"
    );
    assert_eq!(w.booking(&confirmed.id).await, confirmed);
}

#[tokio::test]
async fn confirm_after_the_hold_was_taken_is_a_lapsed_hold() {
    let w = World::new().await;
    let stay = w.stay(0);
    let slow = w.requested("guest-1", stay, "pm_card_visa").await;
    let other = w.requested("guest-2", stay, "pm_card_visa").await;
    w.reserve(&slow.id, w.t(1)).await.expect("reserve");
    w.pay(&slow.id, w.t(2)).await.expect("pay before the lapse");
    w.reserve(&other.id, w.t(16))
        .await
        .expect("takes the lapsed hold");

    let late = w.confirm(&slow.id, w.t(17)).await;
    assert!(matches!(late, Err(StepError::HoldExpired)), "{late:?}");
    assert_eq!(w.booking(&slow.id).await.status(), Paid, "nothing written");
    assert_eq!(held_by(&w.nights(stay).await, &other.id), 3);
}

#[tokio::test]
async fn compensation_refunds_releases_and_fails_once() {
    let w = World::new().await;
    let stay = w.stay(0);
    let booking = w.requested("guest-1", stay, "pm_card_visa").await;
    w.reserve(&booking.id, w.t(1)).await.expect("reserve");
    w.pay(&booking.id, w.t(2)).await.expect("pay");

    for _ in 0..2 {
        reservations::refund_if_charged(&w.store, &w.store, &w.gateway, &booking.id, w.t(3))
            .await
            .expect("refund");
        reservations::release(&w.store, &w.store, &booking.id)
            .await
            .expect("release");
    }
    let charges = w.gateway.charges().expect("charges");
    assert_eq!(charges.len(), 1);
    assert_eq!(
        charges[0].refunded, booking.total.amount,
        "refunded in full, once"
    );
    assert_eq!(w.booking(&booking.id).await.refund(), Some(booking.total));
    assert!(w.nights(stay).await.is_empty(), "nights released");

    let reason = FailureReason::PaymentDeclined;
    let first = w.fail(&booking.id, reason, w.t(4)).await;
    let again = w.fail(&booking.id, reason, w.t(5)).await;
    assert!(matches!((first, again), (Ok(true), Ok(false))));
    let failed = w.booking(&booking.id).await;
    assert_eq!(failed.status(), Failed);
    assert_eq!(failed.failure_reason(), Some(reason));
    assert_eq!(failed.updated_at(), w.t(4), "the re-run wrote nothing");
}

#[tokio::test]
async fn compensation_never_touches_a_confirmed_booking() {
    let w = World::new().await;
    let stay = w.stay(0);
    let confirmed = w.confirmed("guest-1", stay).await;
    reservations::refund_if_charged(&w.store, &w.store, &w.gateway, &confirmed.id, w.t(4))
        .await
        .expect("refund is a no-op");
    reservations::release(&w.store, &w.store, &confirmed.id)
        .await
        .expect("release is a no-op");
    let failed = w
        .fail(&confirmed.id, FailureReason::HoldExpired, w.t(4))
        .await;
    assert!(matches!(failed, Ok(false)));
    assert_eq!(w.booking(&confirmed.id).await, confirmed);
    assert_eq!(booked_by(&w.nights(stay).await, &confirmed.id), 3);
    assert_eq!(w.gateway.charges().expect("charges")[0].refunded, 0);
}

#[tokio::test]
async fn a_compensation_that_loses_races_retries_and_gives_up_after_five() {
    let w = World::new().await;
    let booking = w.requested("guest-1", w.stay(0), "pm_card_visa").await;
    let contended = |races| Contended {
        store: w.store.clone(),
        races: AtomicUsize::new(races),
    };
    let reason = FailureReason::NightsUnavailable;
    let gave_up = reservations::fail(&w.store, &contended(5), &booking.id, reason, w.t(1)).await;
    assert!(
        matches!(gave_up, Err(StepError::Retryable(_))),
        "{gave_up:?}"
    );
    assert_eq!(w.booking(&booking.id).await.status(), Pending);

    let won = reservations::fail(&w.store, &contended(4), &booking.id, reason, w.t(1)).await;
    assert!(matches!(won, Ok(true)), "{won:?}");
    assert_eq!(w.booking(&booking.id).await.status(), Failed);
}

#[tokio::test]
async fn cancelling_refunds_by_policy_frees_the_nights_and_answers_again() {
    let w = World::new().await;
    let stay = w.stay(0);
    let confirmed = &w.confirmed("guest-1", stay).await;
    let guest = w.guest("guest-1");
    let w = &w;
    let cancel = |caller: Caller| async move {
        reservations::cancel_booking(
            &w.store,
            &w.store,
            &w.gateway,
            &caller,
            &confirmed.id,
            w.t(10),
        )
        .await
    };
    let stranger = cancel(w.guest("guest-2")).await;
    assert!(
        matches!(stranger, Err(BookingError::Forbidden(_))),
        "{stranger:?}"
    );

    let cancelled = cancel(guest.clone()).await.expect("cancel");
    assert_eq!(cancelled.status(), Cancelled);
    // Flexible: a month ahead, everything comes back.
    assert_eq!(cancelled.refund(), Some(confirmed.total));
    assert!(w.nights(stay).await.is_empty());

    let again = cancel(guest).await.expect("cancel again");
    assert_eq!(again, cancelled);
    assert_eq!(
        w.gateway.charges().expect("charges")[0].refunded,
        confirmed.total.amount,
        "refunded once"
    );
}

#[tokio::test]
async fn only_confirmed_bookings_can_be_cancelled() {
    let w = World::new().await;
    let booking = w.requested("guest-1", w.stay(0), "pm_card_visa").await;
    w.reserve(&booking.id, w.t(1)).await.expect("reserve");
    let refused = reservations::cancel_booking(
        &w.store,
        &w.store,
        &w.gateway,
        &w.guest("guest-1"),
        &booking.id,
        w.t(2),
    )
    .await;
    assert!(
        matches!(refused, Err(BookingError::NotCancellable(Held))),
        "{refused:?}"
    );
    assert_eq!(w.booking(&booking.id).await.status(), Held);
}

async fn sweep(w: &World, at: Timestamp) -> SweepReport {
    reservations::sweep(&w.store, &w.store, &w.store, &w.gateway, at, 100)
        .await
        .expect("sweep")
}

#[tokio::test]
async fn the_sweeper_expires_lapsed_bookings_and_gives_paid_ones_grace() {
    let w = World::new().await;
    let held = w.requested("guest-1", w.stay(0), "pm_card_visa").await;
    let paid = w.requested("guest-2", w.stay(5), "pm_card_visa").await;
    let live = w.requested("guest-3", w.stay(10), "pm_card_visa").await;
    for booking in [&held, &paid] {
        w.reserve(&booking.id, w.t(1)).await.expect("reserve");
    }
    w.pay(&paid.id, w.t(2)).await.expect("pay");
    w.reserve(&live.id, w.t(10)).await.expect("reserve");

    // At t(17) both holds of t(1) lapsed; the PAID one is within its grace.
    let report = sweep(&w, w.t(17)).await;
    assert_eq!((report.expired, report.refunded), (1, 0), "{report:?}");
    assert_eq!(w.booking(&held.id).await.status(), Expired);
    assert!(w.nights(w.stay(0)).await.is_empty());
    assert_eq!(w.booking(&paid.id).await.status(), Paid);

    // Past the grace, the PAID one expires and its money goes back.
    let report = sweep(&w, w.t(22)).await;
    assert_eq!((report.expired, report.refunded), (1, 1), "{report:?}");
    let expired = w.booking(&paid.id).await;
    assert_eq!(expired.status(), Expired);
    assert_eq!(expired.refund(), Some(paid.total));
    assert_eq!(
        w.booking(&live.id).await.status(),
        Held,
        "its hold runs to t(25)"
    );

    let report = sweep(&w, w.t(22)).await;
    assert_eq!(
        (report.expired, report.refunded),
        (0, 0),
        "nothing left: {report:?}"
    );
}
