//! The answer written onto the caller's redirect URL so that it survives one or two rounds of
//! percent-decoding unchanged.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// What a redirect value may keep unencoded: RFC 3986's unreserved characters.
const REDIRECT_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes a redirect value: `%20` for a space, `%2B` for a plus.
#[must_use]
pub fn encode_value(value: &str) -> String {
    utf8_percent_encode(value, REDIRECT_VALUE).to_string()
}

/// JSON for a redirect parameter: `%` written as `\u0025`, so the text reads the same after the
/// SDK's second percent-decoding.
#[must_use]
pub fn redirect_json(json: &str) -> String {
    json.replace('%', "\\u0025")
}

/// The caller's redirect URL with `pairs` appended to its query (before any `#fragment`).
#[must_use]
pub fn append_to_redirect(redirect: &str, pairs: &[(&str, String)]) -> String {
    let (base, fragment) = match redirect.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (redirect, None),
    };
    let mut out = String::with_capacity(base.len() + 64);
    out.push_str(base);
    let mut separator = if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    for (key, value) in pairs {
        out.push_str(separator);
        out.push_str(key);
        out.push('=');
        out.push_str(&encode_value(value));
        separator = "&";
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}
