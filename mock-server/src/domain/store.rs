//! The store: every terminal, task, transaction, batch and refresh token of the mock, and the pure
//! operations on them. Callers hold the lock, pass `now`, and get wire bodies back.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use super::batch::{Batch, BatchBody, BatchTotals};
use super::card::draw_card;
use super::chunked::Chunked;
use super::ids::{IdGenerator, format_uuid, parse_digits, parse_uuid};
use super::refusal::Refusal;
use super::request::{
    BatchRequest, CancelMode, FieldError, PaymentMethod, TransactionRequest, TransactionType,
};
use super::storno::{StornoRequest, decide_storno};
use super::task::{Plan, Task, TaskBody, TaskError, TaskKind, TaskState, TaskView};
use super::terminal::TerminalState;
use super::token::{Claims, RefreshRecord, TokenError, TokenKeys};
use super::transaction::{Transaction, TransactionBody};
use crate::clock::Millis;
use crate::fixtures::Fixtures;
use crate::scenario::{
    Outcome, PaymentResult, Phase, RefreshBehaviour, RequestFacts, Scenario, TokenPolicy,
};

/// How many ids of a terminal's queue a snapshot shows (with the queue's length).
const QUEUE_SHOWN: usize = 20;

/// How many refresh tokens are kept before the oldest are forgotten.
pub const REFRESH_TOKEN_CAPACITY: usize = 100_000;

/// Who is calling, from a verified access token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The user (index in the fixtures).
    pub user: u16,
    /// The terminal of a terminal token (index in the store); `None` for a master token.
    pub terminal: Option<u16>,
}

/// Why the store refuses an operation.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// Unknown, or belongs to a terminal the caller may not see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Not even the shape of an id of its kind (answered 404 like an unknown one, saying so).
    #[error("{0}")]
    NotAnId(String),
    /// Broken fields.
    #[error("invalid request")]
    Invalid(Vec<FieldError>),
    /// The token is refused.
    #[error("{0}")]
    Unauthorized(TokenError),
}

/// Why the token endpoint refuses (RFC 6749 §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OAuthFailure {
    /// Bad or missing client credentials: what is wrong and what to send.
    InvalidClient(String),
    /// Bad user/password, bad refresh token, terminal not the user's.
    InvalidGrant(String),
    /// A parameter is missing or malformed.
    InvalidRequest(String),
    /// Neither `password` nor `refresh_token`.
    UnsupportedGrantType(String),
}

/// The parameters of a token request.
#[derive(Clone, Debug, Default, utoipa::ToSchema)]
#[schema(as = OAuthTokenRequest)]
pub struct TokenParams {
    /// `password` or `refresh_token`.
    #[schema(value_type = crate::openapi::GrantType, required = true)]
    pub grant_type: Option<String>,
    /// The merchant's login e-mail (password grant).
    #[schema(example = "merchant@example.com")]
    pub username: Option<String>,
    /// The password (password grant).
    #[schema(format = Password)]
    pub password: Option<String>,
    /// Terminal ID (password grant); omitted by a master API account.
    #[schema(example = "999888")]
    pub tid: Option<String>,
    /// The refresh token (refresh grant).
    pub refresh_token: Option<String>,
}

/// A token response.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = OAuthTokenResponse)]
pub struct TokenGrant {
    /// A signed JWT (HS256): `sub`, `tid`, `scope`, `iat`, `exp`, `jti`.
    #[schema(pattern = "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$")]
    pub access_token: String,
    /// `bearer`.
    #[schema(example = "bearer")]
    pub token_type: &'static str,
    /// Opaque; exchanged at the token endpoint with `grant_type=refresh_token`.
    pub refresh_token: String,
    /// Seconds.
    #[schema(example = 3600)]
    pub expires_in: i64,
    /// `read write`.
    #[schema(example = "read write")]
    pub scope: &'static str,
    /// Terminal or null (master).
    pub tid: Option<String>,
}

/// The store.
#[derive(Debug)]
pub struct Store {
    pub(super) base_fixtures: Arc<Fixtures>,
    pub(super) fixtures: Arc<Fixtures>,
    pub(super) scenarios: Vec<Arc<Scenario>>,
    pub(super) default_scenario: Arc<Scenario>,
    pub(super) seed: u64,
    pub(super) ids: IdGenerator,
    pub(super) terminals: Vec<TerminalState>,
    pub(super) terminal_index: HashMap<String, u16>,
    pub(super) tasks: Chunked<Task>,
    pub(super) task_index: HashMap<u128, u32>,
    pub(super) transactions: Chunked<Transaction>,
    pub(super) transaction_index: HashMap<u128, u32>,
    pub(super) ams_index: HashMap<u64, u32>,
    pub(super) batches: Vec<Batch>,
    pub(super) batch_index: HashMap<(u16, u32), u32>,
    pub(super) refresh_tokens: HashMap<Box<str>, RefreshRecord>,
    pub(super) refresh_order: VecDeque<Box<str>>,
    pub(super) token_uses: HashMap<Box<str>, u32>,
    pub(super) fault_counts: HashMap<(usize, usize), u32>,
    pub(super) fault_rng: IdGenerator,
    /// The simulated GP tom app: the terminal it is logged in to (app-to-app).
    pub(super) app_session: Option<AppSession>,
    /// Terminals a person drives from the browser page (tasks wait for a decision).
    pub(super) manual_terminals: std::collections::HashSet<u16>,
    /// Every terminal is manual.
    pub(super) manual_all: bool,
}

impl Store {
    /// A fresh store from the fixtures, with the active scenarios (the default applies where none
    /// does), at `now`.
    #[must_use]
    pub fn new(
        fixtures: Arc<Fixtures>,
        scenarios: Vec<Arc<Scenario>>,
        seed: u64,
        now: Millis,
    ) -> Self {
        let mut store = Store {
            terminals: Vec::new(),
            terminal_index: HashMap::new(),
            base_fixtures: Arc::clone(&fixtures),
            fixtures,
            scenarios: Vec::new(),
            default_scenario: Arc::new(Scenario::default()),
            seed,
            ids: IdGenerator::new(seed),
            tasks: Chunked::new(),
            task_index: HashMap::new(),
            transactions: Chunked::new(),
            transaction_index: HashMap::new(),
            ams_index: HashMap::new(),
            batches: Vec::new(),
            batch_index: HashMap::new(),
            refresh_tokens: HashMap::new(),
            refresh_order: VecDeque::new(),
            token_uses: HashMap::new(),
            fault_counts: HashMap::new(),
            fault_rng: IdGenerator::new(seed ^ 0x6661_756c_7473),
            app_session: None,
            manual_terminals: std::collections::HashSet::new(),
            manual_all: false,
        };
        store.add_terminals(now);
        store.activate(scenarios, now);
        store.app_session = store.default_app_session();
        store
    }

