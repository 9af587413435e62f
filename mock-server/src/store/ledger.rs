//! The ledger: transactions recorded by finished tasks and seeded by scenarios, stornos, batches.

use crate::clock::Millis;
use crate::domain::batch::{Batch, BatchTotals};
use crate::domain::card::draw_card;
use crate::domain::ids::{parse_digits, parse_uuid};
use crate::domain::refusal::Refusal;
use crate::domain::request::{
    CancelMode, FieldError, PaymentMethod, TransactionRequest, TransactionType,
};
use crate::domain::storno::{StornoRequest, decide_storno};
use crate::domain::task::{TaskError, TaskState};
use crate::domain::transaction::Transaction;
use crate::scenario::PaymentResult;

use super::{Principal, Store, StoreError, not_an_id, task_error};

impl Store {
    pub(super) fn seed_transaction(
        &mut self,
        seed: &crate::scenario::SeedTransaction,
        now: Millis,
    ) {
        let Some(&terminal_index) = self.terminal_index.get(&seed.terminal) else {
            return;
        };
        if seed
            .ams_id
            .as_deref()
            .and_then(parse_digits)
            .is_some_and(|ams_id| self.ams_position(ams_id).is_some())
        {
            return;
        }
        let date = now.plus_ms(-seed.age_ms);
        let card = (seed.payment_method == PaymentMethod::Card).then(|| {
            draw_card(
                &self.fixtures.cards,
                &crate::domain::card::CardChoice::default(),
                &mut self.ids,
                seed.amount,
            )
        });
        let approved = seed.result == PaymentResult::Accepted;
        let authorization_code = (approved && card.is_some()).then(|| self.ids.code6());
        let id = self.ids.uuid_value();
        let ams_id = match seed.ams_id.as_deref().and_then(parse_digits) {
            Some(ams_id) => ams_id,
            None => self.ids.digits_value(12),
        };
        let reference_number = self.ids.digits_value(12);
        let batch_number = self.terminals[usize::from(terminal_index)]
            .batch_number
            .saturating_sub(1)
            .max(1);
        self.file_transaction(Transaction {
            id,
            ams_id,
            task: None,
            terminal: terminal_index,
            kind: TransactionType::Sale,
            result: seed.result,
            refusal: if approved {
                Refusal::Approved
            } else {
                Refusal::Declined
            },
            payment_method: seed.payment_method,
            amount: seed.amount,
            tip: seed.tip,
            card,
            authorization_code,
            reference_number,
            origin_reference: seed.reference.as_deref().map(Box::from),
            sequence_number: 0,
            receipt_number: 0,
            batch_number,
            date,
            origin: None,
            cancelled_by: None,
            dcc: None,
        });
    }

    /// Numbers a transaction on its terminal (sequence and receipt numbers) and files it in the
    /// store and its indexes; returns its index.
    pub(super) fn file_transaction(&mut self, mut transaction: Transaction) -> u32 {
        let terminal = &mut self.terminals[usize::from(transaction.terminal)];
        terminal.sequence = terminal.sequence.saturating_add(1);
        terminal.receipt = terminal.receipt.saturating_add(1);
        transaction.sequence_number = terminal.sequence;
        transaction.receipt_number = terminal.receipt;
        let index = u32::try_from(self.transactions.len()).unwrap_or(u32::MAX);
        let terminal = transaction.terminal;
        self.transactions.push(transaction);
        self.index_transaction(index);
        self.mark_transaction(index);
        self.mark_terminal(terminal);
        index
    }

    pub(super) fn finish_storno(
        &mut self,
        index: u32,
        request: &TransactionRequest,
        result: PaymentResult,
        refusal: Refusal,
        at: Millis,
    ) -> (TaskState, Option<TaskError>) {
        let terminal_index = self.tasks[index as usize].terminal;
        let terminal = &self.terminals[usize::from(terminal_index)];
        let last = terminal
            .last_transaction
            .map(|last| (last, &self.transactions[last as usize]));
        let named = request
            .extras()
            .origin_transaction_id
            .as_deref()
            .and_then(parse_digits)
            .and_then(|ams_id| self.ams_position(ams_id))
            .map(|found| (found, &self.transactions[found as usize]));
        let decision = decide_storno(
            StornoRequest {
                mode: request.cancel_mode.unwrap_or(CancelMode::LastTransaction),
                terminal: terminal_index,
                last,
                named,
            },
            &self.transactions,
            at,
        );
        match decision {
            Err(refusal) => (
                TaskState::Error,
                Some(task_error(refusal.code(), refusal.message())),
            ),
            Ok(original) => {
                let transaction =
                    self.record_transaction(index, request, result, refusal, Some(original), at);
                if result == PaymentResult::Accepted {
                    self.transactions[original as usize].cancelled_by = Some(transaction);
                    self.mark_transaction(original);
                }
                (TaskState::Completed, None)
            }
        }
    }

