//! The `gptom-mock` command line: the only place that reads arguments and environment, installs
//! logging and handles signals.
//!
//! Why this file is long: every subcommand's arguments (with their documented environment
//! variables) and its small client of a running mock (`verify`, `wait`, `open`) live here.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand, ValueEnum};
use gptom_mock::fixtures::Fixtures;
use gptom_mock::{AppState, Clock, ManualClock, Millis, MockConfig, SystemClock};
use tracing_subscriber::EnvFilter;

// Every request allocates and frees a few dozen small buffers; mimalloc serves them with far fewer
// instructions than glibc's allocator (callgrind: malloc/free were ~27 % of a GET).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A stateful test double of GP tom's Cloud API.
#[derive(Debug, Parser)]
#[command(
    name = "gptom-mock",
    version = env!("GPTOM_MOCK_VERSION"),
    about,
    args_conflicts_with_subcommands = true
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Without a command, `gptom-mock [OPTIONS]` is `gptom-mock serve [OPTIONS]`.
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
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
enum ScenarioCommand {
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
enum StateCommand {
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
struct StatePlace {
    /// The running mock's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080", env = "GPTOM_MOCK_URL")]
    url: String,
    /// A data dir no mock is using, instead of a running mock.
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// The admin token, when the mock has one.
    #[arg(long, env = "GPTOM_MOCK_ADMIN_TOKEN")]
    admin_token: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ClockChoice {
    /// Wall-clock time, movable forward with /__mock/clock/advance.
    System,
    /// Frozen until /__mock/clock/advance moves it.
    Manual,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum AppProfileChoice {
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
enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to bind; anything but loopback requires --admin-token or --open-control-plane.
    #[arg(long, default_value = "127.0.0.1", env = "GPTOM_MOCK_BIND")]
    bind: IpAddr,
    /// Port to listen on (0 picks a free one; the first line on stdout says which).
    #[arg(long, default_value_t = 8080, env = "GPTOM_MOCK_PORT")]
    port: u16,
    /// Write the bound port to this file once the mock accepts connections (for --port 0).
    #[arg(long, value_name = "FILE", env = "GPTOM_MOCK_PORT_FILE")]
    port_file: Option<PathBuf>,
    /// Fixes every generated id, PAN and code; without it a fresh random seed is used (printed at
    /// start and in /__mock/health), so ids never repeat across restarts.
    #[arg(long, env = "GPTOM_MOCK_SEED")]
    seed: Option<u64>,
    /// The clock: system time, or manual (frozen until advanced).
    #[arg(long, value_enum, default_value = "system")]
    clock: ClockChoice,
    /// Start of the manual clock (RFC 3339); default 2026-01-15T09:00:00Z.
    #[arg(long)]
    start_time: Option<String>,
    /// A scenario to activate: a YAML file, or the name of one of the embedded library
    /// (`gptom-mock scenario list`); repeatable (terminal-bound scenarios first, then one unbound).
    #[arg(
        long = "scenario",
        value_name = "FILE|NAME",
        env = "GPTOM_MOCK_SCENARIO"
    )]
    scenarios: Vec<PathBuf>,
    /// A directory with accounts.json and cards.json instead of the embedded fixtures.
    #[arg(long)]
    fixtures: Option<PathBuf>,
    /// Token required on /__mock/* (Authorization: Bearer or X-Admin-Token).
    #[arg(long, env = "GPTOM_MOCK_ADMIN_TOKEN")]
    admin_token: Option<String>,
    /// Leave the control plane (/__mock/*) open on a non-loopback bind, without a token: for a
    /// container on a private CI network only. Anyone who reaches the port can reset the mock.
    #[arg(
        long,
        env = "GPTOM_MOCK_OPEN_CONTROL_PLANE",
        conflicts_with = "admin_token",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    open_control_plane: bool,
    /// Journal entries kept (oldest dropped first).
    #[arg(long, default_value_t = gptom_mock::journal::DEFAULT_CAPACITY)]
    journal_size: usize,
    /// What the journal may hold in all, bytes (oldest dropped first; bodies and URIs over
    /// 16 KiB are cut when recorded, their size kept).
    #[arg(long, default_value_t = gptom_mock::journal::DEFAULT_MAX_BYTES)]
    journal_bytes: usize,
    /// Seconds a client may take to send a request head, from connecting or from the previous
    /// answer (so it also closes idle keep-alive connections).
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    header_timeout: u64,
    /// Seconds a request body may take to arrive (408 after that).
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    body_timeout: u64,
    /// Connections served at once; more are closed at once, with a log line. The live page's
    /// event streams do not count (see --max-streams).
    #[arg(long, default_value_t = 1_000)]
    max_connections: usize,
    /// Live-page event streams (/__mock/events) open at once; more are answered 503. A stream
    /// whose client takes nothing for a minute is cut.
    #[arg(long, default_value_t = gptom_mock::state::DEFAULT_MAX_STREAMS)]
    max_streams: usize,
    /// Largest request body in bytes.
    #[arg(long, default_value_t = gptom_mock::state::DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// JWT signing secret (at least 16 characters); random per start by default.
    #[arg(long, env = "GPTOM_MOCK_JWT_SECRET", hide_env_values = true)]
    jwt_secret: Option<String>,
    /// Derive the JWT signing key from --seed, so tokens are byte-for-byte the same in every run
    /// (for snapshot tests; anyone who knows the seed can then forge tokens). Needs --seed.
    #[arg(long, requires = "seed", conflicts_with = "jwt_secret")]
    reproducible_tokens: bool,
    /// Keep the state (terminals, tasks, transactions, batches, refresh tokens, the clock, the
    /// switches, the signing key) in an SQLite database in this folder, so a restart goes on
    /// where the last run stopped; created if missing. Without it the state lives in memory.
    #[arg(long, value_name = "DIR", env = "GPTOM_MOCK_DATA_DIR")]
    data_dir: Option<PathBuf>,
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
    allowed_hosts: Vec<String>,
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
    app_profile: AppProfileChoice,
    /// Log format.
    #[arg(long, value_enum, default_value = "text")]
    log_format: LogFormat,
    /// Log filter (tracing's EnvFilter syntax); RUST_LOG wins when set.
    #[arg(long, default_value = "info")]
    log_level: String,
}

fn main() -> std::process::ExitCode {
    match run_command_line() {
        Ok(code) => code,
        Err(error) => {
            // `{:#}` prints the chain of causes on one line and never a backtrace: these are
            // the user's errors (a port in use, a bad file), not the program's.
            eprintln!("gptom-mock: error: {error:#}");
            std::process::ExitCode::from(2)
        }
    }
}

/// Writes to stdout; a reader that went away (`gptom-mock openapi | head`) is not an error.
fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(error).context("writing to stdout")
        }
        _ => Ok(()),
    }
}

