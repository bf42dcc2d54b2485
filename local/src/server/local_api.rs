//! The local platform's own API under `/local`: what a developer (or a test)
//! needs that AWS does through its consoles and services — tokens, workflow
//! histories, the clock, payment faults and records, notifications, queues,
//! and running the sweeper now.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use berth_asl::CallbackError;
use berth_domain::ids::{BookingId, UserId};
use berth_embedded::PaymentFaults;
use berth_functions::api::Problem;
use serde::Deserialize;
use serde_json::json;

use super::{App, problem};
use crate::platform::scheduler::scheduled_event;
use crate::platform::topology::{QUEUES, SWEEP_SCHEDULE};

pub fn router() -> Router<Arc<App>> {
    Router::new()
        .route("/local/token", post(token))
        .route("/local/executions/{id}", get(execution))
        .route("/local/tasks/success", post(task_success))
        .route("/local/tasks/failure", post(task_failure))
        .route("/local/tasks/heartbeat", post(task_heartbeat))
        .route("/local/clock", get(clock).post(advance_clock))
        .route("/local/faults", get(faults).put(set_faults))
        .route("/local/payments", get(payments))
        .route("/local/notifications", get(notifications))
        .route("/local/audit/{booking_id}", get(audit))
        .route("/local/queues", get(queues))
        .route("/local/schedules/sweep-holds", post(sweep_now))
}

fn bad_request(detail: impl Into<String>) -> Response {
    problem(Problem::new(
        StatusCode::BAD_REQUEST,
        "invalid-request",
        "Invalid request",
        detail,
    ))
}

fn internal(error: anyhow::Error) -> Response {
    problem(Problem::internal(&error))
}