    pub(super) fn record_transaction(
        &mut self,
        task: u32,
        request: &TransactionRequest,
        result: PaymentResult,
        refusal: Refusal,
        origin: Option<u32>,
        at: Millis,
    ) -> u32 {
        let terminal_index = self.tasks[task as usize].terminal;
        let choice = self.tasks[task as usize].plan.card.clone();
        let original = origin.map(|origin| self.transactions[origin as usize].clone());
        let (amount, tip, payment_method) = match &original {
            Some(original) => (original.amount, original.tip, original.payment_method),
            None => (
                request.amount.unwrap_or(0),
                request.tip_amount,
                request.payment_method,
            ),
        };
        let card = match (&original, payment_method) {
            (Some(original), _) => original.card.clone(),
            (None, PaymentMethod::Card) => Some(draw_card(
                &self.fixtures.cards,
                &choice,
                &mut self.ids,
                amount,
            )),
            (None, _) => None,
        };
        // Only a card can be offered DCC; a cancellation shows its payment's offer.
        let dcc = match &original {
            Some(original) => original.dcc.clone(),
            None if payment_method == PaymentMethod::Card => choice.dcc,
            None => None,
        };
        let approved = result == PaymentResult::Accepted;
        let authorization_code =
            (approved && payment_method == PaymentMethod::Card).then(|| self.ids.code6());
        let refusal = if approved && !refusal.is_approved() {
            Refusal::Approved
        } else {
            refusal
        };
        let id = self.ids.uuid_value();
        let ams_id = self.ids.digits_value(12);
        let reference_number = self.ids.digits_value(12);
        let batch_number = self.terminals[usize::from(terminal_index)].batch_number;
        let index = self.file_transaction(Transaction {
            id,
            ams_id,
            task: Some(task),
            terminal: terminal_index,
            kind: request.transaction_type,
            result,
            refusal,
            payment_method,
            amount,
            tip,
            card,
            authorization_code,
            reference_number,
            origin_reference: request.origin_reference_num.clone(),
            sequence_number: 0,
            receipt_number: 0,
            batch_number,
            date: at,
            origin,
            cancelled_by: None,
            dcc,
        });
        let terminal = &mut self.terminals[usize::from(terminal_index)];
        terminal
            .batch_totals
            .record(&self.transactions[index as usize]);
        terminal.last_transaction = Some(index);
        self.tasks[task as usize].transaction = Some(index);
        self.mark_task(task);
        self.mark_terminal(terminal_index);
        index
    }

    pub(super) fn close_batch(&mut self, terminal_index: u16, at: Millis) -> u32 {
        let terminal = &mut self.terminals[usize::from(terminal_index)];
        let batch = Batch {
            terminal: terminal_index,
            number: terminal.batch_number,
            date: at,
            previous_batch_date: terminal.batch_opened,
            totals: terminal.batch_totals,
        };
        let number = batch.number;
        terminal.batch_number = terminal.batch_number.saturating_add(1);
        terminal.batch_opened = at;
        terminal.batch_totals = BatchTotals::default();
        terminal.last_transaction = None;
        let index = u32::try_from(self.batches.len()).unwrap_or(u32::MAX);
        self.batch_index.insert((terminal_index, number), index);
        self.batches.push(batch);
        self.mark_batch(index);
        self.mark_terminal(terminal_index);
        number
    }

    /// `GET /v1/transactions/{transactionId}`.
    pub fn get_transaction(
        &mut self,
        principal: &Principal,
        transaction_id: &str,
        now: Millis,
    ) -> Result<u32, StoreError> {
        let id = parse_uuid(transaction_id)
            .ok_or_else(|| not_an_id("transaction", transaction_id, "transactionId"))?;
        let index = self
            .transaction_position(id)
            .filter(|index| self.can_see(principal, self.transactions[*index as usize].terminal))
            .ok_or(StoreError::NotFound("transaction"))?;
        let terminal = self.transactions[index as usize].terminal;
        self.settle_terminal(terminal, now);
        Ok(index)
    }

    /// `GET /v1/batches/{batchNumber}`; a master token names the terminal with `tid`.
    pub fn get_batch(
        &mut self,
        principal: &Principal,
        number: u32,
        tid: Option<&str>,
        now: Millis,
    ) -> Result<u32, StoreError> {
        if tid.is_some_and(|tid| tid.chars().count() > 20) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "tid",
                "size must be between 0 and 20",
            )]));
        }
        let terminal = match (principal.terminal, tid) {
            // A terminal token sees only its own terminal's batches: another `tid` is a batch
            // it cannot see (404, no hint that it exists).
            (Some(own), Some(named)) if *self.terminals[usize::from(own)].tid != *named => None,
            (Some(own), _) => Some(own),
            (None, Some(named)) => self.terminal_index.get(named).copied(),
            (None, None) => {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "tid",
                    "must not be null for a master account",
                )]));
            }
        }
        .filter(|index| self.can_see(principal, *index))
        .ok_or(StoreError::NotFound("batch"))?;
        self.settle_terminal(terminal, now);
        self.batch_index
            .get(&(terminal, number))
            .copied()
            .ok_or(StoreError::NotFound("batch"))
    }
}
