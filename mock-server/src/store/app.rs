//! The simulated GP tom app answering `gptom://` deep links (spec §2): the operations, run on the
//! same store as the Cloud API, answered in the SDK's shapes (`app_answer`).
//!
//! A deep link is handled synchronously, as the app does: the payment is decided by the active
//! scenario and recorded at once (the app's device takes it ahead of queued cloud tasks).
//!
//! Invariant: the app accepts what GP tom's app accepts. It refuses only where GP tom has an
//! error word for it (`invalidAmount`, `invalidClientId`, `cannotBeVoided`, …); whatever the app
//! would ignore or guess is accepted and becomes a notice that `verify` reports.
//!
//! Why this file is long: one operation per deep link of GP tom's app (create, cancel, batch close
//! and detail, status, login, logout, change password), each reading its own parameters from the
//! parsed link. It splits by operation once the link is read into typed inputs by the wire layer.

use super::{AppSession, Store};
use crate::clock::Millis;
use crate::domain::app_answer::{
    AppAnswer, AppError, AppStatusReport, BatchReport, Receipt, SubBatchReport, SubBatchesReport,
    TotalsReport, UserInfoReport, decimal, major_units,
};
use crate::domain::batch::{BatchTotals, Totals};
use crate::domain::card::{Card, CardBrand};
use crate::domain::deeplink::{DeepLink, LinkNotice, Operation};
use crate::domain::ids::parse_digits;
use crate::domain::refusal::Refusal;
use crate::domain::request::{
    CancelMode, FieldError, MAX_AMOUNT, MAX_APP_REFERENCE_LEN, MAX_REFERENCE_LEN, PaymentMethod,
    ReceiptType, TransactionRequest, TransactionType,
};
use crate::domain::storno::{StornoRequest, decide_storno};
use crate::domain::task::{TaskKind, TaskState};
use crate::scenario::{MastercardSpelling, Outcome, PaymentResult, Phase, RequestFacts};

fn problem(field: &str, message: &str) -> FieldError {
    FieldError::new(field, message)
}

/// The SDK's `CardType` word of a brand: Maestro is a Mastercard product (label `Maestro`).
fn sdk_card_type(brand: CardBrand, spelling: MastercardSpelling) -> &'static str {
    match (brand, spelling) {
        (CardBrand::Visa, _) => "VISA",
        (CardBrand::Amex, _) => "AMEX",
        (CardBrand::Mastercard | CardBrand::Maestro, MastercardSpelling::Mastercard) => {
            "MASTERCARD"
        }
        (CardBrand::Mastercard | CardBrand::Maestro, MastercardSpelling::Master) => "MASTER",
    }
}

/// `true`/`false` exactly, as Swift's `Bool(String)`; anything else is ignored (the default
/// applies) and noticed.
fn flag(link: &DeepLink, notices: &mut Vec<LinkNotice>, name: &str, default: bool) -> bool {
    match link.param(name) {
        None => default,
        Some("true") => true,
        Some("false") => false,
        Some(other) => {
            notices.push(LinkNotice::new(
                name,
                format!("`{other}` is not `true` or `false`; GP tom ignores it and uses {default}"),
            ));
            default
        }
    }
}

/// `preferableReceiptType`: the SDK's `SMS`/`EMAIL`/`QR`/`PRINT` and the docs' `PHONE` and
/// lower case; anything else is ignored and noticed.
fn receipt_type(link: &DeepLink, notices: &mut Vec<LinkNotice>) -> Option<ReceiptType> {
    let text = link.param("preferableReceiptType")?;
    let parsed = ReceiptType::parse(text);
    if parsed.is_none() {
        notices.push(LinkNotice::new(
            "preferableReceiptType",
            format!("`{text}` is not SMS, EMAIL, QR or PRINT; GP tom ignores it"),
        ));
    }
    parsed
}

/// The longest free text a deep link leaves in the store (reference, contact, request id): the
/// store keeps every payment for good, so a 60 KB parameter must not stay 60 KB.
const KEPT_TEXT: usize = MAX_REFERENCE_LEN;

