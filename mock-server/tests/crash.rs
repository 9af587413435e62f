//! `kill -9` under load with `--data-dir`: concurrent clients pay, cancel and close batches against
//! the real binary; the process is killed with SIGKILL at a random moment, started again on the
//! same folder, and every fact a client was told — a created task, a final task state, a
//! transaction, a closed batch — must be there, once, with the storno and batch rules intact.
//!
//! `cargo test -p gptom-mock --test crash` runs a few rounds (CI); the long run:
//! `GPTOM_CRASH_ROUNDS=200 cargo test --release -p gptom-mock --test crash -- --nocapture`.
//! `GPTOM_CRASH_SEED` replays one run's kill moments and client choices.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

const CI_ROUNDS: usize = 4;
const CLIENTS: usize = 8;
const BASIC: (&str, &str) = ("atom", "ashfuf4e5fa");
/// Each client's user and terminal (and the terminal's currency).
const SEATS: [(&str, &str, &str); 3] = [
    ("jan.novak@example.com", "999888", "CZK"),
    ("jan.novak@example.com", "999889", "CZK"),
    ("eva.svobodova@example.com", "777666", "EUR"),
];

/// What the clients were told (an answer arrived): the facts that must survive.
#[derive(Clone, Debug, Default)]
struct Told {
    /// Task id → its terminal, for every task whose creation was answered 201.
    tasks: HashMap<String, String>,
    /// Task id → the final state a poll answered.
    final_states: HashMap<String, String>,
    /// Transaction id → (terminal, result) as read.
    transactions: HashMap<String, (String, String)>,
    /// Stornos answered COMPLETED: origin transaction id.
    stornos: Vec<String>,
    /// Closed batches: (terminal, number).
    batches: HashSet<(String, u64)>,
}

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

