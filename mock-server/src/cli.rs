//! The command line's shape (clap): commands, their options and environment variables.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A stateful test double of GP tom's Cloud API.
#[derive(Debug, Parser)]
#[command(
    name = "gptom-mock",
    version = env!("GPTOM_MOCK_VERSION"),
    about,
    args_conflicts_with_subcommands = true
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
    /// Without a command, `gptom-mock [OPTIONS]` is `gptom-mock serve [OPTIONS]`.
    #[command(flatten)]
    pub(crate) serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Runs the mock server (the default when no command is given).
    Serve(ServeArgs),
    /// Prints the OpenAPI 3.1 document of the mock (the same as `GET /openapi.json`).
    Openapi,
    /// Opens a gptom:// deep link on a running mock (as the GP tom app would) and prints the
    /// redirect and the decoded result.
    Applink {
        /// The deep link, e.g. 'gptom://transaction/create?amount=1000&redirectUrl=myapp://done'.
        link: String,
        /// The mock's base URL.
        #[arg(long, default_value = "http://127.0.0.1:8080", env = "GPTOM_MOCK_URL")]
        url: String,
    },
    /// Judges what a client did against a running mock (its journal) by GP tom's protocol;
    /// exits 1 when a rule fails.
    Verify {
        /// The mock's base URL.
        #[arg(long, default_value = "http://127.0.0.1:8080", env = "GPTOM_MOCK_URL")]
        url: String,
        /// Also write the report as JUnit XML to this file.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// The admin token, when the mock has one.
        #[arg(long, env = "GPTOM_MOCK_ADMIN_TOKEN")]
        admin_token: Option<String>,
    },
    /// Which of GP tom's edge cases the client's tests met, and how it handled each (judged from
    /// a running mock's journal); with --min, exits 1 below that percentage of handled cases.
    Coverage {
        /// The mock's base URL.
        #[arg(long, default_value = "http://127.0.0.1:8080", env = "GPTOM_MOCK_URL")]
        url: String,
        /// text, json, junit (mishandled cases fail, cases not met are skipped) or markdown.
        #[arg(long, default_value = "text", value_parser = ["text", "json", "junit", "markdown"])]
        format: String,
        /// Fail (exit 1) when fewer than this percentage of the catalogue's cases are handled.
        #[arg(long, value_name = "PERCENT", value_parser = clap::value_parser!(u32).range(0..=100))]
        min: Option<u32>,
        /// Only this OAuth client's requests (parallel suites sharing one mock).
        #[arg(long)]
        client: Option<String>,
        /// Only this terminal's requests.
        #[arg(long)]
        terminal: Option<String>,
        /// The admin token, when the mock has one.
        #[arg(long, env = "GPTOM_MOCK_ADMIN_TOKEN")]
        admin_token: Option<String>,
    },
    /// Works with scenario files.
    #[command(subcommand)]
    Scenario(ScenarioCommand),
    /// Moves a mock's whole state (terminals, tasks, transactions, batches, virtual time; no
    /// secrets) into or out of a JSON file: to another machine, or attached to a bug report.
    #[command(subcommand)]
    State(StateCommand),
    /// Waits until a mock answers (for CI: start the mock in the background, then `wait`);
    /// exits 0 once `/__mock/health` answers, 1 on timeout, 3 when a locked mock answered 401
    /// (pass --admin-token, or --accept-locked to take that as ready).
    Wait {
        /// The mock's base URL.
        #[arg(long, default_value = "http://127.0.0.1:8080", env = "GPTOM_MOCK_URL")]
        url: String,
        /// Read the port from this file (written by `serve --port-file`), waiting for it to
        /// appear; the host stays the one of --url.
        #[arg(long, value_name = "FILE")]
        port_file: Option<PathBuf>,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
        /// The admin token, when the mock has one.
        #[arg(long, env = "GPTOM_MOCK_ADMIN_TOKEN")]
        admin_token: Option<String>,
        /// A locked mock answering 401 is ready too (exit 0): for a job that only needs the
        /// Cloud API and does not hold the admin token.
        #[arg(long)]
        accept_locked: bool,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum ScenarioCommand {
    /// Lists the embedded scenario library (usable by name with --scenario and
    /// PUT /__mock/scenario?name=) with each one's description.
    List,
    /// Validates scenario files; exits non-zero on any problem (for CI).
    Check {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum StateCommand {
    /// Writes the state of a running mock (--url), or of a data dir no mock is using
    /// (--data-dir), to FILE ('-': standard output).
    Export {
        /// The file to write.
        file: PathBuf,
        #[command(flatten)]
        source: StatePlace,
    },
    /// Replaces the state of a running mock (--url), or of a data dir no mock is using
    /// (--data-dir), with FILE's ('-': standard input). A file that does not fit changes nothing.
    Import {
        /// The file to read (written by `state export`).
        file: PathBuf,
        #[command(flatten)]
        source: StatePlace,
    },
}

/// Where `state export` / `import` finds the state.
#[derive(Debug, Args)]
pub(crate) struct StatePlace {
    /// The running mock's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "GPTOM_MOCK_URL")]
    pub(crate) url: String,
    /// A data dir no mock is using, instead of a running mock.
    #[arg(long, value_name = "DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// The admin token, when the mock has one.
    #[arg(long, env = "GPTOM_MOCK_ADMIN_TOKEN")]
    pub(crate) admin_token: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ClockChoice {
    /// Wall-clock time, movable forward with /__mock/clock/advance.
    System,
    /// Frozen until /__mock/clock/advance moves it.
    Manual,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum AppProfileChoice {
    /// GP tom's iOS SDK at 08f1318 (2026-06-10).
    Current,
    /// GP tom's iOS SDK at a280f7d (2025-11-10).
    #[value(name = "2025")]
    Sdk2025,
}

impl From<AppProfileChoice> for gptom_mock::scenario::AppProfile {
    fn from(choice: AppProfileChoice) -> Self {
        match choice {
            AppProfileChoice::Current => Self::Current,
            AppProfileChoice::Sdk2025 => Self::Sdk2025,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Address to bind; anything but loopback requires --admin-token or --open-control-plane.
    #[arg(long, default_value = "127.0.0.1", env = "GPTOM_MOCK_BIND")]
    pub(crate) bind: IpAddr,
    /// Port to listen on (0 picks a free one; the first line on stdout says which).
    #[arg(long, default_value_t = 8080, env = "GPTOM_MOCK_PORT")]
    pub(crate) port: u16,
    /// Write the bound port to this file once the mock accepts connections (for --port 0).
    #[arg(long, value_name = "FILE", env = "GPTOM_MOCK_PORT_FILE")]
    pub(crate) port_file: Option<PathBuf>,
    /// Fixes every generated id, PAN and code; without it a fresh random seed is used (printed at
    /// start and in /__mock/health), so ids never repeat across restarts.
    #[arg(long, env = "GPTOM_MOCK_SEED")]
    pub(crate) seed: Option<u64>,
    /// The clock: system time, or manual (frozen until advanced).
    #[arg(long, value_enum, default_value = "system")]
    pub(crate) clock: ClockChoice,
    /// Start of the manual clock (RFC 3339); default 2026-01-15T09:00:00Z.
    #[arg(long)]
    pub(crate) start_time: Option<String>,
    /// A scenario to activate: a YAML file, or the name of one of the embedded library
    /// (`gptom-mock scenario list`); repeatable (terminal-bound scenarios first, then one unbound).
    #[arg(
        long = "scenario",
        value_name = "FILE|NAME",
        env = "GPTOM_MOCK_SCENARIO"
    )]
    pub(crate) scenarios: Vec<PathBuf>,
    /// A directory with accounts.json and cards.json instead of the embedded fixtures.
    #[arg(long)]
    pub(crate) fixtures: Option<PathBuf>,
    /// Token required on /__mock/* (Authorization: Bearer or X-Admin-Token).
    #[arg(long, env = "GPTOM_MOCK_ADMIN_TOKEN")]
    pub(crate) admin_token: Option<String>,
    /// Leave the control plane (/__mock/*) open on a non-loopback bind, without a token: for a
    /// container on a private CI network only. Anyone who reaches the port can reset the mock.
    #[arg(
        long,
        env = "GPTOM_MOCK_OPEN_CONTROL_PLANE",
        conflicts_with = "admin_token",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub(crate) open_control_plane: bool,
    /// Journal entries kept (oldest dropped first).
    #[arg(long, default_value_t = gptom_mock::journal::DEFAULT_CAPACITY)]
    pub(crate) journal_size: usize,
    /// What the journal may hold in all, bytes (oldest dropped first; bodies and URIs over
    /// 16 KiB are cut when recorded, their size kept).
    #[arg(long, default_value_t = gptom_mock::journal::DEFAULT_MAX_BYTES)]
    pub(crate) journal_bytes: usize,
    /// Seconds a client may take to send a request head, from connecting or from the previous
    /// answer (so it also closes idle keep-alive connections).
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub(crate) header_timeout: u64,
    /// Seconds a request body may take to arrive (408 after that).
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    pub(crate) body_timeout: u64,
    /// Connections served at once; more are closed at once, with a log line. The live page's
    /// event streams do not count (see --max-streams).
    #[arg(long, default_value_t = 1_000)]
    pub(crate) max_connections: usize,
    /// Live-page event streams (/__mock/events) open at once; more are answered 503. A stream
    /// whose client takes nothing for a minute is cut.
    #[arg(long, default_value_t = gptom_mock::state::DEFAULT_MAX_STREAMS)]
    pub(crate) max_streams: usize,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = gptom_mock::state::DEFAULT_BODY_LIMIT)]
    pub(crate) body_limit: usize,
    /// JWT signing secret (at least 16 characters); random per start by default.
    #[arg(long, env = "GPTOM_MOCK_JWT_SECRET", hide_env_values = true)]
    pub(crate) jwt_secret: Option<String>,
    /// Derive the JWT signing key from --seed, so tokens are byte-for-byte the same in every run
    /// (for snapshot tests; anyone who knows the seed can then forge tokens). Needs --seed.
    #[arg(long, requires = "seed", conflicts_with = "jwt_secret")]
    pub(crate) reproducible_tokens: bool,
    /// Keep the state (terminals, tasks, transactions, batches, refresh tokens, the clock, the
    /// switches, the signing key) in an SQLite database in this folder, so a restart goes on
    /// where the last run stopped; created if missing. Without it the state lives in memory.
    #[arg(long, value_name = "DIR", env = "GPTOM_MOCK_DATA_DIR")]
    pub(crate) data_dir: Option<PathBuf>,
    /// A host name the mock answers to besides IP addresses and localhost (repeatable; `*` for
    /// any): a request naming another is refused with 421, so a web page that resolves its own
    /// name to this machine (DNS rebinding) reaches nothing. Give the name other containers or
    /// machines use to reach the mock (`--allowed-host gptom-mock`).
    #[arg(
        long = "allowed-host",
        value_name = "NAME",
        env = "GPTOM_MOCK_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub(crate) allowed_hosts: Vec<String>,
    /// Which GP tom app generation the deep links answer as, where a scenario's `wire.app` does
    /// not say: `current` (GP tom's iOS SDK at 08f1318, 2026-06-10) or `2025` (the SDK at
    /// a280f7d, 2025-11-10; for apps built with a 2025 SDK). docs/sdk-versions.md has the
    /// differences.
    #[arg(
        long,
        value_enum,
        default_value = "current",
        env = "GPTOM_MOCK_APP_PROFILE"
    )]
    pub(crate) app_profile: AppProfileChoice,
    /// Log format.
    #[arg(long, value_enum, default_value = "text")]
    pub(crate) log_format: LogFormat,
    /// Log filter (tracing's EnvFilter syntax); RUST_LOG wins when set.
    #[arg(long, default_value = "info")]
    pub(crate) log_level: String,
}
