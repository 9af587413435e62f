//! The store's persisted form (`--data-dir`): which rows an operation changed, those rows as
//! JSON text, and a store rebuilt from them.
//!
//! Invariant: change tracking is off unless a data dir is open, so the in-memory mock pays one
//! branch per change and nothing else. Every mutation of a task, transaction, batch, terminal or
//! refresh token marks it here; `take_rows` hands them out once, in the order the lock was taken.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::{AppSession, Store};
use crate::clock::Millis;
use crate::domain::batch::Batch;
use crate::domain::ids::IdGenerator;
use crate::domain::task::Task;
use crate::domain::terminal::TerminalState;
use crate::domain::token::RefreshRecord;
use crate::domain::transaction::Transaction;
use crate::fixtures::Fixtures;
use crate::scenario::Scenario;

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
                    let currency = terminal(row.terminal).map(|t| t.currency.clone());
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

/// Why a stored store cannot be rebuilt.
#[derive(Debug, thiserror::Error)]
pub enum RestoreError {
    /// Rows missing or out of order.
    #[error("the stored {what} are not numbered 0, 1, 2, …: the database was edited or is damaged")]
    Gap {
        /// Which table.
        what: &'static str,
    },
    /// A row points at a row that does not exist, or repeats an id.
    #[error(
        "{what} {index} has a `{field}` that points nowhere: the state was edited or is damaged; export it again from the mock that made it"
    )]
    Reference {
        /// Which kind of row.
        what: &'static str,
        /// Its position (0-based).
        index: usize,
        /// The field.
        field: &'static str,
    },
    /// A time outside years 1–9999.
    #[error(
        "{what} {index} has a `{field}` outside the years 1–9999: the state was edited or is damaged; export it again from the mock that made it"
    )]
    Time {
        /// Which kind of row.
        what: &'static str,
        /// Its position (0-based).
        index: usize,
        /// The field.
        field: &'static str,
    },
    /// Two rows share an id.
    #[error(
        "{what} {index} repeats the `{field}` of an earlier one: the state was edited or is damaged; export it again from the mock that made it"
    )]
    Repeated {
        /// Which kind of row.
        what: &'static str,
        /// Its position (0-based).
        index: usize,
        /// The field.
        field: &'static str,
    },
    /// A stored value does not read back.
    #[error("a stored {what} does not read back: {error}")]
    Unreadable {
        /// Which table.
        what: &'static str,
        /// The decoder's words.
        error: String,
    },
}

/// Whether a stored time lies in years 1–9999 (what GP tom's ISO dates can say; the settling's
/// arithmetic on anything wilder could overflow).
pub(super) fn plausible(time: Millis) -> bool {
    (-62_135_596_800_000..=253_402_300_799_999).contains(&time.0)
}

