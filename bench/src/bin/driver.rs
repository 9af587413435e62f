//! Load programs the benchmark script drives (loopback only, every loop bounded):
//!
//! - `driver flows URL SECONDS CONCURRENCY` — complete payments per second: token reused,
//!   create → poll until final → read the transaction (the mock runs a scenario whose tasks finish
//!   at once). Prints `payments_per_s=… p50_ms=… p99_ms=… errors=…`.
//! - `driver fill URL COUNT CONCURRENCY` — records COUNT transactions (one POST each with a 0 ms
//!   timeline). Prints `filled=… seconds=…`.
//! - `driver inproc COUNT` — starts and stops COUNT in-process mocks (state + socket + server +
//!   one request + shutdown). Prints the mean wall and CPU time per mock.

use std::time::{Duration, Instant};

use anyhow::{Context, bail};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("flows") => flows(&args[2], parse(&args, 3)?, parse(&args, 4)?).await,
        Some("fill") => fill(&args[2], parse(&args, 3)?, parse(&args, 4)?).await,
        Some("inproc") => inproc(parse(&args, 2)?).await,
        Some("startup") => startup(parse(&args, 2)?, &args[3], &args[4..]).await,
        Some("load") => {
            load(
                &args[2],
                &args[3],
                parse(&args, 4)?,
                parse(&args, 5)?,
                args.get(6).map(String::as_str),
                args.get(7).map(String::as_str),
            )
            .await
        }
        Some("token") => {
            loopback(&args[2])?;
            println!("{}", token(&reqwest::Client::new(), &args[2]).await?);
            Ok(())
        }
        _ => bail!(
            "usage: driver flows URL SECONDS CONC | fill URL COUNT CONC | inproc COUNT | startup PORT PATH CMD... \
             | load GET|POST URL SECONDS CONC [TOKEN] [BODY] | token URL"
        ),
    }
}

fn parse<T: std::str::FromStr>(args: &[String], index: usize) -> anyhow::Result<T>
where
    T::Err: std::error::Error + Send + Sync + 'static,
{
    args.get(index)
        .context("missing argument")?
        .parse()
        .context("bad number")
}

fn loopback(url: &str) -> anyhow::Result<()> {
    if url.starts_with("http://127.") || url.starts_with("http://localhost") {
        Ok(())
    } else {
        bail!("refusing a non-loopback target {url}")
    }
}

