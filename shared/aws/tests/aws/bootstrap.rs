//! Bootstrapping a fresh moto: everything the adapters need, twice over
//! without harm, and an end-to-end booking through the adapters it names.

use aws_sdk_dynamodb::types::{StreamViewType, TimeToLiveStatus};
use berth_aws::bootstrap::bootstrap;
use berth_aws::config::{AwsConfig, vars};
use berth_aws::dynamo::DynamoBookings;
use berth_contract::fixtures::{self, stay};
use berth_domain::ports::BookingReader;

use crate::support;

const DEFINITION: &str =
    r#"{"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": true}}}"#;

#[tokio::test]
async fn bootstrap_makes_everything_and_can_run_again() {
    let sdk = support::moto();
    let prefix = support::unique("stack");
    let first = bootstrap(&sdk, &prefix, DEFINITION).await.unwrap();
    let again = bootstrap(&sdk, &prefix, DEFINITION)
        .await
        .expect("idempotent");
    assert_eq!(first, again);

    let env = first.environment();
    for name in [
        vars::BOOKINGS_TABLE,
        vars::OUTBOX_TABLE,
        vars::BOOKINGS_BUS,
        vars::NOTIFICATIONS_QUEUE_URL,
        vars::BOOKING_STATE_MACHINE_ARN,
    ] {
        assert!(env.require(name).is_ok(), "{name} set");
    }
    let dynamo = aws_sdk_dynamodb::Client::new(&sdk);
    let outbox = dynamo
        .describe_table()
        .table_name(&first.tables.outbox)
        .send()
        .await
        .unwrap();
    let stream = outbox.table().unwrap().stream_specification().unwrap();
    assert!(stream.stream_enabled());
    assert_eq!(stream.stream_view_type(), Some(&StreamViewType::NewImage));
    let ttl = dynamo
        .describe_time_to_live()
        .table_name(&first.tables.outbox)
        .send()
        .await
        .unwrap();
    let ttl = ttl.time_to_live_description().unwrap();
    assert_eq!(ttl.attribute_name(), Some("expires_at"));
    assert_eq!(ttl.time_to_live_status(), Some(&TimeToLiveStatus::Enabled));
    assert_eq!(
        index_names(&dynamo, &first.tables.bookings).await,
        ["by_guest", "by_host", "unsettled_by_deadline"]
    );
    assert_eq!(
        index_names(&dynamo, &first.tables.properties).await,
        ["by_host"],
        "a host's listings are a Query, not a Scan"
    );

    // The adapters run on what bootstrap named.
    let config = AwsConfig::new(sdk.clone(), env);
    let ports = crate::contract::ports_on(&config).await;
    let property = fixtures::property(&ports, "host").await;
    let booking = fixtures::stored_booking(&ports, &property, "guest", stay(3, 2)).await;
    let read = DynamoBookings::from_env(&config)
        .unwrap()
        .booking(&booking.id)
        .await
        .unwrap();
    assert_eq!(read, Some(booking));
}

/// The global secondary indexes of `table`, by name.
async fn index_names(dynamo: &aws_sdk_dynamodb::Client, table: &str) -> Vec<String> {
    let described = dynamo
        .describe_table()
        .table_name(table)
        .send()
        .await
        .unwrap();
    let mut names: Vec<String> = described
        .table()
        .unwrap()
        .global_secondary_indexes()
        .iter()
        .filter_map(|i| i.index_name().map(str::to_owned))
        .collect();
    names.sort();
    names
}
