//! The token endpoint's wire: the form GP tom's clients post (RFC 6749 names) read into the
//! store's [`TokenParams`], and the token pair they get back.

use serde::Serialize;

use crate::store::{TokenGrant, TokenParams};

/// Reads a token request: the form body, with the query string's parameters before it (the
/// body's win); unknown names are ignored, as Spring's OAuth server does.
#[must_use]
pub fn read_token_form(query: &[u8], body: &[u8]) -> TokenParams {
    let mut params = TokenParams::default();
    for (key, value) in form_urlencoded::parse(query).chain(form_urlencoded::parse(body)) {
        let slot = match key.as_ref() {
            "grant_type" => &mut params.grant_type,
            "username" => &mut params.username,
            "password" => &mut params.password,
            "tid" => &mut params.tid,
            "refresh_token" => &mut params.refresh_token,
            _ => continue,
        };
        *slot = Some(value.into_owned());
    }
    params
}

/// The form's names the token endpoint does not read but that are near one it does
/// (`grant_typ` → `grant_type`), as `(sent, meant)`: for a "did you mean" on a refusal.
#[must_use]
pub fn near_misses(query: &[u8], body: &[u8]) -> Vec<(String, &'static str)> {
    const KNOWN: [&str; 5] = ["grant_type", "username", "password", "tid", "refresh_token"];
    let mut misses: Vec<(String, &'static str)> = Vec::new();
    for (key, _) in form_urlencoded::parse(query).chain(form_urlencoded::parse(body)) {
        if KNOWN.contains(&key.as_ref()) || misses.iter().any(|(sent, _)| *sent == key) {
            continue;
        }
        let near = KNOWN
            .iter()
            .map(|known| {
                (
                    *known,
                    strsim::damerau_levenshtein(&key.to_ascii_lowercase(), known),
                )
            })
            .filter(|(_, distance)| *distance <= 2)
            .min_by_key(|(_, distance)| *distance);
        if let Some((meant, _)) = near {
            misses.push((key.into_owned(), meant));
        }
    }
    misses
}

/// The parameters of a token request.
#[derive(Debug, utoipa::ToSchema)]
#[schema(as = OAuthTokenRequest)]
#[allow(dead_code)]
pub struct TokenRequestShape {
    /// `password` or `refresh_token`.
    #[schema(value_type = crate::schema::GrantType, required = true)]
    grant_type: Option<String>,
    /// The merchant's login e-mail (password grant).
    #[schema(example = "merchant@example.com")]
    username: Option<String>,
    /// The password (password grant).
    #[schema(format = Password)]
    password: Option<String>,
    /// Terminal ID (password grant); omitted by a master API account.
    #[schema(example = "999888")]
    tid: Option<String>,
    /// The refresh token (refresh grant).
    refresh_token: Option<String>,
}

/// A token response.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, utoipa::ToSchema)]
#[schema(as = OAuthTokenResponse)]
pub struct TokenBody {
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

impl From<TokenGrant> for TokenBody {
    fn from(grant: TokenGrant) -> Self {
        TokenBody {
            access_token: grant.access_token,
            token_type: grant.token_type,
            refresh_token: grant.refresh_token,
            expires_in: grant.expires_in,
            scope: grant.scope,
            tid: grant.tid,
        }
    }
}
