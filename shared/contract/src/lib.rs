//! The contract of Berth's ports, written once. Each adapter family (embedded
//! SQLite, AWS) builds a fresh, isolated [`Subject`] and runs every check here
//! through [`contract_suite!`]; a check panics with what broke.
//!
//! - [`catalog`]: properties and calendars;
//! - [`bookings`]: idempotent requests, the workflow's atomic changes, the
//!   zero-double-booking race, listings, the sweeper's query;
//! - [`channels`]: calendar sync's feeds, imported nights, conflicts,
//!   export tokens, and imports racing reservations;
//! - [`records`]: ledger, audit log;
//! - [`users`]: profiles and signals;
//! - [`erasure`]: forgetting a user in every store;
//! - [`gateway`]: payment gateways.

// A test reads as one scenario, start to end: the 80-line limit on
// functions (clippy.toml) is for the code under test.
#![allow(clippy::too_many_lines)]

pub mod bookings;
pub mod catalog;
pub mod channels;
pub mod erasure;
pub mod fixtures;
pub mod gateway;
pub mod records;
pub mod users;

use std::sync::Arc;

use async_trait::async_trait;
use berth_domain::events::DomainEvent;
use berth_domain::wiring::PortSource;

/// What a test can see of the events an adapter recorded.
#[async_trait]
pub trait OutboxProbe: Send + Sync {
    /// Every event recorded so far, in order.
    async fn recorded_events(&self) -> anyhow::Result<Vec<DomainEvent>>;
}

/// One adapter family under test: its source of ports over fresh, empty
/// storage (the same source its functions are built from), and what it
/// recorded in its outbox. Derefs to the source: `subject.ledger()`.
pub struct Subject {
    pub ports: Arc<dyn PortSource>,
    pub outbox: Arc<dyn OutboxProbe>,
}

impl std::ops::Deref for Subject {
    type Target = dyn PortSource;

    fn deref(&self) -> &Self::Target {
        self.ports.as_ref()
    }
}

/// Expands to one `#[tokio::test]` per contract check, each over fresh
/// ports from `$ports` (an async fn returning [`Subject`]).
#[macro_export]
macro_rules! contract_suite {
    ($ports:path) => {
        $crate::contract_suite!(@tests $ports;
            catalog::property_round_trip,
            catalog::pricing_travels_with_the_property,
            catalog::stale_updates_conflict,
            catalog::host_listings_page_newest_first,
            catalog::blocking_and_unblocking,
            catalog::blocking_refuses_guest_nights_atomically,
            bookings::claims_are_idempotent,
            bookings::expired_claims_free_the_key,
            bookings::holding_takes_free_and_expired_nights,
            bookings::holding_refuses_taken_nights_atomically,
            bookings::holding_again_is_a_no_op,
            bookings::status_conditions_guard_every_change,
            bookings::booking_needs_every_night_held_by_me,
            bookings::release_frees_only_my_nights,
            bookings::listings_page_newest_first,
            bookings::abandoned_lists_overdue_unsettled_bookings,
            bookings::concurrent_holds_never_double_book,
            channels::feeds_are_listed_saved_and_deleted,
            channels::imports_follow_the_night_rules,
            channels::conflicts_are_recorded_once_with_their_event,
            channels::export_tokens_are_issued_once_and_rotated,
            channels::imports_and_reservations_race_and_every_collision_is_recorded,
            channels::the_schedule_syncs_every_feed_and_one_failing_stops_none,
            records::ledger_records_once_and_sums_per_currency,
            records::audit_appends_once_in_order,
            users::profiles_save_and_erase,
            users::signals_learn_once_per_event,
            erasure::erasure_forgets_the_guest_everywhere,
            erasure::erasure_pseudonymises_a_hosts_listings,
        );
    };
    (@tests $ports:path; $($module:ident :: $check:ident),+ $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $check() {
                let ports = $ports().await;
                $crate::$module::$check(&ports).await;
            }
        )+
    };
}
