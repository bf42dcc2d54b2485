//! Use cases of calendar sync with other channels: a host's feeds (add,
//! list, delete, sync now), the scheduled sync of every feed, conflicts, and
//! the secret export link. docs/architecture.md, "Calendar sync".
//!
//! A sync reads the feed, plans against what that feed imported before
//! ([`SyncPlan::between`]) and applies the plan night by night under the
//! night rules. Never wipe on doubt: a feed that cannot be read changes
//! nothing; it records `last_error`, and `last_synced_at` stays at the last
//! good sync.

use std::collections::BTreeMap;

use futures::stream::{self, StreamExt};

use crate::calendar::{Night, NightState, rules};
use crate::catalog::{CatalogError, managed_property, property};
use crate::channels::{Conflict, ExportToken, Feed, MAX_FEEDS_PER_PROPERTY, NewFeed, SyncPlan};
use crate::dates::{Date, DateRange, Timestamp};
use crate::error::InvalidInput;
use crate::events::{Change, DomainEvent};
use crate::ids::{FeedId, PropertyId};
use crate::ports::{
    BookingReader, CalendarConflicts, CalendarReader, ExportLinks, FeedNights, FeedReadError,
    FeedReader, FeedStore, PropertyReader,
};
use crate::user::Caller;

/// The nights a sync reads and writes: from today, a year ahead (what the
/// channels themselves publish).
pub const SYNC_WINDOW_DAYS: u32 = 365;

/// The nights a sync (and the export) covers at `now`.
pub fn window(now: Timestamp) -> DateRange {
    let today = Date::of(now);
    DateRange {
        from: today,
        to: today.add_days(SYNC_WINDOW_DAYS),
    }
}

/// The ports a sync runs on.
pub struct Syncing<'a> {
    pub calendar: &'a dyn CalendarReader,
    pub feeds: &'a dyn FeedStore,
    pub nights: &'a dyn FeedNights,
    pub conflicts: &'a dyn CalendarConflicts,
    pub bookings: &'a dyn BookingReader,
    pub reader: &'a dyn FeedReader,
}

/// The event that says which nights a feed closed (or opened): the search
/// index and other read models see imports as they see a host's blocks.
pub fn imported_event(
    property: &PropertyId,
    dates: Vec<Date>,
    closed: bool,
    now: Timestamp,
) -> DomainEvent {
    DomainEvent::new(
        Change::CalendarChanged {
            property_id: property.clone(),
            blocked: closed,
            dates,
        },
        now,
    )
}

/// Syncs one feed now and answers it as it stands after.
#[tracing::instrument(skip_all, fields(feed = %feed.id))]
pub async fn sync_feed(
    ports: &Syncing<'_>,
    mut feed: Feed,
    now: Timestamp,
) -> anyhow::Result<Feed> {
    let window = window(now);
    let events = match ports.reader.events(&feed.url, window).await {
        Ok(events) => events,
        Err(error) => {
            tracing::info!(%error, "feed not imported; the calendar is left as it was");
            feed.last_error = Some(error.to_string());
            ports.feeds.save_feed(&feed).await?;
            return Ok(feed);
        }
    };
    let property = feed.property_id.clone();
    let nights = ports.calendar.nights(&property, window).await?;
    let plan = SyncPlan::between(&imported_by(&nights, &feed.id), &events);
    ports
        .nights
        .release_imported(&property, &feed.id, &plan.open, now)
        .await?;
    let (tried, mut refused) = refused_as_read(&plan, &nights, &feed.id, now);
    refused.extend(
        ports
            .nights
            .import_nights(&property, &feed.id, &tried, now)
            .await?,
    );
    record_collisions(ports, &feed, &plan, refused, now).await?;
    feed.last_synced_at = Some(now);
    feed.last_error = None;
    feed.events = u32::try_from(events.len()).unwrap_or(u32::MAX);
    if !ports.feeds.save_feed(&feed).await? {
        // Deleted while it synced: what it imported goes with it.
        release_all(ports, &feed, now).await?;
    }
    Ok(feed)
}

/// Nights the feed closes that it could not import: a conflict where a
/// booking holds or has booked one (recorded once: those known already are
/// not written again); a host's block or another feed's night keeps it
/// closed already.
async fn record_collisions(
    ports: &Syncing<'_>,
    feed: &Feed,
    plan: &SyncPlan,
    refused: Vec<Night>,
    now: Timestamp,
) -> anyhow::Result<()> {
    let collisions: Vec<Conflict> = refused
        .iter()
        .filter_map(|night| {
            Some(Conflict {
                date: night.date,
                feed_id: feed.id.clone(),
                event_uid: plan.close.get(&night.date)?.clone(),
                booking_id: night.state.booking()?.clone(),
            })
        })
        .collect();
    if collisions.is_empty() {
        return Ok(());
    }
    let known = ports.conflicts.conflicts(&feed.property_id).await?;
    for conflict in collisions {
        let same = |c: &Conflict| {
            (c.date, &c.feed_id, &c.booking_id)
                == (conflict.date, &conflict.feed_id, &conflict.booking_id)
        };
        if !known.iter().any(same) {
            record_collision(ports, feed, conflict, now).await?;
        }
    }
    Ok(())
}

