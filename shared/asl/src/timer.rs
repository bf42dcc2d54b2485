//! The clock every wait goes through (retry delays, Wait states, task and
//! execution timeouts), so that tests and the local platform control time.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::time::Instant;

#[async_trait]
pub trait Timer: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
    async fn sleep(&self, duration: Duration);
}

/// A [`Timer`] on tokio's clock. `now` follows `tokio::time`, so a paused
/// test clock moves it too. A speed factor below 1 shortens every wait (0.01
/// turns a 1 s retry delay into 10 ms) while timestamps stay real.
#[derive(Debug, Clone)]
pub struct TokioTimer {
    speed_factor: f64,
    wall_origin: DateTime<Utc>,
    origin: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
#[error("a timer speed factor must be a finite number above 0, not {0}")]
pub struct InvalidSpeedFactor(pub f64);

impl TokioTimer {
    pub fn new() -> Self {
        Self {
            speed_factor: 1.0,
            wall_origin: Utc::now(),
            origin: Instant::now(),
        }
    }

    /// A timer whose waits last `speed_factor` times as long.
    pub fn scaled(speed_factor: f64) -> Result<Self, InvalidSpeedFactor> {
        if !(speed_factor.is_finite() && speed_factor > 0.0) {
            return Err(InvalidSpeedFactor(speed_factor));
        }
        Ok(Self {
            speed_factor,
            ..Self::new()
        })
    }
}

impl Default for TokioTimer {
    fn default() -> Self {
        Self::new()
    }
}

#[async_trait]
impl Timer for TokioTimer {
    fn now(&self) -> DateTime<Utc> {
        let elapsed = chrono::Duration::from_std(self.origin.elapsed()).unwrap_or_default();
        self.wall_origin + elapsed
    }

    async fn sleep(&self, duration: Duration) {
        let scaled = Duration::try_from_secs_f64(duration.as_secs_f64() * self.speed_factor)
            .unwrap_or(Duration::MAX);
        tokio::time::sleep(scaled).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_scaled_second_lasts_ten_milliseconds() {
        let timer = TokioTimer::scaled(0.01).unwrap();
        let (started, wall) = (Instant::now(), timer.now());
        timer.sleep(Duration::from_secs(1)).await;
        assert_eq!(started.elapsed(), Duration::from_millis(10));
        assert_eq!(timer.now() - wall, chrono::Duration::milliseconds(10));
    }

    #[test]
    fn refuses_factors_that_are_not_positive() {
        for factor in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(TokioTimer::scaled(factor).is_err());
        }
    }
}
