//! Whole requests through the router (headers, query, JSON and form bodies) on a fresh mock with a
//! valid token: every answer is a 2xx/3xx/4xx with a JSON body (the page and the event stream are
//! left out), never a 5xx or a panic, and the mock stays healthy.
#![no_main]

use std::sync::{Arc, LazyLock};

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use gptom_mock::{AppState, ManualClock, MockConfig};
use http_body_util::BodyExt;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const BASIC: &str = "Basic YXRvbTphc2hmdWY0ZTVmYQ==";

const PATHS: &[&str] = &[
    "/cloud/oauth/token",
    "/api/oauth/token",
    "/v1/tasks/TRANSACTION",
    "/v1/tasks/BATCH",
    "/v1/tasks/",
    "/v1/transactions/",
    "/v1/batches/",
    "/app2app?url=",
    "/__mock/clock/advance",
    "/__mock/scenario",
    "/__mock/scenario?name=",
    "/__mock/tasks/",
    "/__mock/terminals/999888/manual",
    "/__mock/manual",
    "/__mock/requests?",
    "/__mock/state?",
    "/__mock/verify?format=",
    "/__mock/reset",
];

const METHODS: &[Method] = &[Method::POST, Method::GET, Method::PUT, Method::DELETE];

const CONTENT_TYPES: &[Option<&str>] = &[
    Some("application/json"),
    Some("application/x-www-form-urlencoded"),
    None,
    Some("text/plain"),
    Some("application/json; charset=utf-8"),
    Some("application/yaml"),
];

#[derive(Arbitrary, Debug)]
struct Input {
    path: u8,
    method: u8,
    content_type: u8,
    /// 0: the valid bearer token, 1: Basic client credentials, 2: none, 3: the text below.
    auth: u8,
    auth_text: String,
    suffix: String,
    body: Vec<u8>,
}

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    // Timers on: the pipeline bounds a body's read time with `tokio::time::timeout`.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
});

async fn token(router: &gptom_mock::App) -> String {
    let login = Request::post("/cloud/oauth/token")
        .header(header::AUTHORIZATION, BASIC)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(
            "grant_type=password&username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=999888",
        ))
        .expect("request");
    let response = router.clone().oneshot(login).await.expect("infallible");
    let bytes = response.into_body().collect().await.expect("body").to_bytes();
    let value: serde_json::Value = serde_json::from_slice(&bytes).expect("token JSON");
    value["access_token"].as_str().expect("access_token").to_owned()
}

/// The embedded fixtures, parsed once; every input gets a fresh mock of its own.
static CONFIG: LazyLock<MockConfig> =
    LazyLock::new(|| MockConfig::embedded().expect("embedded fixtures"));

fuzz_target!(|input: Input| {
    RUNTIME.block_on(async {
        let state = AppState::new(CONFIG.clone(), Arc::new(ManualClock::default()));
        let router = gptom_mock::app(state);
        let token = token(&router).await;
        let path = PATHS[usize::from(input.path) % PATHS.len()];
        let suffix: String = input
            .suffix
            .chars()
            .filter(|c| c.is_ascii_graphic() && !matches!(c, '#' | '?' | '/'))
            .take(64)
            .collect();
        let uri = if path.ends_with('/') && path.starts_with("/__mock/tasks/") {
            format!("{path}{suffix}/decide")
        } else {
            format!("{path}{suffix}")
        };
        let Ok(uri) = uri.parse::<axum::http::Uri>() else {
            return;
        };
        let method = METHODS[usize::from(input.method) % METHODS.len()].clone();
        let mut request = Request::builder().method(method.clone()).uri(uri);
        if let Some(content_type) = CONTENT_TYPES[usize::from(input.content_type) % CONTENT_TYPES.len()] {
            request = request.header(header::CONTENT_TYPE, content_type);
        }
        let authorization = match input.auth % 4 {
            0 => Some(format!("Bearer {token}")),
            1 => Some(BASIC.to_owned()),
            2 => None,
            _ => Some(input.auth_text.clone()),
        };
        if let Some(value) = authorization {
            if let Ok(value) = axum::http::HeaderValue::from_str(&value) {
                request = request.header(header::AUTHORIZATION, value);
            }
        }
        let Ok(request) = request.body(Body::from(input.body)) else {
            return;
        };
        let response = router.clone().oneshot(request).await.expect("infallible");
        let status = response.status();
        assert!(
            !status.is_server_error(),
            "{method} {path}{suffix} answered {status}"
        );
        assert!(response.headers().contains_key("x-request-id"));
        let is_text = response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|value| !value.as_bytes().starts_with(b"application/json"));
        let bytes = response.into_body().collect().await.expect("body").to_bytes();
        if !bytes.is_empty() && !is_text {
            serde_json::from_slice::<serde_json::Value>(&bytes).expect("a JSON body");
        }
        let health = Request::get("/__mock/health").body(Body::empty()).expect("request");
        let health = router.oneshot(health).await.expect("infallible");
        assert_eq!(health.status(), StatusCode::OK);
    });
});
