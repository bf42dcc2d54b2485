//! Every function of the catalogue, built over the platform's ports and
//! callable two ways: HTTP functions take a `lambda_http::Request` straight
//! from the server, and every function takes its Lambda event as JSON and
//! answers JSON or an error (what `Invoke` does in AWS).

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use berth_asl::TaskFailure;
use berth_domain::ports::*;
use berth_domain::reservations::RequestTimes;
use berth_functions::catalogue::{FUNCTIONS, Trigger};
use berth_functions::events::{
    append_audit, learn_signals, publish_events, queue_notifications, reconcile_payments,
    record_ledger, send_notifications, sweep_holds,
};
use berth_functions::http::*;
use berth_functions::stack::migrate_ledger;
use berth_functions::tasks::*;
use futures::future::BoxFuture;
use lambda_http::{Body, Request, Response};
use lambda_runtime::{Context, Diagnostic, LambdaEvent};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The ports a platform offers its functions.
#[derive(Clone)]
pub struct Ports {
    pub property_reader: Arc<dyn PropertyReader>,
    pub property_writer: Arc<dyn PropertyWriter>,
    pub calendar_reader: Arc<dyn CalendarReader>,
    pub calendar_writer: Arc<dyn CalendarWriter>,
    pub booking_reader: Arc<dyn BookingReader>,
    pub requests: Arc<dyn BookingRequests>,
    pub changes: Arc<dyn BookingChanges>,
    pub abandoned: Arc<dyn AbandonedBookings>,
    pub workflow: Arc<dyn BookingWorkflow>,
    pub gateway: Arc<dyn PaymentGateway>,
    pub ledger: Arc<dyn Ledger>,
    pub ledger_migrations: Arc<dyn LedgerMigrations>,
    /// Where custom resources answer the stack; the local platform has none.
    pub stack_replies: Arc<dyn berth_functions::stack::Replies>,
    pub audit: Arc<dyn AuditLog>,
    pub notifier: Arc<dyn Notifier>,
    pub notification_queue: Arc<dyn NotificationQueue>,
    pub profiles: Arc<dyn Profiles>,
    pub signals: Arc<dyn SignalStore>,
    pub publisher: Arc<dyn EventPublisher>,
    pub clock: Arc<dyn Clock>,
    pub times: RequestTimes,
}

pub type HttpFn = Arc<dyn Fn(Request) -> BoxFuture<'static, Response<Body>> + Send + Sync>;
pub type JsonFn =
    Arc<dyn Fn(Value) -> BoxFuture<'static, Result<Value, TaskFailure>> + Send + Sync>;

pub struct Functions {
    pub http: HashMap<&'static str, HttpFn>,
    pub json: HashMap<&'static str, JsonFn>,
}

