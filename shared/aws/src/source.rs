//! The AWS source of ports: what a Lambda's `main` builds its handler from.
//!
//! Each port is built on first request from the environment variables its
//! adapter names (a missing one fails the build with its name); ports of
//! one adapter share one client. Every port handed out is recorded with its
//! [`Access`], so a function's IAM actions and environment follow from
//! what its builder asks for ([`AwsSource::accessed`]).

use std::sync::{Arc, Mutex, OnceLock};

use berth_domain::ports::*;
use berth_domain::reservations::{HoldMinutes, RequestTimes};
use berth_domain::wiring::PortSource;

use crate::access::Access;
use crate::config::{AwsConfig, Environment, MissingVariable, emulator_sdk_config, vars};
use crate::dynamo::{
    self, DynamoAudit, DynamoBookings, DynamoCalendar, DynamoProperties, DynamoUsers,
};
use crate::events::{self, EventBridgePublisher};
use crate::identity::UserPool;
use crate::ledger::{self, RdsDataLedger};
use crate::notifier::{self, EmailNotifier};
use crate::queue::{self, SqsNotificationQueue};
use crate::stripe::{self, StripeGateway};
use crate::workflow::{self, StepFunctionsWorkflow};

/// How long a booking's nights stay held: `HOLD_MINUTES` (bounds and
/// default in [`HoldMinutes`]).
pub const HOLD_SETTING: Access = Access {
    port: "RequestTimes",
    grants: &[],
    env: &[vars::HOLD_MINUTES],
};

/// Where the API is reached from outside: `PUBLIC_URL`, optional (empty
/// or absent: the domain each request names).
pub const PUBLIC_URL_SETTING: Access = Access {
    port: "PublicUrl",
    grants: &[],
    env: &[vars::PUBLIC_URL],
};

/// Other channels' feeds, fetched over the internet from the function
/// itself (every address checked): no AWS call, no variable.
pub const FEED_READER: Access = Access {
    port: "FeedReader",
    grants: &[],
    env: &[],
};

pub struct AwsSource {
    config: AwsConfig,
    properties: OnceLock<Arc<DynamoProperties>>,
    calendar: OnceLock<Arc<DynamoCalendar>>,
    bookings: OnceLock<Arc<DynamoBookings>>,
    users: OnceLock<Arc<DynamoUsers>>,
    ledger: OnceLock<Arc<RdsDataLedger>>,
    accessed: Mutex<Vec<Access>>,
}

impl AwsSource {
    pub fn new(config: AwsConfig) -> Self {
        Self {
            config,
            properties: OnceLock::new(),
            calendar: OnceLock::new(),
            bookings: OnceLock::new(),
            users: OnceLock::new(),
            ledger: OnceLock::new(),
            accessed: Mutex::new(Vec::new()),
        }
    }

    /// This source with its ledger given rather than built (the ledger's
    /// tests run it on a Data API stub).
    pub fn with_ledger(self, ledger: RdsDataLedger) -> Self {
        let _ = self.ledger.set(Arc::new(ledger));
        self
    }

    /// A source that builds adapters without reaching anything: every
    /// variable holds a placeholder and the SDK points at a closed local
    /// port. For reading what a function's builder asks for.
    pub fn offline() -> Self {
        let env = Environment::from_pairs(vars::REQUIRED.iter().map(|name| (*name, *name)));
        Self::new(AwsConfig::new(
            emulator_sdk_config("http://127.0.0.1:9"),
            env,
        ))
    }

    /// Every port handed out so far, with what it calls, in order.
    pub fn accessed(&self) -> Vec<Access> {
        self.accessed
            .lock()
            .map(|accessed| accessed.clone())
            .unwrap_or_default()
    }

    fn note(&self, access: Access) {
        if let Ok(mut accessed) = self.accessed.lock() {
            accessed.push(access);
        }
    }

    /// The adapter in `cell`, built once by `build`; `access` recorded.
    fn shared<T>(
        &self,
        cell: &OnceLock<Arc<T>>,
        access: Access,
        build: fn(&AwsConfig) -> Result<T, MissingVariable>,
    ) -> anyhow::Result<Arc<T>> {
        self.note(access);
        if let Some(adapter) = cell.get() {
            return Ok(adapter.clone());
        }
        let adapter = Arc::new(build(&self.config)?);
        Ok(cell.get_or_init(|| adapter).clone())
    }

