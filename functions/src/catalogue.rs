//! Every function Berth deploys, declared once: its name (the binary's and
//! the sample event's), its resource in template.yaml, its trigger, and how
//! its handler is built from a source of ports. A Lambda's `main` builds its
//! entry over the AWS adapters ([`crate::runtime::run`]); the local
//! platform, `berth invoke` and the parity tests build every entry over the
//! embedded ports. The parity tests hold this list, `template.yaml`,
//! `src/bin/` and `events/` in step.

use berth_aws::AwsSource;
use berth_aws::access::Access;
use berth_domain::wiring::Ports;
use serde::Serialize;

use crate::runtime::Handler;
use crate::{events, http, stack, tasks};

/// What invokes a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Trigger {
    /// An HTTP API route; `auth` routes sit behind the JWT authorizer.
    Http {
        method: &'static str,
        path: &'static str,
        auth: bool,
    },
    /// A Task state of the booking state machine, by the definition
    /// substitution that names its ARN.
    Task { substitution: &'static str },
    /// An SQS queue, with partial batch failures.
    Queue { queue: &'static str },
    /// The outbox table's DynamoDB stream.
    OutboxStream,
    /// A CloudFormation custom resource the stack runs on deploy: its
    /// resource in template.yaml.
    Deploy { resource: &'static str },
    /// An EventBridge Scheduler schedule: its resource in template.yaml and
    /// its rate.
    Schedule {
        schedule: &'static str,
        expression: &'static str,
    },
}

/// How a function's handler is built: one builder (a module's `build`),
/// over either source of ports.
#[derive(Debug, Clone, Copy)]
pub struct Build {
    /// Over the AWS adapters, from the function's environment.
    pub aws: fn(&AwsSource) -> anyhow::Result<Handler>,
    /// Over ports built already: the local platform's.
    pub embedded: fn(&Ports) -> anyhow::Result<Handler>,
}

#[derive(Debug, Clone, Copy)]
pub struct Function {
    /// The binary's name, the function's name stem, its sample event's name.
    pub name: &'static str,
    /// Its resource in template.yaml.
    pub logical_id: &'static str,
    pub trigger: Trigger,
    pub build: Build,
}

/// Both of a module's builders: `built_by!(http::get_me)`.
macro_rules! built_by {
    ($($module:ident)::+) => {
        Build {
            aws: $($module)::+::build,
            embedded: $($module)::+::build,
        }
    };
}

const PUBLIC: bool = false;
const SIGNED_IN: bool = true;

const fn route(method: &'static str, path: &'static str, auth: bool) -> Trigger {
    Trigger::Http { method, path, auth }
}

const fn task(substitution: &'static str) -> Trigger {
    Trigger::Task { substitution }
}

const fn queue(queue: &'static str) -> Trigger {
    Trigger::Queue { queue }
}

pub const HEALTH: Function = Function {
    name: "health",
    logical_id: "HealthFunction",
    trigger: route("GET", "/health", PUBLIC),
    build: built_by!(http::health),
};

pub const CREATE_PROPERTY: Function = Function {
    name: "create-property",
    logical_id: "CreatePropertyFunction",
    trigger: route("POST", "/properties", SIGNED_IN),
    build: built_by!(http::create_property),
};

pub const GET_PROPERTY: Function = Function {
    name: "get-property",
    logical_id: "GetPropertyFunction",
    trigger: route("GET", "/properties/{id}", PUBLIC),
    build: built_by!(http::get_property),
};

pub const LIST_MY_PROPERTIES: Function = Function {
    name: "list-my-properties",
    logical_id: "ListMyPropertiesFunction",
    trigger: route("GET", "/me/properties", SIGNED_IN),
    build: built_by!(http::list_my_properties),
};

pub const UPDATE_PROPERTY: Function = Function {
    name: "update-property",
    logical_id: "UpdatePropertyFunction",
    trigger: route("PATCH", "/properties/{id}", SIGNED_IN),
    build: built_by!(http::update_property),
};

pub const GET_PRICING: Function = Function {
    name: "get-pricing",
    logical_id: "GetPricingFunction",
    trigger: route("GET", "/properties/{id}/pricing", PUBLIC),
    build: built_by!(http::get_pricing),
};

pub const PUT_PRICING: Function = Function {
    name: "put-pricing",
    logical_id: "PutPricingFunction",
    trigger: route("PUT", "/properties/{id}/pricing", SIGNED_IN),
    build: built_by!(http::put_pricing),
};

pub const SET_CALENDAR: Function = Function {
    name: "set-calendar",
    logical_id: "SetCalendarFunction",
    trigger: route("PUT", "/properties/{id}/calendar", SIGNED_IN),
    build: built_by!(http::set_calendar),
};

pub const GET_CALENDAR: Function = Function {
    name: "get-calendar",
    logical_id: "GetCalendarFunction",
    trigger: route("GET", "/properties/{id}/calendar", SIGNED_IN),
    build: built_by!(http::get_calendar),
};

pub const GET_AVAILABILITY: Function = Function {
    name: "get-availability",
    logical_id: "GetAvailabilityFunction",
    trigger: route("GET", "/properties/{id}/availability", PUBLIC),
    build: built_by!(http::get_availability),
};

pub const CREATE_QUOTE: Function = Function {
    name: "create-quote",
    logical_id: "CreateQuoteFunction",
    trigger: route("POST", "/quotes", PUBLIC),
    build: built_by!(http::create_quote),
};

pub const CREATE_BOOKING: Function = Function {
    name: "create-booking",
    logical_id: "CreateBookingFunction",
    trigger: route("POST", "/bookings", SIGNED_IN),
    build: built_by!(http::create_booking),
};

pub const GET_BOOKING: Function = Function {
    name: "get-booking",
    logical_id: "GetBookingFunction",
    trigger: route("GET", "/bookings/{id}", SIGNED_IN),
    build: built_by!(http::get_booking),
};

pub const LIST_BOOKINGS: Function = Function {
    name: "list-bookings",
    logical_id: "ListBookingsFunction",
    trigger: route("GET", "/bookings", SIGNED_IN),
    build: built_by!(http::list_bookings),
};

pub const CANCEL_BOOKING: Function = Function {
    name: "cancel-booking",
    logical_id: "CancelBookingFunction",
    trigger: route("POST", "/bookings/{id}/cancel", SIGNED_IN),
    build: built_by!(http::cancel_booking),
};

pub const GET_ME: Function = Function {
    name: "get-me",
    logical_id: "GetMeFunction",
    trigger: route("GET", "/me", SIGNED_IN),
    build: built_by!(http::get_me),
};

pub const PUT_PREFERENCES: Function = Function {
    name: "put-preferences",
    logical_id: "PutPreferencesFunction",
    trigger: route("PUT", "/me/preferences", SIGNED_IN),
    build: built_by!(http::put_preferences),
};

pub const DELETE_ME: Function = Function {
    name: "delete-me",
    logical_id: "DeleteMeFunction",
    trigger: route("DELETE", "/me", SIGNED_IN),
    build: built_by!(http::delete_me),
};

pub const EARNINGS_REPORT: Function = Function {
    name: "earnings-report",
    logical_id: "EarningsReportFunction",
    trigger: route("GET", "/reports/earnings", SIGNED_IN),
    build: built_by!(http::earnings_report),
};

pub const QUOTE_STAY: Function = Function {
    name: "quote-stay",
    logical_id: "QuoteStayFunction",
    trigger: task("QuoteStayFunctionArn"),
    build: built_by!(tasks::quote_stay),
};

pub const RESERVE_NIGHTS: Function = Function {
    name: "reserve-nights",
    logical_id: "ReserveNightsFunction",
    trigger: task("ReserveNightsFunctionArn"),
    build: built_by!(tasks::reserve_nights),
};

pub const CHARGE_PAYMENT: Function = Function {
    name: "charge-payment",
    logical_id: "ChargePaymentFunction",
    trigger: task("ChargePaymentFunctionArn"),
    build: built_by!(tasks::charge_payment),
};

pub const CONFIRM_BOOKING: Function = Function {
    name: "confirm-booking",
    logical_id: "ConfirmBookingFunction",
    trigger: task("ConfirmBookingFunctionArn"),
    build: built_by!(tasks::confirm_booking),
};

pub const REFUND_PAYMENT: Function = Function {
    name: "refund-payment",
    logical_id: "RefundPaymentFunction",
    trigger: task("RefundPaymentFunctionArn"),
    build: built_by!(tasks::refund_payment),
};

pub const RELEASE_NIGHTS: Function = Function {
    name: "release-nights",
    logical_id: "ReleaseNightsFunction",
    trigger: task("ReleaseNightsFunctionArn"),
    build: built_by!(tasks::release_nights),
};

pub const FAIL_BOOKING: Function = Function {
    name: "fail-booking",
    logical_id: "FailBookingFunction",
    trigger: task("FailBookingFunctionArn"),
    build: built_by!(tasks::fail_booking),
};

pub const PUBLISH_EVENTS: Function = Function {
    name: "publish-events",
    logical_id: "PublishEventsFunction",
    trigger: Trigger::OutboxStream,
    build: built_by!(events::publish_events),
};

pub const RECORD_LEDGER: Function = Function {
    name: "record-ledger",
    logical_id: "RecordLedgerFunction",
    trigger: queue("LedgerQueue"),
    build: built_by!(events::record_ledger),
};

pub const APPEND_AUDIT: Function = Function {
    name: "append-audit",
    logical_id: "AppendAuditFunction",
    trigger: queue("AuditQueue"),
    build: built_by!(events::append_audit),
};

pub const QUEUE_NOTIFICATIONS: Function = Function {
    name: "queue-notifications",
    logical_id: "QueueNotificationsFunction",
    trigger: queue("NotificationEventsQueue"),
    build: built_by!(events::queue_notifications),
};

pub const SEND_NOTIFICATIONS: Function = Function {
    name: "send-notifications",
    logical_id: "SendNotificationsFunction",
    trigger: queue("NotificationsQueue"),
    build: built_by!(events::send_notifications),
};

pub const ERASE_USER: Function = Function {
    name: "erase-user",
    logical_id: "EraseUserFunction",
    trigger: queue("ErasureQueue"),
    build: built_by!(events::erase_user),
};

pub const LEARN_SIGNALS: Function = Function {
    name: "learn-signals",
    logical_id: "LearnSignalsFunction",
    trigger: queue("SignalsQueue"),
    build: built_by!(events::learn_signals),
};

pub const SWEEP_HOLDS: Function = Function {
    name: "sweep-holds",
    logical_id: "SweepHoldsFunction",
    trigger: Trigger::Schedule {
        schedule: "SweepHoldsSchedule",
        expression: "rate(1 minute)",
    },
    build: built_by!(events::sweep_holds),
};

pub const RECONCILE_PAYMENTS: Function = Function {
    name: "reconcile-payments",
    logical_id: "ReconcilePaymentsFunction",
    trigger: Trigger::Schedule {
        schedule: "ReconcilePaymentsSchedule",
        expression: "rate(15 minutes)",
    },
    build: built_by!(events::reconcile_payments),
};

pub const GET_CALENDAR_EXPORT: Function = Function {
    name: "get-calendar-export",
    logical_id: "GetCalendarExportFunction",
    trigger: route("GET", "/properties/{id}/calendar/export", SIGNED_IN),
    build: built_by!(http::get_calendar_export),
};

pub const ROTATE_CALENDAR_EXPORT: Function = Function {
    name: "rotate-calendar-export",
    logical_id: "RotateCalendarExportFunction",
    trigger: route("POST", "/properties/{id}/calendar/export/rotate", SIGNED_IN),
    build: built_by!(http::rotate_calendar_export),
};

pub const GET_CALENDAR_ICS: Function = Function {
    name: "get-calendar-ics",
    logical_id: "GetCalendarIcsFunction",
    trigger: route("GET", "/properties/{id}/calendar.ics", PUBLIC),
    build: built_by!(http::get_calendar_ics),
};

pub const ADD_CALENDAR_FEED: Function = Function {
    name: "add-calendar-feed",
    logical_id: "AddCalendarFeedFunction",
    trigger: route("POST", "/properties/{id}/calendar/feeds", SIGNED_IN),
    build: built_by!(http::add_calendar_feed),
};

pub const LIST_CALENDAR_FEEDS: Function = Function {
    name: "list-calendar-feeds",
    logical_id: "ListCalendarFeedsFunction",
    trigger: route("GET", "/properties/{id}/calendar/feeds", SIGNED_IN),
    build: built_by!(http::list_calendar_feeds),
};

pub const DELETE_CALENDAR_FEED: Function = Function {
    name: "delete-calendar-feed",
    logical_id: "DeleteCalendarFeedFunction",
    trigger: route(
        "DELETE",
        "/properties/{id}/calendar/feeds/{feed_id}",
        SIGNED_IN,
    ),
    build: built_by!(http::delete_calendar_feed),
};

pub const SYNC_CALENDAR_FEED: Function = Function {
    name: "sync-calendar-feed",
    logical_id: "SyncCalendarFeedFunction",
    trigger: route(
        "POST",
        "/properties/{id}/calendar/feeds/{feed_id}/sync",
        SIGNED_IN,
    ),
    build: built_by!(http::sync_calendar_feed),
};

pub const LIST_CALENDAR_CONFLICTS: Function = Function {
    name: "list-calendar-conflicts",
    logical_id: "ListCalendarConflictsFunction",
    trigger: route("GET", "/properties/{id}/calendar/conflicts", SIGNED_IN),
    build: built_by!(http::list_calendar_conflicts),
};

pub const SYNC_CALENDAR_FEEDS: Function = Function {
    name: "sync-calendar-feeds",
    logical_id: "SyncCalendarFeedsFunction",
    trigger: Trigger::Schedule {
        schedule: "SyncCalendarFeedsSchedule",
        expression: "rate(15 minutes)",
    },
    build: built_by!(events::sync_calendar_feeds),
};

/// Hourly, well inside the search feed's 48 h retention (template.yaml,
/// `SearchEventsStream`): a replica replays at most an hour, and a day of
/// failed runs still leaves the stream holding what the last snapshot lacks.
pub const PUBLISH_SEARCH_SNAPSHOT: Function = Function {
    name: "publish-search-snapshot",
    logical_id: "PublishSearchSnapshotFunction",
    trigger: Trigger::Schedule {
        schedule: "PublishSearchSnapshotSchedule",
        expression: "rate(1 hour)",
    },
    build: built_by!(events::publish_search_snapshot),
};

pub const MIGRATE_LEDGER: Function = Function {
    name: "migrate-ledger",
    logical_id: "MigrateLedgerFunction",
    trigger: Trigger::Deploy {
        resource: "LedgerSchema",
    },
    build: built_by!(stack::migrate_ledger),
};

pub const FUNCTIONS: &[Function] = &[
    HEALTH,
    CREATE_PROPERTY,
    GET_PROPERTY,
    LIST_MY_PROPERTIES,
    UPDATE_PROPERTY,
    GET_PRICING,
    PUT_PRICING,
    SET_CALENDAR,
    GET_CALENDAR,
    GET_AVAILABILITY,
    CREATE_QUOTE,
    CREATE_BOOKING,
    GET_BOOKING,
    LIST_BOOKINGS,
    CANCEL_BOOKING,
    GET_ME,
    PUT_PREFERENCES,
    DELETE_ME,
    EARNINGS_REPORT,
    QUOTE_STAY,
    RESERVE_NIGHTS,
    CHARGE_PAYMENT,
    CONFIRM_BOOKING,
    REFUND_PAYMENT,
    RELEASE_NIGHTS,
    FAIL_BOOKING,
    PUBLISH_EVENTS,
    RECORD_LEDGER,
    MIGRATE_LEDGER,
    APPEND_AUDIT,
    QUEUE_NOTIFICATIONS,
    SEND_NOTIFICATIONS,
    LEARN_SIGNALS,
    ERASE_USER,
    SWEEP_HOLDS,
    RECONCILE_PAYMENTS,
    GET_CALENDAR_EXPORT,
    ROTATE_CALENDAR_EXPORT,
    GET_CALENDAR_ICS,
    ADD_CALENDAR_FEED,
    LIST_CALENDAR_FEEDS,
    DELETE_CALENDAR_FEED,
    SYNC_CALENDAR_FEED,
    LIST_CALENDAR_CONFLICTS,
    SYNC_CALENDAR_FEEDS,
    PUBLISH_SEARCH_SNAPSHOT,
];

/// Every port `function`'s builder asks the AWS source for, each with the
/// IAM actions and environment variables it needs; built offline, so no
/// AWS call is made.
pub fn accessed(function: &Function) -> anyhow::Result<Vec<Access>> {
    let source = AwsSource::offline();
    (function.build.aws)(&source)?;
    Ok(source.accessed())
}

/// The function named `name`, if Berth has one.
pub fn function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_routes_are_unique() {
        let mut names: Vec<_> = FUNCTIONS.iter().map(|f| f.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FUNCTIONS.len());
        let mut routes: Vec<_> = FUNCTIONS
            .iter()
            .filter_map(|f| match f.trigger {
                Trigger::Http { method, path, .. } => Some((method, path)),
                _ => None,
            })
            .collect();
        let count = routes.len();
        routes.sort_unstable();
        routes.dedup();
        assert_eq!(routes.len(), count);
    }

    #[test]
    fn every_function_builds_over_the_aws_source_offline() {
        for f in FUNCTIONS {
            let accessed = accessed(f).unwrap_or_else(|e| panic!("{}: {e:#}", f.name));
            assert_eq!(accessed.is_empty(), f.name == "health", "{}", f.name);
        }
    }

    #[test]
    fn a_missing_variable_fails_the_build_by_name() {
        let source = AwsSource::new(berth_aws::AwsConfig::new(
            berth_aws::config::emulator_sdk_config("http://127.0.0.1:9"),
            berth_aws::Environment::from_pairs([("BOOKINGS_TABLE", "b")]),
        ));
        let error = (CREATE_BOOKING.build.aws)(&source)
            .err()
            .expect("a missing variable");
        assert_eq!(
            error.to_string(),
            "missing environment variable PROPERTIES_TABLE"
        );
    }
}
