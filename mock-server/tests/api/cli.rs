//! The `gptom-mock` binary as a user or a CI script runs it: the readiness contract, seeds,
//! and errors without panics or backtraces.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::TempDir;

fn binary() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gptom-mock"));
    command
        .env_remove("GPTOM_MOCK_SEED")
        .env_remove("GPTOM_MOCK_PORT");
    command
}

/// A mock started with `--port 0 --port-file`, stopped when dropped.
struct Running {
    child: Child,
    first_line: String,
    port_file: std::path::PathBuf,
    _dir: TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(name: &str, extra: &[&str]) -> Running {
    let dir = TempDir::new(name);
    let port_file = dir.0.join("port");
    let mut child = binary()
        .args(["--port", "0", "--port-file"])
        .arg(&port_file)
        .args(extra)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start gptom-mock");
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first_line)
        .expect("first line");
    Running {
        child,
        first_line,
        port_file,
        _dir: dir,
    }
}

#[test]
fn the_first_line_and_the_port_file_tell_where_the_mock_listens_and_wait_returns_once_it_answers() {
    let mock = start("ready", &["--seed", "7"]);
    let port = std::fs::read_to_string(&mock.port_file)
        .expect("port file")
        .trim()
        .parse::<u16>()
        .expect("a port");
    assert_eq!(
        mock.first_line,
        format!("gptom-mock listening on http://127.0.0.1:{port} seed 7\n")
    );
    let waited = binary()
        .args(["wait", "--timeout", "10", "--port-file"])
        .arg(&mock.port_file)
        .output()
        .expect("wait");
    assert!(waited.status.success(), "{waited:?}");
    assert_eq!(
        String::from_utf8_lossy(&waited.stdout),
        format!("gptom-mock is ready at http://127.0.0.1:{port}\n")
    );
}

#[test]
fn without_seed_every_start_draws_a_new_one() {
    let seed = |line: &str| {
        line.trim()
            .rsplit(' ')
            .next()
            .and_then(|seed| seed.parse::<u64>().ok())
            .expect("seed on the first line")
    };
    let first = start("seed-a", &[]);
    let second = start("seed-b", &[]);
    assert_ne!(seed(&first.first_line), seed(&second.first_line));
}

#[test]
fn wait_gives_up_with_exit_1_when_nothing_answers() {
    let dir = TempDir::new("nothing");
    let waited = binary()
        .args(["wait", "--timeout", "1", "--port-file"])
        .arg(dir.0.join("never-written"))
        .output()
        .expect("wait");
    assert_eq!(waited.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&waited.stderr).contains("within 1 s"));
}

#[test]
fn a_port_in_use_suggests_port_0_without_a_backtrace() {
    let mock = start("busy", &[]);
    let port = std::fs::read_to_string(&mock.port_file).expect("port file");
    let refused = binary()
        .args(["--port", port.trim()])
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("second mock");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--port 0"), "{stderr}");
    assert!(
        !stderr.contains("backtrace") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let mut child = binary()
        .arg("openapi")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("openapi");
    // Read one line, then close the pipe as `| head -1` does.
    let mut line = String::new();
    let stdout = child.stdout.take().expect("stdout");
    BufReader::new(stdout).read_line(&mut line).expect("line");
    let output = child.wait_with_output().expect("exit");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::thread::sleep(Duration::from_millis(1));
}

#[test]
fn an_empty_or_short_admin_token_refuses_to_start() {
    for token in ["", " ", "short"] {
        let refused = binary()
            .args(["--bind", "0.0.0.0", "--port", "0", "--admin-token", token])
            .output()
            .expect("gptom-mock");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert_eq!(refused.status.code(), Some(2), "{token:?}: {stderr}");
        assert!(stderr.contains("at least 16 characters"), "{stderr}");
    }
    let refused = binary()
        .args(["--port", "0", "--reproducible-tokens"])
        .output()
        .expect("gptom-mock");
    assert!(
        !refused.status.success(),
        "--reproducible-tokens needs --seed"
    );
}

#[test]
fn a_public_bind_needs_a_token_or_the_one_named_switch() {
    // (Starting on 0.0.0.0 is left to dist/image-smoke.sh: tests here bind loopback only.)
    let refused = binary()
        .args(["--bind", "0.0.0.0", "--port", "0"])
        .env_remove("GPTOM_MOCK_ADMIN_TOKEN")
        .env_remove("GPTOM_MOCK_OPEN_CONTROL_PLANE")
        .output()
        .expect("gptom-mock");
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success(), "{stderr}");
    for named in [
        "--admin-token",
        "GPTOM_MOCK_ADMIN_TOKEN",
        "--open-control-plane",
        "GPTOM_MOCK_OPEN_CONTROL_PLANE=true",
    ] {
        assert!(
            stderr.contains(named),
            "the refusal names {named}: {stderr}"
        );
    }
    let both = binary()
        .args(["--bind", "0.0.0.0", "--port", "0", "--open-control-plane"])
        .env("GPTOM_MOCK_ADMIN_TOKEN", "a-token-of-sixteen-or-more")
        .output()
        .expect("gptom-mock");
    assert_eq!(
        both.status.code(),
        Some(2),
        "a token and the switch contradict each other"
    );
}