    fn add_terminals(&mut self, now: Millis) {
        for terminal in &self.fixtures.terminals {
            if self.terminal_index.contains_key(&terminal.tid) {
                continue;
            }
            let index = u16::try_from(self.terminals.len()).unwrap_or(u16::MAX);
            self.terminal_index.insert(terminal.tid.clone(), index);
            self.terminals.push(TerminalState {
                tid: terminal.tid.as_str().into(),
                merchant_id: terminal.merchant_id.clone(),
                company: self
                    .fixtures
                    .company_of(&terminal.merchant_id)
                    .unwrap_or(&terminal.merchant_id)
                    .to_owned(),
                currency: terminal.currency.clone(),
                name: terminal.name.clone(),
                queue: VecDeque::new(),
                free_at: now,
                batch_number: terminal.first_batch_number,
                batch_opened: now,
                batch_totals: BatchTotals::default(),
                last_transaction: None,
                transaction_tasks: 0,
                sequence: 0,
                receipt: 0,
            });
        }
    }

    /// Makes `scenarios` the active ones: adds their terminals and users, records their seeded
    /// transactions, applies their terminal conditions. Recorded data is kept.
    pub fn activate(&mut self, scenarios: Vec<Arc<Scenario>>, now: Millis) {
        let extra_terminals: Vec<crate::fixtures::Terminal> = scenarios
            .iter()
            .flat_map(|scenario| scenario.initial.terminals.iter().cloned())
            .collect();
        let extra_users: Vec<crate::fixtures::User> = scenarios
            .iter()
            .flat_map(|scenario| scenario.initial.users.iter().cloned())
            .collect();
        if !extra_terminals.is_empty() || !extra_users.is_empty() {
            let mut fixtures = (*self.fixtures).clone();
            for terminal in extra_terminals {
                if !fixtures
                    .terminals
                    .iter()
                    .any(|known| known.tid == terminal.tid)
                {
                    fixtures.terminals.push(terminal);
                }
            }
            for user in extra_users {
                if !fixtures
                    .users
                    .iter()
                    .any(|known| known.username == user.username)
                {
                    fixtures.users.push(user);
                }
            }
            self.fixtures = Arc::new(fixtures);
            self.add_terminals(now);
        }
        self.scenarios = scenarios;
        self.fault_counts.clear();
        self.apply_conditions(now);
        let seeds: Vec<crate::scenario::SeedTransaction> = self
            .scenarios
            .iter()
            .flat_map(|scenario| scenario.initial.transactions.iter().cloned())
            .collect();
        for seed in seeds {
            self.seed_transaction(&seed, now);
        }
    }

    fn seed_transaction(&mut self, seed: &crate::scenario::SeedTransaction, now: Millis) {
        let Some(&terminal_index) = self.terminal_index.get(&seed.terminal) else {
            return;
        };
        if seed
            .ams_id
            .as_deref()
            .and_then(parse_digits)
            .is_some_and(|ams_id| self.ams_index.contains_key(&ams_id))
        {
            return;
        }
        let date = now.plus_ms(-seed.age_ms);
        let card = (seed.payment_method == PaymentMethod::Card).then(|| {
            draw_card(
                &self.fixtures.cards,
                &super::card::CardChoice::default(),
                &mut self.ids,
                seed.amount,
            )
        });
        let approved = seed.result == PaymentResult::Accepted;
        let authorization_code = (approved && card.is_some()).then(|| self.ids.code6());
        let id = self.ids.uuid_value();
        let ams_id = match seed.ams_id.as_deref().and_then(parse_digits) {
            Some(ams_id) => ams_id,
            None => self.ids.digits_value(12),
        };
        let reference_number = self.ids.digits_value(12);
        let batch_number = self.terminals[usize::from(terminal_index)]
            .batch_number
            .saturating_sub(1)
            .max(1);
        self.file_transaction(Transaction {
            id,
            ams_id,
            task: None,
            terminal: terminal_index,
            kind: TransactionType::Sale,
            result: seed.result,
            refusal: if approved {
                Refusal::Approved
            } else {
                Refusal::Declined
            },
            payment_method: seed.payment_method,
            amount: seed.amount,
            tip: seed.tip,
            card,
            authorization_code,
            reference_number,
            origin_reference: seed.reference.as_deref().map(Box::from),
            sequence_number: 0,
            receipt_number: 0,
            batch_number,
            date,
            origin: None,
            cancelled_by: None,
        });
    }

    /// Numbers a transaction on its terminal (sequence and receipt numbers) and files it in the
    /// store and its indexes; returns its index.
    fn file_transaction(&mut self, mut transaction: Transaction) -> u32 {
        let terminal = &mut self.terminals[usize::from(transaction.terminal)];
        terminal.sequence += 1;
        terminal.receipt += 1;
        transaction.sequence_number = terminal.sequence;
        transaction.receipt_number = terminal.receipt;
        let index = u32::try_from(self.transactions.len()).unwrap_or(u32::MAX);
        self.transaction_index.insert(transaction.id, index);
        self.ams_index.insert(transaction.ams_id, index);
        self.transactions.push(transaction);
        index
    }

    /// The same fixtures, scenarios and seed, with nothing recorded: the state after start.
    #[must_use]
    pub fn reset(&self, now: Millis) -> Store {
        Store::new(
            Arc::clone(&self.base_fixtures),
            self.scenarios.clone(),
            self.seed,
            now,
        )
    }