fn run_command_line() -> anyhow::Result<std::process::ExitCode> {
    use std::process::ExitCode;
    // The mock's heap is a few hundred KiB, but mimalloc asks for transparent huge pages on its
    // arenas: each thread's first touch would make 2 MiB resident (idle RSS 15 MiB instead of
    // 8). The flag covers this process only (and children it would spawn: none).
    #[cfg(target_os = "linux")]
    if let Err(error) = nix::sys::prctl::set_thp_disable(true) {
        eprintln!(
            "gptom-mock: could not turn off transparent huge pages ({error}); serving anyway"
        );
    }
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Serve(args)) => serve(args).map(|()| ExitCode::SUCCESS),
        Some(Command::Openapi) => {
            print_out(gptom_mock::openapi::document())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Applink { link, url }) => applink(&link, &url).map(|()| ExitCode::SUCCESS),
        Some(Command::Verify {
            url,
            junit,
            json,
            admin_token,
        }) => Ok(
            if verify(&url, junit.as_deref(), json, admin_token.as_deref())? {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            },
        ),
        Some(Command::Coverage {
            url,
            format,
            min,
            client,
            terminal,
            admin_token,
        }) => {
            let mut query = vec![("format", format.as_str())];
            query.extend(client.as_deref().map(|client| ("client", client)));
            query.extend(terminal.as_deref().map(|terminal| ("terminal", terminal)));
            let percent = coverage(&url, &query, admin_token.as_deref())?;
            Ok(match min {
                Some(min) if percent < min => {
                    eprintln!(
                        "gptom-mock coverage: {percent} % of GP tom's edge cases handled, below --min {min}"
                    );
                    ExitCode::FAILURE
                }
                _ => ExitCode::SUCCESS,
            })
        }
        Some(Command::Scenario(ScenarioCommand::List)) => {
            let mut text = String::new();
            for scenario in gptom_mock::scenario::library::all() {
                text.push_str(&format!("{:<32} {}\n", scenario.name, scenario.description));
            }
            print_out(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Scenario(ScenarioCommand::Check { files })) => {
            Ok(if check_scenarios(&files) {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Some(Command::State(command)) => state_file(command).map(|()| ExitCode::SUCCESS),
        Some(Command::Wait {
            url,
            port_file,
            timeout,
            admin_token,
            accept_locked,
        }) => wait(
            &url,
            port_file.as_deref(),
            timeout,
            admin_token.as_deref(),
            accept_locked,
        ),
        None => serve(cli.serve).map(|()| ExitCode::SUCCESS),
    }
}

/// The shortest admin token or JWT secret accepted: an empty one (what a missing CI secret
/// expands to) or a short one would leave the control plane or the tokens guessable.
const MIN_SECRET_LEN: usize = 16;

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    install_logging(args.log_format, &args.log_level);
    if let Some(token) = &args.admin_token
        && token.trim().chars().count() < MIN_SECRET_LEN
    {
        bail!(
            "--admin-token must be at least {MIN_SECRET_LEN} characters (it is {}): an empty or \
             short token, as a missing CI secret expands to, would open the control plane. \
             Generate one, e.g. --admin-token \"$(openssl rand -hex 16)\"",
            token.trim().chars().count()
        );
    }
    if let Some(secret) = &args.jwt_secret
        && secret.chars().count() < MIN_SECRET_LEN
    {
        bail!(
            "--jwt-secret must be at least {MIN_SECRET_LEN} characters; leave it out for a random key"
        );
    }
    if !args.bind.is_loopback() && args.admin_token.is_none() {
        if !args.open_control_plane {
            bail!(
                "refusing to bind {} without --admin-token: the control plane (/__mock/*) could reset \
                 state and read the journal from the network. Pass --admin-token TOKEN \
                 (GPTOM_MOCK_ADMIN_TOKEN), bind 127.0.0.1, or, on a private CI network only, \
                 --open-control-plane (GPTOM_MOCK_OPEN_CONTROL_PLANE=true).",
                args.bind
            );
        }
        tracing::warn!(
            bind = %args.bind,
            "the control plane (/__mock/*) is open to anyone who reaches this address (--open-control-plane)"
        );
    }
    let fixtures = match &args.fixtures {
        Some(dir) => Fixtures::from_dir(dir)
            .with_context(|| format!("loading fixtures from {}", dir.display()))?,
        None => Fixtures::embedded().context("loading the embedded fixtures")?,
    };
    let mut loaded = Vec::new();
    let mut failed = false;
    for path in &args.scenarios {
        let by_name = path
            .to_str()
            .filter(|_| !path.exists())
            .and_then(gptom_mock::scenario::library::find);
        if let Some(scenario) = by_name {
            loaded.push(scenario);
            continue;
        }
        match gptom_mock::scenario::load_file(path) {
            Ok(scenario) => loaded.push(Arc::new(scenario)),
            Err(error) => {
                eprintln!("{error}");
                if !path.exists() {
                    if let Some(near) = path
                        .to_str()
                        .and_then(gptom_mock::scenario::library::closest)
                    {
                        eprintln!("  did you mean `--scenario {near}`?");
                    }
                    eprintln!(
                        "  (no such file, and no library scenario of that name; the library: {})",
                        gptom_mock::scenario::library::names()
                    );
                }
                failed = true;
            }
        }
    }
    if failed {
        bail!("the scenario files above have problems; nothing was started");
    }
    // Terminal-bound scenarios are consulted first; the first unbound one covers the rest.
    let mut active = loaded.clone();
    active.sort_by_key(|scenario| scenario.terminals.is_none());
    let clock: Arc<dyn Clock> = match args.clock {
        ClockChoice::System => Arc::new(SystemClock::new()),
        ClockChoice::Manual => {
            let start = match &args.start_time {
                Some(text) => {
                    let start = Millis::parse_iso(text).with_context(|| {
                        format!("--start-time {text:?} is not an RFC 3339 instant")
                    })?;
                    if !start.clock_may_stand_at() {
                        bail!(
                            "--start-time {text:?} is outside 0001-01-01T00:00:00Z..={}: every date the mock derives from its clock must keep a four-digit year",
                            Millis::LATEST_NOW.to_iso()
                        );
                    }
                    start
                }
                None => ManualClock::DEFAULT_START,
            };
            Arc::new(ManualClock::starting_at(start))
        }
    };
    let seed = args.seed.unwrap_or_else(rand::random);
    let config = MockConfig {
        seed,
        fixtures: Arc::new(fixtures),
        scenarios: active,
        available_scenarios: loaded,
        body_limit: args.body_limit,
        journal_capacity: args.journal_size,
        journal_bytes: args.journal_bytes,
        body_read_timeout: std::time::Duration::from_secs(args.body_timeout.max(1)),
        admin_token: args.admin_token.clone(),
        jwt_secret: if args.reproducible_tokens {
            Some(gptom_mock::state::reproducible_secret(seed))
        } else {
            args.jwt_secret.clone()
        },
        data_dir: args.data_dir.clone(),
        app_profile: args.app_profile.into(),
        max_streams: args.max_streams.max(1),
        stream_keep_alive: std::time::Duration::from_secs(15),
        allowed_hosts: args
            .allowed_hosts
            .iter()
            .map(|name| name.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|name| !name.is_empty())
            .collect(),
    };
    let scenario_names: Vec<String> = config
        .scenarios
        .iter()
        .map(|scenario| scenario.name.clone())
        .collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")?;
    // A file-size limit (RLIMIT_FSIZE) hit by the data dir's writer is a failed write to retry,
    // not the end of the process (SIGXFSZ's default action).
    #[cfg(target_os = "linux")]
    {
        let _entered = runtime.enter();
        const SIGXFSZ: i32 = 25;
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::from_raw(SIGXFSZ))
        {
            runtime.spawn(async move { while signal.recv().await.is_some() {} });
        }
    }
    let state = AppState::open(config, clock).context(match &args.data_dir {
        Some(dir) => format!("opening the data dir {}", dir.display()),
        None => "starting the mock".to_owned(),
    })?;
    let seed = state.config().seed;
    if let Some(dir) = &args.data_dir {
        tracing::info!(data_dir = %dir.display(), "state kept in {}", dir.join(gptom_mock::persist::DATABASE_FILE).display());
    }
    runtime.block_on(async move {
        // A port file left by an earlier run must not announce a port nobody listens on.
        if let Some(path) = &args.port_file {
            match std::fs::remove_file(path) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => {
                    return Err(error)
                        .with_context(|| format!("removing the old port file {}", path.display()));
                }
                _ => {}
            }
        }
        let address = SocketAddr::new(args.bind, args.port);
        let listener = match tokio::net::TcpListener::bind(address).await {
            Ok(listener) => listener,
            Err(error) if error.kind() == std::io::ErrorKind::AddrInUse => bail!(
                "{address} is already in use (another gptom-mock?): pass --port N for another \
                 port, or --port 0 for a free one (printed on the first line, and written to \
                 --port-file FILE)"
            ),
            Err(error) => return Err(error).with_context(|| format!("binding {address}")),
        };
        let local = listener.local_addr()?;
        // The readiness contract: the port file, then this first line on stdout; both only
        // once the socket accepts connections.
        if let Some(path) = &args.port_file {
            write_port_file(path, local.port())?;
        }
        print_out(&format!(
            "gptom-mock listening on http://{local} seed {seed}\n"
        ))?;
        for scenario in &scenario_names {
            tracing::info!(scenario = %scenario, "scenario active");
        }
        tracing::info!(
            address = %local,
            seed,
            clock = ?args.clock,
            "gptom-mock listening on http://{local} — the page: http://{local}/__mock/ui · the OpenAPI document: http://{local}/openapi.json · everything else: http://{local}/"
        );
        let limits = gptom_mock::ConnectionLimits {
            header_read: std::time::Duration::from_secs(args.header_timeout.max(1)),
            max_connections: args.max_connections.max(1),
            stream_stall: std::time::Duration::from_secs(60),
        };
        gptom_mock::serve_with_limits(listener, state.clone(), shutdown_signal(), limits).await?;
        state.close();
        tracing::info!("gptom-mock stopped");
        anyhow::Ok(())
    })
}

