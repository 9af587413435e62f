//! What a client does with money: no second sale for a reference while the first is unresolved,
//! and cancellations on the payment's own terminal.

use std::collections::HashMap;

use serde_json::Value;

use super::Rule;
use crate::verify::Evidence;
use crate::verify::exchange::{Exchange, Kind, is_final};

/// `no-double-sale`: a sale's reference is reused only once the first sale's task is known final
/// (an answer lost in transit leaves it unresolved).
#[derive(Default)]
pub struct NoDoubleSale {
    /// reference → (task id, the request's journal number)
    open_sales: HashMap<String, (String, u64)>,
    task_reference: HashMap<String, String>,
    task_state: HashMap<String, String>,
}

impl Rule for NoDoubleSale {
    fn id(&self) -> &'static str {
        "no-double-sale"
    }

    fn title(&self) -> &'static str {
        "never creates a second sale with the same reference while the first is unresolved"
    }

    fn observe(&mut self, exchange: &Exchange<'_>, findings: &mut Vec<Evidence>) {
        match exchange.kind {
            Kind::CreateTransaction => {
                let task_id = exchange.answered("taskId");
                if exchange.sent("transactionType") == Some("SALE")
                    && let Some(reference) = exchange.sent("originReferenceNum")
                {
                    let unresolved = self.open_sales.get(reference).filter(|(task, _)| {
                        self.task_state
                            .get(task)
                            .is_none_or(|state| !is_final(state))
                    });
                    if let Some((task, seq)) = unresolved {
                        findings.push(exchange.evidence(format!(
                            "second sale with reference `{reference}` while task {task} (request #{seq}) was not known to be final"
                        )));
                    }
                    let entry = exchange.entry;
                    if let Some(task) = task_id {
                        self.open_sales
                            .insert(reference.to_owned(), (task.to_owned(), entry.seq));
                        self.task_reference
                            .insert(task.to_owned(), reference.to_owned());
                    } else if entry.status == 0 || entry.response_body.is_empty() {
                        self.open_sales.insert(
                            reference.to_owned(),
                            ("<unknown: answer lost>".into(), entry.seq),
                        );
                    }
                }
                if let Some(task) = task_id {
                    let state = exchange.answered("state").unwrap_or("NEW");
                    self.task_state.insert(task.to_owned(), state.to_owned());
                }
            }
            Kind::PollTask { task } => {
                let Some(state) = exchange.answered("state") else {
                    return;
                };
                self.task_state.insert(task.to_owned(), state.to_owned());
                if is_final(state)
                    && let Some(reference) = self.task_reference.get(task)
                {
                    self.open_sales.remove(reference);
                }
            }
            _ => {}
        }
    }
}

/// `cancel-rules`: a CANCEL names a payment of its own terminal, and no task ends with GP tom's
/// 47 (cancellation not allowed).
#[derive(Default)]
pub struct CancelRules {
    /// amsID → terminal, from the transactions the client read.
    ams_terminal: HashMap<String, String>,
}

impl Rule for CancelRules {
    fn id(&self) -> &'static str {
        "cancel-rules"
    }

    fn title(&self) -> &'static str {
        "cancels on the terminal of the payment, LAST_TRANSACTION only right after the sale"
    }

    fn observe(&mut self, exchange: &Exchange<'_>, findings: &mut Vec<Evidence>) {
        match exchange.kind {
            Kind::CreateTransaction => {
                if exchange.sent("transactionType") == Some("CANCEL")
                    && let Some(origin) = exchange.sent("originTransactionID")
                    && let Some(owner) = self.ams_terminal.get(origin)
                    && owner != &exchange.terminal
                {
                    findings.push(exchange.evidence(format!(
                        "cancels {origin} of terminal {owner} from terminal {}",
                        exchange.terminal
                    )));
                }
            }
            Kind::PollTask { task } => {
                let code = exchange
                    .response
                    .get("error")
                    .and_then(|error| error.get("code"))
                    .and_then(Value::as_u64);
                if exchange.answered("state").is_some_and(is_final) && code == Some(47) {
                    findings.push(
                        exchange
                            .evidence(format!("task {task} ended 47: cancellation not allowed")),
                    );
                }
            }
            Kind::ReadTransaction { .. } => {
                if let (Some(ams), Some(terminal)) =
                    (exchange.answered("amsID"), exchange.answered("terminalID"))
                {
                    self.ams_terminal
                        .insert(ams.to_owned(), terminal.to_owned());
                }
            }
            _ => {}
        }
    }
}