#[test]
fn version_names_the_version_and_where_it_came_from() {
    let output = binary().arg("--version").output().expect("gptom-mock");
    let version = String::from_utf8_lossy(&output.stdout);
    assert!(
        version.starts_with(&format!("gptom-mock {} (", env!("CARGO_PKG_VERSION"))),
        "{version}"
    );
    assert!(
        version.contains("commit") || version.contains("built from source"),
        "{version}"
    );
}

/// `GET path` over a plain TCP connection: the answer's body.
fn http_get(port_file: &std::path::Path, path: &str) -> String {
    use std::io::{Read, Write};
    let port = std::fs::read_to_string(port_file).expect("port file");
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", port.trim().parse::<u16>().expect("port")))
            .expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("answer");
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or(answer)
}

#[test]
fn a_library_scenario_is_picked_by_name_and_listed_with_its_description() {
    let mock = start("library", &["--scenario", "insufficient-funds"]);
    let scenario = http_get(&mock.port_file, "/__mock/scenario");
    assert!(
        scenario.contains(r#""name":"insufficient-funds""#),
        "{scenario}"
    );
    let listed = binary().args(["scenario", "list"]).output().expect("list");
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(listed.status.success());
    assert!(
        text.lines()
            .any(|line| line.starts_with("insufficient-funds ") && line.contains("declined")),
        "{text}"
    );
    let unknown = binary()
        .args(["--port", "0", "--scenario", "insufficient-fund"])
        .output()
        .expect("gptom-mock");
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert!(!unknown.status.success());
    assert!(
        stderr.contains("no library scenario of that name")
            && stderr.contains("insufficient-funds"),
        "{stderr}"
    );
    // Issue #35: a near name is suggested by name, underscores and all.
    let near = binary()
        .args(["--port", "0", "--scenario", "insufficient_funds"])
        .output()
        .expect("gptom-mock");
    let stderr = String::from_utf8_lossy(&near.stderr);
    assert!(
        stderr.contains("did you mean `--scenario insufficient-funds`?"),
        "{stderr}"
    );
}

#[test]
fn coverage_prints_what_to_produce_and_min_fails_the_job_below_its_threshold() {
    let mock = start("coverage", &[]);
    let port = std::fs::read_to_string(&mock.port_file).expect("port file");
    let url = format!("http://127.0.0.1:{}", port.trim());
    let report = binary()
        .args(["coverage", "--url", &url, "--min", "1"])
        .output()
        .expect("coverage");
    let text = String::from_utf8_lossy(&report.stdout);
    assert_eq!(report.status.code(), Some(1), "{report:?}");
    assert!(
        text.contains("NOT MET    sale-approved") && text.contains("produce it:"),
        "{text}"
    );
    assert!(
        String::from_utf8_lossy(&report.stderr).contains("below --min 1"),
        "{report:?}"
    );
    for format in ["json", "junit", "markdown"] {
        let report = binary()
            .args(["coverage", "--url", &url, "--format", format, "--min", "0"])
            .output()
            .expect("coverage");
        assert!(report.status.success(), "{format}: {report:?}");
    }
    let refused = binary()
        .args(["coverage", "--url", &url, "--min", "101"])
        .output()
        .expect("coverage");
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
}

#[tokio::test]
async fn state_export_and_import_move_a_data_dir_and_a_running_mocks_state() {
    use crate::support::{JAN, Mock};
    let folders = TempDir::new("state-cli");
    let (first, second) = (folders.0.join("first"), folders.0.join("second"));
    let file = folders.0.join("state.json");
    let mock = Mock::open_dir(&first).expect("opens");
    let token = mock.token(JAN, Some("999888")).await;
    let (task, transaction) = mock.pay(&token, 1250).await;

    // `gptom-mock state VERB FILE --data-dir DIR`.
    let offline = |verb: &str, dir: &std::path::Path| {
        binary()
            .args(["state", verb])
            .arg(&file)
            .arg("--data-dir")
            .arg(dir)
            .output()
            .expect("gptom-mock state")
    };

    // While a mock holds the folder, the offline export is refused and says why.
    let refused = offline("export", &first);
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("in use by another gptom-mock"),
        "{refused:?}"
    );
    drop(mock);

    // Offline: out of one data dir, into another, read back by a mock on the second. (Under a
    // loaded parallel test run the dropped mock's folder lock was once seen still held for a
    // moment; the export is retried for a few seconds rather than failing on that.)
    let mut exported = offline("export", &first);
    for _ in 0..30 {
        if exported.status.success() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        exported = offline("export", &first);
    }
    assert!(exported.status.success(), "{exported:?}");
    assert!(
        String::from_utf8_lossy(&exported.stderr)
            .contains("3 terminals, 1 tasks, 1 transactions, 0 batches"),
        "{exported:?}"
    );
    let imported = offline("import", &second);
    assert!(imported.status.success(), "{imported:?}");
    let mock = Mock::open_dir(&second).expect("opens");
    let token = mock.token(JAN, Some("999888")).await;
    assert_eq!(mock.transaction_of(&token, &task).await.body, transaction);
    drop(mock);

    // Online: into a running mock; a file that is not a state is refused (exit 2, as every error).
    let running = start("state-online", &["--seed", "7"]);
    let port = std::fs::read_to_string(&running.port_file).expect("port file");
    let url = format!("http://127.0.0.1:{}", port.trim());
    let imported = binary()
        .args(["state", "import", "--url", &url])
        .arg(&file)
        .output()
        .expect("import");
    assert!(imported.status.success(), "{imported:?}");
    let again = binary()
        .args(["state", "export", "-", "--url", &url])
        .output()
        .expect("export");
    assert!(again.status.success(), "{again:?}");
    let text = String::from_utf8_lossy(&again.stdout);
    let transaction_id = transaction["transactionId"].as_str().expect("id");
    assert!(text.contains(transaction_id), "{text}");
    std::fs::write(&file, "{\"format\": \"gptom-mock-state\"}").expect("write");
    let refused = binary()
        .args(["state", "import", "--url", &url])
        .arg(&file)
        .output()
        .expect("import");
    assert_eq!(refused.status.code(), Some(2), "{refused:?}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("missing field `version`"),
        "{refused:?}"
    );
}