/// Parses a JSON body, answering 400 problem+json (not axum's text) when it is bad.
fn body<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(bytes).map_err(|e| Box::new(bad_request(format!("body: {e}"))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenRequest {
    sub: String,
    #[serde(default)]
    groups: Vec<String>,
}

async fn token(State(app): State<Arc<App>>, bytes: axum::body::Bytes) -> Response {
    let request: TokenRequest = match body(&bytes) {
        Ok(request) => request,
        Err(response) => return *response,
    };
    if let Err(e) = UserId::parse(&request.sub) {
        return bad_request(e.to_string());
    }
    if let Some(group) = request
        .groups
        .iter()
        .find(|g| !matches!(g.as_str(), "hosts" | "admins"))
    {
        return bad_request(format!("groups: unknown group {group:?} (hosts, admins)"));
    }
    match app.auth.issue(&request.sub, &request.groups) {
        Ok(token) => Json(json!({"token": token})).into_response(),
        Err(error) => internal(error),
    }
}

async fn execution(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match app.platform.executor.describe(&id).await {
        Ok(Some(record)) => Json(record).into_response(),
        Ok(None) => problem(Problem::not_found(format!("no execution named {id}"))),
        Err(error) => internal(anyhow::anyhow!("{error}")),
    }
}

/// SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat, with the field
/// names of the Step Functions API (`output` is JSON text, as there).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct TaskCallback {
    task_token: String,
    #[serde(default)]
    output: Option<String>,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    cause: Option<String>,
}

async fn task_success(State(app): State<Arc<App>>, bytes: axum::body::Bytes) -> Response {
    let callback: TaskCallback = match body(&bytes) {
        Ok(callback) => callback,
        Err(response) => return *response,
    };
    let Some(output) = callback.output.as_deref() else {
        return bad_request("output: required, the task's result as JSON text");
    };
    let sent = app
        .platform
        .executor
        .send_task_success(&callback.task_token, output);
    callback_answer(sent)
}

async fn task_failure(State(app): State<Arc<App>>, bytes: axum::body::Bytes) -> Response {
    let callback: TaskCallback = match body(&bytes) {
        Ok(callback) => callback,
        Err(response) => return *response,
    };
    let sent = app.platform.executor.send_task_failure(
        &callback.task_token,
        callback.error.as_deref().unwrap_or_default(),
        callback.cause.as_deref().unwrap_or_default(),
    );
    callback_answer(sent)
}

async fn task_heartbeat(State(app): State<Arc<App>>, bytes: axum::body::Bytes) -> Response {
    let callback: TaskCallback = match body(&bytes) {
        Ok(callback) => callback,
        Err(response) => return *response,
    };
    callback_answer(
        app.platform
            .executor
            .send_task_heartbeat(&callback.task_token),
    )
}

fn callback_answer(sent: Result<(), CallbackError>) -> Response {
    match sent {
        Ok(()) => Json(json!({})).into_response(),
        Err(CallbackError::TaskDoesNotExist(_)) => problem(Problem::not_found(
            "taskToken: no task is waiting for this token",
        )),
        Err(CallbackError::InvalidOutput(reason)) => bad_request(format!("output: {reason}")),
    }
}

async fn clock(State(app): State<Arc<App>>) -> Response {
    let clock = &app.platform.clock;
    let now = berth_domain::ports::Clock::now(clock.as_ref());
    Json(json!({"now": now, "offset_seconds": clock.offset().num_seconds()})).into_response()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    advance_seconds: u32,
}

/// Moves the platform's clock forward; the sweeper runs at once.
async fn advance_clock(State(app): State<Arc<App>>, bytes: axum::body::Bytes) -> Response {
    let advance: Advance = match body(&bytes) {
        Ok(advance) => advance,
        Err(response) => return *response,
    };
    app.platform
        .clock
        .advance(chrono::Duration::seconds(i64::from(
            advance.advance_seconds,
        )));
    app.platform.sweep_now.notify_one();
    clock(State(app)).await
}

async fn faults(State(app): State<Arc<App>>) -> Response {
    Json(app.platform.gateway.faults()).into_response()
}

async fn set_faults(State(app): State<Arc<App>>, bytes: axum::body::Bytes) -> Response {
    let faults: PaymentFaults = match body(&bytes) {
        Ok(faults) => faults,
        Err(response) => return *response,
    };
    let shares = [faults.unavailable, faults.timeout, faults.lost_response];
    if shares.iter().any(|s| !(0.0..=1.0).contains(s)) || shares.iter().sum::<f64>() > 1.0 {
        return bad_request("each fault is a share from 0 to 1, and together at most 1");
    }
    app.platform.gateway.set_faults(faults);
    Json(faults).into_response()
}

async fn payments(State(app): State<Arc<App>>) -> Response {
    match app.platform.gateway.charges() {
        Ok(charges) => {
            Json(json!({"charges": charges, "stats": app.platform.gateway.stats()})).into_response()
        }
        Err(error) => internal(error),
    }
}

#[derive(Deserialize)]
struct Recipient {
    user: String,
}

async fn notifications(
    State(app): State<Arc<App>>,
    Query(recipient): Query<Recipient>,
) -> Response {
    let Ok(user) = UserId::parse(&recipient.user) else {
        return bad_request("user: not a user id");
    };
    match app.platform.store.notifications_for(&user) {
        Ok(list) => Json(json!({"notifications": list})).into_response(),
        Err(error) => internal(error),
    }
}

async fn audit(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let Ok(id) = BookingId::parse(&id) else {
        return problem(Problem::not_found("not a booking id"));
    };
    match app.platform.ports.audit.trail(&id).await {
        Ok(trail) => Json(json!({"booking_id": id, "trail": trail})).into_response(),
        Err(error) => internal(error),
    }
}

async fn queues(State(app): State<Arc<App>>) -> Response {
    let queues = app.platform.bus.queues();
    let mut depths = serde_json::Map::new();
    for queue in QUEUES {
        for name in [queue.logical_id, queue.dead_letter] {
            match queues.depth(name) {
                Ok(depth) => depths.insert(name.to_owned(), json!(depth)),
                Err(error) => return internal(error),
            };
        }
    }
    Json(json!({"queues": depths})).into_response()
}

/// Runs the sweeper now and answers its report.
async fn sweep_now(State(app): State<Arc<App>>) -> Response {
    let Some(sweep) = app.platform.functions.json.get("sweep-holds") else {
        return internal(anyhow::anyhow!("no sweep-holds function"));
    };
    match sweep(scheduled_event(SWEEP_SCHEDULE)).await {
        Ok(report) => Json(report).into_response(),
        Err(failure) => internal(anyhow::anyhow!("{}: {}", failure.error, failure.cause)),
    }
}
