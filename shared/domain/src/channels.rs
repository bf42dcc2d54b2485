//! Other channels a property is sold on (Airbnb, Booking.com, VRBO): their
//! calendars imported as feeds, which close the nights they are sold on
//! there, and Berth's own calendar exported behind a secret link.
//!
//! A sync replaces what a feed imported before, event by event (by UID): new
//! events close nights, removed events open them, moved events move. A night
//! a Berth booking holds or has booked is never taken from it: the collision
//! is a [`Conflict`] the host is told about.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::dates::{Date, Timestamp};
use crate::error::InvalidInput;
use crate::ids::{BookingId, FeedId, PropertyId};

/// The longest URL a feed may have.
pub const MAX_URL_LENGTH: usize = 2048;
/// The longest name a host may give a feed.
pub const MAX_NAME_LENGTH: usize = 80;
/// How many feeds one property may import.
pub const MAX_FEEDS_PER_PROPERTY: usize = 10;

/// One event of an imported feed: the nights it closes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEvent {
    pub uid: String,
    pub nights: Vec<Date>,
}

/// A feed a host asked Berth to import.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feed {
    pub id: FeedId,
    pub property_id: PropertyId,
    pub name: String,
    pub url: String,
    /// The last sync that changed the calendar as the feed said.
    pub last_synced_at: Option<Timestamp>,
    /// Why the last sync did not, if it did not.
    pub last_error: Option<String>,
    /// The events the last good sync imported.
    pub events: u32,
}

/// A host's request to import a feed, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFeed {
    pub name: String,
    pub url: String,
}

impl NewFeed {
    /// The name trimmed, 1 to [`MAX_NAME_LENGTH`] characters; the URL
    /// `http(s)://` with a host and at most [`MAX_URL_LENGTH`] bytes. Whether
    /// its host may be fetched from is the fetcher's to say.
    pub fn parse(name: &str, url: &str) -> Result<Self, InvalidInput> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_LENGTH {
            return Err(InvalidInput::new(
                "name",
                format!("must be 1 to {MAX_NAME_LENGTH} characters"),
            ));
        }
        let url = url.trim();
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        let host_given = rest.is_some_and(|rest| {
            !rest.is_empty() && !rest.starts_with('/') && !rest.starts_with('?')
        });
        if !host_given || url.len() > MAX_URL_LENGTH || url.chars().any(char::is_whitespace) {
            return Err(InvalidInput::new(
                "url",
                format!("must be an http or https URL of at most {MAX_URL_LENGTH} bytes"),
            ));
        }
        Ok(Self {
            name: name.to_owned(),
            url: url.to_owned(),
        })
    }

    /// As [`NewFeed::parse`]; without a name, the feed is named after its
    /// URL's host (and port).
    pub fn parse_or_host(name: Option<&str>, url: &str) -> Result<Self, InvalidInput> {
        if let Some(name) = name {
            return Self::parse(name, url);
        }
        let authority = url
            .trim()
            .split_once("://")
            .map(|(_, rest)| rest.split(['/', '?', '#']).next().unwrap_or(rest))
            .unwrap_or_default();
        let host = authority.rsplit('@').next().unwrap_or(authority);
        let name: String = host.chars().take(MAX_NAME_LENGTH).collect();
        Self::parse(&name, url).map_err(|error| InvalidInput {
            field: "url".into(),
            ..error
        })
    }

    pub fn into_feed(self, property_id: PropertyId) -> Feed {
        Feed {
            id: FeedId::generate(),
            property_id,
            name: self.name,
            url: self.url,
            last_synced_at: None,
            last_error: None,
            events: 0,
        }
    }
}

/// A night an imported event closes that a Berth booking already holds or
/// has booked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    pub date: Date,
    pub feed_id: FeedId,
    pub event_uid: String,
    pub booking_id: BookingId,
}

/// What one sync changes: the nights to close for an event (new, or moved
/// from another event of the same feed) and the nights the feed no longer
/// closes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncPlan {
    pub close: BTreeMap<Date, String>,
    pub open: BTreeSet<Date>,
}

impl SyncPlan {
    /// From what the feed closed before (night → event UID) to what its
    /// events say now. When two events of a feed name one night, the first
    /// UID in order keeps it.
    pub fn between(before: &BTreeMap<Date, String>, events: &[FeedEvent]) -> Self {
        let mut wanted: BTreeMap<Date, &str> = BTreeMap::new();
        for event in events {
            for night in &event.nights {
                wanted.entry(*night).or_insert(&event.uid);
            }
        }
        let close = wanted
            .iter()
            .filter(|(night, uid)| before.get(*night).map(String::as_str) != Some(**uid))
            .map(|(night, uid)| (*night, (*uid).to_owned()))
            .collect();
        let open = before
            .keys()
            .filter(|night| !wanted.contains_key(*night))
            .copied()
            .collect();
        Self { close, open }
    }

    pub fn is_empty(&self) -> bool {
        self.close.is_empty() && self.open.is_empty()
    }
}

/// The secret in a property's export link. Whoever has it can read which
/// nights are closed, nothing more; rotating it replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ExportToken(String);

