//! The edge's protections (WAF in AWS): a per-IP rate limit over a 5-minute
//! window, answered with 429 and Retry-After.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub const WINDOW: Duration = Duration::from_secs(300);

pub struct RateLimit {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
}

impl RateLimit {
    /// `per_window` requests per 5 minutes per IP; 0 turns the limit off.
    pub fn new(per_window: u32) -> Self {
        let limiter = NonZeroU32::new(per_window).and_then(|n| {
            // The whole window's allowance may be spent at once, and it
            // refills evenly over the window.
            Quota::with_period(WINDOW / n.get()).map(|q| RateLimiter::keyed(q.allow_burst(n)))
        });
        Self { limiter }
    }

    /// `Err(seconds to wait)` when `ip` is over its limit.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + 1
        })
    }
}
