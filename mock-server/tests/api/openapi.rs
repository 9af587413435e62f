//! The OpenAPI document: the committed copy is the code's, every documented operation is routed,
//! the documented request shape is the parser's, and real answers conform to the document.

use std::path::Path;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use gptom_mock::domain::request::{MAX_AMOUNT, MAX_REFERENCE_LEN};
use gptom_mock::wire::request::KNOWN_TRANSACTION_FIELDS;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::*;

fn document() -> Value {
    serde_json::from_str(gptom_mock::openapi::document()).expect("the document is JSON")
}

#[test]
fn the_committed_document_is_the_one_the_code_generates() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/openapi.json");
    let generated = gptom_mock::openapi::document();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(&path, generated).expect("write fixtures/openapi.json");
    }
    let committed = std::fs::read_to_string(&path).expect("fixtures/openapi.json");
    assert!(
        committed.replace("\r\n", "\n") == generated,
        "fixtures/openapi.json differs from the code's document; regenerate it with \
         `cargo run -p gptom-mock -- openapi > fixtures/openapi.json` (or UPDATE_OPENAPI=1 cargo test)"
    );
}

#[test]
fn the_document_is_openapi_3_1_with_both_apis_tagged_apart() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let mut tags = std::collections::BTreeMap::<String, Vec<String>>::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            let tag = operation["tags"][0]
                .as_str()
                .expect("every operation is tagged");
            tags.entry(tag.to_owned())
                .or_default()
                .push(format!("{} {path}", method.to_uppercase()));
        }
    }
    let cloud = &tags["Cloud API"];
    for operation in [
        "POST /cloud/oauth/token",
        "POST /api/oauth/token",
        "POST /v1/tasks/TRANSACTION",
        "POST /v1/tasks/BATCH",
        "GET /v1/tasks/{taskId}",
        "GET /v1/transactions/{transactionId}",
        "GET /v1/batches/{batchNumber}",
    ] {
        assert!(cloud.contains(&operation.to_owned()), "{operation}");
    }
    assert_eq!(tags["App-to-app"], ["GET /app2app"]);
    assert!(
        tags["Control plane"]
            .iter()
            .all(|operation| operation.contains("/__mock/")
                || operation.ends_with("/openapi.json")
                || operation == "GET /")
    );
}

#[test]
fn the_transaction_request_schema_is_the_parser_s() {
    let doc = document();
    let schema = &doc["components"]["schemas"]["CreateCloudTaskTransactionApiRequest"];
    let mut documented: Vec<&str> = schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .map(String::as_str)
        .collect();
    let mut parsed = KNOWN_TRANSACTION_FIELDS.to_vec();
    documented.sort_unstable();
    parsed.sort_unstable();
    assert_eq!(documented, parsed);
    assert_eq!(schema["properties"]["amount"]["maximum"], json!(MAX_AMOUNT));
    assert_eq!(schema["properties"]["amount"]["minimum"], json!(1));
    assert_eq!(
        schema["properties"]["originReferenceNum"]["maxLength"],
        json!(MAX_REFERENCE_LEN)
    );
    let required: Vec<&str> = schema["required"]
        .as_array()
        .expect("required")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(required, ["transactionType", "currencyCode"]);
}

/// A concrete path for a templated one.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') {
                "00000000-0000-4000-8000-000000000000"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_documented_operation_reaches_a_handler() {
    let doc = document();
    let mock = Mock::new();
    let router = gptom_mock::app(mock.state.clone());
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let request = Request::builder()
                .method(method.clone())
                .uri(concrete(path))
                .body(Body::empty())
                .expect("request");
            let response = router.clone().oneshot(request).await.expect("infallible");
            let status = response.status();
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            if status == StatusCode::NOT_FOUND {
                let body = http_body_util::BodyExt::collect(response.into_body())
                    .await
                    .expect("body")
                    .to_bytes();
                let text = String::from_utf8_lossy(&body);
                assert!(
                    !text.contains("No endpoint at this path"),
                    "{method} {path} is documented but not routed"
                );
            }
        }
    }
}

/// Validates answers against the response schemas the document gives their operation and status.
struct Conformance {
    doc: Value,
    checked: usize,
}

