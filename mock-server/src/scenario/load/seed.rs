//! Initial data: terminals, users and transactions a scenario adds.

use super::*;
use crate::domain::currency::{CURRENCY_RULE, CurrencyCode};

impl Walker {
    pub(super) fn initial(&mut self, node: &Node) -> InitialData {
        let mut initial = InitialData::default();
        let Some(entries) = self.mapping(node, "initial", INITIAL_KEYS) else {
            return initial;
        };
        for (key, _, value) in entries {
            let NodeKind::Sequence(items) = &value.kind else {
                self.fail(value.position, format!("`initial.{key}` must be a list"));
                continue;
            };
            for item in items {
                match key.as_str() {
                    "terminals" => {
                        if let Some(terminal) = self.seed_terminal(item) {
                            initial.terminals.push(terminal);
                        }
                    }
                    "users" => {
                        if let Some(user) = self.seed_user(item) {
                            initial.users.push(user);
                        }
                    }
                    "transactions" => {
                        if let Some(transaction) = self.seed_transaction(item) {
                            initial.transactions.push(transaction);
                        }
                    }
                    _ => {}
                }
            }
        }
        initial
    }

    pub(super) fn required<'a>(
        &mut self,
        node: &Node,
        entries: Entries<'a>,
        what: &str,
        key: &str,
    ) -> Option<&'a Node> {
        let found = entries
            .iter()
            .find(|(name, _, _)| name == key)
            .map(|(_, _, value)| value);
        if found.is_none() {
            self.fail(node.position, format!("`{what}` needs `{key}`"));
        }
        found
    }

    pub(super) fn seed_terminal(&mut self, node: &Node) -> Option<crate::fixtures::Terminal> {
        let entries = self.mapping(node, "initial.terminals[]", SEED_TERMINAL_KEYS)?;
        let what = "initial.terminals[]";
        let tid = self
            .required(node, entries, what, "tid")
            .and_then(|v| self.text(v, "tid"));
        let merchant = self
            .required(node, entries, what, "merchant_id")
            .and_then(|v| self.text(v, "merchant_id"));
        let currency = self
            .required(node, entries, what, "currency")
            .and_then(|value| {
                let code = CurrencyCode::parse(&self.text(value, "currency")?);
                if code.is_none() {
                    self.fail(
                        value.position,
                        format!("`{what}.currency` must be {CURRENCY_RULE}"),
                    );
                }
                code
            });
        let name = entries
            .iter()
            .find(|(key, _, _)| key == "name")
            .and_then(|(_, _, v)| self.text(v, "name"))
            .unwrap_or_default();
        Some(crate::fixtures::Terminal {
            tid: tid?,
            merchant_id: merchant?,
            currency: currency?,
            name,
            first_batch_number: 1,
        })
    }

    pub(super) fn seed_user(&mut self, node: &Node) -> Option<crate::fixtures::User> {
        let entries = self.mapping(node, "initial.users[]", SEED_USER_KEYS)?;
        let what = "initial.users[]";
        let username = self
            .required(node, entries, what, "username")
            .and_then(|v| self.text(v, "username"));
        let password = self
            .required(node, entries, what, "password")
            .and_then(|v| self.text(v, "password"));
        let merchant = self
            .required(node, entries, what, "merchant_id")
            .and_then(|v| self.text(v, "merchant_id"));
        let master = entries
            .iter()
            .find(|(key, _, _)| key == "master")
            .and_then(|(_, _, v)| self.boolean(v, "master"))
            .unwrap_or(false);
        Some(crate::fixtures::User {
            username: username?,
            password: password?,
            merchant_id: merchant?,
            master,
        })
    }

    pub(super) fn seed_transaction(&mut self, node: &Node) -> Option<SeedTransaction> {
        let entries = self.mapping(node, "initial.transactions[]", SEED_TRANSACTION_KEYS)?;
        let what = "initial.transactions[]";
        let terminal = self
            .required(node, entries, what, "terminal")
            .and_then(|v| self.text(v, "terminal"));
        let amount = self.required(node, entries, what, "amount").and_then(|v| {
            self.integer(
                v,
                "initial.transactions[].amount",
                1,
                crate::domain::request::MAX_AMOUNT,
            )
        });
        let mut seed = SeedTransaction {
            terminal: terminal.unwrap_or_default(),
            amount: amount.unwrap_or(1),
            tip: 0,
            age_ms: 0,
            result: PaymentResult::Accepted,
            payment_method: PaymentMethod::Card,
            reference: None,
            ams_id: None,
        };
        for (key, _, value) in entries {
            let path = format!("{what}.{key}");
            match key.as_str() {
                "tip" => {
                    seed.tip = self
                        .integer(value, &path, 0, crate::domain::request::MAX_AMOUNT)
                        .unwrap_or(0)
                }
                "age" => seed.age_ms = self.duration(value, &path).unwrap_or(0),
                "result" => {
                    seed.result = self
                        .choice(
                            value,
                            &path,
                            &[
                                ("ACCEPTED", PaymentResult::Accepted),
                                ("DECLINED", PaymentResult::Declined),
                            ],
                        )
                        .unwrap_or(PaymentResult::Accepted);
                }
                "payment_method" => {
                    seed.payment_method = self
                        .choice(value, &path, &PaymentMethod::choices())
                        .unwrap_or(PaymentMethod::Card);
                }
                "reference" => seed.reference = self.text(value, &path),
                "ams_id" => {
                    seed.ams_id = self.text(value, &path);
                    if seed
                        .ams_id
                        .as_deref()
                        .and_then(crate::domain::ids::parse_digits)
                        .is_none()
                    {
                        self.fail(value.position, format!("`{path}` must be 1 to 18 digits without a leading zero, e.g. \"900000000001\""));
                    }
                }
                _ => {}
            }
        }
        Some(seed)
    }
}
