//! Starting the booking workflow on moto's Step Functions.

use aws_sdk_sfn::Client;
use berth_aws::config::{AwsConfig, Environment, vars};
use berth_aws::workflow::StepFunctionsWorkflow;
use berth_domain::ids::BookingId;
use berth_domain::ports::BookingWorkflow;

use crate::support;

const PASS: &str = r#"{"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}}"#;

#[tokio::test]
async fn starting_twice_starts_one_execution_named_by_the_booking() {
    let sdk = support::moto();
    let sfn = Client::new(&sdk);
    let arn = berth_aws::bootstrap::create_state_machine(&sfn, &support::unique("booking"), PASS)
        .await
        .unwrap();
    let env = Environment::from_pairs([(vars::BOOKING_STATE_MACHINE_ARN, arn.as_str())]);
    let workflow = StepFunctionsWorkflow::from_env(&AwsConfig::new(sdk, env)).unwrap();
    let booking = BookingId::generate();
    workflow.start(&booking).await.unwrap();
    workflow
        .start(&booking)
        .await
        .expect("a second start is a no-op");
    let other = BookingId::generate();
    workflow.start(&other).await.unwrap();

    let listed = sfn
        .list_executions()
        .state_machine_arn(&arn)
        .send()
        .await
        .unwrap();
    let mut names: Vec<&str> = listed.executions().iter().map(|e| e.name()).collect();
    names.sort();
    let mut expected = [booking.as_str(), other.as_str()];
    expected.sort();
    assert_eq!(names, expected, "one execution per booking");
    let execution = listed
        .executions()
        .iter()
        .find(|e| e.name() == booking.as_str())
        .unwrap();
    let described = sfn
        .describe_execution()
        .execution_arn(execution.execution_arn())
        .send()
        .await
        .unwrap();
    let input: serde_json::Value = serde_json::from_str(described.input().unwrap()).unwrap();
    assert_eq!(input, serde_json::json!({"booking_id": booking.as_str()}));
}

#[test]
fn a_missing_state_machine_is_named() {
    let config = AwsConfig::new(
        berth_aws::config::emulator_sdk_config("http://127.0.0.1:1"),
        Environment::from_pairs::<&str, &str>([]),
    );
    let error = StepFunctionsWorkflow::from_env(&config).unwrap_err();
    assert_eq!(
        error.to_string(),
        "missing environment variable BOOKING_STATE_MACHINE_ARN"
    );
}
