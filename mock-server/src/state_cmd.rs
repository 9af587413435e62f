//! `gptom-mock state export|import`: a whole state out of or into a running mock or a data dir.

use anyhow::{Context, bail};

use crate::cli::StateCommand;
use crate::print_out;
use crate::remote::{control_get, runtime};

/// `state export` / `state import`.
pub(crate) fn state_file(command: StateCommand) -> anyhow::Result<()> {
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
