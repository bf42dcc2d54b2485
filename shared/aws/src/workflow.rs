//! The booking workflow over Step Functions: one execution per booking,
//! named by its id, so a second start is a no-op.

use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_sfn::Client;
use berth_domain::ids::BookingId;
use berth_domain::ports::BookingWorkflow;

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
