use std::collections::HashMap;
use std::sync::Mutex;

use berth_domain::dates::Date;
use berth_domain::events::{Change, DomainEvent};
use berth_domain::ids::PropertyId;
use serde_json::json;

use super::*;

/// An in-memory stream: shards of records, iterators as "shard/next index".
#[derive(Default)]
struct FakeStream {
    shards: Vec<(ShardInfo, Vec<RawRecord>, bool)>,
    /// Iterators that will report expiry once.
    expire_next: Mutex<Vec<String>>,
    behind: Mutex<HashMap<String, i64>>,
}

fn seq(n: u64) -> ShardSequence {
    ShardSequence::parse(&format!("4959{n:030}")).unwrap()
}

fn event_json(n: u64) -> Vec<u8> {
    let event = DomainEvent::new(
        Change::CalendarChanged {
            property_id: PropertyId::generate(),
            blocked: true,
            dates: vec![Date::parse("2027-05-01").unwrap().add_days(n as u32 % 300)],
        },
        chrono::Utc::now(),
    );
    json!({"id": uuid::Uuid::new_v4().to_string(), "detail-type": event.detail_type(),
           "source": "berth.properties", "time": "2027-04-01T10:00:00Z", "detail": event.detail()})
    .to_string()
    .into_bytes()
}

impl FakeStream {
    fn shard(mut self, id: &str, parent: Option<&str>, numbers: &[u64], closed: bool) -> Self {
        let info = ShardInfo {
            id: id.into(),
            parent: parent.map(Into::into),
            adjacent_parent: None,
        };
        let records = numbers
            .iter()
            .map(|n| RawRecord {
                sequence: seq(*n),
                data: event_json(*n),
            })
            .collect();
        self.shards.push((info, records, closed));
        self
    }

    fn find(&self, id: &str) -> &(ShardInfo, Vec<RawRecord>, bool) {
        self.shards
            .iter()
            .find(|(s, ..)| s.id == id)
            .expect("known shard")
    }
}

#[async_trait]
impl ShardReader for &FakeStream {
    async fn list_shards(&self) -> anyhow::Result<Vec<ShardInfo>> {
        Ok(self.shards.iter().map(|(s, ..)| s.clone()).collect())
    }

    async fn shard_iterator(&self, shard_id: &str, start: &Start) -> Result<String, ReadError> {
        let (_, records, _) = self.find(shard_id);
        let index = match start {
            Start::TrimHorizon => 0,
            Start::AfterSequence(after) => {
                records.iter().take_while(|r| &r.sequence <= after).count()
            }
        };
        Ok(format!("{shard_id}/{index}"))
    }

    async fn records(&self, iterator: &str) -> Result<RecordsPage, ReadError> {
        let mut expiring = self.expire_next.lock().unwrap();
        if let Some(at) = expiring.iter().position(|i| i == iterator) {
            expiring.remove(at);
            return Err(ReadError::ExpiredIterator);
        }
        let (shard_id, index) = iterator.split_once('/').unwrap();
        let index: usize = index.parse().unwrap();
        let (_, records, closed) = self.find(shard_id);
        // Two records per call, to exercise paging.
        let page: Vec<RawRecord> = records.iter().skip(index).take(2).cloned().collect();
        let next = index + page.len();
        let at_end = next == records.len();
        let behind = *self.behind.lock().unwrap().get(shard_id).unwrap_or(&0);
        Ok(RecordsPage {
            records: page,
            next_iterator: (!(at_end && *closed)).then(|| format!("{shard_id}/{next}")),
            millis_behind_latest: Some(if at_end { behind } else { 1_000 }),
        })
    }
}

fn pacing() -> Pacing {
    Pacing {
        poll: Duration::ZERO,
        catch_up: Duration::ZERO,
        relist: Duration::ZERO,
    }
}

/// Every (shard, sequence number) the feed hands out over `batches` calls.
async fn drain(feed: &mut KinesisFeed<&FakeStream>, batches: usize) -> (Vec<(String, u64)>, bool) {
    let mut seen = Vec::new();
    let mut caught_up = false;
    for _ in 0..batches {
        let batch = feed.next_batch().await.unwrap();
        caught_up = batch.caught_up;
        for record in batch.records {
            let FeedPosition::Shard { shard_id, sequence } = record.position else {
                panic!("not a shard position")
            };
            seen.push((shard_id, sequence.as_str()[4..].parse().unwrap()));
        }
    }
    (seen, caught_up)
}

#[tokio::test]
async fn each_shard_resumes_after_the_snapshot_position() {
    let stream = FakeStream::default()
        .shard("a", None, &[1, 2, 3, 4], false)
        .shard("b", None, &[1, 2], false);
    let mut positions = Positions::default();
    positions.shards.insert("a".into(), seq(2));
    let mut feed = KinesisFeed::new(&stream, &positions, pacing());
    let (seen, caught_up) = drain(&mut feed, 3).await;
    let a: Vec<u64> = seen
        .iter()
        .filter(|(s, _)| s == "a")
        .map(|(_, n)| *n)
        .collect();
    let b: Vec<u64> = seen
        .iter()
        .filter(|(s, _)| s == "b")
        .map(|(_, n)| *n)
        .collect();
    assert_eq!(a, [3, 4], "a starts after its snapshot position");
    assert_eq!(
        b,
        [1, 2],
        "b, unknown to the snapshot, starts at its trim horizon"
    );
    assert!(caught_up);
}

