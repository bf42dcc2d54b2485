//! Ports: what the domain needs from the world, one small trait per need, so
//! that each function is given exactly what its policy in the template allows.
//!
//! Every port has an embedded adapter (SQLite, for the local platform) and an
//! AWS adapter, and both pass the same contract tests. Each method's doc says
//! which errors it returns; `anyhow::Error` always means "the backing service
//! could not answer" and is worth retrying.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::booking::{Booking, BookingStatus, PaymentMethod};
use crate::calendar::Night;
use crate::channels::{Conflict, ExportToken, Feed, FeedEvent};
use crate::dates::{Date, DateRange, Timestamp};
use crate::events::DomainEvent;
use crate::ids::{BookingId, FeedId, PropertyId, UserId};
use crate::money::{Currency, Money};
use crate::property::{Amenity, Property};
use crate::user::{Profile, Signals};

/// A conditional write that found the stored state other than expected.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the stored state changed under this write")]
    Conflict,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

pub trait Clock: Send + Sync {
    fn now(&self) -> Timestamp;
}

/// The wall clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }
}

#[async_trait]
pub trait PropertyReader: Send + Sync {
    /// The property with this id, or `None` when there is none.
    async fn property(&self, id: &PropertyId) -> anyhow::Result<Option<Property>>;
}

/// A host's own listings.
#[async_trait]
pub trait HostListings: Send + Sync {
    /// The properties `host` listed, newest first, a page at a time.
    async fn listings_of(
        &self,
        host: &UserId,
        page: &PageRequest<PropertyId>,
    ) -> anyhow::Result<Page<Property, PropertyId>>;
}

#[async_trait]
pub trait PropertyWriter: Send + Sync {
    /// Stores a new property and its `PropertyCreated` event, atomically.
    async fn insert_property(&self, property: &Property, event: &DomainEvent)
    -> anyhow::Result<()>;

    /// Replaces the stored property with `property` and records `event`,
    /// atomically, if the stored version is `property.version - 1`.
    /// `WriteError::Conflict` when another change landed first (nothing is written).
    async fn update_property(
        &self,
        property: &Property,
        event: &DomainEvent,
    ) -> Result<(), WriteError>;
}

#[async_trait]
pub trait CalendarReader: Send + Sync {
    /// The records of the property's nights within `range`, in date order.
    /// Free nights have no record.
    async fn nights(&self, property: &PropertyId, range: DateRange) -> anyhow::Result<Vec<Night>>;
}

#[async_trait]
pub trait CalendarWriter: Send + Sync {
    /// Blocks (or unblocks) exactly `dates` and records `event`, atomically.
    /// Blocking requires every night to be free or an expired hold at `now`;
    /// unblocking requires every night to be blocked. `WriteError::Conflict`
    /// when one is not (nothing is written). At most 90 dates.
    async fn set_blocked(
        &self,
        property: &PropertyId,
        dates: &[Date],
        blocked: bool,
        now: Timestamp,
        event: &DomainEvent,
    ) -> Result<(), WriteError>;
}

/// Whose bookings to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Guest,
    Host,
}

/// A page of a listing: at most `limit` items after the `after` cursor (the
/// id of the last item of the page before; ids sort by creation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<Cursor = BookingId> {
    pub limit: u32,
    pub after: Option<Cursor>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T, Cursor = BookingId> {
    pub items: Vec<T>,
    /// Where the next page starts; `None` on the last page.
    pub next: Option<Cursor>,
}

impl<T, Cursor> Page<T, Cursor> {
    /// The page of `items`, read in order up to `limit + 1` of them: the
    /// one beyond `limit` only tells that more follow, and the cursor is
    /// the id (`id_of`) of the last item kept.
    pub fn from_one_more(mut items: Vec<T>, limit: u32, id_of: impl Fn(&T) -> Cursor) -> Self {
        let limit = limit as usize;
        let next = if items.len() > limit {
            items.truncate(limit);
            items.last().map(id_of)
        } else {
            None
        };
        Self { items, next }
    }
}

#[async_trait]
pub trait BookingReader: Send + Sync {
    /// The booking with this id, or `None` when there is none.
    async fn booking(&self, id: &BookingId) -> anyhow::Result<Option<Booking>>;

