//! The shared state of a running mock: the store, the journal, the clock and the keys.

use std::cell::Cell;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::clock::{Clock, ManualClock, Millis, SystemClock};
use crate::domain::token::TokenKeys;
use crate::fixtures::Fixtures;
use crate::journal::{DEFAULT_CAPACITY, Journal};
use crate::scenario::Scenario;
use crate::store::Store;

mod transfer;

pub use transfer::{Imported, read_state_file};

/// The largest request body accepted (413 above).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Live-page event streams open at once, by default: a developer's few tabs.
pub const DEFAULT_MAX_STREAMS: usize = 8;

/// How a mock is set up.
#[derive(Clone, Debug)]
pub struct MockConfig {
    /// Fixes every generated id, PAN and code.
    pub seed: u64,
    /// The fixtures.
    pub fixtures: Arc<Fixtures>,
    /// Active scenarios (terminal-bound first, then one unbound); empty = the default scenario.
    pub scenarios: Vec<Arc<Scenario>>,
    /// Scenarios that may be switched to by name (`PUT /__mock/scenario?name=`) besides the
    /// embedded library, which they shadow (see [`MockConfig::scenario_named`]).
    pub available_scenarios: Vec<Arc<Scenario>>,
    /// Request bodies above this size are refused with 413.
    pub body_limit: usize,
    /// Journal entries kept.
    pub journal_capacity: usize,
    /// What the journal's entries may weigh in all, bytes (oldest dropped first).
    pub journal_bytes: usize,
    /// A request body must arrive within this (408 otherwise).
    pub body_read_timeout: std::time::Duration,
    /// When set, `/__mock/*` requires `Authorization: Bearer <token>` or `X-Admin-Token`.
    pub admin_token: Option<String>,
    /// The JWT signing secret; random per process when `None` (`--jwt-secret` pins it,
    /// `--reproducible-tokens` derives it from `--seed`). With a data dir, the one stored there
    /// wins, so tokens issued before a restart stay valid.
    pub jwt_secret: Option<String>,
    /// `--data-dir`: keep the state in an SQLite database there (needs feature `durable`).
    pub data_dir: Option<std::path::PathBuf>,
    /// The GP tom app generation deep links answer as where a scenario's `wire.app` does not say
    /// (`--app-profile`).
    pub app_profile: crate::domain::plan::AppProfile,
    /// Host names the mock answers to besides IP addresses and `localhost` (`--allowed-host`,
    /// lower case; `*` for any): a request naming another is refused (DNS rebinding).
    pub allowed_hosts: Vec<String>,
    /// Live-page event streams open at once (`--max-streams`); they use no connection slot.
    pub max_streams: usize,
    /// How often an event stream sends a keep-alive comment when nothing changes.
    pub stream_keep_alive: std::time::Duration,
}

impl MockConfig {
    /// The scenario called `name`: one loaded at start first, then the embedded library's.
    #[must_use]
    pub fn scenario_named(&self, name: &str) -> Option<Arc<Scenario>> {
        self.available_scenarios
            .iter()
            .find(|scenario| scenario.name == name)
            .cloned()
            .or_else(|| crate::scenario::library::find(name))
    }

    /// Every name `scenario_named` knows: those loaded at start, then the library's.
    #[must_use]
    pub fn scenario_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .available_scenarios
            .iter()
            .map(|scenario| scenario.name.clone())
            .collect();
        for scenario in crate::scenario::library::all() {
            if !names.contains(&scenario.name) {
                names.push(scenario.name.clone());
            }
        }
        names
    }

    /// The embedded fixtures, the default scenario, seed 0.
    pub fn embedded() -> Result<Self, crate::fixtures::FixturesError> {
        Ok(MockConfig {
            seed: 0,
            fixtures: Arc::new(Fixtures::embedded()?),
            scenarios: Vec::new(),
            available_scenarios: Vec::new(),
            body_limit: DEFAULT_BODY_LIMIT,
            journal_capacity: DEFAULT_CAPACITY,
            journal_bytes: crate::journal::DEFAULT_MAX_BYTES,
            body_read_timeout: std::time::Duration::from_secs(30),
            admin_token: None,
            jwt_secret: None,
            data_dir: None,
            app_profile: crate::domain::plan::AppProfile::default(),
            allowed_hosts: Vec::new(),
            max_streams: DEFAULT_MAX_STREAMS,
            stream_keep_alive: std::time::Duration::from_secs(15),
        })
    }
}

/// 32 random bytes from the operating system, hex-encoded.
fn random_secret() -> String {
    use std::fmt::Write;
    let bytes: [u8; 32] = rand::random();
    bytes
        .iter()
        .fold(String::with_capacity(64), |mut text, byte| {
            let _ = write!(text, "{byte:02x}");
            text
        })
}