    /// Whether a terminal's tasks wait for a person's decision.
    #[must_use]
    pub fn is_manual(&self, terminal: u16) -> bool {
        let tid = &self.terminals[usize::from(terminal)].tid;
        self.manual_all
            || self.manual_terminals.contains(&terminal)
            || self
                .scenario_for(tid)
                .terminal_conditions
                .get(&**tid)
                .is_some_and(|condition| condition.manual)
    }

    /// Switches a terminal (or, with `None`, the whole mock) to manual decisions or back.
    pub fn set_manual(&mut self, tid: Option<&str>, manual: bool) -> Result<(), StoreError> {
        match tid {
            None => self.manual_all = manual,
            Some(tid) => {
                let index = *self
                    .terminal_index
                    .get(tid)
                    .ok_or(StoreError::NotFound("terminal"))?;
                if manual {
                    self.manual_terminals.insert(index);
                } else {
                    self.manual_terminals.remove(&index);
                }
            }
        }
        Ok(())
    }

    /// Whether every terminal is manual.
    #[must_use]
    pub fn manual_all(&self) -> bool {
        self.manual_all
    }

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
                *seen += 1;
                let position = *seen;
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

    /// The active scenarios, most specific first.
    #[must_use]
    pub fn scenarios(&self) -> &[Arc<Scenario>] {
        &self.scenarios
    }

    /// The fixtures.
    #[must_use]
    pub fn fixtures(&self) -> &Fixtures {
        &self.fixtures
    }

    fn apply_conditions(&mut self, now: Millis) {
        for index in 0..self.terminals.len() {
            let tid = self.terminals[index].tid.clone();
            let scenario = Arc::clone(self.scenario_for(&tid));
            let fixture_currency = self
                .fixtures
                .terminals
                .iter()
                .find(|terminal| *terminal.tid == *tid)
                .map(|terminal| terminal.currency.clone())
                .unwrap_or_default();
            let condition = scenario.terminal_conditions.get(&*tid);
            let terminal = &mut self.terminals[index];
            terminal.currency = condition
                .and_then(|condition| condition.currency.clone())
                .unwrap_or(fixture_currency);
            if let Some(busy_ms) = condition.and_then(|condition| condition.busy_ms) {
                terminal.free_at = terminal.free_at.max(now.plus_ms(busy_ms));
            }
        }
    }

    /// The scenario that governs a terminal.
    #[must_use]
    pub fn scenario_for(&self, tid: &str) -> &Arc<Scenario> {
        self.scenarios
            .iter()
            .find(|scenario| scenario.terminals.is_some() && scenario.applies_to(tid))
            .or_else(|| {
                self.scenarios
                    .iter()
                    .find(|scenario| scenario.terminals.is_none())
            })
            .unwrap_or(&self.default_scenario)
    }

    fn token_policy(&self, tid: Option<&str>) -> &TokenPolicy {
        match tid {
            Some(tid) => &self.scenario_for(tid).tokens,
            None => &self.scenario_for("").tokens,
        }
    }

    /// Checks Basic client credentials.
    #[must_use]
    pub fn client_known(&self, client_id: &str, secret: &str) -> bool {
        self.check_client(client_id, secret).is_ok()
    }

    /// The Basic client credentials, or what is wrong with them.
    pub fn check_client(&self, client_id: &str, secret: &str) -> Result<(), OAuthFailure> {
        match self
            .fixtures
            .clients
            .iter()
            .find(|client| client.client_id == client_id)
        {
            None => Err(OAuthFailure::InvalidClient(format!(
                "Bad client credentials: no client `{client_id}`; send the Basic client id and secret you were given (GP tom's example: atom / ashfuf4e5fa)"
            ))),
            Some(client) if client.client_secret != secret => Err(OAuthFailure::InvalidClient(
                format!("Bad client credentials: wrong secret for client `{client_id}`"),
            )),
            Some(_) => Ok(()),
        }
    }

    // ----- OAuth -------------------------------------------------------------------------------

    /// The token endpoint, after the client has been authenticated.
    pub fn grant_token(
        &mut self,
        keys: &TokenKeys,
        client_id: &str,
        params: &TokenParams,
        now: Millis,
    ) -> Result<TokenGrant, OAuthFailure> {
        match params.grant_type.as_deref() {
            None | Some("") => Err(OAuthFailure::InvalidRequest("Missing grant type".into())),
            Some("password") => self.password_grant(keys, client_id, params, now),
            Some("refresh_token") => self.refresh_grant(keys, client_id, params, now),
            Some(other) => Err(OAuthFailure::UnsupportedGrantType(format!(
                "Unsupported grant type: {other}"
            ))),
        }
    }

    fn password_grant(
        &mut self,
        keys: &TokenKeys,
        client_id: &str,
        params: &TokenParams,
        now: Millis,
    ) -> Result<TokenGrant, OAuthFailure> {
        let (Some(username), Some(password)) =
            (params.username.as_deref(), params.password.as_deref())
        else {
            let missing = if params.username.is_none() {
                "username"
            } else {
                "password"
            };
            return Err(OAuthFailure::InvalidRequest(format!(
                "Missing parameter: {missing}"
            )));
        };
        let user = self
            .fixtures
            .users
            .iter()
            .find(|user| user.username == username)
            .ok_or_else(|| {
                OAuthFailure::InvalidGrant(format!(
                    "Bad credentials: no GP tom user `{username}` (username is the merchant's login e-mail)"
                ))
            })?;
        if user.password != password {
            return Err(OAuthFailure::InvalidGrant(format!(
                "Bad credentials: wrong password for `{username}`"
            )));
        }
        let tid = params.tid.as_deref().filter(|tid| !tid.is_empty());
        let tid = match tid {
            None if user.master => None,
            None => {
                return Err(OAuthFailure::InvalidRequest(
                    "Missing parameter: tid".into(),
                ));
            }
            Some(tid) => {
                let company = self
                    .fixtures
                    .company_of(&user.merchant_id)
                    .unwrap_or_default();
                let allowed = self.terminal_index.get(tid).is_some_and(|index| {
                    let terminal = &self.terminals[usize::from(*index)];
                    terminal.merchant_id == user.merchant_id
                        || (user.master && terminal.company == company)
                });
                if !allowed {
                    return Err(OAuthFailure::InvalidGrant(format!(
                        "Terminal {tid} is not assigned to this user"
                    )));
                }
                Some(tid.to_owned())
            }
        };
        let sub = user.username.clone();
        Ok(self.issue(keys, client_id, sub, tid, None, now))
    }

