//! The simulated GP tom app answering `gptom://` deep links (spec §2): validation as GP tom does
//! it, and the operations, run on the same store as the Cloud API.
//!
//! A deep link is handled synchronously, as the app does: the payment is decided by the active
//! scenario and recorded at once (the app's device takes it ahead of queued cloud tasks).

use serde::Serialize;
use serde_json::{Value, json};

use super::ids::parse_digits;
use super::refusal::Refusal;
use super::request::{PaymentMethod, ReceiptType, TransactionRequest, TransactionType};
use super::store::{AppSession, Store};
use super::storno::{STORNO_WINDOW_DAYS, StornoRefusal};
use super::task::{TaskKind, TaskState};
use crate::clock::Millis;
use crate::scenario::{Outcome, PaymentResult, Phase, RequestFacts};

/// Why a deep link is not a deep link at all (answered 400, not with a redirect).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotADeepLink(pub String);

/// The operations GP tom's app knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// `transaction/create`.
    Create,
    /// `transaction/refund`.
    Refund,
    /// `transaction/cancel`.
    Cancel,
    /// `transaction/detail`.
    Detail,
    /// `batch/close`.
    BatchClose,
    /// `batch/detail`.
    BatchDetail,
    /// `status`.
    Status,
    /// `login`.
    Login,
    /// `logout`.
    Logout,
}

/// A parsed deep link.
#[derive(Clone, Debug)]
pub struct DeepLink {
    /// `transaction/create`, … as written.
    pub operation_path: String,
    /// The operation, when GP tom knows it.
    pub operation: Option<Operation>,
    /// Query parameters, decoded.
    pub params: Vec<(String, String)>,
    /// Where to send the result.
    pub redirect_url: Option<url::Url>,
}

impl DeepLink {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// Parses `gptom://operation?query`.
pub fn parse_deep_link(text: &str) -> Result<DeepLink, NotADeepLink> {
    let url = url::Url::parse(text.trim())
        .map_err(|error| NotADeepLink(format!("`url` is not a URL: {error}")))?;
    if url.scheme() != "gptom" {
        return Err(NotADeepLink(format!(
            "`url` must use the gptom:// scheme, found {}://",
            url.scheme()
        )));
    }
    let operation_path = format!("{}{}", url.host_str().unwrap_or(""), url.path())
        .trim_end_matches('/')
        .to_owned();
    let operation = match operation_path.as_str() {
        "transaction/create" => Some(Operation::Create),
        "transaction/refund" => Some(Operation::Refund),
        "transaction/cancel" => Some(Operation::Cancel),
        "transaction/detail" => Some(Operation::Detail),
        "batch/close" => Some(Operation::BatchClose),
        "batch/detail" => Some(Operation::BatchDetail),
        "status" => Some(Operation::Status),
        "login" => Some(Operation::Login),
        "logout" => Some(Operation::Logout),
        _ => None,
    };
    let params: Vec<(String, String)> = url
        .query_pairs()
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    let redirect_url = match params.iter().find(|(key, _)| key == "redirectUrl") {
        None => None,
        Some((_, value)) => Some(
            url::Url::parse(value)
                .map_err(|error| NotADeepLink(format!("`redirectUrl` is not a URL: {error}")))?,
        ),
    };
    Ok(DeepLink {
        operation_path,
        operation,
        params,
        redirect_url,
    })
}

/// What the app answers; becomes the query of the redirect.
#[derive(Clone, Debug, Default, Serialize, PartialEq, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AppAnswer {
    /// `COMPLETED`, `CANCELLED` or `ERROR`.
    #[schema(value_type = crate::openapi::AppStatus)]
    pub status: &'static str,
    /// The refusal word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The error word.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Receipt JSON (amounts as decimal strings).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub receipt: Option<Value>,
    /// Batch JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub batch: Option<Value>,
    /// App status JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub app_status: Option<Value>,
    /// Which parameter broke which rule (not part of GP tom's redirect; in the JSON body only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<super::request::FieldError>,
    /// The terminal concerned.
    #[serde(skip)]
    #[schema(ignore)]
    pub terminal: Option<String>,
}

impl AppAnswer {
    fn error(word: &str, problems: Vec<super::request::FieldError>) -> Self {
        AppAnswer {
            status: "ERROR",
            error: Some(word.to_owned()),
            problems,
            ..AppAnswer::default()
        }
    }

