//! The snapshot publisher and replicas restoring from S3, against moto's S3
//! and Kinesis (`scripts/emulators.sh run -- cargo test -p berth-search`;
//! without `BERTH_MOTO_URL` these fail, saying so): runs that start from the
//! previous snapshot, a replica equal to one that applied every event, and
//! damaged or raced snapshots that are never overwritten.

use std::sync::Arc;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_kinesis::config::{Credentials, SharedCredentialsProvider};
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_s3::primitives::ByteStream;
use berth_domain::events::DomainEvent;
use berth_search::feed::EventFeed;
use berth_search::feed::kinesis::aws::AwsShards;
use berth_search::feed::kinesis::{KinesisFeed, Pacing};
use berth_search::index::ShardSequence;
use berth_search::server;
use berth_search::snapshots::publish::{PublishError, Publisher, kinesis_feeds};
use berth_search::snapshots::s3::{KEY, S3Snapshots};
use berth_search::snapshots::{Location, ReplaceError, SnapshotStore};
use berth_search::{FeedPosition, Index};

use crate::support::{TestClock, World, all_pages, today};

const HOW: &str =
    "run these tests through the emulators: scripts/emulators.sh run -- cargo test -p berth-search";

/// No waiting between reads: moto has no read limits.
const QUICK: Pacing = Pacing {
    poll: Duration::from_millis(1),
    catch_up: Duration::from_millis(1),
    relist: Duration::from_secs(60),
};

/// A fresh bucket (versioned, as template.yaml makes it) and a two-shard
/// stream on moto.
struct Moto {
    sdk: SdkConfig,
    bucket: String,
    stream: String,
}

impl Moto {
    async fn fresh() -> Self {
        let url = std::env::var("BERTH_MOTO_URL")
            .unwrap_or_else(|_| panic!("BERTH_MOTO_URL is not set: {HOW}"));
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let sdk = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(url)
            .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
                "testing", "testing", None, None, "moto",
            )))
            .http_client(http)
            .build();
        let name = format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let moto = Self {
            bucket: format!("{name}-snapshots"),
            stream: format!("{name}-search"),
            sdk,
        };
        let s3 = moto.s3();
        s3.create_bucket()
            .bucket(&moto.bucket)
            .send()
            .await
            .unwrap();
        s3.put_bucket_versioning()
            .bucket(&moto.bucket)
            .versioning_configuration(
                aws_sdk_s3::types::VersioningConfiguration::builder()
                    .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                    .build(),
            )
            .send()
            .await
            .unwrap();
        moto.kinesis()
            .create_stream()
            .stream_name(&moto.stream)
            .shard_count(2)
            .send()
            .await
            .unwrap();
        moto
    }

    fn s3(&self) -> aws_sdk_s3::Client {
        let config = aws_sdk_s3::config::Builder::from(&self.sdk)
            .force_path_style(true)
            .build();
        aws_sdk_s3::Client::from_conf(config)
    }

    fn kinesis(&self) -> aws_sdk_kinesis::Client {
        aws_sdk_kinesis::Client::new(&self.sdk)
    }

    fn snapshots(&self) -> S3Snapshots {
        S3Snapshots::from_sdk(&self.sdk, &self.bucket, KEY)
    }

    /// A replica's start from the published snapshot (`server::load`).
    async fn replica(&self, allow_missing: bool) -> anyhow::Result<Index> {
        let location = Location::parse(&format!("s3://{}/{KEY}", self.bucket))?;
        server::load(&self.snapshots(), &location, allow_missing, today()).await
    }

    fn publisher(&self, world: &World) -> Publisher<S3Snapshots> {
        let shards = AwsShards::from_sdk(&self.sdk, &self.stream);
        let clock = Arc::new(TestClock::new(world.now));
        Publisher::new(self.snapshots(), kinesis_feeds(shards, QUICK), clock)
    }

    /// Puts `events` on the stream as EventBridge's rule does (the whole
    /// event as JSON, partitioned by property), answering where each landed.
    async fn put(&self, events: &[DomainEvent]) -> Vec<FeedPosition> {
        let mut positions = Vec::new();
        for event in events {
            let envelope = serde_json::json!({
                "id": uuid::Uuid::new_v4().to_string(),
                "detail-type": event.detail_type(),
                "source": event.source().name(),
                "time": "2027-03-01T08:00:00Z",
                "detail": event.detail(),
            });
            let key = event
                .property_id()
                .map_or_else(|| "none".to_owned(), ToString::to_string);
            let put = self
                .kinesis()
                .put_record()
                .stream_name(&self.stream)
                .partition_key(key)
                .data(Blob::new(envelope.to_string()))
                .send()
                .await
                .unwrap();
            positions.push(FeedPosition::Shard {
                shard_id: put.shard_id().to_owned(),
                sequence: ShardSequence::parse(put.sequence_number()).unwrap(),
            });
        }
        positions
    }

    async fn object(&self) -> (Vec<u8>, String) {
        let got = self
            .s3()
            .get_object()
            .bucket(&self.bucket)
            .key(KEY)
            .send()
            .await
            .unwrap();
        let tag = got.e_tag().unwrap().to_owned();
        (got.body.collect().await.unwrap().into_bytes().to_vec(), tag)
    }
}

fn until(world: &World) -> berth_domain::dates::Timestamp {
    world.now + chrono::Duration::seconds(60)
}

fn history(seed: u64, steps: usize) -> World {
    let mut world = World::new(seed);
    world.list_properties(40);
    for _ in 0..steps {
        world.step();
    }
    world
}