/// An HTTP handler over its deps, as the server calls it.
fn http_fn<D, F, Fut>(deps: D, handle: F) -> HttpFn
where
    D: Send + Sync + 'static,
    F: Fn(Arc<D>, Request) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Response<Body>, lambda_http::Error>> + Send + 'static,
{
    let deps = Arc::new(deps);
    Arc::new(move |request| {
        let answer = handle(deps.clone(), request);
        Box::pin(async move {
            answer.await.unwrap_or_else(|error| {
                tracing::error!(error = %error, "an HTTP function failed");
                let mut response =
                    Response::new(Body::Text(r#"{"message":"Internal Server Error"}"#.into()));
                *response.status_mut() = lambda_http::http::StatusCode::INTERNAL_SERVER_ERROR;
                response
            })
        })
    })
}

/// Any Lambda handler over its deps, as Invoke calls it: JSON in, JSON out,
/// or the error type and message Lambda would report.
fn json_fn<D, E, T, R, F, Fut>(deps: D, handle: F) -> JsonFn
where
    D: Send + Sync + 'static,
    E: DeserializeOwned + Send + 'static,
    R: Serialize,
    T: Into<Diagnostic>,
    F: Fn(Arc<D>, LambdaEvent<E>) -> Fut + Send + Sync + 'static + Clone,
    Fut: Future<Output = Result<R, T>> + Send + 'static,
{
    let deps = Arc::new(deps);
    Arc::new(move |input| {
        let deps = deps.clone();
        let handle = handle.clone();
        Box::pin(async move {
            let payload: E = serde_json::from_value(input)
                .map_err(|e| TaskFailure::new("Runtime.UnmarshalError", e.to_string()))?;
            match handle(deps, LambdaEvent::new(payload, Context::default())).await {
                Ok(output) => serde_json::to_value(output)
                    .map_err(|e| TaskFailure::new("Runtime.MarshalError", e.to_string())),
                Err(error) => {
                    let diagnostic: Diagnostic = error.into();
                    Err(TaskFailure::new(
                        diagnostic.error_type,
                        diagnostic.error_message,
                    ))
                }
            }
        })
    })
}

/// An HTTP function invoked with its API Gateway event as JSON: answers the
/// HTTP API's response shape.
fn http_as_json(function: HttpFn) -> JsonFn {
    Arc::new(move |event| {
        let function = function.clone();
        Box::pin(async move {
            let request = lambda_http::request::from_str(&event.to_string())
                .map_err(|e| TaskFailure::new("Runtime.UnmarshalError", e.to_string()))?;
            Ok(super::gateway::response_json(function(request).await))
        })
    })
}

macro_rules! http {
    ($module:ident, $deps:expr) => {
        http_fn($deps, |deps, request| async move {
            $module::handle(&deps, request).await
        })
    };
}

macro_rules! lambda {
    ($module:path, $deps:expr) => {
        json_fn($deps, |deps, event| async move {
            use $module as m;
            m::handle(&deps, event).await
        })
    };
}

impl Functions {
    pub fn new(p: &Ports) -> Self {
        let clock = || p.clock.clone();
        let mut http: HashMap<&'static str, HttpFn> = HashMap::new();
        http.insert(
            "health",
            Arc::new(|request| {
                Box::pin(async move { health::handle(request).await.unwrap_or_default() })
            }),
        );
        http.insert(
            "create-property",
            http!(
                create_property,
                create_property::Deps {
                    properties: p.property_writer.clone(),
                    clock: clock()
                }
            ),
        );
        http.insert(
            "get-property",
            http!(
                get_property,
                get_property::Deps {
                    properties: p.property_reader.clone()
                }
            ),
        );
        http.insert(
            "update-property",
            http!(
                update_property,
                update_property::Deps {
                    reader: p.property_reader.clone(),
                    writer: p.property_writer.clone(),
                    clock: clock(),
                }
            ),
        );
        http.insert(
            "set-calendar",
            http!(
                set_calendar,
                set_calendar::Deps {
                    properties: p.property_reader.clone(),
                    nights: p.calendar_reader.clone(),
                    calendar: p.calendar_writer.clone(),
                    clock: clock(),
                }
            ),
        );
        http.insert(
            "get-availability",
            http!(
                get_availability,
                get_availability::Deps {
                    properties: p.property_reader.clone(),
                    nights: p.calendar_reader.clone(),
                    clock: clock(),
                }
            ),
        );
        http.insert(
            "create-quote",
            http!(
                create_quote,
                create_quote::Deps {
                    properties: p.property_reader.clone(),
                    clock: clock()
                }
            ),
        );
        http.insert(
            "create-booking",
            http!(
                create_booking,
                create_booking::Deps {
                    properties: p.property_reader.clone(),
                    requests: p.requests.clone(),
                    workflow: p.workflow.clone(),
                    clock: clock(),
                    times: p.times,
                }
            ),
        );
        http.insert(
            "get-booking",
            http!(
                get_booking,
                get_booking::Deps {
                    bookings: p.booking_reader.clone()
                }
            ),
        );
        http.insert(
            "list-bookings",
            http!(
                list_bookings,
                list_bookings::Deps {
                    bookings: p.booking_reader.clone()
                }
            ),
        );
        http.insert(
            "cancel-booking",
            http!(
                cancel_booking,
                cancel_booking::Deps {
                    bookings: p.booking_reader.clone(),
                    changes: p.changes.clone(),
                    gateway: p.gateway.clone(),
                    clock: clock(),
                }
            ),
        );
        http.insert(
            "get-me",
            http!(
                get_me,
                get_me::Deps {
                    profiles: p.profiles.clone(),
                    signals: p.signals.clone()
                }
            ),
        );
        http.insert(
            "put-preferences",
            http!(
                put_preferences,
                put_preferences::Deps {
                    profiles: p.profiles.clone(),
                    clock: clock()
                }
            ),
        );
        http.insert(
            "delete-me",
            http!(
                delete_me,
                delete_me::Deps {
                    profiles: p.profiles.clone(),
                    clock: clock()
                }
            ),
        );
        http.insert(
            "earnings-report",
            http!(
                earnings_report,
                earnings_report::Deps {
                    ledger: p.ledger.clone()
                }
            ),
        );

        let mut json: HashMap<&'static str, JsonFn> = HashMap::new();
        json.insert(
            "quote-stay",
            lambda!(
                quote_stay,
                quote_stay::Deps {
                    bookings: p.booking_reader.clone(),
                    properties: p.property_reader.clone()
                }
            ),
        );
        json.insert(
            "reserve-nights",
            lambda!(
                reserve_nights,
                reserve_nights::Deps {
                    bookings: p.booking_reader.clone(),
                    changes: p.changes.clone(),
                    clock: clock(),
                    hold: p.times.hold,
                }
            ),
        );
        json.insert(
            "charge-payment",
            lambda!(
                charge_payment,
                charge_payment::Deps {
                    bookings: p.booking_reader.clone(),
                    changes: p.changes.clone(),
                    gateway: p.gateway.clone(),
                    clock: clock(),
                }
            ),
        );
        json.insert(
            "confirm-booking",
            lambda!(
                confirm_booking,
                confirm_booking::Deps {
                    bookings: p.booking_reader.clone(),
                    changes: p.changes.clone(),
                    clock: clock(),
                }
            ),
        );
        json.insert(
            "refund-payment",
            lambda!(
                refund_payment,
                refund_payment::Deps {
                    bookings: p.booking_reader.clone(),
                    changes: p.changes.clone(),
                    gateway: p.gateway.clone(),
                    clock: clock(),
                }
            ),
        );
        json.insert(
            "release-nights",
            lambda!(
                release_nights,
                release_nights::Deps {
                    bookings: p.booking_reader.clone(),
                    changes: p.changes.clone()
                }
            ),
        );
        json.insert(
            "fail-booking",
            lambda!(
                fail_booking,
                fail_booking::Deps {
                    bookings: p.booking_reader.clone(),
                    changes: p.changes.clone(),
                    clock: clock(),
                }
            ),
        );
        json.insert(
            "publish-events",
            lambda!(
                publish_events,
                publish_events::Deps {
                    publisher: p.publisher.clone()
                }
            ),
        );
        json.insert(
            "record-ledger",
            lambda!(
                record_ledger,
                record_ledger::Deps {
                    ledger: p.ledger.clone()
                }
            ),
        );
        json.insert(
            "append-audit",
            lambda!(
                append_audit,
                append_audit::Deps {
                    audit: p.audit.clone()
                }
            ),
        );
        json.insert(
            "queue-notifications",
            lambda!(
                queue_notifications,
                queue_notifications::Deps {
                    queue: p.notification_queue.clone()
                }
            ),
        );
        json.insert(
            "send-notifications",
            lambda!(
                send_notifications,
                send_notifications::Deps {
                    notifier: p.notifier.clone()
                }
            ),
        );
        json.insert(
            "learn-signals",
            lambda!(
                learn_signals,
                learn_signals::Deps {
                    properties: p.property_reader.clone(),
                    signals: p.signals.clone()
                }
            ),
        );
        json.insert(
            "sweep-holds",
            lambda!(
                sweep_holds,
                sweep_holds::Deps {
                    abandoned: p.abandoned.clone(),
                    bookings: p.booking_reader.clone(),
                    changes: p.changes.clone(),
                    gateway: p.gateway.clone(),
                    clock: clock(),
                }
            ),
        );
        json.insert(
            "reconcile-payments",
            lambda!(
                reconcile_payments,
                reconcile_payments::Deps {
                    gateway: p.gateway.clone(),
                    bookings: p.booking_reader.clone(),
                    changes: p.changes.clone(),
                    clock: clock(),
                }
            ),
        );
        json.insert(
            "migrate-ledger",
            lambda!(
                migrate_ledger,
                migrate_ledger::Deps {
                    ledger: p.ledger_migrations.clone(),
                    replies: p.stack_replies.clone(),
                }
            ),
        );
        for (name, function) in &http {
            json.insert(name, http_as_json(function.clone()));
        }
        Self { http, json }
    }

    /// The function a workflow Task resource names, if any.
    pub fn task_for_substitution(substitution: &str) -> Option<&'static str> {
        FUNCTIONS.iter().find_map(|f| match f.trigger {
            Trigger::Task { substitution: s } if s == substitution => Some(f.name),
            _ => None,
        })
    }
}
