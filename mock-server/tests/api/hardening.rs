//! What an attacker or a careless CI configuration tries (issue "Hardening"): forged tokens,
//! predictable keys, refresh tokens across resets, blank admin tokens.

use axum::http::{Method, StatusCode};
use gptom_mock::domain::token::{Claims, TokenKeys};

use crate::support::*;

fn forged(keys: &TokenKeys, sub: &str, tid: Option<&str>) -> String {
    keys.sign(&Claims {
        sub: sub.to_owned(),
        tid: tid.map(str::to_owned),
        scope: "read write".into(),
        iat: 1_768_467_600,
        exp: 1_768_467_600 + 3600,
        jti: "forged".into(),
        client_id: "atom".into(),
    })
}

#[tokio::test]
async fn a_validly_signed_token_the_token_endpoint_would_never_issue_is_refused() {
    // Even with the key known (pinned here), a token must match the fixtures.
    let mut config = gptom_mock::MockConfig::embedded().expect("fixtures");
    config.jwt_secret = Some("a-pinned-secret-for-this-test".into());
    let keys = TokenKeys::new(b"a-pinned-secret-for-this-test");
    let mock = Mock::with_config(config);
    let sale = sale_body(1000, "EUR");
    for (sub, tid) in [
        (JAN, Some("777666")),                  // another merchant's terminal
        (JAN, None),                            // tid null, but not a master account
        ("nobody@example.com", Some("999888")), // no such user
    ] {
        let token = forged(&keys, sub, tid);
        let reply = mock.create(&token, sale.clone()).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{sub} {tid:?}");
    }
    let own = forged(&keys, JAN, Some("999888"));
    let reply = mock.create(&own, sale_body(1000, "CZK")).await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.text);
}

#[tokio::test]
async fn without_a_pinned_secret_every_mock_signs_with_its_own_random_key() {
    let first = Mock::new();
    let second = Mock::new();
    let token = first.token(JAN, Some("999888")).await;
    let reply = second
        .call(
            Method::GET,
            "/v1/tasks/00000000-0000-4000-8000-000000000000",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    // The old seed-derived key no longer works.
    let predictable = TokenKeys::new(b"gptom-mock-signing-key-0");
    let reply = first
        .create(
            &forged(&predictable, JAN, Some("999888")),
            sale_body(1000, "CZK"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_tokens_never_repeat_and_a_reset_forgets_them() {
    let mock = Mock::new();
    let before = mock.login(EVA, Some("777666")).await.body["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned();
    mock.call(Method::POST, "/__mock/reset", None, None).await;
    let after = mock.login(JAN, Some("999888")).await.body["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned();
    assert_ne!(
        before, after,
        "a reset restarts the id sequence, not the secrets"
    );
    let old = mock
        .form(
            "/api/oauth/token",
            Some(BASIC),
            &format!("grant_type=refresh_token&refresh_token={before}"),
        )
        .await;
    assert_eq!(old.status, StatusCode::BAD_REQUEST);
    assert_eq!(old.body["error"], "invalid_grant");
}

#[tokio::test]
async fn a_blank_admin_token_locks_the_control_plane_instead_of_opening_it() {
    for blank in ["", " "] {
        let mut config = gptom_mock::MockConfig::embedded().expect("fixtures");
        config.admin_token = Some(blank.into());
        let mock = Mock::with_config(config);
        for presented in [None, Some(blank)] {
            let path = format!("/__mock/reset?admin_token={}", blank.replace(' ', "+"));
            let reply = mock.call(Method::POST, &path, presented, None).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{blank:?}");
        }
    }
}

mod secrets {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, header};
    use proptest::prelude::*;

    fn encode(text: &str) -> String {
        url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
    }

    /// Sends the secret in one of the request shapes a client (or an attacker) might use.
    async fn send_secret(mock: &Mock, shape: u8, secret: &str) {
        let basic = BASIC.to_owned();
        let request = |method: Method, uri: String, content_type: Option<&str>, body: String| {
            let mut builder = Request::builder().method(method).uri(uri);
            builder = builder.header(header::AUTHORIZATION, basic.clone());
            if let Some(content_type) = content_type {
                builder = builder.header(header::CONTENT_TYPE, content_type);
            }
            builder.body(Body::from(body)).expect("request")
        };
        let login = format!(
            "grant_type=password&username=jan.novak%40example.com&password={}&tid=999888",
            encode(secret)
        );
        let built = match shape {
            0 => request(
                Method::POST,
                "/cloud/oauth/token".into(),
                Some("application/x-www-form-urlencoded"),
                login,
            ),
            1 => request(
                Method::POST,
                "/cloud/oauth/token".into(),
                Some("APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8"),
                login,
            ),
            2 => request(
                Method::POST,
                "/cloud/oauth/token".into(),
                Some("application/x-www-form-urlencoded"),
                login.replace("password=", "pass%77ord="),
            ),
            3 => request(
                Method::POST,
                format!("/cloud/oauth/token?{login}"),
                None,
                String::new(),
            ),
            4 => request(
                Method::POST,
                "/api/oauth/token".into(),
                Some("application/x-www-form-urlencoded"),
                format!(
                    "grant_type=refresh_token&refresh%5Ftoken={}",
                    encode(secret)
                ),
            ),
            5 => request(
                Method::POST,
                "/cloud/oauth/token".into(),
                Some("text/plain"),
                login,
            ),
            _ => {
                let link = format!(
                    "gptom://login?username=jan.novak%40example.com&password={}&tid=999888",
                    encode(secret)
                );
                request(
                    Method::GET,
                    format!("/app2app?url={}", encode(&link)),
                    None,
                    String::new(),
                )
            }
        };
        mock.send(built).await;
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        #[test]
        fn no_secret_from_any_request_shape_reaches_the_journal_or_the_page(
            secret in "[A-Za-z0-9]{12,24}",
            shape in 0u8..7,
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mock = Mock::new();
                send_secret(&mock, shape, &secret).await;
                for path in ["/__mock/requests", "/__mock/view", "/__mock/state"] {
                    let seen = mock.call(Method::GET, path, None, None).await.text;
                    prop_assert!(!seen.contains(&secret), "shape {shape}: {path} shows the secret: {seen}");
                }
                Ok(())
            })?;
        }
    }
}

#[tokio::test]
async fn a_terminal_token_cannot_read_another_terminals_batch_through_tid() {
    let mock = Mock::new();
    let jan = mock.token(JAN, Some("999888")).await;
    mock.pay(&jan, 1000).await;
    let close = mock
        .call(
            Method::POST,
            "/v1/tasks/BATCH",
            Some(&jan),
            Some(serde_json::json!({})),
        )
        .await;
    assert_eq!(close.status, StatusCode::CREATED, "{}", close.text);
    mock.advance(10);
    let own = mock
        .call(Method::GET, "/v1/batches/1?tid=999888", Some(&jan), None)
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.text);
    for tid in ["999889", "777666"] {
        let other = mock
            .call(
                Method::GET,
                &format!("/v1/batches/1?tid={tid}"),
                Some(&jan),
                None,
            )
            .await;
        assert_eq!(other.status, StatusCode::NOT_FOUND, "{tid}: {}", other.text);
    }
    let long = mock
        .call(
            Method::GET,
            &format!("/v1/batches/1?tid={}", "9".repeat(21)),
            Some(&jan),
            None,
        )
        .await;
    assert_eq!(long.status, StatusCode::BAD_REQUEST, "{}", long.text);
}