/// Checks that every index a row holds points at a row that exists, that ids are unique and
/// times plausible: an edited database or state file is refused here rather than panicking on
/// its first use.
pub(super) fn check_references<'a>(
    terminals: impl Iterator<Item = &'a TerminalState>,
    tasks: impl Iterator<Item = &'a Task> + Clone,
    transactions: impl Iterator<Item = &'a Transaction> + Clone,
    batches: impl Iterator<Item = &'a Batch>,
) -> Result<(), RestoreError> {
    let task_count = tasks.clone().count();
    let transaction_count = transactions.clone().count();
    let broken = |what: &'static str, index: usize, field: &'static str| RestoreError::Reference {
        what,
        index,
        field,
    };
    let repeated = |what: &'static str, index: usize, field: &'static str| RestoreError::Repeated {
        what,
        index,
        field,
    };
    let out_of_time = |what: &'static str, index: usize, field: &'static str| RestoreError::Time {
        what,
        index,
        field,
    };
    let mut tids = HashSet::new();
    let mut count = 0;
    for (index, terminal) in terminals.enumerate() {
        for (field, time) in [
            ("free_at", terminal.free_at),
            ("batch_opened", terminal.batch_opened),
        ] {
            if !plausible(time) {
                return Err(out_of_time("terminal", index, field));
            }
        }
        if terminal
            .last_transaction
            .is_some_and(|row| row as usize >= transaction_count)
        {
            return Err(broken("terminal", index, "last_transaction"));
        }
        if !tids.insert(Arc::clone(&terminal.tid)) {
            return Err(repeated("terminal", index, "tid"));
        }
        count += 1;
    }
    let terminals = count;
    let mut ids = HashSet::new();
    for (index, task) in tasks.enumerate() {
        for (field, time) in [
            ("created", Some(task.created)),
            ("updated", Some(task.updated)),
            ("started", task.started),
            ("ready_at", task.ready_at),
        ] {
            if time.is_some_and(|time| !plausible(time)) {
                return Err(out_of_time("task", index, field));
            }
        }
        if usize::from(task.terminal) >= terminals {
            return Err(broken("task", index, "terminal"));
        }
        if task
            .transaction
            .is_some_and(|row| row as usize >= transaction_count)
        {
            return Err(broken("task", index, "transaction"));
        }
        if !ids.insert(task.id) {
            return Err(repeated("task", index, "id"));
        }
    }
    let mut ids = HashSet::new();
    let mut ams_ids = HashSet::new();
    for (index, transaction) in transactions.enumerate() {
        if !plausible(transaction.date) {
            return Err(out_of_time("transaction", index, "date"));
        }
        if usize::from(transaction.terminal) >= terminals {
            return Err(broken("transaction", index, "terminal"));
        }
        if transaction
            .task
            .is_some_and(|row| row as usize >= task_count)
        {
            return Err(broken("transaction", index, "task"));
        }
        for (field, row) in [
            ("origin", transaction.origin),
            ("cancelled_by", transaction.cancelled_by),
        ] {
            if row.is_some_and(|row| row as usize >= transaction_count) {
                return Err(broken("transaction", index, field));
            }
        }
        if !ids.insert(transaction.id) {
            return Err(repeated("transaction", index, "id"));
        }
        if !ams_ids.insert(transaction.ams_id) {
            return Err(repeated("transaction", index, "ams_id"));
        }
    }
    for (index, batch) in batches.enumerate() {
        for (field, time) in [
            ("date", batch.date),
            ("previous_batch_date", batch.previous_batch_date),
        ] {
            if !plausible(time) {
                return Err(out_of_time("batch", index, field));
            }
        }
        if usize::from(batch.terminal) >= terminals {
            return Err(broken("batch", index, "terminal"));
        }
    }
    Ok(())
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
            .map(|terminal| terminal.currency.clone())
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

    /// A store rebuilt from what a database held, under today's fixtures and the named scenarios
    /// (`scenario_named` finds them; a name no longer known falls back to the default).
    pub fn restore(
        fixtures: Arc<Fixtures>,
        scenario_named: impl Fn(&str) -> Option<Arc<Scenario>>,
        stored: Stored,
        now: Millis,
    ) -> Result<Store, RestoreError> {
        check_references(
            stored.terminals.iter().map(|(_, terminal)| terminal),
            stored.tasks.iter().map(|(_, task)| task),
            stored.transactions.iter().map(|(_, row)| row),
            stored.batches.iter().map(|(_, batch)| batch),
        )?;
        let meta = stored.meta.unwrap_or_default();
        let scenarios: Vec<Arc<Scenario>> = meta
            .scenarios
            .iter()
            .filter_map(|name| scenario_named(name))
            .collect();
        let mut store = Store::new(fixtures, scenarios, meta.seed, now);
        let position = |text: &str| {
            text.parse::<u128>()
                .map_err(|error| RestoreError::Unreadable {
                    what: "generator position",
                    error: error.to_string(),
                })
        };
        store.ids = IdGenerator::resumed(meta.seed, position(&meta.ids_position)?);
        store.fault_rng = IdGenerator::resumed(
            meta.seed ^ super::FAULT_SEED_MIX,
            position(&meta.faults_position)?,
        );
        store.manual_terminals = meta.manual_terminals.into_iter().collect();
        store.manual_all = meta.manual_all;
        store.fault_counts = meta
            .fault_counts
            .into_iter()
            .map(|(scenario, fault, count)| ((scenario, fault), count))
            .collect();

        // Terminals: the stored ones replace those the fixtures made, by tid; new fixture
        // terminals stay.
        let mut terminals: Vec<TerminalState> = Vec::new();
        for (expected, (index, terminal)) in stored.terminals.into_iter().enumerate() {
            if usize::from(index) != expected {
                return Err(RestoreError::Gap { what: "terminals" });
            }
            terminals.push(terminal);
        }
        for fresh in &store.terminals {
            if !terminals.iter().any(|terminal| terminal.tid == fresh.tid) {
                terminals.push(fresh.clone());
            }
        }
        store.terminal_index = terminals
            .iter()
            .enumerate()
            .map(|(index, terminal)| {
                (
                    terminal.tid.to_string(),
                    u16::try_from(index).unwrap_or(u16::MAX),
                )
            })
            .collect();
        store.terminals = terminals;
        store.app_session = meta
            .app_session
            .filter(|(terminal, _)| usize::from(*terminal) < store.terminals.len())
            .map(|(terminal, username)| AppSession { terminal, username });

        // What the fresh store seeded from its scenarios is in the stored rows already.
        store.tasks = crate::domain::chunked::Chunked::new();
        store.task_index.clear();
        store.transactions = crate::domain::chunked::Chunked::new();
        store.transaction_index.clear();
        store.ams_index.clear();
        for (expected, (index, task)) in stored.tasks.into_iter().enumerate() {
            if index as usize != expected {
                return Err(RestoreError::Gap { what: "tasks" });
            }
            store.task_index.insert(task.id, index);
            store.tasks.push(task);
        }
        // A queue is its terminal's unfinished tasks in creation order.
        for terminal in &mut store.terminals {
            terminal.queue.clear();
        }
        for index in 0..store.tasks.len() {
            let task = &store.tasks[index];
            if !task.state.is_final()
                && let Some(terminal) = store.terminals.get_mut(usize::from(task.terminal))
            {
                terminal
                    .queue
                    .push_back(u32::try_from(index).unwrap_or(u32::MAX));
            }
        }
        for (expected, (index, transaction)) in stored.transactions.into_iter().enumerate() {
            if index as usize != expected {
                return Err(RestoreError::Gap {
                    what: "transactions",
                });
            }
            store.transaction_index.insert(transaction.id, index);
            store.ams_index.insert(transaction.ams_id, index);
            store.transactions.push(transaction);
        }
        store.batches.clear();
        store.batch_index.clear();
        for (expected, (index, batch)) in stored.batches.into_iter().enumerate() {
            if index as usize != expected {
                return Err(RestoreError::Gap { what: "batches" });
            }
            store
                .batch_index
                .insert((batch.terminal, batch.number), index);
            store.batches.push(batch);
        }
        store.refresh_order = VecDeque::new();
        store.refresh_tokens = HashMap::new();
        for (token, record) in stored.refresh_tokens {
            let token: Box<str> = token.into();
            store.refresh_order.push_back(token.clone());
            store.refresh_tokens.insert(token, record);
        }
        Ok(store)
    }
}