/// Reads the stream after `index`'s positions until caught up, as a replica does.
async fn follow_to_the_end(moto: &Moto, index: &mut Index) {
    let shards = AwsShards::from_sdk(&moto.sdk, &moto.stream);
    let mut feed = KinesisFeed::new(shards, index.positions(), QUICK);
    for _ in 0..100 {
        let batch = feed.next_batch().await.unwrap();
        for record in &batch.records {
            index.apply_at(&record.position, &record.event);
        }
        if batch.caught_up {
            return;
        }
    }
    panic!("the replica never caught up");
}

#[tokio::test]
async fn runs_resume_from_the_last_snapshot_and_a_replica_restored_from_it_sees_everything() {
    let moto = Moto::fresh().await;
    let mut world = history(21, 600);
    let events = world.events.clone();
    let (first, rest) = events.split_at(events.len() / 3);
    let (second, third) = rest.split_at(rest.len() / 2);
    let mut positions = moto.put(first).await;

    let run = moto.publisher(&world).run(until(&world)).await.unwrap();
    assert!(!run.from_previous, "nothing was published before");
    assert_eq!(
        run.records_read,
        first.len() as u64,
        "from the trim horizon"
    );
    assert_eq!(run.events_applied, first.len() as u64);
    assert!(run.caught_up);
    let (_, first_tag) = moto.object().await;

    positions.extend(moto.put(second).await);
    let run = moto.publisher(&world).run(until(&world)).await.unwrap();
    assert!(run.from_previous);
    assert_eq!(
        run.records_read,
        second.len() as u64,
        "the second run reads on from the first snapshot's positions, not the horizon"
    );
    assert_ne!(
        moto.object().await.1,
        first_tag,
        "a new snapshot replaced it"
    );

    // A new replica: the published snapshot from S3, then the stream.
    positions.extend(moto.put(third).await);
    let mut replica = moto.replica(false).await.unwrap();
    assert_eq!(
        replica.len() as u64,
        run.properties,
        "restored what was published"
    );
    follow_to_the_end(&moto, &mut replica).await;

    // One that applied every event in order, where the stream put it.
    let mut reference = Index::new(today());
    for (event, position) in events.iter().zip(&positions) {
        reference.apply_at(position, event);
    }
    assert_eq!(replica.positions(), reference.positions());
    assert_eq!(replica.len(), reference.len());
    for _ in 0..100 {
        let query = world.query();
        let expected = all_pages(&reference, &query, world.now);
        assert_eq!(all_pages(&replica, &query, world.now), expected, "{query}");
        assert_eq!(expected, world.expected(&query), "{query}: the oracle");
    }
}

#[tokio::test]
async fn a_damaged_snapshot_fails_the_run_and_stays_as_it_was() {
    let moto = Moto::fresh().await;
    let world = history(22, 50);
    moto.put(&world.events).await;
    let snapshot = moto.publisher(&world).run(until(&world)).await.unwrap();
    assert!(snapshot.bytes > 0);
    let (good, _) = moto.object().await;
    let damaged = good[..good.len() / 2].to_vec();
    moto.s3()
        .put_object()
        .bucket(&moto.bucket)
        .key(KEY)
        .body(ByteStream::from(damaged.clone()))
        .send()
        .await
        .unwrap();
    let (_, damaged_tag) = moto.object().await;

    let error = moto
        .publisher(&world)
        .run(until(&world))
        .await
        .expect_err("a damaged snapshot fails the run");
    assert!(matches!(error, PublishError::Damaged(_)), "{error}");
    assert_eq!(
        moto.object().await,
        (damaged, damaged_tag),
        "the object is left as it was"
    );

    // A replica refuses it too, whether or not a missing one is allowed.
    let refused = moto
        .replica(true)
        .await
        .expect_err("a damaged snapshot is an error");
    assert!(
        format!("{refused:#}").contains("restoring the snapshot at s3://"),
        "{refused:#}"
    );
}

#[tokio::test]
async fn a_missing_snapshot_starts_from_the_horizon_only_when_allowed() {
    let moto = Moto::fresh().await;
    assert_eq!(moto.snapshots().latest().await.unwrap(), None);
    let empty = moto.replica(true).await.unwrap();
    assert!(empty.is_empty());
    assert!(
        empty.positions().shards.is_empty(),
        "every shard from its trim horizon"
    );
    let refused = moto
        .replica(false)
        .await
        .expect_err("no snapshot, none allowed");
    assert!(
        format!("{refused:#}").contains("no snapshot at s3://"),
        "{refused:#}"
    );
}

#[tokio::test]
async fn a_snapshot_is_replaced_only_from_the_version_read() {
    let moto = Moto::fresh().await;
    let store = moto.snapshots();
    store.replace(b"first".to_vec(), None).await.unwrap();
    let first = store.latest().await.unwrap().expect("published");
    assert!(matches!(
        store.replace(b"again".to_vec(), None).await,
        Err(ReplaceError::Changed)
    ));
    store
        .replace(b"second".to_vec(), Some(&first.tag))
        .await
        .unwrap();
    assert!(
        matches!(
            store.replace(b"stale".to_vec(), Some(&first.tag)).await,
            Err(ReplaceError::Changed)
        ),
        "a run that read the first snapshot cannot overwrite the second"
    );
    assert_eq!(store.latest().await.unwrap().unwrap().bytes, b"second");
}
