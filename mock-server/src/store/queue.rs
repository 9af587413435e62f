//! The task queue: creating tasks on a terminal, polling them, deciding manual ones, and settling a
//! terminal's queue lazily over virtual time.

use std::sync::Arc;

use crate::clock::Millis;
use crate::domain::ids::parse_uuid;
use crate::domain::refusal::Refusal;
use crate::domain::request::{BatchRequest, FieldError, TransactionRequest, TransactionType};
use crate::domain::task::{Plan, Task, TaskKind, TaskState};
use crate::scenario::{Outcome, PaymentResult, Phase, RequestFacts};

use super::{Principal, Store, StoreError, not_an_id, task_error};

impl Store {
    /// `POST /v1/tasks/TRANSACTION` with a validated body.
    pub fn create_transaction_task(
        &mut self,
        principal: &Principal,
        request: TransactionRequest,
        now: Millis,
    ) -> Result<u32, StoreError> {
        let terminal_index = self.target_terminal(principal, request.extras().tid.as_deref())?;
        self.settle_terminal(terminal_index, now);
        let terminal = &self.terminals[usize::from(terminal_index)];
        if request.currency_code != terminal.currency {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "currencyCode",
                format!("must be the terminal's currency {}", terminal.currency),
            )]));
        }
        let ordinal = terminal.transaction_tasks.saturating_add(1);
        let scenario = Arc::clone(self.scenario_for(&terminal.tid));
        let reference_max = usize::from(scenario.wire.reference_max_length);
        if request
            .origin_reference_num
            .as_deref()
            .is_some_and(|reference| reference.chars().count() > reference_max)
        {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "originReferenceNum",
                format!(
                    "must be at most {reference_max} characters (this scenario's wire.reference_max_length)"
                ),
            )]));
        }
        let plan = scenario.plan_transaction(
            &request,
            RequestFacts {
                tid: &terminal.tid,
                currency: terminal.currency.as_str(),
                ordinal,
            },
        );
        self.terminals[usize::from(terminal_index)].transaction_tasks = ordinal;
        let mut plan = plan;
        if self.is_manual(terminal_index) && plan.in_progress.is_some() {
            plan.in_progress = Some(Phase::Manual);
        }
        let index = self.push_task(
            TaskKind::Transaction(request),
            terminal_index,
            plan,
            ordinal,
            now,
        );
        self.settle_terminal(terminal_index, now);
        Ok(index)
    }

    /// The `currencyCode` error a body would also get once its other fields are fixed: a
    /// well-formed `code` that is not the currency of the terminal the body targets (`tid`).
    #[must_use]
    pub fn currency_mismatch(
        &self,
        principal: &Principal,
        code: Option<&str>,
        tid: Option<&str>,
    ) -> Option<FieldError> {
        let code = code?;
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let terminal = self.target_terminal(principal, tid).ok()?;
        let currency = &self.terminals[usize::from(terminal)].currency;
        (*currency != *code).then(|| {
            FieldError::new(
                "currencyCode",
                format!("must be the terminal's currency {currency}"),
            )
        })
    }

    /// `POST /v1/tasks/BATCH`.
    pub fn create_batch_task(
        &mut self,
        principal: &Principal,
        request: &BatchRequest,
        now: Millis,
    ) -> Result<u32, StoreError> {
        let terminal_index = self.target_terminal(principal, request.tid.as_deref())?;
        self.settle_terminal(terminal_index, now);
        let plan = self
            .scenario_for(&self.terminals[usize::from(terminal_index)].tid)
            .plan_batch(&self.terminals[usize::from(terminal_index)].tid);
        let index = self.push_task(TaskKind::Batch, terminal_index, plan, 0, now);
        self.settle_terminal(terminal_index, now);
        Ok(index)
    }

    /// A task that never enters the terminal's queue (app-to-app operations run at once).
    pub(super) fn push_task_detached(
        &mut self,
        kind: TaskKind,
        terminal: u16,
        plan: Plan,
        ordinal: u32,
        now: Millis,
    ) -> u32 {
        let index = self.push_task(kind, terminal, plan, ordinal, now);
        let queue = &mut self.terminals[usize::from(terminal)].queue;
        if queue.back() == Some(&index) {
            queue.pop_back();
        }
        self.mark_terminal(terminal);
        index
    }

    pub(super) fn push_task(
        &mut self,
        kind: TaskKind,
        terminal: u16,
        plan: Plan,
        ordinal: u32,
        now: Millis,
    ) -> u32 {
        let id = self.ids.uuid_value();
        let index = u32::try_from(self.tasks.len()).unwrap_or(u32::MAX);
        self.tasks.push(Task {
            id,
            kind,
            terminal,
            state: TaskState::New,
            created: now,
            updated: now,
            started: None,
            plan,
            polls_in_state: 0,
            ready_at: None,
            transaction: None,
            batch_number: None,
            error: None,
            ordinal,
        });
        self.index_task(index);
        self.terminals[usize::from(terminal)].queue.push_back(index);
        self.mark_task(index);
        self.mark_terminal(terminal);
        index
    }

    /// `GET /v1/tasks/{taskId}`: the task as the poll sees it; counts the poll.
    pub fn poll_task(
        &mut self,
        principal: &Principal,
        task_id: &str,
        now: Millis,
    ) -> Result<u32, StoreError> {
        let index = self.visible_task(principal, task_id)?;
        let terminal = self.tasks[index as usize].terminal;
        self.settle_terminal(terminal, now);
        self.tasks[index as usize].record_poll(now);
        Ok(index)
    }

    pub(super) fn visible_task(
        &self,
        principal: &Principal,
        task_id: &str,
    ) -> Result<u32, StoreError> {
        let id = parse_uuid(task_id).ok_or_else(|| not_an_id("task", task_id, "taskId"))?;
        self.task_position(id)
            .filter(|index| self.can_see(principal, self.tasks[*index as usize].terminal))
            .ok_or(StoreError::NotFound("task"))
    }

    /// A manual decision for a task waiting at `IN_PROGRESS` (or `NEW`).
    pub fn decide_task(
        &mut self,
        task_id: &str,
        outcome: Outcome,
        card: crate::domain::card::CardChoice,
        now: Millis,
    ) -> Result<u32, StoreError> {
        let index = parse_uuid(task_id)
            .and_then(|id| self.task_position(id))
            .ok_or(StoreError::NotFound("task"))?;
        let terminal = self.tasks[index as usize].terminal;
        self.settle_terminal(terminal, now);
        let task = &mut self.tasks[index as usize];
        if task.state.is_final() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "taskId",
                "the task is already final",
            )]));
        }
        task.plan.outcome = outcome;
        task.plan.card = card;
        task.plan.rule = Some("manual decision".into());
        if task.state == TaskState::New {
            // Picked up when the device is free, decided at once.
            task.plan.new = Phase::Manual;
            if task.plan.in_progress.is_some() {
                task.plan.in_progress = Some(Phase::Millis(0));
            }
        } else {
            task.plan.in_progress = Some(Phase::Manual);
        }
        task.ready_at = Some(now);
        self.mark_task(index);
        self.settle_terminal(terminal, now);
        Ok(index)
    }

    /// Moves a terminal's queue forward to `now`.
    pub fn settle_terminal(&mut self, terminal: u16, now: Millis) {
        loop {
            let Some(&index) = self.terminals[usize::from(terminal)].queue.front() else {
                return;
            };
            let free_at = self.terminals[usize::from(terminal)].free_at;
            let task = &mut self.tasks[index as usize];
            match task.state {
                TaskState::New => {
                    let start = match task.plan.new {
                        Phase::Millis(ms) => Some(task.created.plus_ms(ms)),
                        Phase::Polls(_) | Phase::Manual => task.ready_at,
                    };
                    let Some(start) = start.map(|start| start.max(free_at)) else {
                        return;
                    };
                    if start > now {
                        return;
                    }
                    if task.plan.in_progress.is_none() {
                        self.finish_task(index, start);
                    } else {
                        task.state = TaskState::InProgress;
                        task.started = Some(start);
                        task.updated = start;
                        task.polls_in_state = 0;
                        task.ready_at = None;
                        self.mark_task(index);
                    }
                }
                TaskState::InProgress => {
                    let end = match task.plan.in_progress {
                        Some(Phase::Millis(ms)) => task.started.map(|started| started.plus_ms(ms)),
                        _ => task.ready_at,
                    };
                    let Some(end) = end else {
                        return;
                    };
                    let end = end.max(task.started.unwrap_or(end));
                    if end > now {
                        return;
                    }
                    self.finish_task(index, end);
                }
                _ => {
                    self.terminals[usize::from(terminal)].queue.pop_front();
                    self.mark_terminal(terminal);
                }
            }
        }
    }

    pub(super) fn finish_task(&mut self, index: u32, at: Millis) {
        let task = &self.tasks[index as usize];
        let terminal = task.terminal;
        let outcome = task.plan.outcome.clone();
        let (state, error) = match (&task.kind, outcome) {
            (_, Outcome::Error { code, message } | Outcome::NotPickedUp { code, message, .. }) => {
                (TaskState::Error, Some(task_error(code, message)))
            }
            (TaskKind::Batch, _) => {
                let number = self.close_batch(terminal, at);
                self.tasks[index as usize].batch_number = Some(number);
                (TaskState::Completed, None)
            }
            (TaskKind::Transaction(request), Outcome::Canceled { code, message }) => {
                let request = request.clone();
                self.record_transaction(
                    index,
                    &request,
                    PaymentResult::Cancelled,
                    Refusal::Unknown,
                    None,
                    at,
                );
                (TaskState::Canceled, Some(task_error(code, message)))
            }
            (TaskKind::Transaction(request), Outcome::Payment { result, refusal }) => {
                let request = request.clone();
                if request.transaction_type == TransactionType::Cancel {
                    self.finish_storno(index, &request, result, refusal, at)
                } else {
                    self.record_transaction(index, &request, result, refusal, None, at);
                    (TaskState::Completed, None)
                }
            }
        };
        let task = &mut self.tasks[index as usize];
        task.state = state;
        task.error = error.map(Box::new);
        task.updated = at;
        task.ready_at = None;
        task.polls_in_state = 0;
        let terminal_state = &mut self.terminals[usize::from(terminal)];
        if terminal_state.queue.front() == Some(&index) {
            terminal_state.free_at = at;
            terminal_state.queue.pop_front();
        }
        self.mark_task(index);
        self.mark_terminal(terminal);
    }

    /// Moves every terminal forward to `now`.
    pub fn settle_all(&mut self, now: Millis) {
        for terminal in 0..self.terminals.len() {
            self.settle_terminal(u16::try_from(terminal).unwrap_or(u16::MAX), now);
        }
    }
}

