//! `--data-dir`: a mock that remembers. Each test opens a data dir, works, drops the mock (as a
//! stop does) and opens it again, then checks through the API what a client would.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::support::*;

fn open(folder: &TempDir) -> Mock {
    Mock::open_dir(&folder.0).expect("the data dir opens")
}

#[tokio::test]
async fn a_restart_keeps_tokens_payments_and_the_clock_and_a_storno_works_after_it() {
    let folder = TempDir::new("data-dir");
    let mock = open(&folder);
    let token = mock.token(JAN, Some("999888")).await;
    let (task, transaction) = mock.pay(&token, 1250).await;
    let advanced = mock
        .call(
            Method::POST,
            "/__mock/clock/advance",
            None,
            Some(json!({"seconds": 600})),
        )
        .await;
    assert_eq!(advanced.status, StatusCode::OK, "{}", advanced.text);
    let now = mock.state.now();
    drop(mock);

    let mock = open(&folder);
    assert_eq!(
        mock.state.now(),
        now,
        "the manual clock stands where it stood"
    );
    // The token issued before the restart is still valid: the signing key is kept.
    let polled = mock
        .poll(&token, task["taskId"].as_str().expect("id"))
        .await;
    assert_eq!(polled.status, StatusCode::OK, "{}", polled.text);
    assert_eq!(polled.body, task);
    let read = mock.transaction_of(&token, &task).await;
    assert_eq!(read.body, transaction);
    // A storno of the last transaction, made before the restart.
    let storno = mock.cancel(&token, "LAST_TRANSACTION", None).await;
    assert_eq!(storno["state"], "COMPLETED", "{storno}");
    let read = mock.transaction_of(&token, &task).await;
    assert_eq!(read.body["cancelled"], true, "{}", read.text);
}

#[tokio::test]
async fn a_task_in_progress_at_a_stop_finishes_on_schedule_after_it() {
    let folder = TempDir::new("data-dir");
    let mock = open(&folder);
    let token = mock.token(JAN, Some("999888")).await;
    let task = mock.sale(&token, 1000).await;
    let id = task["taskId"].as_str().expect("id").to_owned();
    mock.advance(1);
    assert_eq!(mock.poll(&token, &id).await.body["state"], "IN_PROGRESS");
    drop(mock);

    let mock = open(&folder);
    assert_eq!(mock.poll(&token, &id).await.body["state"], "IN_PROGRESS");
    mock.advance(2);
    let done = mock.poll(&token, &id).await;
    assert_eq!(done.body["state"], "COMPLETED", "{}", done.text);
    let read = mock.transaction_of(&token, &done.body).await;
    assert_eq!(read.body["result"], "ACCEPTED", "{}", read.text);
}

#[tokio::test]
async fn batches_and_refresh_tokens_survive_a_restart() {
    let folder = TempDir::new("data-dir");
    let mock = open(&folder);
    let login = mock.login(JAN, Some("999888")).await;
    let token = login.body["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    let refresh = login.body["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_owned();
    mock.pay(&token, 700).await;
    let closed = mock
        .call(
            Method::POST,
            "/v1/tasks/BATCH",
            Some(&token),
            Some(json!({})),
        )
        .await;
    let (batch_task, _) = mock
        .wait_final(&token, closed.body["taskId"].as_str().expect("id"))
        .await;
    let number = batch_task["batchNumber"].as_u64().expect("batch number");
    drop(mock);

    let mock = open(&folder);
    let batch = mock
        .call(
            Method::GET,
            &format!("/v1/batches/{number}"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(batch.status, StatusCode::OK, "{}", batch.text);
    let form = format!("grant_type=refresh_token&refresh_token={refresh}");
    let renewed = mock.form("/cloud/oauth/token", Some(BASIC), &form).await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.text);
}

#[tokio::test]
async fn a_restart_in_the_middle_gives_the_ids_an_unbroken_run_gives() {
    async fn sales(mock: &Mock, token: &str, count: usize) -> Vec<String> {
        let mut ids = Vec::new();
        for amount in 0..count {
            let (task, transaction) = mock.pay(token, 1000 + amount as i64).await;
            ids.push(format!("{} {}", task["taskId"], transaction["amsID"]));
        }
        ids
    }
    let unbroken = TempDir::new("unbroken");
    let mock = open(&unbroken);
    let token = mock.token(JAN, Some("999888")).await;
    let expected = sales(&mock, &token, 3).await;
    drop(mock);

    let broken = TempDir::new("broken");
    let mock = open(&broken);
    let token = mock.token(JAN, Some("999888")).await;
    let mut seen = sales(&mock, &token, 1).await;
    drop(mock);
    let mock = open(&broken);
    seen.extend(sales(&mock, &token, 2).await);
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_reset_empties_the_database_too() {
    let folder = TempDir::new("data-dir");
    let mock = open(&folder);
    let token = mock.token(JAN, Some("999888")).await;
    let (task, _) = mock.pay(&token, 1000).await;
    let reset = mock.call(Method::POST, "/__mock/reset", None, None).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.text);
    drop(mock);

    let mock = open(&folder);
    let token = mock.token(JAN, Some("999888")).await;
    let gone = mock
        .poll(&token, task["taskId"].as_str().expect("id"))
        .await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND, "{}", gone.text);
}

#[tokio::test]
async fn a_second_mock_on_the_same_folder_is_refused_and_a_newer_schema_too() {
    let folder = TempDir::new("data-dir");
    let first = open(&folder);
    let second = Mock::open_dir(&folder.0).err().expect("refused");
    assert!(
        second.to_string().contains("in use by another gptom-mock"),
        "{second}"
    );
    drop(first);

    let database = folder.0.join(gptom_mock::persist::DATABASE_FILE);
    let connection = rusqlite::Connection::open(&database).expect("sqlite");
    connection
        .pragma_update(None, "user_version", 99)
        .expect("user_version");
    drop(connection);
    let newer = Mock::open_dir(&folder.0).err().expect("refused");
    assert!(
        newer.to_string().contains("schema version 99, newer than"),
        "{newer}"
    );
}

#[tokio::test]
async fn the_database_answers_sqlite_queries_about_the_payments() {
    let folder = TempDir::new("data-dir");
    let mock = open(&folder);
    let token = mock.token(JAN, Some("999888")).await;
    let mut body = sale_body(4_350, "CZK");
    body["originReferenceNum"] = "Invoice 12".into();
    let created = mock.create(&token, body).await;
    let (task, transaction) = {
        let (task, _) = mock
            .wait_final(&token, created.body["taskId"].as_str().expect("id"))
            .await;
        let read = mock.transaction_of(&token, &task).await;
        (task, read.body)
    };
    drop(mock);

    let database = folder.0.join(gptom_mock::persist::DATABASE_FILE);
    let connection = rusqlite::Connection::open(&database).expect("sqlite");
    let row: (String, String, String, i64, String, String) = connection
        .query_row(
            "SELECT transaction_id, tid, result, total_amount, currency, reference
             FROM transactions WHERE ams_id = ?1",
            [transaction["amsID"].as_str().expect("amsID")],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            },
        )
        .expect("the transaction's row");
    assert_eq!(
        row,
        (
            task["transactionId"].as_str().expect("id").to_owned(),
            "999888".into(),
            "ACCEPTED".into(),
            4_350,
            "CZK".into(),
            "Invoice 12".into()
        )
    );
}

