//! The ledger and the audit log: append-only, idempotent by id.

use berth_domain::booking::BookingStatus;
use berth_domain::dates::DateRange;
use berth_domain::ids::{BookingId, PropertyId};
use berth_domain::money::{Currency, Money};
use berth_domain::ports::{AuditRecord, LedgerEntry};
use chrono::{Duration, Utc};

use crate::Subject;
use crate::fixtures::{day, user};

fn entry(id: &str, host: &str, amount: i64, currency: &str, days_ago: i64) -> LedgerEntry {
    LedgerEntry {
        id: id.into(),
        booking_id: BookingId::generate(),
        host_id: user(host),
        property_id: PropertyId::generate(),
        amount: Money::new(amount, Currency::parse(currency).unwrap()),
        occurred_at: Utc::now() - Duration::days(days_ago),
    }
}

pub async fn ledger_records_once_and_sums_per_currency(ports: &Subject) {
    let entries = [
        entry("e1", "earner", 10_000, "EUR", 1),
        entry("e2", "earner", 5_000, "EUR", 1),
        entry("e3", "earner", -2_500, "EUR", 1),
        entry("e4", "earner", 7_000, "GBP", 1),
        entry("e5", "earner", 9_999, "EUR", 40),
        entry("e6", "someone-else", 1_000, "EUR", 1),
    ];
    ports.ledger().unwrap().record(&entries).await.unwrap();
    ports.ledger().unwrap().record(&entries[..2]).await.unwrap();
    let today = day(0);
    let range = DateRange::new(
        berth_domain::dates::Date::of(Utc::now() - Duration::days(10)),
        today.add_days(1),
        366,
    )
    .unwrap();
    let earnings = ports
        .ledger()
        .unwrap()
        .earnings(&user("earner"), range)
        .await
        .unwrap();
    assert_eq!(earnings.len(), 2, "one line per currency: {earnings:?}");
    let eur = &earnings[0];
    assert_eq!(eur.currency.as_str(), "EUR");
    assert_eq!(
        (eur.gross, eur.refunds, eur.net, eur.bookings),
        (15_000, 2_500, 12_500, 2),
        "recorded once each"
    );
    let gbp = &earnings[1];
    assert_eq!((gbp.currency.as_str(), gbp.net), ("GBP", 7_000));
    let nobody = ports
        .ledger()
        .unwrap()
        .earnings(&user("nobody"), range)
        .await
        .unwrap();
    assert!(nobody.is_empty());
}

pub async fn audit_appends_once_in_order(ports: &Subject) {
    let booking = BookingId::generate();
    let at = Utc::now();
    let record = |id: &str, offset: i64, status: BookingStatus, version: u64| AuditRecord {
        event_id: id.into(),
        booking_id: booking.clone(),
        occurred_at: at + Duration::milliseconds(offset),
        change: format!("Booking{status}"),
        status,
        version,
        detail: serde_json::json!({"n": offset}),
    };
    let later = record("evt-b", 5, BookingStatus::Held, 2);
    let earlier = record("evt-a", 1, BookingStatus::Pending, 1);
    // Stamped by a clock behind the others: the booking's version orders it.
    let skewed = record("evt-c", 0, BookingStatus::Paid, 3);
    ports
        .audit()
        .unwrap()
        .append(std::slice::from_ref(&later))
        .await
        .unwrap();
    ports
        .audit()
        .unwrap()
        .append(&[skewed.clone(), earlier.clone(), later.clone()])
        .await
        .unwrap();
    let trail = ports.audit().unwrap().trail(&booking).await.unwrap();
    assert_eq!(trail, [earlier, later, skewed]);
    assert!(
        ports
            .audit()
            .unwrap()
            .trail(&BookingId::generate())
            .await
            .unwrap()
            .is_empty()
    );
}
