//! `--data-dir`: the store kept in an embedded SQLite database, so a restart (or `kill -9`) loses
//! nothing the mock acknowledged.
//!
//! Every operation's changed rows ([`Rows`]) are handed to one writer thread in the order the
//! store's lock was taken; the writer commits whatever has queued up in one transaction (group
//! commit: many concurrent requests, one commit) and publishes how far it got. A request whose
//! operation changed something answers only once its rows are committed (the pipeline waits),
//! so an acknowledged creation, completion or batch close is on disk; a request that changed
//! nothing never waits. The journal stays in memory (bounded, cleared by a restart).
//!
//! Invariant: only this module knows SQL; the store knows rows, not the database.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::clock::{ClockMode, Millis};
use crate::store::{Meta, Rows, StateFile, Stored};

mod columns;
mod private;
mod schema;
mod writer;

use columns::agree_with_columns;
pub use schema::SCHEMA_VERSION;
use schema::migrate;
use writer::{Job, write_loop};

/// The database file inside the data dir.
pub const DATABASE_FILE: &str = "gptom-mock.sqlite3";
/// The lock file inside the data dir (held while a mock uses the folder).
pub const LOCK_FILE: &str = "gptom-mock.lock";

/// Why a data dir cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// Another process holds the folder.
    #[error(
        "{dir} is in use by another gptom-mock (it holds {lock}); stop that one, or give this one its own --data-dir"
    )]
    Locked {
        /// The data dir.
        dir: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// Written by a newer gptom-mock.
    #[error(
        "{file} has schema version {found}, newer than this gptom-mock's {SCHEMA_VERSION}: run the newer gptom-mock, or give this one a new --data-dir"
    )]
    Newer {
        /// The database.
        file: PathBuf,
        /// Its version.
        found: i64,
    },
    /// The folder or the database cannot be read or written.
    #[error("{what}: {error}")]
    Io {
        /// What was tried.
        what: String,
        /// Why it failed.
        error: String,
    },
}

fn io(what: impl Into<String>) -> impl FnOnce(String) -> PersistError {
    let what = what.into();
    move |error| PersistError::Io { what, error }
}

/// The clock's reading with a commit: where virtual time stood, and the wall time then.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClockStamp {
    /// `system` or `manual`.
    pub mode: ClockMode,
    /// Virtual now.
    pub now: Millis,
    /// Wall time.
    pub wall: Millis,
}

impl ClockStamp {
    /// How far to advance a fresh clock of the same mode so it goes on from this stamp: the
    /// system clock keeps its offset from wall time (time passes while the mock is down, as it
    /// does for a real terminal); a manual clock stands where it stood.
    #[must_use]
    pub fn advance_for(&self, fresh_now: Millis) -> i64 {
        match self.mode {
            ClockMode::System => self.now.0 - self.wall.0,
            ClockMode::Manual => self.now.0 - fresh_now.0,
        }
    }
}

/// What an opened data dir held.
#[derive(Debug)]
pub struct Loaded {
    /// The store's rows (`None`: a new, empty database).
    pub stored: Option<Stored>,
    /// The clock at the last commit.
    pub clock: Option<ClockStamp>,
    /// The token signing secret, so tokens issued before a restart stay valid.
    pub jwt_secret: Option<String>,
}

/// How far the writer got.
#[derive(Clone, Debug, Default)]
pub(crate) struct Progress {
    committed: u64,
    failed: Option<(u64, String)>,
}

/// An open data dir: the lock, and the writer thread.
#[derive(Debug)]
pub struct DataDir {
    dir: PathBuf,
    sent: AtomicU64,
    jobs: std::sync::Mutex<Option<mpsc::Sender<Job>>>,
    progress: tokio::sync::watch::Sender<Progress>,
    writer: std::sync::Mutex<Option<std::thread::JoinHandle<()>>>,
    _lock: File,
}

/// Opens the database of `dir` with the pragmas every connection uses.
fn connect(file: &Path) -> Result<Connection, PersistError> {
    let connection = Connection::open(file)
        .map_err(|error| error.to_string())
        .map_err(io(format!("cannot open {}", file.display())))?;
    connection
        .execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 5000;",
        )
        .map_err(|error| error.to_string())
        .map_err(io(format!("cannot set up {}", file.display())))?;
    Ok(connection)
}

fn read_meta(connection: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    connection
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()
}

fn narrow<T>(rows: Vec<(i64, T)>) -> Vec<(u32, T)> {
    rows.into_iter()
        .map(|(index, value)| (u32::try_from(index).unwrap_or(u32::MAX), value))
        .collect()
}

/// Every row of `table` in index order, decoded.
fn read_table<T: for<'de> Deserialize<'de>>(
    connection: &Connection,
    sql: &str,
    what: &str,
) -> Result<Vec<(i64, T)>, PersistError> {
    let mut statement = connection
        .prepare(sql)
        .map_err(|error| error.to_string())
        .map_err(io(format!("cannot read the {what}")))?;
    let rows = statement
        .query_map([], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?))
        })
        .map_err(|error| error.to_string())
        .map_err(io(format!("cannot read the {what}")))?;
    let mut out = Vec::new();
    for row in rows {
        let (index, text) = row
            .map_err(|error| error.to_string())
            .map_err(io(format!("cannot read the {what}")))?;
        let value = serde_json::from_str(&text)
            .map_err(|error| error.to_string())
            .map_err(io(format!(
                "the stored {what} row {index} does not read back"
            )))?;
        out.push((index, value));
    }
    Ok(out)
}