/// Records one conflict with its event (the booking as it stands) and
/// its host's notification.
async fn record_collision(
    ports: &Syncing<'_>,
    feed: &Feed,
    conflict: Conflict,
    now: Timestamp,
) -> anyhow::Result<()> {
    let Some(booking) = ports.bookings.booking(&conflict.booking_id).await? else {
        return Ok(());
    };
    let (date, booking_id) = (conflict.date, conflict.booking_id.clone());
    let event = DomainEvent::new(
        Change::CalendarConflict {
            conflict: conflict.clone(),
            booking,
        },
        now,
    );
    if ports
        .conflicts
        .record_conflict(&feed.property_id, &conflict, &event)
        .await?
    {
        tracing::warn!(%date, booking = %booking_id, "an imported feed collides with a booking");
    }
    Ok(())
}

/// The nights of `plan` to try importing, and those the import rule
/// refuses as read: those are not even tried (a refused write costs as
/// much as one made, and a cancelled transaction is work for nothing). The
/// write decides the others, so a night taken since the read is refused
/// there.
fn refused_as_read(
    plan: &SyncPlan,
    nights: &[Night],
    feed: &FeedId,
    now: Timestamp,
) -> (BTreeMap<Date, String>, Vec<Night>) {
    let mut tried = BTreeMap::new();
    let mut refused = Vec::new();
    for (date, uid) in &plan.close {
        match nights.iter().find(|n| n.date == *date) {
            Some(night) if !rules::may_import(Some(&night.state), feed, now) => {
                refused.push(night.clone());
            }
            _ => {
                tried.insert(*date, uid.clone());
            }
        }
    }
    (tried, refused)
}

/// What `feed` imported among `nights`: night → event UID.
pub fn imported_by(nights: &[Night], feed: &FeedId) -> BTreeMap<Date, String> {
    nights
        .iter()
        .filter_map(|night| match &night.state {
            NightState::Imported { feed_id, event_uid } if feed_id == feed => {
                Some((night.date, event_uid.clone()))
            }
            _ => None,
        })
        .collect()
}

async fn release_all(ports: &Syncing<'_>, feed: &Feed, now: Timestamp) -> anyhow::Result<()> {
    let nights = ports
        .calendar
        .nights(&feed.property_id, window(now))
        .await?;
    let dates = imported_by(&nights, &feed.id).into_keys().collect();
    ports
        .nights
        .release_imported(&feed.property_id, &feed.id, &dates, now)
        .await
}

/// What one scheduled run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SyncReport {
    pub synced: u32,
    pub failed: u32,
}

/// Feeds a scheduled run fetches at once: each fetch mostly waits on
/// another channel's server (up to 10 s), so a run of many feeds takes
/// a fraction of the time one after another would.
pub const SYNC_CONCURRENCY: usize = 8;

/// Syncs every feed of every property, [`SYNC_CONCURRENCY`] at a time; a
/// feed that fails (its own error recorded) does not stop the others.
pub async fn sync_all(ports: &Syncing<'_>, now: Timestamp) -> anyhow::Result<SyncReport> {
    let feeds = ports.feeds.all_feeds().await?;
    let outcomes: Vec<anyhow::Result<Feed>> = stream::iter(feeds)
        .map(|feed| sync_feed(ports, feed, now))
        .buffer_unordered(SYNC_CONCURRENCY)
        .collect()
        .await;
    let mut report = SyncReport::default();
    for outcome in outcomes {
        match outcome {
            Ok(feed) if feed.last_error.is_none() => report.synced += 1,
            Ok(_) => report.failed += 1,
            Err(error) => {
                tracing::error!(error = format!("{error:#}"), "a feed's sync failed");
                report.failed += 1;
            }
        }
    }
    Ok(report)
}

