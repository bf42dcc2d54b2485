//! Settled-booking metrics count transitions, not task runs: Step Functions
//! may run Confirm or Fail again (a retry after a timeout, a redriven
//! execution), and the success-rate alarm that gates deployments must not
//! see a booking twice.

use std::fmt::Write;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use berth_domain::booking::{Booking, BookingStatus};
use berth_domain::ids::{BookingId, UserId};
use berth_domain::ports::{
    BookingChange, BookingChanges, BookingReader, ChangeError, Page, PageRequest, Role, SystemClock,
};
use lambda_runtime::{Context, LambdaEvent};
use tracing_subscriber::layer::SubscriberExt;

use super::{BookingTask, confirm_booking, fail_booking};

/// One booking in memory, changed as the stores do: only from the
/// statuses a change names.
struct OneBooking(Mutex<Booking>);

#[async_trait]
impl BookingReader for OneBooking {
    async fn booking(&self, id: &BookingId) -> anyhow::Result<Option<Booking>> {
        let booking = self.0.lock().unwrap().clone();
        Ok((&booking.id == id).then_some(booking))
    }

    async fn bookings_of(
        &self,
        _: &UserId,
        _: Role,
        _: &PageRequest,
    ) -> anyhow::Result<Page<Booking>> {
        Ok(Page {
            items: vec![],
            next: None,
        })
    }
}

#[async_trait]
impl BookingChanges for OneBooking {
    async fn apply(&self, change: &BookingChange<'_>) -> Result<(), ChangeError> {
        let mut stored = self.0.lock().unwrap();
        if !change.from.contains(&stored.status()) {
            return Err(ChangeError::StatusChanged(Some(stored.status())));
        }
        *stored = change.booking.clone();
        Ok(())
    }
}

fn paid_booking() -> Arc<OneBooking> {
    let booking: Booking = serde_json::from_value(serde_json::json!({
        "id": "bk_de400000000000000000000000000001", "status": "PAID",
        "property_id": "prop_de400000000000000000000000000001",
        "guest_id": "guest", "host_id": "host",
        "check_in": "2027-01-10", "check_out": "2027-01-12", "guests": 2, "nights": 2,
        "nightly_price": {"amount": 10000, "currency": "EUR"},
        "nightly_total": {"amount": 20000, "currency": "EUR"},
        "cleaning_fee": {"amount": 0, "currency": "EUR"},
        "total": {"amount": 20000, "currency": "EUR"},
        "payment_method": "pm_card_visa", "cancellation_policy": "flexible",
        "payment_ref": "ch_1", "created_at": "2027-01-01T00:00:00Z",
        "updated_at": "2027-01-01T00:00:00Z", "version": 3
    }))
    .unwrap();
    Arc::new(OneBooking(Mutex::new(booking)))
}

/// The metric lines emitted (outside Lambda they go to the log, target
/// `berth::metrics`).
#[derive(Clone, Default)]
struct Emitted(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Emitted {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "berth::metrics" {
            let mut line = String::new();
            event.record(
                &mut |field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
                    let _ = write!(line, "{}={value:?} ", field.name());
                },
            );
            self.0.lock().unwrap().push(line);
        }
    }
}

impl Emitted {
    fn take(&self) -> Vec<String> {
        std::mem::take(&mut self.0.lock().unwrap())
    }
}

fn capture() -> (Emitted, tracing::subscriber::DefaultGuard) {
    let emitted = Emitted::default();
    let subscriber = tracing_subscriber::registry().with(emitted.clone());
    (emitted, tracing::subscriber::set_default(subscriber))
}

fn event<T>(payload: T) -> LambdaEvent<T> {
    LambdaEvent::new(payload, Context::default())
}

#[tokio::test]
async fn confirming_again_emits_nothing() {
    let (emitted, _guard) = capture();
    let store = paid_booking();
    let deps = confirm_booking::Deps {
        bookings: store.clone(),
        changes: store.clone(),
        clock: Arc::new(SystemClock),
    };
    let task = BookingTask {
        booking_id: BookingId::parse("bk_de400000000000000000000000000001").unwrap(),
    };
    confirm_booking::handle(&deps, event(task.clone()))
        .await
        .unwrap();
    let first = emitted.take();
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(first[0].contains("CONFIRMED"), "{first:?}");
    assert_eq!(store.0.lock().unwrap().status(), BookingStatus::Confirmed);

    confirm_booking::handle(&deps, event(task)).await.unwrap();
    assert_eq!(
        emitted.take(),
        Vec::<String>::new(),
        "a re-run emits nothing"
    );
}

#[tokio::test]
async fn failing_again_emits_nothing() {
    let (emitted, _guard) = capture();
    let store = paid_booking();
    let deps = fail_booking::Deps {
        bookings: store.clone(),
        changes: store.clone(),
        clock: Arc::new(SystemClock),
    };
    let task: fail_booking::FailTask = serde_json::from_value(serde_json::json!({
        "booking_id": "bk_de400000000000000000000000000001",
        "error": {"Error": "PaymentDeclined", "Cause": "declined"}
    }))
    .unwrap();
    fail_booking::handle(&deps, event(task.clone()))
        .await
        .unwrap();
    let first = emitted.take();
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(
        first[0].contains("FAILED") && first[0].contains("PAYMENT_DECLINED"),
        "{first:?}"
    );
    assert_eq!(store.0.lock().unwrap().status(), BookingStatus::Failed);

    fail_booking::handle(&deps, event(task)).await.unwrap();
    assert_eq!(
        emitted.take(),
        Vec::<String>::new(),
        "a re-run emits nothing"
    );
}
