use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn the_clock_advances_by_the_given_amount() {
    let mock = Mock::new();
    let before = mock
        .call(Method::GET, "/__mock/clock", None, None)
        .await
        .body;
    assert_eq!(before["mode"], "manual");
    assert_eq!(before["now"], "2026-01-15T09:00:00.000Z");
    let after = mock
        .call(
            Method::POST,
            "/__mock/clock/advance",
            None,
            Some(json!({"seconds": 90})),
        )
        .await;
    assert_eq!(after.status, StatusCode::OK);
    assert_eq!(after.body["now"], "2026-01-15T09:01:30.000Z");
    let after = mock
        .call(
            Method::POST,
            "/__mock/clock/advance",
            None,
            Some(json!({"days": 94})),
        )
        .await;
    assert_eq!(after.body["now"], "2026-04-19T09:01:30.000Z");
}

#[tokio::test]
async fn a_bad_advance_is_refused_naming_the_field() {
    let mock = Mock::new();
    let reply = mock
        .call(
            Method::POST,
            "/__mock/clock/advance",
            None,
            Some(json!({"seconds": -5, "weeks": 1})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = reply.body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(fields, ["seconds", "weeks"]);
    let reply = mock
        .call(Method::POST, "/__mock/clock/advance", None, Some(json!({})))
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_journal_records_api_requests_with_secrets_masked() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    mock.sale(&token, 1000).await;
    mock.call(Method::GET, "/__mock/clock", None, None).await;
    let journal = mock
        .call(Method::GET, "/__mock/requests", None, None)
        .await
        .body;
    let entries = journal["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 2, "control-plane calls are not journaled");
    assert_eq!(entries[0]["path"], "/cloud/oauth/token");
    let login_body = entries[0]["requestBody"].as_str().expect("body");
    assert!(login_body.contains("password=***") && !login_body.contains("ABCDEFGHIJKL"));
    assert!(
        !entries[0]["responseBody"]
            .as_str()
            .expect("body")
            .contains(&token)
    );
    assert_eq!(entries[1]["terminal"], "999888");
    assert_eq!(entries[1]["status"], 201);
    assert!(
        !entries[1]["authorization"]
            .as_str()
            .expect("auth")
            .contains(&token)
    );

    let filtered = mock
        .call(
            Method::GET,
            "/__mock/requests?path=/v1/&terminal=999888",
            None,
            None,
        )
        .await
        .body;
    assert_eq!(filtered["entries"].as_array().expect("entries").len(), 1);
    assert_eq!(
        mock.call(Method::DELETE, "/__mock/requests", None, None)
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    let journal = mock
        .call(Method::GET, "/__mock/requests", None, None)
        .await
        .body;
    assert_eq!(journal["entries"].as_array().expect("entries").len(), 0);
}

#[tokio::test]
async fn the_state_shows_terminals_tasks_transactions_and_batches() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    mock.pay(&token, 1000).await;
    let state = mock
        .call(Method::GET, "/__mock/state", None, None)
        .await
        .body;
    assert_eq!(state["terminals"].as_array().expect("terminals").len(), 3);
    assert_eq!(state["tasks"].as_array().expect("tasks").len(), 1);
    assert_eq!(
        state["transactions"]
            .as_array()
            .expect("transactions")
            .len(),
        1
    );
    assert_eq!(state["counts"]["transactions"], 1);
    assert_eq!(
        state["terminals"][0]["openBatch"]["totals"]["saleAmount"],
        1000
    );
}

#[tokio::test]
async fn health_answers_up() {
    let mock = Mock::new();
    let reply = mock.call(Method::GET, "/__mock/health", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["status"], "UP");
    assert!(reply.headers.get("x-request-id").is_some());
}

#[tokio::test]
async fn an_admin_token_locks_the_control_plane_but_not_the_api() {
    let mut config = gptom_mock::MockConfig::embedded().expect("fixtures");
    config.admin_token = Some("s3cret".into());
    let mock = Mock::with_config(config);
    let reply = mock.call(Method::POST, "/__mock/reset", None, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = mock
        .call(Method::POST, "/__mock/reset", Some("s3cret"), None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(mock.login(JAN, Some("999888")).await.status, StatusCode::OK);
}

#[tokio::test]
async fn verify_reports_rules_as_json_text_and_junit() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let task = mock.sale(&token, 1000).await;
    let task_id = task["taskId"].as_str().expect("id");
    mock.poll(&token, task_id).await;
    mock.poll(&token, task_id).await; // same virtual instant: faster than 500 ms
    let report = mock.call(Method::GET, "/__mock/verify", None, None).await;
    assert_eq!(report.status, StatusCode::OK);
    assert_eq!(report.body["passed"], false);
    let failed: Vec<&str> = report.body["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter(|rule| rule["outcome"] == "failed")
        .map(|rule| rule["id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(failed, ["poll-interval"]);
    let junit = mock
        .call(Method::GET, "/__mock/verify?format=junit", None, None)
        .await;
    assert!(
        junit.text.starts_with("<?xml") && junit.text.contains("failures=\"1\""),
        "{}",
        junit.text
    );
    let message = format!(
        "<failure message=\"poll-interval: polled 0 ms after the previous poll (minimum 500 ms) (request #4 GET /v1/tasks/{task_id} -&gt; 200)\">"
    );
    assert!(junit.text.contains(&message), "{}", junit.text);
    assert!(junit.text.contains("time=\"0\""), "{}", junit.text);
    let text = mock
        .call(Method::GET, "/__mock/verify?format=text", None, None)
        .await;
    assert!(text.text.contains("FAIL poll-interval"), "{}", text.text);
}

#[tokio::test]
async fn a_manual_terminal_switched_on_over_the_control_plane_waits_for_a_decision() {
    let mock = Mock::new();
    let reply = mock
        .call(
            Method::POST,
            "/__mock/terminals/999889/manual",
            None,
            Some(json!({"manual": true})),
        )
        .await;
    assert_eq!(reply.status, StatusCode::NO_CONTENT, "{}", reply.text);
    let bad = mock
        .call(
            Method::POST,
            "/__mock/terminals/999889/manual",
            None,
            Some(json!({"manual": "yes"})),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let unknown = mock
        .call(
            Method::POST,
            "/__mock/terminals/123/manual",
            None,
            Some(json!({"manual": true})),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let token = mock.token(JAN, Some("999889")).await;
    let task = mock.sale(&token, 1000).await;
    let task_id = task["taskId"].as_str().expect("id");
    mock.advance(600);
    assert_eq!(
        mock.poll(&token, task_id).await.body["state"],
        "IN_PROGRESS"
    );
    let view = mock
        .call(Method::GET, "/__mock/view", None, None)
        .await
        .body;
    assert_eq!(view["state"]["terminals"][1]["manual"], true);
    assert_eq!(view["journal"].as_array().map(Vec::len), Some(3));
    let decided = mock
        .call(
            Method::POST,
            &format!("/__mock/tasks/{task_id}/decide"),
            None,
            Some(json!({"outcome": "approve", "brand": "AMEX", "entryMode": "CHIP"})),
        )
        .await;
    assert_eq!(decided.status, StatusCode::OK, "{}", decided.text);
    let (task, _) = mock.wait_final(&token, task_id).await;
    let transaction = mock.transaction_of(&token, &task).await.body;
    assert_eq!(transaction["cardType"], "AMEX");
    assert_eq!(transaction["cardEntryMode"], "CHIP");
    let page = mock.call(Method::GET, "/__mock/ui", None, None).await;
    assert!(page.text.contains("virtual terminal"));
}

#[tokio::test]
async fn what_browsers_ask_on_their_own_is_not_the_clients_traffic() {
    let mock = Mock::new();
    for path in [
        "/favicon.ico",
        "/robots.txt",
        "/",
        "/openapi.json",
        "/__mock/health",
    ] {
        mock.call(Method::GET, path, None, None).await;
    }
    let token = mock.token(JAN, Some("999888")).await;
    mock.sale(&token, 1000).await;
    let journal = mock
        .call(Method::GET, "/__mock/requests", None, None)
        .await
        .body;
    let paths: Vec<&str> = journal["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|entry| entry["path"].as_str())
        .collect();
    assert_eq!(
        paths,
        ["/cloud/oauth/token", "/v1/tasks/TRANSACTION"],
        "{journal}"
    );
}

/// Issue #35: the front door — `/` (and `/__mock`, `/__mock/`) names where everything is, a
/// browser is sent on to the page, `/__mock/ui/` leads to the page, and a locked page says how a
/// browser gets in.
#[tokio::test]
async fn the_front_door_names_where_everything_is() {
    use axum::body::Body;
    use axum::http::Request;
    let mock = Mock::new();
    for path in ["/", "/__mock", "/__mock/"] {
        let index = mock.call(Method::GET, path, None, None).await;
        assert_eq!(index.status, StatusCode::OK, "{path}: {}", index.text);
        assert_eq!(index.body["page"], "/__mock/ui");
        assert_eq!(index.body["openapi"], "/openapi.json");
        assert_eq!(index.body["activeScenarios"][0], "default");
        let listed: Vec<&str> = index.body["controlPlane"]
            .as_array()
            .expect("operations")
            .iter()
            .filter_map(|operation| operation["path"].as_str())
            .collect();
        assert!(listed.contains(&"/__mock/reset") && listed.contains(&"/__mock/coverage"));
    }
    let browser = mock
        .send(
            Request::get("/")
                .header("accept", "text/html,application/xhtml+xml")
                .body(Body::empty())
                .expect("request"),
        )
        .await;
    assert_eq!(browser.status, StatusCode::SEE_OTHER);
    assert_eq!(browser.headers["location"], "/__mock/ui");
    let slash = mock
        .call(Method::GET, "/__mock/ui/?admin_token=t", None, None)
        .await;
    assert_eq!(slash.status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(slash.headers["location"], "/__mock/ui?admin_token=t");

    let mut config = Mock::pinned_config();
    config.admin_token = Some("a-long-enough-admin-token".into());
    let locked = Mock::with_config(config);
    let page = locked.call(Method::GET, "/__mock/ui", None, None).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(
        page.text.contains("/__mock/ui?admin_token="),
        "{}",
        page.text
    );
    let index = locked.call(Method::GET, "/", None, None).await;
    assert_eq!(index.body["locked"], true);
    assert!(
        index.body["activeScenarios"].is_null(),
        "a locked mock names no scenario"
    );
}

/// Issue #35: `PUT /__mock/scenario?name=` with a near miss names the scenario meant.
#[tokio::test]
async fn a_scenario_name_near_a_library_one_gets_a_did_you_mean() {
    let mock = Mock::new();
    let reply = mock
        .call(
            Method::PUT,
            "/__mock/scenario?name=insufficient_funds",
            None,
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert!(
        reply.text.contains("did you mean `insufficient-funds`?"),
        "{}",
        reply.text
    );
}

/// Issue #35: YAML whose line breaks `curl -d` stripped gets the `--data-binary` hint.
#[tokio::test]
async fn a_scenario_without_line_breaks_gets_the_data_binary_hint() {
    use axum::body::Body;
    use axum::http::Request;
    let mock = Mock::new();
    let flattened =
        "version: 1name: flatrules:  - when: { amount: 1000 }    then: { result: DECLINED }";
    let reply = mock
        .send(
            Request::put("/__mock/scenario")
                .header("content-type", "application/x-www-form-urlencoded")
                .body(Body::from(flattened))
                .expect("request"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert!(
        reply.text.contains("--data-binary @scenario.yaml"),
        "{}",
        reply.text
    );
}
