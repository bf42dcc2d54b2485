//! Every function Berth deploys, and what triggers it. The local platform
//! wires itself from this list, and a test holds it, `template.yaml`,
//! `src/bin/` and `events/` in step.

/// What invokes a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Function {
    /// The binary's name and the function's name stem.
    pub name: &'static str,
    /// Its resource in template.yaml.
    pub logical_id: &'static str,
    pub trigger: Trigger,
}

const fn http(
    name: &'static str,
    logical_id: &'static str,
    method: &'static str,
    path: &'static str,
    auth: bool,
) -> Function {
    Function {
        name,
        logical_id,
        trigger: Trigger::Http { method, path, auth },
    }
}

const fn task(
    name: &'static str,
    logical_id: &'static str,
    substitution: &'static str,
) -> Function {
    Function {
        name,
        logical_id,
        trigger: Trigger::Task { substitution },
    }
}

const fn scheduled(
    name: &'static str,
    logical_id: &'static str,
    schedule: &'static str,
    expression: &'static str,
) -> Function {
    Function {
        name,
        logical_id,
        trigger: Trigger::Schedule {
            schedule,
            expression,
        },
    }
}

const fn consumer(name: &'static str, logical_id: &'static str, queue: &'static str) -> Function {
    Function {
        name,
        logical_id,
        trigger: Trigger::Queue { queue },
    }
}

pub const FUNCTIONS: &[Function] = &[
    http("health", "HealthFunction", "GET", "/health", false),
    http(
        "create-property",
        "CreatePropertyFunction",
        "POST",
        "/properties",
        true,
    ),
    http(
        "get-property",
        "GetPropertyFunction",
        "GET",
        "/properties/{id}",
        false,
    ),
    http(
        "update-property",
        "UpdatePropertyFunction",
        "PATCH",
        "/properties/{id}",
        true,
    ),
    http(
        "set-calendar",
        "SetCalendarFunction",
        "PUT",
        "/properties/{id}/calendar",
        true,
    ),
    http(
        "get-availability",
        "GetAvailabilityFunction",
        "GET",
        "/properties/{id}/availability",
        false,
    ),
    http(
        "create-quote",
        "CreateQuoteFunction",
        "POST",
        "/quotes",
        false,
    ),
    http(
        "create-booking",
        "CreateBookingFunction",
        "POST",
        "/bookings",
        true,
    ),
    http(
        "get-booking",
        "GetBookingFunction",
        "GET",
        "/bookings/{id}",
        true,
    ),
    http(
        "list-bookings",
        "ListBookingsFunction",
        "GET",
        "/bookings",
        true,
    ),
    http(
        "cancel-booking",
        "CancelBookingFunction",
        "POST",
        "/bookings/{id}/cancel",
        true,
    ),
    http("get-me", "GetMeFunction", "GET", "/me", true),
    http(
        "put-preferences",
        "PutPreferencesFunction",
        "PUT",
        "/me/preferences",
        true,
    ),
    http("delete-me", "DeleteMeFunction", "DELETE", "/me", true),
    http(
        "earnings-report",
        "EarningsReportFunction",
        "GET",
        "/reports/earnings",
        true,
    ),
    task("quote-stay", "QuoteStayFunction", "QuoteStayFunctionArn"),
    task(
        "reserve-nights",
        "ReserveNightsFunction",
        "ReserveNightsFunctionArn",
    ),
    task(
        "charge-payment",
        "ChargePaymentFunction",
        "ChargePaymentFunctionArn",
    ),
    task(
        "confirm-booking",
        "ConfirmBookingFunction",
        "ConfirmBookingFunctionArn",
    ),
    task(
        "refund-payment",
        "RefundPaymentFunction",
        "RefundPaymentFunctionArn",
    ),
    task(
        "release-nights",
        "ReleaseNightsFunction",
        "ReleaseNightsFunctionArn",
    ),
    task(
        "fail-booking",
        "FailBookingFunction",
        "FailBookingFunctionArn",
    ),
    Function {
        name: "publish-events",
        logical_id: "PublishEventsFunction",
        trigger: Trigger::OutboxStream,
    },
    consumer("record-ledger", "RecordLedgerFunction", "LedgerQueue"),
    Function {
        name: "migrate-ledger",
        logical_id: "MigrateLedgerFunction",
        trigger: Trigger::Deploy {
            resource: "LedgerSchema",
        },
    },
    consumer("append-audit", "AppendAuditFunction", "AuditQueue"),
    consumer(
        "queue-notifications",
        "QueueNotificationsFunction",
        "NotificationEventsQueue",
    ),
    consumer(
        "send-notifications",
        "SendNotificationsFunction",
        "NotificationsQueue",
    ),
    consumer("learn-signals", "LearnSignalsFunction", "SignalsQueue"),
    scheduled(
        "sweep-holds",
        "SweepHoldsFunction",
        "SweepHoldsSchedule",
        "rate(1 minute)",
    ),
    scheduled(
        "reconcile-payments",
        "ReconcilePaymentsFunction",
        "ReconcilePaymentsSchedule",
        "rate(15 minutes)",
    ),
];

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
}