/// Issue #31: the folder holds the token signing key and refresh tokens — only its owner may
/// read it, whatever the umask.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn the_data_dir_and_its_files_are_private_whatever_the_umask() {
    use nix::sys::stat::{Mode, umask};
    use std::os::unix::fs::PermissionsExt;
    let folder = TempDir::new("private");
    let dir = folder.0.join("nested").join("data");
    // The loosest umask a shell may have, for the one call that creates the folder and files.
    let before = umask(Mode::empty());
    let mock = Mock::open_dir(&dir);
    umask(before);
    let mock = mock.expect("open");
    let token = mock.token(JAN, Some("999888")).await;
    mock.pay(&token, 1000).await;
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .map(|meta| meta.permissions().mode() & 0o777)
            .unwrap_or(0)
    };
    assert_eq!(mode(&dir), 0o700, "the folder");
    assert_eq!(mode(&dir.join("gptom-mock.sqlite3")), 0o600);
    assert_eq!(mode(&dir.join("gptom-mock.lock")), 0o600);
    for entry in std::fs::read_dir(&dir).expect("folder") {
        let path = entry.expect("entry").path();
        assert_eq!(
            mode(&path) & 0o077,
            0,
            "{} is readable by others",
            path.display()
        );
    }
}

/// A database the mock cannot write is refused at start, by name, not answered 503 per sale.
/// (Root writes a read-only file anyway: run as root, the test checks only that a writable
/// folder still opens.)
#[cfg(target_os = "linux")]
#[tokio::test]
async fn a_read_only_database_is_refused_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let folder = TempDir::new("read-only");
    drop(Mock::open_dir(&folder.0).expect("open"));
    if nix::unistd::geteuid().is_root() {
        drop(Mock::open_dir(&folder.0).expect("open again"));
        return;
    }
    let file = folder.0.join("gptom-mock.sqlite3");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o400)).expect("chmod");
    let error = Mock::open_dir(&folder.0).err().expect("refused");
    assert!(error.to_string().contains("cannot be written"), "{error}");
}

/// Issue #31: a row's id column and its JSON must agree; a flipped bit in either is refused on
/// open by name, not taken silently.
#[tokio::test]
async fn a_row_whose_columns_and_json_disagree_is_refused_by_name() {
    let folder = TempDir::new("disagree");
    {
        let mock = open(&folder);
        let token = mock.token(JAN, Some("999888")).await;
        mock.pay(&token, 1000).await;
    }
    let file = folder.0.join("gptom-mock.sqlite3");
    let connection = rusqlite::Connection::open(&file).expect("sqlite");
    connection
        .execute(
            "UPDATE tasks SET task_id = '00000000-0000-4000-8000-000000000000' WHERE idx = 0",
            [],
        )
        .expect("edit");
    drop(connection);
    let error = Mock::open_dir(&folder.0).err().expect("refused");
    let text = error.to_string();
    assert!(
        text.contains("tasks row 0") && text.contains("task_id"),
        "{text}"
    );
}
