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

pub(crate) fn case(body: &Value, id: &str) -> Value {
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

pub(crate) fn inline(yaml: &str) -> Mock {
    Mock::with_scenario(gptom_mock::scenario::load_str("<test>", yaml).expect("scenario"))
}

pub(crate) fn library(name: &str) -> Mock {
    let scenario = gptom_mock::scenario::library::find(name).expect("library scenario");
    Mock::with_scenario(gptom_mock::scenario::Scenario::clone(&scenario))
}

pub(crate) fn deep_link(link: &str) -> String {
    let url: String = form_urlencoded::byte_serialize(link.as_bytes()).collect();
    format!("/app2app?url={url}")
}