#[tokio::test]
async fn children_wait_until_their_parent_is_read_to_its_end() {
    let stream = FakeStream::default()
        .shard("child", Some("parent"), &[10, 11], false)
        .shard("parent", None, &[1, 2, 3], true);
    let mut feed = KinesisFeed::new(&stream, &Positions::default(), pacing());
    let (seen, caught_up) = drain(&mut feed, 4).await;
    let order: Vec<u64> = seen.iter().map(|(_, n)| *n).collect();
    assert_eq!(order, [1, 2, 3, 10, 11]);
    assert!(caught_up);
}

#[tokio::test]
async fn an_expired_iterator_resumes_without_gaps_or_repeats() {
    let stream = FakeStream::default().shard("a", None, &[1, 2, 3, 4, 5], false);
    stream.expire_next.lock().unwrap().push("a/2".into());
    let mut feed = KinesisFeed::new(&stream, &Positions::default(), pacing());
    let (seen, _) = drain(&mut feed, 5).await;
    let order: Vec<u64> = seen.iter().map(|(_, n)| *n).collect();
    assert_eq!(order, [1, 2, 3, 4, 5]);
}

#[tokio::test]
async fn it_is_not_caught_up_while_kinesis_says_it_is_behind() {
    let stream = FakeStream::default().shard("a", None, &[1], false);
    stream.behind.lock().unwrap().insert("a".into(), 5_000);
    let mut feed = KinesisFeed::new(&stream, &Positions::default(), pacing());
    assert!(!drain(&mut feed, 2).await.1);
    stream.behind.lock().unwrap().insert("a".into(), 0);
    assert!(drain(&mut feed, 1).await.1);
}

#[tokio::test]
async fn a_broken_record_is_skipped_and_the_shard_goes_on() {
    let mut stream = FakeStream::default().shard("a", None, &[1, 2, 3], false);
    stream.shards[0].1[1].data = b"garbage".to_vec();
    let mut feed = KinesisFeed::new(&stream, &Positions::default(), pacing());
    let (seen, _) = drain(&mut feed, 3).await;
    let order: Vec<u64> = seen.iter().map(|(_, n)| *n).collect();
    assert_eq!(order, [1, 3]);
}

#[tokio::test]
async fn records_read_twice_are_applied_once() {
    let stream = FakeStream::default().shard("a", None, &[1, 2, 3], false);
    let mut feed = KinesisFeed::new(&stream, &Positions::default(), pacing());
    let mut records = Vec::new();
    for _ in 0..2 {
        records.extend(feed.next_batch().await.unwrap().records);
    }
    let mut index = crate::Index::new(Date::parse("2027-04-01").unwrap());
    let applied = |index: &mut crate::Index| {
        records
            .iter()
            .filter(|r| index.apply_at(&r.position, &r.event) == crate::index::Applied::Applied)
            .count()
    };
    assert_eq!(applied(&mut index), 3);
    assert_eq!(applied(&mut index), 0, "redelivery changes nothing");
    assert_eq!(index.positions().shards["a"], seq(3));
}

/// Throttles the first read, then behaves.
struct Throttling<'a> {
    inner: &'a FakeStream,
    throttled: Mutex<bool>,
}

#[async_trait]
impl ShardReader for Throttling<'_> {
    async fn list_shards(&self) -> anyhow::Result<Vec<ShardInfo>> {
        self.inner.list_shards().await
    }

    async fn shard_iterator(&self, shard_id: &str, start: &Start) -> Result<String, ReadError> {
        self.inner.shard_iterator(shard_id, start).await
    }

    async fn records(&self, iterator: &str) -> Result<RecordsPage, ReadError> {
        let first = !std::mem::replace(&mut *self.throttled.lock().unwrap(), true);
        if first {
            return Err(ReadError::Throttled);
        }
        self.inner.records(iterator).await
    }
}

#[tokio::test]
async fn a_throttled_read_is_retried_from_the_same_place() {
    let stream = FakeStream::default().shard("a", None, &[1, 2, 3], false);
    let reader = Throttling {
        inner: &stream,
        throttled: Mutex::new(false),
    };
    let mut feed = KinesisFeed::new(reader, &Positions::default(), pacing());
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.extend(
            feed.next_batch()
                .await
                .unwrap()
                .records
                .into_iter()
                .map(|r| r.position),
        );
    }
    let numbers: Vec<String> = seen
        .into_iter()
        .map(|p| match p {
            FeedPosition::Shard { sequence, .. } => sequence.to_string(),
            FeedPosition::Sequence(_) => unreachable!(),
        })
        .collect();
    assert_eq!(numbers, [seq(1), seq(2), seq(3)].map(|s| s.to_string()));
}