#[cfg(test)]
mod tests {
    //! Settling with scripted times, against the store directly: when a task starts, when it
    //! ends, and that the device takes one task at a time in creation order.

    use std::sync::Arc;

    use super::*;
    use crate::domain::card::CardChoice;
    use crate::domain::task::TaskKind;
    use crate::fixtures::Fixtures;

    const T0: Millis = Millis(1_700_000_000_000);

    fn store() -> Store {
        let fixtures = Arc::new(Fixtures::embedded().expect("embedded fixtures"));
        Store::new(fixtures, Vec::new(), 7, T0)
    }

    fn plan(new: Phase, in_progress: Option<Phase>) -> Plan {
        Plan {
            new,
            in_progress,
            outcome: Outcome::Error {
                code: 99,
                message: "scripted".into(),
            },
            card: CardChoice::default(),
            rule: None,
        }
    }

    /// A task on terminal 0 created at `T0 + at` with the given phases.
    fn push(store: &mut Store, at: i64, new: Phase, in_progress: Option<Phase>) -> u32 {
        store.push_task(
            TaskKind::Batch,
            0,
            plan(new, in_progress),
            0,
            T0.plus_ms(at),
        )
    }

    /// (state, started, updated) of a task, times as offsets from `T0`.
    fn seen(store: &Store, index: u32) -> (TaskState, Option<i64>, i64) {
        let task = &store.tasks[index as usize];
        (
            task.state,
            task.started.map(|started| started.0 - T0.0),
            task.updated.0 - T0.0,
        )
    }