    fn refresh_grant(
        &mut self,
        keys: &TokenKeys,
        client_id: &str,
        params: &TokenParams,
        now: Millis,
    ) -> Result<TokenGrant, OAuthFailure> {
        let Some(token) = params
            .refresh_token
            .as_deref()
            .filter(|token| !token.is_empty())
        else {
            return Err(OAuthFailure::InvalidRequest(
                "Missing parameter: refresh_token".into(),
            ));
        };
        let invalid =
            || OAuthFailure::InvalidGrant(format!("Invalid refresh token: {}", mask(token)));
        let record = self
            .refresh_tokens
            .get(token)
            .cloned()
            .ok_or_else(invalid)?;
        if record.client_id.as_ref() != client_id {
            return Err(invalid());
        }
        if now >= record.expires {
            return Err(OAuthFailure::InvalidGrant(format!(
                "Invalid refresh token (expired): {}",
                mask(token)
            )));
        }
        let behaviour = self.token_policy(record.tid.as_deref()).refresh;
        match behaviour {
            RefreshBehaviour::Reject => Err(invalid()),
            RefreshBehaviour::Reuse => Ok(self.issue(
                keys,
                client_id,
                record.sub.to_string(),
                record.tid.as_deref().map(str::to_owned),
                Some(token.to_owned()),
                now,
            )),
            RefreshBehaviour::Rotate => {
                self.refresh_tokens.remove(token);
                Ok(self.issue(
                    keys,
                    client_id,
                    record.sub.to_string(),
                    record.tid.as_deref().map(str::to_owned),
                    None,
                    now,
                ))
            }
        }
    }

    fn issue(
        &mut self,
        keys: &TokenKeys,
        client_id: &str,
        sub: String,
        tid: Option<String>,
        reuse_refresh: Option<String>,
        now: Millis,
    ) -> TokenGrant {
        let policy = self.token_policy(tid.as_deref());
        let ttl = if tid.is_some() {
            policy.access_ttl_s
        } else {
            policy.master_access_ttl_s
        };
        let refresh_ttl = policy.refresh_ttl_s;
        let claims = Claims {
            sub: sub.clone(),
            tid: tid.clone(),
            scope: "read write".into(),
            iat: now.as_secs(),
            exp: now.as_secs() + ttl,
            jti: self.ids.uuid(),
            client_id: client_id.to_owned(),
        };
        let access_token = keys.sign(&claims);
        let refresh_token = match reuse_refresh {
            Some(token) => token,
            None => {
                // The seeded sequence advances as it always did (so ids under a seed stay what
                // they were); the token itself is a secret and never comes from it.
                let _ = self.ids.opaque(43);
                let token = secret_token();
                self.remember_refresh(
                    token.clone(),
                    RefreshRecord {
                        sub: sub.into(),
                        tid: tid.as_deref().map(Box::from),
                        client_id: client_id.into(),
                        expires: now.plus_ms(refresh_ttl.saturating_mul(1000)),
                    },
                );
                token
            }
        };
        TokenGrant {
            access_token,
            token_type: "bearer",
            refresh_token,
            expires_in: ttl,
            scope: "read write",
            tid,
        }
    }

    fn remember_refresh(&mut self, token: String, record: RefreshRecord) {
        while self.refresh_order.len() >= REFRESH_TOKEN_CAPACITY {
            if let Some(oldest) = self.refresh_order.pop_front() {
                self.refresh_tokens.remove(&oldest);
            }
        }
        let token: Box<str> = token.into();
        self.refresh_order.push_back(token.clone());
        self.refresh_tokens.insert(token, record);
    }

    /// Turns verified claims into a principal, applying the scenario's token policy.
    pub fn authorize(&mut self, claims: &Claims, now: Millis) -> Result<Principal, StoreError> {
        let user = self
            .fixtures
            .users
            .iter()
            .position(|user| user.username == claims.sub)
            .and_then(|index| u16::try_from(index).ok())
            .ok_or(StoreError::Unauthorized(TokenError::Invalid))?;
        let terminal = match &claims.tid {
            None => None,
            Some(tid) => Some(
                *self
                    .terminal_index
                    .get(tid)
                    .ok_or(StoreError::Unauthorized(TokenError::Invalid))?,
            ),
        };
        // A validly signed token still has to be one the token endpoint could have issued: a
        // terminal of the user's merchant (or company, for a master account), and `tid: null`
        // only for a master account.
        let account = &self.fixtures.users[usize::from(user)];
        let issuable = match terminal {
            None => account.master,
            Some(index) => {
                let terminal = &self.terminals[usize::from(index)];
                terminal.merchant_id == account.merchant_id
                    || (account.master
                        && self.fixtures.company_of(&account.merchant_id)
                            == Some(terminal.company.as_str()))
            }
        };
        if !issuable {
            return Err(StoreError::Unauthorized(TokenError::Invalid));
        }
        let policy = self.token_policy(claims.tid.as_deref()).clone();
        if policy.access_expire_at_ms.is_some_and(|at| now.0 >= at) {
            return Err(StoreError::Unauthorized(TokenError::Revoked));
        }
        if let Some(max_uses) = policy.access_max_uses {
            let uses = self
                .token_uses
                .entry(claims.jti.as_str().into())
                .or_insert(0);
            if *uses >= max_uses {
                return Err(StoreError::Unauthorized(TokenError::Revoked));
            }
            *uses += 1;
        }
        Ok(Principal { user, terminal })
    }

    /// The company of a principal's user.
    fn company_of(&self, principal: &Principal) -> &str {
        self.fixtures
            .users
            .get(usize::from(principal.user))
            .and_then(|user| self.fixtures.company_of(&user.merchant_id))
            .unwrap_or_default()
    }

    // ----- tasks -------------------------------------------------------------------------------

