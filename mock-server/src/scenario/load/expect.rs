//! Expectations (`expect:`): what a scenario promises, run by the tests.

use super::*;

impl Walker {
    pub(super) fn expectations(&mut self, node: &Node) -> Vec<Expectation> {
        let NodeKind::Sequence(items) = &node.kind else {
            self.fail(node.position, "`expect` must be a list of steps");
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| self.expectation(item))
            .collect()
    }

    pub(super) fn expectation(&mut self, node: &Node) -> Option<Expectation> {
        let entries = self.mapping(node, "expect[]", EXPECT_KEYS)?;
        let get = |name: &str| {
            entries
                .iter()
                .find(|(key, _, _)| key == name)
                .map(|(_, _, value)| value)
        };
        let steps = ["sale", "cancel", "close_batch", "advance", "refresh"]
            .iter()
            .filter(|key| get(key).is_some())
            .count();
        if steps != 1 {
            self.fail(node.position, "an `expect` step needs exactly one of `sale`, `cancel`, `close_batch`, `advance`, `refresh`");
            return None;
        }
        let step = if let Some(value) = get("sale") {
            ExpectStep::Sale {
                amount: self.integer(
                    value,
                    "expect[].sale",
                    1,
                    crate::domain::request::MAX_AMOUNT,
                )?,
                reference: get("reference")
                    .and_then(|value| self.text(value, "expect[].reference")),
            }
        } else if let Some(value) = get("cancel") {
            let text = self.text(value, "expect[].cancel")?;
            if text == "last" {
                ExpectStep::CancelLast
            } else {
                ExpectStep::CancelOlder { ams_id: text }
            }
        } else if get("close_batch").is_some() {
            ExpectStep::CloseBatch
        } else if let Some(value) = get("advance") {
            ExpectStep::Advance {
                ms: self.duration(value, "expect[].advance")?,
            }
        } else {
            ExpectStep::Refresh
        };
        let status = |walker: &mut Walker, key: &str| {
            get(key)
                .and_then(|value| walker.integer(value, &format!("expect[].{key}"), 0, 599))
                .map(|n| n as u16)
        };
        Some(Expectation {
            step,
            terminal: get("terminal").and_then(|value| self.text(value, "expect[].terminal")),
            status: status(self, "status"),
            poll_status: status(self, "poll_status"),
            task: get("task").and_then(|value| {
                self.choice(
                    value,
                    "expect[].task",
                    &[
                        ("COMPLETED", "COMPLETED"),
                        ("CANCELED", "CANCELED"),
                        ("CANCELLED", "CANCELLED"),
                        ("ERROR", "ERROR"),
                    ],
                )
                .map(str::to_owned)
            }),
            result: get("result").and_then(|value| {
                self.choice(
                    value,
                    "expect[].result",
                    &[
                        ("ACCEPTED", PaymentResult::Accepted),
                        ("DECLINED", PaymentResult::Declined),
                        ("CANCELLED", PaymentResult::Cancelled),
                    ],
                )
            }),
            refusal: get("refusal").and_then(|value| self.refusal(value, "expect[].refusal")),
            error_code: get("error_code")
                .and_then(|value| self.integer(value, "expect[].error_code", 0, 999))
                .map(|n| n as u16),
            master: get("master")
                .and_then(|value| self.boolean(value, "expect[].master"))
                .unwrap_or(false),
            elapsed_at_least_ms: get("elapsed_at_least")
                .and_then(|value| self.duration(value, "expect[].elapsed_at_least")),
            batch_total_amount: get("batch_total_amount").and_then(|value| {
                self.integer(value, "expect[].batch_total_amount", i64::MIN, i64::MAX)
            }),
        })
    }
}