    #[test]
    fn a_task_starts_after_new_and_ends_after_in_progress() {
        let mut store = store();
        let task = push(
            &mut store,
            0,
            Phase::Millis(500),
            Some(Phase::Millis(2_000)),
        );
        store.settle_terminal(0, T0.plus_ms(499));
        assert_eq!(seen(&store, task), (TaskState::New, None, 0));
        store.settle_terminal(0, T0.plus_ms(500));
        assert_eq!(seen(&store, task), (TaskState::InProgress, Some(500), 500));
        store.settle_terminal(0, T0.plus_ms(2_499));
        assert_eq!(seen(&store, task), (TaskState::InProgress, Some(500), 500));
        store.settle_terminal(0, T0.plus_ms(2_500));
        assert_eq!(seen(&store, task), (TaskState::Error, Some(500), 2_500));
        assert!(store.terminals[0].queue.is_empty());
        assert_eq!(store.terminals[0].free_at, T0.plus_ms(2_500));
    }

    #[test]
    fn the_next_task_starts_when_the_device_is_free() {
        let mut store = store();
        let first = push(
            &mut store,
            0,
            Phase::Millis(500),
            Some(Phase::Millis(2_000)),
        );
        let second = push(
            &mut store,
            100,
            Phase::Millis(500),
            Some(Phase::Millis(2_000)),
        );
        store.settle_terminal(0, T0.plus_ms(2_499));
        // The second would start at 600 on an idle device; this one is busy until 2,500.
        assert_eq!(seen(&store, second), (TaskState::New, None, 100));
        store.settle_terminal(0, T0.plus_ms(2_500));
        assert_eq!(seen(&store, first).0, TaskState::Error);
        assert_eq!(
            seen(&store, second),
            (TaskState::InProgress, Some(2_500), 2_500)
        );
        store.settle_terminal(0, T0.plus_ms(10_000));
        assert_eq!(seen(&store, second), (TaskState::Error, Some(2_500), 4_500));
    }