/// A free-text parameter as the store keeps it: at most [`KEPT_TEXT`] characters; what is cut
/// is noticed.
fn kept_text<'a>(link: &'a DeepLink, notices: &mut Vec<LinkNotice>, name: &str) -> Option<&'a str> {
    let text = link.param(name)?;
    match text.char_indices().nth(KEPT_TEXT) {
        None => Some(text),
        Some((end, _)) => {
            notices.push(LinkNotice::new(
                name,
                format!(
                    "is {} characters; the mock keeps the first {KEPT_TEXT}",
                    text.chars().count()
                ),
            ));
            Some(&text[..end])
        }
    }
}

/// The caller's request id: `requestID` (spec) or `requestId` (GP tom's example app).
fn request_id<'a>(link: &'a DeepLink, notices: &mut Vec<LinkNotice>) -> Option<&'a str> {
    if link.param("requestID").is_some() {
        kept_text(link, notices, "requestID")
    } else {
        kept_text(link, notices, "requestId")
    }
}

/// `clientID`: empty is absent (GP tom's example app sends `clientID=`); over 50 characters is
/// GP tom's `invalidClientId`.
fn client_id(link: &DeepLink) -> Result<Option<&str>, FieldError> {
    match link.param("clientID").filter(|id| !id.is_empty()) {
        Some(id) if id.chars().count() > 50 => {
            Err(problem("clientID", "must be at most 50 characters"))
        }
        other => Ok(other),
    }
}

fn totals_report(totals: Totals) -> TotalsReport {
    TotalsReport {
        sale_amount: major_units(totals.sale_amount),
        sale_count: totals.sale_count,
        void_amount: major_units(totals.void_amount),
        void_count: totals.void_count,
        total_amount: major_units(totals.total_amount),
        total_count: totals.total_count,
    }
}