    /// Bookings where `user` is the guest (or the host), newest first.
    async fn bookings_of(
        &self,
        user: &UserId,
        role: Role,
        page: &PageRequest,
    ) -> anyhow::Result<Page<Booking>>;
}

/// A client's Idempotency-Key, unique per user.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// 1 to 255 visible ASCII characters.
    pub fn parse(text: &str) -> Result<Self, crate::error::InvalidInput> {
        if (1..=255).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(Self(text.to_owned()))
        } else {
            Err(crate::error::InvalidInput::new(
                "Idempotency-Key",
                "must be 1 to 255 visible ASCII characters",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A claim on an Idempotency-Key for one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestClaim {
    pub now: Timestamp,
    pub user: UserId,
    pub key: IdempotencyKey,
    /// Digest of the request, so a reused key with another body is caught.
    pub fingerprint: String,
    /// A claim still in progress after this is taken to have crashed.
    pub lease_until: Timestamp,
    /// When the key may be used again for a new request. A record whose
    /// `expires_at` is not after `now` counts as absent.
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestState {
    InProgress { lease_until: Timestamp },
    Completed,
}

/// What an Idempotency-Key already stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyRecord {
    pub fingerprint: String,
    /// The booking as it was first answered.
    pub booking: Booking,
    pub state: RequestState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    Claimed,
    Existing(Box<IdempotencyRecord>),
}

#[async_trait]
pub trait BookingRequests: Send + Sync {
    /// What `user`'s `key` stands for, unless it was never claimed or its
    /// record expired by `now`.
    async fn record(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
        now: Timestamp,
    ) -> anyhow::Result<Option<IdempotencyRecord>>;

    /// Claims `claim.key` (IN PROGRESS until `claim.lease_until`) and stores
    /// `booking`, PENDING, with `event`, in one atomic write. When the key is
    /// held already (by a record that has not expired at `claim.now`)
    /// nothing is written and that record is returned.
    async fn claim(
        &self,
        claim: &RequestClaim,
        booking: &Booking,
        event: &DomainEvent,
    ) -> anyhow::Result<ClaimOutcome>;

    /// Marks the key's request COMPLETED. Idempotent.
    async fn complete(&self, user: &UserId, key: &IdempotencyKey) -> anyhow::Result<()>;
}

#[async_trait]
pub trait BookingWorkflow: Send + Sync {
    /// Starts the booking workflow for `booking`, named by its id. Starting
    /// one that exists already (running or finished) does nothing and succeeds.
    async fn start(&self, booking: &BookingId) -> anyhow::Result<()>;
}

/// Answers a workflow Task that waits for a callback (`.waitForTaskToken`),
/// such as a host's decision: Step Functions' SendTaskSuccess,
/// SendTaskFailure and SendTaskHeartbeat.
///
/// Error contract: [`CallbackError::NoSuchTask`] when no Task waits for the
/// token (unknown, already answered, timed out, or its execution ended);
/// [`CallbackError::Unexpected`] for anything else, after which the call may
/// be repeated.
#[async_trait]
pub trait TaskCallbacks: Send + Sync {
    async fn succeed(&self, token: &str, output: &serde_json::Value) -> Result<(), CallbackError>;
    async fn fail(&self, token: &str, error: &str, cause: &str) -> Result<(), CallbackError>;
    async fn heartbeat(&self, token: &str) -> Result<(), CallbackError>;
}

#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    #[error("no task waits for this token")]
    NoSuchTask,
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

/// What a booking change does to the nights of its stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NightsChange {
    /// The booking's nights are left alone.
    Keep,
    /// Every night must be free, an expired hold at `now`, or held by this
    /// booking already; each becomes HELD by it until `until`.
    Hold { until: Timestamp, now: Timestamp },
    /// Every night must be HELD by this booking; each becomes BOOKED by it.
    Book,
    /// Every night HELD or BOOKED by this booking is freed; others are untouched.
    Release,
}

/// One atomic step of a booking's life.
#[derive(Debug, Clone)]
pub struct BookingChange<'a> {
    /// The booking as it is to be stored.
    pub booking: &'a Booking,
    /// The stored booking's status must be one of these.
    pub from: &'a [BookingStatus],
    pub nights: NightsChange,
    pub events: &'a [DomainEvent],
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    /// Hold: this night is taken by someone else. Book: this night is not held by this booking.
    #[error("night {0} is not available to this booking")]
    NightTaken(Date),
    /// The stored booking's status was not one of `from` (`None`: no such booking).
    #[error("booking status is {0:?}")]
    StatusChanged(Option<BookingStatus>),
    #[error(transparent)]
    Unexpected(#[from] anyhow::Error),
}

#[async_trait]
pub trait BookingChanges: Send + Sync {
    /// Applies `change` whole or not at all (see [`NightsChange`] for the
    /// nights). Errors: [`ChangeError`]; nothing is written on any error.
    async fn apply(&self, change: &BookingChange<'_>) -> Result<(), ChangeError>;
}

#[async_trait]
pub trait AbandonedBookings: Send + Sync {
    /// Unsettled bookings (PENDING, HELD, PAID) whose `hold_expires_at` is
    /// before `before`, oldest deadline first, at most `limit`.
    async fn abandoned(&self, before: Timestamp, limit: u32) -> anyhow::Result<Vec<Booking>>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Charge {
    /// The provider's id for the captured charge.
    pub id: String,
    pub amount: Money,
    /// How much has been refunded so far.
    pub refunded: Money,
}

/// Where a payment made under a key stands at the provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentState {
    /// Authorised, not captured (Stripe's `requires_capture`): cancelling it
    /// releases the money; it was never taken.
    Authorised { id: String },
    /// Not settled yet (Stripe's `processing`): it may still be captured, so
    /// it can be neither refunded nor released until it settles.
    Processing { id: String },
    /// Captured; part or all of it may have been refunded since.
    Captured(Charge),
}

/// A payment the provider holds, by the key it was made under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub key: String,
    pub state: PaymentState,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refund {
    pub id: String,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The card was declined: final.
    #[error("declined: {0}")]
    Declined(String),
    /// The provider could not be reached or failed: retry with the same key.
    #[error("payment provider unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the request itself (bad key, bad parameters): a bug or misconfiguration.
    #[error("payment request rejected: {0}")]
    Rejected(String),
}

impl From<anyhow::Error> for PaymentError {
    /// Trouble reaching the provider (or its record of charges): worth a retry.
    fn from(error: anyhow::Error) -> Self {
        PaymentError::Unavailable(format!("{error:#}"))
    }
}

#[async_trait]
pub trait PaymentGateway: Send + Sync {
    /// Charges and captures `amount` from `method`, at most once per `key`: a
    /// call repeated with the same key returns the first call's charge.
    /// Errors: `Declined` (final), `Unavailable` (retry), `Rejected`.
    async fn charge(
        &self,
        key: &str,
        amount: Money,
        method: &PaymentMethod,
    ) -> Result<Charge, PaymentError>;

    /// Where the payment made under `key` stands; `None` when nothing was
    /// charged under it, or the attempt was declined or cancelled.
    async fn payment(&self, key: &str) -> Result<Option<PaymentState>, PaymentError>;

    /// The charge made under `key`, if one was captured.
    async fn find_charge(&self, key: &str) -> Result<Option<Charge>, PaymentError> {
        match self.payment(key).await? {
            Some(PaymentState::Captured(charge)) => Ok(Some(charge)),
            _ => Ok(None),
        }
    }

    /// Releases the authorised (uncaptured) payment `payment_id`, at most once
    /// per `key`; releasing one already released succeeds. `Rejected` when it
    /// was captured meanwhile (refund it instead).
    async fn cancel(&self, key: &str, payment_id: &str) -> Result<(), PaymentError>;

    /// Payments made since `since` that hold or may hold money (authorised,
    /// processing or captured), in no particular order, at most `limit`.
    async fn payments_since(
        &self,
        since: Timestamp,
        limit: u32,
    ) -> Result<Vec<Payment>, PaymentError>;

    /// Refunds `amount` of charge `charge_id`, at most once per `key`.
    async fn refund(
        &self,
        key: &str,
        charge_id: &str,
        amount: Money,
    ) -> Result<Refund, PaymentError>;
}

/// A line of the ledger: money a host earned (positive) or gave back (negative).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Unique per entry: recording it twice records it once.
    pub id: String,
    pub booking_id: BookingId,
    pub host_id: UserId,
    pub property_id: PropertyId,
    pub amount: Money,
    pub occurred_at: Timestamp,
}

/// A host's earnings in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Earnings {
    pub currency: Currency,
    /// Sum of confirmed bookings.
    pub gross: i64,
    /// Sum of refunds (positive).
    pub refunds: i64,
    pub net: i64,
    pub bookings: u32,
}

#[async_trait]
pub trait Ledger: Send + Sync {
    /// Records each entry at most once (by id).
    async fn record(&self, entries: &[LedgerEntry]) -> anyhow::Result<()>;

    /// `host`'s earnings from entries on days within `range`, per currency.
    async fn earnings(&self, host: &UserId, range: DateRange) -> anyhow::Result<Vec<Earnings>>;
}

#[async_trait]
pub trait LedgerMigrations: Send + Sync {
    /// Creates whatever of the ledger's schema is missing and changes nothing
    /// that exists, so applying it on every deploy is safe.
    async fn migrate(&self) -> anyhow::Result<()>;
}

/// Where the answer to a deployment's request goes: a CloudFormation custom
/// resource's pre-signed URL, or, locally, the log.
#[async_trait]
pub trait DeployReplies: Send + Sync {
    /// Sends `body` (the JSON answer) to `url`.
    async fn reply(&self, url: &str, body: &[u8]) -> anyhow::Result<()>;
}

/// One line of the audit log: a booking or payment state change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// The event that recorded the change; appending it twice keeps one.
    pub event_id: String,
    pub booking_id: BookingId,
    pub occurred_at: Timestamp,
    pub change: String,
    pub status: BookingStatus,
    /// The booking's version after the change (the trail's order).
    #[serde(default)]
    pub version: u64,
    pub detail: serde_json::Value,
}

