//! HTTP faults a scenario asks for, matched per request with their counters and seeded chance.

use super::Store;

impl Store {
    /// Whether any active scenario injects HTTP faults.
    #[must_use]
    pub fn has_faults(&self) -> bool {
        self.scenarios
            .iter()
            .any(|scenario| !scenario.faults.is_empty())
    }

    /// The fault to inject into this request, if any (counts the match).
    pub fn fault_for(
        &mut self,
        method: &str,
        path: &str,
        tid: Option<&str>,
    ) -> Option<crate::scenario::Fault> {
        for (scenario_index, scenario) in self.scenarios.iter().enumerate() {
            let bound_elsewhere =
                scenario.terminals.is_some() && !tid.is_some_and(|tid| scenario.applies_to(tid));
            if bound_elsewhere {
                continue;
            }
            for (fault_index, fault) in scenario.faults.iter().enumerate() {
                let method_ok = fault
                    .method
                    .as_deref()
                    .is_none_or(|wanted| wanted.eq_ignore_ascii_case(method));
                let path_ok = match fault.path.strip_suffix('*') {
                    Some(prefix) => path.starts_with(prefix),
                    None => fault.path == path,
                };
                let terminal_ok = fault.terminal.as_ref().is_none_or(|tids| {
                    tid.is_some_and(|tid| tids.iter().any(|known| known == tid))
                });
                if !(method_ok && path_ok && terminal_ok) {
                    continue;
                }
                let seen = self
                    .fault_counts
                    .entry((scenario_index, fault_index))
                    .or_insert(0);
                *seen = seen.saturating_add(1);
                let position = *seen;
                self.changes.meta();
                if position <= fault.after {
                    continue;
                }
                if fault
                    .first
                    .is_some_and(|first| position - fault.after > first)
                {
                    continue;
                }
                if let Some(probability) = fault.probability
                    && !self.fault_rng.chance(probability)
                {
                    continue;
                }
                return Some(fault.clone());
            }
        }
        None
    }
}
