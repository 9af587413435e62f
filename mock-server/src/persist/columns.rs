//! What a row repeats from its JSON for SQL queries, checked against the JSON on open.

use rusqlite::Connection;

use super::{PersistError, io};
use crate::domain::ids::format_uuid;
use crate::store::Stored;

/// The columns a row repeats from its JSON (kept for SQL queries) must say what the JSON says:
/// a flipped bit in either is refused by name rather than changing the state silently.
pub(super) fn agree_with_columns(
    connection: &Connection,
    stored: &Stored,
) -> Result<(), PersistError> {
    let column = |sql: &str| -> Result<Vec<(i64, String)>, PersistError> {
        let mut statement = connection
            .prepare(sql)
            .map_err(|error| error.to_string())
            .map_err(io("cannot read the stored state"))?;
        let rows = statement
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, rusqlite::types::Value>(1)?,
                ))
            })
            .map_err(|error| error.to_string())
            .map_err(io("cannot read the stored state"))?;
        rows.map(|row| {
            row.map(|(index, value)| {
                let text = match value {
                    rusqlite::types::Value::Text(text) => text,
                    rusqlite::types::Value::Integer(number) => number.to_string(),
                    other => format!("{other:?}"),
                };
                (index, text)
            })
            .map_err(|error| error.to_string())
            .map_err(io("cannot read the stored state"))
        })
        .collect()
    };
    let mismatch = |table: &str, index: i64, name: &str, column: &str, json: &str| {
        PersistError::Io {
            what: format!("the stored {table} row {index} says two things"),
            error: format!(
                "its `{name}` column is {column:?} but its JSON says {json:?}: the database was edited or is damaged; restore it from a backup, or start over with another --data-dir"
            ),
        }
    };
    let compare = |table: &str,
                   name: &str,
                   columns: Vec<(i64, String)>,
                   expected: Vec<(i64, String)>|
     -> Result<(), PersistError> {
        for ((index, column), (_, json)) in columns.iter().zip(&expected) {
            if column != json {
                return Err(mismatch(table, *index, name, column, json));
            }
        }
        Ok(())
    };
    compare(
        "terminals",
        "tid",
        column("SELECT idx, tid FROM terminals ORDER BY idx")?,
        stored
            .terminals
            .iter()
            .map(|(index, terminal)| (i64::from(*index), terminal.tid.to_string()))
            .collect(),
    )?;
    compare(
        "tasks",
        "task_id",
        column("SELECT idx, task_id FROM tasks ORDER BY idx")?,
        stored
            .tasks
            .iter()
            .map(|(index, task)| (i64::from(*index), format_uuid(task.id)))
            .collect(),
    )?;
    compare(
        "transactions",
        "transaction_id",
        column("SELECT idx, transaction_id FROM transactions ORDER BY idx")?,
        stored
            .transactions
            .iter()
            .map(|(index, payment)| (i64::from(*index), format_uuid(payment.id)))
            .collect(),
    )?;
    compare(
        "transactions",
        "ams_id",
        column("SELECT idx, ams_id FROM transactions ORDER BY idx")?,
        stored
            .transactions
            .iter()
            .map(|(index, payment)| (i64::from(*index), payment.ams_id.to_string()))
            .collect(),
    )?;
    compare(
        "batches",
        "batch_number",
        column("SELECT idx, batch_number FROM batches ORDER BY idx")?,
        stored
            .batches
            .iter()
            .map(|(index, batch)| (i64::from(*index), batch.number.to_string()))
            .collect(),
    )
}
