//! Protocol coverage: the catalogue's shape, its table in scenarios/README.md, and the endpoint's
//! formats and scopes.

use std::collections::HashSet;
use std::path::Path;

use axum::http::{Method, StatusCode};
use gptom_mock::coverage::catalogue::{CASES, Channel};
use serde_json::Value;

use crate::support::*;

#[test]
fn the_catalogue_holds_at_least_30_cases_with_unique_ids_across_both_channels() {
    let ids: HashSet<_> = CASES.iter().map(|case| case.id).collect();
    assert_eq!(ids.len(), CASES.len(), "case ids are unique");
    assert!(CASES.len() >= 30, "{} cases", CASES.len());
    assert!(CASES.iter().any(|case| case.channel == Channel::AppToApp));
    for case in CASES {
        assert!(
            !case.produce.is_empty() && !case.handled.is_empty(),
            "{}",
            case.id
        );
    }
}

#[test]
fn the_readme_table_is_the_catalogue() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/README.md");
    let readme = std::fs::read_to_string(&path).expect("scenarios/README.md");
    let (begin, end) = (
        "<!-- coverage-catalogue: begin -->\n",
        "<!-- coverage-catalogue: end -->",
    );
    let start = readme.find(begin).expect("the begin marker") + begin.len();
    let stop = readme.find(end).expect("the end marker");
    let table = gptom_mock::coverage::catalogue_markdown();
    if std::env::var_os("UPDATE_COVERAGE_TABLE").is_some() {
        let updated = format!("{}{table}{}", &readme[..start], &readme[stop..]);
        std::fs::write(&path, updated).expect("write scenarios/README.md");
        return;
    }
    assert!(
        readme[start..stop] == table,
        "scenarios/README.md's coverage table differs from the catalogue; regenerate it with \
         UPDATE_COVERAGE_TABLE=1 cargo test -p gptom-mock --test api coverage"
    );
}

fn case(body: &Value, id: &str) -> Value {
    body["cases"]
        .as_array()
        .and_then(|cases| cases.iter().find(|case| case["id"] == id).cloned())
        .unwrap_or_else(|| panic!("case {id} in {body:#}"))
}

#[tokio::test]
async fn an_empty_journal_meets_nothing_and_says_how_to_produce_each_case() {
    let mock = Mock::new();
    let reply = mock.call(Method::GET, "/__mock/coverage", None, None).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["handled"], 0);
    assert_eq!(reply.body["not_met"], CASES.len());
    for case in reply.body["cases"].as_array().expect("cases") {
        assert_eq!(case["status"], "not-met");
        assert!(
            case["produce"]
                .as_str()
                .is_some_and(|text| !text.is_empty())
        );
    }
}

#[tokio::test]
async fn an_approved_sale_read_through_is_handled_and_one_never_read_is_mishandled() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let task = mock.sale(&token, 1000).await;
    mock.advance(5);
    let (task, _) = mock
        .wait_final(&token, task["taskId"].as_str().expect("taskId"))
        .await;
    let before = mock
        .call(Method::GET, "/__mock/coverage", None, None)
        .await
        .body;
    assert_eq!(
        case(&before, "sale-approved")["status"],
        "mishandled",
        "{before:#}"
    );
    assert!(
        case(&before, "sale-approved")["evidence"]["note"]
            .as_str()
            .is_some_and(|note| note.contains("never read")),
        "{before:#}"
    );
    mock.transaction_of(&token, &task).await;
    let after = mock
        .call(Method::GET, "/__mock/coverage", None, None)
        .await
        .body;
    assert_eq!(
        case(&after, "sale-approved")["status"],
        "handled",
        "{after:#}"
    );
    assert_eq!(after["clients"], serde_json::json!(["atom"]));
    // Another client's view of the same mock met nothing.
    let other = mock
        .call(
            Method::GET,
            "/__mock/coverage?client=someone-else",
            None,
            None,
        )
        .await
        .body;
    assert_eq!(case(&other, "sale-approved")["status"], "not-met");
    assert_eq!(other["requests"], 0);
}

#[tokio::test]
async fn a_decline_paid_again_before_reading_why_is_a_blind_retry() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let mut body = sale_body(1122, "CZK");
    body["originReferenceNum"] = "Invoice 9".into();
    let first = mock.create(&token, body.clone()).await.body;
    mock.wait_final(&token, first["taskId"].as_str().expect("id"))
        .await;
    mock.create(&token, body).await;
    let report = mock
        .call(Method::GET, "/__mock/coverage", None, None)
        .await
        .body;
    let declined = case(&report, "decline-generic");
    assert_eq!(declined["status"], "mishandled", "{report:#}");
    assert!(
        declined["evidence"]["note"]
            .as_str()
            .is_some_and(|note| note.contains("blind retry")),
        "{declined:#}"
    );
}