    /// Every DynamoDB store that keeps personal data, forgotten in order
    /// around `middle` (the ledger; a local platform's own store): the
    /// bookings table answers whose bookings they are, so it goes last.
    pub fn personal_data_around(
        &self,
        middle: Arc<dyn PersonalData>,
    ) -> anyhow::Result<Arc<dyn PersonalData>> {
        let users = self.shared(&self.users, dynamo::erasure::USERS, DynamoUsers::from_env)?;
        let properties = self.shared(
            &self.properties,
            dynamo::erasure::PROPERTIES,
            DynamoProperties::from_env,
        )?;
        let audit = self.single(dynamo::erasure::AUDIT, DynamoAudit::from_env)?;
        let bookings = self.shared(
            &self.bookings,
            dynamo::erasure::BOOKINGS,
            DynamoBookings::from_env,
        )?;
        Ok(Arc::new(InOrder(vec![
            users, properties, audit, middle, bookings,
        ])))
    }

    /// A new adapter built by `build`; `access` recorded.
    fn single<T>(
        &self,
        access: Access,
        build: fn(&AwsConfig) -> Result<T, MissingVariable>,
    ) -> anyhow::Result<Arc<T>> {
        self.note(access);
        Ok(Arc::new(build(&self.config)?))
    }
}

impl PortSource for AwsSource {
    fn property_reader(&self) -> anyhow::Result<Arc<dyn PropertyReader>> {
        let access = dynamo::catalog::PROPERTY_READER;
        Ok(self.shared(&self.properties, access, DynamoProperties::from_env)?)
    }

    fn host_listings(&self) -> anyhow::Result<Arc<dyn HostListings>> {
        let access = dynamo::catalog::HOST_LISTINGS;
        Ok(self.shared(&self.properties, access, DynamoProperties::from_env)?)
    }

    fn property_writer(&self) -> anyhow::Result<Arc<dyn PropertyWriter>> {
        let access = dynamo::catalog::PROPERTY_WRITER;
        Ok(self.shared(&self.properties, access, DynamoProperties::from_env)?)
    }

    fn calendar_reader(&self) -> anyhow::Result<Arc<dyn CalendarReader>> {
        let access = dynamo::catalog::CALENDAR_READER;
        Ok(self.shared(&self.calendar, access, DynamoCalendar::from_env)?)
    }

    fn calendar_writer(&self) -> anyhow::Result<Arc<dyn CalendarWriter>> {
        let access = dynamo::catalog::CALENDAR_WRITER;
        Ok(self.shared(&self.calendar, access, DynamoCalendar::from_env)?)
    }

    fn booking_reader(&self) -> anyhow::Result<Arc<dyn BookingReader>> {
        let access = dynamo::bookings::BOOKING_READER;
        Ok(self.shared(&self.bookings, access, DynamoBookings::from_env)?)
    }

    fn requests(&self) -> anyhow::Result<Arc<dyn BookingRequests>> {
        let access = dynamo::bookings::BOOKING_REQUESTS;
        Ok(self.shared(&self.bookings, access, DynamoBookings::from_env)?)
    }

    fn changes(&self) -> anyhow::Result<Arc<dyn BookingChanges>> {
        let access = dynamo::changes::BOOKING_CHANGES;
        Ok(self.shared(&self.bookings, access, DynamoBookings::from_env)?)
    }

    fn abandoned(&self) -> anyhow::Result<Arc<dyn AbandonedBookings>> {
        let access = dynamo::bookings::ABANDONED_BOOKINGS;
        Ok(self.shared(&self.bookings, access, DynamoBookings::from_env)?)
    }

    fn workflow(&self) -> anyhow::Result<Arc<dyn BookingWorkflow>> {
        let access = workflow::BOOKING_WORKFLOW;
        Ok(self.single(access, StepFunctionsWorkflow::from_env)?)
    }

    fn gateway(&self) -> anyhow::Result<Arc<dyn PaymentGateway>> {
        Ok(self.single(stripe::GATEWAY, StripeGateway::from_env)?)
    }

    fn ledger(&self) -> anyhow::Result<Arc<dyn Ledger>> {
        Ok(self.shared(&self.ledger, ledger::LEDGER, RdsDataLedger::from_env)?)
    }

    fn audit(&self) -> anyhow::Result<Arc<dyn AuditLog>> {
        Ok(self.single(dynamo::audit::AUDIT_LOG, DynamoAudit::from_env)?)
    }

