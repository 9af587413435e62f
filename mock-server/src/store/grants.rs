//! OAuth: client credentials, password and refresh grants, refresh tokens, and authorising an
//! access token's claims against the fixtures (the user owns the terminal; `tid: null` is a master).

use crate::clock::Millis;
use crate::domain::request::FieldError;
use crate::domain::token::mask;
use crate::domain::token::{Claims, RefreshRecord, TokenError, TokenKeys};
use crate::scenario::RefreshBehaviour;

use super::{Principal, REFRESH_TOKEN_CAPACITY, Store, StoreError};

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

/// The parameters of a token request, as the wire read them (`wire::oauth`).
#[derive(Clone, Debug, Default)]
pub struct TokenParams {
    /// `password` or `refresh_token`.
    pub grant_type: Option<String>,
    /// The merchant's login e-mail (password grant).
    pub username: Option<String>,
    /// The password (password grant).
    pub password: Option<String>,
    /// Terminal ID (password grant); omitted by a master API account.
    pub tid: Option<String>,
    /// The refresh token (refresh grant).
    pub refresh_token: Option<String>,
}

/// A granted token pair; the wire renders it (`wire::oauth::TokenBody`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenGrant {
    /// A signed JWT (HS256).
    pub access_token: String,
    /// `bearer`.
    pub token_type: &'static str,
    /// Opaque.
    pub refresh_token: String,
    /// Seconds.
    pub expires_in: i64,
    /// `read write`.
    pub scope: &'static str,
    /// Terminal or none (master).
    pub tid: Option<String>,
}

impl Store {
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

    pub(super) fn password_grant(
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

    pub(super) fn refresh_grant(
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
                self.mark_refresh(token, true);
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

    pub(super) fn issue(
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

    pub(super) fn remember_refresh(&mut self, token: String, record: RefreshRecord) {
        while self.refresh_order.len() >= REFRESH_TOKEN_CAPACITY {
            if let Some(oldest) = self.refresh_order.pop_front() {
                self.refresh_tokens.remove(&oldest);
                self.mark_refresh(&oldest, true);
            }
        }
        let token: Box<str> = token.into();
        self.refresh_order.push_back(token.clone());
        self.mark_refresh(&token, false);
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
            *uses = uses.saturating_add(1);
        }
        Ok(Principal { user, terminal })
    }

    /// The company of a principal's user.
    pub(super) fn company_of(&self, principal: &Principal) -> &str {
        self.fixtures
            .users
            .get(usize::from(principal.user))
            .and_then(|user| self.fixtures.company_of(&user.merchant_id))
            .unwrap_or_default()
    }

    // ----- tasks -------------------------------------------------------------------------------

    pub(super) fn target_terminal(
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

    pub(super) fn can_see(&self, principal: &Principal, terminal: u16) -> bool {
        match principal.terminal {
            Some(own) => own == terminal,
            None => self.terminals[usize::from(terminal)].company == self.company_of(principal),
        }
    }
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
