//! `GET /__mock/state/export` and `POST /__mock/state/import`: a state moved from one mock to
//! another reads back the same, carries no secret, and a file that does not fit changes nothing.

use axum::http::{Method, StatusCode, header};
use serde_json::{Value, json};

use crate::support::*;

async fn export(mock: &Mock) -> Reply {
    let reply = mock
        .call(Method::GET, "/__mock/state/export", None, None)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    reply
}

async fn import(mock: &Mock, file: &Value) -> Reply {
    mock.call(
        Method::POST,
        "/__mock/state/import",
        None,
        Some(file.clone()),
    )
    .await
}

/// A mock with a sale, a storno of it, a second sale and a closed batch, on a clock moved on.
async fn busy_mock() -> (Mock, String, Value) {
    let mock = Mock::new();
    let login = mock.login(JAN, Some("999888")).await;
    let token = login.body["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    mock.pay(&token, 1250).await;
    mock.cancel(&token, "LAST_TRANSACTION", None).await;
    let (task, _) = mock.pay(&token, 990).await;
    let batch = mock
        .call(Method::POST, "/v1/tasks/BATCH", Some(&token), None)
        .await;
    assert_eq!(batch.status, StatusCode::CREATED, "{}", batch.text);
    mock.wait_final(&token, batch.body["taskId"].as_str().expect("id"))
        .await;
    mock.advance(3_600);
    (mock, login.text, task)
}

#[tokio::test]
async fn a_state_moved_to_another_mock_reads_back_the_same_and_carries_no_secret() {
    let (source, login, task) = busy_mock().await;
    let exported = export(&source).await;
    assert_eq!(
        exported.headers[header::CONTENT_DISPOSITION],
        "attachment; filename=\"gptom-mock-state.json\""
    );
    assert_eq!(exported.body["format"], "gptom-mock-state");
    assert_eq!(exported.body["version"], 1);
    assert_eq!(exported.body["now"], source.state.now().to_iso());
    // No secret: neither the refresh token nor the access token issued, nor the signing key.
    let login: Value = serde_json::from_str(&login).expect("json");
    for secret in ["refresh_token", "access_token"] {
        let value = login[secret].as_str().expect("a token");
        assert!(
            !exported.text.contains(value),
            "the export holds the {secret}"
        );
    }

    let target = Mock::new();
    let imported = import(&target, &exported.body).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text);
    assert_eq!(
        imported.body,
        json!({"imported": true, "now": source.state.now().to_iso(), "terminals": 3,
               "tasks": 4, "transactions": 3, "batches": 1}),
        "{}",
        imported.text
    );
    // Exported again, it is the same document: nothing was lost or changed on the way.
    assert_eq!(export(&target).await.body, exported.body);

    // A client with a new token finds its payment and goes on: the storno of the second sale,
    // then a third sale with the next ids (the generators went on where they stood).
    let token = target.token(JAN, Some("999888")).await;
    let read = target.transaction_of(&token, &task).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    let source_token = source.token(JAN, Some("999888")).await;
    let original = source.transaction_of(&source_token, &task).await;
    assert_eq!(read.body, original.body);
    // Both mocks go on alike: the batch is closed, so a storno of its last sale is refused
    // alike, and the next sale gets the same ids on both (the generators went on where they
    // stood).
    let storno_here = target.cancel(&token, "LAST_TRANSACTION", None).await;
    let storno_there = source.cancel(&source_token, "LAST_TRANSACTION", None).await;
    assert_eq!(storno_here["error"], storno_there["error"], "{storno_here}");
    let (task_here, next_here) = target.pay(&token, 100).await;
    let (task_there, next_there) = source.pay(&source_token, 100).await;
    assert_eq!((task_here, next_here), (task_there, next_there));
}

