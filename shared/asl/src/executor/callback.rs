//! `.waitForTaskToken`: a Task that hands out a token and waits until
//! someone calls SendTaskSuccess or SendTaskFailure with it, kept alive by
//! SendTaskHeartbeat when the state has `HeartbeatSeconds`.
//!
//! Tokens live in memory: after a crash the Task is entered again, invoked
//! again with a new token, and the old token is no longer known (as with
//! any Task, the work behind it must be idempotent).

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use super::Executor;
use super::run::Run;
use crate::fault::StateError;
use crate::invoker::TaskFailure;

/// What the holder of a token reports.
#[derive(Debug)]
pub(super) enum Callback {
    Success(Value),
    Failure(TaskFailure),
    Heartbeat,
}

/// The tokens of Tasks waiting for a callback.
#[derive(Debug, Default)]
pub(super) struct Tokens {
    waiting: Mutex<HashMap<String, mpsc::UnboundedSender<Callback>>>,
}

impl Tokens {
    fn lock(&self) -> MutexGuard<'_, HashMap<String, mpsc::UnboundedSender<Callback>>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn send(&self, token: &str, callback: Callback) -> Result<(), CallbackError> {
        let waiting = self.lock();
        let sender = waiting
            .get(token)
            .ok_or_else(|| CallbackError::TaskDoesNotExist(token.to_owned()))?;
        sender
            .send(callback)
            .map_err(|_| CallbackError::TaskDoesNotExist(token.to_owned()))
    }
}

/// Why a SendTask* call was refused, named as the Step Functions API names
/// its errors.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallbackError {
    /// `TaskDoesNotExist`: no Task waits for this token (unknown, finished,
    /// timed out, or its execution ended).
    #[error("TaskDoesNotExist: no task is waiting for the token {0:?}")]
    TaskDoesNotExist(String),
    /// `InvalidOutput`: the output is not JSON.
    #[error("InvalidOutput: {0}")]
    InvalidOutput(String),
}

impl Executor {
    /// SendTaskSuccess: the waiting Task succeeds with `output` (JSON text).
    pub fn send_task_success(&self, token: &str, output: &str) -> Result<(), CallbackError> {
        let output: Value = serde_json::from_str(output)
            .map_err(|e| CallbackError::InvalidOutput(format!("the output is not JSON: {e}")))?;
        self.shared.tokens.send(token, Callback::Success(output))
    }

    /// SendTaskFailure: the waiting Task fails with `error` and `cause`.
    pub fn send_task_failure(
        &self,
        token: &str,
        error: &str,
        cause: &str,
    ) -> Result<(), CallbackError> {
        self.shared
            .tokens
            .send(token, Callback::Failure(TaskFailure::new(error, cause)))
    }

    /// SendTaskHeartbeat: the waiting Task's heartbeat clock starts over.
    pub fn send_task_heartbeat(&self, token: &str) -> Result<(), CallbackError> {
        self.shared.tokens.send(token, Callback::Heartbeat)
    }
}

/// A registered token, withdrawn when dropped.
pub(super) struct Waiting<'r> {
    tokens: &'r Tokens,
    pub(super) token: String,
    receiver: mpsc::UnboundedReceiver<Callback>,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.tokens.lock().remove(&self.token);
    }
}

impl Run {
    /// A new token, registered so that callbacks reach this Task.
    pub(super) fn new_token(&self) -> Waiting<'_> {
        let token = uuid::Uuid::new_v4().simple().to_string();
        let (sender, receiver) = mpsc::unbounded_channel();
        self.shared.tokens.lock().insert(token.clone(), sender);
        Waiting {
            tokens: &self.shared.tokens,
            token,
            receiver,
        }
    }

    /// Waits for the token's callback; with `heartbeat`, each heartbeat
    /// must come within it (`States.HeartbeatTimeout`).
    pub(super) async fn callback(
        &self,
        waiting: &mut Waiting<'_>,
        heartbeat: Option<Duration>,
    ) -> Result<Value, StateError> {
        loop {
            let next = waiting.receiver.recv();
            let callback = match heartbeat {
                None => next.await,
                Some(heartbeat) => tokio::select! {
                    callback = next => callback,
                    () = self.shared.timer.sleep(heartbeat) => {
                        return Err(StateError::heartbeat_timeout(format!(
                            "no heartbeat within {} s", heartbeat.as_secs()
                        )));
                    }
                },
            };
            match callback {
                Some(Callback::Success(output)) => return Ok(output),
                Some(Callback::Failure(failure)) => return Err(StateError::from_task(failure)),
                Some(Callback::Heartbeat) => {}
                None => return Err(StateError::runtime("the task token was withdrawn")),
            }
        }
    }
}
