//! An [`ExecutionJournal`] in a mutex-guarded map: for tests, and for runs
//! that need not survive the process.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

use async_trait::async_trait;

use super::{
    Checkpoint, ExecutionJournal, ExecutionKey, ExecutionRecord, ExecutionStatus, HistoryEvent,
    JournalEntry, JournalError, JournalStart, RunningExecution,
};

#[derive(Debug, Default)]
pub struct InMemoryJournal {
    executions: Mutex<HashMap<ExecutionKey, Stored>>,
}

#[derive(Debug)]
struct Stored {
    status: ExecutionStatus,
    history: Vec<HistoryEvent>,
    checkpoint: Checkpoint,
}

impl InMemoryJournal {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<ExecutionKey, Stored>> {
        // A panic elsewhere cannot leave a half-applied entry: every change
        // below is made after its checks, so the map stays consistent.
        self.executions
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait]
impl ExecutionJournal for InMemoryJournal {
    async fn start(
        &self,
        key: &ExecutionKey,
        events: &[HistoryEvent],
        checkpoint: &Checkpoint,
    ) -> Result<JournalStart, JournalError> {
        let mut executions = self.lock();
        if executions.contains_key(key) {
            return Ok(JournalStart::AlreadyExists);
        }
        let stored = Stored {
            status: ExecutionStatus::Running,
            history: events.to_vec(),
            checkpoint: checkpoint.clone(),
        };
        executions.insert(key.clone(), stored);
        Ok(JournalStart::Started)
    }

    async fn record(
        &self,
        key: &ExecutionKey,
        entry: JournalEntry<'_>,
    ) -> Result<(), JournalError> {
        let mut executions = self.lock();
        let stored = executions
            .get_mut(key)
            .filter(|stored| stored.status == ExecutionStatus::Running)
            .ok_or_else(|| JournalError::NotRunning(key.clone()))?;
        stored.history.extend_from_slice(entry.events);
        if let Some(checkpoint) = entry.checkpoint {
            stored.checkpoint = checkpoint.clone();
        }
        if let Some(end) = entry.end {
            stored.status = end.into();
        }
        Ok(())
    }

    async fn running(&self, state_machine: &str) -> Result<Vec<RunningExecution>, JournalError> {
        Ok(self
            .lock()
            .iter()
            .filter(|(key, stored)| {
                key.state_machine == state_machine && stored.status == ExecutionStatus::Running
            })
            .map(|(key, stored)| RunningExecution {
                key: key.clone(),
                checkpoint: stored.checkpoint.clone(),
            })
            .collect())
    }

    async fn execution(&self, key: &ExecutionKey) -> Result<Option<ExecutionRecord>, JournalError> {
        Ok(self.lock().get(key).map(|stored| ExecutionRecord {
            key: key.clone(),
            status: stored.status,
            history: stored.history.clone(),
        }))
    }
}