impl ExportToken {
    /// 244 random bits (two version-4 UUIDs), as 64 hex digits.
    pub fn generate() -> Self {
        Self(format!(
            "{}{}",
            Uuid::new_v4().simple(),
            Uuid::new_v4().simple()
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `presented` is this token, compared in time that does not
    /// depend on where they differ.
    pub fn matches(&self, presented: &str) -> bool {
        let (ours, theirs) = (self.0.as_bytes(), presented.as_bytes());
        ours.len() == theirs.len()
            && ours
                .iter()
                .zip(theirs)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

impl TryFrom<String> for ExportToken {
    type Error = InvalidInput;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        let valid = text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit());
        valid
            .then_some(Self(text))
            .ok_or_else(|| InvalidInput::new("token", "is not an export token"))
    }
}

impl From<ExportToken> for String {
    fn from(token: ExportToken) -> Self {
        token.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> Date {
        Date::parse(text).expect("a date")
    }

    fn event(uid: &str, nights: &[&str]) -> FeedEvent {
        FeedEvent {
            uid: uid.into(),
            nights: nights.iter().map(|n| day(n)).collect(),
        }
    }

    fn closed(nights: &[(&str, &str)]) -> BTreeMap<Date, String> {
        nights
            .iter()
            .map(|(n, uid)| (day(n), (*uid).to_owned()))
            .collect()
    }

    #[test]
    fn new_events_close_removed_events_open_and_moved_events_move() {
        let before = closed(&[
            ("2027-03-01", "a"),
            ("2027-03-02", "a"),
            ("2027-03-10", "gone"),
        ]);
        let plan = SyncPlan::between(
            &before,
            &[
                event("a", &["2027-03-02", "2027-03-03"]),
                event("new", &["2027-04-01"]),
            ],
        );
        assert_eq!(
            plan.close,
            closed(&[("2027-03-03", "a"), ("2027-04-01", "new")])
        );
        assert_eq!(
            plan.open,
            [day("2027-03-01"), day("2027-03-10")].into_iter().collect()
        );
    }

    #[test]
    fn a_feed_that_says_what_it_said_changes_nothing() {
        let before = closed(&[("2027-03-01", "a")]);
        assert!(SyncPlan::between(&before, &[event("a", &["2027-03-01"])]).is_empty());
    }

    #[test]
    fn a_night_named_by_two_events_goes_to_the_first_and_moves_between_events() {
        let before = closed(&[("2027-03-01", "b")]);
        let plan = SyncPlan::between(
            &before,
            &[event("a", &["2027-03-01"]), event("b", &["2027-03-01"])],
        );
        assert_eq!(plan.close, closed(&[("2027-03-01", "a")]));
        assert!(plan.open.is_empty());
    }

    #[test]
    fn a_feed_request_names_the_field_at_fault() {
        assert!(NewFeed::parse("Airbnb", "https://www.airbnb.com/calendar/ical/1.ics").is_ok());
        assert!(
            NewFeed::parse(" VRBO ", "http://example.com/a.ics").is_ok_and(|f| f.name == "VRBO")
        );
        for (name, url, field) in [
            ("", "https://example.com/a.ics", "name"),
            (&"x".repeat(81), "https://example.com/a.ics", "name"),
            ("Airbnb", "ftp://example.com/a.ics", "url"),
            ("Airbnb", "https://", "url"),
            ("Airbnb", "https:///path", "url"),
            ("Airbnb", "https://exa mple.com/", "url"),
            ("Airbnb", "javascript:alert(1)", "url"),
            (
                "Airbnb",
                &format!("https://example.com/{}", "a".repeat(2048)),
                "url",
            ),
        ] {
            let error = NewFeed::parse(name, url).expect_err(url);
            assert_eq!(error.field, field, "{name:?} {url:?}");
        }
    }

    #[test]
    fn a_feed_without_a_name_is_named_after_its_host() {
        let named = |url| NewFeed::parse_or_host(None, url).map(|f| f.name);
        assert_eq!(
            named("https://www.airbnb.com/calendar/ical/1.ics?s=x").unwrap(),
            "www.airbnb.com"
        );
        assert_eq!(
            named("http://user@127.0.0.1:8080/a.ics").unwrap(),
            "127.0.0.1:8080"
        );
        assert_eq!(
            NewFeed::parse_or_host(Some("VRBO"), "https://example.com/")
                .unwrap()
                .name,
            "VRBO"
        );
        assert_eq!(named("https:///nohost").unwrap_err().field, "url");
        assert_eq!(named("not a url").unwrap_err().field, "url");
    }

    #[test]
    fn an_export_token_matches_only_itself() {
        let token = ExportToken::generate();
        assert_eq!(token.as_str().len(), 64);
        assert!(token.matches(token.as_str()));
        assert!(!token.matches(ExportToken::generate().as_str()));
        assert!(!token.matches(""));
        assert!(!token.matches(&token.as_str()[..63]));
        assert!(ExportToken::try_from("nothex".to_owned()).is_err());
    }
}
