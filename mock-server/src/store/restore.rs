//! A store rebuilt from stored rows (a data dir at start, a state file on import), and the checks
//! that come first: rows numbered without a gap, every index pointing at a row that exists, no id
//! twice, every time plausible.
//!
//! Invariant: nothing read back from outside reaches the store unchecked; an edited database or
//! state file is refused by name here rather than panicking on its first use.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use super::persisted::Stored;
use super::{AppSession, Store};
use crate::clock::Millis;
use crate::domain::batch::Batch;
use crate::domain::ids::IdGenerator;
use crate::domain::task::Task;
use crate::domain::terminal::TerminalState;
use crate::domain::transaction::Transaction;
use crate::fixtures::Fixtures;
use crate::scenario::Scenario;

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
    (Millis::EARLIEST.0..=Millis::END_OF_9999.0).contains(&time.0)
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

impl Store {
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
            store.tasks.push(task);
            store.index_task(index);
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
            store.transactions.push(transaction);
            store.index_transaction(index);
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
