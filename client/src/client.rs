//! The client and its operations.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use crate::auth::{Auth, Credentials};
use crate::error::{ApiErrorBody, Error, Result};
use crate::outcome::{BatchOutcome, CancelOutcome, PaymentOutcome};
use crate::request::{CancelRequest, SaleRequest};
use crate::types::{Batch, Task, TaskState, Transaction};

/// How [`Client::wait_for_task`] polls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitOptions {
    /// The first pause between polls.
    pub initial_interval: Duration,
    /// The longest pause (the interval grows by half each poll).
    pub max_interval: Duration,
    /// Give up after this long.
    pub deadline: Duration,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            initial_interval: Duration::from_millis(1_000),
            max_interval: Duration::from_secs(5),
            deadline: Duration::from_secs(300),
        }
    }
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    client_id: Option<String>,
    client_secret: Option<String>,
    username: Option<String>,
    password: Option<String>,
    tid: Option<String>,
    master: bool,
    currency: String,
    timeout: Duration,
    user_agent: String,
    http: Option<reqwest::Client>,
    wait: WaitOptions,
    creation_retries: u32,
}

impl ClientBuilder {
    /// The OAuth client credentials GP tom gave you (HTTP Basic on the token endpoint).
    #[must_use]
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(secret.into());
        self
    }

    /// The merchant's login.
    #[must_use]
    pub fn user(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self.password = Some(password.into());
        self
    }

    /// Drive one terminal (TID).
    #[must_use]
    pub fn terminal(mut self, tid: impl Into<String>) -> Self {
        self.tid = Some(tid.into());
        self.master = false;
        self
    }

    /// Log in as a master account and drive `tid` (the TID is sent in every request body).
    #[must_use]
    pub fn master_account(mut self, tid: impl Into<String>) -> Self {
        self.tid = Some(tid.into());
        self.master = true;
        self
    }

    /// The terminal's currency for requests built by the high-level flows (default CZK).
    #[must_use]
    pub fn currency(mut self, currency: impl Into<String>) -> Self {
        self.currency = currency.into();
        self
    }

    /// Per-request timeout (default 30 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    #[must_use]
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Use your own `reqwest::Client` (proxies, TLS roots, …); `timeout` and `user_agent` are then yours.
    #[must_use]
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// How the high-level flows poll.
    #[must_use]
    pub fn wait_options(mut self, wait: WaitOptions) -> Self {
        self.wait = wait;
        self
    }

    /// How often [`Client::pay`] re-sends a creation that GP tom explicitly refused with 429 or
    /// 503 + `Retry-After` (nothing was created then). Default 3; 0 disables.
    #[must_use]
    pub fn creation_retries(mut self, retries: u32) -> Self {
        self.creation_retries = retries;
        self
    }

    /// Builds the client; nothing is sent yet (the login is lazy).
    pub fn build(self) -> Result<Client> {
        let missing = |what: &str| Error::Config(format!("{what} is required"));
        let mut base = url::Url::parse(&self.base_url)
            .map_err(|error| Error::Config(format!("base URL: {error}")))?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(|error| Error::Config(format!("HTTP client: {error}")))?,
        };
        let tid = self
            .tid
            .ok_or_else(|| missing("a terminal (terminal or master_account)"))?;
        let credentials = Credentials {
            client_id: self
                .client_id
                .ok_or_else(|| missing("client_credentials"))?,
            client_secret: self
                .client_secret
                .ok_or_else(|| missing("client_credentials"))?,
            username: self.username.ok_or_else(|| missing("user"))?,
            password: self.password.ok_or_else(|| missing("user"))?,
            tid: (!self.master).then(|| tid.clone()),
        };
        Ok(Client {
            shared: Arc::new(Shared {
                base,
                http,
                auth: Auth::new(credentials),
                body_tid: self.master.then_some(tid),
                currency: self.currency,
                wait: self.wait,
                creation_retries: self.creation_retries,
                seen: Mutex::new(HashMap::new()),
            }),
        })
    }
}

/// A GP tom Cloud API client for one terminal. Cheap to clone; share it.
///
/// See the crate documentation for a complete payment.
#[derive(Clone, Debug)]
pub struct Client {
    shared: Arc<Shared>,
}

/// What every clone of a [`Client`] shares: where and how it talks to GP tom, its token, and the
/// tasks it created.
#[derive(Debug)]
struct Shared {
    base: url::Url,
    http: reqwest::Client,
    auth: Auth,
    /// Master accounts name the terminal in each body.
    body_tid: Option<String>,
    currency: String,
    wait: WaitOptions,
    creation_retries: u32,
    /// Tasks this client created, by reference: what [`Client::reconcile`] can find.
    seen: Mutex<HashMap<String, String>>,
}

