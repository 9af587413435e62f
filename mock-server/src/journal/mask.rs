//! Secrets masked in what the journal shows: passwords in forms (nested ones in deep links'
//! query strings included) and tokens in JSON answers, so a listed, judged or shown entry never
//! carries a usable secret.

use super::BODY_LIMIT;
use crate::domain::token::mask;

/// Masks secrets in a request or answer body before it is journaled.
#[must_use]
pub fn mask_body(bytes: &[u8], size: usize, form: bool) -> Option<String> {
    if bytes.is_empty() {
        return None;
    }
    let cut = &bytes[..bytes.len().min(BODY_LIMIT)];
    let text = String::from_utf8_lossy(cut);
    let masked = if form {
        mask_form(&text)
    } else {
        mask_json_tokens(&text)
    };
    let size = size.max(bytes.len());
    Some(if size > BODY_LIMIT {
        format!("{masked}… ({size} bytes)")
    } else {
        masked
    })
}

const SECRET_KEYS: &[&str] = &["password", "refresh_token", "access_token", "client_secret"];

/// Whether a form key names a secret once decoded as the server decodes it (`pass%77ord`,
/// `Password`, `refresh%5Ftoken` all do).
fn secret_key(raw_key: &str) -> Option<&'static str> {
    let decode = |text: &str| {
        form_urlencoded::parse(format!("{text}=").as_bytes())
            .next()
            .map(|(key, _)| key.into_owned())
            .unwrap_or_default()
    };
    // Twice: GP tom's app decodes deep-link parameters twice.
    let once = decode(raw_key);
    let twice = decode(&once).to_ascii_lowercase();
    let once = once.to_ascii_lowercase();
    SECRET_KEYS
        .iter()
        .copied()
        .find(|secret| *secret == once || *secret == twice)
}

/// Masks `key=value` pairs whose key is a secret; a value that is itself a link or query with
/// secrets in it (a deep link in `/app2app?url=`) is masked inside, re-encoded.
pub(super) fn mask_form(text: &str) -> String {
    mask_form_depth(text, 0)
}

fn mask_form_depth(text: &str, depth: u8) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, value)) => match secret_key(key) {
                Some("password" | "client_secret") => format!("{key}=***"),
                Some(_) => {
                    let decoded = form_urlencoded::parse(format!("x={value}").as_bytes())
                        .next()
                        .map(|(_, value)| value.into_owned())
                        .unwrap_or_default();
                    format!("{key}={}", mask(&decoded))
                }
                None if depth < 2 && value.contains('%') => {
                    let decoded = form_urlencoded::parse(format!("x={value}").as_bytes())
                        .next()
                        .map(|(_, value)| value.into_owned())
                        .unwrap_or_default();
                    match decoded.split_once('?') {
                        Some((head, inner))
                            if SECRET_KEYS
                                .iter()
                                .any(|secret| inner.to_ascii_lowercase().contains(secret)) =>
                        {
                            let masked = format!("{head}?{}", mask_form_depth(inner, depth + 1));
                            let encoded: String =
                                form_urlencoded::byte_serialize(masked.as_bytes()).collect();
                            format!("{key}={encoded}")
                        }
                        _ => pair.to_owned(),
                    }
                }
                None => pair.to_owned(),
            },
            None => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn mask_json_tokens(text: &str) -> String {
    if !SECRET_KEYS.iter().any(|key| text.contains(key)) {
        return text.to_owned();
    }
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(serde_json::Value::Object(mut map)) => {
            for key in SECRET_KEYS {
                if let Some(serde_json::Value::String(secret)) = map.get_mut(*key) {
                    *secret = if *key == "password" || *key == "client_secret" {
                        "***".into()
                    } else {
                        mask(secret)
                    };
                }
            }
            serde_json::Value::Object(map).to_string()
        }
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_tokens_are_masked() {
        let form = mask_body(
            b"grant_type=password&username=a&password=secret123&tid=1",
            56,
            true,
        )
        .unwrap_or_default();
        assert_eq!(form, "grant_type=password&username=a&password=***&tid=1");
        let json = mask_body(
            br#"{"access_token":"eyJhbGciOiJIUzI1NiJ9.abc.def","tid":"1"}"#,
            0,
            false,
        )
        .unwrap_or_default();
        assert!(!json.contains("eyJhbGciOiJIUzI1NiJ9.abc.def"));
        assert!(json.contains("eyJh…"));
    }
}
