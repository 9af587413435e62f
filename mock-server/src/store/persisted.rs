//! The store's persisted form (`--data-dir`): which rows an operation changed and copies of them
//! for the writer (encoded there, off the request path); `restore.rs` rebuilds a store from them.
//!
//! Invariant: change tracking is off unless a data dir is open, so the in-memory mock pays one
//! branch per change and nothing else. Every mutation of a task, transaction, batch, terminal or
//! refresh token marks it here; `take_rows` hands them out once, in the order the lock was taken.

use std::collections::HashSet;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::Store;
use crate::domain::batch::Batch;
use crate::domain::task::Task;
use crate::domain::terminal::TerminalState;
use crate::domain::token::RefreshRecord;
use crate::domain::transaction::Transaction;

/// What changed since the rows were last taken.
#[derive(Debug, Default)]
pub(super) struct Changes {
    on: bool,
    any: bool,
    tasks: Vec<u32>,
    transactions: Vec<u32>,
    batches: Vec<u32>,
    terminals: Vec<u16>,
    refresh_put: Vec<Box<str>>,
    refresh_removed: Vec<Box<str>>,
}

/// The rows one operation (or a whole store) writes: copies of what changed, encoded by the
/// writer (off the request path, outside the lock).
#[derive(Clone, Debug, Default)]
pub struct Rows {
    /// Start from an empty database (a reset).
    pub clear: bool,
    /// Terminals by index (their queues are left out: a restore rebuilds them from the tasks).
    pub terminals: Vec<(u16, TerminalState)>,
    /// Tasks by index, with their terminal's tid.
    pub tasks: Vec<(u32, Arc<str>, Task)>,
    /// Transactions by index, with their terminal's tid and currency.
    pub transactions: Vec<(u32, Arc<str>, String, Transaction)>,
    /// Closed batches by index, with their terminal's tid.
    pub batches: Vec<(u32, Arc<str>, Batch)>,
    /// Refresh tokens written.
    pub refresh_put: Vec<(Box<str>, RefreshRecord)>,
    /// Refresh tokens gone.
    pub refresh_removed: Vec<Box<str>>,
    /// The store's scalars.
    pub meta: Meta,
}

/// The store's scalars: the seed and how far its generators ran, the switches, the app session.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Meta {
    /// The seed the generators started from.
    pub seed: u64,
    /// How far the id generator ran.
    pub ids_position: String,
    /// How far the fault chance generator ran.
    pub faults_position: String,
    /// Active scenarios by name (empty: the default).
    pub scenarios: Vec<String>,
    /// The simulated GP tom app's login: terminal index and user.
    pub app_session: Option<(u16, String)>,
    /// Terminals in manual mode.
    pub manual_terminals: Vec<u16>,
    /// The whole mock manual.
    pub manual_all: bool,
    /// Scenario fault counters: scenario, fault, count.
    pub fault_counts: Vec<(usize, usize, u32)>,
}

/// A store read back from a database.
#[derive(Debug, Default)]
pub struct Stored {
    /// [`Meta`].
    pub meta: Option<Meta>,
    /// Terminals by index.
    pub terminals: Vec<(u16, TerminalState)>,
    /// Tasks by index.
    pub tasks: Vec<(u32, Task)>,
    /// Transactions by index.
    pub transactions: Vec<(u32, Transaction)>,
    /// Batches by index.
    pub batches: Vec<(u32, Batch)>,
    /// Refresh tokens in the order they were issued.
    pub refresh_tokens: Vec<(String, RefreshRecord)>,
}

impl Rows {
    /// The rows of a whole database holding `stored` (`clear` set): what an import writes.
    #[must_use]
    pub fn of_stored(stored: Stored) -> Rows {
        let terminal = |index: u16| stored.terminals.get(usize::from(index)).map(|(_, t)| t);
        let tid =
            |index: u16| terminal(index).map_or_else(|| Arc::from(""), |t| Arc::clone(&t.tid));
        Rows {
            clear: true,
            tasks: stored
                .tasks
                .iter()
                .map(|(index, task)| (*index, tid(task.terminal), task.clone()))
                .collect(),
            transactions: stored
                .transactions
                .iter()
                .map(|(index, row)| {
                    let currency = terminal(row.terminal).map(|t| t.currency.to_string());
                    (
                        *index,
                        tid(row.terminal),
                        currency.unwrap_or_default(),
                        row.clone(),
                    )
                })
                .collect(),
            batches: stored
                .batches
                .iter()
                .map(|(index, batch)| (*index, tid(batch.terminal), batch.clone()))
                .collect(),
            terminals: stored.terminals.clone(),
            refresh_put: stored
                .refresh_tokens
                .iter()
                .map(|(token, record)| (token.as_str().into(), record.clone()))
                .collect(),
            refresh_removed: Vec::new(),
            meta: stored.meta.clone().unwrap_or_default(),
        }
    }
}

impl Changes {
    /// Only [`Meta`] changed (callable while other fields of the store are borrowed).
    pub(super) fn meta(&mut self) {
        if self.on {
            self.any = true;
        }
    }

    /// What was recorded, leaving nothing recorded (and tracking as it was).
    fn take(&mut self) -> Changes {
        let on = self.on;
        let taken = std::mem::take(self);
        self.on = on;
        taken
    }
}

fn sorted<T: Ord + Copy>(mut items: Vec<T>) -> Vec<T> {
    items.sort_unstable();
    items.dedup();
    items
}

impl Store {
    /// Starts (or stops) recording which rows change, for a data dir.
    pub fn track_changes(&mut self, on: bool) {
        self.changes = Changes {
            on,
            ..Changes::default()
        };
    }

