//! The booking workflow over Step Functions: one execution per booking,
//! named by its id, so a second start is a no-op.

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_sfn::Client;
use aws_sdk_sfn::error::{ProvideErrorMetadata, SdkError};
use berth_domain::ids::BookingId;
use berth_domain::ports::{BookingWorkflow, CallbackError, TaskCallbacks};

use crate::access::{Access, on};
use crate::config::{AwsConfig, MissingVariable, vars};

/// [`BookingWorkflow`]. Needs `BOOKING_STATE_MACHINE_ARN`.
#[derive(Debug, Clone)]
pub struct StepFunctionsWorkflow {
    client: Client,
    state_machine_arn: String,
}

impl StepFunctionsWorkflow {
    pub fn from_env(config: &AwsConfig) -> Result<Self, MissingVariable> {
        Ok(Self::new(
            Client::new(config.sdk()),
            config.require(vars::BOOKING_STATE_MACHINE_ARN)?,
        ))
    }

    pub fn new(client: Client, state_machine_arn: impl Into<String>) -> Self {
        Self {
            client,
            state_machine_arn: state_machine_arn.into(),
        }
    }
}

/// [`BookingWorkflow`]: `StartExecution` of the booking state machine.
pub const BOOKING_WORKFLOW: Access = Access {
    port: "BookingWorkflow",
    grants: &[on(
        vars::BOOKING_STATE_MACHINE_ARN,
        &["states:StartExecution"],
    )],
    env: &[vars::BOOKING_STATE_MACHINE_ARN],
};

#[async_trait]
impl BookingWorkflow for StepFunctionsWorkflow {
    async fn start(&self, booking: &BookingId) -> anyhow::Result<()> {
        let started = self
            .client
            .start_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(booking.as_str())
            .input(serde_json::json!({ "booking_id": booking }).to_string())
            .send()
            .await;
        match started {
            Ok(_) => Ok(()),
            // Running or finished already: the booking's workflow exists.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_execution_already_exists()) =>
            {
                Ok(())
            }
            Err(e) => Err(e).with_context(|| format!("starting the workflow of {booking}")),
        }
    }
}

/// SendTask* over Step Functions. `TaskDoesNotExist`, `TaskTimedOut` and
/// `InvalidToken` all mean no Task waits for the token.
#[async_trait]
impl TaskCallbacks for StepFunctionsWorkflow {
    async fn succeed(&self, token: &str, output: &serde_json::Value) -> Result<(), CallbackError> {
        let sent = self
            .client
            .send_task_success()
            .task_token(token)
            .output(output.to_string())
            .send()
            .await;
        callback_outcome(sent.map(drop))
    }

    async fn fail(&self, token: &str, error: &str, cause: &str) -> Result<(), CallbackError> {
        let sent = self
            .client
            .send_task_failure()
            .task_token(token)
            .error(error)
            .cause(cause)
            .send()
            .await;
        callback_outcome(sent.map(drop))
    }

    async fn heartbeat(&self, token: &str) -> Result<(), CallbackError> {
        let sent = self
            .client
            .send_task_heartbeat()
            .task_token(token)
            .send()
            .await;
        callback_outcome(sent.map(drop))
    }
}

fn callback_outcome<E, R>(sent: Result<(), SdkError<E, R>>) -> Result<(), CallbackError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match sent {
        Ok(()) => Ok(()),
        Err(error)
            if matches!(
                error.code(),
                Some("TaskDoesNotExist" | "TaskTimedOut" | "InvalidToken")
            ) =>
        {
            Err(CallbackError::NoSuchTask)
        }
        Err(error) => Err(CallbackError::Unexpected(
            anyhow::Error::from(error).context("answering a task token"),
        )),
    }
}