/// The signing secret `--reproducible-tokens` derives from a seed: the same tokens in every run
/// with that seed, so predictable by anyone who knows it.
#[must_use]
pub fn reproducible_secret(seed: u64) -> String {
    format!("gptom-mock-signing-key-{seed}")
}

/// One rendered frame of the live page, shared by every subscriber of `/__mock/events`: one
/// renderer makes at most five a second, however many pages watch and however fast the API changes.
#[derive(Debug, Default)]
pub struct PageFrame {
    /// The change counter it was rendered at.
    pub version: u64,
    /// The view's parts as JSON text, by name (`terminals`, `tasks`, …), each with a fingerprint
    /// of its text (computed once, so each subscriber's "what changed" costs a comparison).
    pub sections: Vec<(&'static str, String, u64)>,
    /// The newest journal entries as JSON text, oldest first, with their sequence numbers.
    pub journal: Vec<(u64, String)>,
}

/// What every handler shares. Cheap to clone.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Shared>,
}

#[derive(Debug)]
struct Shared {
    store: Mutex<Store>,
    journal: Mutex<Journal>,
    clock: Arc<dyn Clock>,
    keys: TokenKeys,
    config: MockConfig,
    request_ids: AtomicU64,
    /// Whether an active scenario injects faults (read on every request without the lock).
    faults_active: std::sync::atomic::AtomicBool,
    /// Bumped on every change, for the live page.
    changes: tokio::sync::watch::Sender<u64>,
    /// The data dir the store is kept in, if any.
    #[cfg_attr(not(feature = "durable"), allow(dead_code))]
    data_dir: DataDirSlot,
    /// The live page's newest frame, published by the one renderer for every subscriber.
    frames: tokio::sync::watch::Sender<Option<Arc<PageFrame>>>,
    /// Whether a renderer task runs (started by the first subscriber, ends with the last).
    renderer: Mutex<bool>,
    /// The live page's event streams, `max_streams` at most.
    streams: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// A mock with this configuration and clock, in memory.
    ///
    /// # Panics
    /// When `config.data_dir` is set: a data dir can fail to open, so use [`AppState::open`].
    #[must_use]
    pub fn new(config: MockConfig, clock: Arc<dyn Clock>) -> Self {
        assert!(
            config.data_dir.is_none(),
            "a mock with a data dir is opened with AppState::open"
        );
        let store = Store::new(
            Arc::clone(&config.fixtures),
            config.scenarios.clone(),
            config.seed,
            clock.now(),
        );
        Self::assemble(config, clock, store, None, None)
    }

    /// A mock with this configuration and clock; with `config.data_dir`, its state is read from
    /// and kept in the SQLite database there (the clock goes on from where it stood).
    pub fn open(config: MockConfig, clock: Arc<dyn Clock>) -> Result<Self, OpenError> {
        let Some(dir) = config.data_dir.clone() else {
            return Ok(Self::new(config, clock));
        };
        Self::open_dir(config, clock, &dir)
    }

    #[cfg(not(feature = "durable"))]
    fn open_dir(
        _config: MockConfig,
        _clock: Arc<dyn Clock>,
        _dir: &std::path::Path,
    ) -> Result<Self, OpenError> {
        Err(OpenError(
            "--data-dir needs gptom-mock built with feature `durable`".into(),
        ))
    }

    #[cfg(feature = "durable")]
    fn open_dir(
        mut config: MockConfig,
        clock: Arc<dyn Clock>,
        dir: &std::path::Path,
    ) -> Result<Self, OpenError> {
        let (data_dir, loaded) =
            crate::persist::DataDir::open(dir).map_err(|error| OpenError(error.to_string()))?;
        if let Some(stamp) = loaded.clock {
            clock.advance(stamp.advance_for(clock.now()));
        }
        let now = clock.now();
        let fresh = loaded.stored.is_none();
        let mut store = match loaded.stored {
            Some(stored) => {
                // The stored generators go on from where they stopped, under their own seed.
                if let Some(meta) = &stored.meta {
                    config.seed = meta.seed;
                }
                Store::restore(
                    Arc::clone(&config.fixtures),
                    |name| config.scenario_named(name),
                    stored,
                    now,
                )
                .map_err(|error| OpenError(format!("{}: {error}", dir.display())))?
            }
            None => Store::new(
                Arc::clone(&config.fixtures),
                config.scenarios.clone(),
                config.seed,
                now,
            ),
        };
        let secret = match loaded.jwt_secret {
            Some(stored) => stored,
            None => {
                let secret = config.jwt_secret.clone().unwrap_or_else(random_secret);
                data_dir
                    .remember_secret(&secret)
                    .map_err(|error| OpenError(error.to_string()))?;
                secret
            }
        };
        store.track_changes(true);
        if fresh {
            data_dir.submit(store.all_rows(), stamp(clock.as_ref()));
        }
        Ok(Self::assemble(
            config,
            clock,
            store,
            Some(secret),
            Some(data_dir),
        ))
    }

