//! Issue #31: a disk that fills up and frees again never costs an acknowledged payment. The real
//! binary runs with `--data-dir` under a file-size limit (`prlimit --fsize`, the same EFBIG a full
//! file system gives); sales are made until the database refuses a commit (answered 503), the
//! limit is lifted (`prlimit --pid`, space freed), more sales are made, and after a stop and a
//! restart on the same folder every sale answered 201 is there, with the tasks numbered without
//! a gap. Repeated for several failure cycles.
//!
//! `cargo test -p gptom-mock --test disk_full` runs a few cycles (CI); the long run:
//! `GPTOM_DISK_FULL_CYCLES=50 cargo test --release -p gptom-mock --test disk_full -- --nocapture`.

#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

const CI_CYCLES: usize = 3;
const BASIC: (&str, &str) = ("atom", "ashfuf4e5fa");

struct Mock {
    child: Child,
    base: String,
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Mock {
    /// Stops the mock as Ctrl-C does (SIGTERM), so a graceful stop is part of the run.
    fn stop(mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.child.wait();
    }

    /// Sets the soft limit only (raising a hard one needs a privilege a sandbox may not have).
    fn set_file_limit(&self, bytes: Option<u64>) {
        let limit = bytes.map_or_else(|| "unlimited".to_owned(), |bytes| bytes.to_string());
        let status = Command::new("prlimit")
            .arg("--pid")
            .arg(self.child.id().to_string())
            .arg(format!("--fsize={limit}:unlimited"))
            .status()
            .expect("prlimit");
        assert!(status.success(), "prlimit --pid");
    }
}

fn start(dir: &Path, scratch: &Path) -> Mock {
    let port_file = scratch.join("port");
    let _ = std::fs::remove_file(&port_file);
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/instant.yaml");
    let mut child = Command::new("prlimit")
        .arg("--fsize=unlimited")
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_gptom-mock"))
        .args([
            "--port",
            "0",
            "--seed",
            "5",
            "--log-level",
            "off",
            "--port-file",
        ])
        .arg(&port_file)
        .arg("--data-dir")
        .arg(dir)
        .arg("--scenario")
        .arg(scenario)
        .env_remove("GPTOM_MOCK_SEED")
        .env_remove("GPTOM_MOCK_PORT")
        .env_remove("GPTOM_MOCK_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start gptom-mock under prlimit");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("the first line");
    let port = std::fs::read_to_string(&port_file).expect("the port file");
    Mock {
        child,
        base: format!("http://127.0.0.1:{}", port.trim()),
    }
}

async fn token(http: &reqwest::Client, base: &str) -> String {
    let body: Value = http
        .post(format!("{base}/cloud/oauth/token"))
        .basic_auth(BASIC.0, Some(BASIC.1))
        .form(&[
            ("grant_type", "password"),
            ("username", "jan.novak@example.com"),
            ("password", "ABCDEFGHIJKL"),
            ("tid", "999888"),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token body");
    body["access_token"]
        .as_str()
        .expect("access_token")
        .to_owned()
}

/// One sale with a reference long enough to make each row weigh; its task id when answered 201.
async fn sale(http: &reqwest::Client, base: &str, token: &str, n: usize) -> (u16, Option<String>) {
    let answer = http
        .post(format!("{base}/v1/tasks/TRANSACTION"))
        .bearer_auth(token)
        .json(&json!({
            "transactionType": "SALE",
            "amount": 1000 + n,
            "currencyCode": "CZK",
            "paymentMethod": "CARD",
            "originReferenceNum": format!("disk-full run, sale number {n:06} ................................................................"),
        }))
        .send()
        .await
        .expect("the mock answers");
    let status = answer.status().as_u16();
    let body: Value = answer.json().await.unwrap_or(Value::Null);
    (status, body["taskId"].as_str().map(str::to_owned))
}

fn scratch(name: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "gptom-mock-disk-full-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&path);
    std::fs::create_dir_all(&path).expect("scratch");
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_that_frees_again_loses_no_acknowledged_sale() {
    let cycles = std::env::var("GPTOM_DISK_FULL_CYCLES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(CI_CYCLES);
    let scratch = scratch("run");
    let dir = scratch.join("data");
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("http");
    let mut acknowledged: Vec<String> = Vec::new();
    let mut refused_total = 0;
    let mut n = 0;
    for cycle in 0..cycles {
        let mock = start(&dir, &scratch);
        let token = token(&http, &mock.base).await;
        for _ in 0..5 {
            n += 1;
            let (status, task) = sale(&http, &mock.base, &token, n).await;
            assert_eq!(status, 201, "cycle {cycle}: before the limit");
            acknowledged.extend(task);
        }
        // The disk fills: the database (and its WAL) may not grow past what they hold now.
        let used: u64 = std::fs::read_dir(&dir)
            .expect("data dir")
            .filter_map(|entry| entry.ok()?.metadata().ok())
            .map(|meta| meta.len())
            .max()
            .unwrap_or(0);
        mock.set_file_limit(Some(used + 4_096));
        let mut refused = 0;
        for _ in 0..400 {
            n += 1;
            match sale(&http, &mock.base, &token, n).await {
                (201, task) => acknowledged.extend(task),
                (503, _) => refused += 1,
                (status, _) => panic!("cycle {cycle}: sale {n} answered {status}"),
            }
            if refused >= 5 {
                break;
            }
        }
        assert!(
            refused >= 5,
            "cycle {cycle}: the limit never refused a commit"
        );
        refused_total += refused;
        // Space is freed: the kept rows go in with the next commits.
        mock.set_file_limit(None);
        tokio::time::sleep(Duration::from_millis(700)).await;
        for _ in 0..10 {
            n += 1;
            let (status, task) = sale(&http, &mock.base, &token, n).await;
            assert_eq!(status, 201, "cycle {cycle}: after space was freed");
            acknowledged.extend(task);
        }
        if cycle % 2 == 0 {
            mock.stop();
        } else {
            drop(mock); // SIGKILL
        }
    }
    // A restart opens the folder with every acknowledged sale; the tasks are numbered 0, 1, 2, …
    let mock = start(&dir, &scratch);
    let token = token(&http, &mock.base).await;
    for task in &acknowledged {
        let answer = http
            .get(format!("{}/v1/tasks/{task}", mock.base))
            .bearer_auth(&token)
            .send()
            .await
            .expect("poll");
        assert_eq!(
            answer.status().as_u16(),
            200,
            "acknowledged task {task} is gone"
        );
    }
    let (status, _) = sale(&http, &mock.base, &token, n + 1).await;
    assert_eq!(status, 201, "the restarted mock takes payments");
    eprintln!(
        "disk full: {cycles} cycles, {} sales acknowledged and all found after the restart, {refused_total} refused with 503 while the limit held",
        acknowledged.len()
    );
    drop(mock);
    let _ = std::fs::remove_dir_all(&scratch);
}
