//! The set of ports a function is built from, listed once.
//!
//! A function's builder asks a [`PortSource`] for the ports its handler
//! needs. Three sources answer: the AWS adapters (built from the function's
//! environment, in `berth-aws`), [`Ports`] (ports built already: the local
//! platform's embedded adapters), and the contract tests' stores, which
//! answer only the store ports and say so for the rest.

use std::sync::Arc;

use crate::ports::*;
use crate::reservations::RequestTimes;

/// Lists every port once; expands to [`PortSource`] and [`Ports`].
macro_rules! port_set {
    ($($(#[$doc:meta])* $name:ident: $port:ident,)+) => {
        /// Where a function's ports come from. Each method builds (or shares)
        /// the adapter of one port; a source that has no such port answers an
        /// error naming it, which fails the function's build, never a request.
        pub trait PortSource: Send + Sync {
            $(
                $(#[$doc])*
                fn $name(&self) -> anyhow::Result<Arc<dyn $port>> {
                    Err(absent(stringify!($port)))
                }
            )+

            /// The clock every rule reads "now" from.
            fn clock(&self) -> Arc<dyn Clock> {
                Arc::new(SystemClock)
            }

            /// How long holds, leases and keys last.
            fn times(&self) -> anyhow::Result<RequestTimes> {
                Ok(RequestTimes::default())
            }

            /// Where the API is reached from outside (`https://…`), when
            /// that is not the domain a request names (behind a CDN);
            /// `None`: the request's own.
            fn public_url(&self) -> anyhow::Result<Option<String>> {
                Ok(None)
            }
        }

        /// Every port, built already: the source the local platform runs on.
        #[derive(Clone)]
        pub struct Ports {
            $(pub $name: Arc<dyn $port>,)+
            pub clock: Arc<dyn Clock>,
            pub times: RequestTimes,
        }

        impl PortSource for Ports {
            $(
                fn $name(&self) -> anyhow::Result<Arc<dyn $port>> {
                    Ok(self.$name.clone())
                }
            )+

            fn clock(&self) -> Arc<dyn Clock> {
                self.clock.clone()
            }

            fn times(&self) -> anyhow::Result<RequestTimes> {
                Ok(self.times)
            }
        }
    };
}

port_set! {
    property_reader: PropertyReader,
    property_writer: PropertyWriter,
    host_listings: HostListings,
    calendar_reader: CalendarReader,
    calendar_writer: CalendarWriter,
    booking_reader: BookingReader,
    requests: BookingRequests,
    changes: BookingChanges,
    abandoned: AbandonedBookings,
    workflow: BookingWorkflow,
    gateway: PaymentGateway,
    ledger: Ledger,
    ledger_migrations: LedgerMigrations,
    stack_replies: DeployReplies,
    audit: AuditLog,
    notifier: Notifier,
    notification_queue: NotificationQueue,
    profiles: Profiles,
    signals: SignalStore,
    personal_data: PersonalData,
    publisher: EventPublisher,
    feeds: FeedStore,
    feed_nights: FeedNights,
    conflicts: CalendarConflicts,
    export_links: ExportLinks,
    feed_reader: FeedReader,
    search_snapshots: SearchSnapshots,
}

fn absent(port: &str) -> anyhow::Error {
    anyhow::anyhow!("this source of ports has no {port}")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Empty;
    impl PortSource for Empty {}

    #[test]
    fn a_source_without_a_port_names_it() {
        let error = Empty.ledger().err().expect("no ledger");
        assert_eq!(error.to_string(), "this source of ports has no Ledger");
    }
}
