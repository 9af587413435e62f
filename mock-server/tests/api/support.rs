//! Test glue: one mock per test, driven through its router.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use gptom_mock::{AppState, ManualClock, MockConfig, app};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub const BASIC: &str = "Basic YXRvbTphc2hmdWY0ZTVmYQ==";
pub const JAN: &str = "jan.novak@example.com";
pub const EVA: &str = "eva.svobodova@example.com";
pub const MASTER: &str = "master@example.com";
pub const PASSWORD: &str = "ABCDEFGHIJKL";

pub struct Reply {
    pub status: StatusCode,
    /// The answer never arrived whole (a dropped connection).
    pub dropped: bool,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

pub struct Mock {
    pub state: AppState,
    router: gptom_mock::App,
}

impl Mock {
    pub fn new() -> Self {
        Self::with_config(MockConfig::embedded().expect("fixtures"))
    }

    /// The embedded fixtures with the signing key pinned, so two mocks issue the same tokens.
    pub fn pinned_config() -> MockConfig {
        let mut config = MockConfig::embedded().expect("fixtures");
        config.jwt_secret = Some(gptom_mock::state::reproducible_secret(0));
        config
    }

    pub fn with_scenario(scenario: gptom_mock::scenario::Scenario) -> Self {
        let mut config = MockConfig::embedded().expect("fixtures");
        config.scenarios = vec![Arc::new(scenario)];
        Self::with_config(config)
    }

    pub fn with_config(config: MockConfig) -> Self {
        Self::from_state(AppState::new(config, Arc::new(ManualClock::default())))
    }

    /// A mock around a state made elsewhere (another clock, say).
    pub fn from_state(state: AppState) -> Self {
        Mock {
            router: app(state.clone()),
            state,
        }
    }

    /// A mock whose state lives in `dir` (`--data-dir`), on a manual clock at its default start
    /// (a restored clock goes on from where it stood).
    pub fn open_dir(dir: &std::path::Path) -> Result<Self, gptom_mock::state::OpenError> {
        let mut config = MockConfig::embedded().expect("fixtures");
        config.seed = 7;
        config.data_dir = Some(dir.to_owned());
        let state = AppState::open(config, Arc::new(ManualClock::default()))?;
        Ok(Mock {
            router: app(state.clone()),
            state,
        })
    }

    /// A mock whose pipeline sends every request through the router (no direct dispatch).
    pub fn routed_only_with(config: MockConfig) -> Self {
        let mock = Self::with_config(config);
        Mock {
            router: app(mock.state.clone()).without_direct_dispatch(),
            state: mock.state,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let collected = response.into_body().collect().await;
        let dropped = collected.is_err();
        let bytes = collected.map(|body| body.to_bytes()).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply {
            status,
            dropped,
            headers,
            body,
            text,
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let request = match body {
            Some(body) => builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string())),
            None => builder.body(Body::empty()),
        };
        self.send(request.expect("request")).await
    }

    pub async fn form(&self, path: &str, basic: Option<&str>, form: &str) -> Reply {
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(basic) = basic {
            builder = builder.header(header::AUTHORIZATION, basic);
        }
        self.send(builder.body(Body::from(form.to_owned())).expect("request"))
            .await
    }

    pub async fn login(&self, user: &str, tid: Option<&str>) -> Reply {
        let mut form = format!(
            "grant_type=password&username={}&password={PASSWORD}",
            user.replace('@', "%40")
        );
        if let Some(tid) = tid {
            form.push_str(&format!("&tid={tid}"));
        }
        self.form("/cloud/oauth/token", Some(BASIC), &form).await
    }

    pub async fn token(&self, user: &str, tid: Option<&str>) -> String {
        let reply = self.login(user, tid).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        reply.body["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    pub async fn create(&self, token: &str, body: Value) -> Reply {
        self.call(
            Method::POST,
            "/v1/tasks/TRANSACTION",
            Some(token),
            Some(body),
        )
        .await
    }

    pub async fn sale(&self, token: &str, amount: i64) -> Value {
        let reply = self.create(token, sale_body(amount, "CZK")).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        reply.body
    }

    pub async fn poll(&self, token: &str, task_id: &str) -> Reply {
        self.call(
            Method::GET,
            &format!("/v1/tasks/{task_id}"),
            Some(token),
            None,
        )
        .await
    }

    pub fn advance(&self, seconds: i64) {
        self.state.clock().advance(seconds * 1000);
    }

    /// Polls once a second of virtual time until the task is final; returns every state seen.
    pub async fn wait_final(&self, token: &str, task_id: &str) -> (Value, Vec<String>) {
        let mut seen: Vec<String> = Vec::new();
        for _ in 0..1_000 {
            let reply = self.poll(token, task_id).await;
            assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
            let state = reply.body["state"].as_str().expect("state").to_owned();
            if seen.last() != Some(&state) {
                seen.push(state.clone());
            }
            if matches!(
                state.as_str(),
                "COMPLETED" | "CANCELED" | "CANCELLED" | "ERROR"
            ) {
                return (reply.body, seen);
            }
            self.advance(1);
        }
        panic!("task {task_id} never became final");
    }

    /// Sale → final task → transaction.
    pub async fn pay(&self, token: &str, amount: i64) -> (Value, Value) {
        let task = self.sale(token, amount).await;
        let (task, _) = self
            .wait_final(token, task["taskId"].as_str().expect("id"))
            .await;
        let transaction = if task["transactionId"].is_string() {
            self.transaction_of(token, &task).await.body
        } else {
            Value::Null
        };
        (task, transaction)
    }

    /// Reads the transaction a final task points at.
    pub async fn transaction_of(&self, token: &str, task: &Value) -> Reply {
        let id = task["transactionId"]
            .as_str()
            .expect("the task has a transaction");
        self.call(
            Method::GET,
            &format!("/v1/transactions/{id}"),
            Some(token),
            None,
        )
        .await
    }

    pub async fn cancel(&self, token: &str, mode: &str, origin: Option<&str>) -> Value {
        let mut body =
            json!({"transactionType": "CANCEL", "cancelMode": mode, "currencyCode": "CZK"});
        if let Some(origin) = origin {
            body["originTransactionID"] = json!(origin);
        }
        let reply = self.create(token, body).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
        let (task, _) = self
            .wait_final(token, reply.body["taskId"].as_str().expect("id"))
            .await;
        task
    }
}

pub fn sale_body(amount: i64, currency: &str) -> Value {
    json!({"transactionType": "SALE", "amount": amount, "currencyCode": currency, "paymentMethod": "CARD"})
}

/// A scratch folder removed when dropped; `name` keeps two of one test apart.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "gptom-mock-test-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