fn start(dir: &Path, scratch: &Path) -> Mock {
    let port_file = scratch.join("port");
    let _ = std::fs::remove_file(&port_file);
    let scenario = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/instant.yaml");
    let mut child = Command::new(env!("CARGO_BIN_EXE_gptom-mock"))
        .args([
            "--port",
            "0",
            "--seed",
            "11",
            "--log-level",
            "error",
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
        .expect("start gptom-mock");
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

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

async fn token(http: &reqwest::Client, base: &str, user: &str, tid: &str) -> Option<String> {
    let answer = http
        .post(format!("{base}/cloud/oauth/token"))
        .basic_auth(BASIC.0, Some(BASIC.1))
        .form(&[
            ("grant_type", "password"),
            ("username", user),
            ("password", "ABCDEFGHIJKL"),
            ("tid", tid),
        ])
        .send()
        .await
        .ok()?;
    let body: Value = answer.json().await.ok()?;
    body["access_token"].as_str().map(str::to_owned)
}

async fn get(http: &reqwest::Client, url: String, token: &str) -> Option<(u16, Value)> {
    let answer = http.get(url).bearer_auth(token).send().await.ok()?;
    let status = answer.status().as_u16();
    Some((status, answer.json().await.ok()?))
}

/// Creates a task and polls it to its end, telling `told` each answer. `None` once the mock is gone.
async fn run_task(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    tid: &str,
    path: &str,
    body: Option<Value>,
    told: &Mutex<Told>,
) -> Option<Value> {
    let mut request = http.post(format!("{base}{path}")).bearer_auth(token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let answer = request.send().await.ok()?;
    if answer.status().as_u16() != 201 {
        return Some(Value::Null);
    }
    let created: Value = answer.json().await.ok()?;
    let id = created["taskId"].as_str()?.to_owned();
    lock(told).tasks.insert(id.clone(), tid.to_owned());
    for _ in 0..50 {
        let (status, task) = get(http, format!("{base}/v1/tasks/{id}"), token).await?;
        assert_eq!(status, 200, "a created task is found: {task}");
        let state = task["state"].as_str().unwrap_or_default();
        if matches!(state, "COMPLETED" | "CANCELED" | "ERROR") {
            lock(told).final_states.insert(id, state.to_owned());
            return Some(task);
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Some(Value::Null)
}

fn lock(told: &Mutex<Told>) -> std::sync::MutexGuard<'_, Told> {
    told.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// One client: sales (some declined), stornos of its own sales, now and then a batch close;
/// returns when the mock stops answering.
async fn client(base: String, seat: usize, seed: u64, told: Arc<Mutex<Told>>) {
    let (user, tid, currency) = SEATS[seat % SEATS.len()];
    let http = http();
    let mut rng = StdRng::seed_from_u64(seed);
    let Some(token) = token(&http, &base, user, tid).await else {
        return;
    };
    loop {
        // 1122 is GP tom's test amount for a decline; the others are clear of its test amounts
        // (1111–1124: 1123 holds the terminal for two minutes, as a real timeout would).
        let amount = if rng.random_bool(0.2) {
            1122
        } else {
            rng.random_range(1_200..5_000)
        };
        let sale = json!({"transactionType": "SALE", "amount": amount,
                          "currencyCode": currency, "paymentMethod": "CARD"});
        let Some(task) = run_task(
            &http,
            &base,
            &token,
            tid,
            "/v1/tasks/TRANSACTION",
            Some(sale),
            &told,
        )
        .await
        else {
            return;
        };
        if let Some(id) = task["transactionId"].as_str() {
            let Some((status, read)) =
                get(&http, format!("{base}/v1/transactions/{id}"), &token).await
            else {
                return;
            };
            assert_eq!(
                status, 200,
                "a completed task's transaction is found: {read}"
            );
            let result = read["result"].as_str().unwrap_or_default().to_owned();
            lock(&told)
                .transactions
                .insert(id.to_owned(), (tid.to_owned(), result.clone()));
            if result == "ACCEPTED" && rng.random_bool(0.3) {
                let storno = json!({"transactionType": "CANCEL", "cancelMode": "OLDER_TRANSACTION",
                                    "originTransactionID": read["amsID"], "currencyCode": currency});
                let Some(done) = run_task(
                    &http,
                    &base,
                    &token,
                    tid,
                    "/v1/tasks/TRANSACTION",
                    Some(storno),
                    &told,
                )
                .await
                else {
                    return;
                };
                if done["state"] == "COMPLETED" {
                    lock(&told).stornos.push(id.to_owned());
                }
            }
        }
        if rng.random_bool(0.05) {
            let Some(done) =
                run_task(&http, &base, &token, tid, "/v1/tasks/BATCH", None, &told).await
            else {
                return;
            };
            if let Some(number) = done["batchNumber"].as_u64() {
                lock(&told).batches.insert((tid.to_owned(), number));
            }
        }
    }
}

/// Facts already checked through the API after an earlier restart.
#[derive(Default)]
struct Checked {
    tasks: HashSet<String>,
    transactions: HashSet<String>,
    batches: HashSet<(String, u64)>,
}

/// Checks that everything told is there, once: what is new since the last check through the
/// API, as a client reads it; everything ever told in the exported state (which a lost or
/// rolled-back row would leave out), with the storno and batch rules.
async fn check(base: &str, told: &Told, checked: &mut Checked) {
    let http = http();
    let mut tokens = HashMap::new();
    for (user, tid, _) in SEATS {
        tokens.insert(
            tid.to_owned(),
            token(&http, base, user, tid).await.expect("a token"),
        );
    }
    for (id, tid) in &told.tasks {
        if checked.tasks.contains(id) {
            continue;
        }
        let (status, task) = get(&http, format!("{base}/v1/tasks/{id}"), &tokens[tid])
            .await
            .expect("an answer");
        assert_eq!(status, 200, "acknowledged task {id} lost: {task}");
        if let Some(state) = told.final_states.get(id) {
            assert_eq!(task["state"], state.as_str(), "task {id} went back: {task}");
            checked.tasks.insert(id.clone());
        }
    }
    for (id, (tid, result)) in &told.transactions {
        if checked.transactions.contains(id) {
            continue;
        }
        let (status, read) = get(&http, format!("{base}/v1/transactions/{id}"), &tokens[tid])
            .await
            .expect("an answer");
        assert_eq!(status, 200, "acknowledged transaction {id} lost: {read}");
        assert_eq!(read["result"], result.as_str(), "{read}");
        checked.transactions.insert(id.clone());
    }
    for key @ (tid, number) in &told.batches {
        if checked.batches.contains(key) {
            continue;
        }
        let (status, batch) = get(&http, format!("{base}/v1/batches/{number}"), &tokens[tid])
            .await
            .expect("an answer");
        assert_eq!(
            status, 200,
            "acknowledged batch {number} of {tid} lost: {batch}"
        );
        checked.batches.insert(key.clone());
    }

    // Exactly once, and the rules: ids unique, at most one accepted storno per sale and it is
    // the one the sale names, batch numbers per terminal 1, 2, 3, … without a gap.
    let state: Value = http
        .get(format!("{base}/__mock/state/export"))
        .send()
        .await
        .expect("export")
        .json()
        .await
        .expect("json");
    let transactions = state["transactions"].as_array().expect("transactions");
    let ids: HashSet<&str> = transactions
        .iter()
        .filter_map(|row| row["id"].as_str())
        .collect();
    assert_eq!(ids.len(), transactions.len(), "a transaction id repeats");
    let tasks = state["tasks"].as_array().expect("tasks");
    let task_ids: HashSet<&str> = tasks.iter().filter_map(|row| row["id"].as_str()).collect();
    assert_eq!(task_ids.len(), tasks.len(), "a task id repeats");
    // Everything ever told, in the export.
    let task_state: HashMap<&str, &str> = tasks
        .iter()
        .filter_map(|row| Some((row["id"].as_str()?, row["state"].as_str()?)))
        .collect();
    for id in told.tasks.keys() {
        let state = task_state.get(id.as_str());
        assert!(state.is_some(), "acknowledged task {id} lost");
        if let Some(told_state) = told.final_states.get(id) {
            assert_eq!(state, Some(&told_state.as_str()), "task {id} went back");
        }
    }
    let by_id: HashMap<&str, &Value> = transactions
        .iter()
        .filter_map(|row| Some((row["id"].as_str()?, row)))
        .collect();
    for (id, (_, result)) in &told.transactions {
        let row = by_id
            .get(id.as_str())
            .unwrap_or_else(|| panic!("acknowledged transaction {id} lost"));
        assert_eq!(row["result"], result.as_str(), "transaction {id}");
    }
    for id in &told.stornos {
        assert!(
            !by_id[id.as_str()]["cancelled_by"].is_null(),
            "acknowledged storno of {id} lost"
        );
    }
    let tids: Vec<&str> = state["terminals"]
        .as_array()
        .expect("terminals")
        .iter()
        .filter_map(|row| row["tid"].as_str())
        .collect();
    let closed: HashSet<(&str, u64)> = state["batches"]
        .as_array()
        .expect("batches")
        .iter()
        .filter_map(|row| {
            let terminal = usize::try_from(row["terminal"].as_u64()?).ok()?;
            Some((*tids.get(terminal)?, row["number"].as_u64()?))
        })
        .collect();
    for (tid, number) in &told.batches {
        assert!(
            closed.contains(&(tid.as_str(), *number)),
            "acknowledged batch {number} of {tid} lost"
        );
    }
    let mut stornos_of: HashMap<u64, Vec<u64>> = HashMap::new();
    for (index, row) in transactions.iter().enumerate() {
        if row["kind"] == "CANCEL"
            && row["result"] == "ACCEPTED"
            && let Some(origin) = row["origin"].as_u64()
        {
            stornos_of.entry(origin).or_default().push(index as u64);
        }
    }
    for (origin, stornos) in &stornos_of {
        assert_eq!(
            stornos.len(),
            1,
            "sale {origin} cancelled {} times",
            stornos.len()
        );
        assert_eq!(
            transactions[*origin as usize]["cancelled_by"].as_u64(),
            Some(stornos[0]),
            "sale {origin} does not name its storno"
        );
    }
    let mut numbers: HashMap<u64, Vec<u64>> = HashMap::new();
    for batch in state["batches"].as_array().expect("batches") {
        numbers
            .entry(batch["terminal"].as_u64().expect("terminal"))
            .or_default()
            .push(batch["number"].as_u64().expect("number"));
    }
    for (terminal, mut numbers) in numbers {
        numbers.sort_unstable();
        let expected: Vec<u64> = (1..=numbers.len() as u64).collect();
        assert_eq!(numbers, expected, "terminal {terminal}'s batch numbers");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_acknowledged_payment_storno_and_batch_survives_kill_9() {
    let rounds = std::env::var("GPTOM_CRASH_ROUNDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(CI_ROUNDS);
    let seed = std::env::var("GPTOM_CRASH_SEED")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("crash test: {rounds} rounds, GPTOM_CRASH_SEED={seed}");
    let scratch = std::env::temp_dir().join(format!("gptom-mock-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).expect("scratch");
    let dir: PathBuf = scratch.join("data");
    let mut rng = StdRng::seed_from_u64(seed);
    let told = Arc::new(Mutex::new(Told::default()));
    let mut checked = Checked::default();
    let started = std::time::Instant::now();
    for round in 0..rounds {
        let mut mock = start(&dir, &scratch);
        let so_far = lock(&told).clone();
        check(&mock.base, &so_far, &mut checked).await;
        let clients: Vec<_> = (0..CLIENTS)
            .map(|seat| {
                tokio::spawn(client(
                    mock.base.clone(),
                    seat,
                    rng.random(),
                    Arc::clone(&told),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.random_range(150..700))).await;
        mock.child.kill().expect("SIGKILL");
        mock.child.wait().expect("reaped");
        for client in clients {
            client.await.unwrap_or_else(|error| {
                std::panic::resume_unwind(error.into_panic());
            });
        }
        let so_far = lock(&told).clone();
        eprintln!(
            "round {round}: killed after {} tasks, {} transactions, {} stornos, {} batches acknowledged in all",
            so_far.tasks.len(),
            so_far.transactions.len(),
            so_far.stornos.len(),
            so_far.batches.len()
        );
    }
    let mock = start(&dir, &scratch);
    let so_far = lock(&told).clone();
    check(&mock.base, &so_far, &mut checked).await;
    drop(mock);
    let told = lock(&told);
    eprintln!(
        "crash test: {rounds} rounds, {rounds} kills (SIGKILL), {} tasks, {} transactions, {} stornos, {} batches acknowledged, none lost, in {:.1} s",
        told.tasks.len(),
        told.transactions.len(),
        told.stornos.len(),
        told.batches.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        told.transactions.len() >= 5 * rounds,
        "the load made too few payments to mean anything: {} in {rounds} rounds",
        told.transactions.len()
    );
    let _ = std::fs::remove_dir_all(&scratch);
}