    /// The query pairs appended to the redirect URL, in a stable order.
    #[must_use]
    pub fn query_pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![("status", self.status.to_owned())];
        if let Some(code) = &self.code {
            pairs.push(("code", code.clone()));
        }
        if let Some(error) = &self.error {
            pairs.push(("error", error.clone()));
        }
        if let Some(receipt) = &self.receipt {
            pairs.push(("receipt", receipt.to_string()));
        }
        if let Some(batch) = &self.batch {
            pairs.push(("batch", batch.to_string()));
        }
        if let Some(app_status) = &self.app_status {
            pairs.push(("appStatus", app_status.to_string()));
        }
        pairs
    }
}

/// Minor units as GP tom's app writes them: `435` → `"4.35"`.
#[must_use]
pub fn decimal(minor: i64) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    let minor = minor.unsigned_abs();
    format!("{sign}{}.{:02}", minor / 100, minor % 100)
}

fn bad(field: &str, message: &str) -> super::request::FieldError {
    super::request::FieldError::new(field, message)
}

impl Store {
    /// The session the app starts with: terminal 999888 of the fixtures (or the first terminal).
    pub(super) fn default_app_session(&self) -> Option<AppSession> {
        let index = self
            .terminal_index
            .get("999888")
            .copied()
            .or_else(|| (!self.terminals.is_empty()).then_some(0))?;
        let merchant = &self.terminals[usize::from(index)].merchant_id;
        let username = self
            .fixtures
            .users
            .iter()
            .find(|user| &user.merchant_id == merchant && !user.master)
            .map(|user| user.username.clone())
            .unwrap_or_default();
        Some(AppSession {
            terminal: index,
            username,
        })
    }

    /// Handles one deep link at `now`.
    pub fn handle_deep_link(&mut self, link: &DeepLink, now: Millis) -> AppAnswer {
        let Some(operation) = link.operation else {
            return AppAnswer::error(
                "unsupportedTransactionOperationOrType",
                vec![bad(
                    "operation",
                    &format!("`{}` is not a GP tom operation", link.operation_path),
                )],
            );
        };
        let mut answer = match operation {
            Operation::Login => self.app_login(link),
            Operation::Logout => {
                self.app_session = None;
                AppAnswer {
                    status: "COMPLETED",
                    ..AppAnswer::default()
                }
            }
            Operation::Status => self.app_status_answer(),
            _ => match self.app_session.clone() {
                None => AppAnswer::error("userNotLoggedIn", Vec::new()),
                Some(session) => {
                    self.settle_terminal(session.terminal, now);
                    match operation {
                        Operation::Create => {
                            self.app_payment(link, session.terminal, TransactionType::Sale, now)
                        }
                        Operation::Refund => {
                            self.app_payment(link, session.terminal, TransactionType::Refund, now)
                        }
                        Operation::Cancel => self.app_cancel(link, session.terminal, now),
                        Operation::Detail => self.app_detail(link, session.terminal),
                        Operation::BatchClose => self.app_batch_close(session.terminal, now),
                        Operation::BatchDetail => self.app_batch_detail(session.terminal),
                        Operation::Login | Operation::Logout | Operation::Status => {
                            AppAnswer::default()
                        }
                    }
                }
            },
        };
        if answer.terminal.is_none() {
            answer.terminal = self.app_session.as_ref().map(|session| {
                self.terminals[usize::from(session.terminal)]
                    .tid
                    .to_string()
            });
        }
        answer
    }

    fn app_login(&mut self, link: &DeepLink) -> AppAnswer {
        let (Some(username), Some(password), Some(tid)) = (
            link.param("username"),
            link.param("password"),
            link.param("tid"),
        ) else {
            let missing: Vec<_> = ["username", "password", "tid"]
                .into_iter()
                .filter(|name| link.param(name).is_none())
                .map(|name| bad(name, "is mandatory"))
                .collect();
            return AppAnswer::error("invalidParameter", missing);
        };
        let user = self
            .fixtures
            .users
            .iter()
            .find(|user| user.username == username && user.password == password);
        let terminal = self.terminal_index.get(tid).copied();
        match (user, terminal) {
            (Some(user), Some(index))
                if self.terminals[usize::from(index)].merchant_id == user.merchant_id
                    || user.master =>
            {
                self.app_session = Some(AppSession {
                    terminal: index,
                    username: user.username.clone(),
                });
                AppAnswer {
                    status: "COMPLETED",
                    terminal: Some(tid.to_owned()),
                    ..AppAnswer::default()
                }
            }
            _ => AppAnswer::error(
                "invalidCredentials",
                vec![bad("username", "bad credentials or terminal")],
            ),
        }
    }

