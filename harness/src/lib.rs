//! `gptom-harness`: a GP tom mock per test, in the spirit of wiremock-rs.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use gptom_harness::MockGptom;
//!
//! let mock = MockGptom::start().await?;                    // its own port, stopped on drop
//! let client = mock.client();                              // a gptom-client pointed at it
//! let outcome = client.pay_amount(1122).await?;            // GP tom's "declined" test amount
//! assert!(!outcome.is_approved());
//! assert!(mock.verify().passed);                           // the client followed the protocol
//! # Ok(()) }
//! ```
//!
//! Virtual time runs 1000× faster than wall time (a [`gptom_mock::WarpClock`]), so a real client
//! that sleeps between polls lives through a 120 s timeout in about 120 ms; [`MockGptom::advance`]
//! jumps further (94 days for a storno window).

#![warn(missing_docs)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use gptom_mock::coverage::{Coverage, Scope};
use gptom_mock::journal::JournalEntry;
use gptom_mock::scenario::Scenario;
use gptom_mock::verify::Report;
use gptom_mock::{AppState, ManualClock, MockConfig, WarpClock};
use tokio::sync::oneshot;

/// How much faster than wall time the harness's virtual clock runs.
pub const WARP: u32 = 1_000;

/// The fixture account the harness logs in with by default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// OAuth client id.
    pub client_id: &'static str,
    /// OAuth client secret.
    pub client_secret: &'static str,
    /// Merchant login.
    pub username: &'static str,
    /// Password.
    pub password: &'static str,
    /// Terminal.
    pub tid: &'static str,
}

/// The default account: terminal 999888 of jan.novak@example.com.
pub const JAN: Credentials = Credentials {
    client_id: "atom",
    client_secret: "ashfuf4e5fa",
    username: "jan.novak@example.com",
    password: "ABCDEFGHIJKL",
    tid: "999888",
};

/// Why a mock could not start.
#[derive(Debug, thiserror::Error)]
pub enum HarnessError {
    /// The embedded fixtures are broken.
    #[error("fixtures: {0}")]
    Fixtures(#[from] gptom_mock::fixtures::FixturesError),
    /// The scenario is broken.
    #[error("{0}")]
    Scenario(#[from] gptom_mock::scenario::ScenarioError),
    /// The socket could not be bound.
    #[error("binding 127.0.0.1:0")]
    Bind(#[source] std::io::Error),
}

/// A running mock, stopped when dropped.
#[derive(Debug)]
pub struct MockGptom {
    url: String,
    state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockGptom {
    /// The default scenario (GP tom's test amounts), fast task timelines.
    pub async fn start() -> Result<Self, HarnessError> {
        Self::start_with(None).await
    }

    /// A scenario by the name of one of the embedded library (`"insufficient-funds"`; see
    /// `gptom-mock scenario list`), from a YAML file, or YAML text (anything containing a newline
    /// is text). A file of the same name as a library scenario wins.
    pub async fn with_scenario(path_or_yaml: &str) -> Result<Self, HarnessError> {
        let scenario = if path_or_yaml.contains('\n') {
            gptom_mock::scenario::load_str("<inline scenario>", path_or_yaml)?
        } else if let Some(scenario) = Some(path_or_yaml)
            .filter(|name| !Path::new(name).exists())
            .and_then(gptom_mock::scenario::library::find)
        {
            Scenario::clone(&scenario)
        } else {
            gptom_mock::scenario::load_file(Path::new(path_or_yaml))?
        };
        Self::start_with(Some(scenario)).await
    }

    /// A validated scenario.
    pub async fn start_with(scenario: Option<Scenario>) -> Result<Self, HarnessError> {
        Self::start_warped(scenario, WARP).await
    }

    /// A validated scenario, virtual time running `factor`× wall time (1 = real time).
    pub async fn start_warped(
        scenario: Option<Scenario>,
        factor: u32,
    ) -> Result<Self, HarnessError> {
        let mut config = MockConfig::embedded()?;
        config.journal_capacity = 100_000;
        config.scenarios = scenario.into_iter().map(Arc::new).collect();
        Self::start_configured(config, factor).await
    }

    /// A mock with a configuration of the caller's (journal bounds, scenarios, settings), virtual
    /// time running `factor`× wall time.
    pub async fn start_configured(config: MockConfig, factor: u32) -> Result<Self, HarnessError> {
        let clock = Arc::new(WarpClock::new(ManualClock::DEFAULT_START, factor));
        let state = AppState::new(config, clock);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(HarnessError::Bind)?;
        let url = format!(
            "http://{}",
            listener.local_addr().map_err(HarnessError::Bind)?
        );
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(gptom_mock::serve(listener, state.clone(), async move {
            let _ = stopped.await;
        }));
        Ok(MockGptom {
            url,
            state,
            shutdown: Some(shutdown),
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The default account.
    #[must_use]
    pub fn credentials(&self) -> Credentials {
        JAN
    }

    /// A `gptom-client` for terminal 999888, polling at a pace that suits the warped clock.
    #[must_use]
    pub fn client(&self) -> gptom_client::Client {
        self.client_for(JAN.username, JAN.tid)
    }

    /// A client for another fixture user and terminal.
    #[must_use]
    pub fn client_for(&self, username: &str, tid: &str) -> gptom_client::Client {
        self.builder(username)
            .terminal(tid)
            .currency(currency_of(tid))
            .build()
            .unwrap_or_else(|error| {
                unreachable!("the harness's client configuration is complete: {error}")
            })
    }

    /// A master-account client driving `tid`.
    #[must_use]
    pub fn master_client(&self, tid: &str) -> gptom_client::Client {
        self.builder("master@example.com")
            .master_account(tid)
            .currency(currency_of(tid))
            .build()
            .unwrap_or_else(|error| {
                unreachable!("the harness's client configuration is complete: {error}")
            })
    }

    fn builder(&self, username: &str) -> gptom_client::ClientBuilder {
        gptom_client::Client::builder(&self.url)
            .client_credentials(JAN.client_id, JAN.client_secret)
            .user(username, JAN.password)
            .wait_options(gptom_client::WaitOptions {
                initial_interval: Duration::from_millis(2),
                max_interval: Duration::from_millis(10),
                deadline: Duration::from_secs(20),
            })
    }

    /// Moves the virtual clock forward.
    pub fn advance(&self, by: Duration) {
        self.state
            .clock()
            .advance(i64::try_from(by.as_millis()).unwrap_or(i64::MAX));
    }

    /// The requests received so far.
    #[must_use]
    pub fn journal(&self) -> Vec<Arc<JournalEntry>> {
        self.state.journal().all()
    }

    /// Back to the initial state.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// The protocol checks over the journal.
    #[must_use]
    pub fn verify(&self) -> Report {
        let settings = self.state.store().scenario_for("").verify.clone();
        gptom_mock::verify::verify(&self.journal(), &settings)
    }

    /// Which of GP tom's edge cases this test met and how the client handled each (the same
    /// report as `GET /__mock/coverage`); `coverage().percent` is the share handled.
    #[must_use]
    pub fn coverage(&self) -> Coverage {
        let now = self.state.now();
        gptom_mock::coverage::coverage(&self.journal(), &Scope::default(), &|task| {
            self.state.store().task_outcome(task, now)
        })
    }

    /// The mock's state, for assertions the API does not expose.
    #[must_use]
    pub fn state(&self) -> &AppState {
        &self.state
    }
}

impl Drop for MockGptom {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

fn currency_of(tid: &str) -> &'static str {
    if tid == "777666" { "EUR" } else { "CZK" }
}