fn verify(
    base: &str,
    junit: Option<&std::path::Path>,
    json: bool,
    admin_token: Option<&str>,
) -> anyhow::Result<bool> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let fetch = |format: &str| {
            control_get(
                &http,
                base,
                &format!("/__mock/verify?format={format}"),
                admin_token,
            )
            .send()
        };
        let response = fetch("json")
            .await
            .with_context(|| format!("calling {base}: is the mock running?"))?;
        if !response.status().is_success() {
            bail!("the mock answered {} to /__mock/verify", response.status());
        }
        let report: serde_json::Value = response.json().await.context("reading the report")?;
        if json {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print!("{}", fetch("text").await?.text().await?);
        }
        if let Some(path) = junit {
            let xml = fetch("junit").await?.text().await?;
            std::fs::write(path, xml).with_context(|| format!("writing {}", path.display()))?;
        }
        anyhow::Ok(
            report
                .get("passed")
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false),
        )
    })
}

/// The small client's runtime: one thread, timers and IO.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")
}

/// A GET of a running mock's control plane, with the admin token when there is one.
fn control_get(
    http: &reqwest::Client,
    base: &str,
    path_and_query: &str,
    admin_token: Option<&str>,
) -> reqwest::RequestBuilder {
    let request = http.get(format!("{}{path_and_query}", base.trim_end_matches('/')));
    match admin_token {
        Some(token) => request.header("X-Admin-Token", token),
        None => request,
    }
}

