//! The local platform: every function, the booking workflow, the event bus,
//! queues, schedules and search, in one process over one data directory.
//! Each part stands in for an AWS service and keeps its semantics:
//!
//! - [`gateway`]: API Gateway's event and response shapes;
//! - [`registry`]: the catalogue's functions, built over the platform's ports;
//! - [`workflow`]: Step Functions, running statemachines/booking.asl.json;
//! - [`relay`]: DynamoDB Streams on the outbox;
//! - [`bus`]: EventBridge rules onto [`consumers`]' SQS-like queues;
//! - [`scheduler`]: EventBridge Scheduler;
//! - [`stack`]: CloudFormation, as far as custom resources need it;
//! - [`search`]: the search service, following the outbox;
//! - [`topology`]: the buses, rules and queues template.yaml declares;
//! - [`clock`]: wall time that tests may move forward;
//! - [`aws`]: the state on the AWS adapters instead (`--backend aws`).

pub mod aws;
pub mod bus;
pub mod clock;
pub mod consumers;
pub mod gateway;
pub mod registry;
pub mod relay;
pub mod scheduler;
pub mod search;
pub mod stack;
pub mod topology;
pub mod workflow;

use berth_feeds::fetch::Limits;
use berth_feeds::reader::FeedClient;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use berth_asl::{Executor, TokioTimer};
use berth_domain::reservations::RequestTimes;
use berth_domain::wiring::Ports;
use berth_embedded::journal::SqliteJournal;
use berth_embedded::queues::LocalQueues;
use berth_embedded::{Db, FakeGateway, SqliteStore};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use self::bus::LocalBus;
use self::clock::LocalClock;
use self::registry::Functions;
use self::workflow::LocalWorkflow;

#[derive(Debug, Clone)]
pub struct PlatformConfig {
    pub data_dir: PathBuf,
    /// Multiplies every wait the platform makes on AWS's behalf (retry
    /// backoff, task timeouts, visibility timeouts, schedules): 0.01 runs
    /// a 1-second retry in 10 ms. 1.0 behaves as AWS does.
    pub time_scale: f64,
    pub times: RequestTimes,
    /// The booking state machine's definition (ASL JSON).
    pub definition: String,
    /// Keep state on the AWS adapters instead of SQLite.
    pub aws: Option<aws::AwsBackend>,
    /// Let calendar feeds be fetched from any address, loopback and private
    /// ones included (`berth serve --allow-private-feeds`), for feeds served
    /// on this machine in tests. Never in a deployment.
    pub allow_private_feeds: bool,
}

/// What runs in the background besides request handling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Background {
    /// Relay, consumers, schedules, and resuming interrupted workflows.
    All,
    /// Nothing: for invoking one function.
    None,
}

pub struct Platform {
    pub config: PlatformConfig,
    /// The ports every function was built over.
    pub ports: Ports,
    pub store: SqliteStore,
    pub gateway: Arc<FakeGateway>,
    pub clock: Arc<LocalClock>,
    pub functions: Functions,
    pub executor: Arc<Executor>,
    pub bus: Arc<LocalBus>,
    pub search: Arc<berth_search::SearchService>,
    /// The outbox position the search index was built at.
    search_seq: u64,
    /// Poke to run the sweeper now.
    pub sweep_now: Arc<Notify>,
    /// The AWS backend's clients, until the outbox mirror takes them.
    aws: Option<aws::AwsPorts>,
    tasks: Vec<JoinHandle<()>>,
}

