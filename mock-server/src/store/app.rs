//! The simulated GP tom app carrying out deep-link operations (spec §2) on the same store as the
//! Cloud API: typed commands in ([`AppCommand`], read by `wire::deeplink`), what it did out
//! ([`AppOutcome`], indices the wire renders in the SDK's shapes with the views below).
//!
//! A deep link is handled synchronously, as the app does: the payment is decided by the active
//! scenario and recorded at once (the app's device takes it ahead of queued cloud tasks).
//!
//! Invariant: the app decides in GP tom's order — an unknown operation, then who is logged in,
//! then the link's own input, then the store's rules (the one storno rulebook the Cloud API uses);
//! it refuses only where GP tom has an error word for it.

use super::{AppSession, BatchView, Store};
use crate::clock::Millis;
use crate::domain::app::{
    AppCommand, AppError, AppOutcome, AppRefusal, AppStep, CancelInput, ChangePasswordInput,
    DetailKey, LoginInput, PaymentInput,
};
use crate::domain::card::{CardChoice, CardRange};
use crate::domain::ids::parse_digits;
use crate::domain::refusal::Refusal;
use crate::domain::request::{CancelMode, RequestExtras, TransactionRequest, TransactionType};
use crate::domain::storno::{StornoRequest, decide_storno};
use crate::domain::task::{Plan, TaskKind, TaskState};
use crate::domain::terminal::TerminalState;
use crate::domain::transaction::Transaction;
use crate::fixtures::User;
use crate::scenario::{MastercardSpelling, Outcome, Phase, RequestFacts};

/// A task the app ran, as its answer needs it.
#[derive(Clone, Copy, Debug)]
pub struct AppTaskView {
    /// Its state.
    pub state: TaskState,
    /// How the terminal's scenario spells a cancelled task to the app.
    pub canceled_spelling: &'static str,
    /// GP tom's task error code, when it failed.
    pub error_code: Option<u16>,
    /// Its transaction, once it has one.
    pub transaction: Option<u32>,
}

/// A transaction with what its receipt shows beside it.
#[derive(Clone, Copy, Debug)]
pub struct ReceiptView<'a> {
    /// The transaction.
    pub transaction: &'a Transaction,
    /// Its terminal.
    pub terminal: &'a TerminalState,
    /// The card range of its card (card payments).
    pub range: Option<&'a CardRange>,
    /// The caller's reference: its own, or for a cancellation the payment's it cancels.
    pub reference: Option<&'a str>,
    /// How the terminal's scenario spells Mastercard to the app.
    pub mastercard: MastercardSpelling,
}

impl Store {
    /// The app generation the logged-in terminal's deep links answer as (the mock's when nobody
    /// is logged in).
    #[must_use]
    pub fn app_profile(&self) -> crate::domain::plan::AppProfile {
        match self.app_terminal() {
            Some(terminal) => self.app_profile_for(&terminal.tid),
            None => self.app_profile_for(""),
        }
    }
}

