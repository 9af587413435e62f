//! The store: every terminal, task, transaction, batch and refresh token of the mock, behind the
//! one lock. Callers hold the lock and pass `now`.
//!
//! Invariant: the store's fields are private to this module and its children, split by job (the
//! scenario book, faults, grants, the queue, the ledger, views, the app's operations); nothing
//! outside reaches into them.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use positions::Positions;
use rustc_hash::FxHashMap;

use crate::clock::Millis;
use crate::domain::batch::Batch;
use crate::domain::chunked::Chunked;
use crate::domain::ids::IdGenerator;
use crate::domain::plan::AppProfile;
use crate::domain::request::FieldError;
use crate::domain::task::{Task, TaskError};
use crate::domain::terminal::TerminalState;
use crate::domain::token::{RefreshRecord, TokenError};
use crate::domain::transaction::Transaction;
use crate::fixtures::Fixtures;
use crate::scenario::Scenario;

mod app;
mod book;
mod faults;
mod grants;
mod ledger;
mod persisted;
mod positions;
mod queue;
mod restore;
mod state_file;
mod views;

pub use app::{AppTaskView, ReceiptView, SessionView};
pub use grants::{OAuthFailure, TokenGrant, TokenParams};
pub use persisted::{Meta, Rows, Stored};
pub use restore::RestoreError;
pub use state_file::{ImportError, MAX_IMPORT_TEXT, STATE_FORMAT, STATE_VERSION, StateFile};
pub use views::{BatchView, Overview, TaskOverview, TaskView, TerminalOverview, TransactionView};

/// Mixed into the seed for the fault-chance generator, so it never repeats the id sequence.
const FAULT_SEED_MIX: u64 = 0x6661_756c_7473;

/// How many ids of a terminal's queue a snapshot shows (with the queue's length).
const QUEUE_SHOWN: usize = 20;

/// How many refresh tokens are kept before the oldest are forgotten.
pub const REFRESH_TOKEN_CAPACITY: usize = 100_000;

/// Who is calling, from a verified access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The user (index in the fixtures).
    pub user: u16,
    /// The terminal of a terminal token (index in the store); `None` for a master token.
    pub terminal: Option<u16>,
}

/// Why the store refuses an operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Unknown, or belongs to a terminal the caller may not see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Not even the shape of an id of its kind (answered 404 like an unknown one, saying so).
    #[error("{0}")]
    NotAnId(String),
    /// Broken fields.
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// The token is refused.
    #[error("{0}")]
    Unauthorized(TokenError),
}

/// The store.
#[derive(Debug)]
pub struct Store {
    base_fixtures: Arc<Fixtures>,
    fixtures: Arc<Fixtures>,
    scenarios: Vec<Arc<Scenario>>,
    default_scenario: Arc<Scenario>,
    seed: u64,
    ids: IdGenerator,
    terminals: Vec<TerminalState>,
    terminal_index: FxHashMap<String, u16>,
    tasks: Chunked<Task>,
    task_index: Positions,
    transactions: Chunked<Transaction>,
    transaction_index: Positions,
    ams_index: Positions,
    batches: Vec<Batch>,
    batch_index: FxHashMap<(u16, u32), u32>,
    refresh_tokens: HashMap<Box<str>, RefreshRecord>,
    refresh_order: VecDeque<Box<str>>,
    token_uses: HashMap<Box<str>, u32>,
    fault_counts: HashMap<(usize, usize), u32>,
    fault_rng: IdGenerator,
    /// The simulated GP tom app: the terminal it is logged in to (app-to-app).
    app_session: Option<AppSession>,
    /// Terminals a person drives from the browser page (tasks wait for a decision).
    manual_terminals: std::collections::HashSet<u16>,
    /// Every terminal is manual.
    manual_all: bool,
    /// What changed, while a data dir records it.
    changes: persisted::Changes,
    /// The app generation deep links answer as where the scenario does not say
    /// (`--app-profile`).
    app_profile: AppProfile,
}