fn load(connection: &Connection) -> Result<Loaded, PersistError> {
    let failed = |error: rusqlite::Error| PersistError::Io {
        what: "cannot read the stored state".into(),
        error: error.to_string(),
    };
    let meta = read_meta(connection, "store").map_err(failed)?;
    let clock = read_meta(connection, "clock").map_err(failed)?;
    let jwt_secret = read_meta(connection, "jwt_secret").map_err(failed)?;
    let decode = |what: &str, error: serde_json::Error| PersistError::Io {
        what: format!("the stored {what} does not read back"),
        error: error.to_string(),
    };
    let clock = clock
        .map(|text| serde_json::from_str::<ClockStamp>(&text))
        .transpose()
        .map_err(|error| decode("clock", error))?;
    let Some(meta) = meta else {
        return Ok(Loaded {
            stored: None,
            clock,
            jwt_secret,
        });
    };
    let meta: Meta = serde_json::from_str(&meta).map_err(|error| decode("store", error))?;
    let stored = Stored {
        meta: Some(meta),
        terminals: read_table(
            connection,
            "SELECT idx, json FROM terminals ORDER BY idx",
            "terminals",
        )?
        .into_iter()
        .map(|(index, value)| (u16::try_from(index).unwrap_or(u16::MAX), value))
        .collect(),
        tasks: narrow(read_table(
            connection,
            "SELECT idx, json FROM tasks ORDER BY idx",
            "tasks",
        )?),
        transactions: narrow(read_table(
            connection,
            "SELECT idx, json FROM transactions ORDER BY idx",
            "transactions",
        )?),
        batches: narrow(read_table(
            connection,
            "SELECT idx, json FROM batches ORDER BY idx",
            "batches",
        )?),
        refresh_tokens: {
            let mut statement = connection
                .prepare("SELECT token, json FROM refresh_tokens ORDER BY seq")
                .map_err(failed)?;
            let rows = statement
                .query_map([], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
                })
                .map_err(failed)?;
            let mut tokens = Vec::new();
            for row in rows {
                let (token, text) = row.map_err(failed)?;
                tokens.push((
                    token,
                    serde_json::from_str(&text).map_err(|error| decode("refresh token", error))?,
                ));
            }
            tokens
        },
    };
    agree_with_columns(connection, &stored)?;
    Ok(Loaded {
        stored: Some(stored),
        clock,
        jwt_secret,
    })
}

impl DataDir {
    /// Opens (creating it if need be) the data dir: takes its lock, brings the schema up to date,
    /// reads what it holds, and starts the writer.
    pub fn open(dir: &Path) -> Result<(DataDir, Loaded), PersistError> {
        // A folder a mock used before has its lock file (kept after a stop).
        let used_before = dir.join(LOCK_FILE).exists();
        private::create_dir(dir)
            .map_err(|error| error.to_string())
            .map_err(io(format!("cannot create the data dir {}", dir.display())))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = private::open_file(&lock_path)
            .map_err(|error| error.to_string())
            .map_err(io(format!("cannot open {}", lock_path.display())))?;
        if lock.try_lock().is_err() {
            return Err(PersistError::Locked {
                dir: dir.to_owned(),
                lock: lock_path,
            });
        }
        let file = dir.join(DATABASE_FILE);
        let size = std::fs::metadata(&file).map(|meta| meta.len()).ok();
        if used_before && size.unwrap_or(0) == 0 {
            tracing::warn!(
                data_dir = %dir.display(),
                "{} is {} in a folder that already existed: the mock starts EMPTY here. If this folder held your payments, stop now and restore {} from a backup",
                file.display(),
                if size.is_some() { "empty (0 bytes)" } else { "missing" },
                DATABASE_FILE
            );
        }
        // The signing key and refresh tokens live there: readable by its owner only.
        private::restrict(&file, size.is_some())
            .map_err(|error| error.to_string())
            .map_err(io(format!("cannot make {} private", file.display())))?;
        for suffix in ["-wal", "-shm"] {
            let companion = dir.join(format!("{DATABASE_FILE}{suffix}"));
            if companion.exists() {
                private::restrict(&companion, true)
                    .map_err(|error| error.to_string())
                    .map_err(io(format!("cannot make {} private", companion.display())))?;
            }
        }
        let mut connection = connect(&file)?;
        if connection.is_readonly("main").unwrap_or(false)
            || connection
                .execute_batch("BEGIN IMMEDIATE; ROLLBACK;")
                .is_err()
        {
            return Err(PersistError::Io {
                what: format!(
                    "{} cannot be written (read-only file, folder or file system)",
                    file.display()
                ),
                error: "every payment would be refused; give the mock a folder it can write, or copy the state out with `gptom-mock state export --data-dir`".into(),
            });
        }
        migrate(&mut connection, &file)?;
        let loaded = load(&connection)?;
        let (sender, receiver) = mpsc::channel();
        let progress = tokio::sync::watch::channel(Progress::default()).0;
        let publisher = progress.clone();
        let writer = std::thread::Builder::new()
            .name("gptom-mock-data-dir".into())
            .spawn(move || write_loop(connection, receiver, publisher))
            .map_err(|error| error.to_string())
            .map_err(io("cannot start the data dir's writer"))?;
        Ok((
            DataDir {
                dir: dir.to_owned(),
                sent: AtomicU64::new(0),
                jobs: std::sync::Mutex::new(Some(sender)),
                progress,
                writer: std::sync::Mutex::new(Some(writer)),
                _lock: lock,
            },
            loaded,
        ))
    }