    fn notifier(&self) -> anyhow::Result<Arc<dyn Notifier>> {
        Ok(self.single(notifier::NOTIFIER, EmailNotifier::from_env)?)
    }

    fn notification_queue(&self) -> anyhow::Result<Arc<dyn NotificationQueue>> {
        let access = queue::NOTIFICATION_QUEUE;
        Ok(self.single(access, SqsNotificationQueue::from_env)?)
    }

    fn profiles(&self) -> anyhow::Result<Arc<dyn Profiles>> {
        let access = dynamo::users::PROFILES;
        Ok(self.shared(&self.users, access, DynamoUsers::from_env)?)
    }

    fn signals(&self) -> anyhow::Result<Arc<dyn SignalStore>> {
        let access = dynamo::users::SIGNAL_STORE;
        Ok(self.shared(&self.users, access, DynamoUsers::from_env)?)
    }

    fn ledger_migrations(&self) -> anyhow::Result<Arc<dyn LedgerMigrations>> {
        let access = ledger::MIGRATIONS;
        Ok(self.shared(&self.ledger, access, RdsDataLedger::from_env)?)
    }

    fn stack_replies(&self) -> anyhow::Result<Arc<dyn DeployReplies>> {
        self.note(crate::stack::REPLIES);
        Ok(Arc::new(crate::stack::StackReplies::new()?))
    }

    /// The user pool first (the account and its email address go, so the
    /// person can no longer sign in), then every store of
    /// [`AwsSource::personal_data_around`] with the ledger.
    fn personal_data(&self) -> anyhow::Result<Arc<dyn PersonalData>> {
        let accounts = self.single(crate::identity::ACCOUNTS, UserPool::from_env)?;
        let ledger = self.shared(&self.ledger, ledger::PERSONAL_DATA, RdsDataLedger::from_env)?;
        Ok(Arc::new(InOrder(vec![
            accounts,
            self.personal_data_around(ledger)?,
        ])))
    }

    fn publisher(&self) -> anyhow::Result<Arc<dyn EventPublisher>> {
        let access = events::EVENT_PUBLISHER;
        Ok(self.single(access, EventBridgePublisher::from_env)?)
    }

    fn feeds(&self) -> anyhow::Result<Arc<dyn FeedStore>> {
        let access = dynamo::channels::FEED_STORE;
        Ok(self.shared(&self.calendar, access, DynamoCalendar::from_env)?)
    }

    fn feed_nights(&self) -> anyhow::Result<Arc<dyn FeedNights>> {
        let access = dynamo::channels::FEED_NIGHTS;
        Ok(self.shared(&self.calendar, access, DynamoCalendar::from_env)?)
    }

    fn conflicts(&self) -> anyhow::Result<Arc<dyn CalendarConflicts>> {
        let access = dynamo::channels::CALENDAR_CONFLICTS;
        Ok(self.shared(&self.calendar, access, DynamoCalendar::from_env)?)
    }

    fn export_links(&self) -> anyhow::Result<Arc<dyn ExportLinks>> {
        let access = dynamo::channels::EXPORT_LINKS;
        Ok(self.shared(&self.calendar, access, DynamoCalendar::from_env)?)
    }

    fn feed_reader(&self) -> anyhow::Result<Arc<dyn FeedReader>> {
        self.note(FEED_READER);
        Ok(Arc::new(berth_feeds::reader::FeedClient::default()))
    }

    fn public_url(&self) -> anyhow::Result<Option<String>> {
        self.note(PUBLIC_URL_SETTING);
        let url = self.config.env().optional(vars::PUBLIC_URL);
        Ok(url.filter(|url| !url.is_empty()))
    }

    fn search_snapshots(&self) -> anyhow::Result<Arc<dyn SearchSnapshots>> {
        let access = crate::search::SEARCH_SNAPSHOTS;
        Ok(self.single(access, crate::search::publisher)?)
    }

    fn clock(&self) -> Arc<dyn Clock> {
        Arc::new(SystemClock)
    }

    fn times(&self) -> anyhow::Result<RequestTimes> {
        self.note(HOLD_SETTING);
        let hold = match self.config.env().optional(vars::HOLD_MINUTES) {
            Some(minutes) => HoldMinutes::parse(&minutes)
                .map_err(|e| anyhow::anyhow!("{} {e}", vars::HOLD_MINUTES))?,
            None => HoldMinutes::default(),
        };
        Ok(RequestTimes::with_hold(hold))
    }
}
