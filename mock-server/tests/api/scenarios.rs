//! The scenario library: every file loads, and every file keeps the promises of its `expect:`
//! steps when driven through HTTP; broken files are refused with positioned messages.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use gptom_mock::scenario::{ExpectStep, Expectation, Scenario, load_file, load_str};
use serde_json::{Value, json};

use crate::support::*;

fn library() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    files
}

fn user_for(tid: &str) -> &'static str {
    if tid == "777666" { EVA } else { JAN }
}

fn currency_for(tid: &str) -> &'static str {
    if tid == "777666" { "EUR" } else { "CZK" }
}

/// Runs one expectation; returns what went wrong.
async fn run_step(mock: &Mock, scenario: &Scenario, step: &Expectation) -> Result<(), String> {
    let default_tid = scenario
        .terminals
        .as_ref()
        .and_then(|tids| tids.first().cloned())
        .unwrap_or_else(|| "999888".into());
    let tid = step.terminal.clone().unwrap_or(default_tid);
    let token = if step.master {
        mock.token(MASTER, None).await
    } else {
        mock.token(user_for(&tid), Some(&tid)).await
    };
    let body_tid = |mut body: Value| {
        if step.master {
            body["tid"] = json!(tid);
        }
        body
    };
    let (path, body) = match &step.step {
        ExpectStep::Advance { ms } => {
            mock.state.clock().advance(*ms);
            return Ok(());
        }
        ExpectStep::Refresh => {
            let login = mock.login(user_for(&tid), Some(&tid)).await;
            let refresh_token = login.body["refresh_token"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let reply = mock
                .form(
                    "/api/oauth/token",
                    Some(BASIC),
                    &format!("grant_type=refresh_token&refresh_token={refresh_token}"),
                )
                .await;
            let wanted = step.status.unwrap_or(200);
            return if reply.status.as_u16() == wanted {
                Ok(())
            } else {
                Err(format!(
                    "refresh answered {} ({}), expected {wanted}",
                    reply.status, reply.text
                ))
            };
        }
        ExpectStep::Sale { amount, reference } => {
            let mut body = sale_body(*amount, currency_for(&tid));
            if let Some(reference) = reference {
                body["originReferenceNum"] = json!(reference);
            }
            ("/v1/tasks/TRANSACTION", body_tid(body))
        }
        ExpectStep::CancelLast => (
            "/v1/tasks/TRANSACTION",
            body_tid(
                json!({"transactionType": "CANCEL", "cancelMode": "LAST_TRANSACTION", "currencyCode": currency_for(&tid)}),
            ),
        ),
        ExpectStep::CancelOlder { ams_id } => (
            "/v1/tasks/TRANSACTION",
            body_tid(
                json!({"transactionType": "CANCEL", "cancelMode": "OLDER_TRANSACTION",
                            "originTransactionID": ams_id, "currencyCode": currency_for(&tid)}),
            ),
        ),
        ExpectStep::CloseBatch => ("/v1/tasks/BATCH", body_tid(json!({}))),
    };
    let started = mock.state.now();
    let created = mock
        .call(Method::POST, path, Some(&token), Some(body))
        .await;
    // 0: no usable answer — the connection dropped, or a success whose body is not JSON.
    let unusable = created.status.is_success() && !created.body.is_object();
    let status = if created.dropped || unusable {
        0
    } else {
        created.status.as_u16()
    };
    if let Some(wanted) = step.status {
        if status != wanted {
            return Err(format!(
                "creation answered {status}, expected {wanted}: {}",
                created.text
            ));
        }
    } else if !(200..300).contains(&status) {
        return Err(format!("creation answered {status}: {}", created.text));
    }
    if !(200..300).contains(&status) || created.dropped {
        return Ok(());
    }
    let task_id = created.body["taskId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    if let Some(wanted) = step.poll_status {
        let reply = mock.poll(&token, &task_id).await;
        if reply.status.as_u16() != wanted {
            return Err(format!(
                "first poll answered {}, expected {wanted}",
                reply.status
            ));
        }
        if wanted != 200 {
            return Ok(());
        }
    }
    if step.task.is_none()
        && step.result.is_none()
        && step.error_code.is_none()
        && step.batch_total_amount.is_none()
    {
        return Ok(());
    }
    let mut task = Value::Null;
    for _ in 0..2_000 {
        let reply = mock.poll(&token, &task_id).await;
        if reply.status != StatusCode::OK {
            // A scenario fault on polls: try again a second later, as a client would.
            mock.advance(1);
            continue;
        }
        if matches!(
            reply.body["state"].as_str(),
            Some("COMPLETED" | "CANCELED" | "CANCELLED" | "ERROR")
        ) {
            task = reply.body;
            break;
        }
        mock.advance(1);
    }
    if task.is_null() {
        return Err("the task never became final".into());
    }
    if let Some(wanted) = &step.task
        && task["state"] != json!(wanted)
    {
        return Err(format!(
            "task ended {}, expected {wanted}: {task}",
            task["state"]
        ));
    }
    if let Some(code) = step.error_code
        && task["error"]["code"] != json!(code)
    {
        return Err(format!(
            "task error {}, expected code {code}",
            task["error"]
        ));
    }
    if let Some(at_least) = step.elapsed_at_least_ms {
        let finished = gptom_mock::Millis::parse_iso(task["updated"].as_str().unwrap_or_default())
            .unwrap_or_default();
        if finished.0 - started.0 < at_least {
            return Err(format!(
                "the task took {} ms, expected at least {at_least} ms",
                finished.0 - started.0
            ));
        }
    }
    if step.result.is_some() || step.refusal.is_some() {
        let transaction_id = task["transactionId"]
            .as_str()
            .ok_or_else(|| format!("no transaction on {task}"))?;
        let transaction = mock
            .call(
                Method::GET,
                &format!("/v1/transactions/{transaction_id}"),
                Some(&token),
                None,
            )
            .await
            .body;
        if let Some(result) = step.result
            && transaction["result"] != json!(result.as_str())
        {
            return Err(format!(
                "transaction result {}, expected {}",
                transaction["result"],
                result.as_str()
            ));
        }
        if let Some(refusal) = step.refusal
            && transaction["refusalCode"] != json!(refusal.as_str())
        {
            return Err(format!(
                "refusal {}, expected {}",
                transaction["refusalCode"],
                refusal.as_str()
            ));
        }
    }
    if let Some(total) = step.batch_total_amount {
        let number = task["batchNumber"]
            .as_u64()
            .ok_or("no batchNumber on the batch task")?;
        let batch = mock
            .call(
                Method::GET,
                &format!("/v1/batches/{number}?tid={tid}"),
                Some(&token),
                None,
            )
            .await
            .body;
        if batch["totalAmount"] != json!(total) {
            return Err(format!(
                "batch totalAmount {}, expected {total}: {batch}",
                batch["totalAmount"]
            ));
        }
    }
    Ok(())
}

#[tokio::test]
async fn every_scenario_in_the_library_keeps_its_promises() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in library() {
        let scenario = load_file(&path).unwrap_or_else(|error| panic!("{error}"));
        let mock = Mock::with_scenario(scenario.clone());
        for (index, step) in scenario.expect.iter().enumerate() {
            checked += 1;
            if let Err(why) = run_step(&mock, &scenario, step).await {
                failures.push(format!("{} expect[{index}]: {why}", path.display()));
                break;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 40, "only {checked} expectations ran");
}

#[test]
fn every_library_file_is_named_after_itself_and_says_what_it_reproduces() {
    let files = library();
    assert!(files.len() >= 23, "the library lists {} files", files.len());
    for path in files {
        let scenario = load_file(&path).unwrap_or_else(|error| panic!("{error}"));
        let stem = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .unwrap_or_default();
        assert_eq!(scenario.name, stem, "{}", path.display());
        assert!(
            scenario.description.len() >= 40,
            "{} needs a description",
            path.display()
        );
        if scenario.name != "manual-terminal" {
            assert!(
                !scenario.expect.is_empty(),
                "{} promises nothing",
                path.display()
            );
        }
    }
}

#[tokio::test]
async fn a_manual_terminal_waits_for_a_decision() {
    let scenario =
        load_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/manual-terminal.yaml"))
            .expect("loads");
    let mock = Mock::with_scenario(scenario);
    let token = mock.token(JAN, Some("999888")).await;
    let task = mock.sale(&token, 1000).await;
    let task_id = task["taskId"].as_str().expect("id");
    mock.advance(3600 - 10);
    assert_eq!(
        mock.poll(&token, task_id).await.body["state"],
        "IN_PROGRESS"
    );
    let decided = mock
        .call(
            Method::POST,
            &format!("/__mock/tasks/{task_id}/decide"),
            None,
            Some(json!({"outcome": "decline", "refusal": "insufficientFunds"})),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.text);
    let (task, _) = mock.wait_final(&token, task_id).await;
    assert_eq!(task["state"], "COMPLETED");
    let transaction = mock.transaction_of(&token, &task).await.body;
    assert_eq!(transaction["result"], "DECLINED");
    assert_eq!(transaction["refusalCode"], "insufficientFunds");
    let again = mock
        .call(
            Method::POST,
            &format!("/__mock/tasks/{task_id}/decide"),
            None,
            Some(json!({"outcome": "approve"})),
        )
        .await;
    assert_eq!(again.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_scenario_can_be_put_at_run_time_and_a_broken_one_keeps_the_previous() {
    let mock = Mock::new();
    let put = |text: &'static str| {
        Request::put("/__mock/scenario")
            .header(header::CONTENT_TYPE, "application/yaml")
            .body(Body::from(text))
            .expect("request")
    };
    let reply = mock
        .send(put("version: 1\nname: all-declined\nrules:\n  - when: { transaction_type: SALE }\n    then: { result: DECLINED }\n"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let broken = mock.send(put("version: 1\nname: broken\nrules:\n  - when: { amout: 5 }\n    then: { result: MAYBE }\n")).await;
    assert_eq!(broken.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!("put_broken_scenario", broken.body["errors"]);
    let active = mock
        .call(Method::GET, "/__mock/scenario", None, None)
        .await
        .body;
    assert_eq!(active["active"][0]["name"], "all-declined");
    let token = mock.token(JAN, Some("999888")).await;
    let (_, transaction) = mock.pay(&token, 1000).await;
    assert_eq!(transaction["result"], "DECLINED");
    assert_eq!(
        mock.call(Method::DELETE, "/__mock/scenario", None, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let (_, transaction) = mock.pay(&token, 1000).await;
    assert_eq!(transaction["result"], "ACCEPTED");
}

#[tokio::test]
async fn a_library_scenario_is_put_by_name_and_an_unknown_name_lists_the_library() {
    let mock = Mock::new();
    let listed = mock
        .call(Method::GET, "/__mock/scenario", None, None)
        .await
        .body;
    let available: Vec<&str> = listed["available"]
        .as_array()
        .expect("available")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(available.contains(&"declined"), "{available:?}");
    let put = mock
        .call(Method::PUT, "/__mock/scenario?name=declined", None, None)
        .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text);
    let token = mock.token(JAN, Some("999888")).await;
    let (_, transaction) = mock.pay(&token, 1000).await;
    assert_eq!(transaction["result"], "DECLINED");
    let unknown = mock
        .call(Method::PUT, "/__mock/scenario?name=declinde", None, None)
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let message = unknown.body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.contains("insufficient-funds"),
        "the library is listed: {message}"
    );
}

#[tokio::test]
async fn scenarios_bound_to_terminals_do_not_interfere() {
    let declined = load_str(
        "a",
        "version: 1\nname: a\nterminals: [\"999889\"]\nrules:\n  - then: { result: DECLINED }\n",
    )
    .expect("a");
    let mut config = gptom_mock::MockConfig::embedded().expect("fixtures");
    config.scenarios = vec![std::sync::Arc::new(declined)];
    let mock = Mock::with_config(config);
    let first = mock.token(JAN, Some("999888")).await;
    let second = mock.token(JAN, Some("999889")).await;
    assert_eq!(mock.pay(&first, 1000).await.1["result"], "ACCEPTED");
    assert_eq!(mock.pay(&second, 1000).await.1["result"], "DECLINED");
}

/// Broken files and the exact messages a user sees.
#[test]
fn broken_scenarios_are_reported_with_line_column_and_hints() {
    let cases: &[(&str, &str)] = &[
        (
            "typo",
            "version: 1\nname: x\nrules:\n  - when:\n      amout: 1000\n    then: { result: ACCEPTED }\n",
        ),
        ("missing", "description: no version, no name\n"),
        (
            "types",
            "version: 2\nname: x\ntimeline: { new: fast, in_progress: 3 pols }\nrules: nope\n",
        ),
        (
            "outcomes",
            "version: 1\nname: x\nrules:\n  - when: { amount: 1 }\n    then: { result: ACCEPTED, refusal: declined }\n  - then: { task: ERROR }\n  - then: { result: DECLINED, task: ERROR, code: 1 }\n  - when: { payment_method: card }\n",
        ),
        (
            "faults",
            "version: 1\nname: x\nfaults:\n  - path: v1/tasks\n    probability: 1.5\n  - path: /x\n    respond: { status: 999 }\n    latency: 10ms\n",
        ),
        ("syntax", "version: 1\nname: [unclosed\n"),
        ("alias", "version: 1\nname: &n x\n"),
        ("duplicate", "version: 1\nname: x\nname: y\n"),
        (
            "regex",
            "version: 1\nname: x\nrules:\n  - when: { reference: { regex: '(' } }\n    then: { result: ACCEPTED }\n",
        ),
        (
            "tokens",
            "version: 1\nname: x\ntokens: { access_ttl: 60, refresh: sometimes, access_expires_at: tomorrow }\n",
        ),
        (
            "currencies",
            "version: 1\nname: x\nterminal_conditions:\n  \"999888\": { currency: euro }\ninitial:\n  terminals:\n    - { tid: \"555000\", merchant_id: \"1000100\", currency: czk }\n",
        ),
    ];
    let mut report = String::new();
    for (label, text) in cases {
        let error = load_str(&format!("{label}.yaml"), text).expect_err(label);
        report.push_str(&format!("{error}\n"));
    }
    insta::assert_snapshot!(report);
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn scenario_text() -> impl Strategy<Value = String> {
        let result = prop_oneof![
            Just("result: ACCEPTED"),
            Just("result: DECLINED, refusal: insufficientFunds"),
            Just("task: CANCELED, code: 43"),
            Just("task: ERROR, code: 62"),
            Just("not_picked_up: { after: 5s }")
        ];
        let phase = prop_oneof![Just("0ms"), Just("1s"), Just("2 polls"), Just("30s")];
        (proptest::collection::vec((0i64..3000, result), 0..4), phase.clone(), phase, any::<bool>()).prop_map(
            |(rules, new, in_progress, flaky)| {
                let mut text = format!("version: 1\nname: random\ntimeline: {{ new: {new}, in_progress: {in_progress} }}\nrules:\n");
                for (amount, then) in rules {
                    text.push_str(&format!("  - when: {{ amount: {{ max: {amount} }} }}\n    then: {{ {then} }}\n"));
                }
                if rules_is_empty(&text) {
                    text.push_str("  []\n");
                }
                if flaky {
                    text.push_str("faults:\n  - path: /v1/*\n    probability: 0.3\n    respond: { status: 503 }\n");
                }
                text
            },
        )
    }

    fn rules_is_empty(text: &str) -> bool {
        text.ends_with("rules:\n")
    }

    #[derive(Debug, Clone)]
    enum Op {
        Sale(i64),
        CancelLast,
        Batch,
        Poll,
        Advance(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1i64..5000).prop_map(Op::Sale),
            Just(Op::CancelLast),
            Just(Op::Batch),
            Just(Op::Poll),
            (0i64..100).prop_map(Op::Advance),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]
        #[test]
        fn random_scenarios_and_requests_never_answer_5xx_unless_a_fault_asks(text in scenario_text(), ops in proptest::collection::vec(op(), 1..25)) {
            let scenario = load_str("random.yaml", &text).map_err(|error| TestCaseError::fail(format!("{error}\n{text}")))?;
            let flaky = !scenario.faults.is_empty();
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mock = Mock::with_scenario(scenario);
                let token = mock.token(JAN, Some("999888")).await;
                let mut last_task: Option<String> = None;
                for op in ops {
                    let reply = match op {
                        Op::Sale(amount) => mock.create(&token, sale_body(amount, "CZK")).await,
                        Op::CancelLast => mock.create(&token, json!({"transactionType": "CANCEL", "cancelMode": "LAST_TRANSACTION", "currencyCode": "CZK"})).await,
                        Op::Batch => mock.call(Method::POST, "/v1/tasks/BATCH", Some(&token), Some(json!({}))).await,
                        Op::Poll => match &last_task {
                            Some(id) => mock.poll(&token, id).await,
                            None => continue,
                        },
                        Op::Advance(seconds) => { mock.advance(seconds); continue; }
                    };
                    if let Some(id) = reply.body["taskId"].as_str() {
                        last_task = Some(id.to_owned());
                    }
                    let server_error = reply.status.is_server_error();
                    prop_assert!(!server_error || flaky, "{} {}", reply.status, reply.text);
                }
                Ok(())
            })?;
        }

        #[test]
        fn arbitrary_text_never_panics_the_loader(text in "\\PC{0,400}") {
            let _ = load_str("fuzz.yaml", &text);
        }

        #[test]
        fn arbitrary_yaml_like_text_never_panics_the_loader(text in "[a-z_:{}\\[\\],&*!\\- \n0-9'\"#|>]{0,300}") {
            let _ = load_str("fuzz.yaml", &text);
        }
    }
}