    fn assemble(
        config: MockConfig,
        clock: Arc<dyn Clock>,
        store: Store,
        secret: Option<String>,
        data_dir: DataDirSlot,
    ) -> Self {
        let mut store = store;
        store.set_app_profile(config.app_profile);
        let max_streams = config
            .max_streams
            .clamp(1, tokio::sync::Semaphore::MAX_PERMITS);
        // Without a pinned secret the key is random per process: nobody who can reach the mock
        // can forge a token from a known seed.
        let secret = secret
            .or_else(|| config.jwt_secret.clone())
            .unwrap_or_else(random_secret);
        let faults_active = std::sync::atomic::AtomicBool::new(store.has_faults());
        AppState {
            inner: Arc::new(Shared {
                store: Mutex::new(store),
                journal: Mutex::new(Journal::bounded(
                    config.journal_capacity,
                    config.journal_bytes,
                )),
                clock,
                keys: TokenKeys::new(secret.as_bytes()),
                config,
                request_ids: AtomicU64::new(0),
                faults_active,
                changes: tokio::sync::watch::channel(0).0,
                data_dir,
                frames: tokio::sync::watch::channel(None).0,
                renderer: Mutex::new(false),
                streams: Arc::new(tokio::sync::Semaphore::new(max_streams)),
            }),
        }
    }

    /// Embedded fixtures, default scenario, seed 0, a manual clock at its default start.
    pub fn for_tests() -> Result<Self, crate::fixtures::FixturesError> {
        Ok(AppState::new(
            MockConfig::embedded()?,
            Arc::new(ManualClock::default()),
        ))
    }

    /// Embedded fixtures, default scenario, seed 0, the system clock.
    pub fn with_system_clock() -> Result<Self, crate::fixtures::FixturesError> {
        Ok(AppState::new(
            MockConfig::embedded()?,
            Arc::new(SystemClock::new()),
        ))
    }

