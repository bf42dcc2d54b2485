//! Test doubles and helpers: scripted tasks that record every call, a
//! journal that counts its writes, and shortcuts to load and run machines.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use berth_asl::{
    Checkpoint, EventDetail, ExecutionJournal, ExecutionKey, ExecutionRecord, Executor,
    HistoryEvent, InMemoryJournal, JournalEntry, JournalError, JournalStart, LoadError,
    RunningExecution, StartOutcome, StateMachine, TaskContext, TaskFailure, TaskInvoker,
    TokioTimer,
};
use serde_json::Value;
use tokio::sync::watch;
use tokio::time::Instant;

pub const EXECUTION: &str = "exec-1";

/// Resources of the form `arn:…` are mapped; anything else is not.
pub fn load(definition: Value) -> Result<StateMachine, LoadError> {
    StateMachine::load(
        "test",
        &definition.to_string(),
        &HashMap::new(),
        &|resource: &str| resource.starts_with("arn:"),
    )
}

pub fn machine(definition: Value) -> Arc<StateMachine> {
    Arc::new(load(definition).expect("the definition loads"))
}

pub fn executor(
    machine: Arc<StateMachine>,
    tasks: Arc<Tasks>,
    journal: Arc<dyn ExecutionJournal>,
) -> Executor {
    executor_on(machine, tasks, journal, Arc::new(TokioTimer::new()))
}

/// An executor on a given clock: executors that stand for successive lives
/// of one process must agree on the time, as the wall clock does.
pub fn executor_on(
    machine: Arc<StateMachine>,
    tasks: Arc<Tasks>,
    journal: Arc<dyn ExecutionJournal>,
    timer: Arc<TokioTimer>,
) -> Executor {
    Executor::new(machine, tasks, journal, timer)
}

/// Runs one execution to its end on a fresh in-memory journal.
pub async fn run(definition: Value, tasks: Arc<Tasks>, input: Value) -> ExecutionRecord {
    let executor = executor(machine(definition), tasks, Arc::new(InMemoryJournal::new()));
    start_and_finish(&executor, EXECUTION, input).await
}

pub async fn start_and_finish(executor: &Executor, name: &str, input: Value) -> ExecutionRecord {
    let StartOutcome::Started(handle) = executor.start(name, input).await.unwrap() else {
        panic!("{name} already existed");
    };
    handle.finished().await.unwrap();
    executor
        .describe(name)
        .await
        .unwrap()
        .expect("the journal has the execution")
}