    pub(super) fn mark_task(&mut self, index: u32) {
        if self.changes.on {
            self.changes.any = true;
            self.changes.tasks.push(index);
        }
    }

    pub(super) fn mark_transaction(&mut self, index: u32) {
        if self.changes.on {
            self.changes.any = true;
            self.changes.transactions.push(index);
        }
    }

    pub(super) fn mark_batch(&mut self, index: u32) {
        if self.changes.on {
            self.changes.any = true;
            self.changes.batches.push(index);
        }
    }

    pub(super) fn mark_terminal(&mut self, index: u16) {
        if self.changes.on {
            self.changes.any = true;
            self.changes.terminals.push(index);
        }
    }

    pub(super) fn mark_refresh(&mut self, token: &str, removed: bool) {
        if self.changes.on {
            self.changes.any = true;
            if removed {
                self.changes.refresh_removed.push(token.into());
            } else {
                self.changes.refresh_put.push(token.into());
            }
        }
    }

    /// Something only [`Meta`] holds changed (a switch, a counter, the app's login; the clock).
    pub fn mark_meta(&mut self) {
        if self.changes.on {
            self.changes.any = true;
        }
    }

    /// The rows changed since the last call, or `None` when nothing changed.
    pub fn take_rows(&mut self) -> Option<Rows> {
        if !self.changes.any {
            return None;
        }
        let changes = self.changes.take();
        let mut rows = Rows {
            meta: self.meta(),
            ..Rows::default()
        };
        for index in sorted(changes.terminals) {
            rows.terminals.push(self.terminal_row(index));
        }
        for index in sorted(changes.tasks) {
            rows.tasks.push(self.task_row(index));
        }
        for index in sorted(changes.transactions) {
            rows.transactions.push(self.transaction_row(index));
        }
        for index in sorted(changes.batches) {
            rows.batches.push(self.batch_row(index));
        }
        let removed: HashSet<&str> = changes.refresh_removed.iter().map(|t| &**t).collect();
        for token in &changes.refresh_put {
            if let Some(record) = self.refresh_tokens.get(token)
                && !removed.contains(&**token)
            {
                rows.refresh_put.push((token.clone(), record.clone()));
            }
        }
        rows.refresh_removed = changes
            .refresh_removed
            .into_iter()
            .filter(|token| !self.refresh_tokens.contains_key(token))
            .collect();
        Some(rows)
    }

    /// Every row of the store, to write a whole database (`clear` set).
    #[must_use]
    pub fn all_rows(&self) -> Rows {
        Rows {
            clear: true,
            terminals: (0..self.terminals.len())
                .map(|index| self.terminal_row(u16::try_from(index).unwrap_or(u16::MAX)))
                .collect(),
            tasks: (0..self.tasks.len())
                .map(|index| self.task_row(u32::try_from(index).unwrap_or(u32::MAX)))
                .collect(),
            transactions: (0..self.transactions.len())
                .map(|index| self.transaction_row(u32::try_from(index).unwrap_or(u32::MAX)))
                .collect(),
            batches: (0..self.batches.len())
                .map(|index| self.batch_row(u32::try_from(index).unwrap_or(u32::MAX)))
                .collect(),
            refresh_put: self
                .refresh_order
                .iter()
                .filter_map(|token| {
                    self.refresh_tokens
                        .get(token)
                        .map(|record| (token.clone(), record.clone()))
                })
                .collect(),
            refresh_removed: Vec::new(),
            meta: self.meta(),
        }
    }

    fn meta(&self) -> Meta {
        Meta {
            seed: self.seed,
            ids_position: self.ids.position().to_string(),
            faults_position: self.fault_rng.position().to_string(),
            scenarios: self
                .scenarios
                .iter()
                .map(|scenario| scenario.name.clone())
                .collect(),
            app_session: self
                .app_session
                .as_ref()
                .map(|session| (session.terminal, session.username.clone())),
            manual_terminals: sorted(self.manual_terminals.iter().copied().collect()),
            manual_all: self.manual_all,
            fault_counts: {
                let mut counts: Vec<(usize, usize, u32)> = self
                    .fault_counts
                    .iter()
                    .map(|(&(scenario, fault), &count)| (scenario, fault, count))
                    .collect();
                counts.sort_unstable();
                counts
            },
        }
    }

    fn tid(&self, terminal: u16) -> Arc<str> {
        self.terminals
            .get(usize::from(terminal))
            .map_or_else(|| Arc::from(""), |terminal| Arc::clone(&terminal.tid))
    }

    fn terminal_row(&self, index: u16) -> (u16, TerminalState) {
        (index, self.terminals[usize::from(index)].without_queue())
    }

    fn task_row(&self, index: u32) -> (u32, Arc<str>, Task) {
        let task = &self.tasks[index as usize];
        (index, self.tid(task.terminal), task.clone())
    }

    fn transaction_row(&self, index: u32) -> (u32, Arc<str>, String, Transaction) {
        let transaction = &self.transactions[index as usize];
        let currency = self
            .terminals
            .get(usize::from(transaction.terminal))
            .map(|terminal| terminal.currency.to_string())
            .unwrap_or_default();
        (
            index,
            self.tid(transaction.terminal),
            currency,
            transaction.clone(),
        )
    }

    fn batch_row(&self, index: u32) -> (u32, Arc<str>, Batch) {
        let batch = &self.batches[index as usize];
        (index, self.tid(batch.terminal), batch.clone())
    }
}