/// A host adds a feed to import; it syncs on the next schedule or on
/// request. A URL that may not be fetched from is refused naming `url`.
pub async fn add_feed(
    properties: &dyn PropertyReader,
    feeds: &dyn FeedStore,
    reader: &dyn FeedReader,
    caller: &Caller,
    id: &PropertyId,
    request: NewFeed,
) -> Result<Feed, CatalogError> {
    managed_property(properties, caller, id).await?;
    if feeds.feeds(id).await?.len() >= MAX_FEEDS_PER_PROPERTY {
        return Err(InvalidInput::new(
            "url",
            format!("a property imports at most {MAX_FEEDS_PER_PROPERTY} feeds"),
        )
        .into());
    }
    match reader.check(&request.url).await {
        Ok(()) => {}
        Err(FeedReadError::Refused(why) | FeedReadError::Failed(why)) => {
            return Err(InvalidInput::new("url", why).into());
        }
    }
    let feed = request.into_feed(id.clone());
    feeds.insert_feed(&feed).await?;
    Ok(feed)
}

/// The property's feeds, for its host.
pub async fn list_feeds(
    properties: &dyn PropertyReader,
    feeds: &dyn FeedStore,
    caller: &Caller,
    id: &PropertyId,
) -> Result<Vec<Feed>, CatalogError> {
    managed_property(properties, caller, id).await?;
    Ok(feeds.feeds(id).await?)
}

/// One feed of the property, for its host.
async fn managed_feed(
    properties: &dyn PropertyReader,
    feeds: &dyn FeedStore,
    caller: &Caller,
    id: &PropertyId,
    feed: &FeedId,
) -> Result<Feed, CatalogError> {
    list_feeds(properties, feeds, caller, id)
        .await?
        .into_iter()
        .find(|f| &f.id == feed)
        .ok_or_else(|| CatalogError::FeedNotFound(feed.clone()))
}

/// Deletes a feed; the nights it imported are free again.
pub async fn delete_feed(
    properties: &dyn PropertyReader,
    ports: &Syncing<'_>,
    caller: &Caller,
    id: &PropertyId,
    feed: &FeedId,
    now: Timestamp,
) -> Result<(), CatalogError> {
    let feed = managed_feed(properties, ports.feeds, caller, id, feed).await?;
    if !ports.feeds.delete_feed(id, &feed.id).await? {
        return Err(CatalogError::FeedNotFound(feed.id));
    }
    release_all(ports, &feed, now).await?;
    Ok(())
}

/// Syncs one of the property's feeds now, for its host.
pub async fn sync_now(
    properties: &dyn PropertyReader,
    ports: &Syncing<'_>,
    caller: &Caller,
    id: &PropertyId,
    feed: &FeedId,
    now: Timestamp,
) -> Result<Feed, CatalogError> {
    let feed = managed_feed(properties, ports.feeds, caller, id, feed).await?;
    Ok(sync_feed(ports, feed, now).await?)
}

/// The property's conflicts, for its host.
pub async fn conflicts(
    properties: &dyn PropertyReader,
    store: &dyn CalendarConflicts,
    caller: &Caller,
    id: &PropertyId,
) -> Result<Vec<Conflict>, CatalogError> {
    managed_property(properties, caller, id).await?;
    Ok(store.conflicts(id).await?)
}

/// The property's export token, issued on first request, for its host.
pub async fn export_token(
    properties: &dyn PropertyReader,
    links: &dyn ExportLinks,
    caller: &Caller,
    id: &PropertyId,
) -> Result<ExportToken, CatalogError> {
    managed_property(properties, caller, id).await?;
    match links.export_token(id).await? {
        Some(token) => Ok(token),
        None => Ok(links
            .issue_export_token(id, &ExportToken::generate())
            .await?),
    }
}

/// A new export token for the property: the old link stops working.
pub async fn rotate_export_token(
    properties: &dyn PropertyReader,
    links: &dyn ExportLinks,
    caller: &Caller,
    id: &PropertyId,
) -> Result<ExportToken, CatalogError> {
    managed_property(properties, caller, id).await?;
    let token = ExportToken::generate();
    links.replace_export_token(id, &token).await?;
    Ok(token)
}

/// The closed nights of the export window, for whoever presents the
/// property's token. A missing property, no token issued or a wrong token
/// all answer `NotFound`, alike.
pub async fn exported_nights(
    properties: &dyn PropertyReader,
    links: &dyn ExportLinks,
    calendar: &dyn CalendarReader,
    id: &PropertyId,
    presented: &str,
    now: Timestamp,
) -> Result<Vec<Night>, CatalogError> {
    property(properties, id).await?;
    let valid = links
        .export_token(id)
        .await?
        .is_some_and(|token| token.matches(presented));
    if !valid {
        return Err(CatalogError::NotFound(id.clone()));
    }
    let nights = calendar.nights(id, window(now)).await?;
    Ok(nights
        .into_iter()
        .filter(|night| night.state.is_taken(now))
        .collect())
}
