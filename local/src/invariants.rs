//! The booking protocol's invariants (docs/architecture.md), checked from
//! outside over the API: what the booking bench and the end-to-end tests
//! assert.
//!
//! - at most one HELD-or-BOOKED booking per property-night;
//! - every booking settled;
//! - every CONFIRMED booking has exactly one captured charge, unrefunded, of its total;
//! - no FAILED or EXPIRED booking keeps money.

use std::collections::HashMap;

use serde_json::Value;

use crate::client::Api;

/// Every booking `host` is host of, through the API.
pub async fn bookings_of_host(api: &Api, host_token: &str) -> anyhow::Result<Vec<Value>> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/bookings?role=host&limit=100&cursor={c}"),
            None => "/bookings?role=host&limit=100".to_owned(),
        };
        let page = api.get(&path, Some(host_token)).await?;
        anyhow::ensure!(
            page.status.is_success(),
            "listing bookings: {} {}",
            page.status,
            page.body
        );
        all.extend(
            page.body["bookings"]
                .as_array()
                .cloned()
                .unwrap_or_default(),
        );
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(all),
        }
    }
}

/// Every charge the local payment gateway holds.
pub async fn charges(api: &Api) -> anyhow::Result<Vec<Value>> {
    let answer = api.get("/local/payments", None).await?;
    Ok(answer.body["charges"]
        .as_array()
        .cloned()
        .unwrap_or_default())
}

/// Each night of a booking's stay.
fn nights(booking: &Value) -> Vec<String> {
    let parse = |field: &str| {
        booking[field]
            .as_str()
            .and_then(|d| berth_domain::dates::Date::parse(d).ok())
    };
    match (parse("check_in"), parse("check_out")) {
        (Some(from), Some(to)) => (0..from.days_until(to).max(0) as u32)
            .map(|i| from.add_days(i).to_string())
            .collect(),
        _ => vec![],
    }
}

/// What breaks the invariants, one line each (empty when none).
pub fn violations(bookings: &[Value], charges: &[Value]) -> Vec<String> {
    let mut found = Vec::new();
    let mut nights_taken: HashMap<(String, String), Vec<String>> = HashMap::new();
    let mut charges_by_key: HashMap<&str, Vec<&Value>> = HashMap::new();
    for charge in charges {
        if let Some(key) = charge["key"].as_str() {
            charges_by_key.entry(key).or_default().push(charge);
        }
    }
    for booking in bookings {
        let id = booking["id"].as_str().unwrap_or_default();
        let status = booking["status"].as_str().unwrap_or_default();
        if !matches!(status, "CONFIRMED" | "FAILED" | "EXPIRED" | "CANCELLED") {
            found.push(format!("{id} is still {status}"));
        }
        if matches!(status, "CONFIRMED" | "HELD" | "PAID") {
            let property = booking["property_id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            for night in nights(booking) {
                nights_taken
                    .entry((property.clone(), night))
                    .or_default()
                    .push(id.to_owned());
            }
        }
        let captured: Vec<&&Value> = charges_by_key
            .get(id)
            .map(|c| c.iter().filter(|c| c["captured"] == true).collect())
            .unwrap_or_default();
        let kept: i64 = captured
            .iter()
            .map(|c| {
                c["amount"]["amount"].as_i64().unwrap_or(0) - c["refunded"].as_i64().unwrap_or(0)
            })
            .sum();
        match status {
            "CONFIRMED" => {
                let total = booking["total"]["amount"].as_i64().unwrap_or(-1);
                if captured.len() != 1 || kept != total {
                    found.push(format!(
                        "{id} is CONFIRMED with {} captured charge(s) keeping {kept} of {total}",
                        captured.len()
                    ));
                }
            }
            "FAILED" | "EXPIRED" if kept != 0 => {
                found.push(format!("{id} is {status} but {kept} is still charged"));
            }
            _ => {}
        }
    }
    for ((property, night), ids) in nights_taken {
        if ids.len() > 1 {
            found.push(format!(
                "{property} night {night} is taken by {}",
                ids.join(", ")
            ));
        }
    }
    found
}