#[tokio::test]
async fn a_file_that_does_not_fit_is_refused_by_name_and_changes_nothing() {
    let (source, _, _) = busy_mock().await;
    let good = export(&source).await.body;
    let target = Mock::new();
    let token = target.token(JAN, Some("999888")).await;
    target.pay(&token, 500).await;
    target.advance(60);
    let before = export(&target).await.body;

    let mut wrong_terminal = good.clone();
    wrong_terminal["tasks"][1]["terminal"] = json!(99);
    let mut repeated = good.clone();
    repeated["transactions"][1]["id"] = good["transactions"][0]["id"].clone();
    let mut newer = good.clone();
    newer["version"] = json!(99);
    let mut other = good.clone();
    other["format"] = json!("wiremock-mappings");
    let mut bad_now = good.clone();
    bad_now["now"] = json!("yesterday");
    let mut far_future = good.clone();
    far_future["transactions"][2]["date"] = json!(i64::MAX);
    let mut bad_position = good.clone();
    bad_position["meta"]["ids_position"] = json!("many");
    let mut unknown = good.clone();
    unknown["secrets"] = json!([]);
    let cases = [
        (json!({}), "missing field `format`"),
        (json!([1, 2]), "does not read"),
        (
            wrong_terminal,
            "task 1 has a `terminal` that points nowhere",
        ),
        (repeated, "transaction 1 repeats the `id` of an earlier one"),
        (newer, "`version` is 99, newer than this gptom-mock's 1"),
        (other, "`format` is \"wiremock-mappings\""),
        (bad_now, "`now` is \"yesterday\", not an ISO 8601 time"),
        (
            far_future,
            "transaction 2 has a `date` outside the years 1–9999",
        ),
        (
            bad_position,
            "a stored generator position does not read back",
        ),
        (unknown, "unknown field `secrets`"),
    ];
    for (file, words) in cases {
        let refused = import(&target, &file).await;
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
        let message = refused.body["message"].as_str().unwrap_or_default();
        assert!(message.contains(words), "{words:?} not in {message:?}");
        assert_eq!(refused.body["path"], "/__mock/state/import");
        assert_eq!(export(&target).await.body, before, "after {words:?}");
    }
    // The client's session on the target is untouched.
    assert_eq!(target.sale(&token, 100).await["state"], "NEW");
}

#[tokio::test]
async fn an_import_into_a_data_dir_is_on_disk_before_the_answer_and_the_clock_never_goes_back() {
    let (source, _, task) = busy_mock().await;
    let file = export(&source).await.body;
    let folder = TempDir::new("state-import");
    let target = Mock::open_dir(&folder.0).expect("opens");
    // The target's clock is ahead of the file's: it stays where it is.
    target.advance(86_400);
    let ahead = target.state.now();
    let imported = import(&target, &file).await;
    assert_eq!(imported.status, StatusCode::OK, "{}", imported.text);
    assert_eq!(imported.body["now"], ahead.to_iso());
    drop(target);

    let reopened = Mock::open_dir(&folder.0).expect("reopens");
    assert_eq!(reopened.state.now(), ahead);
    let token = reopened.token(JAN, Some("999888")).await;
    let read = reopened.transaction_of(&token, &task).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.text);
    assert_eq!(
        read.body,
        source
            .transaction_of(&source.token(JAN, Some("999888")).await, &task)
            .await
            .body
    );
}

/// Every numeric leaf of a JSON document, as JSON pointers.
fn numeric_leaves(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Number(_) => out.push(at),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                numeric_leaves(item, format!("{at}/{index}"), out);
            }
        }
        Value::Object(fields) => {
            for (key, item) in fields {
                numeric_leaves(item, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn good_file() -> Value {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async { export(&busy_mock().await.0).await.body })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
        /// Any number of an exported state changed to any value: the import is refused (400) or
        /// taken, and a mock that took it answers payments, polls, views and exports without a
        /// 5xx or a panic.
        #[test]
        fn an_edited_number_is_refused_or_lives_without_a_5xx(
            leaf in any::<prop::sample::Index>(),
            value in prop_oneof![
                Just(json!(0)), Just(json!(-1)), Just(json!(65_535)), Just(json!(u32::MAX)),
                Just(json!(i64::MAX)), Just(json!(i64::MIN)), Just(json!(u64::MAX)),
                any::<i32>().prop_map(|n| json!(n)), Just(json!(1.5)), Just(Value::Null),
            ],
        ) {
            let mut file = good_file();
            let mut leaves = Vec::new();
            numeric_leaves(&file, String::new(), &mut leaves);
            let pointer = leaf.get(&leaves).clone();
            *file.pointer_mut(&pointer).expect("a leaf") = value;
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mock = Mock::new();
                let reply = import(&mock, &file).await;
                prop_assert!(matches!(reply.status.as_u16(), 200 | 400), "{pointer}: {}", reply.text);
                let token = mock.token(JAN, Some("999888")).await;
                let sale = mock.create(&token, sale_body(1000, "CZK")).await;
                prop_assert!(sale.status.as_u16() < 500, "{pointer}: {}", sale.text);
                mock.advance(3_600);
                for path in ["/__mock/state", "/__mock/view", "/__mock/state/export", "/__mock/verify"] {
                    let reply = mock.call(Method::GET, path, None, None).await;
                    prop_assert!(reply.status.as_u16() < 500, "{pointer} {path}: {}", reply.text);
                }
                for task in file["tasks"].as_array().into_iter().flatten() {
                    if let Some(id) = task["id"].as_str() {
                        let reply = mock.poll(&token, id).await;
                        prop_assert!(reply.status.as_u16() < 500, "{pointer}: {}", reply.text);
                    }
                }
                let batch = mock.call(Method::POST, "/v1/tasks/BATCH", Some(&token), None).await;
                prop_assert!(batch.status.as_u16() < 500, "{pointer}: {}", batch.text);
                Ok(())
            })?;
        }
    }
}