#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends each record at most once (by event id). Records are never changed.
    async fn append(&self, records: &[AuditRecord]) -> anyhow::Result<()>;

    /// Every record of one booking, in the order of
    /// [`crate::projections::order_trail`], however they were appended.
    async fn trail(&self, booking: &BookingId) -> anyhow::Result<Vec<AuditRecord>>;
}

/// A message to a user about their booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// Unique per message: sending it twice delivers it once.
    pub id: String,
    pub booking_id: BookingId,
    pub recipient: UserId,
    /// The booking's version the message speaks of: a message about an
    /// older version than one already delivered is news no longer.
    #[serde(default)]
    pub version: u64,
    pub subject: String,
    pub body: String,
}

#[async_trait]
pub trait NotificationQueue: Send + Sync {
    /// Queues notifications for delivery, in order per booking (a FIFO group
    /// per booking), each at most once (deduplicated by id).
    async fn enqueue(&self, notifications: &[Notification]) -> anyhow::Result<()>;
}

#[async_trait]
pub trait Notifier: Send + Sync {
    /// Delivers the notification at most once (by id), and not at all when
    /// a notification of a newer version of the same booking was delivered
    /// already (see [`crate::projections::is_current`]): a late "confirmed"
    /// never follows "cancelled".
    async fn send(&self, notification: &Notification) -> anyhow::Result<()>;
}