    fn app_status_answer(&self) -> AppAnswer {
        let status = match &self.app_session {
            Some(session) => {
                let terminal = &self.terminals[usize::from(session.terminal)];
                json!({
                    "loggedIn": true,
                    "username": session.username,
                    "tid": terminal.tid,
                    "merchantID": terminal.merchant_id,
                    "currency": terminal.currency,
                    "batchNumber": terminal.batch_number,
                    "appVersion": concat!("gptom-mock ", env!("CARGO_PKG_VERSION")),
                })
            }
            None => json!({ "loggedIn": false }),
        };
        AppAnswer {
            status: "COMPLETED",
            app_status: Some(status),
            ..AppAnswer::default()
        }
    }

    fn app_payment(
        &mut self,
        link: &DeepLink,
        terminal: u16,
        kind: TransactionType,
        now: Millis,
    ) -> AppAnswer {
        let mut problems = Vec::new();
        let amount = match link.param("amount") {
            Some(text) => match text.parse::<i64>() {
                Ok(amount) if amount > 0 && amount <= super::request::MAX_AMOUNT => Some(amount),
                _ => None,
            },
            None => None,
        };
        let Some(amount) = amount else {
            return AppAnswer::error(
                "invalidAmount",
                vec![bad(
                    "amount",
                    "is mandatory and must be a whole number of minor units (1000 = 10.00), greater than 0",
                )],
            );
        };
        let mut flag = |name: &str, default: bool| match link.param(name) {
            None => default,
            Some("true") => true,
            Some("false") => false,
            Some(_) => {
                problems.push(bad(name, "must be true or false"));
                default
            }
        };
        let print = flag("printByPaymentApp", true);
        let tip_collect = flag("tipCollect", false);
        let tip_amount = match link.param("tipAmount") {
            None => 0,
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|tip| *tip >= 0)
                .unwrap_or_else(|| {
                    problems.push(bad(
                        "tipAmount",
                        "must be a whole number of minor units, 0 or more",
                    ));
                    0
                }),
        };
        let reference = link.param("originReferenceNum");
        if reference
            .is_some_and(|reference| reference.chars().count() > super::request::MAX_REFERENCE_LEN)
        {
            problems.push(bad("originReferenceNum", "must be at most 20 characters"));
        }
        let receipt_type = link.param("preferableReceiptType").and_then(|text| {
            let parsed = ReceiptType::parse(text);
            if parsed.is_none() {
                problems.push(bad(
                    "preferableReceiptType",
                    "must be one of SMS/PHONE, EMAIL, QR, PRINT (any case)",
                ));
            }
            parsed
        });
        let method = match link.param("transactionType") {
            None | Some("CARD") => PaymentMethod::Card,
            Some("CASH") => PaymentMethod::Cash,
            Some(_) => {
                return AppAnswer::error(
                    "unsupportedTransactionOperationOrType",
                    vec![bad("transactionType", "must be CARD or CASH")],
                );
            }
        };
        let client_id = link.param("clientID");
        if client_id.is_some_and(|id| id.is_empty() || id.chars().count() > 50) {
            return AppAnswer::error(
                "invalidClientId",
                vec![bad("clientID", "must be 1 to 50 characters")],
            );
        }
        if !problems.is_empty() {
            return AppAnswer::error("invalidParameter", problems);
        }
        let currency = self.terminals[usize::from(terminal)].currency.clone();
        let request = TransactionRequest {
            transaction_type: kind,
            amount: Some(amount),
            tip_amount,
            tip_collect,
            currency_code: currency,
            payment_method: method,
            origin_reference_num: reference.map(Box::from),
            print_by_payment_app: print,
            preferable_receipt_type: receipt_type,
            client_id: client_id.map(Box::from),
            client_email: link.param("clientEmail").map(Box::from),
            client_phone: link.param("clientPhone").map(Box::from),
            tid: None,
            cancel_mode: None,
            origin_transaction_id: None,
            request_id: link.param("requestID").map(Box::from),
        };
        self.app_run(request, terminal, now)
    }

    /// Records a deep-link transaction at once, decided by the active scenario.
    fn app_run(&mut self, request: TransactionRequest, terminal: u16, now: Millis) -> AppAnswer {
        let ordinal = self.terminals[usize::from(terminal)].transaction_tasks + 1;
        let scenario =
            std::sync::Arc::clone(self.scenario_for(&self.terminals[usize::from(terminal)].tid));
        let mut plan = {
            let terminal_state = &self.terminals[usize::from(terminal)];
            scenario.plan_transaction(
                &request,
                RequestFacts {
                    tid: &terminal_state.tid,
                    currency: &terminal_state.currency,
                    ordinal,
                },
            )
        };
        plan.new = Phase::Millis(0);
        plan.in_progress = Some(Phase::Millis(0));
        self.terminals[usize::from(terminal)].transaction_tasks = ordinal;
        let task = self.push_task_detached(
            TaskKind::Transaction(Box::new(request)),
            terminal,
            plan,
            ordinal,
            now,
        );
        self.finish_task(task, now);
        self.answer_for_task(task)
    }

    fn answer_for_task(&self, task: u32) -> AppAnswer {
        let task_state = &self.tasks[task as usize];
        let tid = self.terminals[usize::from(task_state.terminal)].tid.clone();
        let receipt = task_state.transaction.map(|index| self.receipt(index));
        let code = task_state.transaction.map(|index| {
            self.transactions[index as usize]
                .refusal
                .as_str()
                .to_owned()
        });
        let (status, error) = match task_state.state {
            TaskState::Completed => ("COMPLETED", None),
            TaskState::Canceled => ("CANCELLED", None),
            _ => {
                let word = match task_state.error.as_ref().map(|error| error.code) {
                    Some(44 | 45 | 47) => "cannotBeVoided",
                    _ => "failed",
                };
                ("ERROR", Some(word.to_owned()))
            }
        };
        AppAnswer {
            status,
            code,
            error,
            receipt,
            terminal: Some(tid.to_string()),
            ..AppAnswer::default()
        }
    }

    /// The receipt JSON of a transaction as the app sends it: amounts as decimal strings,
    /// `result` 0 approved / -1 declined.
    fn receipt(&self, index: u32) -> Value {
        let body = self.transaction_body(index);
        let transaction = &self.transactions[index as usize];
        let mut value = serde_json::to_value(&body).unwrap_or(Value::Null);
        if let Value::Object(map) = &mut value {
            map.insert("amount".into(), decimal(body.amount).into());
            map.insert("tipAmount".into(), decimal(body.tip_amount).into());
            map.insert("totalAmount".into(), decimal(body.total_amount).into());
            let result = if transaction.result == PaymentResult::Accepted {
                0
            } else {
                -1
            };
            map.insert("result".into(), result.into());
            map.insert("resultText".into(), body.result.into());
            if let Some(request_id) = self.request_id_of(index) {
                map.insert("requestID".into(), request_id.into());
            }
        }
        value
    }

    fn request_id_of(&self, transaction: u32) -> Option<String> {
        let task = self.transactions[transaction as usize].task?;
        match &self.tasks[task as usize].kind {
            TaskKind::Transaction(request) => request.request_id.as_deref().map(str::to_owned),
            TaskKind::Batch => None,
        }
    }

    fn app_cancel(&mut self, link: &DeepLink, terminal: u16, now: Millis) -> AppAnswer {
        let Some(ams_id) = link.param("amsID").filter(|ams_id| !ams_id.is_empty()) else {
            return AppAnswer::error("invalidParameter", vec![bad("amsID", "is mandatory")]);
        };
        let target = parse_digits(ams_id)
            .and_then(|ams_id| self.ams_index.get(&ams_id))
            .copied();
        let refusal = match target.map(|index| &self.transactions[index as usize]) {
            None => Some(StornoRefusal::NotAllowed("no such payment")),
            Some(original) if original.terminal != terminal => {
                Some(StornoRefusal::NotAllowed("another terminal"))
            }
            Some(original) if original.cancelled_by.is_some() => {
                Some(StornoRefusal::AlreadyCancelled)
            }
            Some(original)
                if original.kind != TransactionType::Sale
                    || original.result != PaymentResult::Accepted =>
            {
                Some(StornoRefusal::NotAllowed("not an accepted sale"))
            }
            Some(original) if now.0 - original.date.0 > STORNO_WINDOW_DAYS * Millis::DAY => {
                Some(StornoRefusal::PeriodExpired)
            }
            Some(_) => None,
        };
        if let Some(refusal) = refusal {
            return AppAnswer::error("cannotBeVoided", vec![bad("amsID", &refusal.message())]);
        }
        let Some(original) = target else {
            return AppAnswer::error("cannotBeVoided", Vec::new());
        };
        let original_state = self.transactions[original as usize].clone();
        let request = TransactionRequest {
            transaction_type: TransactionType::Cancel,
            amount: Some(original_state.amount),
            tip_amount: original_state.tip,
            tip_collect: false,
            currency_code: self.terminals[usize::from(terminal)].currency.clone(),
            payment_method: original_state.payment_method,
            origin_reference_num: None,
            print_by_payment_app: link.param("printByPaymentApp") != Some("false"),
            preferable_receipt_type: link
                .param("preferableReceiptType")
                .and_then(ReceiptType::parse),
            client_id: link.param("clientID").map(Box::from),
            client_email: link.param("clientEmail").map(Box::from),
            client_phone: link.param("clientPhone").map(Box::from),
            tid: None,
            cancel_mode: Some(super::request::CancelMode::OlderTransaction),
            origin_transaction_id: Some(Box::from(ams_id)),
            request_id: None,
        };
        // The app cancels by amsID whether or not the payment is the terminal's last.
        let plan = super::task::Plan {
            new: Phase::Millis(0),
            in_progress: Some(Phase::Millis(0)),
            outcome: Outcome::approved(),
            card: super::card::CardChoice::default(),
            rule: Some("app-to-app cancel".into()),
        };
        let task = self.push_task_detached(
            TaskKind::Transaction(Box::new(request.clone())),
            terminal,
            plan,
            0,
            now,
        );
        let transaction = self.record_transaction(
            task,
            &request,
            PaymentResult::Accepted,
            Refusal::Approved,
            Some(original),
            now,
        );
        self.transactions[original as usize].cancelled_by = Some(transaction);
        let task_state = &mut self.tasks[task as usize];
        task_state.state = TaskState::Completed;
        task_state.updated = now;
        self.answer_for_task(task)
    }

    fn app_detail(&self, link: &DeepLink, terminal: u16) -> AppAnswer {
        let found = if let Some(ams_id) = link.param("amsID") {
            parse_digits(ams_id)
                .and_then(|ams_id| self.ams_index.get(&ams_id))
                .copied()
        } else if let Some(request_id) = link.param("requestID") {
            (0..self.transactions.len())
                .rev()
                .filter_map(|index| u32::try_from(index).ok())
                .find(|index| self.request_id_of(*index).as_deref() == Some(request_id))
        } else {
            return AppAnswer::error(
                "invalidParameter",
                vec![bad("amsID", "amsID or requestID is mandatory")],
            );
        };
        match found.filter(|index| self.transactions[*index as usize].terminal == terminal) {
            Some(index) => AppAnswer {
                status: "COMPLETED",
                code: Some(
                    self.transactions[index as usize]
                        .refusal
                        .as_str()
                        .to_owned(),
                ),
                receipt: Some(self.receipt(index)),
                ..AppAnswer::default()
            },
            None => AppAnswer::error(
                "transactionNotFound",
                vec![bad("amsID", "no such transaction on this terminal")],
            ),
        }
    }

    fn app_batch_close(&mut self, terminal: u16, now: Millis) -> AppAnswer {
        let scenario =
            std::sync::Arc::clone(self.scenario_for(&self.terminals[usize::from(terminal)].tid));
        if let Some((_, message)) = &scenario.batch.error {
            return AppAnswer::error("failed", vec![bad("batch", message)]);
        }
        let number = self.close_batch(terminal, now);
        let batch = self
            .batch_index
            .get(&(terminal, number))
            .map(|index| {
                let batch = &self.batches[*index as usize];
                let terminal_state = &self.terminals[usize::from(terminal)];
                serde_json::to_value(batch.body(&terminal_state.tid, &terminal_state.currency))
                    .unwrap_or(Value::Null)
            })
            .unwrap_or(Value::Null);
        AppAnswer {
            status: "COMPLETED",
            batch: Some(batch),
            ..AppAnswer::default()
        }
    }

    fn app_batch_detail(&self, terminal: u16) -> AppAnswer {
        let terminal_state = &self.terminals[usize::from(terminal)];
        AppAnswer {
            status: "COMPLETED",
            batch: Some(json!({
                "batchNumber": terminal_state.batch_number,
                "tid": terminal_state.tid,
                "currency": terminal_state.currency,
                "opened": terminal_state.batch_opened.to_iso(),
                "totals": terminal_state.batch_totals.all,
            })),
            ..AppAnswer::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_written_as_the_app_writes_them() {
        assert_eq!(decimal(435), "4.35");
        assert_eq!(decimal(5), "0.05");
        assert_eq!(decimal(100_000), "1000.00");
        assert_eq!(decimal(-250), "-2.50");
    }

    #[test]
    fn only_gptom_urls_are_deep_links() {
        assert!(parse_deep_link("https://example.com/transaction/create").is_err());
        assert!(parse_deep_link("not a url").is_err());
        assert!(parse_deep_link("gptom://transaction/create?redirectUrl=%20nope").is_err());
        let link = parse_deep_link("gptom://transaction/create?amount=100")
            .unwrap_or_else(|error| panic!("{error:?}"));
        assert_eq!(link.operation, Some(Operation::Create));
        assert_eq!(
            parse_deep_link("gptom://teleport")
                .map(|link| link.operation)
                .ok(),
            Some(None)
        );
    }
}
