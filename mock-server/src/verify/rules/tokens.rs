//! How a client treats its access token: one login per terminal while the token is good, and a
//! 401 answered by a new token, never by the same one again.

use std::collections::{HashMap, HashSet};

use super::Rule;
use crate::verify::Evidence;
use crate::verify::exchange::{Exchange, Kind};

/// `token-reuse`: a second password login for a terminal only after its token stopped working
/// (a 401, or a refused refresh).
#[derive(Default)]
pub struct TokenReuse {
    logins: HashMap<String, usize>,
    token_failed: HashMap<String, bool>,
}

impl Rule for TokenReuse {
    fn id(&self) -> &'static str {
        "token-reuse"
    }

    fn title(&self) -> &'static str {
        "reuses the access token instead of logging in for every call"
    }

    fn observe(&mut self, exchange: &Exchange<'_>, findings: &mut Vec<Evidence>) {
        let terminal = &exchange.terminal;
        match &exchange.kind {
            Kind::Token { grant } => match grant.as_deref() {
                Some("password") if exchange.entry.status == 200 => {
                    let count = self.logins.entry(terminal.clone()).or_insert(0);
                    *count += 1;
                    let justified = self.token_failed.get(terminal).copied().unwrap_or(false);
                    if *count > 1 && !justified {
                        findings.push(exchange.evidence(format!(
                            "password login #{count} for terminal {terminal} while its token was still good"
                        )));
                    }
                    self.token_failed.insert(terminal.clone(), false);
                }
                Some("refresh_token") if exchange.entry.status != 200 => {
                    self.token_failed.insert(terminal.clone(), true);
                }
                _ => {}
            },
            Kind::Unauthorized => match &exchange.entry.terminal {
                Some(terminal) => {
                    self.token_failed.insert(terminal.to_string(), true);
                }
                None => self
                    .token_failed
                    .values_mut()
                    .for_each(|failed| *failed = true),
            },
            _ => {}
        }
    }
}

/// `refresh-once-on-401`: a token answered 401 is never sent again.
#[derive(Default)]
pub struct RefreshOnceOn401 {
    rejected: HashSet<String>,
}

impl Rule for RefreshOnceOn401 {
    fn id(&self) -> &'static str {
        "refresh-once-on-401"
    }

    fn title(&self) -> &'static str {
        "reacts to a 401 by getting a new token, not by repeating the same token"
    }

    fn observe(&mut self, exchange: &Exchange<'_>, findings: &mut Vec<Evidence>) {
        if !matches!(exchange.kind, Kind::Unauthorized) {
            return;
        }
        let token = exchange.entry.authorization_masked().unwrap_or_default();
        if !token.is_empty() && !self.rejected.insert(token) {
            findings.push(exchange.evidence("the same rejected token was sent again"));
        }
    }
}
