//! The database's schema and its migrations: every version from the first on, each the step
//! from the one before; a database of a newer version than this build knows is refused.

use std::path::Path;

use rusqlite::{Connection, params};

use super::{PersistError, io};

/// One step of the schema: SQL, or Rust where SQL cannot say it.
enum Migration {
    Sql(&'static str),
    Rust(fn(&rusqlite::Transaction<'_>) -> rusqlite::Result<()>),
}

/// The schema's versions, each the step that moves the previous one to it. `PRAGMA user_version`
/// says which the database has; a newer one than this list knows is refused.
const MIGRATIONS: &[Migration] = &[
    // 1: the first version.
    Migration::Sql(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
     CREATE TABLE terminals (idx INTEGER PRIMARY KEY, tid TEXT NOT NULL, json TEXT NOT NULL);
     CREATE TABLE tasks (idx INTEGER PRIMARY KEY, task_id TEXT NOT NULL UNIQUE, tid TEXT NOT NULL,
                         state TEXT NOT NULL, created TEXT NOT NULL, json TEXT NOT NULL);
     CREATE TABLE transactions (idx INTEGER PRIMARY KEY, transaction_id TEXT NOT NULL UNIQUE,
                         ams_id TEXT NOT NULL, tid TEXT NOT NULL, type TEXT NOT NULL,
                         result TEXT NOT NULL, total_amount INTEGER NOT NULL,
                         currency TEXT NOT NULL, reference TEXT, date TEXT NOT NULL,
                         json TEXT NOT NULL);
     CREATE INDEX transactions_by_ams_id ON transactions (ams_id);
     CREATE TABLE batches (idx INTEGER PRIMARY KEY, tid TEXT NOT NULL,
                         batch_number INTEGER NOT NULL, date TEXT NOT NULL, json TEXT NOT NULL);
     CREATE TABLE refresh_tokens (seq INTEGER PRIMARY KEY AUTOINCREMENT,
                         token TEXT NOT NULL UNIQUE, json TEXT NOT NULL);",
    ),
    // 2: task and transaction ids in the rows' JSON as UUID text, not 128-bit numbers (which
    // tools reading numbers as doubles corrupt).
    Migration::Rust(ids_as_text),
    // 3: no index on the random ids (task, transaction, amsID): each insert touched a random
    // page of each, so every group commit rewrote dozens of pages for a few rows. The mock
    // keeps ids unique itself (a restore checks it); a query by id scans, which at a mock's
    // sizes takes milliseconds.
    Migration::Sql(
        "CREATE TABLE tasks_3 (idx INTEGER PRIMARY KEY, task_id TEXT NOT NULL, tid TEXT NOT NULL,
                         state TEXT NOT NULL, created TEXT NOT NULL, json TEXT NOT NULL);
     INSERT INTO tasks_3 SELECT idx, task_id, tid, state, created, json FROM tasks;
     DROP TABLE tasks;
     ALTER TABLE tasks_3 RENAME TO tasks;
     CREATE TABLE transactions_3 (idx INTEGER PRIMARY KEY, transaction_id TEXT NOT NULL,
                         ams_id TEXT NOT NULL, tid TEXT NOT NULL, type TEXT NOT NULL,
                         result TEXT NOT NULL, total_amount INTEGER NOT NULL,
                         currency TEXT NOT NULL, reference TEXT, date TEXT NOT NULL,
                         json TEXT NOT NULL);
     INSERT INTO transactions_3 SELECT idx, transaction_id, ams_id, tid, type, result,
                         total_amount, currency, reference, date, json FROM transactions;
     DROP TABLE transactions;
     ALTER TABLE transactions_3 RENAME TO transactions;",
    ),
];

/// Migration 2: each task's and transaction's `id` from its UUID column.
fn ids_as_text(transaction: &rusqlite::Transaction<'_>) -> rusqlite::Result<()> {
    for (table, column) in [("tasks", "task_id"), ("transactions", "transaction_id")] {
        let rows: Vec<(i64, String, String)> = transaction
            .prepare(&format!("SELECT idx, {column}, json FROM {table}"))?
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut update =
            transaction.prepare(&format!("UPDATE {table} SET json = ?1 WHERE idx = ?2"))?;
        for (index, id, text) in rows {
            // The old number reads back as a double, imprecisely; it is replaced whole.
            let mut value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|error| rusqlite::Error::ToSqlConversionFailure(Box::new(error)))?;
            if let Some(object) = value.as_object_mut() {
                object.insert("id".into(), serde_json::Value::String(id));
            }
            update.execute(params![value.to_string(), index])?;
        }
    }
    Ok(())
}

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings the schema up to [`SCHEMA_VERSION`], refusing a newer one.
pub(super) fn migrate(connection: &mut Connection, file: &Path) -> Result<(), PersistError> {
    let found: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .map_err(|error| error.to_string())
        .map_err(io(format!(
            "cannot read the schema version of {}",
            file.display()
        )))?;
    if found > SCHEMA_VERSION {
        return Err(PersistError::Newer {
            file: file.to_owned(),
            found,
        });
    }
    let from = usize::try_from(found).unwrap_or(0);
    for (index, step) in MIGRATIONS.iter().enumerate().skip(from) {
        let transaction = connection
            .transaction()
            .map_err(|error| error.to_string())
            .map_err(io("cannot start a migration"))?;
        match step {
            Migration::Sql(sql) => transaction.execute_batch(sql),
            Migration::Rust(step) => step(&transaction),
        }
        .and_then(|()| transaction.pragma_update(None, "user_version", index + 1))
        .and_then(|()| transaction.commit())
        .map_err(|error| error.to_string())
        .map_err(io(format!(
            "cannot migrate {} to schema version {}",
            file.display(),
            index + 1
        )))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_2_writes_the_ids_of_version_1_rows_as_uuid_text() {
        let mut connection = Connection::open_in_memory().expect("in memory");
        let Migration::Sql(first) = MIGRATIONS[0] else {
            panic!("version 1 is SQL")
        };
        connection.execute_batch(first).expect("version 1");
        connection
            .pragma_update(None, "user_version", 1)
            .expect("version");
        let id = "b5a2f39c-3c4e-4d3f-9a8b-2f0e1d2c3b4a";
        let number = crate::domain::ids::parse_uuid(id).expect("a uuid");
        connection
            .execute(
                "INSERT INTO tasks (idx, task_id, tid, state, created, json)
                 VALUES (0, ?1, '999888', 'NEW', 'x', ?2)",
                params![
                    id,
                    format!("{{\"id\":{number},\"amsId\":18446744073709551615}}")
                ],
            )
            .expect("a version 1 row");
        migrate(&mut connection, Path::new("test.sqlite3")).expect("migrates");
        let (version, json): (i64, String) = (
            connection
                .query_row("PRAGMA user_version", [], |row| row.get(0))
                .expect("version"),
            connection
                .query_row("SELECT json FROM tasks", [], |row| row.get(0))
                .expect("row"),
        );
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!(
            json,
            format!("{{\"amsId\":18446744073709551615,\"id\":\"{id}\"}}")
        );
    }
}
