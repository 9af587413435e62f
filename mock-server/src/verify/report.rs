//! A report as people and CI read it: text, one line per rule, and JUnit XML, one test case per
//! rule.

use super::{Report, RuleResult};

impl RuleResult {
    /// One line: the rule and its first violation, with how many more there are.
    #[must_use]
    pub fn headline(&self) -> String {
        let Some(first) = self.evidence.first() else {
            return format!("{}: {}", self.id, self.title);
        };
        let more = match self.evidence.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more violation)".to_owned(),
            n => format!(" (and {n} more violations)"),
        };
        format!(
            "{}: {} (request #{} {} {} -> {}){more}",
            self.id, first.note, first.seq, first.method, first.path, first.status
        )
    }
}

impl Report {
    /// Human text: one line per rule, evidence indented.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for rule in &self.rules {
            let mark = match rule.outcome {
                "passed" => "PASS",
                "failed" => "FAIL",
                _ => "SKIP",
            };
            text.push_str(&format!("{mark} {:<31} {}\n", rule.id, rule.title));
            for item in &rule.evidence {
                text.push_str(&format!(
                    "       #{} {} {} → {}: {}\n",
                    item.seq, item.method, item.path, item.status, item.note
                ));
            }
        }
        let failed = self
            .rules
            .iter()
            .filter(|rule| rule.outcome == "failed")
            .count();
        text.push_str(&format!(
            "{} passed, {failed} failed ({} requests judged)\n",
            self.rules
                .iter()
                .filter(|rule| rule.outcome == "passed")
                .count(),
            self.requests
        ));
        text
    }

    /// JUnit XML: one test case per rule, so CI shows each rule.
    #[must_use]
    pub fn to_junit(&self) -> String {
        let failures = self
            .rules
            .iter()
            .filter(|rule| rule.outcome == "failed")
            .count();
        let skipped = self
            .rules
            .iter()
            .filter(|rule| rule.outcome == "skipped")
            .count();
        // The rules judge a recorded journal: no time passes per rule, but CI viewers want the
        // attribute.
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"gptom-contract\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">\n",
            self.rules.len()
        );
        for rule in &self.rules {
            xml.push_str(&format!(
                "  <testcase classname=\"gptom.contract\" name=\"{}: {}\" time=\"0\">\n",
                rule.id,
                escape(rule.title)
            ));
            match rule.outcome {
                "failed" => {
                    let details: Vec<String> = rule
                        .evidence
                        .iter()
                        .map(|item| {
                            format!(
                                "#{} {} {} -> {}: {}",
                                item.seq, item.method, item.path, item.status, item.note
                            )
                        })
                        .collect();
                    xml.push_str(&format!(
                        "    <failure message=\"{}\">{}</failure>\n",
                        escape(&rule.headline()),
                        escape(&details.join("\n"))
                    ));
                }
                "skipped" => xml.push_str("    <skipped/>\n"),
                _ => {}
            }
            xml.push_str("  </testcase>\n");
        }
        xml.push_str("</testsuite>\n");
        xml
    }
}

/// XML attribute and text escaping for the JUnit reports.
pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
