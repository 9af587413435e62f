//! Who may talk to the mock from a browser: the `Host` a request names (DNS rebinding) and the
//! page a control-plane request comes from (`Origin`, `Sec-Fetch-Site`).
//!
//! Invariant: a web page the developer visits can neither drive nor read the control plane: a
//! request whose `Host` is a name the mock was not told about is refused before anything runs
//! (421), and a control-plane request sent by another origin's page is refused (403). Requests
//! without these headers — curl, SDKs, test clients — are not browsers and pass.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};

use crate::error::ApiError;

/// Whether a request naming `host` (the `Host` header) is one the mock answers: an IP address
/// (a page cannot be served from the mock's own address, so an address is never a rebinding),
/// `localhost` and `*.localhost`, a name in `allowed` (lower case), or anything when `allowed`
/// holds `*`.
#[must_use]
pub fn host_allowed(host: &HeaderValue, allowed: &[String]) -> bool {
    // Every request names a host: the usual two are told apart without parsing.
    let bytes = host.as_bytes();
    for usual in [&b"127.0.0.1"[..], b"localhost"] {
        if bytes.starts_with(usual)
            && bytes.get(usual.len()).is_none_or(|next| {
                *next == b':' && bytes[usual.len() + 1..].iter().all(u8::is_ascii_digit)
            })
        {
            return true;
        }
    }
    let Ok(text) = host.to_str() else {
        return false;
    };
    let name = host_name(text);
    if name.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || allowed
            .iter()
            .any(|allowed| allowed == "*" || *allowed == name)
}

/// `example.com:8080` → `example.com`, `[::1]:8080` → `::1`.
fn host_name(text: &str) -> &str {
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match text.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => text,
    }
}

/// The 421 for a `Host` the mock does not answer to.
#[must_use]
pub fn misdirected(host: &HeaderValue) -> ApiError {
    let shown = String::from_utf8_lossy(host.as_bytes());
    let name = host_name(&shown).to_owned();
    ApiError::new(
        StatusCode::MISDIRECTED_REQUEST,
        format!(
            "Host `{shown}` is not a name this mock answers to (IP addresses, localhost, and names given with --allowed-host); \
             a web page that resolved its own name to this machine looks like this (DNS rebinding). \
             If you reach the mock as `{name}`, start it with --allowed-host {name} (GPTOM_MOCK_ALLOWED_HOSTS)"
        ),
    )
}

/// Why a control-plane request from a browser page is refused, if it is: `Sec-Fetch-Site`
/// other than `same-origin` or `none` (typed into the address bar), or an `Origin` other than
/// the mock's own (`http://` + the request's `Host`).
#[must_use]
pub fn cross_origin(headers: &HeaderMap) -> Option<ApiError> {
    let site = headers
        .get("sec-fetch-site")
        .and_then(|value| value.to_str().ok());
    if let Some(site) = site
        && !matches!(site, "same-origin" | "none")
    {
        return Some(refused(&format!("Sec-Fetch-Site: {site}")));
    }
    let origin = headers.get(header::ORIGIN)?;
    let own = headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .map(|host| format!("http://{host}"));
    let origin_text = origin.to_str().unwrap_or("?");
    if own
        .as_deref()
        .is_some_and(|own| own.eq_ignore_ascii_case(origin_text))
    {
        return None;
    }
    Some(refused(&format!("Origin: {origin_text}")))
}

fn refused(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        format!(
            "the control plane answers only its own page and non-browser clients; this request came from another web page ({what}). \
             Call /__mock/* from your test code or curl, or open the mock's own page at /__mock/ui"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> HeaderValue {
        HeaderValue::from_str(text).expect("header")
    }

    #[test]
    fn addresses_and_localhost_pass_other_names_need_allowing() {
        let none: [String; 0] = [];
        for host in [
            "127.0.0.1:8080",
            "[::1]:8080",
            "10.0.0.5",
            "localhost:8080",
            "LOCALHOST",
            "app.localhost:1",
        ] {
            assert!(host_allowed(&value(host), &none), "{host}");
        }
        for host in [
            "rebind.attacker.example:8080",
            "gptom-mock",
            "localhost.evil.com",
        ] {
            assert!(!host_allowed(&value(host), &none), "{host}");
        }
        let allowed = ["gptom-mock".to_owned()];
        assert!(host_allowed(&value("GPTOM-MOCK:8080"), &allowed));
        assert!(host_allowed(&value("any.name"), &["*".to_owned()]));
        let message = misdirected(&value("rebind.attacker.example:8080")).message;
        assert!(
            message.contains("--allowed-host rebind.attacker.example"),
            "{message}"
        );
    }

    #[test]
    fn only_the_mocks_own_page_and_non_browsers_pass() {
        let headers = |pairs: &[(&'static str, &str)]| {
            let mut map = HeaderMap::new();
            for (name, text) in pairs {
                map.insert(*name, value(text));
            }
            map
        };
        assert!(cross_origin(&headers(&[])).is_none(), "curl");
        assert!(
            cross_origin(&headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://127.0.0.1:8080"),
                ("sec-fetch-site", "same-origin"),
            ]))
            .is_none()
        );
        assert!(cross_origin(&headers(&[("sec-fetch-site", "none")])).is_none());
        for refused in [
            headers(&[("sec-fetch-site", "cross-site")]),
            headers(&[("sec-fetch-site", "same-site")]),
            headers(&[
                ("host", "127.0.0.1:8080"),
                ("origin", "http://evil.example"),
            ]),
            headers(&[("host", "127.0.0.1:8080"), ("origin", "null")]),
            headers(&[("origin", "http://127.0.0.1:8080")]),
        ] {
            let error = cross_origin(&refused).expect("refused");
            assert_eq!(error.status, StatusCode::FORBIDDEN);
        }
    }
}
