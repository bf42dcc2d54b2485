//! The search service as the HTTP layer and the event feed share it: one
//! index behind a reader-writer lock, a clock, and whether it is ready.
//!
//! Queries take the read lock and run in parallel; each event batch takes
//! the write lock for the microseconds it needs, and the lock prefers
//! writers, so fresh availability is never starved by a stream of queries.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use berth_domain::dates::Date;
use berth_domain::events::DomainEvent;
use berth_domain::ports::Clock;

use crate::feed::FeedRecord;
use crate::index::{Applied, Index, Positions};
use crate::query::{InvalidParameter, SearchPage, SearchRequest};

/// How often expired holds are forgotten, at most.
const UPKEEP_EVERY_MS: i64 = 60_000;

pub struct SearchService {
    index: RwLock<Index>,
    clock: Arc<dyn Clock>,
    ready: AtomicBool,
    upkept_at: AtomicI64,
}

impl SearchService {
    /// A service over `index`, not ready until [`SearchService::mark_ready`].
    pub fn new(index: Index, clock: Arc<dyn Clock>) -> Self {
        Self {
            index: RwLock::new(index),
            upkept_at: AtomicI64::new(clock.now().timestamp_millis()),
            clock,
            ready: AtomicBool::new(false),
        }
    }

    /// A service over an empty index.
    pub fn empty(clock: Arc<dyn Clock>) -> Self {
        let today = Date::of(clock.now());
        Self::new(Index::new(today), clock)
    }

    /// Applies one event of the local platform's ordered feed (see [`Index::apply`]).
    pub fn apply(&self, seq: u64, event: &DomainEvent) -> Applied {
        self.write().apply(seq, event)
    }

    /// Applies a batch of feed records under one write lock. Answers how many were new.
    pub fn apply_records(&self, records: &[FeedRecord]) -> usize {
        let mut index = self.write();
        records
            .iter()
            .filter(|r| index.apply_at(&r.position, &r.event) == Applied::Applied)
            .count()
    }

    /// Parses a GET /search query string and answers it.
    #[tracing::instrument(skip(self))]
    pub fn search(&self, query: &str) -> Result<SearchPage, InvalidParameter> {
        let now = self.clock.now();
        let request = SearchRequest::parse(query, Date::of(now))?;
        self.upkeep_if_due();
        Ok(self.read().search(&request, now))
    }

    /// Keeps the night window in step with the calendar and drops expired
    /// holds, taking the write lock only when there is something to do.
    fn upkeep_if_due(&self) {
        let now = self.clock.now();
        let due =
            now.timestamp_millis() - self.upkept_at.load(Ordering::Relaxed) >= UPKEEP_EVERY_MS;
        if due || self.read().needs_upkeep(now) {
            self.upkept_at
                .store(now.timestamp_millis(), Ordering::Relaxed);
            self.write().upkeep(now);
        }
    }

    /// The service answers /ready once it has caught up with its feed.
    pub fn mark_ready(&self) {
        self.ready.store(true, Ordering::Release);
    }

    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// A snapshot of the index (see [`Index::snapshot`]).
    pub fn snapshot(&self) -> Vec<u8> {
        self.read().snapshot()
    }

    pub fn positions(&self) -> Positions {
        self.read().positions().clone()
    }

    /// How many properties are indexed.
    pub fn len(&self) -> usize {
        self.read().len()
    }

    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    fn read(&self) -> RwLockReadGuard<'_, Index> {
        // Nothing in the index panics by design; should something, a stale
        // answer beats refusing every query from then on.
        self.index
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn write(&self) -> RwLockWriteGuard<'_, Index> {
        self.index
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
