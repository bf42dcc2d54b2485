//! Calendar sync end to end over HTTP (docs/architecture.md, "Calendar
//! sync"): another channel's feed served on 127.0.0.1 (the server started
//! with `--allow-private-feeds`, except where the refusal is the point),
//! imported, moved, removed; feeds that cannot be read change nothing; a
//! collision with a Berth booking keeps the booking and is listed and told;
//! the export read back by an independent parser (Python's `icalendar`, in
//! .venv); and imports racing reservations.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{Method, StatusCode};
use axum::response::IntoResponse;
use berth_domain::dates::Date;
use berth_local::client::Api;
use serde_json::{Value, json};

use berth_local::serve::{Backend, start};

use crate::support::{
    Options, TestApp, args, day, eventually, listing, order, property, spawn_with,
};

/// What the other channel answers: a status and a body, changed by the test.
#[derive(Clone)]
struct Channel(Arc<Mutex<(u16, String)>>);

impl Channel {
    /// Serves the feed on 127.0.0.1; answers it and its URL.
    async fn start() -> (Self, String) {
        let channel = Self(Arc::new(Mutex::new((200, String::new()))));
        let app = axum::Router::new()
            .route("/feed.ics", axum::routing::get(serve))
            .with_state(channel.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/feed.ics", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (channel, url)
    }

    fn answer(&self, status: u16, body: impl Into<String>) {
        *self.0.lock().unwrap() = (status, body.into());
    }

    /// A feed of `events`: (UID, first night, nights).
    fn events(&self, events: &[(&str, u32, u32)]) {
        self.answer(200, feed(events));
    }
}

async fn serve(State(channel): State<Channel>) -> impl IntoResponse {
    let (status, body) = channel.0.lock().unwrap().clone();
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "text/calendar")],
        body,
    )
}

fn compact(date: Date) -> String {
    date.to_string().replace('-', "")
}

/// An Airbnb-style feed: whole-day events, CRLF lines.
fn feed(events: &[(&str, u32, u32)]) -> String {
    let mut text =
        String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other channel//EN\r\n");
    for (uid, from, nights) in events {
        text += &format!(
            "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;VALUE=DATE:{}\r\n\
             DTEND;VALUE=DATE:{}\r\nSUMMARY:Reserved\r\nEND:VEVENT\r\n",
            compact(day(*from)),
            compact(day(from + nights))
        );
    }
    text + "END:VCALENDAR\r\n"
}

/// Whether each night from `from` (for `nights`) is unavailable.
async fn closed(api: &Api, id: &str, from: u32, nights: u32) -> Vec<bool> {
    let path = format!(
        "/properties/{id}/availability?from={}&to={}",
        day(from),
        day(from + nights)
    );
    let answer = api.get(&path, None).await.unwrap();
    answer.body["nights"]
        .as_array()
        .unwrap_or_else(|| panic!("{}", answer.body))
        .iter()
        .map(|n| n["status"] == "unavailable")
        .collect()
}

