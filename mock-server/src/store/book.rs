//! The scenario book: which scenarios are active, the terminals they add and condition, manual
//! terminals, and the fixtures in force.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::clock::Millis;
use crate::domain::batch::BatchTotals;
use crate::domain::terminal::TerminalState;
use crate::fixtures::Fixtures;
use crate::scenario::{Scenario, TokenPolicy};

use super::{Store, StoreError};

impl Store {
    pub(super) fn add_terminals(&mut self, now: Millis) {
        for terminal in &self.fixtures.terminals {
            if self.terminal_index.contains_key(&terminal.tid) {
                continue;
            }
            let index = u16::try_from(self.terminals.len()).unwrap_or(u16::MAX);
            self.terminal_index.insert(terminal.tid.clone(), index);
            self.terminals.push(TerminalState {
                tid: terminal.tid.as_str().into(),
                merchant_id: terminal.merchant_id.clone(),
                company: self
                    .fixtures
                    .company_of(&terminal.merchant_id)
                    .unwrap_or(&terminal.merchant_id)
                    .to_owned(),
                currency: terminal.currency,
                name: terminal.name.clone(),
                queue: VecDeque::new(),
                free_at: now,
                batch_number: terminal.first_batch_number,
                batch_opened: now,
                batch_totals: BatchTotals::default(),
                last_transaction: None,
                transaction_tasks: 0,
                sequence: 0,
                receipt: 0,
            });
        }
    }

    /// Makes `scenarios` the active ones: adds their terminals and users, records their seeded
    /// transactions, applies their terminal conditions. Recorded data is kept.
    pub fn activate(&mut self, scenarios: Vec<Arc<Scenario>>, now: Millis) {
        let extra_terminals: Vec<crate::fixtures::Terminal> = scenarios
            .iter()
            .flat_map(|scenario| scenario.initial.terminals.iter().cloned())
            .collect();
        let extra_users: Vec<crate::fixtures::User> = scenarios
            .iter()
            .flat_map(|scenario| scenario.initial.users.iter().cloned())
            .collect();
        if !extra_terminals.is_empty() || !extra_users.is_empty() {
            let mut fixtures = (*self.fixtures).clone();
            for terminal in extra_terminals {
                if !fixtures
                    .terminals
                    .iter()
                    .any(|known| known.tid == terminal.tid)
                {
                    fixtures.terminals.push(terminal);
                }
            }
            for user in extra_users {
                if !fixtures
                    .users
                    .iter()
                    .any(|known| known.username == user.username)
                {
                    fixtures.users.push(user);
                }
            }
            self.fixtures = Arc::new(fixtures);
            self.add_terminals(now);
        }
        self.scenarios = scenarios;
        self.fault_counts.clear();
        self.mark_meta();
        self.apply_conditions(now);
        let seeds: Vec<crate::scenario::SeedTransaction> = self
            .scenarios
            .iter()
            .flat_map(|scenario| scenario.initial.transactions.iter().cloned())
            .collect();
        for seed in seeds {
            self.seed_transaction(&seed, now);
        }
    }

    /// Whether a terminal's tasks wait for a person's decision.
    #[must_use]
    pub fn is_manual(&self, terminal: u16) -> bool {
        let tid = &self.terminals[usize::from(terminal)].tid;
        self.manual_all
            || self.manual_terminals.contains(&terminal)
            || self
                .scenario_for(tid)
                .terminal_conditions
                .get(&**tid)
                .is_some_and(|condition| condition.manual)
    }

    /// Switches a terminal (or, with `None`, the whole mock) to manual decisions or back.
    pub fn set_manual(&mut self, tid: Option<&str>, manual: bool) -> Result<(), StoreError> {
        match tid {
            None => {
                self.manual_all = manual;
                self.mark_meta();
            }
            Some(tid) => {
                let index = *self
                    .terminal_index
                    .get(tid)
                    .ok_or(StoreError::NotFound("terminal"))?;
                if manual {
                    self.manual_terminals.insert(index);
                } else {
                    self.manual_terminals.remove(&index);
                }
                self.mark_meta();
            }
        }
        Ok(())
    }

    /// Whether every terminal is manual.
    #[must_use]
    pub fn manual_all(&self) -> bool {
        self.manual_all
    }

    /// The active scenarios, most specific first.
    #[must_use]
    pub fn scenarios(&self) -> &[Arc<Scenario>] {
        &self.scenarios
    }

    /// The fixtures.
    #[must_use]
    pub fn fixtures(&self) -> &Fixtures {
        &self.fixtures
    }

    pub(super) fn apply_conditions(&mut self, now: Millis) {
        for index in 0..self.terminals.len() {
            let tid = self.terminals[index].tid.clone();
            let scenario = Arc::clone(self.scenario_for(&tid));
            let fixture_currency = self
                .fixtures
                .terminals
                .iter()
                .find(|terminal| *terminal.tid == *tid)
                .map(|terminal| terminal.currency);
            let condition = scenario.terminal_conditions.get(&*tid);
            let terminal = &mut self.terminals[index];
            terminal.currency = condition
                .and_then(|condition| condition.currency)
                .or(fixture_currency)
                .unwrap_or(terminal.currency);
            if let Some(busy_ms) = condition.and_then(|condition| condition.busy_ms) {
                terminal.free_at = terminal.free_at.max(now.plus_ms(busy_ms));
            }
            self.mark_terminal(u16::try_from(index).unwrap_or(u16::MAX));
        }
    }

    /// The scenario that governs a terminal.
    #[must_use]
    pub fn scenario_for(&self, tid: &str) -> &Arc<Scenario> {
        self.scenarios
            .iter()
            .find(|scenario| scenario.terminals.is_some() && scenario.applies_to(tid))
            .or_else(|| {
                self.scenarios
                    .iter()
                    .find(|scenario| scenario.terminals.is_none())
            })
            .unwrap_or(&self.default_scenario)
    }

    pub(super) fn token_policy(&self, tid: Option<&str>) -> &TokenPolicy {
        match tid {
            Some(tid) => &self.scenario_for(tid).tokens,
            None => &self.scenario_for("").tokens,
        }
    }
}