    fn target_terminal(
        &self,
        principal: &Principal,
        body_tid: Option<&str>,
    ) -> Result<u16, StoreError> {
        let refuse = |message: &str| StoreError::Invalid(vec![FieldError::new("tid", message)]);
        match (principal.terminal, body_tid) {
            (Some(own), None) => Ok(own),
            (Some(own), Some(named)) if *self.terminals[usize::from(own)].tid == *named => Ok(own),
            (Some(_), Some(_)) => Err(refuse("must be the terminal of the access token")),
            (None, None) => Err(refuse("must not be null for a master account")),
            (None, Some(named)) => self
                .terminal_index
                .get(named)
                .copied()
                .filter(|index| {
                    self.terminals[usize::from(*index)].company == self.company_of(principal)
                })
                .ok_or_else(|| refuse("is not a terminal of this account")),
        }
    }

    fn can_see(&self, principal: &Principal, terminal: u16) -> bool {
        match principal.terminal {
            Some(own) => own == terminal,
            None => self.terminals[usize::from(terminal)].company == self.company_of(principal),
        }
    }

    /// `POST /v1/tasks/TRANSACTION` with a validated body.
    pub fn create_transaction_task(
        &mut self,
        principal: &Principal,
        request: TransactionRequest,
        now: Millis,
    ) -> Result<u32, StoreError> {
        let terminal_index = self.target_terminal(principal, request.tid.as_deref())?;
        self.settle_terminal(terminal_index, now);
        let terminal = &self.terminals[usize::from(terminal_index)];
        if request.currency_code != terminal.currency {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "currencyCode",
                format!("must be the terminal's currency {}", terminal.currency),
            )]));
        }
        let ordinal = terminal.transaction_tasks + 1;
        let scenario = Arc::clone(self.scenario_for(&terminal.tid));
        let reference_max = usize::from(scenario.wire.reference_max_length);
        if request
            .origin_reference_num
            .as_deref()
            .is_some_and(|reference| reference.chars().count() > reference_max)
        {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "originReferenceNum",
                format!(
                    "must be at most {reference_max} characters (this scenario's wire.reference_max_length)"
                ),
            )]));
        }
        let plan = scenario.plan_transaction(
            &request,
            RequestFacts {
                tid: &terminal.tid,
                currency: &terminal.currency,
                ordinal,
            },
        );
        self.terminals[usize::from(terminal_index)].transaction_tasks = ordinal;
        let mut plan = plan;
        if self.is_manual(terminal_index) && plan.in_progress.is_some() {
            plan.in_progress = Some(Phase::Manual);
        }
        let index = self.push_task(
            TaskKind::Transaction(Box::new(request)),
            terminal_index,
            plan,
            ordinal,
            now,
        );
        self.settle_terminal(terminal_index, now);
        Ok(index)
    }

    /// The `currencyCode` error a body would also get once its other fields are fixed: a
    /// well-formed code that is not the target terminal's currency.
    #[must_use]
    pub fn currency_mismatch(
        &self,
        principal: &Principal,
        body: &serde_json::Value,
    ) -> Option<FieldError> {
        let code = body.get("currencyCode")?.as_str()?;
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let tid = body.get("tid").and_then(serde_json::Value::as_str);
        let terminal = self.target_terminal(principal, tid).ok()?;
        let currency = &self.terminals[usize::from(terminal)].currency;
        (code != currency).then(|| {
            FieldError::new(
                "currencyCode",
                format!("must be the terminal's currency {currency}"),
            )
        })
    }

    /// `POST /v1/tasks/BATCH`.
    pub fn create_batch_task(
        &mut self,
        principal: &Principal,
        request: &BatchRequest,
        now: Millis,
    ) -> Result<u32, StoreError> {
        let terminal_index = self.target_terminal(principal, request.tid.as_deref())?;
        self.settle_terminal(terminal_index, now);
        let plan = self
            .scenario_for(&self.terminals[usize::from(terminal_index)].tid)
            .plan_batch(&self.terminals[usize::from(terminal_index)].tid);
        let index = self.push_task(TaskKind::Batch, terminal_index, plan, 0, now);
        self.settle_terminal(terminal_index, now);
        Ok(index)
    }

    /// A task that never enters the terminal's queue (app-to-app operations run at once).
    pub(super) fn push_task_detached(
        &mut self,
        kind: TaskKind,
        terminal: u16,
        plan: Plan,
        ordinal: u32,
        now: Millis,
    ) -> u32 {
        let index = self.push_task(kind, terminal, plan, ordinal, now);
        let queue = &mut self.terminals[usize::from(terminal)].queue;
        if queue.back() == Some(&index) {
            queue.pop_back();
        }
        index
    }

    pub(super) fn push_task(
        &mut self,
        kind: TaskKind,
        terminal: u16,
        plan: Plan,
        ordinal: u32,
        now: Millis,
    ) -> u32 {
        let id = self.ids.uuid_value();
        let index = u32::try_from(self.tasks.len()).unwrap_or(u32::MAX);
        self.task_index.insert(id, index);
        self.tasks.push(Task {
            id,
            kind,
            terminal,
            state: TaskState::New,
            created: now,
            updated: now,
            started: None,
            plan,
            polls_in_state: 0,
            ready_at: None,
            transaction: None,
            batch_number: None,
            error: None,
            ordinal,
        });
        self.terminals[usize::from(terminal)].queue.push_back(index);
        index
    }

    /// `GET /v1/tasks/{taskId}`: the task as the poll sees it; counts the poll.
    pub fn poll_task(
        &mut self,
        principal: &Principal,
        task_id: &str,
        now: Millis,
    ) -> Result<u32, StoreError> {
        let index = self.visible_task(principal, task_id)?;
        let terminal = self.tasks[index as usize].terminal;
        self.settle_terminal(terminal, now);
        self.tasks[index as usize].record_poll(now);
        Ok(index)
    }

    fn visible_task(&self, principal: &Principal, task_id: &str) -> Result<u32, StoreError> {
        let id = parse_uuid(task_id).ok_or_else(|| not_an_id("task", task_id, "taskId"))?;
        self.task_index
            .get(&id)
            .copied()
            .filter(|index| self.can_see(principal, self.tasks[*index as usize].terminal))
            .ok_or(StoreError::NotFound("task"))
    }

    /// A manual decision for a task waiting at `IN_PROGRESS` (or `NEW`).
    pub fn decide_task(
        &mut self,
        task_id: &str,
        outcome: Outcome,
        card: super::card::CardChoice,
        now: Millis,
    ) -> Result<TaskBody, StoreError> {
        let index = *parse_uuid(task_id)
            .and_then(|id| self.task_index.get(&id))
            .ok_or(StoreError::NotFound("task"))?;
        let terminal = self.tasks[index as usize].terminal;
        self.settle_terminal(terminal, now);
        let task = &mut self.tasks[index as usize];
        if task.state.is_final() {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "taskId",
                "the task is already final",
            )]));
        }
        task.plan.outcome = outcome;
        task.plan.card = card;
        task.plan.rule = Some("manual decision".into());
        if task.state == TaskState::New {
            // Picked up when the device is free, decided at once.
            task.plan.new = Phase::Manual;
            if task.plan.in_progress.is_some() {
                task.plan.in_progress = Some(Phase::Millis(0));
            }
        } else {
            task.plan.in_progress = Some(Phase::Manual);
        }
        task.ready_at = Some(now);
        self.settle_terminal(terminal, now);
        Ok(self.task_body(index))
    }

    /// Moves a terminal's queue forward to `now`.
    pub fn settle_terminal(&mut self, terminal: u16, now: Millis) {
        loop {
            let Some(&index) = self.terminals[usize::from(terminal)].queue.front() else {
                return;
            };
            let free_at = self.terminals[usize::from(terminal)].free_at;
            let task = &mut self.tasks[index as usize];
            match task.state {
                TaskState::New => {
                    let start = match task.plan.new {
                        Phase::Millis(ms) => Some(task.created.plus_ms(ms)),
                        Phase::Polls(_) | Phase::Manual => task.ready_at,
                    };
                    let Some(start) = start.map(|start| start.max(free_at)) else {
                        return;
                    };
                    if start > now {
                        return;
                    }
                    if task.plan.in_progress.is_none() {
                        self.finish_task(index, start);
                    } else {
                        task.state = TaskState::InProgress;
                        task.started = Some(start);
                        task.updated = start;
                        task.polls_in_state = 0;
                        task.ready_at = None;
                    }
                }
                TaskState::InProgress => {
                    let end = match task.plan.in_progress {
                        Some(Phase::Millis(ms)) => task.started.map(|started| started.plus_ms(ms)),
                        _ => task.ready_at,
                    };
                    let Some(end) = end else {
                        return;
                    };
                    let end = end.max(task.started.unwrap_or(end));
                    if end > now {
                        return;
                    }
                    self.finish_task(index, end);
                }
                _ => {
                    self.terminals[usize::from(terminal)].queue.pop_front();
                }
            }
        }
    }

    pub(super) fn finish_task(&mut self, index: u32, at: Millis) {
        let task = &self.tasks[index as usize];
        let terminal = task.terminal;
        let outcome = task.plan.outcome.clone();
        let (state, error) = match (&task.kind, outcome) {
            (_, Outcome::Error { code, message } | Outcome::NotPickedUp { code, message, .. }) => {
                (TaskState::Error, Some(task_error(code, message)))
            }
            (TaskKind::Batch, _) => {
                let number = self.close_batch(terminal, at);
                self.tasks[index as usize].batch_number = Some(number);
                (TaskState::Completed, None)
            }
            (TaskKind::Transaction(request), Outcome::Canceled { code, message }) => {
                let request = request.clone();
                self.record_transaction(
                    index,
                    &request,
                    PaymentResult::Cancelled,
                    Refusal::Unknown,
                    None,
                    at,
                );
                (TaskState::Canceled, Some(task_error(code, message)))
            }
            (TaskKind::Transaction(request), Outcome::Payment { result, refusal }) => {
                let request = request.clone();
                if request.transaction_type == TransactionType::Cancel {
                    self.finish_storno(index, &request, result, refusal, at)
                } else {
                    self.record_transaction(index, &request, result, refusal, None, at);
                    (TaskState::Completed, None)
                }
            }
        };
        let task = &mut self.tasks[index as usize];
        task.state = state;
        task.error = error;
        task.updated = at;
        task.ready_at = None;
        task.polls_in_state = 0;
        let terminal = &mut self.terminals[usize::from(terminal)];
        if terminal.queue.front() == Some(&index) {
            terminal.free_at = at;
            terminal.queue.pop_front();
        }
    }

    fn finish_storno(
        &mut self,
        index: u32,
        request: &TransactionRequest,
        result: PaymentResult,
        refusal: Refusal,
        at: Millis,
    ) -> (TaskState, Option<TaskError>) {
        let terminal_index = self.tasks[index as usize].terminal;
        let terminal = &self.terminals[usize::from(terminal_index)];
        let last = terminal
            .last_transaction
            .map(|last| (last, &self.transactions[last as usize]));
        let named = request
            .origin_transaction_id
            .as_deref()
            .and_then(parse_digits)
            .and_then(|ams_id| self.ams_index.get(&ams_id))
            .map(|found| (*found, &self.transactions[*found as usize]));
        let decision = decide_storno(
            StornoRequest {
                mode: request.cancel_mode.unwrap_or(CancelMode::LastTransaction),
                terminal: terminal_index,
                last,
                named,
            },
            &self.transactions,
            at,
        );
        match decision {
            Err(refusal) => (
                TaskState::Error,
                Some(task_error(refusal.code(), refusal.message())),
            ),
            Ok(original) => {
                let transaction =
                    self.record_transaction(index, request, result, refusal, Some(original), at);
                if result == PaymentResult::Accepted {
                    self.transactions[original as usize].cancelled_by = Some(transaction);
                }
                (TaskState::Completed, None)
            }
        }
    }

    pub(super) fn record_transaction(
        &mut self,
        task: u32,
        request: &TransactionRequest,
        result: PaymentResult,
        refusal: Refusal,
        origin: Option<u32>,
        at: Millis,
    ) -> u32 {
        let terminal_index = self.tasks[task as usize].terminal;
        let choice = self.tasks[task as usize].plan.card.clone();
        let original = origin.map(|origin| self.transactions[origin as usize].clone());
        let (amount, tip, payment_method) = match &original {
            Some(original) => (original.amount, original.tip, original.payment_method),
            None => (
                request.amount.unwrap_or(0),
                request.tip_amount,
                request.payment_method,
            ),
        };
        let card = match (&original, payment_method) {
            (Some(original), _) => original.card.clone(),
            (None, PaymentMethod::Card) => Some(draw_card(
                &self.fixtures.cards,
                &choice,
                &mut self.ids,
                amount,
            )),
            (None, _) => None,
        };
        let approved = result == PaymentResult::Accepted;
        let authorization_code =
            (approved && payment_method == PaymentMethod::Card).then(|| self.ids.code6());
        let refusal = if approved && !refusal.is_approved() {
            Refusal::Approved
        } else {
            refusal
        };
        let id = self.ids.uuid_value();
        let ams_id = self.ids.digits_value(12);
        let reference_number = self.ids.digits_value(12);
        let batch_number = self.terminals[usize::from(terminal_index)].batch_number;
        let index = self.file_transaction(Transaction {
            id,
            ams_id,
            task: Some(task),
            terminal: terminal_index,
            kind: request.transaction_type,
            result,
            refusal,
            payment_method,
            amount,
            tip,
            card,
            authorization_code,
            reference_number,
            origin_reference: request.origin_reference_num.clone(),
            sequence_number: 0,
            receipt_number: 0,
            batch_number,
            date: at,
            origin,
            cancelled_by: None,
        });
        let terminal = &mut self.terminals[usize::from(terminal_index)];
        terminal
            .batch_totals
            .record(&self.transactions[index as usize]);
        terminal.last_transaction = Some(index);
        self.tasks[task as usize].transaction = Some(index);
        index
    }

    pub(super) fn close_batch(&mut self, terminal_index: u16, at: Millis) -> u32 {
        let terminal = &mut self.terminals[usize::from(terminal_index)];
        let batch = Batch {
            terminal: terminal_index,
            number: terminal.batch_number,
            date: at,
            previous_batch_date: terminal.batch_opened,
            totals: terminal.batch_totals,
        };
        let number = batch.number;
        terminal.batch_number += 1;
        terminal.batch_opened = at;
        terminal.batch_totals = BatchTotals::default();
        terminal.last_transaction = None;
        let index = u32::try_from(self.batches.len()).unwrap_or(u32::MAX);
        self.batch_index.insert((terminal_index, number), index);
        self.batches.push(batch);
        number
    }

    // ----- reads -------------------------------------------------------------------------------

    /// The wire body of a task.
    #[must_use]
    pub fn task_body(&self, index: u32) -> TaskBody {
        let view = self.task_view(index);
        TaskBody {
            task_id: format_uuid(view.task_id),
            task_type: view.task_type,
            state: view.state,
            tid: view.tid.to_string(),
            created: view.created.to_iso(),
            updated: view.updated.to_iso(),
            transaction_id: view.transaction_id.map(format_uuid),
            batch_number: view.batch_number,
            error: view.error.cloned(),
        }
    }

    /// The wire shape of a task, borrowed (rendered to JSON without intermediate strings).
    #[must_use]
    pub fn task_view(&self, index: u32) -> TaskView<'_> {
        let task = &self.tasks[index as usize];
        let terminal = &self.terminals[usize::from(task.terminal)];
        let wire = self.scenario_for(&terminal.tid).wire;
        TaskView {
            task_id: task.id,
            task_type: task.kind.as_str(),
            state: task.state.as_str(&wire),
            tid: &terminal.tid,
            created: task.created,
            updated: task.updated,
            transaction_id: task
                .transaction
                .map(|transaction| self.transactions[transaction as usize].id),
            batch_number: task.batch_number,
            error: task.error.as_ref(),
        }
    }

    /// The terminal a task belongs to (for the journal).
    #[must_use]
    pub fn task_tid(&self, task_id: &str) -> Option<&str> {
        let index = parse_uuid(task_id).and_then(|id| self.task_index.get(&id))?;
        Some(&self.terminals[usize::from(self.tasks[*index as usize].terminal)].tid)
    }

    /// `GET /v1/transactions/{transactionId}`.
    pub fn get_transaction(
        &mut self,
        principal: &Principal,
        transaction_id: &str,
        now: Millis,
    ) -> Result<TransactionBody, StoreError> {
        let id = parse_uuid(transaction_id)
            .ok_or_else(|| not_an_id("transaction", transaction_id, "transactionId"))?;
        let index = self
            .transaction_index
            .get(&id)
            .copied()
            .filter(|index| self.can_see(principal, self.transactions[*index as usize].terminal))
            .ok_or(StoreError::NotFound("transaction"))?;
        let terminal = self.transactions[index as usize].terminal;
        self.settle_terminal(terminal, now);
        Ok(self.transaction_body(index))
    }

    /// The wire body of a transaction.
    #[must_use]
    pub fn transaction_body(&self, index: u32) -> TransactionBody {
        let transaction = &self.transactions[index as usize];
        let terminal = &self.terminals[usize::from(transaction.terminal)];
        let origin_ams = transaction
            .origin
            .map(|origin| self.transactions[origin as usize].ams_id);
        transaction.body(
            &terminal.tid,
            &terminal.merchant_id,
            &terminal.currency,
            &self.fixtures.cards,
            origin_ams,
        )
    }

    /// `GET /v1/batches/{batchNumber}`; a master token names the terminal with `tid`.
    pub fn get_batch(
        &mut self,
        principal: &Principal,
        number: u32,
        tid: Option<&str>,
        now: Millis,
    ) -> Result<BatchBody, StoreError> {
        if tid.is_some_and(|tid| tid.chars().count() > 20) {
            return Err(StoreError::Invalid(vec![FieldError::new(
                "tid",
                "size must be between 0 and 20",
            )]));
        }
        let terminal = match (principal.terminal, tid) {
            // A terminal token sees only its own terminal's batches: another `tid` is a batch
            // it cannot see (404, no hint that it exists).
            (Some(own), Some(named)) if *self.terminals[usize::from(own)].tid != *named => None,
            (Some(own), _) => Some(own),
            (None, Some(named)) => self.terminal_index.get(named).copied(),
            (None, None) => {
                return Err(StoreError::Invalid(vec![FieldError::new(
                    "tid",
                    "must not be null for a master account",
                )]));
            }
        }
        .filter(|index| self.can_see(principal, *index))
        .ok_or(StoreError::NotFound("batch"))?;
        self.settle_terminal(terminal, now);
        let index = self
            .batch_index
            .get(&(terminal, number))
            .ok_or(StoreError::NotFound("batch"))?;
        let batch = &self.batches[*index as usize];
        let terminal = &self.terminals[usize::from(terminal)];
        Ok(batch.body(&terminal.tid, &terminal.currency))
    }

    /// Moves every terminal forward to `now`.
    pub fn settle_all(&mut self, now: Millis) {
        for terminal in 0..self.terminals.len() {
            self.settle_terminal(u16::try_from(terminal).unwrap_or(u16::MAX), now);
        }
    }

    /// Counts for health and metrics.
    #[must_use]
    pub fn counts(&self) -> StoreCounts {
        StoreCounts {
            terminals: self.terminals.len(),
            tasks: self.tasks.len(),
            transactions: self.transactions.len(),
            batches: self.batches.len(),
            refresh_tokens: self.refresh_tokens.len(),
        }
    }

    /// The whole state as JSON for `GET /__mock/state` (the last `limit` tasks and transactions).
    pub fn snapshot(&mut self, now: Millis, limit: usize) -> Value {
        self.settle_all(now);
        let terminals: Vec<Value> = self
            .terminals
            .iter()
            .enumerate()
            .map(|(position, terminal)| {
                serde_json::json!({
                    "tid": terminal.tid,
                    "merchantId": terminal.merchant_id,
                    "company": terminal.company,
                    "name": terminal.name,
                    "currency": terminal.currency,
                    "scenario": self.scenario_for(&terminal.tid).name,
                    "manual": self.is_manual(u16::try_from(position).unwrap_or(u16::MAX)),
                    // A queue is shown as its length and its first tasks: a view costs what
                    // it shows, not what a fast client queued.
                    "queueLength": terminal.queue.len(),
                    "queue": terminal.queue.iter().take(limit.min(QUEUE_SHOWN)).map(|index| format_uuid(self.tasks[*index as usize].id)).collect::<Vec<_>>(),
                    "openBatch": {
                        "batchNumber": terminal.batch_number,
                        "opened": terminal.batch_opened.to_iso(),
                        "totals": terminal.batch_totals.all,
                    },
                    "lastTransactionId": terminal.last_transaction.map(|index| format_uuid(self.transactions[index as usize].id)),
                })
            })
            .collect();
        let skip_tasks = self.tasks.len().saturating_sub(limit);
        let tasks: Vec<Value> = (skip_tasks..self.tasks.len())
            .map(|index| {
                let task = &self.tasks[index];
                let mut body =
                    serde_json::to_value(self.task_body(u32::try_from(index).unwrap_or(u32::MAX)))
                        .unwrap_or(Value::Null);
                if let Value::Object(map) = &mut body {
                    map.insert(
                        "rule".into(),
                        task.plan.rule.as_deref().map_or(Value::Null, Value::from),
                    );
                    if let TaskKind::Transaction(request) = &task.kind {
                        map.insert(
                            "request".into(),
                            serde_json::to_value(request).unwrap_or(Value::Null),
                        );
                    }
                }
                body
            })
            .collect();
        let skip_transactions = self.transactions.len().saturating_sub(limit);
        let transactions: Vec<Value> = (skip_transactions..self.transactions.len())
            .map(|index| {
                serde_json::to_value(
                    self.transaction_body(u32::try_from(index).unwrap_or(u32::MAX)),
                )
                .unwrap_or(Value::Null)
            })
            .collect();
        let skip_batches = self.batches.len().saturating_sub(limit);
        let batches: Vec<Value> = self.batches[skip_batches..]
            .iter()
            .map(|batch| {
                let terminal = &self.terminals[usize::from(batch.terminal)];
                serde_json::to_value(batch.body(&terminal.tid, &terminal.currency))
                    .unwrap_or(Value::Null)
            })
            .collect();
        serde_json::json!({
            "now": now.to_iso(),
            "counts": self.counts(),
            "terminals": terminals,
            "tasks": tasks,
            "transactions": transactions,
            "batches": batches,
        })
    }
}