    #[test]
    fn one_late_settle_gives_the_times_of_many_small_ones() {
        let script = |steps: &[i64]| {
            let mut store = store();
            let tasks: Vec<u32> = (0..4)
                .map(|n| {
                    push(
                        &mut store,
                        n * 300,
                        Phase::Millis(500),
                        Some(Phase::Millis(700)),
                    )
                })
                .collect();
            for &step in steps {
                store.settle_terminal(0, T0.plus_ms(step));
            }
            tasks
                .iter()
                .map(|&task| seen(&store, task))
                .collect::<Vec<_>>()
        };
        let stepwise: Vec<i64> = (0..=60).map(|n| n * 100).collect();
        assert_eq!(script(&[6_000]), script(&stepwise));
        // Back-to-back: 500–1,200, 1,200–1,900, 1,900–2,600, 2,600–3,300.
        let starts: Vec<Option<i64>> = script(&[6_000]).iter().map(|seen| seen.1).collect();
        assert_eq!(starts, [Some(500), Some(1_200), Some(1_900), Some(2_600)]);
    }

    #[test]
    fn an_earlier_time_never_moves_a_task_back() {
        let mut store = store();
        let task = push(
            &mut store,
            0,
            Phase::Millis(500),
            Some(Phase::Millis(2_000)),
        );
        store.settle_terminal(0, T0.plus_ms(1_000));
        store.settle_terminal(0, T0.plus_ms(10));
        assert_eq!(seen(&store, task), (TaskState::InProgress, Some(500), 500));
    }

    #[test]
    fn a_task_without_in_progress_ends_straight_from_new() {
        let mut store = store();
        let task = push(&mut store, 0, Phase::Millis(300), None);
        store.settle_terminal(0, T0.plus_ms(300));
        assert_eq!(seen(&store, task), (TaskState::Error, None, 300));
    }

    #[test]
    fn a_manual_task_holds_the_device_until_decided() {
        let mut store = store();
        let manual = push(&mut store, 0, Phase::Millis(0), Some(Phase::Manual));
        let next = push(&mut store, 0, Phase::Millis(0), Some(Phase::Millis(100)));
        store.settle_terminal(0, T0.plus_ms(Millis::DAY));
        assert_eq!(seen(&store, manual), (TaskState::InProgress, Some(0), 0));
        assert_eq!(seen(&store, next).0, TaskState::New);
        store.tasks[manual as usize].ready_at = Some(T0.plus_ms(Millis::DAY));
        store.settle_terminal(0, T0.plus_ms(Millis::DAY + 100));
        assert_eq!(seen(&store, manual).0, TaskState::Error);
        assert_eq!(
            seen(&store, next),
            (TaskState::Error, Some(Millis::DAY), Millis::DAY + 100)
        );
    }

    #[test]
    fn polls_phases_wait_for_the_counted_polls() {
        let mut store = store();
        let task = push(&mut store, 0, Phase::Polls(2), Some(Phase::Polls(1)));
        store.settle_terminal(0, T0.plus_ms(Millis::DAY));
        assert_eq!(seen(&store, task).0, TaskState::New);
        store.tasks[task as usize].record_poll(T0.plus_ms(10));
        store.settle_terminal(0, T0.plus_ms(10));
        assert_eq!(seen(&store, task).0, TaskState::New);
        store.tasks[task as usize].record_poll(T0.plus_ms(20));
        store.settle_terminal(0, T0.plus_ms(20));
        assert_eq!(seen(&store, task), (TaskState::InProgress, Some(20), 20));
        store.tasks[task as usize].record_poll(T0.plus_ms(30));
        store.settle_terminal(0, T0.plus_ms(30));
        assert_eq!(seen(&store, task), (TaskState::Error, Some(20), 30));
    }
}