/// The `type` of each event, in order.
pub fn event_types(record: &ExecutionRecord) -> Vec<String> {
    record
        .history
        .iter()
        .map(|event| {
            serde_json::to_value(&event.detail).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

pub fn retry_delays_ms(record: &ExecutionRecord) -> Vec<u64> {
    record
        .history
        .iter()
        .filter_map(|event| match event.detail {
            EventDetail::RetryScheduled { delay_ms, .. } => Some(delay_ms),
            _ => None,
        })
        .collect()
}

pub type Reply = dyn Fn(&Value, usize) -> Result<Value, TaskFailure> + Send + Sync;

/// What a scripted resource does when invoked.
pub enum Behaviour {
    /// Answers from the input and the 0-based number of the call.
    Reply(Box<Reply>),
    /// Takes this long, then echoes its input.
    Slow(Duration),
    /// Never answers.
    Hang,
    Panic,
}

pub fn echo() -> Behaviour {
    Behaviour::Reply(Box::new(|input, _| Ok(input.clone())))
}

pub fn fail(error: &'static str) -> Behaviour {
    Behaviour::Reply(Box::new(move |_, _| {
        Err(TaskFailure::new(error, "scripted failure"))
    }))
}

/// Fails with `error` for the first `times` calls, then echoes.
pub fn fail_times(error: &'static str, times: usize) -> Behaviour {
    Behaviour::Reply(Box::new(move |input, call| {
        if call < times {
            Err(TaskFailure::new(error, format!("failure {}", call + 1)))
        } else {
            Ok(input.clone())
        }
    }))
}

#[derive(Debug, Clone)]
pub struct Call {
    pub resource: String,
    pub input: Value,
    pub retry_count: u32,
    pub at: Instant,
}

/// A [`TaskInvoker`] whose resources follow scripts and which records calls.
pub struct Tasks {
    behaviours: HashMap<String, Behaviour>,
    calls: Mutex<Vec<Call>>,
    call_count: watch::Sender<usize>,
}

impl Tasks {
    pub fn new() -> Self {
        Self {
            behaviours: HashMap::new(),
            calls: Mutex::new(Vec::new()),
            call_count: watch::Sender::new(0),
        }
    }

    pub fn on(mut self, resource: &str, behaviour: Behaviour) -> Self {
        self.behaviours.insert(resource.to_owned(), behaviour);
        self
    }

    pub fn shared(self) -> Arc<Self> {
        Arc::new(self)
    }

    pub fn calls(&self, resource: &str) -> Vec<Call> {
        let calls = self.calls.lock().unwrap();
        calls
            .iter()
            .filter(|c| c.resource == resource)
            .cloned()
            .collect()
    }

    /// Waits until `resource` has been invoked `count` times.
    pub async fn called(&self, resource: &str, count: usize) {
        let mut changes = self.call_count.subscribe();
        changes
            .wait_for(|_| self.calls(resource).len() >= count)
            .await
            .unwrap();
    }

    /// Seconds between consecutive calls of `resource`.
    pub fn gaps_secs(&self, resource: &str) -> Vec<f64> {
        let calls = self.calls(resource);
        calls
            .windows(2)
            .map(|w| (w[1].at - w[0].at).as_secs_f64())
            .collect()
    }
}

#[async_trait]
impl TaskInvoker for Tasks {
    async fn invoke(
        &self,
        resource: &str,
        input: Value,
        ctx: &TaskContext<'_>,
    ) -> Result<Value, TaskFailure> {
        let number = {
            let mut calls = self.calls.lock().unwrap();
            let number = calls.iter().filter(|c| c.resource == resource).count();
            calls.push(Call {
                resource: resource.to_owned(),
                input: input.clone(),
                retry_count: ctx.retry_count,
                at: Instant::now(),
            });
            number
        };
        self.call_count.send_modify(|count| *count += 1);
        match self.behaviours.get(resource) {
            Some(Behaviour::Reply(reply)) => reply(&input, number),
            Some(Behaviour::Slow(duration)) => {
                tokio::time::sleep(*duration).await;
                Ok(input)
            }
            Some(Behaviour::Hang) => std::future::pending().await,
            Some(Behaviour::Panic) => panic!("scripted panic in {resource}"),
            None => Ok(input),
        }
    }
}

/// Counts the writes an [`InMemoryJournal`] receives.
#[derive(Default)]
pub struct CountingJournal {
    inner: InMemoryJournal,
    pub records: AtomicUsize,
}

impl CountingJournal {
    pub fn records(&self) -> usize {
        self.records.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl ExecutionJournal for CountingJournal {
    async fn start(
        &self,
        key: &ExecutionKey,
        events: &[HistoryEvent],
        checkpoint: &Checkpoint,
    ) -> Result<JournalStart, JournalError> {
        self.inner.start(key, events, checkpoint).await
    }

    async fn record(
        &self,
        key: &ExecutionKey,
        entry: JournalEntry<'_>,
    ) -> Result<(), JournalError> {
        self.records.fetch_add(1, Ordering::SeqCst);
        self.inner.record(key, entry).await
    }

    async fn running(&self, state_machine: &str) -> Result<Vec<RunningExecution>, JournalError> {
        self.inner.running(state_machine).await
    }

    async fn execution(&self, key: &ExecutionKey) -> Result<Option<ExecutionRecord>, JournalError> {
        self.inner.execution(key).await
    }
}
