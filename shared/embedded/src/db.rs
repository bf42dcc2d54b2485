//! The SQLite file and how it is used: one writer thread that commits many
//! changes per transaction (group commit), a pool of reader connections, and
//! a signal after each commit for whoever follows the outbox.
//!
//! WAL mode with `synchronous = NORMAL`: a commit survives the process being
//! killed at any moment (only an OS crash may lose the last transactions).

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::thread;

use anyhow::Context;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{oneshot, watch};

use crate::schema;

/// Most changes committed together in one transaction.
const MAX_BATCH: usize = 512;
/// Changes waiting for the writer before callers are made to wait.
const QUEUE_DEPTH: usize = 8192;
/// WAL pages (4 KiB each) after which a commit copies the WAL back into the
/// database file.
const CHECKPOINT_PAGES: i64 = 1000;
/// A WAL file that grew past this (a long read held a checkpoint back) is
/// cut back to it once the WAL starts over.
const WAL_SIZE_LIMIT: i64 = 64 * 1024 * 1024;

/// A change run on the writer thread inside the batch's transaction.
trait Job: Send {
    /// Runs the change; `false` means it failed and its writes must be undone.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Tells the caller, once the batch's fate is known.
    fn finish(self: Box<Self>, commit: Result<(), &rusqlite::Error>);
}

struct Typed<T, E, F> {
    change: Option<F>,
    outcome: Option<Result<T, E>>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<T, E, F> Job for Typed<T, E, F>
where
    T: Send,
    E: From<anyhow::Error> + Send,
    F: FnOnce(&Connection) -> Result<T, E> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let outcome = self.change.take().map(|change| {
            // A panicking change must not take the writer (and every other change) down.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| change(conn))).unwrap_or_else(
                |_| Err(anyhow::anyhow!("a change panicked; it was rolled back").into()),
            )
        });
        let ok = matches!(outcome, Some(Ok(_)));
        self.outcome = outcome;
        ok
    }

    fn finish(self: Box<Self>, commit: Result<(), &rusqlite::Error>) {
        let answer = match (commit, self.outcome) {
            (Ok(()), Some(outcome)) => outcome,
            (Err(e), _) => Err(anyhow::anyhow!("commit failed: {e}").into()),
            (Ok(()), None) => Err(anyhow::anyhow!("change never ran").into()),
        };
        // The caller may have given up waiting; that is fine.
        let _ = self.reply.send(answer);
    }
}

/// The database: cheap to clone, shared by every adapter.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    jobs: SyncSender<Box<dyn Job>>,
    readers: Mutex<Vec<Connection>>,
    /// Counts commits; followers of the outbox wait on it.
    commits: watch::Sender<u64>,
}

impl Db {
    /// Opens (creating if need be) `berth.sqlite3` in `data_dir`, and brings
    /// its schema up to date.
    pub fn open(data_dir: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("creating {}", data_dir.display()))?;
        let path = data_dir.join("berth.sqlite3");
        let mut writer = connect(&path)?;
        schema::migrate(&mut writer).with_context(|| format!("migrating {}", path.display()))?;
        let (jobs, queue) = sync_channel(QUEUE_DEPTH);
        let inner = Arc::new(Inner {
            path,
            jobs,
            readers: Mutex::new(Vec::new()),
            commits: watch::Sender::new(0),
        });
        // The writer checkpoints itself, right after a commit that leaves the
        // WAL over CHECKPOINT_PAGES: no other writer is running then, so the
        // copy completes and the next transaction starts the WAL file over.
        // (A checkpointer on a thread of its own never caught up under a
        // steady load: the WAL grew without bound, and each commit paid for
        // new file blocks.)
        writer.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)?;
        writer.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
        let weak = Arc::downgrade(&inner);
        thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || write_loop(writer, queue, weak))
            .context("starting the SQLite writer")?;
        Ok(Self { inner })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `change` in a write transaction and answers once it is committed.
    /// An `Err` from `change` undoes its writes and is answered as is.
    pub async fn write<T, E, F>(&self, change: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<anyhow::Error> + Send + 'static,
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Typed {
            change: Some(change),
            outcome: None,
            reply,
        });
        // The queue is bounded: wait for room without blocking the runtime.
        let jobs = self.inner.jobs.clone();
        match jobs.try_send(job) {
            Ok(()) => {}
            Err(std::sync::mpsc::TrySendError::Full(job)) => {
                tokio::task::spawn_blocking(move || jobs.send(job))
                    .await
                    .map_err(|e| anyhow::anyhow!("queueing a write: {e}"))?
                    .map_err(|_| anyhow::anyhow!("the SQLite writer has stopped"))?;
            }
            Err(std::sync::mpsc::TrySendError::Disconnected(_)) => {
                return Err(anyhow::anyhow!("the SQLite writer has stopped").into());
            }
        }
        answer
            .await
            .map_err(|_| anyhow::anyhow!("the SQLite writer dropped a change"))?
    }

    /// Runs `query` on a pooled connection. Reads are short and local, so
    /// they run in place; each statement sees one committed state (a query
    /// whose statements must agree opens its own transaction).
    pub fn read<T>(
        &self,
        query: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> anyhow::Result<T> {
        let pooled = self
            .inner
            .readers
            .lock()
            .map_err(|_| anyhow::anyhow!("reader pool poisoned"))?
            .pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => connect(&self.inner.path)?,
        };
        let result = query(&conn).context("reading from SQLite");
        if let Ok(mut pool) = self.inner.readers.lock() {
            pool.push(conn);
        }
        result
    }

    /// A subscription to commits: its `changed()` resolves once a commit
    /// happened after the last one it saw. Every subscriber wakes (one
    /// commit is never taken by one follower from another); subscribe
    /// before reading, so no commit slips between the read and the wait.
    pub fn commits(&self) -> watch::Receiver<u64> {
        self.inner.commits.subscribe()
    }
}

fn connect(path: &Path) -> anyhow::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)
        .with_context(|| format!("opening {}", path.display()))?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = NORMAL;
         PRAGMA busy_timeout = 5000;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA mmap_size = 268435456;",
    )
    .context("configuring SQLite")?;
    conn.set_prepared_statement_cache_capacity(128);
    Ok(conn)
}

fn write_loop(conn: Connection, queue: Receiver<Box<dyn Job>>, db: std::sync::Weak<Inner>) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = queue.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let commit = run_batch(&conn, &mut batch);
        if let Err(e) = &commit {
            tracing::error!(error = %e, jobs = batch.len(), "SQLite batch failed");
        }
        for job in batch.drain(..) {
            job.finish(commit.as_ref().map(|_| ()));
        }
        match db.upgrade() {
            Some(inner) => inner.commits.send_modify(|n| *n += 1),
            None => break,
        }
    }
}

/// One transaction for the whole batch; each job inside its own savepoint so
/// a failing job leaves no trace and the others still commit.
fn run_batch(conn: &Connection, batch: &mut [Box<dyn Job>]) -> rusqlite::Result<()> {
    run_sql(conn, "BEGIN IMMEDIATE")?;
    for job in batch.iter_mut() {
        let step = run_sql(conn, "SAVEPOINT job").and_then(|()| {
            if job.run(conn) {
                run_sql(conn, "RELEASE job")
            } else {
                run_sql(conn, "ROLLBACK TO job").and_then(|()| run_sql(conn, "RELEASE job"))
            }
        });
        if let Err(e) = step {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    run_sql(conn, "COMMIT").inspect_err(|_| {
        let _ = conn.execute_batch("ROLLBACK");
    })
}

/// Runs one statement from the statement cache (parsed once, not per job).
fn run_sql(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}