    /// The store, locked. Never hold the guard across an `.await`. With a data dir, what the
    /// holder changed is queued for the database when the guard drops.
    pub fn store(&self) -> StoreGuard<'_> {
        StoreGuard {
            guard: self
                .inner
                .store
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
            state: self,
        }
    }

    /// Waits until what this request changed is on disk (with a data dir; at once without).
    /// Called by the pipeline before it answers.
    pub async fn durable(&self) -> Result<(), String> {
        #[cfg(feature = "durable")]
        if let Some(data_dir) = &self.inner.data_dir {
            let seq = PENDING.try_with(Cell::get).unwrap_or(0);
            if seq > 0 {
                return data_dir.committed(seq).await;
            }
        }
        Ok(())
    }

    /// Whether the state is kept in a data dir.
    #[must_use]
    pub fn has_data_dir(&self) -> bool {
        self.inner.data_dir.is_some()
    }

    /// Runs `future` (one request) with its own record of what it must wait for.
    pub async fn scoped<F: std::future::Future>(future: F) -> F::Output {
        PENDING.scope(Cell::new(0), future).await
    }

    /// Records that the clock moved (the data dir keeps where it stands).
    pub fn clock_moved(&self) {
        self.store().mark_meta();
    }

    /// Commits what is queued and closes the data dir (a graceful shutdown).
    pub fn close(&self) {
        #[cfg(feature = "durable")]
        if let Some(data_dir) = &self.inner.data_dir {
            data_dir.close();
        }
    }

    /// The journal, locked.
    pub fn journal(&self) -> MutexGuard<'_, Journal> {
        self.inner
            .journal
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The clock.
    #[must_use]
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// Virtual now.
    #[must_use]
    pub fn now(&self) -> Millis {
        self.inner.clock.now()
    }

    /// JWT keys.
    #[must_use]
    pub fn keys(&self) -> &TokenKeys {
        &self.inner.keys
    }

    /// The configuration.
    #[must_use]
    pub fn config(&self) -> &MockConfig {
        &self.inner.config
    }

    /// The next request id.
    #[must_use]
    pub fn next_request_id(&self) -> u64 {
        self.inner
            .request_ids
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1
    }

    /// Makes `scenarios` the active ones (empty: the default scenario).
    pub fn activate(&self, scenarios: Vec<Arc<Scenario>>) {
        let now = self.now();
        let mut store = self.store();
        store.activate(scenarios, now);
        self.inner
            .faults_active
            .store(store.has_faults(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Tells live watchers (the browser page) that something changed.
    pub fn notify(&self) {
        // Only when somebody watches: an idle page costs nothing on the hot path.
        if self.inner.changes.receiver_count() > 0 {
            self.inner.changes.send_modify(|version| *version += 1);
        }
    }

    /// A receiver of the live page's frames (`None` until the renderer made the first).
    #[must_use]
    pub fn frames(&self) -> tokio::sync::watch::Receiver<Option<Arc<PageFrame>>> {
        self.inner.frames.subscribe()
    }

    /// Publishes a frame to every page.
    pub fn publish_frame(&self, frame: Arc<PageFrame>) {
        self.inner.frames.send_replace(Some(frame));
    }

    /// A place among the live page's event streams, if one is free (held while the stream runs).
    #[must_use]
    pub fn stream_place(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        Arc::clone(&self.inner.streams).try_acquire_owned().ok()
    }

    /// Whether the caller should start the renderer: true once, until the renderer stops.
    #[must_use]
    pub fn claim_renderer(&self) -> bool {
        let mut running = self
            .inner
            .renderer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        !std::mem::replace(&mut *running, true)
    }

    /// For the renderer: true (and it must stop) when no page watches any more.
    #[must_use]
    pub fn renderer_unwatched(&self) -> bool {
        let mut running = self
            .inner
            .renderer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.inner.frames.receiver_count() == 0 {
            *running = false;
            self.inner.frames.send_replace(None);
            return true;
        }
        false
    }

    /// A receiver of change notifications.
    #[must_use]
    pub fn subscribe(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.changes.subscribe()
    }

    /// Whether an active scenario injects HTTP faults.
    #[must_use]
    pub fn faults_active(&self) -> bool {
        self.inner
            .faults_active
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Back to the fixtures' initial state; the id sequence restarts from the seed.
    pub fn reset(&self) {
        self.reset_at(self.now());
    }

    /// [`AppState::reset`] at the virtual time `now` (a request's one reading of the clock).
    pub fn reset_at(&self, now: Millis) {
        {
            let mut store = self.store();
            let fresh = store.reset(now);
            self.replace_store(&mut store, fresh);
        }
        self.journal().clear();
    }

    /// Puts `fresh` in the place of the locked store (a reset, an import). With a data dir the
    /// database is rewritten with it first, under the lock, so nothing after comes before it,
    /// and the request answers once that is on disk.
    fn replace_store(&self, store: &mut StoreGuard<'_>, mut fresh: Store) {
        fresh.set_app_profile(self.inner.config.app_profile);
        #[cfg(feature = "durable")]
        let fresh = {
            let mut fresh = fresh;
            if let Some(data_dir) = &self.inner.data_dir {
                fresh.track_changes(true);
                let seq = data_dir.submit(fresh.all_rows(), stamp(self.inner.clock.as_ref()));
                let _ = PENDING.try_with(|pending| pending.set(seq));
            }
            fresh
        };
        **store = fresh;
        self.inner
            .faults_active
            .store(store.has_faults(), std::sync::atomic::Ordering::Relaxed);
    }
}

tokio::task_local! {
    /// The last rows the current request queued for the data dir (0: none).
    static PENDING: Cell<u64>;
}

/// Why a mock cannot start.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OpenError(pub String);

/// The clock's reading for a commit.
#[cfg(feature = "durable")]
fn stamp(clock: &dyn Clock) -> crate::persist::ClockStamp {
    crate::persist::ClockStamp {
        mode: clock.mode(),
        now: clock.now(),
        wall: crate::persist::wall_now(),
    }
}

#[cfg(feature = "durable")]
type DataDirSlot = Option<crate::persist::DataDir>;
#[cfg(not(feature = "durable"))]
type DataDirSlot = Option<std::convert::Infallible>;

/// The locked store. With a data dir, dropping it queues what changed for the database.
#[allow(missing_debug_implementations)]
pub struct StoreGuard<'a> {
    guard: MutexGuard<'a, Store>,
    #[cfg_attr(not(feature = "durable"), allow(dead_code))]
    state: &'a AppState,
}

impl std::ops::Deref for StoreGuard<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.guard
    }
}

impl std::ops::DerefMut for StoreGuard<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        &mut self.guard
    }
}

impl Drop for StoreGuard<'_> {
    fn drop(&mut self) {
        #[cfg(feature = "durable")]
        if let Some(data_dir) = &self.state.inner.data_dir
            && let Some(rows) = self.guard.take_rows()
        {
            // Still under the lock: the numbers follow the order of the operations.
            let seq = data_dir.submit(rows, stamp(self.state.inner.clock.as_ref()));
            let _ = PENDING.try_with(|pending| pending.set(seq));
        }
    }
}
