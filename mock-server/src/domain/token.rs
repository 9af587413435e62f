//! OAuth tokens: signed JWT access tokens (HS256) and opaque refresh tokens.
//!
//! Signing and signature checks are pure and need no lock; expiry is checked against the virtual
//! clock (`now` passed in), never against the wall clock, so a test can expire a token by
//! advancing the mock's clock.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use serde::{Deserialize, Serialize};

use crate::clock::Millis;

/// The claims of an access token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's login.
    pub sub: String,
    /// The terminal, `None` for a master-account token.
    pub tid: Option<String>,
    /// `read write`.
    pub scope: String,
    /// Issued at, seconds.
    pub iat: i64,
    /// Expires at, seconds.
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
    /// The OAuth client.
    pub client_id: String,
}

/// Why a bearer token is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// No `Authorization: Bearer` header.
    #[error(
        "Full authentication is required to access this resource: send `Authorization: Bearer <access_token>` with the access_token of POST /cloud/oauth/token"
    )]
    Missing,
    /// Not a JWT, wrong algorithm or bad signature.
    #[error("Cannot convert access token to JSON")]
    Invalid,
    /// Past `exp`.
    #[error("Access token expired")]
    Expired,
    /// Refused by the scenario (used too often, expired at a set instant).
    #[error("Access token expired")]
    Revoked,
}

/// The signing key of the mock's tokens.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Verified tokens by [`fingerprint`]; the whole token is compared on a hit.
    verified: Arc<RwLock<VerifiedCache>>,
}

/// Verified tokens: fingerprint → (the whole token, its claims).
type VerifiedCache = HashMap<u64, (Box<str>, Arc<Claims>), FingerprintHasher>;

/// The cache's key: the last 16 bytes of the token (its HMAC signature, base64url), folded into
/// a `u64`. Cheap where SipHash over a 300-byte token was not; a collision only costs a full check,
/// because a hit compares the whole token.
fn fingerprint(bytes: &[u8]) -> u64 {
    let tail = &bytes[bytes.len().saturating_sub(16)..];
    tail.iter().fold(bytes.len() as u64, |acc, byte| {
        acc.rotate_left(5) ^ u64::from(*byte).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    })
}

/// The fingerprint is already a hash: the map uses it as is.
type FingerprintHasher = std::hash::BuildHasherDefault<IdentityHasher>;

#[derive(Debug, Default)]
struct IdentityHasher(u64);

impl std::hash::Hasher for IdentityHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

impl std::fmt::Debug for TokenKeys {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("TokenKeys(***)")
    }
}

impl TokenKeys {
    /// Keys from a secret.
    #[must_use]
    pub fn new(secret: &[u8]) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked against the virtual clock by `verify`, not the wall clock.
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            verified: Arc::new(RwLock::new(HashMap::default())),
        }
    }

    /// Signs claims into a compact JWT.
    pub fn sign(&self, claims: &Claims) -> String {
        // HS256 signing with a valid key cannot fail; an empty string would be refused later.
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding).unwrap_or_default()
    }

    /// Checks signature and expiry of a compact JWT at `now`.
    ///
    /// The signature check of a byte-identical token is remembered (a bounded cache keyed by the
    /// whole token: any other byte sequence, a tampered one included, is verified in full);
    /// expiry is checked on every call.
    pub fn verify(&self, token: &str, now: Millis) -> Result<Arc<Claims>, TokenError> {
        self.verify_bytes(token.as_bytes(), now)
    }

    /// [`TokenKeys::verify`] of a token as the header's bytes: a remembered token is found
    /// without reading it as text first.
    pub fn verify_bytes(&self, token: &[u8], now: Millis) -> Result<Arc<Claims>, TokenError> {
        let key = fingerprint(token);
        let cached = self.verified.read().ok().and_then(|cache| {
            cache
                .get(&key)
                .filter(|(known, _)| known.as_bytes() == token)
                .map(|(_, claims)| Arc::clone(claims))
        });
        let claims = match cached {
            Some(claims) => claims,
            None => {
                let token = std::str::from_utf8(token).map_err(|_| TokenError::Invalid)?;
                let data = decode::<Claims>(token, &self.decoding, &self.validation)
                    .map_err(|_| TokenError::Invalid)?;
                let claims = Arc::new(data.claims);
                if let Ok(mut cache) = self.verified.write() {
                    if cache.len() >= VERIFIED_CACHE_CAPACITY {
                        cache.clear();
                    }
                    cache.insert(key, (token.into(), Arc::clone(&claims)));
                }
                claims
            }
        };
        if now.as_secs() >= claims.exp {
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }
}

/// How many verified tokens are remembered before the cache starts over.
const VERIFIED_CACHE_CAPACITY: usize = 4_096;

/// A stored refresh token.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RefreshRecord {
    /// User.
    pub sub: Box<str>,
    /// Terminal, `None` for master.
    pub tid: Option<Box<str>>,
    /// OAuth client that got it.
    pub client_id: Box<str>,
    /// Expiry.
    pub expires: Millis,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims {
            sub: "jan.novak@example.com".into(),
            tid: Some("999888".into()),
            scope: "read write".into(),
            iat: 0,
            exp,
            jti: "j1".into(),
            client_id: "atom".into(),
        }
    }

    #[test]
    fn a_signed_token_verifies_until_it_expires() {
        let keys = TokenKeys::new(b"secret");
        let token = keys.sign(&claims(100));
        assert!(token.starts_with("eyJ"));
        assert_eq!(
            keys.verify(&token, Millis(99_999))
                .map(|claims| (*claims).clone()),
            Ok(claims(100))
        );
        assert_eq!(
            keys.verify(&token, Millis(99_999))
                .map(|claims| (*claims).clone()),
            Ok(claims(100)),
            "cached"
        );
        assert_eq!(
            keys.verify(&token, Millis(100_000)),
            Err(TokenError::Expired)
        );
    }

    #[test]
    fn a_token_signed_with_another_key_or_tampered_is_invalid() {
        let token = TokenKeys::new(b"other").sign(&claims(100));
        assert_eq!(
            TokenKeys::new(b"secret").verify(&token, Millis(0)),
            Err(TokenError::Invalid)
        );
        let keys = TokenKeys::new(b"secret");
        let mut tampered = keys.sign(&claims(100));
        tampered.insert(tampered.len() / 2, 'x');
        assert_eq!(keys.verify(&tampered, Millis(0)), Err(TokenError::Invalid));
        assert_eq!(
            keys.verify("not a jwt", Millis(0)),
            Err(TokenError::Invalid)
        );
    }

    #[test]
    fn a_cached_token_does_not_vouch_for_a_tampered_twin() {
        // Same length, same signature (the fingerprint's bytes), another payload: the cache holds
        // the genuine token, yet the twin is checked in full and refused.
        let keys = TokenKeys::new(b"secret");
        let genuine = keys.sign(&claims(100));
        assert!(keys.verify(&genuine, Millis(0)).is_ok());
        let dot = genuine.find('.').expect("header.payload");
        let mut twin = genuine.clone().into_bytes();
        twin[dot + 2] = if twin[dot + 2] == b'A' { b'B' } else { b'A' };
        let twin = String::from_utf8(twin).expect("ascii");
        assert_eq!(
            fingerprint(twin.as_bytes()),
            fingerprint(genuine.as_bytes())
        );
        assert_eq!(keys.verify(&twin, Millis(0)), Err(TokenError::Invalid));
        assert!(keys.verify(&genuine, Millis(0)).is_ok());
    }
}
