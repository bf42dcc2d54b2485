//! Where in the event feed an index stands. Each feed position is compared
//! only with positions of the same stream: the local platform numbers its
//! outbox with one global sequence; a Kinesis stream numbers records per shard.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// A Kinesis sequence number: a decimal string of up to 128 digits, ordered
/// as a number within its shard.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ShardSequence(String);

impl ShardSequence {
    pub fn parse(text: &str) -> Result<Self, InvalidSequence> {
        if text.is_empty() || text.len() > 128 || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidSequence(text.to_owned()));
        }
        let trimmed = text.trim_start_matches('0');
        Ok(Self(
            if trimmed.is_empty() { "0" } else { trimmed }.to_owned(),
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a sequence number")]
pub struct InvalidSequence(String);

impl Ord for ShardSequence {
    fn cmp(&self, other: &Self) -> Ordering {
        // Without leading zeros, a longer number is a larger one.
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for ShardSequence {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl TryFrom<String> for ShardSequence {
    type Error = InvalidSequence;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse(&text)
    }
}

impl From<ShardSequence> for String {
    fn from(sequence: ShardSequence) -> Self {
        sequence.0
    }
}

impl fmt::Display for ShardSequence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where one event sits in its feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FeedPosition {
    /// A single, totally ordered feed (the local platform's outbox).
    Sequence(u64),
    /// A record of one shard of a Kinesis stream.
    Shard {
        shard_id: String,
        sequence: ShardSequence,
    },
}

/// The last applied position of every feed an index has read. Anything at
/// or below it is skipped, so a snapshot plus a replay from any earlier
/// point is exact, and redelivered records are harmless.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Positions {
    pub sequence: u64,
    pub shards: BTreeMap<String, ShardSequence>,
}

impl Positions {
    /// Whether `position` comes after everything applied so far.
    pub fn is_new(&self, position: &FeedPosition) -> bool {
        match position {
            FeedPosition::Sequence(seq) => *seq > self.sequence,
            FeedPosition::Shard { shard_id, sequence } => {
                self.shards.get(shard_id).is_none_or(|last| sequence > last)
            }
        }
    }

    /// Whether these positions stand at or after every one of `earlier`.
    pub fn covers(&self, earlier: &Positions) -> bool {
        self.sequence >= earlier.sequence
            && earlier
                .shards
                .iter()
                .all(|(shard, at)| self.shards.get(shard).is_some_and(|mine| mine >= at))
    }

    pub fn advance(&mut self, position: &FeedPosition) {
        match position {
            FeedPosition::Sequence(seq) => self.sequence = self.sequence.max(*seq),
            FeedPosition::Shard { shard_id, sequence } => {
                let last = self
                    .shards
                    .entry(shard_id.clone())
                    .or_insert_with(|| sequence.clone());
                if sequence > last {
                    *last = sequence.clone();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(text: &str) -> ShardSequence {
        ShardSequence::parse(text).unwrap()
    }

    #[test]
    fn shard_sequences_order_as_numbers() {
        assert!(seq("9") < seq("10"));
        assert!(
            seq("49590338271490256608559692538361571095921575989136588898")
                > seq("4959033827149025660855969253836157109592157598913658889")
        );
        assert_eq!(seq("007"), seq("7"));
        assert!(ShardSequence::parse("12a").is_err());
        assert!(ShardSequence::parse("").is_err());
    }

    #[test]
    fn positions_skip_what_they_have_seen_per_shard() {
        let mut positions = Positions::default();
        let at = |shard: &str, n: &str| FeedPosition::Shard {
            shard_id: shard.into(),
            sequence: seq(n),
        };
        assert!(positions.is_new(&at("a", "5")));
        positions.advance(&at("a", "5"));
        assert!(!positions.is_new(&at("a", "5")));
        assert!(!positions.is_new(&at("a", "4")));
        assert!(positions.is_new(&at("a", "6")));
        assert!(positions.is_new(&at("b", "1")), "shards are independent");
        positions.advance(&at("a", "3"));
        assert!(!positions.is_new(&at("a", "4")), "never moves back");
        assert!(positions.is_new(&FeedPosition::Sequence(1)));
        positions.advance(&FeedPosition::Sequence(9));
        assert!(!positions.is_new(&FeedPosition::Sequence(9)));
    }

    #[test]
    fn positions_cover_those_they_stand_after() {
        let mut earlier = Positions::default();
        earlier.shards.insert("a".into(), seq("5"));
        let mut later = earlier.clone();
        assert!(later.covers(&earlier));
        later.shards.insert("a".into(), seq("7"));
        later.shards.insert("b".into(), seq("1"));
        assert!(later.covers(&earlier));
        assert!(!earlier.covers(&later), "behind on a and missing b");
        let mut behind = later.clone();
        behind.sequence = 0;
        later.sequence = 3;
        assert!(!behind.covers(&later), "behind on the sequence");
    }
}