/// Who the simulated GP tom app is logged in as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSession {
    /// Terminal index.
    pub terminal: u16,
    /// User.
    pub username: String,
}

/// Sizes of the store.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StoreCounts {
    /// Terminals.
    pub terminals: usize,
    /// Tasks ever created.
    pub tasks: usize,
    /// Transactions recorded.
    pub transactions: usize,
    /// Closed batches.
    pub batches: usize,
    /// Live refresh tokens.
    pub refresh_tokens: usize,
}

/// A refresh token: a secret, so drawn from the operating system's randomness, never from the
/// seeded sequence (which restarts on reset and is the same in every process with one `--seed`).
fn secret_token() -> String {
    use rand::Rng;
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    (0..43)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// `abc is not a task id: ids are UUIDs (…), the taskId GP tom answered`.
fn not_an_id(what: &str, value: &str, field: &str) -> StoreError {
    let shown: String = value.chars().take(64).collect();
    StoreError::NotAnId(format!(
        "`{shown}` is not a {what} id: {what} ids are UUIDs such as 3f1c2b7e-9d4a-4e8b-a0c5-6f2d9e1b7a34; use the `{field}` GP tom answered"
    ))
}

fn task_error(code: u16, message: String) -> TaskError {
    let platform = match code {
        62 | 65 => "TERMINAL",
        44 | 45 | 47 | 48 => "AMS",
        43 | 96 => "TERMINAL",
        _ => "CLOUD",
    };
    TaskError {
        code,
        platform,
        message,
    }
}

/// `abcd…wxyz`: enough of a secret to recognise it, not enough to use it.
#[must_use]
pub fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() <= 8 {
        return "***".into();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}
