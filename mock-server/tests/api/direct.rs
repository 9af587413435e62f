//! The pipeline answers `GET /v1/tasks/{taskId}` and `POST /v1/tasks/TRANSACTION` without the
//! router; these tests send the same requests to a mock that routes everything and require the
//! same answers, byte for byte, and the same journal.

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::{Value, json};

use crate::support::{EVA, JAN, Mock, Reply};

/// One request of the script: method, path, which token, content type and body.
struct Step {
    method: Method,
    path: String,
    token: Token,
    content_type: Option<&'static str>,
    body: &'static str,
}

#[derive(Clone, Copy)]
enum Token {
    None,
    Jan,
    Eva,
    Garbage,
    NotBearer,
}

fn step(method: Method, path: &str, token: Token) -> Step {
    Step {
        method,
        path: path.to_owned(),
        token,
        content_type: None,
        body: "",
    }
}

fn post(body: &'static str, content_type: Option<&'static str>, token: Token) -> Step {
    Step {
        method: Method::POST,
        path: "/v1/tasks/TRANSACTION".to_owned(),
        token,
        content_type,
        body,
    }
}

/// Everything an answer says: status, every header (request ids included) and the body.
fn transcript(reply: &Reply) -> String {
    let mut headers: Vec<String> = reply
        .headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", String::from_utf8_lossy(value.as_bytes())))
        .collect();
    headers.sort();
    format!("{}\n{}\n{}", reply.status, headers.join("\n"), reply.text)
}

/// Runs the script on `mock`; the task ids come from the mock's own answers.
async fn run_script(mock: &Mock) -> Vec<String> {
    let jan = mock.token(JAN, Some("999888")).await;
    let eva = mock.token(EVA, Some("777666")).await;
    let created = mock.sale(&jan, 1000).await;
    let task_id = created["taskId"].as_str().expect("taskId").to_owned();
    let task_path = format!("/v1/tasks/{task_id}");
    let encoded = format!("/v1/tasks/{}", task_id.replacen('-', "%2D", 1));

    let sale = r#"{"transactionType":"SALE","amount":1111,"currencyCode":"CZK","paymentMethod":"CARD","originReferenceNum":"direct-1"}"#;
    let declined =
        r#"{"transactionType":"SALE","amount":1122,"currencyCode":"CZK","paymentMethod":"CARD"}"#;
    let steps = vec![
        step(Method::GET, &task_path, Token::Jan),
        step(Method::GET, &task_path, Token::Jan),
        step(Method::GET, &task_path, Token::Eva),
        step(Method::GET, &task_path, Token::None),
        step(Method::GET, &task_path, Token::Garbage),
        step(Method::GET, &task_path, Token::NotBearer),
        step(Method::GET, &encoded, Token::Jan),
        step(Method::GET, &format!("{task_path}?x=1"), Token::Jan),
        step(Method::GET, &format!("{task_path}/"), Token::Jan),
        step(Method::GET, "/v1/tasks/", Token::Jan),
        step(Method::GET, "/v1/tasks/not-a-uuid", Token::Jan),
        step(
            Method::GET,
            "/v1/tasks/00000000-0000-4000-8000-000000000000",
            Token::Jan,
        ),
        step(Method::GET, "/v1/tasks/TRANSACTION", Token::Jan),
        step(Method::GET, "/v1/tasks/BATCH", Token::Jan),
        step(Method::HEAD, &task_path, Token::Jan),
        post(sale, Some("application/json"), Token::Jan),
        post(
            declined,
            Some("Application/JSON; charset=UTF-8"),
            Token::Jan,
        ),
        post(sale, Some("application/problem+json"), Token::Eva),
        post(sale, Some("text/plain"), Token::Jan),
        post(sale, None, Token::Jan),
        post("", None, Token::Jan),
        post("   ", Some("application/json"), Token::Jan),
        post("{\"amount\":", Some("application/json"), Token::Jan),
        post("[1,2]", Some("application/json"), Token::Jan),
        post(
            r#"{"transactionType":"REFUND","amount":-1,"currencyCode":"czk","tid":"1"}"#,
            Some("application/json"),
            Token::Jan,
        ),
        post(
            r#"{"transactionType":"SALE","amount":1000,"currencyCode":"CZK","paymentMethod":"CARD","clientId":"x","colour":"red"}"#,
            Some("application/json"),
            Token::Jan,
        ),
        post(
            r#"{"transactionType":"SALE","amount":1000,"currencyCode":"CZK","paymentMetod":"CARD"}"#,
            Some("application/json"),
            Token::Jan,
        ),
        post(sale, Some("application/json"), Token::None),
        post("{\"amount\":", Some("text/plain"), Token::Garbage),
        post(sale, Some("application/json"), Token::Jan),
        step(Method::GET, &task_path, Token::Jan),
    ];

    let mut transcripts = Vec::new();
    for step in steps {
        let mut builder = Request::builder().method(step.method).uri(&step.path);
        let authorization = match step.token {
            Token::None => None,
            Token::Jan => Some(format!("Bearer {jan}")),
            Token::Eva => Some(format!("bearer {eva}")),
            Token::Garbage => Some("Bearer not.a.jwt".to_owned()),
            Token::NotBearer => Some(format!("Token {jan}")),
        };
        if let Some(authorization) = authorization {
            builder = builder.header(header::AUTHORIZATION, authorization);
        }
        if let Some(content_type) = step.content_type {
            builder = builder.header(header::CONTENT_TYPE, content_type);
        }
        let request = builder.body(Body::from(step.body)).expect("request");
        transcripts.push(transcript(&mock.send(request).await));
        mock.advance(7);
    }
    // The journal, without the one field that measures wall time.
    let mut journal = mock
        .call(Method::GET, "/__mock/requests", None, None)
        .await
        .body;
    for entry in journal["entries"].as_array_mut().expect("entries") {
        entry
            .as_object_mut()
            .expect("entry")
            .remove("durationUs")
            .expect("durationUs");
    }
    // Refresh tokens are secrets drawn from the OS, different in every mock: compare the rest.
    let journal = regex_lite::Regex::new(r#"refresh_token\\":\\"[^\\]*\\""#)
        .expect("regex")
        .replace_all(&journal.to_string(), r#"refresh_token\":\"[secret]\""#)
        .into_owned();
    transcripts.push(journal);
    transcripts
}

#[tokio::test]
async fn direct_dispatch_answers_exactly_as_the_router_does() {
    let direct = run_script(&Mock::with_config(Mock::pinned_config())).await;
    let routed = run_script(&Mock::routed_only_with(Mock::pinned_config())).await;
    assert_eq!(direct.len(), routed.len());
    for (index, (direct, routed)) in direct.iter().zip(&routed).enumerate() {
        assert_eq!(direct, routed, "answer #{index} differs");
    }
}

#[tokio::test]
async fn the_script_covers_answers_and_refusals() {
    // Guards the comparison above against a script that no longer reaches the hot operations.
    let transcripts = run_script(&Mock::new()).await;
    let statuses: Vec<&str> = transcripts
        .iter()
        .map(|text| text.split(' ').next().unwrap_or(""))
        .collect();
    for expected in ["200", "201", "400", "401", "404", "405", "415"] {
        assert!(
            statuses.contains(&expected),
            "no {expected} in {statuses:?}"
        );
    }
    let journal: Value = serde_json::from_str(transcripts.last().expect("journal")).expect("json");
    let tagged = journal["entries"]
        .as_array()
        .expect("journal entries")
        .iter()
        .filter(|entry| entry["terminal"] == json!("999888"))
        .count();
    assert!(tagged >= 5, "{journal}");
}
