//! The writer thread: every operation's rows, in the order the store's lock was taken, committed
//! in groups — whatever queued up while the previous commit ran, one transaction — with later
//! writes of a row replacing earlier ones within a group, so a row touched by many operations
//! (a terminal's counters, the store's scalars) is written once per commit.

use std::collections::{BTreeMap, HashMap};

use std::sync::mpsc;

use rusqlite::{Connection, params};
use serde::Serialize;

use super::{ClockStamp, Progress};
use crate::domain::ids::format_uuid;
use crate::store::Rows;

/// One operation's rows.
pub(super) struct Job {
    /// Its number, in the order the store's lock was taken.
    pub(super) seq: u64,
    /// What it changed.
    pub(super) rows: Rows,
    /// The clock when it ran.
    pub(super) clock: ClockStamp,
}

/// A group's rows merged: the last write of each row, a reset dropping what came before it.
fn merge(group: Vec<Job>) -> Option<Job> {
    let mut merged = Job {
        seq: 0,
        rows: Rows::default(),
        clock: group.last()?.clock,
    };
    let mut terminals = BTreeMap::new();
    let mut tasks = BTreeMap::new();
    let mut transactions = BTreeMap::new();
    let mut batches = BTreeMap::new();
    // Refresh tokens keep the order they were first written in (a restore forgets the oldest).
    let mut refresh: Vec<(Box<str>, Option<crate::domain::token::RefreshRecord>)> = Vec::new();
    let mut refresh_at: HashMap<Box<str>, usize> = HashMap::new();
    for job in group {
        let rows = job.rows;
        merged.seq = job.seq;
        if rows.clear {
            merged.rows.clear = true;
            terminals.clear();
            tasks.clear();
            transactions.clear();
            batches.clear();
            refresh.clear();
            refresh_at.clear();
        }
        terminals.extend(rows.terminals);
        for (index, tid, task) in rows.tasks {
            tasks.insert(index, (tid, task));
        }
        for (index, tid, currency, transaction) in rows.transactions {
            transactions.insert(index, (tid, currency, transaction));
        }
        for (index, tid, batch) in rows.batches {
            batches.insert(index, (tid, batch));
        }
        let writes = rows
            .refresh_put
            .into_iter()
            .map(|(token, record)| (token, Some(record)))
            .chain(rows.refresh_removed.into_iter().map(|token| (token, None)));
        for (token, record) in writes {
            match refresh_at.get(&token) {
                Some(&at) => refresh[at].1 = record,
                None => {
                    refresh_at.insert(token.clone(), refresh.len());
                    refresh.push((token, record));
                }
            }
        }
        merged.rows.meta = rows.meta;
    }
    merged.rows.terminals = terminals.into_iter().collect();
    merged.rows.tasks = tasks
        .into_iter()
        .map(|(index, (tid, task))| (index, tid, task))
        .collect();
    merged.rows.transactions = transactions
        .into_iter()
        .map(|(index, (tid, currency, transaction))| (index, tid, currency, transaction))
        .collect();
    merged.rows.batches = batches
        .into_iter()
        .map(|(index, (tid, batch))| (index, tid, batch))
        .collect();
    for (token, record) in refresh {
        match record {
            Some(record) => merged.rows.refresh_put.push((token, record)),
            None => merged.rows.refresh_removed.push(token),
        }
    }
    Some(merged)
}

/// JSON text of a stored value (the store's types always serialise).
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The wire spelling of an enum shown as a column (`ACCEPTED`, `SALE`, `IN_PROGRESS`).
fn spelling<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}