/// Who the app is logged in as.
#[derive(Clone, Copy, Debug)]
pub struct SessionView<'a> {
    /// The user.
    pub username: &'a str,
    /// The terminal.
    pub terminal: &'a TerminalState,
    /// The terminal's merchant's name, when the fixtures know the merchant.
    pub merchant_name: Option<&'a str>,
    /// The merchant's address, when the fixtures know it.
    pub merchant_address: Option<&'a crate::fixtures::Address>,
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

    /// Carries out one deep-link operation at `now`.
    pub fn run_app_command(&mut self, command: AppCommand, now: Millis) -> AppOutcome {
        let outcome = match command {
            AppCommand::Unknown(path) => Err(AppRefusal::new(
                AppError::UnsupportedTransactionOperationOrType,
                "operation",
                format!("`{path}` is not a GP tom operation"),
            )),
            AppCommand::Login(input) => input.and_then(|input| self.app_login(input)),
            AppCommand::ChangePassword(Ok(Some(input))) => self.app_change_password(&input),
            AppCommand::ChangePassword(Err(refusal)) => Err(refusal),
            AppCommand::Logout => {
                self.app_session = None;
                self.mark_meta();
                Ok(AppOutcome::Completed)
            }
            AppCommand::Status => Ok(AppOutcome::Status),
            command => match self.app_session.as_ref().map(|session| session.terminal) {
                None => Err(AppRefusal::new(
                    AppError::UserNotLoggedIn,
                    "operation",
                    "nobody is logged in to GP tom: open gptom://login first",
                )),
                Some(terminal) => {
                    self.settle_terminal(terminal, now);
                    self.app_operation(command, terminal, now)
                }
            },
        };
        outcome.unwrap_or_else(AppOutcome::Refused)
    }

    fn app_operation(
        &mut self,
        command: AppCommand,
        terminal: u16,
        now: Millis,
    ) -> Result<AppOutcome, AppRefusal> {
        Ok(match command {
            AppCommand::Pay(input) => {
                let input = input?;
                self.scripted(AppStep::Payment, terminal)?;
                AppOutcome::Task(self.app_payment(input, terminal, now))
            }
            AppCommand::Cancel(input) => {
                let input = input?;
                self.scripted(AppStep::Cancel, terminal)?;
                AppOutcome::Task(self.app_cancel(input, terminal, now)?)
            }
            AppCommand::Detail(key) => AppOutcome::Transaction(self.app_detail(&key?, terminal)?),
            AppCommand::BatchClose => {
                self.scripted(AppStep::BatchClose, terminal)?;
                AppOutcome::BatchClosed(self.app_batch_close(terminal, now)?)
            }
            AppCommand::BatchDetail => AppOutcome::OpenBatch,
            // The app opens its password screen; the user changes it there.
            AppCommand::ChangePassword(_)
            | AppCommand::Unknown(_)
            | AppCommand::Login(_)
            | AppCommand::Logout
            | AppCommand::Status => AppOutcome::Completed,
        })
    }

    /// The fixtures' user with this name and password.
    fn app_user(&self, username: &str, password: &str) -> Result<&User, AppRefusal> {
        let Some(user) = self
            .fixtures
            .users
            .iter()
            .find(|user| user.username == username)
        else {
            return Err(AppRefusal::new(
                AppError::InvalidUserName,
                "username",
                "no such GP tom user",
            ));
        };
        if user.password != password {
            return Err(AppRefusal::new(
                AppError::InvalidCredentials,
                "password",
                "wrong password for this user",
            ));
        }
        Ok(user)
    }

    fn app_login(&mut self, input: LoginInput) -> Result<AppOutcome, AppRefusal> {
        let user = self.app_user(&input.username, &input.password)?;
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
        let terminal = match &input.tid {
            Some(tid) => self
                .terminal_index
                .get(tid.as_str())
                .copied()
                .filter(own_terminal),
            // Without a TID the app takes the user's first terminal.
            None => (0..u16::try_from(self.terminals.len()).unwrap_or(u16::MAX))
                .find(|index| own_terminal(index)),
        };
        let Some(index) = terminal else {
            return Err(AppRefusal::new(
                AppError::TidNotAssignedToThisUser,
                "tid",
                "is not a terminal of this user",
            ));
        };
        let tid = self.terminals[usize::from(index)].tid.to_string();
        self.scripted_for(AppStep::Login, &user.username, &tid)?;
        let username = user.username.clone();
        self.mark_meta();
        self.app_session = Some(AppSession {
            terminal: index,
            username,
        });
        Ok(AppOutcome::Completed)
    }

    /// The refusal the scenario of terminal `tid` scripts for `step` of `username`, if any.
    fn scripted_for(&self, step: AppStep, username: &str, tid: &str) -> Result<(), AppRefusal> {
        match self
            .scenario_for(tid)
            .app_refusals
            .iter()
            .find(|rule| rule.applies(step, username, tid))
        {
            Some(rule) => Err(rule.refusal()),
            None => Ok(()),
        }
    }

    /// [`Store::scripted_for`] the logged-in user on the app's terminal.
    fn scripted(&self, step: AppStep, terminal: u16) -> Result<(), AppRefusal> {
        let username = self
            .app_session
            .as_ref()
            .map_or("", |session| session.username.as_str());
        self.scripted_for(step, username, &self.terminals[usize::from(terminal)].tid)
    }

    /// `change-password`: the user and the current password are checked, then what the
    /// scenario scripts (a wrong or missing confirmation code, a change still waiting). The
    /// fixtures' password itself is not changed.
    fn app_change_password(&self, input: &ChangePasswordInput) -> Result<AppOutcome, AppRefusal> {
        let user = self.app_user(&input.username, &input.password)?;
        // The scenario of the user's terminal in the app, else the unbound one.
        let tid = self
            .app_terminal()
            .map_or_else(String::new, |terminal| terminal.tid.to_string());
        self.scripted_for(AppStep::ChangePassword, &user.username, &tid)?;
        Ok(AppOutcome::Completed)
    }

    fn app_payment(&mut self, input: PaymentInput, terminal: u16, now: Millis) -> u32 {
        let PaymentInput {
            kind,
            amount,
            tip_amount,
            tip_collect,
            method,
            reference,
            extras,
        } = input;
        let request = TransactionRequest {
            transaction_type: kind,
            amount: Some(amount),
            tip_amount,
            tip_collect,
            currency_code: self.terminals[usize::from(terminal)].currency,
            payment_method: method,
            origin_reference_num: reference,
            print_by_payment_app: extras.print,
            preferable_receipt_type: extras.receipt_type,
            cancel_mode: None,
            extras: RequestExtras {
                client_id: extras.client_id,
                client_email: extras.client_email,
                client_phone: extras.client_phone,
                tid: None,
                origin_transaction_id: None,
                request_id: extras.request_id,
            }
            .boxed(),
        };
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
                    currency: terminal_state.currency.as_str(),
                    ordinal,
                },
            )
        };
        plan.new = Phase::Millis(0);
        plan.in_progress = Some(Phase::Millis(0));
        self.terminals[usize::from(terminal)].transaction_tasks = ordinal;
        self.mark_terminal(terminal);
        let task =
            self.push_task_detached(TaskKind::Transaction(request), terminal, plan, ordinal, now);
        self.finish_task(task, now);
        task
    }

    fn app_cancel(
        &mut self,
        input: CancelInput,
        terminal: u16,
        now: Millis,
    ) -> Result<u32, AppRefusal> {
        // The app cancels by amsID whether or not the payment is the terminal's last: GP tom's
        // one storno rulebook, asked as for an OLDER_TRANSACTION with no "last" to steer to.
        let named = parse_digits(&input.ams_id)
            .and_then(|ams_id| self.ams_position(ams_id))
            .map(|index| (index, &self.transactions[index as usize]));
        let original = decide_storno(
            StornoRequest {
                mode: CancelMode::OlderTransaction,
                terminal,
                last: None,
                named,
            },
            &self.transactions,
            now,
        )
        .map_err(|refusal| AppRefusal::new(AppError::CannotBeVoided, "amsID", refusal.message()))?;
        let original_state = &self.transactions[original as usize];
        let extras = input.extras;
        let request = TransactionRequest {
            transaction_type: TransactionType::Cancel,
            amount: Some(original_state.amount),
            tip_amount: original_state.tip,
            tip_collect: false,
            currency_code: self.terminals[usize::from(terminal)].currency,
            payment_method: original_state.payment_method,
            origin_reference_num: None,
            print_by_payment_app: extras.print,
            preferable_receipt_type: extras.receipt_type,
            cancel_mode: Some(CancelMode::OlderTransaction),
            extras: RequestExtras {
                client_id: extras.client_id,
                client_email: extras.client_email,
                client_phone: extras.client_phone,
                tid: None,
                origin_transaction_id: Some(input.ams_id),
                request_id: extras.request_id,
            }
            .boxed(),
        };
        let plan = Plan {
            new: Phase::Millis(0),
            in_progress: Some(Phase::Millis(0)),
            outcome: Outcome::approved(),
            card: CardChoice::default(),
            rule: Some("app-to-app cancel".into()),
        };
        let task = self.push_task_detached(
            TaskKind::Transaction(request.clone()),
            terminal,
            plan,
            0,
            now,
        );
        let transaction = self.record_transaction(
            task,
            &request,
            crate::scenario::PaymentResult::Accepted,
            Refusal::Approved,
            Some(original),
            now,
        );
        self.transactions[original as usize].cancelled_by = Some(transaction);
        self.mark_transaction(original);
        let task_state = &mut self.tasks[task as usize];
        task_state.state = TaskState::Completed;
        task_state.updated = now;
        Ok(task)
    }

    fn request_id_of(&self, transaction: u32) -> Option<&str> {
        let task = self.transactions[transaction as usize].task?;
        match &self.tasks[task as usize].kind {
            TaskKind::Transaction(request) => request.extras().request_id.as_deref(),
            TaskKind::Batch => None,
        }
    }

    fn app_detail(&self, key: &DetailKey, terminal: u16) -> Result<u32, AppRefusal> {
        let found = match key {
            DetailKey::AmsId(ams_id) => {
                parse_digits(ams_id).and_then(|ams_id| self.ams_position(ams_id))
            }
            DetailKey::RequestId(wanted) => (0..self.transactions.len())
                .rev()
                .filter_map(|index| u32::try_from(index).ok())
                .find(|index| self.request_id_of(*index) == Some(wanted.as_str())),
        };
        found
            .filter(|index| self.transactions[*index as usize].terminal == terminal)
            .ok_or_else(|| {
                AppRefusal::new(
                    AppError::Failed,
                    "amsID",
                    "no such transaction on this terminal",
                )
            })
    }

    fn app_batch_close(&mut self, terminal: u16, now: Millis) -> Result<Option<u32>, AppRefusal> {
        let scenario =
            std::sync::Arc::clone(self.scenario_for(&self.terminals[usize::from(terminal)].tid));
        if let Some((code, message)) = &scenario.batch.error {
            return Err(AppRefusal::new(
                AppError::for_task_error(*code),
                "batch",
                message.clone(),
            ));
        }
        let number = self.close_batch(terminal, now);
        Ok(self.batch_index.get(&(terminal, number)).copied())
    }

    // ----- what the answers show ----------------------------------------------------------------

    /// The terminal the app is logged in to.
    #[must_use]
    pub fn app_terminal(&self) -> Option<&TerminalState> {
        let session = self.app_session.as_ref()?;
        Some(&self.terminals[usize::from(session.terminal)])
    }

    /// Who the app is logged in as.
    #[must_use]
    pub fn app_session_view(&self) -> Option<SessionView<'_>> {
        let session = self.app_session.as_ref()?;
        let terminal = &self.terminals[usize::from(session.terminal)];
        let merchant = self
            .fixtures
            .merchants
            .iter()
            .find(|merchant| merchant.merchant_id == terminal.merchant_id);
        Some(SessionView {
            username: &session.username,
            terminal,
            merchant_name: merchant.map(|merchant| merchant.name.as_str()),
            merchant_address: merchant.and_then(|merchant| merchant.address.as_ref()),
        })
    }

    /// A task the app ran.
    #[must_use]
    pub fn app_task_view(&self, task: u32) -> AppTaskView {
        let task = &self.tasks[task as usize];
        let tid = &self.terminals[usize::from(task.terminal)].tid;
        AppTaskView {
            state: task.state,
            canceled_spelling: self.scenario_for(tid).wire.app_canceled_spelling.as_str(),
            error_code: task.error.as_ref().map(|error| error.code),
            transaction: task.transaction,
        }
    }

    /// A transaction with what its receipt shows, from the same stored facts as the Cloud API's
    /// transaction body.
    #[must_use]
    pub fn receipt_view(&self, index: u32) -> ReceiptView<'_> {
        let transaction = &self.transactions[index as usize];
        let terminal = &self.terminals[usize::from(transaction.terminal)];
        // A cancellation carries the reference of the payment it cancels.
        let reference = transaction.origin_reference.as_deref().or_else(|| {
            transaction.origin.and_then(|origin| {
                self.transactions[origin as usize]
                    .origin_reference
                    .as_deref()
            })
        });
        ReceiptView {
            transaction,
            terminal,
            range: transaction
                .card
                .as_ref()
                .and_then(|card| self.fixtures.cards.get(usize::from(card.range))),
            reference,
            mastercard: self
                .scenario_for(&terminal.tid)
                .wire
                .app_mastercard_spelling,
        }
    }

    /// The open batch of the app's terminal.
    #[must_use]
    pub fn open_batch_view(&self) -> Option<BatchView<'_>> {
        let terminal = self.app_terminal()?;
        Some(BatchView {
            totals: &terminal.batch_totals,
            terminal,
            closed: None,
            previous_batch_date: terminal.batch_opened,
        })
    }
}