/// A batch in the SDK's `Batch` shape. `number` and `date` are `None` for the open batch.
fn batch_report(
    totals: &BatchTotals,
    ams_id: String,
    number: Option<u32>,
    date: Option<Millis>,
    previous_batch_date: Millis,
    currency: &str,
) -> BatchReport {
    let number_text = number.map_or_else(|| "OPEN".to_owned(), |number| number.to_string());
    let part = |method: PaymentMethod| {
        let totals = totals.of(method);
        let always = matches!(method, PaymentMethod::Card | PaymentMethod::Cash);
        (always || totals.total_count > 0).then(|| SubBatchReport {
            close_batch_number: number_text.clone(),
            totals: totals_report(totals),
        })
    };
    BatchReport {
        ams_id,
        batch_number: number.map(|number| number.to_string()),
        currency: currency.to_owned(),
        date: date.map(Millis::to_iso),
        previous_batch_date: previous_batch_date.to_iso(),
        invalid_count: 0,
        totals: totals_report(totals.all),
        // PAYMENT_GATEWAY has no key in the SDK's `SubBatches`: counted in the totals only.
        sub_batches: SubBatchesReport {
            card: part(PaymentMethod::Card),
            cash: part(PaymentMethod::Cash),
            account_payment: part(PaymentMethod::AccountPayment),
            blik: part(PaymentMethod::BlikPayment),
            go_crypto: part(PaymentMethod::GoCrypto),
        },
    }
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
        let mut notices = link.notices.clone();
        let Some(operation) = link.operation else {
            return AppAnswer::error(
                AppError::UnsupportedTransactionOperationOrType,
                vec![problem(
                    "operation",
                    &format!("`{}` is not a GP tom operation", link.operation_path),
                )],
            );
        };
        let mut answer = match operation {
            Operation::Login => self.app_login(link),
            Operation::Logout => {
                self.app_session = None;
                self.mark_meta();
                AppAnswer::completed()
            }
            Operation::Status => self.app_status_answer(),
            _ => match self.app_session.clone() {
                None => AppAnswer::error(
                    AppError::UserNotLoggedIn,
                    vec![problem(
                        "operation",
                        "nobody is logged in to GP tom: open gptom://login first",
                    )],
                ),
                Some(session) => {
                    self.settle_terminal(session.terminal, now);
                    let terminal = session.terminal;
                    match operation {
                        Operation::Create => self.app_payment(
                            link,
                            &mut notices,
                            terminal,
                            TransactionType::Sale,
                            now,
                        ),
                        Operation::Refund => self.app_payment(
                            link,
                            &mut notices,
                            terminal,
                            TransactionType::Refund,
                            now,
                        ),
                        Operation::Cancel => self.app_cancel(link, &mut notices, terminal, now),
                        Operation::Detail => self.app_detail(link, terminal),
                        Operation::BatchClose => self.app_batch_close(terminal, now),
                        Operation::BatchDetail => self.app_batch_detail(terminal),
                        // The app opens its password screen; the user changes it there.
                        Operation::ChangePassword => AppAnswer::completed(),
                        Operation::Login | Operation::Logout | Operation::Status => {
                            AppAnswer::completed()
                        }
                    }
                }
            },
        };
        answer.notices = notices;
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
        let (Some(username), Some(password)) = (link.param("username"), link.param("password"))
        else {
            let missing: Vec<_> = ["username", "password"]
                .into_iter()
                .filter(|name| link.param(name).is_none())
                .map(|name| problem(name, "is mandatory"))
                .collect();
            return AppAnswer::error(AppError::InvalidCredentials, missing);
        };
        let Some(user) = self
            .fixtures
            .users
            .iter()
            .find(|user| user.username == username)
        else {
            return AppAnswer::error(
                AppError::InvalidUserName,
                vec![problem("username", "no such GP tom user")],
            );
        };
        if user.password != password {
            return AppAnswer::error(
                AppError::InvalidCredentials,
                vec![problem("password", "wrong password for this user")],
            );
        }
        let own_terminal = |index: &u16| {
            let terminal = &self.terminals[usize::from(*index)];
            terminal.merchant_id == user.merchant_id
                || (user.master
                    && self
                        .fixtures
                        .merchants
                        .iter()
                        .find(|merchant| merchant.merchant_id == user.merchant_id)
                        .is_some_and(|merchant| merchant.company == terminal.company))
        };
        let terminal = match link.param("tid") {
            Some(tid) => self.terminal_index.get(tid).copied().filter(own_terminal),
            // Without a TID the app takes the user's first terminal.
            None => (0..u16::try_from(self.terminals.len()).unwrap_or(u16::MAX))
                .find(|index| own_terminal(index)),
        };
        let Some(index) = terminal else {
            return AppAnswer::error(
                AppError::TidNotAssignedToThisUser,
                vec![problem("tid", "is not a terminal of this user")],
            );
        };
        let username = user.username.clone();
        self.mark_meta();
        self.app_session = Some(AppSession {
            terminal: index,
            username,
        });
        AppAnswer {
            terminal: Some(self.terminals[usize::from(index)].tid.to_string()),
            ..AppAnswer::completed()
        }
    }

    /// `status`: the SDK's `AppStatus`, with `userInfo` only while someone is logged in.
    fn app_status_answer(&self) -> AppAnswer {
        let user_info = self.app_session.as_ref().map(|session| {
            let terminal = &self.terminals[usize::from(session.terminal)];
            let merchant = self
                .fixtures
                .merchants
                .iter()
                .find(|merchant| merchant.merchant_id == terminal.merchant_id);
            // The fixtures hold no IČO; a stable eight-digit number of the merchant stands in.
            let business_id = format!(
                "{:08}",
                parse_digits(&terminal.merchant_id).unwrap_or(0) % 100_000_000
            );
            UserInfoReport {
                client_id: terminal.merchant_id.clone(),
                email: session.username.clone(),
                vat_id: Some(format!("CZ{business_id}")),
                business_id,
                tid: terminal.tid.to_string(),
                mid: terminal.merchant_id.clone(),
                tip_enabled: true,
                printer_available: false,
                manual_transaction_restricted: false,
                merchant_location: merchant.map_or_else(
                    || terminal.name.clone(),
                    |merchant| format!("{}, {}", merchant.name, terminal.name),
                ),
            }
        });
        AppAnswer {
            app_status: Some(AppStatusReport {
                app_version: env!("CARGO_PKG_VERSION").to_owned(),
                user_info,
            }),
            ..AppAnswer::completed()
        }
    }

    fn app_payment(
        &mut self,
        link: &DeepLink,
        notices: &mut Vec<LinkNotice>,
        terminal: u16,
        kind: TransactionType,
        now: Millis,
    ) -> AppAnswer {
        // Swift's `Int64(String)`: optional sign, digits only.
        let amount = link
            .param("amount")
            .and_then(|text| text.parse::<i64>().ok())
            .filter(|amount| *amount > 0 && *amount <= MAX_AMOUNT);
        let Some(amount) = amount else {
            return AppAnswer::error(
                AppError::InvalidAmount,
                vec![problem(
                    "amount",
                    "is mandatory and must be a whole number of minor units (1000 = 10.00), greater than 0",
                )],
            );
        };
        let print = flag(link, notices, "printByPaymentApp", true);
        let tip_collect = flag(link, notices, "tipCollect", false);
        // The SDK reads an unreadable tip as 0.
        let tip_amount = match link.param("tipAmount") {
            None => 0,
            Some(text) => match text.parse::<i64>() {
                Ok(tip) if (0..=MAX_AMOUNT).contains(&tip) => tip,
                _ => {
                    notices.push(LinkNotice::new(
                        "tipAmount",
                        format!("`{text}` is not a whole number of minor units, 0 or more; GP tom reads it as 0"),
                    ));
                    0
                }
            },
        };
        if let Some(reference) = link
            .param("originReferenceNum")
            .filter(|reference| reference.chars().count() > MAX_APP_REFERENCE_LEN)
        {
            notices.push(LinkNotice::new(
                "originReferenceNum",
                format!(
                    "is {} characters; GP tom documents at most {MAX_APP_REFERENCE_LEN}",
                    reference.chars().count()
                ),
            ));
        }
        let reference = kept_text(link, notices, "originReferenceNum");
        let receipt_type = receipt_type(link, notices);
        let method = match link.param("transactionType") {
            None => PaymentMethod::Card,
            Some(text) => PaymentMethod::parse(text).unwrap_or_else(|| {
                notices.push(LinkNotice::new(
                    "transactionType",
                    format!("`{text}` is not one of CARD, CASH, ACCOUNT_PAYMENT, BLIK_PAYMENT, PAYMENT_GATEWAY, GO_CRYPTO; GP tom ignores it and takes a card payment"),
                ));
                PaymentMethod::Card
            }),
        };
        let client_id = match client_id(link) {
            Ok(client_id) => client_id,
            Err(problem) => return AppAnswer::error(AppError::InvalidClientId, vec![problem]),
        };
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
            client_email: kept_text(link, notices, "clientEmail").map(Box::from),
            client_phone: kept_text(link, notices, "clientPhone").map(Box::from),
            tid: None,
            cancel_mode: None,
            origin_transaction_id: None,
            request_id: request_id(link, notices).map(Box::from),
        };
        self.app_run(request, terminal, now)
    }

    /// Records a deep-link transaction at once, decided by the active scenario.
    fn app_run(&mut self, request: TransactionRequest, terminal: u16, now: Millis) -> AppAnswer {
        let ordinal = self.terminals[usize::from(terminal)]
            .transaction_tasks
            .saturating_add(1);
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
        self.mark_terminal(terminal);
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
        let wire = self.scenario_for(&tid).wire;
        let receipt = task_state.transaction.map(|index| self.receipt(index));
        let code = task_state
            .transaction
            .map(|index| self.transactions[index as usize].refusal);
        let (status, error) = match task_state.state {
            TaskState::Completed => ("COMPLETED", None),
            TaskState::Canceled => (wire.app_canceled_spelling.as_str(), None),
            _ => (
                "ERROR",
                Some(task_state.error.as_ref().map_or(AppError::Failed, |error| {
                    AppError::for_task_error(error.code)
                })),
            ),
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

    /// A transaction as the SDK's `TransactionData`, from the same stored facts as the Cloud
    /// API's transaction body.
    fn receipt(&self, index: u32) -> Receipt {
        let transaction = &self.transactions[index as usize];
        let terminal = &self.terminals[usize::from(transaction.terminal)];
        let spelling = self
            .scenario_for(&terminal.tid)
            .wire
            .app_mastercard_spelling;
        let card = transaction.card.as_ref();
        let range = card.and_then(|card| self.fixtures.cards.get(usize::from(card.range)));
        // A cancellation carries the reference of the payment it cancels.
        let reference = transaction.origin_reference.as_deref().or_else(|| {
            transaction.origin.and_then(|origin| {
                self.transactions[origin as usize]
                    .origin_reference
                    .as_deref()
            })
        });
        Receipt {
            batch_number: transaction.batch_number.to_string(),
            receipt_number: transaction.receipt_number.to_string(),
            terminal_id: terminal.tid.to_string(),
            emv_aid: range.map(|range| range.aid.clone()),
            emv_app_label: range.map(|range| range.label.clone()),
            card_number: card.map(Card::masked),
            transaction_type: transaction.payment_method.as_str(),
            currency_code: terminal.currency.clone(),
            amount: decimal(transaction.amount),
            total_amount: decimal(transaction.total()),
            tip_amount: decimal(transaction.tip),
            pin_ok: card.map(|card| card.pin_ok),
            authorization_code: transaction
                .authorization_code
                .map(|code| String::from_utf8_lossy(&code).into_owned()),
            sequence_number: format!("{:09}", transaction.sequence_number),
            date: transaction.date.to_iso(),
            card_type: range.map(|range| sdk_card_type(range.brand, spelling)),
            reference_number: reference.map(str::to_owned),
            transaction_id: (transaction.result != PaymentResult::Cancelled)
                .then(|| crate::domain::ids::format_uuid(transaction.id)),
            result: if transaction.result == PaymentResult::Accepted {
                0
            } else {
                -1
            },
            card_entry_mode: card.map(|card| card.entry_mode.as_str()),
            merchant_id: terminal.merchant_id.clone(),
            ams_id: transaction.ams_id.to_string(),
        }
    }

    fn request_id_of(&self, transaction: u32) -> Option<&str> {
        let task = self.transactions[transaction as usize].task?;
        match &self.tasks[task as usize].kind {
            TaskKind::Transaction(request) => request.request_id.as_deref(),
            TaskKind::Batch => None,
        }
    }

    fn app_cancel(
        &mut self,
        link: &DeepLink,
        notices: &mut Vec<LinkNotice>,
        terminal: u16,
        now: Millis,
    ) -> AppAnswer {
        let Some(ams_id) = link.param("amsID").filter(|ams_id| !ams_id.is_empty()) else {
            return AppAnswer::error(
                AppError::CannotBeVoided,
                vec![problem(
                    "amsID",
                    "is mandatory: the amsID of the receipt of the payment to cancel",
                )],
            );
        };
        let client_id = match client_id(link) {
            Ok(client_id) => client_id,
            Err(problem) => return AppAnswer::error(AppError::InvalidClientId, vec![problem]),
        };
        // The app cancels by amsID whether or not the payment is the terminal's last: GP tom's
        // one storno rulebook, asked as for an OLDER_TRANSACTION with no "last" to steer to.
        let named = parse_digits(ams_id)
            .and_then(|ams_id| self.ams_index.get(&ams_id))
            .map(|&index| (index, &self.transactions[index as usize]));
        let decided = decide_storno(
            StornoRequest {
                mode: CancelMode::OlderTransaction,
                terminal,
                last: None,
                named,
            },
            &self.transactions,
            now,
        );
        let original = match decided {
            Ok(original) => original,
            Err(refusal) => {
                return AppAnswer::error(
                    AppError::CannotBeVoided,
                    vec![problem("amsID", &refusal.message())],
                );
            }
        };
        let original_state = self.transactions[original as usize].clone();
        let print = flag(link, notices, "printByPaymentApp", true);
        let request = TransactionRequest {
            transaction_type: TransactionType::Cancel,
            amount: Some(original_state.amount),
            tip_amount: original_state.tip,
            tip_collect: false,
            currency_code: self.terminals[usize::from(terminal)].currency.clone(),
            payment_method: original_state.payment_method,
            origin_reference_num: None,
            print_by_payment_app: print,
            preferable_receipt_type: receipt_type(link, notices),
            client_id: client_id.map(Box::from),
            client_email: kept_text(link, notices, "clientEmail").map(Box::from),
            client_phone: kept_text(link, notices, "clientPhone").map(Box::from),
            tid: None,
            cancel_mode: Some(CancelMode::OlderTransaction),
            origin_transaction_id: Some(Box::from(ams_id)),
            request_id: request_id(link, notices).map(Box::from),
        };
        let plan = crate::domain::task::Plan {
            new: Phase::Millis(0),
            in_progress: Some(Phase::Millis(0)),
            outcome: Outcome::approved(),
            card: crate::domain::card::CardChoice::default(),
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
        self.mark_transaction(original);
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
        } else if let Some(wanted) = link.param("requestID").or_else(|| link.param("requestId")) {
            (0..self.transactions.len())
                .rev()
                .filter_map(|index| u32::try_from(index).ok())
                .find(|index| self.request_id_of(*index) == Some(wanted))
        } else {
            return AppAnswer::error(
                AppError::Failed,
                vec![problem("amsID", "amsID or requestID is mandatory")],
            );
        };
        match found.filter(|index| self.transactions[*index as usize].terminal == terminal) {
            Some(index) => AppAnswer {
                code: Some(self.transactions[index as usize].refusal),
                receipt: Some(self.receipt(index)),
                ..AppAnswer::completed()
            },
            None => AppAnswer::error(
                AppError::Failed,
                vec![problem("amsID", "no such transaction on this terminal")],
            ),
        }
    }

    fn app_batch_close(&mut self, terminal: u16, now: Millis) -> AppAnswer {
        let scenario =
            std::sync::Arc::clone(self.scenario_for(&self.terminals[usize::from(terminal)].tid));
        if let Some((code, message)) = &scenario.batch.error {
            return AppAnswer::error(
                AppError::for_task_error(*code),
                vec![problem("batch", message)],
            );
        }
        let number = self.close_batch(terminal, now);
        let terminal_state = &self.terminals[usize::from(terminal)];
        let batch = self.batch_index.get(&(terminal, number)).map(|index| {
            let batch = &self.batches[*index as usize];
            batch_report(
                &batch.totals,
                format!("{}{:06}", terminal_state.tid, batch.number),
                Some(batch.number),
                Some(batch.date),
                batch.previous_batch_date,
                &terminal_state.currency,
            )
        });
        AppAnswer {
            batch,
            ..AppAnswer::completed()
        }
    }

    /// `batch/detail`: the open batch, as the SDK's pseudo-batch `OPEN`.
    fn app_batch_detail(&self, terminal: u16) -> AppAnswer {
        let terminal_state = &self.terminals[usize::from(terminal)];
        AppAnswer {
            batch: Some(batch_report(
                &terminal_state.batch_totals,
                "OPEN".to_owned(),
                None,
                None,
                terminal_state.batch_opened,
                &terminal_state.currency,
            )),
            ..AppAnswer::completed()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maestro_is_a_mastercard_to_the_sdk() {
        assert_eq!(
            sdk_card_type(CardBrand::Maestro, MastercardSpelling::Mastercard),
            "MASTERCARD"
        );
        assert_eq!(
            sdk_card_type(CardBrand::Mastercard, MastercardSpelling::Master),
            "MASTER"
        );
        assert_eq!(
            sdk_card_type(CardBrand::Visa, MastercardSpelling::Master),
            "VISA"
        );
    }
}