#[async_trait]
pub trait Profiles: Send + Sync {
    /// The user's profile, or `None` if they never saved one.
    async fn profile(&self, user: &UserId) -> anyhow::Result<Option<Profile>>;

    /// Creates or replaces the user's profile.
    async fn save_profile(&self, profile: &Profile) -> anyhow::Result<()>;

    /// Deletes the user's profile and signals and records `event`, atomically.
    async fn erase(&self, user: &UserId, event: &DomainEvent) -> anyhow::Result<()>;
}

/// Who is being forgotten, and who stands in their place from now on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Erasure {
    pub user: UserId,
    /// Replaces `user` wherever a record must stay (a booking, a ledger
    /// line, an audit record): it links those records to each other, never
    /// to the person.
    pub pseudonym: UserId,
    /// The bookings `user` was a party to (as guest or host), found before
    /// any store changed.
    pub bookings: Vec<BookingId>,
}

impl Erasure {
    /// How the user's id appears in stored JSON, and what replaces it: as a
    /// JSON string, and as one inside a JSON string (an error's cause).
    /// User ids are letters, digits and `- _ . @`, which JSON never escapes.
    pub fn replacements(&self) -> [(String, String); 2] {
        let (user, pseudonym) = (self.user.as_str(), self.pseudonym.as_str());
        [
            (format!("\"{user}\""), format!("\"{pseudonym}\"")),
            (format!("\\\"{user}\\\""), format!("\\\"{pseudonym}\\\"")),
        ]
    }

