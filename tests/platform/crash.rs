//! d. `berth serve` killed with SIGKILL while many bookings are in flight:
//! on restart every workflow resumes from its journal and every booking
//! settles with the invariants intact.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use berth_local::client::Api;
use berth_local::invariants;
use futures::future::join_all;
use hyper::Method;
use serde_json::json;

use crate::support::{listing, order, property};

/// A real `berth serve` process; answers it and its address.
fn serve(data_dir: &Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_berth"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--demo",
            "0",
            "--rate-limit",
            "0",
            "--time-scale",
            "0.1",
        ])
        .arg("--data-dir")
        .arg(data_dir)
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting berth");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let address = loop {
        let line = lines
            .next()
            .expect("berth printed its address")
            .expect("a log line");
        let Ok(log) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if log["message"] == "berth is listening" {
            break log["address"].as_str().expect("an address").to_owned();
        }
    };
    // Keep draining the log so the process never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, format!("http://{address}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_resumes_every_booking() {
    let data_dir = tempfile::tempdir().unwrap();
    let (mut first, url) = serve(data_dir.path());
    let api = Api::new(&url);
    let host = api.token("crashhost", &["hosts"]).await.unwrap();
    let guest = api.token("crashguest", &[]).await.unwrap();
    let id = property(&api, &host, &listing()).await;
    // Payments that hang keep every workflow in flight when the kill comes,
    // however slowly this machine accepts the bookings; the restarted
    // server's gateway has no faults, so they then complete.
    let slow = api
        .call(
            Method::PUT,
            "/local/faults",
            None,
            Some(&json!({"latency_ms": 600_000})),
        )
        .await
        .unwrap();
    assert_eq!(slow.status.as_u16(), 200);
    let orders: Vec<(String, serde_json::Value)> = (0..60u32)
        .map(|i| (format!("crash-{i}"), order(&id, 3 + i, 1, "pm_card_visa")))
        .collect();
    let accepted = join_all(orders.iter().map(|(key, body)| api.book(&guest, key, body))).await;
    let ids: Vec<String> = accepted
        .iter()
        .map(|a| {
            let a = a.as_ref().expect("answered before the kill");
            assert_eq!(a.status.as_u16(), 202, "{}", a.body);
            a.body["id"].as_str().unwrap().to_owned()
        })
        .collect();
    let before = api
        .get(&format!("/bookings/{}", ids[ids.len() - 1]), Some(&guest))
        .await
        .unwrap();
    assert!(
        !matches!(before.body["status"].as_str(), Some("CONFIRMED" | "FAILED")),
        "workflows are in flight at the kill: {}",
        before.body["status"]
    );
    first.kill().expect("SIGKILL");
    first.wait().unwrap();

    let (mut second, url) = serve(data_dir.path());
    let api = Api::new(&url);
    // A client whose request died with the server retries it with its key.
    for (key, body) in &orders {
        let replay = api.book(&guest, key, body).await.unwrap();
        assert!(
            matches!(replay.status.as_u16(), 202 | 409),
            "{} {}",
            replay.status,
            replay.body
        );
    }
    for id in &ids {
        let booking = api
            .settled(&guest, id, Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(booking["status"], "CONFIRMED", "{booking}");
    }
    let bookings = invariants::bookings_of_host(&api, &host).await.unwrap();
    assert_eq!(
        bookings.len(),
        ids.len(),
        "no booking lost, none made twice"
    );
    let charges = invariants::charges(&api).await.unwrap();
    let violations = invariants::violations(&bookings, &charges);
    assert!(violations.is_empty(), "{}", violations.join("\n"));
    second.kill().unwrap();
    second.wait().unwrap();
}