impl Conformance {
    fn new() -> Self {
        Conformance {
            doc: document(),
            checked: 0,
        }
    }

    /// The documented path that `path` is an instance of (literal segments win).
    fn template(&self, path: &str) -> String {
        let segments: Vec<&str> = path.split('/').collect();
        let mut best: Option<(usize, &str)> = None;
        for template in self.doc["paths"].as_object().expect("paths").keys() {
            let parts: Vec<&str> = template.split('/').collect();
            if parts.len() != segments.len() {
                continue;
            }
            let mut literal = 0;
            let matches = parts.iter().zip(&segments).all(|(part, segment)| {
                if part.starts_with('{') {
                    true
                } else {
                    literal += usize::from(part == segment);
                    part == segment
                }
            });
            if matches && best.is_none_or(|(score, _)| literal > score) {
                best = Some((literal, template));
            }
        }
        best.map(|(_, template)| template.to_owned())
            .unwrap_or_else(|| panic!("{path} is not documented"))
    }

    fn check(&mut self, method: &Method, uri: &str, reply: &Reply) {
        let path = uri.split('?').next().unwrap_or(uri);
        let template = self.template(path);
        let operation = &self.doc["paths"][&template][method.as_str().to_lowercase()];
        assert!(
            operation.is_object(),
            "{method} {template} is not documented"
        );
        let response = &operation["responses"][reply.status.as_str()];
        assert!(
            response.is_object(),
            "{method} {template} answered {} which the document does not list: {}",
            reply.status,
            reply.text
        );
        for name in response["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, _)| name)
        {
            if name == "X-Request-Id" {
                assert!(
                    reply.headers.contains_key(name.as_str()),
                    "{method} {path}: {name}"
                );
            }
        }
        let Some(schema) = response["content"]["application/json"]["schema"].as_object() else {
            return;
        };
        let mut root = schema.clone();
        root.insert("components".into(), self.doc["components"].clone());
        let validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&Value::Object(root))
            .expect("the response schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(&reply.body)
            .map(|error| format!("{} at {}", error, error.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{method} {path} → {}: {errors:?}\n{}",
            reply.status,
            reply.text
        );
        self.checked += 1;
    }
}

#[tokio::test]
async fn real_answers_conform_to_the_document() {
    let mock = Mock::new();
    let mut conformance = Conformance::new();

    // OAuth: both grants, and its refusals.
    let login = mock.login(JAN, Some("999888")).await;
    conformance.check(&Method::POST, "/cloud/oauth/token", &login);
    let token = login.body["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let refresh = format!(
        "grant_type=refresh_token&refresh_token={}",
        login.body["refresh_token"].as_str().expect("refresh")
    );
    let refreshed = mock.form("/api/oauth/token", Some(BASIC), &refresh).await;
    conformance.check(&Method::POST, "/api/oauth/token", &refreshed);
    let master = mock.login(MASTER, None).await;
    conformance.check(&Method::POST, "/cloud/oauth/token", &master);
    for (basic, form) in [
        (None, "grant_type=password"),
        (
            Some(BASIC),
            "grant_type=password&username=x&password=y&tid=1",
        ),
        (Some(BASIC), "grant_type=client_credentials"),
        (Some(BASIC), "username=x"),
    ] {
        let reply = mock.form("/cloud/oauth/token", basic, form).await;
        conformance.check(&Method::POST, "/cloud/oauth/token", &reply);
    }

    // Tasks and their transactions: approved, declined, failed, cancelled (storno), batch.
    let mut completed = Vec::new();
    for amount in [1000, 1122, 1124] {
        let created = mock.create(&token, sale_body(amount, "CZK")).await;
        conformance.check(&Method::POST, "/v1/tasks/TRANSACTION", &created);
        let task_id = created.body["taskId"].as_str().expect("id").to_owned();
        let (task, _) = mock.wait_final(&token, &task_id).await;
        let polled = mock.poll(&token, &task_id).await;
        conformance.check(&Method::GET, &format!("/v1/tasks/{task_id}"), &polled);
        if let Some(id) = task["transactionId"].as_str() {
            let uri = format!("/v1/transactions/{id}");
            let reply = mock.call(Method::GET, &uri, Some(&token), None).await;
            conformance.check(&Method::GET, &uri, &reply);
            completed.push(reply.body);
        }
    }
    let storno = json!({"transactionType": "CANCEL", "cancelMode": "LAST_TRANSACTION", "currencyCode": "CZK"});
    let created = mock.create(&token, storno).await;
    conformance.check(&Method::POST, "/v1/tasks/TRANSACTION", &created);
    let (task, _) = mock
        .wait_final(&token, created.body["taskId"].as_str().expect("id"))
        .await;
    if let Some(id) = task["transactionId"].as_str() {
        let uri = format!("/v1/transactions/{id}");
        let reply = mock.call(Method::GET, &uri, Some(&token), None).await;
        conformance.check(&Method::GET, &uri, &reply);
    }
    let batch = mock
        .call(Method::POST, "/v1/tasks/BATCH", Some(&token), None)
        .await;
    conformance.check(&Method::POST, "/v1/tasks/BATCH", &batch);
    let (task, _) = mock
        .wait_final(&token, batch.body["taskId"].as_str().expect("id"))
        .await;
    let uri = format!("/v1/batches/{}", task["batchNumber"]);
    let reply = mock.call(Method::GET, &uri, Some(&token), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    conformance.check(&Method::GET, &uri, &reply);

    // Refusals of the resource endpoints.
    let refusals = [
        (
            Method::POST,
            "/v1/tasks/TRANSACTION",
            Some(json!({"amount": 0})),
        ),
        (
            Method::GET,
            "/v1/tasks/00000000-0000-4000-8000-000000000000",
            None,
        ),
        (Method::GET, "/v1/transactions/nope", None),
        (Method::GET, "/v1/batches/abc", None),
        (Method::GET, "/v1/batches/999", None),
    ];
    for (method, uri, body) in refusals {
        let reply = mock.call(method.clone(), uri, Some(&token), body).await;
        conformance.check(&method, uri, &reply);
        let reply = mock.call(method.clone(), uri, None, None).await;
        conformance.check(&method, uri, &reply);
    }
    let wrong_type = Request::builder()
        .method(Method::POST)
        .uri("/v1/tasks/TRANSACTION")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("amount=1"))
        .expect("request");
    let reply = mock.send(wrong_type).await;
    conformance.check(&Method::POST, "/v1/tasks/TRANSACTION", &reply);
    let too_big = Request::builder()
        .method(Method::POST)
        .uri("/v1/tasks/TRANSACTION")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(vec![b' '; 70_000]))
        .expect("request");
    let reply = mock.send(too_big).await;
    conformance.check(&Method::POST, "/v1/tasks/TRANSACTION", &reply);

    // Deep links: an answer, a redirect, a refusal.
    let ams = completed[0]["amsID"].as_str().expect("amsID");
    for link in [
        "gptom%3A%2F%2Ftransaction%2Fcreate%3Famount%3D1000".to_owned(),
        "gptom%3A%2F%2Ftransaction%2Fcreate%3Famount%3D1000%26redirectUrl%3Dmyapp%3A%2F%2Fdone"
            .to_owned(),
        format!("gptom%3A%2F%2Ftransaction%2Fdetail%3FamsID%3D{ams}"),
        "gptom%3A%2F%2Fstatus".to_owned(),
        "https%3A%2F%2Fexample.com".to_owned(),
    ] {
        let uri = format!("/app2app?url={link}");
        let reply = mock.call(Method::GET, &uri, None, None).await;
        conformance.check(&Method::GET, &uri, &reply);
    }

    // The control plane's typed answers.
    for (method, uri, body) in [
        (Method::GET, "/__mock/clock", None),
        (
            Method::POST,
            "/__mock/clock/advance",
            Some(json!({"seconds": 5})),
        ),
        (
            Method::POST,
            "/__mock/clock/advance",
            Some(json!({"weeks": 1})),
        ),
        (Method::GET, "/__mock/requests?limit=-1", None),
        (Method::GET, "/__mock/verify?format=pdf", None),
    ] {
        let reply = mock.call(method.clone(), uri, None, body).await;
        conformance.check(&method, uri, &reply);
    }
    eprintln!(
        "{} real answers conform to the document",
        conformance.checked
    );
    assert!(conformance.checked >= 40, "{}", conformance.checked);
}
