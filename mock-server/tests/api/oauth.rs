use axum::http::{Method, StatusCode, header};
use base64::Engine;
use serde_json::Value;

use crate::support::*;

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("payload");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64");
    serde_json::from_slice(&bytes).expect("json")
}

#[tokio::test]
async fn password_grant_answers_the_documented_token_shape() {
    let mock = Mock::new();
    let reply = mock.login(JAN, Some("999888")).await;
    assert_eq!(reply.status, StatusCode::OK);
    insta::assert_json_snapshot!(reply.body, {".access_token" => "[jwt]", ".refresh_token" => "[refresh]"});
    let claims = claims(reply.body["access_token"].as_str().expect("jwt"));
    assert_eq!(claims["sub"], JAN);
    assert_eq!(claims["tid"], "999888");
    assert_eq!(claims["scope"], "read write");
    assert_eq!(
        claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
        3600
    );
    assert!(claims["jti"].is_string());
}

#[tokio::test]
async fn a_master_account_logs_in_without_a_terminal() {
    let mock = Mock::new();
    let reply = mock.login(MASTER, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    assert_eq!(reply.body["tid"], Value::Null);
    assert_eq!(reply.body["expires_in"], 86399);
    assert_eq!(
        claims(reply.body["access_token"].as_str().expect("jwt"))["tid"],
        Value::Null
    );
}

#[tokio::test]
async fn bad_user_credentials_are_invalid_grant() {
    let mock = Mock::new();
    let reply = mock
        .form(
            "/cloud/oauth/token",
            Some(BASIC),
            "grant_type=password&username=jan.novak%40example.com&password=wrong&tid=999888",
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    insta::assert_json_snapshot!(reply.body);
}

#[tokio::test]
async fn missing_or_wrong_client_credentials_are_invalid_client_with_a_challenge() {
    let mock = Mock::new();
    for basic in [None, Some("Basic YXRvbTp3cm9uZw=="), Some("Bearer x")] {
        let reply = mock
            .form(
                "/cloud/oauth/token",
                basic,
                "grant_type=password&username=a&password=b",
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
        assert_eq!(reply.body["error"], "invalid_client");
        assert!(reply.headers.get(header::WWW_AUTHENTICATE).is_some());
    }
}

#[tokio::test]
async fn an_unknown_grant_and_missing_parameters_are_named() {
    let mock = Mock::new();
    let reply = mock
        .form(
            "/cloud/oauth/token",
            Some(BASIC),
            "grant_type=client_credentials",
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"], "unsupported_grant_type");
    let reply = mock
        .form(
            "/cloud/oauth/token",
            Some(BASIC),
            "grant_type=password&username=a",
        )
        .await;
    assert_eq!(reply.body["error"], "invalid_request");
    assert_eq!(
        reply.body["error_description"],
        "Missing parameter: password"
    );
    let reply = mock
        .form(
            "/cloud/oauth/token",
            Some(BASIC),
            "grant_type=password&username=jan.novak%40example.com&password=ABCDEFGHIJKL",
        )
        .await;
    assert_eq!(reply.body["error_description"], "Missing parameter: tid");
}

#[tokio::test]
async fn a_user_cannot_log_in_to_another_merchants_terminal() {
    let mock = Mock::new();
    let reply = mock.login(JAN, Some("777666")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"], "invalid_grant");
}

#[tokio::test]
async fn both_token_paths_take_both_grants() {
    let mock = Mock::new();
    for path in ["/cloud/oauth/token", "/api/oauth/token"] {
        let login = mock
            .form(path, Some(BASIC), "grant_type=password&username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=999888")
            .await;
        assert_eq!(login.status, StatusCode::OK, "{path}");
        let refresh_token = login.body["refresh_token"].as_str().expect("refresh");
        for refresh_path in ["/cloud/oauth/token", "/api/oauth/token"] {
            let reply = mock
                .form(
                    refresh_path,
                    Some(BASIC),
                    &format!("grant_type=refresh_token&refresh_token={refresh_token}"),
                )
                .await;
            assert_eq!(
                reply.status,
                StatusCode::OK,
                "{path} then {refresh_path}: {}",
                reply.text
            );
            assert_eq!(reply.body["tid"], "999888");
        }
    }
}

#[tokio::test]
async fn an_expired_refresh_token_cannot_refresh() {
    let mock = Mock::new();
    let login = mock.login(JAN, Some("999888")).await;
    let refresh_token = login.body["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    mock.advance(90 * 86_400);
    let reply = mock
        .form(
            "/api/oauth/token",
            Some(BASIC),
            &format!("grant_type=refresh_token&refresh_token={refresh_token}"),
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["error"], "invalid_grant");
}

#[tokio::test]
async fn an_access_token_expires_after_an_hour_of_virtual_time() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let task = mock.sale(&token, 1000).await;
    let task_id = task["taskId"].as_str().expect("id");
    mock.advance(3599);
    assert_eq!(mock.poll(&token, task_id).await.status, StatusCode::OK);
    mock.advance(1);
    let reply = mock.poll(&token, task_id).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["error"], "invalid_token");
    let challenge = reply
        .headers
        .get(header::WWW_AUTHENTICATE)
        .expect("challenge")
        .to_str()
        .expect("ascii");
    assert!(challenge.starts_with("Bearer ") && challenge.contains("error=\"invalid_token\""));
}

#[tokio::test]
async fn a_tampered_or_foreign_token_is_refused() {
    let mock = Mock::new();
    let token = mock.token(JAN, Some("999888")).await;
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    let mut forged = claims(&token);
    forged["tid"] = Value::from("777666");
    parts[1] = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(forged.to_string());
    let tampered = parts.join(".");
    let reply = mock
        .call(Method::GET, "/v1/tasks/x", Some(&tampered), None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = mock
        .call(Method::GET, "/v1/tasks/x", Some("not-a-jwt"), None)
        .await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    let reply = mock.call(Method::GET, "/v1/tasks/x", None, None).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn each_oauth_refusal_says_which_part_was_wrong_and_what_to_send() {
    let mock = Mock::new();
    let cases = [
        (
            None,
            "grant_type=password&username=a&password=b",
            "Basic base64(client_id:client_secret)",
        ),
        (
            Some("Basic YXRvbTp3cm9uZw=="),
            "grant_type=password&username=a&password=b",
            "wrong secret for client `atom`",
        ),
        (
            Some("Basic bm9ib2R5Ong="),
            "grant_type=password&username=a&password=b",
            "no client `nobody`",
        ),
        (
            Some(BASIC),
            "grant_type=password&username=nobody%40example.com&password=b&tid=999888",
            "no GP tom user `nobody@example.com`",
        ),
        (
            Some(BASIC),
            "grant_type=password&username=jan.novak%40example.com&password=b&tid=999888",
            "wrong password for `jan.novak@example.com`",
        ),
    ];
    for (basic, form, expected) in cases {
        let reply = mock.form("/cloud/oauth/token", basic, form).await;
        let description = reply.body["error_description"].as_str().unwrap_or_default();
        assert!(description.contains(expected), "{form}: {description}");
    }
    let missing = mock
        .call(
            Method::GET,
            "/v1/tasks/00000000-0000-4000-8000-000000000000",
            None,
            None,
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert!(
        missing
            .text
            .contains("send `Authorization: Bearer <access_token>`"),
        "{}",
        missing.text
    );
}

/// Issue #35: a misspelled form name gets its did-you-mean, not only "Missing grant type".
#[tokio::test]
async fn a_misspelled_grant_type_is_named() {
    let mock = Mock::new();
    let reply = mock
        .form(
            "/cloud/oauth/token",
            Some(BASIC),
            "grant_typ=password&username=jan.novak%40example.com&password=ABCDEFGHIJKL&tid=999888",
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert_eq!(reply.body["error"], "invalid_request");
    let description = reply.body["error_description"].as_str().unwrap_or_default();
    assert!(
        description.contains("Missing grant type")
            && description.contains("`grant_typ`: did you mean `grant_type`?"),
        "{description}"
    );
}