    /// `json` with the user's id replaced by the pseudonym, or `None` when
    /// it does not mention them.
    pub fn pseudonymise(&self, json: &str) -> Option<String> {
        let replacements = self.replacements();
        if !replacements
            .iter()
            .any(|(from, _)| json.contains(from.as_str()))
        {
            return None;
        }
        Some(
            replacements
                .iter()
                .fold(json.to_owned(), |text, (from, to)| {
                    text.replace(from.as_str(), to)
                }),
        )
    }
}

#[async_trait]
pub trait PersonalData: Send + Sync {
    /// Deletes what this store keeps only about `erasure.user` (profile,
    /// signals, messages, request keys) and replaces their id with
    /// `erasure.pseudonym` in the records it must keep. Idempotent: a
    /// second run finds nothing left to change.
    async fn forget(&self, erasure: &Erasure) -> anyhow::Result<()>;
}

/// Several stores that keep personal data, forgotten one after another:
/// the store that answers whose bookings they are goes last, so a retry
/// after a failure still finds them.
pub struct InOrder(pub Vec<Arc<dyn PersonalData>>);

#[async_trait]
impl PersonalData for InOrder {
    async fn forget(&self, erasure: &Erasure) -> anyhow::Result<()> {
        for store in &self.0 {
            store.forget(erasure).await?;
        }
        Ok(())
    }
}

#[async_trait]
pub trait SignalStore: Send + Sync {
    /// What Berth learned about the user (empty when nothing).
    async fn signals(&self, user: &UserId) -> anyhow::Result<Signals>;

    /// Learns from one confirmed stay, once per `event_id`.
    async fn learn(
        &self,
        user: &UserId,
        event_id: &str,
        city: &str,
        amenities: &std::collections::BTreeSet<Amenity>,
    ) -> anyhow::Result<()>;
}

#[async_trait]
pub trait EventPublisher: Send + Sync {
    /// Publishes events to their buses. Returns the ids of those that could
    /// not be published (retry them); an error means none were.
    async fn publish(&self, events: &[DomainEvent]) -> anyhow::Result<Vec<crate::ids::EventId>>;
}

/// The calendars a host imports from other channels (docs/architecture.md,
/// "Calendar sync").
#[async_trait]
pub trait FeedStore: Send + Sync {
    /// The property's feeds, oldest first.
    async fn feeds(&self, property: &PropertyId) -> anyhow::Result<Vec<Feed>>;

    /// Every feed of every property, for the scheduled sync.
    async fn all_feeds(&self) -> anyhow::Result<Vec<Feed>>;

    /// Stores a new feed.
    async fn insert_feed(&self, feed: &Feed) -> anyhow::Result<()>;

    /// Replaces a stored feed's sync status with `feed`'s. `false` (nothing
    /// written) when the feed no longer exists: a sync never brings back a
    /// feed its host deleted.
    async fn save_feed(&self, feed: &Feed) -> anyhow::Result<bool>;

    /// Deletes the feed; `false` when there was none.
    async fn delete_feed(&self, property: &PropertyId, feed: &FeedId) -> anyhow::Result<bool>;
}