#[tokio::test]
async fn every_format_answers_and_a_wrong_one_is_named() {
    let mock = Mock::new();
    for (format, needle) in [
        ("text", "NOT MET"),
        ("junit", "<testsuite name=\"gptom-coverage\""),
        ("markdown", "| case | channel | status |"),
    ] {
        let reply = mock
            .call(
                Method::GET,
                &format!("/__mock/coverage?format={format}"),
                None,
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{format}");
        assert!(reply.text.contains(needle), "{format}: {}", reply.text);
    }
    let reply = mock
        .call(Method::GET, "/__mock/coverage?format=yaml", None, None)
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.text.contains("format"), "{}", reply.text);
}

fn inline(yaml: &str) -> Mock {
    Mock::with_scenario(gptom_mock::scenario::load_str("<test>", yaml).expect("scenario"))
}

fn library(name: &str) -> Mock {
    let scenario = gptom_mock::scenario::library::find(name).expect("library scenario");
    Mock::with_scenario(gptom_mock::scenario::Scenario::clone(&scenario))
}

/// The case's status and its evidence note.
async fn judged(mock: &Mock, id: &str) -> (String, String) {
    let report = mock
        .call(Method::GET, "/__mock/coverage", None, None)
        .await
        .body;
    let case = case(&report, id);
    (
        case["status"].as_str().unwrap_or_default().to_owned(),
        case["evidence"]["note"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

fn mishandled(judged: &(String, String), note: &str) {
    assert_eq!(judged.0, "mishandled", "{judged:?}");
    assert!(judged.1.contains(note), "{judged:?} should say {note:?}");
}

fn deep_link(link: &str) -> String {
    let url: String = form_urlencoded::byte_serialize(link.as_bytes()).collect();
    format!("/app2app?url={url}")
}

#[tokio::test]
async fn polling_a_timed_out_task_after_its_error_is_mishandled() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let task = mock.sale(&token, 1123).await;
    let id = task["taskId"].as_str().expect("id");
    mock.advance(130);
    mock.wait_final(&token, id).await;
    assert_eq!(judged(&mock, "error-65-timeout").await.0, "handled");
    mock.poll(&token, id).await;
    mishandled(
        &judged(&mock, "error-65-timeout").await,
        "again after it was final",
    );
}

#[tokio::test]
async fn an_expired_token_repeated_instead_of_renewed_is_mishandled() {
    let mock = library("token-expires-between-create-and-poll");
    let token = mock.token(JAN, Some("999888")).await;
    let task = mock.sale(&token, 1000).await;
    let id = task["taskId"].as_str().expect("id");
    assert_eq!(mock.poll(&token, id).await.status, StatusCode::UNAUTHORIZED);
    mock.poll(&token, id).await;
    mishandled(
        &judged(&mock, "token-expired-mid-flow").await,
        "never polled again",
    );
}

#[tokio::test]
async fn a_refused_refresh_answered_by_another_refresh_is_mishandled() {
    let mock = library("refresh-token-rejected");
    let login = mock.login(JAN, Some("999888")).await;
    let refresh = login.body["refresh_token"].as_str().expect("refresh token");
    let form = format!("grant_type=refresh_token&refresh_token={refresh}");
    for _ in 0..2 {
        let reply = mock.form("/cloud/oauth/token", Some(BASIC), &form).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    }
    mishandled(
        &judged(&mock, "refresh-refused").await,
        "instead of a password login",
    );
}

#[tokio::test]
async fn creating_again_before_retry_after_is_mishandled() {
    let mock = library("cloud-flaky");
    let token = mock.token(JAN, Some("999888")).await;
    for _ in 0..2 {
        let reply = mock.create(&token, sale_body(1000, "CZK")).await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    }
    mishandled(&judged(&mock, "retry-after").await, "Retry-After: 1 s");
}

#[tokio::test]
async fn a_second_sale_after_a_lost_answer_is_mishandled_and_no_reference_too() {
    let mock = library("dropped-connection-on-create");
    let token = mock.token(JAN, Some("999888")).await;
    let mut body = sale_body(1000, "CZK");
    body["originReferenceNum"] = "Invoice 77".into();
    assert!(mock.create(&token, body.clone()).await.dropped);
    assert_eq!(judged(&mock, "answer-lost-on-create").await.0, "handled");
    mock.create(&token, body).await;
    mishandled(
        &judged(&mock, "answer-lost-on-create").await,
        "a second sale with reference `Invoice 77`",
    );

    let mock = library("dropped-connection-on-create");
    let token = mock.token(JAN, Some("999888")).await;
    assert!(mock.create(&token, sale_body(1000, "CZK")).await.dropped);
    mishandled(
        &judged(&mock, "answer-lost-on-create").await,
        "no originReferenceNum",
    );
}

#[tokio::test]
async fn cancelling_again_after_44_is_mishandled() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let (_, transaction) = mock.pay(&token, 1000).await;
    let ams = transaction["amsID"].as_str().expect("amsID");
    mock.pay(&token, 2000).await;
    mock.cancel(&token, "OLDER_TRANSACTION", Some(ams)).await;
    let refused = mock.cancel(&token, "OLDER_TRANSACTION", Some(ams)).await;
    assert_eq!(refused["error"]["code"], 44, "{refused}");
    assert_eq!(
        judged(&mock, "storno-44-already-cancelled").await.0,
        "handled"
    );
    mock.cancel(&token, "OLDER_TRANSACTION", Some(ams)).await;
    mishandled(
        &judged(&mock, "storno-44-already-cancelled").await,
        "again after ERROR 44",
    );
}

#[tokio::test]
async fn a_closed_batch_never_read_back_is_mishandled() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    mock.pay(&token, 1000).await;
    let closed = mock
        .call(
            Method::POST,
            "/v1/tasks/BATCH",
            Some(&token),
            Some(serde_json::json!({})),
        )
        .await;
    assert!(closed.status.is_success(), "{}", closed.text);
    mock.wait_final(&token, closed.body["taskId"].as_str().expect("id"))
        .await;
    mishandled(&judged(&mock, "batch-closed").await, "never read back");
}

