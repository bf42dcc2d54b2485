//! Erasure: after `UserErased`, every store has forgotten the guest. Their
//! booking stays (the financial record) under the pseudonym, as do its audit
//! records and events; their profile, signals and Idempotency-Keys are gone;
//! the host's ledger lines are untouched. A second run changes nothing.

use berth_domain::accounts;
use berth_domain::ids::UserId;
use berth_domain::ports::{IdempotencyKey, LedgerEntry, PageRequest, Role};
use berth_domain::projections;
use berth_domain::user::{Preferences, Profile};
use chrono::Utc;

use crate::Subject;
use crate::fixtures::{hold, property, stay, stored_booking, user};

/// Whether `value` names `user` anywhere (as a string, in its debug form).
fn names(value: &impl std::fmt::Debug, user: &UserId) -> bool {
    format!("{value:?}").contains(&format!("\"{user}\""))
}

/// Erases `user` under a fresh pseudonym, then again (a retry must change
/// nothing and succeed): the pseudonym.
async fn forget_twice(ports: &Subject, user: &UserId) -> UserId {
    let pseudonym = UserId::pseudonym();
    for _ in 0..2 {
        accounts::forget(
            ports.booking_reader().unwrap().as_ref(),
            ports.personal_data().unwrap().as_ref(),
            user,
            &pseudonym,
        )
        .await
        .expect("erasing, and erasing again");
    }
    pseudonym
}

pub async fn erasure_forgets_the_guest_everywhere(ports: &Subject) {
    let guest = user("erin.guest@example.com");
    let listed = property(ports, "erasure-host").await;
    let requested = stored_booking(ports, &listed, guest.as_str(), stay(5, 2)).await;
    let now = Utc::now();
    let until = now + chrono::Duration::minutes(15);
    let held = hold(ports, &requested, now, until).await.unwrap();
    let recorded = ports.outbox.recorded_events().await.unwrap();
    let records: Vec<_> = recorded
        .iter()
        .filter_map(projections::audit_record)
        .collect();
    ports.audit().unwrap().append(&records).await.unwrap();
    let profile = Profile {
        user_id: guest.clone(),
        preferences: Preferences::new(None, vec!["Porto".into()], vec![], None).unwrap(),
        updated_at: now,
    };
    ports
        .profiles()
        .unwrap()
        .save_profile(&profile)
        .await
        .unwrap();
    ports
        .signals()
        .unwrap()
        .learn(&guest, "evt-erasure", "Lisbon", &Default::default())
        .await
        .unwrap();
    let earned = LedgerEntry {
        id: "erasure-line".into(),
        booking_id: held.id.clone(),
        host_id: held.host_id.clone(),
        property_id: held.property_id.clone(),
        amount: held.total,
        occurred_at: now,
    };
    ports
        .ledger()
        .unwrap()
        .record(std::slice::from_ref(&earned))
        .await
        .unwrap();

    let pseudonym = forget_twice(ports, &guest).await;

    let kept = ports
        .booking_reader()
        .unwrap()
        .booking(&held.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(kept.guest_id, pseudonym, "the booking stays, pseudonymised");
    assert_eq!(
        (kept.total, kept.status(), kept.version()),
        (held.total, held.status(), held.version())
    );
    assert!(!names(&kept, &guest));
    let page = PageRequest {
        limit: 10,
        after: None,
    };
    let theirs = ports
        .booking_reader()
        .unwrap()
        .bookings_of(&guest, Role::Guest, &page)
        .await
        .unwrap();
    assert!(theirs.items.is_empty(), "nothing listed under their id");
    let pseudonymous = ports
        .booking_reader()
        .unwrap()
        .bookings_of(&pseudonym, Role::Guest, &page)
        .await
        .unwrap();
    assert_eq!(pseudonymous.items.len(), 1);
    let key = IdempotencyKey::parse(requested.id.as_str()).unwrap();
    assert_eq!(
        ports
            .requests()
            .unwrap()
            .record(&guest, &key, now)
            .await
            .unwrap(),
        None,
        "their keys are gone"
    );
    assert_eq!(
        ports.profiles().unwrap().profile(&guest).await.unwrap(),
        None
    );
    assert_eq!(
        ports.signals().unwrap().signals(&guest).await.unwrap(),
        Default::default()
    );
    let trail = ports.audit().unwrap().trail(&held.id).await.unwrap();
    assert_eq!(trail.len(), records.len(), "the audit trail stays");
    assert!(!names(&trail, &guest), "{trail:?}");
    let outbox = ports.outbox.recorded_events().await.unwrap();
    assert!(!outbox.is_empty() && !names(&outbox, &guest), "{outbox:?}");
    let range = berth_domain::dates::DateRange::new(
        berth_domain::dates::Date::of(now),
        berth_domain::dates::Date::of(now).add_days(1),
        366,
    )
    .unwrap();
    let earnings = ports
        .ledger()
        .unwrap()
        .earnings(&held.host_id, range)
        .await
        .unwrap();
    assert_eq!(
        earnings[0].gross, held.total.amount,
        "the host's ledger is untouched"
    );
}

/// A host is forgotten too: their listing stays, under the pseudonym, and
/// nothing stored about it (nor its events) names them; another host's
/// listing is untouched. A second run changes nothing.
pub async fn erasure_pseudonymises_a_hosts_listings(ports: &Subject) {
    let host = user("hana.host@example.com");
    let listed = property(ports, host.as_str()).await;
    let other = property(ports, "erasure-other-host").await;
    let pseudonym = forget_twice(ports, &host).await;
    let reader = ports.property_reader().unwrap();
    let kept = reader.property(&listed.id).await.unwrap().unwrap();
    assert_eq!(kept.host_id, pseudonym, "the listing stays, pseudonymised");
    assert_eq!(kept.listing, listed.listing);
    assert!(!names(&kept, &host), "{kept:?}");
    let untouched = reader.property(&other.id).await.unwrap().unwrap();
    assert_eq!(untouched.host_id, other.host_id);
    let outbox = ports.outbox.recorded_events().await.unwrap();
    assert!(!names(&outbox, &host), "{outbox:?}");
}
