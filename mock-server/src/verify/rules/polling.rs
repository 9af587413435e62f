//! How a client polls a task: not too fast, not after it is final, and reading a transaction only
//! once a task has reported it.

use std::collections::{HashMap, HashSet};

use super::Rule;
use crate::verify::Evidence;
use crate::verify::exchange::{Exchange, Kind, is_final};

/// `poll-interval`: polls of one task no closer than the scenario's minimum.
pub struct PollInterval {
    min_ms: i64,
    last_poll: HashMap<String, i64>,
}

impl PollInterval {
    pub fn new(min_ms: i64) -> Self {
        PollInterval {
            min_ms,
            last_poll: HashMap::new(),
        }
    }
}

impl Rule for PollInterval {
    fn id(&self) -> &'static str {
        "poll-interval"
    }

    fn title(&self) -> &'static str {
        "polls a task no faster than the minimum interval"
    }

    fn observe(&mut self, exchange: &Exchange<'_>, findings: &mut Vec<Evidence>) {
        let Kind::PollTask { task } = exchange.kind else {
            return;
        };
        let time = exchange.entry.time_ms.0;
        if let Some(previous) = self.last_poll.insert(task.to_owned(), time) {
            let gap = time - previous;
            if gap < self.min_ms {
                findings.push(exchange.evidence(format!(
                    "polled {gap} ms after the previous poll (minimum {} ms)",
                    self.min_ms
                )));
            }
        }
    }
}

/// `stop-polling-when-final`: no poll of a task after an answer said it was final.
#[derive(Default)]
pub struct StopPollingWhenFinal {
    final_seen: HashSet<String>,
}

impl Rule for StopPollingWhenFinal {
    fn id(&self) -> &'static str {
        "stop-polling-when-final"
    }

    fn title(&self) -> &'static str {
        "stops polling a task once it is final"
    }

    fn observe(&mut self, exchange: &Exchange<'_>, findings: &mut Vec<Evidence>) {
        let Kind::PollTask { task } = exchange.kind else {
            return;
        };
        if self.final_seen.contains(task) {
            findings.push(exchange.evidence(format!("polled task {task} after it was final")));
        }
        if exchange.answered("state").is_some_and(is_final) {
            self.final_seen.insert(task.to_owned());
        }
    }
}

/// `transaction-after-completed`: a transaction is read only once a final task named it.
#[derive(Default)]
pub struct TransactionAfterCompleted {
    reported: HashSet<String>,
}

impl Rule for TransactionAfterCompleted {
    fn id(&self) -> &'static str {
        "transaction-after-completed"
    }

    fn title(&self) -> &'static str {
        "reads a transaction only after its task reported it"
    }

    fn observe(&mut self, exchange: &Exchange<'_>, findings: &mut Vec<Evidence>) {
        match exchange.kind {
            Kind::PollTask { .. } => {
                if exchange.answered("state").is_some_and(is_final)
                    && let Some(transaction) = exchange.answered("transactionId")
                {
                    self.reported.insert(transaction.to_owned());
                }
            }
            Kind::ReadTransaction { transaction } if !self.reported.contains(transaction) => {
                findings.push(exchange.evidence(format!(
                    "read transaction {transaction} before any task reported it as final"
                )));
            }
            _ => {}
        }
    }
}
