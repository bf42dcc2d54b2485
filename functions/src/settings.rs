//! Settings a function reads from its environment at init.

use berth_domain::reservations::RequestTimes;

/// How long a booking's nights stay held: `HOLD_MINUTES` (default 15).
pub fn request_times() -> Result<RequestTimes, String> {
    let mut times = RequestTimes::default();
    if let Ok(minutes) = std::env::var("HOLD_MINUTES") {
        let minutes: i64 = minutes
            .parse()
            .ok()
            .filter(|m| (1..=24 * 60).contains(m))
            .ok_or_else(|| format!("HOLD_MINUTES must be 1 to 1440 minutes, not {minutes:?}"))?;
        times.hold = chrono::Duration::minutes(minutes);
    }
    Ok(times)
}