/// Prints the coverage report in the asked format; returns the percentage of handled cases.
fn coverage(base: &str, query: &[(&str, &str)], admin_token: Option<&str>) -> anyhow::Result<u32> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let http = reqwest::Client::new();
        let fetch = |query: Vec<(&str, &str)>| {
            let encoded: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(query)
                .finish();
            control_get(
                &http,
                base,
                &format!("/__mock/coverage?{encoded}"),
                admin_token,
            )
            .send()
        };
        let mut as_json: Vec<_> = query
            .iter()
            .filter(|(key, _)| *key != "format")
            .copied()
            .collect();
        as_json.push(("format", "json"));
        let response = fetch(as_json)
            .await
            .with_context(|| format!("calling {base}: is the mock running?"))?;
        if !response.status().is_success() {
            bail!(
                "the mock answered {} to /__mock/coverage",
                response.status()
            );
        }
        let report: serde_json::Value = response.json().await.context("reading the report")?;
        if query.contains(&("format", "json")) {
            println!("{}", serde_json::to_string_pretty(&report)?);
        } else {
            print!("{}", fetch(query.to_vec()).await?.text().await?);
        }
        let percent = report
            .get("percent")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        anyhow::Ok(u32::try_from(percent).unwrap_or(0))
    })
}

/// `state export` / `state import`.
fn state_file(command: StateCommand) -> anyhow::Result<()> {
    match command {
        StateCommand::Export { file, source } => {
            let bytes = match &source.data_dir {
                Some(dir) => serde_json::to_vec_pretty(&gptom_mock::persist::export(dir)?)?,
                None => runtime()?.block_on(async {
                    let http = reqwest::Client::new();
                    let response = control_get(
                        &http,
                        &source.url,
                        "/__mock/state/export",
                        source.admin_token.as_deref(),
                    )
                    .send()
                    .await
                    .with_context(|| format!("calling {}: is the mock running?", source.url))?;
                    let status = response.status();
                    let body = response.bytes().await.context("reading the state")?;
                    if !status.is_success() {
                        bail!(
                            "the mock answered {status} to /__mock/state/export: {}",
                            String::from_utf8_lossy(&body)
                        );
                    }
                    anyhow::Ok(body.to_vec())
                })?,
            };
            let summary = gptom_mock::state::read_state_file(&bytes).map(|state| {
                format!(
                    "{} terminals, {} tasks, {} transactions, {} batches at {}",
                    state.terminals.len(),
                    state.tasks.len(),
                    state.transactions.len(),
                    state.batches.len(),
                    state.now
                )
            })?;
            if file.as_os_str() == "-" {
                print_out(&String::from_utf8_lossy(&bytes))?;
            } else {
                std::fs::write(&file, &bytes)
                    .with_context(|| format!("writing {}", file.display()))?;
            }
            eprintln!("gptom-mock state export: {summary}");
        }
        StateCommand::Import { file, source } => {
            let bytes = if file.as_os_str() == "-" {
                let mut bytes = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
                    .context("reading standard input")?;
                bytes
            } else {
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?
            };
            let state = gptom_mock::state::read_state_file(&bytes)
                .with_context(|| format!("{} cannot be imported", file.display()))?;
            let summary = format!(
                "{} terminals, {} tasks, {} transactions, {} batches",
                state.terminals.len(),
                state.tasks.len(),
                state.transactions.len(),
                state.batches.len()
            );
            match &source.data_dir {
                Some(dir) => gptom_mock::persist::import(dir, state)?,
                None => runtime()?.block_on(async {
                    let http = reqwest::Client::new();
                    let mut request = http
                        .post(format!(
                            "{}/__mock/state/import",
                            source.url.trim_end_matches('/')
                        ))
                        .header("Content-Type", "application/json")
                        .body(bytes);
                    if let Some(token) = &source.admin_token {
                        request = request.header("X-Admin-Token", token);
                    }
                    let response = request
                        .send()
                        .await
                        .with_context(|| format!("calling {}: is the mock running?", source.url))?;
                    let status = response.status();
                    if !status.is_success() {
                        let body = response.text().await.unwrap_or_default();
                        bail!("the mock answered {status} to /__mock/state/import: {body}");
                    }
                    anyhow::Ok(())
                })?,
            }
            eprintln!("gptom-mock state import: {summary}");
        }
    }
    Ok(())
}

