//! Settings a function reads from its environment at init.

use berth_domain::reservations::{HoldMinutes, RequestTimes};

/// How long a booking's nights stay held: `HOLD_MINUTES` (default 15, bounds
/// in [`HoldMinutes`]).
pub fn request_times() -> Result<RequestTimes, String> {
    let hold = match std::env::var("HOLD_MINUTES") {
        Ok(minutes) => HoldMinutes::parse(&minutes).map_err(|e| format!("HOLD_MINUTES {e}"))?,
        Err(_) => HoldMinutes::default(),
    };
    Ok(RequestTimes::with_hold(hold))
}