async fn token(http: &reqwest::Client, url: &str) -> anyhow::Result<String> {
    let body: serde_json::Value = http
        .post(format!("{url}/cloud/oauth/token"))
        .basic_auth("atom", Some("ashfuf4e5fa"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(
            "grant_type=password&username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=999888",
        )
        .send()
        .await?
        .json()
        .await?;
    body["access_token"]
        .as_str()
        .map(str::to_owned)
        .context("no access_token")
}

const SALE: &str =
    r#"{"transactionType":"SALE","amount":1000,"currencyCode":"CZK","paymentMethod":"CARD"}"#;

async fn one_payment(http: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<()> {
    let created: serde_json::Value = http
        .post(format!("{url}/v1/tasks/TRANSACTION"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(SALE)
        .send()
        .await?
        .json()
        .await?;
    let task_id = created["taskId"].as_str().context("no taskId")?.to_owned();
    for _ in 0..100 {
        let task: serde_json::Value = http
            .get(format!("{url}/v1/tasks/{task_id}"))
            .bearer_auth(token)
            .send()
            .await?
            .json()
            .await?;
        if let Some(transaction) = task["transactionId"].as_str() {
            let response = http
                .get(format!("{url}/v1/transactions/{transaction}"))
                .bearer_auth(token)
                .send()
                .await?;
            if !response.status().is_success() {
                bail!("transaction read failed: {}", response.status());
            }
            return Ok(());
        }
        if task["state"] == "ERROR" {
            bail!("task failed");
        }
    }
    bail!("task never final")
}

/// Joins the load workers: every latency they measured, and how many requests failed.
async fn gather<N: std::iter::Sum<N>>(
    workers: Vec<tokio::task::JoinHandle<(Vec<Duration>, N)>>,
) -> anyhow::Result<(Vec<Duration>, N)> {
    let mut latencies = Vec::new();
    let mut failures = Vec::new();
    for worker in workers {
        let (mut part, failed) = worker.await?;
        latencies.append(&mut part);
        failures.push(failed);
    }
    Ok((latencies, failures.into_iter().sum()))
}

async fn flows(url: &str, seconds: u64, concurrency: usize) -> anyhow::Result<()> {
    loopback(url)?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let token = token(&http, url).await?;
    let deadline = Instant::now() + Duration::from_secs(seconds.min(120));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (http, url, token) = (http.clone(), url.to_owned(), token.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let started = Instant::now();
                match one_payment(&http, &url, &token).await {
                    Ok(()) => latencies.push(started.elapsed()),
                    Err(_) => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let (mut latencies, errors) = gather(workers).await?;
    let count = latencies.len();
    let percentile = percentiles(&mut latencies);
    println!(
        "payments_per_s={:.0} p50_ms={:.2} p99_ms={:.2} errors={errors}",
        count as f64 / seconds.min(120) as f64,
        percentile(0.5),
        percentile(0.99)
    );
    Ok(())
}

async fn fill(url: &str, count: u64, concurrency: u64) -> anyhow::Result<()> {
    loopback(url)?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency as usize)
        .build()?;
    let token = token(&http, url).await?;
    let started = Instant::now();
    let per_worker = count.div_ceil(concurrency.max(1));
    let mut workers = Vec::new();
    for worker in 0..concurrency {
        let (http, url, token) = (http.clone(), url.to_owned(), token.clone());
        let quota = per_worker.min(count.saturating_sub(worker * per_worker));
        workers.push(tokio::spawn(async move {
            for _ in 0..quota {
                let response = http
                    .post(format!("{url}/v1/tasks/TRANSACTION"))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(SALE)
                    .send()
                    .await?;
                if !response.status().is_success() {
                    bail!("creation failed: {}", response.status());
                }
                let _ = response.bytes().await?;
            }
            anyhow::Ok(())
        }));
    }
    for worker in workers {
        worker.await??;
    }
    println!(
        "filled={count} seconds={:.1}",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Spawns CMD, then sends `GET PATH` to 127.0.0.1:PORT every millisecond until any HTTP answer
/// arrives; prints the milliseconds from spawn to that answer and kills the process.
async fn startup(port: u16, path: &str, command: &[String]) -> anyhow::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (program, rest) = command.split_first().context("no command")?;
    let started = Instant::now();
    let mut child = tokio::process::Command::new(program)
        .args(rest)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let deadline = started + Duration::from_secs(60);
    let answered = loop {
        if Instant::now() > deadline {
            break None;
        }
        if let Ok(mut stream) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await {
            let request =
                format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
            let mut head = [0u8; 12];
            if stream.write_all(request.as_bytes()).await.is_ok()
                && stream.read_exact(&mut head).await.is_ok()
                && head.starts_with(b"HTTP/1.")
            {
                break Some(started.elapsed());
            }
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    };
    let _ = child.kill().await;
    match answered {
        Some(elapsed) => println!("startup_ms={:.1}", elapsed.as_secs_f64() * 1000.0),
        None => bail!("{program} did not answer within 60 s"),
    }
    Ok(())
}

/// A closed-loop load generator (the fallback when wrk is not installed).
async fn load(
    method: &str,
    url: &str,
    seconds: u64,
    concurrency: usize,
    token: Option<&str>,
    body: Option<&str>,
) -> anyhow::Result<()> {
    loopback(url)?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let deadline = Instant::now() + Duration::from_secs(seconds.clamp(1, 120));
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (http, url, token, body, post) = (
            http.clone(),
            url.to_owned(),
            token.filter(|token| !token.is_empty()).map(str::to_owned),
            body.map(str::to_owned),
            method.eq_ignore_ascii_case("POST"),
        );
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut bad = 0u64;
            while Instant::now() < deadline {
                let started = Instant::now();
                let mut request = if post {
                    http.post(&url)
                } else {
                    http.get(&url)
                };
                if let Some(token) = &token {
                    request = request.bearer_auth(token);
                }
                if let Some(body) = &body {
                    request = request
                        .header("content-type", "application/json")
                        .body(body.clone());
                }
                match request.send().await {
                    Ok(response) if response.status().is_success() => {
                        let _ = response.bytes().await;
                        latencies.push(started.elapsed());
                    }
                    _ => bad += 1,
                }
            }
            (latencies, bad)
        }));
    }
    let (mut latencies, bad) = gather(workers).await?;
    let count = latencies.len();
    let percentile = percentiles(&mut latencies);
    println!(
        "rps={:.0} p50_ms={:.2} p99_ms={:.2} ok={} bad={bad}",
        count as f64 / seconds.clamp(1, 120) as f64,
        percentile(0.5),
        percentile(0.99),
        count
    );
    Ok(())
}

/// Sorts the latencies and returns a `percentile(p)` in milliseconds over them.
fn percentiles(latencies: &mut [Duration]) -> impl Fn(f64) -> f64 + '_ {
    latencies.sort();
    let latencies: &[Duration] = latencies;
    move |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    }
}

fn cpu_time() -> Duration {
    // /proc/self/stat fields 14 and 15: user and system time in clock ticks (100 Hz here).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: u64 = fields.get(11).and_then(|f| f.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|f| f.parse().ok()).unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

async fn inproc(count: u32) -> anyhow::Result<()> {
    let count = count.clamp(1, 100_000);
    let http = reqwest::Client::new();
    let cpu_before = cpu_time();
    let started = Instant::now();
    let mut start_only = Duration::ZERO;
    for _ in 0..count {
        let begin = Instant::now();
        let state = gptom_mock::AppState::for_tests()?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(gptom_mock::serve(listener, state, async move {
            let _ = stopped.await;
        }));
        start_only += begin.elapsed();
        let response = http.get(format!("{url}/__mock/health")).send().await?;
        anyhow::ensure!(response.status().is_success(), "health failed");
        let _ = stop.send(());
        server.await??;
    }
    let wall = started.elapsed();
    let cpu = cpu_time().saturating_sub(cpu_before);
    println!(
        "mocks={count} start_us={:.1} start_stop_with_one_request_us={:.1} cpu_per_mock_us={:.1}",
        start_only.as_secs_f64() * 1e6 / f64::from(count),
        wall.as_secs_f64() * 1e6 / f64::from(count),
        cpu.as_secs_f64() * 1e6 / f64::from(count)
    );
    Ok(())
}
