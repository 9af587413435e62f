//! Terminal conditions (offline, busy, inactive) and the token policy.

use super::*;
use crate::domain::currency::{CURRENCY_RULE, CurrencyCode};

impl Walker {
    pub(super) fn conditions(&mut self, node: &Node) -> BTreeMap<String, TerminalCondition> {
        let mut conditions = BTreeMap::new();
        let NodeKind::Mapping(entries) = &node.kind else {
            self.fail(
                node.position,
                "`terminal_conditions` must be a mapping of TID to conditions",
            );
            return conditions;
        };
        for (tid, _, value) in entries {
            let what = format!("terminal_conditions.{tid}");
            let Some(fields) = self.mapping(value, &what, CONDITION_KEYS) else {
                continue;
            };
            let mut condition = TerminalCondition::default();
            for (key, _, value) in fields {
                let path = format!("{what}.{key}");
                match key.as_str() {
                    "offline" => condition.offline_ms = self.duration(value, &path),
                    "inactive" => condition.inactive = self.boolean(value, &path).unwrap_or(false),
                    "busy" => condition.busy_ms = self.duration(value, &path),
                    "currency" => {
                        if let Some(code) = self.text(value, &path) {
                            condition.currency = CurrencyCode::parse(&code);
                            if condition.currency.is_none() {
                                self.fail(
                                    value.position,
                                    format!("`{path}` must be {CURRENCY_RULE}"),
                                );
                            }
                        }
                    }
                    "timeline" => condition.timeline = self.timeline(value, Timeline::default()),
                    "manual" => condition.manual = self.boolean(value, &path).unwrap_or(false),
                    _ => {}
                }
            }
            conditions.insert(tid.clone(), condition);
        }
        conditions
    }

    pub(super) fn tokens(&mut self, node: &Node) -> TokenPolicy {
        let mut policy = TokenPolicy::default();
        let Some(entries) = self.mapping(node, "tokens", TOKEN_KEYS) else {
            return policy;
        };
        for (key, _, value) in entries {
            let path = format!("tokens.{key}");
            let seconds = |ms: i64| (ms / 1000).max(1);
            match key.as_str() {
                "access_ttl" => {
                    policy.access_ttl_s = self
                        .duration(value, &path)
                        .map_or(policy.access_ttl_s, seconds)
                }
                "master_access_ttl" => {
                    policy.master_access_ttl_s = self
                        .duration(value, &path)
                        .map_or(policy.master_access_ttl_s, seconds);
                }
                "refresh_ttl" => {
                    policy.refresh_ttl_s = self
                        .duration(value, &path)
                        .map_or(policy.refresh_ttl_s, seconds)
                }
                "access_max_uses" => {
                    policy.access_max_uses =
                        self.integer(value, &path, 1, 1_000_000).map(|n| n as u32);
                }
                "access_expires_at" => {
                    let text = self.text(value, &path).unwrap_or_default();
                    match Millis::parse_iso(&text) {
                        Some(at) => policy.access_expire_at_ms = Some(at.0),
                        None => self.fail(
                            value.position,
                            format!(
                                "`{path}` must be an RFC 3339 instant, e.g. 2026-01-15T09:05:00Z"
                            ),
                        ),
                    }
                }
                "refresh" => {
                    if let Some(behaviour) = self.choice(
                        value,
                        &path,
                        &[
                            ("reuse", RefreshBehaviour::Reuse),
                            ("rotate", RefreshBehaviour::Rotate),
                            ("reject", RefreshBehaviour::Reject),
                        ],
                    ) {
                        policy.refresh = behaviour;
                    }
                }
                _ => {}
            }
        }
        policy
    }
}