/// Waits until search offers (or no longer offers) the property for two
/// nights from `from`: search follows imports through their events.
async fn found_by_search(api: &Api, id: &str, from: u32, offered: bool) {
    let path = format!(
        "/search?city=Lisbon&check_in={}&check_out={}&guests=2",
        day(from),
        day(from + 2)
    );
    let what = format!("search to offer={offered} nights from day {from}");
    eventually(Duration::from_secs(20), &what, || async {
        let answer = api.get(&path, None).await.unwrap();
        let results = answer.body["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        results.iter().any(|r| r["property_id"] == id) == offered
    })
    .await;
}

async fn sync(api: &Api, host: &str, id: &str, feed: &str) -> Value {
    let path = format!("/properties/{id}/calendar/feeds/{feed}/sync");
    let answer = api.post(&path, Some(host), &json!({})).await.unwrap();
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

async fn add_feed(api: &Api, host: &str, id: &str, url: &str) -> Value {
    let path = format!("/properties/{id}/calendar/feeds");
    let answer = api
        .post(&path, Some(host), &json!({"url": url, "name": "Airbnb"}))
        .await
        .unwrap();
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.body
}

/// The path and query of an export link on this server.
fn path_of(url: &str) -> String {
    url.split_once("/properties/")
        .map(|(_, rest)| format!("/properties/{rest}"))
        .unwrap_or_else(|| panic!("not an export link: {url}"))
}

/// `berth serve --allow-private-feeds` on `backend`: SQLite, or the AWS
/// adapters on moto (the test runs through scripts/emulators.sh).
async fn spawn_feeds_on(backend: Backend) -> TestApp {
    let options = Options {
        allow_private_feeds: true,
        ..Options::default()
    };
    let data_dir = tempfile::tempdir().expect("temp dir").keep();
    let mut serve = args(data_dir.clone(), &options);
    if backend == Backend::Aws {
        let moto = std::env::var("BERTH_MOTO_URL").unwrap_or_else(|_| {
            panic!("BERTH_MOTO_URL is not set: run the tests through scripts/emulators.sh")
        });
        serve.backend = Backend::Aws;
        serve.aws_prefix = format!("c{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        serve.aws_endpoint = Some(moto);
    }
    let server = start(&serve).await.expect("berth serve starts");
    let api = Api::new(&format!("http://{}", server.addr));
    TestApp {
        api,
        server,
        data_dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn imports_block_move_and_free_nights_and_a_feed_in_doubt_changes_nothing() {
    imports_block_move_and_free_nights_and_a_feed_in_doubt_changes_nothing_on(Backend::Embedded)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn imports_block_move_and_free_nights_and_a_feed_in_doubt_changes_nothing_on_the_aws_adapters()
 {
    imports_block_move_and_free_nights_and_a_feed_in_doubt_changes_nothing_on(Backend::Aws).await;
}

async fn imports_block_move_and_free_nights_and_a_feed_in_doubt_changes_nothing_on(
    backend: Backend,
) {
    let app = spawn_feeds_on(backend).await;
    let api = &app.api;
    let host = api.token("alice", &["hosts"]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let (channel, url) = Channel::start().await;
    let added = add_feed(api, &host, &id, &url).await;
    assert_eq!(added["events"], 0);
    assert_eq!(added["last_synced_at"], Value::Null);
    assert_eq!(added["last_error"], Value::Null);
    let feed = added["id"].as_str().unwrap();

    found_by_search(api, &id, 10, true).await;
    channel.events(&[("airbnb-1@airbnb.com", 10, 3)]);
    let synced = sync(api, &host, &id, feed).await;
    assert_eq!(
        (synced["events"].clone(), synced["last_error"].clone()),
        (json!(1), Value::Null)
    );
    assert_eq!(
        closed(api, &id, 9, 5).await,
        [false, true, true, true, false]
    );
    found_by_search(api, &id, 10, false).await;

    channel.events(&[("airbnb-1@airbnb.com", 20, 2)]);
    let good = sync(api, &host, &id, feed).await;
    assert_eq!(closed(api, &id, 10, 3).await, [false; 3], "moved away");
    assert_eq!(closed(api, &id, 20, 2).await, [true; 2], "moved here");
    found_by_search(api, &id, 10, true).await;
    found_by_search(api, &id, 20, false).await;

    for (status, body, why) in [
        (200, "", "empty"),
        (200, "this is not a calendar", "garbage"),
        (
            200,
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\n",
            "truncated",
        ),
        (500, "oops", "failing"),
    ] {
        channel.answer(status, body);
        let doubtful = sync(api, &host, &id, feed).await;
        assert!(doubtful["last_error"].is_string(), "{why}: {doubtful}");
        assert_eq!(doubtful["last_synced_at"], good["last_synced_at"], "{why}");
        assert_eq!(
            closed(api, &id, 20, 2).await,
            [true; 2],
            "{why} changed nothing"
        );
    }

    channel.events(&[("airbnb-2@airbnb.com", 30, 1)]);
    let synced = sync(api, &host, &id, feed).await;
    assert_eq!(synced["last_error"], Value::Null);
    assert_eq!(
        closed(api, &id, 20, 2).await,
        [false; 2],
        "removed event frees"
    );
    assert_eq!(closed(api, &id, 30, 1).await, [true]);
    let listed = api
        .get(&format!("/properties/{id}/calendar/feeds"), Some(&host))
        .await
        .unwrap();
    assert_eq!(listed.body["feeds"][0]["id"], feed);

    let stranger = api.token("mallory", &["hosts"]).await.unwrap();
    let path = format!("/properties/{id}/calendar/feeds/{feed}");
    let refused = api
        .call(Method::DELETE, &path, Some(&stranger), None)
        .await
        .unwrap();
    assert_eq!(refused.status, 403);
    let deleted = api
        .call(Method::DELETE, &path, Some(&host), None)
        .await
        .unwrap();
    assert_eq!(deleted.status, 204);
    assert_eq!(
        closed(api, &id, 30, 1).await,
        [false],
        "a deleted feed's nights are free"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_loopback_feed_is_refused_naming_url_without_the_flag() {
    let app = spawn_with(Options::default()).await;
    let api = &app.api;
    let host = api.token("alice", &["hosts"]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let (_channel, url) = Channel::start().await;
    let path = format!("/properties/{id}/calendar/feeds");
    for url in [
        url.as_str(),
        "http://[::1]/a.ics",
        "ftp://example.com/a.ics",
    ] {
        let refused = api
            .post(&path, Some(&host), &json!({"url": url, "name": "Airbnb"}))
            .await
            .unwrap();
        assert_eq!(refused.status, 400, "{url}: {}", refused.body);
        assert_eq!(refused.body["field"], "url", "{url}");
    }
    let listed = api.get(&path, Some(&host)).await.unwrap();
    assert_eq!(listed.body["feeds"], json!([]), "nothing was stored");
}

/// The export read by Python's `icalendar`: (UID, SUMMARY, DTSTART, DTEND) per event.
fn parsed_independently(text: &str) -> Vec<(String, String, String, String)> {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python");
    let script = "import sys, icalendar\n\
        cal = icalendar.Calendar.from_ical(sys.stdin.read())\n\
        for e in cal.walk('VEVENT'):\n\
        \x20   print(e['UID'], e['SUMMARY'], e.decoded('DTSTART').isoformat(), e.decoded('DTEND').isoformat(), sep='|')\n";
    let mut child = std::process::Command::new(&python)
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (scripts/emulators.sh install puts icalendar there)",
                python.display()
            )
        });
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "icalendar refused the export:\n{text}"
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let parts: Vec<&str> = line.split('|').collect();
            (
                parts[0].into(),
                parts[1].into(),
                parts[2].into(),
                parts[3].into(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_collision_keeps_the_booking_is_listed_and_told_and_the_export_shows_it() {
    a_collision_keeps_the_booking_is_listed_and_told_and_the_export_shows_it_on(Backend::Embedded)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_collision_keeps_the_booking_is_listed_and_told_and_the_export_shows_it_on_the_aws_adapters()
 {
    a_collision_keeps_the_booking_is_listed_and_told_and_the_export_shows_it_on(Backend::Aws).await;
}

async fn a_collision_keeps_the_booking_is_listed_and_told_and_the_export_shows_it_on(
    backend: Backend,
) {
    let app = spawn_feeds_on(backend).await;
    let api = &app.api;
    let host = api.token("alice", &["hosts"]).await.unwrap();
    let guest = api.token("bob", &[]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let booked = api
        .book(&guest, "key-1", &order(&id, 40, 2, "pm_card_visa"))
        .await
        .unwrap();
    let booking = booked.body["id"].as_str().unwrap().to_owned();
    let settled = api
        .settled(&guest, &booking, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(settled["status"], "CONFIRMED");

    let (channel, url) = Channel::start().await;
    let feed = add_feed(api, &host, &id, &url).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    channel.events(&[("vrbo-7@vrbo.com", 41, 2)]);
    sync(api, &host, &id, &feed).await;
    let conflicts = api
        .get(&format!("/properties/{id}/calendar/conflicts"), Some(&host))
        .await
        .unwrap();
    assert_eq!(
        conflicts.body["conflicts"],
        json!([{"date": day(41), "feed_id": feed, "event_uid": "vrbo-7@vrbo.com", "booking_id": booking}])
    );
    let still = api
        .get(&format!("/bookings/{booking}"), Some(&guest))
        .await
        .unwrap();
    assert_eq!(
        still.body["status"], "CONFIRMED",
        "the booking keeps its nights"
    );
    assert_eq!(
        closed(api, &id, 40, 3).await,
        [true; 3],
        "night 42 is imported"
    );
    sync(api, &host, &id, &feed).await;
    eventually(
        Duration::from_secs(20),
        "the host is told of the conflict",
        || async {
            let inbox = api
                .get("/local/notifications?user=alice", None)
                .await
                .unwrap();
            inbox.body["notifications"].as_array().is_some_and(|n| {
                n.iter()
                    .filter(|m| m.to_string().contains("calendar"))
                    .count()
                    == 1
            })
        },
    )
    .await;

    let link = api
        .get(&format!("/properties/{id}/calendar/export"), Some(&host))
        .await
        .unwrap();
    let url = link.body["url"].as_str().unwrap().to_owned();
    let path = &path_of(&url);
    let export = api.get(path, None).await.unwrap();
    assert_eq!(export.status, 200);
    assert!(
        export
            .header("content-type")
            .unwrap()
            .starts_with("text/calendar")
    );
    assert!(!export.text.contains("bob"), "no personal data");
    let events = parsed_independently(&export.text);
    let reserved: Vec<_> = events.iter().filter(|e| e.1 == "Reserved").collect();
    assert_eq!(reserved.len(), 1, "{events:?}");
    assert_eq!(
        (reserved[0].2.as_str(), reserved[0].3.as_str()),
        (day(40).to_string().as_str(), day(42).to_string().as_str())
    );
    assert!(
        events
            .iter()
            .any(|e| e.1 == "Not available" && e.2 == day(42).to_string())
    );
    assert_eq!(
        parsed_independently(&api.get(path, None).await.unwrap().text),
        events,
        "UIDs are stable"
    );

    let rotated = api
        .post(
            &format!("/properties/{id}/calendar/export/rotate"),
            Some(&host),
            &json!({}),
        )
        .await
        .unwrap();
    let fresh = rotated.body["url"].as_str().unwrap();
    assert_ne!(fresh, url);
    assert_eq!(
        api.get(path, None).await.unwrap().status,
        404,
        "the old link is dead"
    );
    assert!(
        fresh.starts_with(&format!("{}/properties/", api.base())),
        "{fresh}"
    );
    assert_eq!(api.get(&path_of(fresh), None).await.unwrap().status, 200);
    let bare = format!("/properties/{id}/calendar.ics");
    assert_eq!(api.get(&bare, None).await.unwrap().status, 404, "no token");
}

/// Feeds synced over and over while guests book the same nights: at the end
/// every night a confirmed booking holds that a feed closes is a recorded
/// conflict, and no night is both imported and booked.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn imports_racing_reservations_never_leave_a_collision_unrecorded() {
    imports_racing_reservations_never_leave_a_collision_unrecorded_on(Backend::Embedded).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn imports_racing_reservations_never_leave_a_collision_unrecorded_on_the_aws_adapters() {
    imports_racing_reservations_never_leave_a_collision_unrecorded_on(Backend::Aws).await;
}

async fn imports_racing_reservations_never_leave_a_collision_unrecorded_on(backend: Backend) {
    let app = spawn_feeds_on(backend).await;
    let api = &app.api;
    let host = api.token("alice", &["hosts"]).await.unwrap();
    let id = property(api, &host, &listing()).await;
    let mut feeds = Vec::new();
    for i in 0..3u32 {
        let (channel, url) = Channel::start().await;
        channel.events(&[(&format!("event-{i}"), 60 + i * 3, 4)]);
        let feed = add_feed(api, &host, &id, &url).await["id"]
            .as_str()
            .unwrap()
            .to_owned();
        feeds.push((feed, 60 + i * 3, channel));
    }
    let guests: Vec<String> = futures::future::join_all(
        // moto answers about 320 operations a second: fewer guests there.
        (0..if backend == Backend::Aws { 8 } else { 12 })
            .map(|i| async move { api.token(&format!("guest-{i}"), &[]).await.unwrap() }),
    )
    .await;
    let id = id.as_str();
    let bookings = guests.iter().enumerate().map(|(i, guest)| async move {
        let from = 58 + (i as u32 * 2) % 14;
        let answer = api
            .book(guest, &format!("k{i}"), &order(id, from, 2, "pm_card_visa"))
            .await
            .unwrap();
        let booking = answer.body["id"].as_str().unwrap().to_owned();
        let settled = api
            .settled(guest, &booking, Duration::from_secs(90))
            .await
            .unwrap();
        (
            booking,
            from,
            settled["status"].as_str().unwrap_or_default().to_owned(),
        )
    });
    let syncs = async {
        for _ in 0..5 {
            futures::future::join_all(feeds.iter().map(|(feed, ..)| sync(api, &host, id, feed)))
                .await;
        }
    };
    let (settled, ()) = tokio::join!(futures::future::join_all(bookings), syncs);
    for (feed, ..) in &feeds {
        sync(api, &host, id, feed).await;
    }
    let conflicts = api
        .get(&format!("/properties/{id}/calendar/conflicts"), Some(&host))
        .await
        .unwrap();
    let recorded: BTreeSet<(String, String, String)> = conflicts.body["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["date"].to_string(),
                c["feed_id"].to_string(),
                c["booking_id"].to_string(),
            )
        })
        .collect();
    let confirmed: Vec<_> = settled.iter().filter(|(.., s)| s == "CONFIRMED").collect();
    assert!(
        !confirmed.is_empty() && confirmed.len() < settled.len(),
        "a real race: {settled:?}"
    );
    for (booking, from, _) in &confirmed {
        for night in *from..from + 2 {
            for (feed, first, _) in &feeds {
                if (*first..first + 4).contains(&night) {
                    let key = (
                        json!(day(night)).to_string(),
                        json!(feed).to_string(),
                        json!(booking).to_string(),
                    );
                    assert!(
                        recorded.contains(&key),
                        "night {} of {booking} closed by {feed} unrecorded",
                        day(night)
                    );
                }
            }
        }
    }
    assert_eq!(
        closed(api, id, 58, 18)
            .await
            .iter()
            .filter(|c| !**c)
            .count(),
        (58..76)
            .filter(|n| !feeds.iter().any(|(_, f, _)| (*f..f + 4).contains(n))
                && !confirmed
                    .iter()
                    .any(|(_, from, _)| (*from..from + 2).contains(n)))
            .count(),
        "every night is free exactly when no feed closes it and no booking holds it"
    );
}