/// Issue #31: the clock stays where every date keeps a four-digit year — an advance past its end
/// or an import of `now` = 9999-12-31 is refused before anything changes, so the mock's own
/// export always imports again.
mod years_one_to_9999 {
    use super::*;
    use gptom_mock::clock::{ManualClock, Millis};
    use gptom_mock::state::{AppState, MockConfig};
    use proptest::prelude::*;

    #[tokio::test]
    async fn advancing_past_the_end_is_refused_and_changes_nothing() {
        let mock = Mock::new();
        let token = mock.token(JAN, Some("999888")).await;
        mock.pay(&token, 1000).await;
        // Ten years at a time (the most one advance moves) until the mock says no.
        let mut refused = None;
        for _ in 0..1_000 {
            let reply = mock
                .call(
                    Method::POST,
                    "/__mock/clock/advance",
                    None,
                    Some(json!({ "days": 3_650 })),
                )
                .await;
            if reply.status != StatusCode::OK {
                refused = Some(reply);
                break;
            }
        }
        let refused = refused.expect("the clock's end is reached");
        assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.text);
        assert!(
            refused.text.contains("nothing was changed"),
            "{}",
            refused.text
        );
        let now = mock
            .call(Method::GET, "/__mock/clock", None, None)
            .await
            .body["now"]
            .as_str()
            .map(str::to_owned)
            .expect("now");
        assert!(now.starts_with("99"), "{now}");
        // The mock still pays, and its export imports into a fresh mock.
        let token = mock.token(JAN, Some("999888")).await;
        mock.pay(&token, 2000).await;
        let file = export(&mock).await.body;
        let fresh = Mock::new();
        let reply = import(&fresh, &file).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
        assert_eq!(export(&fresh).await.body, file);
    }

    #[tokio::test]
    async fn an_import_at_the_end_of_year_9999_is_refused_by_name() {
        let mock = Mock::new();
        let mut file = export(&mock).await.body;
        file["now"] = json!("9999-12-31T23:59:59Z");
        let reply = import(&mock, &file).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
        assert!(
            reply.text.contains("9998-11-26T23:59:59.999Z"),
            "{}",
            reply.text
        );
        let clock = mock.call(Method::GET, "/__mock/clock", None, None).await;
        assert!(
            clock.body["now"]
                .as_str()
                .is_some_and(|now| now.starts_with("2026"))
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        /// A mock started anywhere in the clock's range, with payments, a storno and a closed
        /// batch: export → import → export reads the same.
        #[test]
        fn export_import_export_is_identical_at_any_time(
            start in prop_oneof![
                Just(Millis::EARLIEST.0),
                Just(Millis::LATEST_NOW.0 - 7 * Millis::DAY),
                Millis::EARLIEST.0..Millis::LATEST_NOW.0 - 7 * Millis::DAY,
            ],
            amounts in prop::collection::vec(1i64..100_000, 1..4),
        ) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let state = AppState::new(
                    MockConfig::embedded().expect("fixtures"),
                    std::sync::Arc::new(ManualClock::starting_at(Millis(start))),
                );
                let mock = Mock::from_state(state);
                let token = mock.token(JAN, Some("999888")).await;
                for amount in &amounts {
                    mock.pay(&token, *amount).await;
                }
                mock.cancel(&token, "LAST_TRANSACTION", None).await;
                let batch = mock.call(Method::POST, "/v1/tasks/BATCH", Some(&token), None).await;
                prop_assert_eq!(batch.status, StatusCode::CREATED);
                mock.advance(86_400);
                let first = export(&mock).await.body;
                // A clock never goes back: the fresh mock starts where the first one did.
                let fresh = Mock::from_state(AppState::new(
                    MockConfig::embedded().expect("fixtures"),
                    std::sync::Arc::new(ManualClock::starting_at(Millis(start))),
                ));
                let reply = import(&fresh, &first).await;
                prop_assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
                prop_assert_eq!(export(&fresh).await.body, first);
                Ok(())
            })?;
        }
    }
}

/// Issue #31: an import's texts are bounded — a file with a huge terminal name is refused with
/// the field and the limit named, and changes nothing.
#[tokio::test]
async fn an_imported_text_over_the_limit_is_refused_by_its_path() {
    let mock = Mock::new();
    let mut file = export(&mock).await.body;
    file["terminals"][0]["name"] = json!("x".repeat(gptom_mock::store::MAX_IMPORT_TEXT + 1));
    let reply = import(&mock, &file).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.text);
    assert!(reply.text.contains("/terminals/0/name"), "{}", reply.text);
    assert!(reply.text.contains("at most 1024"), "{}", reply.text);
    file["terminals"][0]["name"] = json!("x".repeat(gptom_mock::store::MAX_IMPORT_TEXT));
    let reply = import(&mock, &file).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}
