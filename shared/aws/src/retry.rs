//! Jittered exponential backoff for the retries the SDK does not make itself
//! (cancelled transactions, failed batch entries).

use std::time::Duration;

use rand::Rng;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Backoff {
    pub base: Duration,
    pub cap: Duration,
    /// Attempts in all, the first included.
    pub attempts: u32,
}

impl Backoff {
    /// For contended DynamoDB transactions: many quick tries.
    pub const CONTENTION: Backoff = Backoff {
        base: Duration::from_millis(20),
        cap: Duration::from_secs(1),
        attempts: 10,
    };

    /// For failed entries of a batch call.
    pub const BATCH: Backoff = Backoff {
        base: Duration::from_millis(100),
        cap: Duration::from_secs(2),
        attempts: 4,
    };

    /// "Full jitter": uniform in `[0, min(cap, base * 2^retry))`.
    pub fn delay(&self, retry: u32) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << retry.min(16))
            .min(self.cap);
        let millis = u64::try_from(ceiling.as_millis())
            .unwrap_or(u64::MAX)
            .max(1);
        Duration::from_millis(rand::rng().random_range(0..millis))
    }

    /// Sleeps before retry number `retry` (0 for the first retry).
    pub async fn pause(&self, retry: u32) {
        tokio::time::sleep(self.delay(retry)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_exponentially_up_to_the_cap() {
        let backoff = Backoff {
            base: Duration::from_millis(10),
            cap: Duration::from_millis(100),
            attempts: 5,
        };
        for _ in 0..200 {
            assert!(backoff.delay(0) < Duration::from_millis(10));
            assert!(backoff.delay(2) < Duration::from_millis(40));
            assert!(backoff.delay(30) < Duration::from_millis(100));
        }
        let spread: std::collections::HashSet<Duration> =
            (0..50).map(|_| backoff.delay(5)).collect();
        assert!(spread.len() > 10, "jittered, not fixed");
    }
}
