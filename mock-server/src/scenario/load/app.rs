//! `app:`: what the simulated GP tom app refuses on its deep links.

use super::*;
use crate::domain::app::{AppError, AppStep, ScriptedRefusal};

impl Walker {
    /// `app: { refusals: [ { operation, username?, tid?, error, message? } ] }`.
    pub(super) fn app_section(&mut self, node: &Node) -> Vec<ScriptedRefusal> {
        let Some(entries) = self.mapping(node, "app", APP_KEYS) else {
            return Vec::new();
        };
        let mut refusals = Vec::new();
        for (key, _, value) in entries {
            if key != "refusals" {
                continue;
            }
            let NodeKind::Sequence(items) = &value.kind else {
                self.fail(
                    value.position,
                    format!("`app.refusals` must be a list, found {}", value.kind_name()),
                );
                continue;
            };
            refusals.extend(items.iter().filter_map(|item| self.app_refusal(item)));
        }
        refusals
    }

    fn app_refusal(&mut self, node: &Node) -> Option<ScriptedRefusal> {
        let entries = self.mapping(node, "app.refusals[]", APP_REFUSAL_KEYS)?;
        let get = |name: &str| {
            entries
                .iter()
                .find(|(key, _, _)| key == name)
                .map(|(_, _, value)| value)
        };
        let Some(operation) = get("operation") else {
            self.fail(
                node.position,
                "an app refusal needs `operation`: login, change-password, transaction/create, transaction/cancel or batch/close",
            );
            return None;
        };
        let steps: Vec<(&str, AppStep)> = AppStep::ALL
            .iter()
            .map(|step| (step.as_str(), *step))
            .collect();
        let step = self.choice(operation, "app.refusals[].operation", &steps)?;
        let Some(error_node) = get("error") else {
            self.fail(
                node.position,
                format!(
                    "an app refusal needs `error`, one of {}",
                    words(step.words())
                ),
            );
            return None;
        };
        let words_of_step: Vec<(&str, AppError)> = step
            .words()
            .iter()
            .map(|word| (word.as_str(), *word))
            .collect();
        let error = self.choice(
            error_node,
            &format!("app.refusals[].error (of {})", step.as_str()),
            &words_of_step,
        )?;
        let username =
            get("username").and_then(|value| self.text(value, "app.refusals[].username"));
        let tid = get("tid").and_then(|value| self.text(value, "app.refusals[].tid"));
        let message = get("message")
            .and_then(|value| self.text(value, "app.refusals[].message"))
            .unwrap_or_else(|| {
                format!(
                    "the scenario makes GP tom's app refuse with `{}`",
                    error.as_str()
                )
            });
        Some(ScriptedRefusal {
            step,
            username,
            tid,
            error,
            message,
        })
    }
}

fn words(words: &[AppError]) -> String {
    words
        .iter()
        .map(|word| word.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
