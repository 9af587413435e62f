//! Issue #31: a web page the developer visits can neither drive nor read the mock — no
//! cross-origin control-plane request, no form or text body into the state import, no request
//! under a name resolved to this machine (DNS rebinding) — while curl, test clients and the
//! mock's own page go on working.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::json;

use crate::support::*;

fn request(method: Method, path: &str, headers: &[(&str, &str)], body: &str) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from(body.to_owned())).expect("request")
}

/// How many transactions the mock holds.
async fn transactions(mock: &Mock) -> usize {
    mock.call(Method::GET, "/__mock/state/export", None, None)
        .await
        .body["transactions"]
        .as_array()
        .map_or(0, Vec::len)
}

#[tokio::test]
async fn another_pages_request_cannot_reset_the_mock_or_replace_its_state() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    mock.pay(&token, 1000).await;
    assert_eq!(transactions(&mock).await, 1);
    // `fetch(…, {method: "POST", mode: "no-cors"})` from another site: Origin and Sec-Fetch-Site.
    for headers in [
        &[
            ("origin", "http://evil.example"),
            ("host", "127.0.0.1:8080"),
        ][..],
        &[("sec-fetch-site", "cross-site"), ("host", "127.0.0.1:8080")][..],
        &[("sec-fetch-site", "same-site"), ("host", "localhost:8080")][..],
        &[("origin", "null")][..],
    ] {
        let reply = mock
            .send(request(Method::POST, "/__mock/reset", headers, ""))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::FORBIDDEN,
            "{headers:?}: {}",
            reply.text
        );
        assert!(reply.text.contains("another web page"), "{}", reply.text);
        let read = mock
            .send(request(Method::GET, "/__mock/state/export", headers, ""))
            .await;
        assert_eq!(read.status, StatusCode::FORBIDDEN, "reading is refused too");
    }
    assert_eq!(transactions(&mock).await, 1, "nothing was reset");

    // A text/plain import (a page's simple request) is refused before it is read.
    let exported = mock
        .call(Method::GET, "/__mock/state/export", None, None)
        .await
        .text;
    let reply = mock
        .send(request(
            Method::POST,
            "/__mock/state/import",
            &[("content-type", "text/plain")],
            &exported,
        ))
        .await;
    assert_eq!(
        reply.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "{}",
        reply.text
    );
    assert!(reply.text.contains("application/json"), "{}", reply.text);

    // The mock's own page (same origin), curl (no such headers) and a typed URL pass.
    for headers in [
        &[
            ("origin", "http://127.0.0.1:8080"),
            ("host", "127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ][..],
        &[][..],
        &[("sec-fetch-site", "none")][..],
    ] {
        let reply = mock
            .send(request(Method::GET, "/__mock/clock", headers, ""))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{headers:?}: {}", reply.text);
    }
    let reply = mock
        .send(request(
            Method::POST,
            "/__mock/state/import",
            &[("content-type", "application/json")],
            &exported,
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn a_name_the_mock_was_not_given_is_refused_everywhere() {
    let mock = Mock::new();
    for path in [
        "/__mock/state/export",
        "/__mock/requests",
        "/v1/tasks/x",
        "/app2app?url=x",
    ] {
        let reply = mock
            .send(request(
                Method::GET,
                path,
                &[("host", "rebind.attacker.example:8080")],
                "",
            ))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::MISDIRECTED_REQUEST,
            "{path}: {}",
            reply.text
        );
        assert!(
            reply
                .text
                .contains("--allowed-host rebind.attacker.example"),
            "{}",
            reply.text
        );
    }
    for host in [
        "127.0.0.1:8080",
        "localhost:8080",
        "[::1]:8080",
        "192.168.1.9:8080",
    ] {
        let reply = mock
            .send(request(
                Method::GET,
                "/__mock/health",
                &[("host", host)],
                "",
            ))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{host}");
    }
    let mut config = Mock::pinned_config();
    config.allowed_hosts = vec!["gptom-mock".into()];
    let named = Mock::with_config(config);
    let reply = named
        .send(request(
            Method::GET,
            "/__mock/health",
            &[("host", "gptom-mock:8080")],
            "",
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}

#[tokio::test]
async fn the_admin_token_in_a_url_opens_the_page_and_its_stream_only() {
    let mut config = Mock::pinned_config();
    config.admin_token = Some("s3cret-admin-token".into());
    let mock = Mock::with_config(config);
    let page = mock
        .send(request(
            Method::GET,
            "/__mock/ui?admin_token=s3cret-admin-token",
            &[],
            "",
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.headers
            .get(header::REFERRER_POLICY)
            .and_then(|value| value.to_str().ok()),
        Some("no-referrer")
    );
    for (method, path) in [
        (Method::POST, "/__mock/reset?admin_token=s3cret-admin-token"),
        (
            Method::GET,
            "/__mock/state/export?admin_token=s3cret-admin-token",
        ),
    ] {
        let reply = mock.send(request(method, path, &[], "")).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let reply = mock
        .send(request(
            Method::POST,
            "/__mock/reset",
            &[("x-admin-token", "s3cret-admin-token")],
            "",
        ))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let _ = json!({});
}

/// A link to the page followed from another site (a CI dashboard) opens the page: a top-level
/// navigation no other page can read or script. Only the page.
#[tokio::test]
async fn a_link_to_the_page_from_another_site_opens_it() {
    let mock = Mock::new();
    let navigation = [
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-mode", "navigate"),
        ("host", "127.0.0.1:8080"),
    ];
    let page = mock
        .send(request(Method::GET, "/__mock/ui", &navigation, ""))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let export = mock
        .send(request(
            Method::GET,
            "/__mock/state/export",
            &navigation,
            "",
        ))
        .await;
    assert_eq!(export.status, StatusCode::FORBIDDEN);
}
