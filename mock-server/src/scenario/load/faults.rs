//! HTTP faults and the wire profile.

use super::*;

impl Walker {
    pub(super) fn faults(&mut self, node: &Node) -> Vec<Fault> {
        let NodeKind::Sequence(items) = &node.kind else {
            self.fail(
                node.position,
                format!("`faults` must be a list, found {}", node.kind_name()),
            );
            return Vec::new();
        };
        items.iter().filter_map(|item| self.fault(item)).collect()
    }

    pub(super) fn fault(&mut self, node: &Node) -> Option<Fault> {
        let entries = self.mapping(node, "faults[]", FAULT_KEYS)?;
        let mut fault = Fault {
            name: None,
            method: None,
            path: String::new(),
            terminal: None,
            first: None,
            after: 0,
            probability: None,
            action: FaultAction::Empty,
        };
        let mut actions = 0;
        let mut path_seen = false;
        for (key, _, value) in entries {
            let path = format!("faults[].{key}");
            match key.as_str() {
                "name" => fault.name = self.text(value, &path),
                "method" => {
                    fault.method = self
                        .choice(
                            value,
                            &path,
                            &[
                                ("GET", "GET"),
                                ("POST", "POST"),
                                ("PUT", "PUT"),
                                ("DELETE", "DELETE"),
                            ],
                        )
                        .map(str::to_owned);
                }
                "path" => {
                    path_seen = true;
                    if let Some(pattern) = self.text(value, &path) {
                        if !pattern.starts_with('/') {
                            self.fail(
                                value.position,
                                "`faults[].path` must start with `/` (a prefix may end in `*`)",
                            );
                        }
                        fault.path = pattern;
                    }
                }
                "terminal" => fault.terminal = self.texts(value, &path),
                "first" => fault.first = self.integer(value, &path, 1, 1_000_000).map(|n| n as u32),
                "after" => {
                    fault.after = self
                        .integer(value, &path, 0, 1_000_000)
                        .map_or(0, |n| n as u32)
                }
                "probability" => {
                    let text = value.scalar().unwrap_or_default();
                    match text.parse::<f64>() {
                        Ok(probability) if (0.0..=1.0).contains(&probability) => {
                            fault.probability = Some(probability)
                        }
                        _ => self.fail(
                            value.position,
                            format!("`{path}` must be a number from 0 to 1, found `{text}`"),
                        ),
                    }
                }
                "respond" => {
                    actions += 1;
                    fault.action = self.respond(value)?;
                }
                "latency" => {
                    actions += 1;
                    fault.action = FaultAction::Latency {
                        ms: self
                            .duration(value, &path)
                            .map_or(0, |ms| ms.clamp(0, 60_000) as u64),
                    };
                }
                "drop" | "malformed" | "truncated" | "empty" => {
                    actions += 1;
                    if self.boolean(value, &path) == Some(false) {
                        self.fail(
                            value.position,
                            format!("`{path}: false` does nothing; remove it"),
                        );
                    }
                    fault.action = match key.as_str() {
                        "drop" => FaultAction::Drop,
                        "malformed" => FaultAction::Malformed,
                        "truncated" => FaultAction::Truncated,
                        _ => FaultAction::Empty,
                    };
                }
                _ => {}
            }
        }
        if !path_seen {
            self.fail(
                node.position,
                "a fault needs `path` (e.g. /v1/tasks/* or /cloud/oauth/token)",
            );
        }
        if actions != 1 {
            self.fail(node.position, "a fault needs exactly one of `respond`, `latency`, `drop`, `malformed`, `truncated`, `empty`");
        }
        Some(fault)
    }

    pub(super) fn respond(&mut self, node: &Node) -> Option<FaultAction> {
        let entries = self.mapping(node, "faults[].respond", RESPOND_KEYS)?;
        let mut status = None;
        let mut body = None;
        let mut retry_after = None;
        for (key, _, value) in entries {
            let path = format!("faults[].respond.{key}");
            match key.as_str() {
                "status" => status = self.integer(value, &path, 100, 599).map(|n| n as u16),
                "body" => body = self.text(value, &path),
                "retry_after" => {
                    retry_after = self.integer(value, &path, 0, 86_400).map(|n| n as u32)
                }
                _ => {}
            }
        }
        let Some(status) = status else {
            self.fail(node.position, "`faults[].respond` needs `status`");
            return None;
        };
        Some(FaultAction::Respond {
            status,
            body,
            retry_after,
        })
    }

    pub(super) fn wire(&mut self, node: &Node) -> WireProfile {
        let mut wire = WireProfile::default();
        let Some(entries) = self.mapping(node, "wire", WIRE_KEYS) else {
            return wire;
        };
        for (key, _, value) in entries {
            match key.as_str() {
                "canceled_spelling" => {
                    if let Some(spelling) = self.choice(
                        value,
                        "wire.canceled_spelling",
                        &[
                            ("CANCELED", CanceledSpelling::Canceled),
                            ("CANCELLED", CanceledSpelling::Cancelled),
                        ],
                    ) {
                        wire.canceled_spelling = spelling;
                    }
                }
                "create_status" => {
                    if let Some(status) = self.choice(
                        value,
                        "wire.create_status",
                        &[("200", 200), ("201", 201), ("202", 202)],
                    ) {
                        wire.create_status = status;
                    }
                }
                "reference_max_length" => {
                    if let Some(length) = self.integer(
                        value,
                        "wire.reference_max_length",
                        1,
                        crate::domain::request::MAX_REFERENCE_LEN as i64,
                    ) {
                        wire.reference_max_length = length as u16;
                    }
                }
                "app_canceled_spelling" => {
                    if let Some(spelling) = self.choice(
                        value,
                        "wire.app_canceled_spelling",
                        &[
                            ("CANCELLED", CanceledSpelling::Cancelled),
                            ("CANCELED", CanceledSpelling::Canceled),
                        ],
                    ) {
                        wire.app_canceled_spelling = spelling;
                    }
                }
                "app_mastercard_spelling" => {
                    if let Some(spelling) = self.choice(
                        value,
                        "wire.app_mastercard_spelling",
                        &[
                            ("MASTERCARD", MastercardSpelling::Mastercard),
                            ("MASTER", MastercardSpelling::Master),
                        ],
                    ) {
                        wire.app_mastercard_spelling = spelling;
                    }
                }
                "app" => {
                    let options: Vec<(&str, AppProfile)> = AppProfile::ALL
                        .iter()
                        .map(|profile| (profile.as_str(), *profile))
                        .collect();
                    wire.app = self.choice(value, "wire.app", &options);
                }
                "cloud_dcc_data" => {
                    wire.cloud_dcc_data =
                        self.boolean(value, "wire.cloud_dcc_data").unwrap_or(false);
                }
                _ => {}
            }
        }
        wire
    }
}
