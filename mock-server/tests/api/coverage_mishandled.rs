//! Every case of the catalogue met by a client that mishandles it: the report must say
//! *mishandled*, with evidence naming what the client did. The case list comes from the
//! catalogue itself, so a new case without a mishandling client here fails this test.
//! (A client that handles each case is the harness's coverage tour; one that never meets any is
//! `an_empty_journal_meets_nothing_and_says_how_to_produce_each_case`.)

use axum::http::{Method, StatusCode};
use gptom_mock::coverage::catalogue::CASES;
use serde_json::{Value, json};

use crate::coverage::{case, deep_link, inline, library};
use crate::support::*;

#[tokio::test]
async fn every_case_of_the_catalogue_has_a_client_that_mishandles_it() {
    for case in CASES {
        let (mock, note) = mishandle(case.id).await;
        let (status, evidence) = judged(&mock, case.id).await;
        assert_eq!(status, "mishandled", "{}: {evidence}", case.id);
        assert!(
            evidence.contains(note),
            "{}: the evidence {evidence:?} should say {note:?}",
            case.id
        );
    }
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

const BLIND_RETRY: &str = "blind retry";
const POLLED_AFTER_FINAL: &str = "again after it was final";
const NO_REDIRECT: &str = "without redirectUrl";

/// Drives a mock into `id` and mishandles it; returns the mock and what the evidence must say.
async fn mishandle(id: &str) -> (Mock, &'static str) {
    match id {
        "sale-approved" => {
            let mock = Mock::new();
            let token = mock.token(JAN, Some("999888")).await;
            let task = mock.sale(&token, 1000).await;
            mock.wait_final(&token, task_id(&task)).await;
            assert_eq!(judged(&mock, id).await.0, "mishandled");
            (mock, "never read")
        }
        "decline-generic" | "decline-funds" | "decline-card" | "decline-pin"
        | "decline-technical" => (declined_then_paid_again(id).await, BLIND_RETRY),
        "error-65-timeout" | "error-99-technical" | "customer-cancel" | "pin-timeout"
        | "terminal-offline" | "terminal-inactive" => {
            (polled_after_final(id).await, POLLED_AFTER_FINAL)
        }
        "busy-terminal" => {
            let mock = library("busy-terminal-queue");
            let token = mock.token(JAN, Some("999888")).await;
            let body = referenced_sale("Invoice 5");
            let first = mock.create(&token, body.clone()).await.body;
            mock.advance(2);
            let waiting = mock.poll(&token, task_id(&first)).await;
            assert_eq!(waiting.body["state"], "NEW", "{}", waiting.text);
            mock.create(&token, body).await;
            mock.advance(60);
            mock.wait_final(&token, task_id(&first)).await;
            (mock, "waited in the queue")
        }
        "token-expired-mid-flow" => {
            let mock = library("token-expires-between-create-and-poll");
            let token = mock.token(JAN, Some("999888")).await;
            let task = mock.sale(&token, 1000).await;
            let expired = mock.poll(&token, task_id(&task)).await;
            assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
            // The same dead token again instead of a new one.
            mock.poll(&token, task_id(&task)).await;
            (mock, "never polled again")
        }
        "refresh-refused" => {
            let mock = library("refresh-token-rejected");
            let login = mock.login(JAN, Some("999888")).await;
            let refresh = login.body["refresh_token"].as_str().expect("refresh token");
            let form = format!("grant_type=refresh_token&refresh_token={refresh}");
            for _ in 0..2 {
                let reply = mock.form("/cloud/oauth/token", Some(BASIC), &form).await;
                assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
            }
            (mock, "instead of a password login")
        }
        "retry-after" => {
            let mock = library("cloud-flaky");
            let token = mock.token(JAN, Some("999888")).await;
            for _ in 0..2 {
                let reply = mock.create(&token, sale_body(1000, "CZK")).await;
                assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
            }
            (mock, "Retry-After: 1 s")
        }
        "answer-lost-on-create" | "answer-unreadable" => {
            let mock = library(if id == "answer-lost-on-create" {
                "dropped-connection-on-create"
            } else {
                "malformed-answer"
            });
            let token = mock.token(JAN, Some("999888")).await;
            let body = referenced_sale("Invoice 77");
            let lost = mock.create(&token, body.clone()).await;
            assert!(
                lost.dropped || lost.body.is_null(),
                "{id}: {} {}",
                lost.status,
                lost.text
            );
            assert_eq!(judged(&mock, id).await.0, "handled", "{id}");
            mock.create(&token, body).await;
            (mock, "a second sale with reference `Invoice 77`")
        }
        "poll-fault" => {
            let mock = inline(
                "version: 1\nname: poll-fault\nfaults:\n  - { method: GET, path: /v1/tasks/*, first: 1, respond: { status: 502 } }\n",
            );
            let token = mock.token(JAN, Some("999888")).await;
            let task = mock.sale(&token, 1000).await;
            let failed = mock.poll(&token, task_id(&task)).await;
            assert_eq!(failed.status, StatusCode::BAD_GATEWAY);
            (mock, "gave up")
        }
        "storno-last" => {
            let mock = Mock::new();
            let token = mock.token(JAN, Some("999888")).await;
            mock.pay(&token, 1000).await;
            mock.cancel(&token, "LAST_TRANSACTION", None).await;
            (mock, "never read")
        }
        "storno-older" | "storno-44-already-cancelled" => {
            let mock = Mock::new();
            let token = mock.token(JAN, Some("999888")).await;
            let (_, older) = mock.pay(&token, 1000).await;
            mock.pay(&token, 2000).await;
            mock.cancel(&token, "OLDER_TRANSACTION", Some(ams(&older)))
                .await;
            if id == "storno-older" {
                return (mock, "never read");
            }
            cancelled_again(id, &mock, &token, ams(&older), 44).await;
            (mock, "again after ERROR 44")
        }
        "storno-45-too-old" => {
            let mock = Mock::new();
            let token = mock.token(JAN, Some("999888")).await;
            let (_, old) = mock.pay(&token, 1000).await;
            mock.advance(94 * 86_400);
            let token = mock.token(JAN, Some("999888")).await;
            cancelled_again(id, &mock, &token, ams(&old), 45).await;
            (mock, "again after ERROR 45")
        }
        "storno-47-not-allowed" => {
            let mock = Mock::new();
            let here = mock.token(JAN, Some("999888")).await;
            let (_, sale) = mock.pay(&here, 1000).await;
            let elsewhere = mock.token(JAN, Some("999889")).await;
            cancelled_again(id, &mock, &elsewhere, ams(&sale), 47).await;
            (mock, "again after ERROR 47")
        }
        "batch-closed" => {
            let mock = Mock::new();
            let token = mock.token(JAN, Some("999888")).await;
            mock.pay(&token, 1000).await;
            let closed = close_batch(&mock, &token).await;
            mock.wait_final(&token, task_id(&closed)).await;
            (mock, "never read back")
        }
        "batch-refused" => {
            let mock = inline(
                "version: 1\nname: batch-refused\nbatch: { error: { code: 48, message: Batch declined } }\n",
            );
            let token = mock.token(JAN, Some("999888")).await;
            let closed = close_batch(&mock, &token).await;
            let (task, _) = mock.wait_final(&token, task_id(&closed)).await;
            assert_eq!(task["state"], "ERROR", "{task}");
            assert_eq!(judged(&mock, id).await.0, "handled");
            mock.poll(&token, task_id(&closed)).await;
            (mock, POLLED_AFTER_FINAL)
        }
        "master-account" => {
            let mock = Mock::new();
            let master = mock.token(MASTER, None).await;
            let mut body = sale_body(1000, "CZK");
            body["tid"] = "999889".into();
            let created = mock.create(&master, body).await;
            assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
            (mock, "not polled to its final state")
        }
        "app-payment-approved" => (
            links(Mock::new(), &["gptom://transaction/create?amount=1000"]).await,
            NO_REDIRECT,
        ),
        "app-payment-declined" => (
            sent_twice(Mock::new(), "transaction/create?amount=1122").await,
            BLIND_RETRY,
        ),
        "app-payment-cancelled" => (
            sent_twice(
                library("customer-cancels"),
                "transaction/create?amount=1000",
            )
            .await,
            BLIND_RETRY,
        ),
        "app-payment-failed" => (
            sent_twice(Mock::new(), "transaction/create?amount=1124").await,
            BLIND_RETRY,
        ),
        "app-network-error" => (
            sent_twice(
                library("terminal-offline"),
                "transaction/create?amount=1000",
            )
            .await,
            BLIND_RETRY,
        ),
        "app-storno-done" | "app-storno-refused" => {
            let mock = Mock::new();
            let token = mock.token(JAN, Some("999888")).await;
            let (_, sale) = mock.pay(&token, 1000).await;
            let cancel = format!("gptom://transaction/cancel?amsID={}", ams(&sale));
            if id == "app-storno-done" {
                (links(mock, &[&cancel]).await, NO_REDIRECT)
            } else {
                let back = format!("{cancel}&redirectUrl=myshop%3A%2F%2Ftransaction%2Fcancel");
                // Done, refused, and the refused link sent again.
                (links(mock, &[&back, &back, &back]).await, BLIND_RETRY)
            }
        }
        "app-batch-closed" => (
            links(Mock::new(), &["gptom://batch/close"]).await,
            NO_REDIRECT,
        ),
        "app-dcc-receipt" => (
            links(
                library("dcc-accepted"),
                &["gptom://transaction/create?amount=1000"],
            )
            .await,
            NO_REDIRECT,
        ),
        "app-device-refused" => (
            sent_twice(
                library("app-device-setup"),
                "login?username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=999889",
            )
            .await,
            BLIND_RETRY,
        ),
        "app-not-logged-in" => {
            let payment = "gptom://transaction/create?amount=2000&redirectUrl=myshop%3A%2F%2Ftransaction%2Fcreate";
            let mock = links(
                Mock::new(),
                &[
                    "gptom://logout?redirectUrl=myshop%3A%2F%2Flogout",
                    payment,
                    payment,
                ],
            )
            .await;
            (mock, "instead of logging in")
        }
        other => panic!("case `{other}` has no mishandling client in {}", file!()),
    }
}

fn task_id(task: &Value) -> &str {
    task["taskId"].as_str().expect("taskId")
}

fn ams(transaction: &Value) -> &str {
    transaction["amsID"].as_str().expect("amsID")
}

fn referenced_sale(reference: &str) -> Value {
    let mut body = sale_body(1000, "CZK");
    body["originReferenceNum"] = reference.into();
    body
}

/// The mock and the sale amount that produce a sale's outcome case.
fn sale_case(id: &str) -> (Mock, i64) {
    match id {
        "decline-generic" => (Mock::new(), 1122),
        "decline-funds" => (library("insufficient-funds"), 50_000),
        "decline-card" => (library("expired-card"), 1000),
        "decline-pin" => (library("wrong-pin"), 1000),
        "decline-technical" => (library("issuer-unavailable"), 1000),
        "error-65-timeout" => (Mock::new(), 1123),
        "error-99-technical" => (Mock::new(), 1124),
        "customer-cancel" => (library("customer-cancels"), 1000),
        "pin-timeout" => (library("pin-timeout"), 1000),
        "terminal-offline" => (library("terminal-offline"), 1000),
        "terminal-inactive" => (library("terminal-inactive"), 1000),
        other => panic!("{other} is not a sale's outcome"),
    }
}

/// A declined sale with a reference, then the same sale again before reading why.
async fn declined_then_paid_again(id: &str) -> Mock {
    let (mock, amount) = sale_case(id);
    let token = mock.token(JAN, Some("999888")).await;
    let mut body = sale_body(amount, "CZK");
    body["originReferenceNum"] = "Invoice 9".into();
    let first = mock.create(&token, body.clone()).await.body;
    mock.wait_final(&token, task_id(&first)).await;
    mock.create(&token, body).await;
    mock
}

/// A sale polled to its final state (handled so far), then polled once more.
async fn polled_after_final(id: &str) -> Mock {
    let (mock, amount) = sale_case(id);
    let token = mock.token(JAN, Some("999888")).await;
    let task = mock.sale(&token, amount).await;
    mock.wait_final(&token, task_id(&task)).await;
    assert_eq!(judged(&mock, id).await.0, "handled", "{id}");
    mock.poll(&token, task_id(&task)).await;
    mock
}

/// A storno refused with `code` (handled so far), then the same storno again.
async fn cancelled_again(id: &str, mock: &Mock, token: &str, ams: &str, code: u64) {
    let refused = mock.cancel(token, "OLDER_TRANSACTION", Some(ams)).await;
    assert_eq!(refused["error"]["code"], code, "{id}: {refused}");
    assert_eq!(judged(mock, id).await.0, "handled", "{id}");
    mock.cancel(token, "OLDER_TRANSACTION", Some(ams)).await;
}

async fn close_batch(mock: &Mock, token: &str) -> Value {
    let closed = mock
        .call(
            Method::POST,
            "/v1/tasks/BATCH",
            Some(token),
            Some(json!({})),
        )
        .await;
    assert!(closed.status.is_success(), "{}", closed.text);
    closed.body
}

/// `operation` with a redirectUrl that names it, sent twice in a row.
async fn sent_twice(mock: Mock, operation: &str) -> Mock {
    let path = operation.split('?').next().unwrap_or(operation);
    let back: String =
        form_urlencoded::byte_serialize(format!("myshop://{path}").as_bytes()).collect();
    let link = format!("gptom://{operation}&redirectUrl={back}");
    links(mock, &[&link, &link]).await
}

/// Opens each deep link through `/app2app`.
async fn links(mock: Mock, links: &[&str]) -> Mock {
    for link in links {
        let reply = mock.call(Method::GET, &deep_link(link), None, None).await;
        assert!(reply.status.as_u16() < 500, "{link}: {}", reply.text);
    }
    mock
}