impl Client {
    /// Starts a builder for the API at `base_url` (e.g. `http://127.0.0.1:8080` for the mock).
    #[must_use]
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            client_id: None,
            client_secret: None,
            username: None,
            password: None,
            tid: None,
            master: false,
            currency: "CZK".into(),
            timeout: Duration::from_secs(30),
            user_agent: concat!("gptom-client/", env!("CARGO_PKG_VERSION")).into(),
            http: None,
            wait: WaitOptions::default(),
            creation_retries: 3,
        }
    }

    /// Creates a SALE task. Not retried on a transport error: that is [`Error::OutcomeUnknown`].
    pub async fn create_sale(&self, sale: &SaleRequest) -> Result<Task> {
        sale.validate()?;
        let body = sale.body(self.shared.body_tid.as_deref());
        let task: Task = self
            .create_task("TRANSACTION", &body, sale.reference_text())
            .await?;
        if let Some(reference) = sale.reference_text()
            && let Ok(mut seen) = self.shared.seen.lock()
        {
            seen.insert(reference.to_owned(), task.task_id.clone());
        }
        Ok(task)
    }

    /// Creates a CANCEL (storno) task.
    pub async fn create_cancel(&self, cancel: &CancelRequest) -> Result<Task> {
        cancel.validate()?;
        let body = cancel.body(self.shared.body_tid.as_deref());
        self.create_task("TRANSACTION", &body, None).await
    }

    /// Creates a batch-close task.
    pub async fn close_batch(&self) -> Result<Task> {
        let body = match &self.shared.body_tid {
            Some(tid) => serde_json::json!({ "tid": tid }),
            None => serde_json::json!({}),
        };
        self.create_task("BATCH", &body, None).await
    }

    async fn create_task(
        &self,
        kind: &str,
        body: &serde_json::Value,
        reference: Option<&str>,
    ) -> Result<Task> {
        let path = format!("v1/tasks/{kind}");
        match self
            .send(Method::POST, &path, Some(body), "create_task")
            .await
        {
            Err(error @ (Error::Transport { .. } | Error::Decode { .. })) => {
                Err(Error::OutcomeUnknown {
                    operation: "create_task",
                    reference: reference.map(str::to_owned),
                    source: Box::new(error),
                })
            }
            other => other,
        }
    }

    /// Reads a task.
    pub async fn get_task(&self, task_id: &str) -> Result<Task> {
        self.send(
            Method::GET,
            &format!("v1/tasks/{}", encode(task_id)),
            None,
            "get_task",
        )
        .await
    }

    /// Reads a transaction.
    pub async fn get_transaction(&self, transaction_id: &str) -> Result<Transaction> {
        self.send(
            Method::GET,
            &format!("v1/transactions/{}", encode(transaction_id)),
            None,
            "get_transaction",
        )
        .await
    }

    /// Reads a closed batch.
    pub async fn get_batch(&self, batch_number: u32) -> Result<Batch> {
        let path = match &self.shared.body_tid {
            Some(tid) => format!("v1/batches/{batch_number}?tid={}", encode(tid)),
            None => format!("v1/batches/{batch_number}"),
        };
        self.send(Method::GET, &path, None, "get_batch").await
    }

    /// Polls until the task is final, growing the interval by half each time up to
    /// `max_interval`, honouring `Retry-After`, retrying transport errors (a GET is safe to
    /// repeat), until `deadline`. Cancellation-safe: dropping the future leaves nothing half done.
    pub async fn wait_for_task(&self, task_id: &str, options: WaitOptions) -> Result<Task> {
        let started = Instant::now();
        let mut interval = options.initial_interval;
        let mut last_state = String::from("unknown");
        loop {
            let pause = match self.get_task(task_id).await {
                Ok(task) if task.state.is_final() => return Ok(task),
                Ok(task) => {
                    last_state = task.state.as_str().to_owned();
                    interval
                }
                Err(Error::Http {
                    status: 429 | 502 | 503 | 504,
                    retry_after,
                    ..
                }) => retry_after.unwrap_or(interval),
                Err(Error::Transport { .. } | Error::Decode { .. }) => interval,
                Err(error) => return Err(error),
            };
            if started.elapsed() + pause > options.deadline {
                return Err(Error::Timeout {
                    task_id: task_id.to_owned(),
                    last_state,
                    waited: started.elapsed(),
                });
            }
            tokio::time::sleep(pause).await;
            interval = (interval * 3 / 2).min(options.max_interval);
        }
    }

    /// Create → wait → read: one payment, with its typed outcome.
    ///
    /// A creation GP tom explicitly refuses (429, or 503 with `Retry-After`) is re-sent up to
    /// `creation_retries` times; a lost answer is never re-sent (see [`Error::OutcomeUnknown`]).
    pub async fn pay(&self, sale: SaleRequest) -> Result<PaymentOutcome> {
        let task = self.create_with_retries(|| self.create_sale(&sale)).await?;
        let task = self.wait_for_task(&task.task_id, self.shared.wait).await?;
        self.payment_outcome(task).await
    }

    /// A card sale of `amount` minor units in the client's currency.
    pub async fn pay_amount(&self, amount: i64) -> Result<PaymentOutcome> {
        self.pay(SaleRequest::new(amount, self.shared.currency.clone()))
            .await
    }

    /// Cancels the terminal's last transaction.
    pub async fn cancel_last(&self) -> Result<CancelOutcome> {
        self.cancel_with(CancelRequest::last(self.shared.currency.clone()))
            .await
    }

    /// Cancels an older transaction by its amsID.
    pub async fn cancel(&self, ams_id: &str) -> Result<CancelOutcome> {
        self.cancel_with(CancelRequest::older(ams_id, self.shared.currency.clone()))
            .await
    }

    async fn cancel_with(&self, cancel: CancelRequest) -> Result<CancelOutcome> {
        let task = self
            .create_with_retries(|| self.create_cancel(&cancel))
            .await?;
        let task = self.wait_for_task(&task.task_id, self.shared.wait).await?;
        Ok(match self.payment_outcome(task).await? {
            PaymentOutcome::Approved(transaction) => CancelOutcome::Cancelled(transaction),
            PaymentOutcome::Failed {
                task,
                code,
                message,
            } => CancelOutcome::Refused {
                task,
                code,
                message,
            },
            other => CancelOutcome::Other(Box::new(other)),
        })
    }

    /// Closes the batch and reads it.
    pub async fn close_batch_and_read(&self) -> Result<BatchOutcome> {
        let task = self.create_with_retries(|| self.close_batch()).await?;
        let task = self.wait_for_task(&task.task_id, self.shared.wait).await?;
        match (&task.state, task.batch_number) {
            (TaskState::Completed, Some(number)) => {
                Ok(BatchOutcome::Closed(self.get_batch(number).await?))
            }
            _ => Ok(BatchOutcome::Failed {
                code: task.error.as_ref().map(|error| error.code),
                message: task.error.as_ref().and_then(|error| error.message.clone()),
                task,
            }),
        }
    }

    /// The task this client created with `reference`, if it ever heard of it. After
    /// [`Error::OutcomeUnknown`] the answer was lost, so this finds nothing: look at the terminal
    /// (or, against the mock, `GET /__mock/state`) before paying again.
    #[must_use]
    pub fn reconcile(&self, reference: &str) -> Option<String> {
        self.shared
            .seen
            .lock()
            .ok()
            .and_then(|seen| seen.get(reference).cloned())
    }

    async fn create_with_retries<F, Fut>(&self, create: F) -> Result<Task>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Task>>,
    {
        let mut attempt = 0;
        loop {
            match create().await {
                Err(Error::Http {
                    status,
                    retry_after,
                    ..
                }) if attempt < self.shared.creation_retries
                    && (status == 429 || (status == 503 && retry_after.is_some())) =>
                {
                    attempt += 1;
                    let pause = retry_after
                        .unwrap_or(Duration::from_secs(1))
                        .min(Duration::from_secs(30));
                    tracing::info!(
                        status,
                        ?pause,
                        attempt,
                        "GP tom refused the creation; retrying"
                    );
                    tokio::time::sleep(pause).await;
                }
                other => return other,
            }
        }
    }

    async fn payment_outcome(&self, task: Task) -> Result<PaymentOutcome> {
        let transaction = match &task.transaction_id {
            Some(id) => Some(self.get_transaction(id).await?),
            None => None,
        };
        Ok(PaymentOutcome::from_parts(task, transaction))
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
        operation: &'static str,
    ) -> Result<T> {
        let url = self
            .shared
            .base
            .join(path)
            .map_err(|error| Error::Config(format!("URL: {error}")))?;
        let mut token = self
            .shared
            .auth
            .access_token(&self.shared.http, &self.shared.base)
            .await?;
        let mut renewed = false;
        loop {
            let mut request = self
                .shared
                .http
                .request(method.clone(), url.clone())
                .bearer_auth(&token);
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request
                .send()
                .await
                .map_err(|source| Error::Transport { operation, source })?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| value.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let bytes = response
                .bytes()
                .await
                .map_err(|source| Error::Transport { operation, source })?;
            if status == StatusCode::UNAUTHORIZED && !renewed {
                // A 401 is answered before anything is processed: refreshing and re-sending is safe.
                renewed = true;
                token = self
                    .shared
                    .auth
                    .renew(&self.shared.http, &self.shared.base, &token)
                    .await?;
                continue;
            }
            if !status.is_success() {
                let parsed: Option<Box<ApiErrorBody>> = serde_json::from_slice(&bytes).ok();
                return Err(Error::Http {
                    operation,
                    status: status.as_u16(),
                    body: parsed,
                    retry_after,
                });
            }
            return serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
                operation,
                snippet: crate::error::snippet(&bytes),
                source,
            });
        }
    }
}

fn encode(segment: &str) -> String {
    form_urlencoded::byte_serialize(segment.as_bytes()).collect()
}