impl Store {
    /// A fresh store from the fixtures, with the active scenarios (the default applies where none
    /// does), at `now`.
    #[must_use]
    pub fn new(
        fixtures: Arc<Fixtures>,
        scenarios: Vec<Arc<Scenario>>,
        seed: u64,
        now: Millis,
    ) -> Self {
        let mut store = Store {
            terminals: Vec::new(),
            terminal_index: FxHashMap::default(),
            base_fixtures: Arc::clone(&fixtures),
            fixtures,
            scenarios: Vec::new(),
            default_scenario: Arc::new(Scenario::default()),
            seed,
            ids: IdGenerator::new(seed),
            tasks: Chunked::new(),
            task_index: Positions::default(),
            transactions: Chunked::new(),
            transaction_index: Positions::default(),
            ams_index: Positions::default(),
            batches: Vec::new(),
            batch_index: FxHashMap::default(),
            refresh_tokens: HashMap::new(),
            refresh_order: VecDeque::new(),
            token_uses: HashMap::new(),
            fault_counts: HashMap::new(),
            fault_rng: IdGenerator::new(seed ^ FAULT_SEED_MIX),
            app_session: None,
            manual_terminals: std::collections::HashSet::new(),
            manual_all: false,
            changes: persisted::Changes::default(),
            app_profile: AppProfile::default(),
        };
        store.add_terminals(now);
        store.activate(scenarios, now);
        store.app_session = store.default_app_session();
        store
    }

    /// The same fixtures, scenarios and seed, with nothing recorded: the state after start.
    #[must_use]
    pub fn reset(&self, now: Millis) -> Store {
        let mut fresh = Store::new(
            Arc::clone(&self.base_fixtures),
            self.scenarios.clone(),
            self.seed,
            now,
        );
        fresh.app_profile = self.app_profile;
        fresh
    }

    /// The app generation deep links answer as where the active scenario's `wire.app` does not
    /// say (`--app-profile`, default the current SDK).
    pub fn set_app_profile(&mut self, profile: AppProfile) {
        self.app_profile = profile;
    }

    /// The app generation the deep links of terminal `tid` answer as: its scenario's `wire.app`,
    /// else the mock's.
    #[must_use]
    pub fn app_profile_for(&self, tid: &str) -> AppProfile {
        self.scenario_for(tid).wire.app.unwrap_or(self.app_profile)
    }
}

impl Store {
    /// The position of the task with `id`.
    pub(super) fn task_position(&self, id: u128) -> Option<u32> {
        let tasks = &self.tasks;
        self.task_index
            .get(&id, |position| tasks[position as usize].id)
    }

    /// The position of the transaction with `id`.
    pub(super) fn transaction_position(&self, id: u128) -> Option<u32> {
        let transactions = &self.transactions;
        self.transaction_index
            .get(&id, |position| transactions[position as usize].id)
    }

    /// The position of the transaction with `ams_id`.
    pub(super) fn ams_position(&self, ams_id: u64) -> Option<u32> {
        let transactions = &self.transactions;
        self.ams_index
            .get(&ams_id, |position| transactions[position as usize].ams_id)
    }

    /// Files the task at `position` (already pushed) under its id.
    pub(super) fn index_task(&mut self, position: u32) {
        let tasks = &self.tasks;
        let id = tasks[position as usize].id;
        self.task_index
            .insert(id, position, |filed| tasks[filed as usize].id);
    }

    /// Files the transaction at `position` (already pushed) under its id and amsID.
    pub(super) fn index_transaction(&mut self, position: u32) {
        let transactions = &self.transactions;
        let (id, ams_id) = {
            let transaction = &transactions[position as usize];
            (transaction.id, transaction.ams_id)
        };
        self.transaction_index
            .insert(id, position, |filed| transactions[filed as usize].id);
        self.ams_index.insert(ams_id, position, |filed| {
            transactions[filed as usize].ams_id
        });
    }
}

/// Who the simulated GP tom app is logged in as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSession {
    /// Terminal index.
    pub terminal: u16,
    /// User.
    pub username: String,
}

/// Sizes of the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StoreCounts {
    /// Terminals.
    pub terminals: usize,
    /// Tasks ever created.
    pub tasks: usize,
    /// Transactions recorded.
    pub transactions: usize,
    /// Closed batches.
    pub batches: usize,
    /// Live refresh tokens.
    pub refresh_tokens: usize,
}

/// `abc is not a task id: ids are UUIDs (…), the taskId GP tom answered`.
fn not_an_id(what: &str, value: &str, field: &str) -> StoreError {
    let shown: String = value.chars().take(64).collect();
    StoreError::NotAnId(format!(
        "`{shown}` is not a {what} id: {what} ids are UUIDs such as 3f1c2b7e-9d4a-4e8b-a0c5-6f2d9e1b7a34; use the `{field}` GP tom answered"
    ))
}

fn task_error(code: u16, message: String) -> TaskError {
    let platform = match code {
        62 | 65 => "TERMINAL",
        44 | 45 | 47 | 48 => "AMS",
        43 | 96 => "TERMINAL",
        _ => "CLOUD",
    };
    TaskError {
        code,
        platform,
        message,
    }
}