impl Platform {
    pub async fn start(config: PlatformConfig, background: Background) -> anyhow::Result<Self> {
        let db = Db::open(&config.data_dir)?;
        let store = SqliteStore::new(db.clone());
        let gateway = Arc::new(FakeGateway::new(db.clone()));
        let clock = Arc::new(LocalClock::default());
        let queues = LocalQueues::new(db.clone());
        let bus = Arc::new(LocalBus::new(queues.clone(), clock.clone()));
        let workflow = Arc::new(LocalWorkflow::default());
        let s = Arc::new(store.clone());
        let mut ports = Ports {
            property_reader: s.clone(),
            property_writer: s.clone(),
            host_listings: s.clone(),
            calendar_reader: s.clone(),
            calendar_writer: s.clone(),
            booking_reader: s.clone(),
            requests: s.clone(),
            changes: s.clone(),
            abandoned: s.clone(),
            workflow: workflow.clone(),
            gateway: gateway.clone(),
            ledger: s.clone(),
            ledger_migrations: s.clone(),
            stack_replies: Arc::new(stack::LocalStack),
            audit: s.clone(),
            notifier: s.clone(),
            notification_queue: bus.clone(),
            profiles: s.clone(),
            signals: s.clone(),
            personal_data: s.clone(),
            publisher: bus.clone(),
            feeds: s.clone(),
            feed_nights: s.clone(),
            conflicts: s.clone(),
            export_links: s.clone(),
            feed_reader: feed_client(config.allow_private_feeds),
            search_snapshots: Arc::new(search::snapshots(
                store.clone(),
                &config.data_dir,
                clock.clone(),
            )),
            clock: clock.clone(),
            times: config.times,
        };
        let aws = match &config.aws {
            Some(backend) => Some(aws::adopt(backend, &config.definition, &mut ports).await?),
            None => None,
        };
        let functions = Functions::new(&ports)?;
        let machine = workflow::load_booking_machine(&config.definition)?;
        let timer = Arc::new(
            TokioTimer::scaled(config.time_scale)
                .map_err(|e| anyhow::anyhow!("--time-scale: {e}"))?,
        );
        let journal = Arc::new(SqliteJournal::new(db.clone()));
        let executor = workflow::executor(machine, &functions, journal, timer);
        workflow.attach(executor.clone());
        let (search, search_seq) = search::bootstrap(&store, clock.clone())?;
        let mut platform = Self {
            config,
            ports,
            store,
            gateway,
            clock,
            functions,
            executor,
            bus,
            search,
            search_seq,
            sweep_now: Arc::new(Notify::new()),
            aws,
            tasks: Vec::new(),
        };
        if background == Background::All {
            platform.run_background(queues).await?;
        }
        Ok(platform)
    }

    async fn run_background(&mut self, queues: LocalQueues) -> anyhow::Result<()> {
        let resumed = self
            .executor
            .resume_all()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if !resumed.is_empty() {
            tracing::info!(executions = resumed.len(), "resumed interrupted workflows");
        }
        let function = |name: &str| {
            self.functions
                .json
                .get(name)
                .cloned()
                .with_context(|| format!("no function {name}"))
        };
        self.tasks.push(tokio::spawn(relay::run(
            self.store.clone(),
            queues.clone(),
            function("publish-events")?,
        )));
        if let Some(aws) = self.aws.take() {
            self.tasks
                .push(tokio::spawn(aws::mirror(aws, self.store.clone())));
        }
        self.tasks.push(tokio::spawn(search::follow(
            self.store.clone(),
            self.search.clone(),
            self.search_seq,
        )));
        for f in berth_functions::catalogue::FUNCTIONS {
            let berth_functions::catalogue::Trigger::Queue { queue } = f.trigger else {
                continue;
            };
            let q = topology::queue_spec(queue)
                .with_context(|| format!("{} consumes unknown queue {queue}", f.name))?;
            let waker = self
                .bus
                .waker(queue)
                .with_context(|| format!("no waker for {queue}"))?;
            self.tasks.push(tokio::spawn(consumers::run(
                queues.clone(),
                consumers::spec(q, self.config.time_scale),
                q.batch_size,
                function(f.name)?,
                waker,
                self.clock.clone(),
            )));
        }
        for f in berth_functions::catalogue::FUNCTIONS {
            let berth_functions::catalogue::Trigger::Schedule {
                schedule,
                expression,
            } = f.trigger
            else {
                continue;
            };
            let period = scheduler::period(expression)
                .with_context(|| format!("{schedule}: unsupported {expression}"))?;
            let every =
                Duration::from_secs_f64((period.as_secs_f64() * self.config.time_scale).max(0.05));
            let poke = if schedule == topology::SWEEP_SCHEDULE {
                self.sweep_now.clone()
            } else {
                Arc::new(Notify::new())
            };
            self.tasks.push(tokio::spawn(scheduler::run(
                schedule,
                every,
                function(f.name)?,
                poke,
            )));
        }
        Ok(())
    }
}

/// Feeds fetched with the address check on, or (`--allow-private-feeds`)
/// off, for feeds served on this machine in tests.
fn feed_client(allow_private_feeds: bool) -> Arc<FeedClient> {
    let limits = if allow_private_feeds {
        Limits::local()
    } else {
        Limits::default()
    };
    Arc::new(FeedClient::new(limits))
}

impl Drop for Platform {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
