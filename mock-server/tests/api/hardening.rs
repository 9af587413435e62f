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
