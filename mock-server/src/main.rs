//! The `gptom-mock` command line: the only place that reads arguments and environment, installs
//! logging and handles signals.
//!
//! Why this file is long: every subcommand's arguments (with their documented environment
//! variables) and its small client of a running mock (`verify`, `wait`, `open`) live here.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Parser;
use gptom_mock::fixtures::Fixtures;
use gptom_mock::{AppState, Clock, ManualClock, Millis, MockConfig, SystemClock};
use tracing_subscriber::EnvFilter;

mod cli;
mod remote;
mod state_cmd;

use cli::*;
use remote::{applink, coverage, verify, wait};
use state_cmd::state_file;

// Every request allocates and frees a few dozen small buffers; mimalloc serves them with far fewer
// instructions than glibc's allocator (callgrind: malloc/free were ~27 % of a GET).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
pub(crate) fn print_out(text: &str) -> anyhow::Result<()> {
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

/// Writes the port to `path` through a temporary file, so a reader never sees half of it.
fn write_port_file(path: &std::path::Path, port: u16) -> anyhow::Result<()> {
    let temporary = path.with_extension("tmp");
    std::fs::write(&temporary, format!("{port}\n"))
        .and_then(|()| std::fs::rename(&temporary, path))
        .with_context(|| format!("writing the port file {}", path.display()))
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
