//! The platform's clock: the wall clock plus an offset tests may move
//! forward (`POST /local/clock`), so hold expiry is tested without waiting.

use std::sync::atomic::{AtomicI64, Ordering};

use berth_domain::dates::Timestamp;
use berth_domain::ports::Clock;
use chrono::{Duration, Utc};

#[derive(Default)]
pub struct LocalClock {
    offset_ms: AtomicI64,
}

impl LocalClock {
    /// Moves the clock forward by `by` (never backward: time does not run back).
    pub fn advance(&self, by: Duration) {
        self.offset_ms
            .fetch_add(by.num_milliseconds().max(0), Ordering::SeqCst);
    }

    pub fn offset(&self) -> Duration {
        Duration::milliseconds(self.offset_ms.load(Ordering::SeqCst))
    }
}

impl Clock for LocalClock {
    fn now(&self) -> Timestamp {
        Utc::now() + self.offset()
    }
}