/// Writes a (merged) job's rows inside an open transaction.
fn apply(transaction: &rusqlite::Transaction<'_>, job: &Job) -> rusqlite::Result<()> {
    let rows = &job.rows;
    if rows.clear {
        transaction.execute_batch(
            "DELETE FROM terminals; DELETE FROM tasks; DELETE FROM transactions;
             DELETE FROM batches; DELETE FROM refresh_tokens;",
        )?;
    }
    let mut statement = transaction
        .prepare_cached("INSERT OR REPLACE INTO terminals (idx, tid, json) VALUES (?1, ?2, ?3)")?;
    for (index, terminal) in &rows.terminals {
        statement.execute(params![index, &*terminal.tid, json(terminal)])?;
    }
    let mut statement = transaction.prepare_cached(
        "INSERT OR REPLACE INTO tasks (idx, task_id, tid, state, created, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (index, tid, task) in &rows.tasks {
        statement.execute(params![
            index,
            format_uuid(task.id),
            &**tid,
            spelling(&task.state),
            task.created.to_iso(),
            json(task)
        ])?;
    }
    let mut statement = transaction.prepare_cached(
        "INSERT OR REPLACE INTO transactions (idx, transaction_id, ams_id, tid, type, result,
         total_amount, currency, reference, date, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for (index, tid, currency, payment) in &rows.transactions {
        statement.execute(params![
            index,
            format_uuid(payment.id),
            payment.ams_id.to_string(),
            &**tid,
            spelling(&payment.kind),
            spelling(&payment.result),
            payment.total(),
            currency,
            payment.origin_reference.as_deref(),
            payment.date.to_iso(),
            json(payment)
        ])?;
    }
    let mut statement = transaction.prepare_cached(
        "INSERT OR REPLACE INTO batches (idx, tid, batch_number, date, json)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for (index, tid, batch) in &rows.batches {
        statement.execute(params![
            index,
            &**tid,
            batch.number,
            batch.date.to_iso(),
            json(batch)
        ])?;
    }
    let mut statement = transaction.prepare_cached(
        "INSERT INTO refresh_tokens (token, json) VALUES (?1, ?2)
         ON CONFLICT (token) DO UPDATE SET json = excluded.json",
    )?;
    for (token, record) in &rows.refresh_put {
        statement.execute(params![&**token, json(record)])?;
    }
    let mut statement =
        transaction.prepare_cached("DELETE FROM refresh_tokens WHERE token = ?1")?;
    for token in &rows.refresh_removed {
        statement.execute(params![&**token])?;
    }
    let mut statement =
        transaction.prepare_cached("INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")?;
    statement.execute(params!["store", json(&rows.meta)])?;
    statement.execute(params!["clock", json(&job.clock)])?;
    Ok(())
}

/// The writer: takes every job that queued up while the previous commit ran, commits them as
/// one transaction, publishes the last one's number.
///
/// Invariant: a group the database refused (a full disk, a file-size limit) is never skipped: it
/// is kept and committed ahead of — merged with — everything after it, retried every
/// [`RETRY`] even when nothing new comes, so the rows on disk never have a gap. While it fails,
/// the operations waiting on it and after it are told so (and answered 503); once a commit goes
/// through, everything up to it is on disk.
pub(super) fn write_loop(
    mut connection: Connection,
    jobs: mpsc::Receiver<Job>,
    progress: tokio::sync::watch::Sender<Progress>,
) {
    /// A group never grows beyond this many operations (bounds the transaction's size).
    const GROUP: usize = 4_096;
    let mut pending: Option<Job> = None;
    let mut closing = false;
    let mut failing = false;
    loop {
        let first = match &pending {
            None => match jobs.recv() {
                Ok(job) => Some(job),
                Err(_) => return,
            },
            Some(_) => match jobs.recv_timeout(RETRY) {
                Ok(job) => Some(job),
                Err(mpsc::RecvTimeoutError::Timeout) => None,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    // A stop: one last try of what is kept.
                    closing = true;
                    None
                }
            },
        };
        let mut group: Vec<Job> = pending.take().into_iter().chain(first).collect();
        while !closing && group.len() < GROUP {
            match jobs.try_recv() {
                Ok(job) => group.push(job),
                Err(_) => break,
            }
        }
        let Some(merged) = merge(group) else {
            continue;
        };
        let last = merged.seq;
        let outcome = connection.transaction().and_then(|transaction| {
            apply(&transaction, &merged)?;
            transaction.commit()
        });
        progress.send_modify(|progress| match &outcome {
            Ok(()) => progress.committed = last,
            Err(error) => progress.failed = Some((last, error.to_string())),
        });
        match outcome {
            Ok(()) => {
                if failing {
                    tracing::warn!(
                        "the data dir's database takes commits again: every kept row is on disk"
                    );
                    failing = false;
                }
            }
            Err(error) if closing => {
                tracing::error!(%error, "the data dir's database refused the last commit at the stop; what was answered 503 since is not on disk");
                return;
            }
            Err(error) => {
                if !failing {
                    tracing::error!(%error, "the data dir's database refused a commit: the rows are kept and retried, and requests are answered 503 until it takes them (a full disk? free some space)");
                    failing = true;
                }
                pending = Some(merged);
            }
        }
    }
}

/// How long a refused group waits before it is tried again when nothing new comes.
pub(super) const RETRY: std::time::Duration = std::time::Duration::from_millis(500);