    /// The folder.
    #[must_use]
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores the token signing secret (once, when the database is new).
    pub fn remember_secret(&self, secret: &str) -> Result<(), PersistError> {
        let connection = connect(&self.dir.join(DATABASE_FILE))?;
        connection
            .execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('jwt_secret', ?1)",
                [secret],
            )
            .map_err(|error| error.to_string())
            .map_err(io("cannot store the token signing secret"))?;
        Ok(())
    }

    /// Queues rows for the writer; returns their number. Call it with the store's lock held, so
    /// the numbers follow the order of the operations.
    pub fn submit(&self, rows: Rows, clock: ClockStamp) -> u64 {
        let seq = self.sent.fetch_add(1, Ordering::Relaxed) + 1;
        let jobs = self
            .jobs
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(jobs) = jobs.as_ref()
            && jobs.send(Job { seq, rows, clock }).is_err()
        {
            self.progress.send_modify(|progress| {
                progress.failed = Some((seq, "the data dir's writer stopped".into()));
            });
        }
        seq
    }

    /// Waits until the rows numbered `seq` (and every earlier one) are committed.
    pub async fn committed(&self, seq: u64) -> Result<(), String> {
        let mut progress = self.progress.subscribe();
        let reached = progress
            .wait_for(|progress| {
                progress.committed >= seq
                    || progress
                        .failed
                        .as_ref()
                        .is_some_and(|(failed, _)| *failed >= seq)
            })
            .await
            .map_err(|_| "the data dir's writer stopped".to_owned())?;
        if reached.committed >= seq {
            Ok(())
        } else {
            Err(reached
                .failed
                .as_ref()
                .map_or_else(String::new, |(_, error)| error.clone()))
        }
    }

    /// Commits everything queued and stops the writer (a graceful shutdown).
    pub fn close(&self) {
        drop(
            self.jobs
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take(),
        );
        if let Some(writer) = self
            .writer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
        {
            let _ = writer.join();
        }
    }
}

/// The wall clock now.
pub(crate) fn wall_now() -> Millis {
    Millis(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| {
                i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
            }),
    )
}

/// `gptom-mock state export --data-dir DIR`: the state of a data dir no mock is using, with
/// virtual time where a mock started on it now would stand.
pub fn export(dir: &Path) -> Result<StateFile, PersistError> {
    let file = dir.join(DATABASE_FILE);
    if !file.exists() {
        return Err(PersistError::Io {
            what: format!("cannot export {}", dir.display()),
            error: format!(
                "there is no {DATABASE_FILE} in it: give the --data-dir a mock was started with"
            ),
        });
    }
    let (data_dir, loaded) = DataDir::open(dir)?;
    data_dir.close();
    let wall = wall_now();
    let (now, mode) = match loaded.clock {
        Some(stamp) => match stamp.mode {
            ClockMode::System => (Millis(wall.0 + stamp.advance_for(wall).max(0)), stamp.mode),
            ClockMode::Manual => (stamp.now, stamp.mode),
        },
        None => (wall, ClockMode::System),
    };
    Ok(StateFile::from_stored(
        loaded.stored.unwrap_or_default(),
        now,
        mode,
    ))
}

/// `gptom-mock state import --data-dir DIR`: replaces the state of a data dir no mock is using
/// (creating it if need be) with `file`'s. The token signing key stays the folder's own; a mock
/// started on it afterwards stands at the file's virtual time (or later: a clock never goes back).
pub fn import(dir: &Path, file: StateFile) -> Result<(), PersistError> {
    let exported_at = file.virtual_now().map_err(|error| PersistError::Io {
        what: "cannot import".into(),
        error: error.to_string(),
    })?;
    let stamp = ClockStamp {
        mode: file.clock_mode,
        now: exported_at,
        wall: wall_now(),
    };
    let (data_dir, _) = DataDir::open(dir)?;
    let seq = data_dir.submit(Rows::of_stored(file.into_stored()), stamp);
    data_dir.close();
    let progress = data_dir.progress.borrow().clone();
    match progress.failed {
        Some((_, error)) if progress.committed < seq => Err(PersistError::Io {
            what: format!("cannot write {}", dir.join(DATABASE_FILE).display()),
            error,
        }),
        _ => Ok(()),
    }
}

impl Drop for DataDir {
    fn drop(&mut self) {
        self.close();
    }
}