#[tokio::test]
async fn deep_links_without_a_redirect_or_repeated_while_logged_out_are_mishandled() {
    let mock = Mock::new();
    mock.call(
        Method::GET,
        &deep_link("gptom://transaction/create?amount=1000"),
        None,
        None,
    )
    .await;
    mishandled(
        &judged(&mock, "app-payment-approved").await,
        "without redirectUrl",
    );

    let back = "&redirectUrl=myshop%3A%2F%2Ftransaction%2Fcreate";
    mock.call(
        Method::GET,
        &deep_link("gptom://logout?redirectUrl=myshop%3A%2F%2Flogout"),
        None,
        None,
    )
    .await;
    for _ in 0..2 {
        mock.call(
            Method::GET,
            &deep_link(&format!("gptom://transaction/create?amount=2000{back}")),
            None,
            None,
        )
        .await;
    }
    mishandled(
        &judged(&mock, "app-not-logged-in").await,
        "instead of logging in",
    );
}

#[tokio::test]
async fn paying_again_while_the_first_sale_waits_in_a_busy_queue_is_mishandled() {
    let mock = library("busy-terminal-queue");
    let token = mock.token(JAN, Some("999888")).await;
    let mut body = sale_body(1000, "CZK");
    body["originReferenceNum"] = "Invoice 5".into();
    let first = mock.create(&token, body.clone()).await.body;
    mock.advance(2);
    let waiting = mock
        .poll(&token, first["taskId"].as_str().expect("id"))
        .await;
    assert_eq!(waiting.body["state"], "NEW", "{}", waiting.text);
    mock.create(&token, body).await;
    mock.advance(60);
    mock.wait_final(&token, first["taskId"].as_str().expect("id"))
        .await;
    mishandled(&judged(&mock, "busy-terminal").await, "waited in the queue");
}

#[tokio::test]
async fn giving_up_on_a_task_after_a_failed_poll_is_mishandled() {
    let mock = inline(
        "version: 1\nname: poll-fault\nfaults:\n  - { method: GET, path: /v1/tasks/*, first: 1, respond: { status: 502 } }\n",
    );
    let token = mock.token(JAN, Some("999888")).await;
    let task = mock.sale(&token, 1000).await;
    let failed = mock
        .poll(&token, task["taskId"].as_str().expect("id"))
        .await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY);
    mishandled(&judged(&mock, "poll-fault").await, "gave up");
}

#[tokio::test]
async fn a_storno_never_read_and_a_master_task_never_followed_are_mishandled() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    mock.pay(&token, 1000).await;
    mock.cancel(&token, "LAST_TRANSACTION", None).await;
    mishandled(&judged(&mock, "storno-last").await, "never read");

    let master = mock.token(MASTER, None).await;
    let mut body = sale_body(1000, "CZK");
    body["tid"] = "999889".into();
    let created = mock.create(&master, body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
    mishandled(
        &judged(&mock, "master-account").await,
        "not polled to its final state",
    );
}

#[tokio::test]
async fn the_same_declined_deep_link_sent_again_is_a_blind_retry() {
    let mock = Mock::new();
    let link = deep_link(
        "gptom://transaction/create?amount=1122&redirectUrl=myshop%3A%2F%2Ftransaction%2Fcreate",
    );
    for _ in 0..2 {
        let reply = mock.call(Method::GET, &link, None, None).await;
        assert_eq!(reply.body["result"]["code"], "declined", "{}", reply.text);
    }
    mishandled(&judged(&mock, "app-payment-declined").await, "blind retry");
}

#[tokio::test]
async fn polling_a_refused_batch_close_after_its_error_is_mishandled() {
    let mock = inline(
        "version: 1\nname: batch-refused\nbatch: { error: { code: 48, message: Batch declined } }\n",
    );
    let token = mock.token(JAN, Some("999888")).await;
    let closed = mock
        .call(
            Method::POST,
            "/v1/tasks/BATCH",
            Some(&token),
            Some(serde_json::json!({})),
        )
        .await;
    let id = closed.body["taskId"].as_str().expect("id");
    let (task, _) = mock.wait_final(&token, id).await;
    assert_eq!(task["state"], "ERROR", "{task}");
    assert_eq!(judged(&mock, "batch-refused").await.0, "handled");
    mock.poll(&token, id).await;
    mishandled(
        &judged(&mock, "batch-refused").await,
        "again after it was final",
    );
}