/// Issue #31: a data folder a mock used before whose database is now empty (a disk tool, a
/// truncated copy) starts an empty mock — said loudly, not silently.
#[test]
fn an_emptied_database_in_a_used_folder_is_warned_about() {
    let dir = TempDir::new("emptied");
    let data = dir.0.join("data");
    let run = |data: &std::path::Path| {
        let port_file = dir.0.join("port");
        let _ = std::fs::remove_file(&port_file);
        let mut child = binary()
            .args(["--port", "0", "--log-level", "warn", "--port-file"])
            .arg(&port_file)
            .arg("--data-dir")
            .arg(data)
            .env_remove("GPTOM_MOCK_DATA_DIR")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start gptom-mock");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut first)
            .expect("the first line");
        let _ = child.kill();
        let output = child.wait_with_output().expect("stopped");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let first = run(&data);
    assert!(
        !first.contains("EMPTY"),
        "a new folder is no surprise: {first}"
    );
    std::fs::write(data.join("gptom-mock.sqlite3"), b"").expect("truncate");
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(data.join(format!("gptom-mock.sqlite3{suffix}")));
    }
    let second = run(&data);
    assert!(
        second.contains("starts EMPTY") && second.contains("empty (0 bytes)"),
        "{second}"
    );
}

/// Issue #35: `wait` against a locked mock says so at once (exit 3), not "no mock answered"
/// after its whole timeout; `--accept-locked` takes it as ready; the right token as ever.
#[test]
fn wait_tells_a_locked_mock_from_none() {
    let mock = start("locked", &["--admin-token", "a-long-enough-admin-token"]);
    let wait = |extra: &[&str]| {
        let started = std::time::Instant::now();
        let output = binary()
            .env_remove("GPTOM_MOCK_ADMIN_TOKEN")
            .args(["wait", "--timeout", "20", "--port-file"])
            .arg(&mock.port_file)
            .args(extra)
            .output()
            .expect("wait");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
            started.elapsed(),
        )
    };
    let (code, stderr, took) = wait(&[]);
    assert_eq!(code, Some(3), "{stderr}");
    assert!(
        stderr.contains("locked mock answered") && stderr.contains("--admin-token"),
        "{stderr}"
    );
    assert!(
        took < Duration::from_secs(10),
        "said at once, not after the timeout: {took:?}"
    );
    assert_eq!(wait(&["--accept-locked"]).0, Some(0));
    assert_eq!(
        wait(&["--admin-token", "a-long-enough-admin-token"]).0,
        Some(0)
    );
    let (code, stderr, _) = wait(&["--admin-token", "not-the-token-at-all"]);
    assert_eq!(code, Some(3));
    assert!(stderr.contains("not the mock's"), "{stderr}");
}
