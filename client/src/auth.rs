//! Tokens that need no care from the caller: lazy login, reuse, refresh shortly before expiry or
//! after a 401, a fresh login when the refresh token is refused. One refresh at a time: concurrent
//! callers wait on the same lock and reuse its result.

use std::fmt;
use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use crate::error::{ApiErrorBody, Error, Result};
use crate::types::TokenResponse;

/// Who logs in. `Debug` never shows a secret.
#[derive(Clone)]
pub(crate) struct Credentials {
    pub client_id: String,
    pub client_secret: String,
    pub username: String,
    pub password: String,
    /// `None`: a master account.
    pub tid: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"***")
            .field("username", &self.username)
            .field("password", &"***")
            .field("tid", &self.tid)
            .finish()
    }
}

struct Tokens {
    access: String,
    refresh: Option<String>,
    expires_at: Instant,
}

/// The token cache.
pub(crate) struct Auth {
    credentials: Credentials,
    tokens: Mutex<Option<Tokens>>,
    /// Refresh this long before `expires_in` runs out.
    skew: Duration,
}

impl fmt::Debug for Auth {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Auth")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl Auth {
    pub(crate) fn new(credentials: Credentials) -> Self {
        Auth {
            credentials,
            tokens: Mutex::new(None),
            skew: Duration::from_secs(30),
        }
    }

    /// A valid access token: the cached one, a refreshed one, or a fresh login.
    pub(crate) async fn access_token(
        &self,
        http: &reqwest::Client,
        base: &url::Url,
    ) -> Result<String> {
        let mut guard = self.tokens.lock().await;
        if let Some(tokens) = guard.as_ref()
            && Instant::now() + self.skew < tokens.expires_at
        {
            return Ok(tokens.access.clone());
        }
        self.replace(&mut guard, http, base).await
    }

    /// After a 401 `invalid_token` for `rejected`: refresh (or log in) unless another caller
    /// already replaced that token.
    pub(crate) async fn renew(
        &self,
        http: &reqwest::Client,
        base: &url::Url,
        rejected: &str,
    ) -> Result<String> {
        let mut guard = self.tokens.lock().await;
        if let Some(tokens) = guard.as_ref()
            && tokens.access != rejected
        {
            return Ok(tokens.access.clone());
        }
        self.replace(&mut guard, http, base).await
    }

    /// Refreshes the cached tokens, or logs in again when there is no refresh token or it is
    /// refused; stores and returns the new access token. The caller holds the lock.
    async fn replace(
        &self,
        guard: &mut Option<Tokens>,
        http: &reqwest::Client,
        base: &url::Url,
    ) -> Result<String> {
        let refreshed = match guard.as_ref().and_then(|tokens| tokens.refresh.clone()) {
            Some(refresh) => self.refresh(http, base, &refresh).await.ok(),
            None => None,
        };
        let tokens = match refreshed {
            Some(tokens) => tokens,
            None => self.login(http, base).await?,
        };
        let access = tokens.access.clone();
        *guard = Some(tokens);
        Ok(access)
    }

    async fn login(&self, http: &reqwest::Client, base: &url::Url) -> Result<Tokens> {
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "password"),
            ("username", &self.credentials.username),
            ("password", &self.credentials.password),
        ];
        if let Some(tid) = &self.credentials.tid {
            form.push(("tid", tid));
        }
        tracing::debug!(username = %self.credentials.username, "logging in to GP tom");
        self.token_call(http, base, "cloud/oauth/token", &form)
            .await
    }

    async fn refresh(
        &self,
        http: &reqwest::Client,
        base: &url::Url,
        refresh: &str,
    ) -> Result<Tokens> {
        tracing::debug!("refreshing the GP tom access token");
        let form = [("grant_type", "refresh_token"), ("refresh_token", refresh)];
        let tokens = self
            .token_call(http, base, "api/oauth/token", &form)
            .await?;
        Ok(Tokens {
            refresh: tokens.refresh.or_else(|| Some(refresh.to_owned())),
            ..tokens
        })
    }

    async fn token_call(
        &self,
        http: &reqwest::Client,
        base: &url::Url,
        path: &str,
        form: &[(&str, &str)],
    ) -> Result<Tokens> {
        let url = base
            .join(path)
            .map_err(|error| Error::Config(format!("bad base URL: {error}")))?;
        let encoded: String = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = http
            .post(url)
            .basic_auth(
                &self.credentials.client_id,
                Some(&self.credentials.client_secret),
            )
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(encoded)
            .send()
            .await
            .map_err(|source| Error::Transport {
                operation: "token",
                source,
            })?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|source| Error::Transport {
            operation: "token",
            source,
        })?;
        if status != 200 {
            let body: ApiErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
            let message = match (body.error, body.error_description) {
                (Some(error), Some(description)) => format!("{error}: {description}"),
                (Some(error), None) => error,
                _ => format!("HTTP {status}"),
            };
            return Err(Error::Auth {
                message,
                status: Some(status),
            });
        }
        let token: TokenResponse =
            serde_json::from_slice(&bytes).map_err(|source| Error::Decode {
                operation: "token",
                snippet: crate::error::snippet(&bytes),
                source,
            })?;
        let lifetime = Duration::from_secs(token.expires_in.unwrap_or(3600));
        Ok(Tokens {
            access: token.access_token,
            refresh: token.refresh_token,
            expires_at: Instant::now() + lifetime,
        })
    }
}