fn applink(link: &str, base: &str) -> anyhow::Result<()> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .context("building the HTTP client")?;
        let encoded: String = form_urlencoded::byte_serialize(link.as_bytes()).collect();
        let target = format!("{}/app2app?url={encoded}", base.trim_end_matches('/'));
        let response = http
            .get(&target)
            .send()
            .await
            .with_context(|| format!("calling {target}: is the mock running?"))?;
        let status = response.status();
        let body: serde_json::Value = response.json().await.context("reading the answer")?;
        println!("HTTP {status}");
        if let Some(redirect) = body.get("redirect").and_then(serde_json::Value::as_str) {
            println!("redirect: {redirect}");
        }
        let shown = body.get("result").unwrap_or(&body);
        println!("{}", serde_json::to_string_pretty(shown)?);
        if status.is_client_error() || status.is_server_error() {
            bail!("the mock refused the link");
        }
        anyhow::Ok(())
    })
}

/// Writes the port to `path` through a temporary file, so a reader never sees half of it.
fn write_port_file(path: &std::path::Path, port: u16) -> anyhow::Result<()> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, format!("{port}\n"))
        .and_then(|()| std::fs::rename(&temporary, path))
        .with_context(|| format!("writing the port file {}", path.display()))
}

/// `gptom-mock wait`: polls `/__mock/health` until it answers 200.
fn wait(
    base: &str,
    port_file: Option<&std::path::Path>,
    timeout_s: u64,
    admin_token: Option<&str>,
    accept_locked: bool,
) -> anyhow::Result<std::process::ExitCode> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(timeout_s);
    let runtime = runtime()?;
    runtime.block_on(async {
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(2))
            .build()
            .context("building the HTTP client")?;
        let mut base = base.trim_end_matches('/').to_owned();
        // With a port file, nothing is asked before the file names the port; it is read again
        // on every round, so a mock that starts later and rewrites it is found.
        let mut port_known = port_file.is_none();
        loop {
            if let Some(path) = port_file
                && let Some(port) = std::fs::read_to_string(path)
                    .ok()
                    .and_then(|text| text.trim().parse::<u16>().ok())
            {
                port_known = true;
                let mut url =
                    url::Url::parse(&base).with_context(|| format!("--url {base} is not a URL"))?;
                url.set_port(Some(port))
                    .map_err(|()| anyhow::anyhow!("--url {base} cannot take a port"))?;
                base = url.as_str().trim_end_matches('/').to_owned();
            }
            if port_known {
                let mut request = http.get(format!("{base}/__mock/health"));
                if let Some(token) = admin_token {
                    request = request.header("X-Admin-Token", token);
                }
                if let Ok(response) = request.send().await {
                    if response.status().is_success() {
                        print_out(&format!("gptom-mock is ready at {base}\n"))?;
                        return Ok(std::process::ExitCode::SUCCESS);
                    }
                    // The mock is up, and locked: say so now rather than after the timeout.
                    if response.status() == reqwest::StatusCode::UNAUTHORIZED {
                        if accept_locked {
                            print_out(&format!(
                                "gptom-mock is ready at {base} (locked: its control plane needs the admin token)\n"
                            ))?;
                            return Ok(std::process::ExitCode::SUCCESS);
                        }
                        eprintln!(
                            "gptom-mock: a locked mock answered at {base} (401): pass --admin-token (GPTOM_MOCK_ADMIN_TOKEN){}, or --accept-locked if the job needs only the Cloud API",
                            if admin_token.is_some() {
                                " — the one given is not the mock's"
                            } else {
                                ""
                            }
                        );
                        return Ok(std::process::ExitCode::from(3));
                    }
                }
            }
            if std::time::Instant::now() >= deadline {
                eprintln!(
                    "gptom-mock: no mock answered at {base} within {timeout_s} s{}",
                    port_file.map_or_else(String::new, |path| format!(
                        " (port file {})",
                        path.display()
                    ))
                );
                return Ok(std::process::ExitCode::FAILURE);
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    })
}

/// Prints `ok`/`error` per file and every problem; false when any file has one.
fn check_scenarios(files: &[PathBuf]) -> bool {
    let mut problems = 0usize;
    for path in files {
        match gptom_mock::scenario::load_file(path) {
            Ok(scenario) => println!("ok    {} ({})", path.display(), scenario.name),
            Err(error) => {
                problems += error.problems.len();
                println!("error {}", path.display());
                eprintln!("{error}");
            }
        }
    }
    if problems > 0 {
        eprintln!("{problems} problem(s) in {} file(s) checked", files.len());
    }
    problems == 0
}

fn install_logging(format: LogFormat, level: &str) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(level))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // Colours only for a person at a terminal: CI logs and container logs get plain text.
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("Ctrl-C received, finishing in-flight requests"),
        () = terminate => tracing::info!("SIGTERM received, finishing in-flight requests"),
    }
}