/// What a feed's sync writes to the nights, each night by the night rules
/// (`calendar::rules::may_import`, `may_unimport`), with a
/// `CalendarChanged` event for the nights that changed.
#[async_trait]
pub trait FeedNights: Send + Sync {
    /// Imports each night of `close` for its event where the import rule
    /// allows at `now`. Each night is decided alone, at the write, as a
    /// Reserve's nights are, so a Reserve and an import racing for a night
    /// never both win. Answers the nights refused, with the record that
    /// kept each (a guest's, a host's block, another feed's).
    async fn import_nights(
        &self,
        property: &PropertyId,
        feed: &FeedId,
        close: &BTreeMap<Date, String>,
        now: Timestamp,
    ) -> anyhow::Result<Vec<Night>>;

    /// Frees the nights of `open` that `feed` imported; others are untouched.
    async fn release_imported(
        &self,
        property: &PropertyId,
        feed: &FeedId,
        open: &BTreeSet<Date>,
        now: Timestamp,
    ) -> anyhow::Result<()>;
}

/// Collisions of imported feeds with Berth's bookings.
#[async_trait]
pub trait CalendarConflicts: Send + Sync {
    /// Records `conflict` with its `CalendarConflict` event, atomically, once:
    /// the same conflict (night, feed, booking) again records nothing and
    /// answers `false`.
    async fn record_conflict(
        &self,
        property: &PropertyId,
        conflict: &Conflict,
        event: &DomainEvent,
    ) -> anyhow::Result<bool>;

    /// The property's conflicts, by night.
    async fn conflicts(&self, property: &PropertyId) -> anyhow::Result<Vec<Conflict>>;
}

/// The secret of a property's export link.
#[async_trait]
pub trait ExportLinks: Send + Sync {
    /// The property's token, if one was issued.
    async fn export_token(&self, property: &PropertyId) -> anyhow::Result<Option<ExportToken>>;

    /// Stores `token` if the property has none yet; answers the one stored
    /// (so two first requests agree on one link).
    async fn issue_export_token(
        &self,
        property: &PropertyId,
        token: &ExportToken,
    ) -> anyhow::Result<ExportToken>;

    /// Replaces the property's token with `token`: the old link stops working.
    async fn replace_export_token(
        &self,
        property: &PropertyId,
        token: &ExportToken,
    ) -> anyhow::Result<()>;
}

/// Why a feed could not be read; the sync changes nothing and says why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FeedReadError {
    /// The URL may not be fetched from (its scheme, or an address it
    /// resolves to): refused at registration.
    #[error("{0}")]
    Refused(String),
    /// Fetching or parsing failed (an empty, truncated or unparsable feed).
    #[error("{0}")]
    Failed(String),
}

/// Other channels' calendars, fetched from the URL a host gave and read.
#[async_trait]
pub trait FeedReader: Send + Sync {
    /// Whether `url` may be fetched from, now.
    async fn check(&self, url: &str) -> Result<(), FeedReadError>;

    /// The events of the feed at `url` with the nights of `window` each
    /// closes. Berth's own exported events and cancelled events are left
    /// out; a feed with none left is an error, never an empty calendar.
    async fn events(&self, url: &str, window: DateRange) -> Result<Vec<FeedEvent>, FeedReadError>;
}

/// What one run of the search snapshot publisher did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SnapshotPublished {
    /// It started from a published snapshot (else from an empty index and
    /// the feed's beginning).
    pub from_previous: bool,
    /// Feed records read after the previous snapshot's positions.
    pub records_read: u64,
    /// Of those, the ones the index had not applied yet.
    pub events_applied: u64,
    pub properties: u64,
    /// The size of the snapshot published.
    pub bytes: u64,
    /// It read the feed to its end; if not, it ran out of time and
    /// published how far it got, and the next run reads on from there.
    pub caught_up: bool,
}

/// The search index's published snapshot, which new search replicas start
/// from (S3 in AWS, a file in the data directory locally).
#[async_trait]
pub trait SearchSnapshots: Send + Sync {
    /// Restores the published snapshot (if there is none, starts empty from
    /// the feed's beginning), applies the search feed's events after the
    /// positions it records until caught up or until `until`, and publishes
    /// the result in its place. Errors (a damaged published snapshot, a
    /// feed or store failure, another run publishing meanwhile) leave the
    /// published snapshot as it was.
    async fn publish(&self, until: Timestamp) -> anyhow::Result<SnapshotPublished>;
}
