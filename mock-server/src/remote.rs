//! The small HTTP client of a running mock: `wait`, `verify --url`, `coverage --url`, `applink`.

use anyhow::{Context, bail};

use crate::print_out;

pub(crate) fn verify(
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
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the tokio runtime")
}

/// A GET of a running mock's control plane, with the admin token when there is one.
pub(crate) fn control_get(
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
pub(crate) fn coverage(
    base: &str,
    query: &[(&str, &str)],
    admin_token: Option<&str>,
) -> anyhow::Result<u32> {
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

pub(crate) fn applink(link: &str, base: &str) -> anyhow::Result<()> {
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

/// `gptom-mock wait`: polls `/__mock/health` until it answers 200.
pub(crate) fn wait(
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
