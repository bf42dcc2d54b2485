//! The search snapshot publisher as its Lambda builds it (the
//! `SearchSnapshots` port of the AWS source, from the variables the
//! template sets), on moto: the first run starts from nothing, the next
//! from the snapshot the first wrote. The publisher itself is tested in
//! services/search/tests/search/snapshots.rs.

use berth_aws::AwsSource;
use berth_aws::config::{AwsConfig, Environment, vars};
use berth_domain::wiring::PortSource;
use chrono::{Duration, Utc};

use crate::support;

#[tokio::test]
async fn the_lambdas_publisher_writes_a_snapshot_and_resumes_from_it() {
    let sdk = support::moto();
    let bucket = support::unique("snapshots");
    let stream = support::unique("search");
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket().bucket(&bucket).send().await.unwrap();
    aws_sdk_kinesis::Client::new(&sdk)
        .create_stream()
        .stream_name(&stream)
        .shard_count(1)
        .send()
        .await
        .unwrap();
    let env = Environment::from_pairs([
        (vars::SEARCH_SNAPSHOT_BUCKET, bucket.as_str()),
        (vars::SEARCH_STREAM, stream.as_str()),
    ]);
    let source = AwsSource::new(AwsConfig::new(sdk, env));
    let snapshots = source.search_snapshots().unwrap();

    let first = snapshots
        .publish(Utc::now() + Duration::seconds(60))
        .await
        .unwrap();
    assert!(!first.from_previous && first.caught_up, "{first:?}");
    let written = s3
        .get_object()
        .bucket(&bucket)
        .key("search/latest.snap")
        .send()
        .await
        .expect("the snapshot is where replicas read it");
    assert_eq!(written.content_length(), Some(first.bytes as i64));
    let second = snapshots
        .publish(Utc::now() + Duration::seconds(60))
        .await
        .unwrap();
    assert!(second.from_previous, "{second:?}");
}
