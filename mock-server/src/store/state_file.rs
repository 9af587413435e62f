//! `gptom-mock state export` / `import`: the whole state as one JSON document, to move a
//! developer's mock to another machine or attach it to a bug report.
//!
//! The document carries what the database carries — terminals, tasks, transactions, batches, the
//! seed and how far its generators ran, the switches, the active scenarios, virtual time — and no
//! secret: neither the token signing key nor the refresh tokens. After an import every client
//! asks for a new token, as after a restart of a real terminal's cloud session.
//!
//! Its keys are the records' own (snake case), not the Cloud API's: it is the mock's state, not
//! an answer of GP tom's.
//!
//! Invariant: an import is checked whole (format, version, every cross-reference) before it
//! replaces anything; a refused import leaves the running state as it was.

use serde::{Deserialize, Serialize};

use super::Store;
use super::persisted::{Meta, Stored};
use super::restore::RestoreError;
use crate::clock::{ClockMode, Millis};
use crate::domain::batch::Batch;
use crate::domain::task::Task;
use crate::domain::terminal::TerminalState;
use crate::domain::transaction::Transaction;

/// The longest text an import may hold, in characters: far above anything the mock writes
/// (names, references and ids are at most 100), so a file with a 60 MiB terminal name is refused
/// before it can slow every answer that shows it.
pub const MAX_IMPORT_TEXT: usize = 1_024;

/// The `format` every state file names.
pub const STATE_FORMAT: &str = "gptom-mock-state";
/// The state file version this build writes and reads.
pub const STATE_VERSION: u32 = 1;

/// One exported state.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateFile {
    /// Always [`STATE_FORMAT`].
    pub format: String,
    /// [`STATE_VERSION`] when written.
    pub version: u32,
    /// Virtual time when exported (ISO 8601 UTC); an import sets the clock to it.
    pub now: String,
    /// The exporting mock's clock mode (informative: the importing mock keeps its own).
    pub clock_mode: ClockMode,
    /// The store's scalars.
    pub meta: Meta,
    /// Terminals, in the store's order (a task's `terminal` is an index into this list).
    pub terminals: Vec<TerminalState>,
    /// Tasks, oldest first.
    pub tasks: Vec<Task>,
    /// Transactions, oldest first.
    pub transactions: Vec<Transaction>,
    /// Closed batches, oldest first.
    pub batches: Vec<Batch>,
}

/// Why a state file cannot be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Not JSON of the right shape.
    #[error("the state file does not read: {0} (export one with `gptom-mock state export FILE`)")]
    Shape(String),
    /// A text longer than any the mock writes.
    #[error(
        "`{path}` is {length} characters; an imported text is at most {MAX_IMPORT_TEXT} (no export of the mock holds a longer one: the file was edited)"
    )]
    TextTooLong {
        /// Where, as a JSON pointer.
        path: String,
        /// Its length.
        length: usize,
    },
    /// Another document.
    #[error(
        "`format` is {0:?}, not \"gptom-mock-state\": this is not a file written by `gptom-mock state export`"
    )]
    Format(String),
    /// A newer version.
    #[error(
        "`version` is {0}, newer than this gptom-mock's {STATE_VERSION}: import it with the gptom-mock that exported it, or a newer one"
    )]
    Version(u32),
    /// `now` is not a time.
    #[error("`now` is {0:?}, not an ISO 8601 time such as \"2026-12-05T10:00:00.000Z\"")]
    Now(String),
    /// `now` lies where the mock's clock may not stand.
    #[error(
        "`now` is {0:?}: the mock's clock stands between 0001-01-01T00:00:00.000Z and 9998-11-26T23:59:59.999Z (every date it derives must keep a four-digit year); change `now` in the file"
    )]
    NowOutOfRange(String),
    /// The rows do not fit together.
    #[error("{0}")]
    Rows(#[from] RestoreError),
}

impl StateFile {
    /// Checks a decoded state file: its format, version, time and every cross-reference.
    pub fn checked(self) -> Result<StateFile, ImportError> {
        if self.format != STATE_FORMAT {
            return Err(ImportError::Format(self.format));
        }
        if self.version > STATE_VERSION {
            return Err(ImportError::Version(self.version));
        }
        self.virtual_now()?;
        self.stored_ref_check()?;
        Ok(self)
    }

    /// The virtual time it was exported at.
    pub fn virtual_now(&self) -> Result<Millis, ImportError> {
        let now = Millis::parse_iso(&self.now)
            .filter(|now| super::restore::plausible(*now))
            .ok_or_else(|| ImportError::Now(self.now.clone()))?;
        if now.clock_may_stand_at() {
            Ok(now)
        } else {
            Err(ImportError::NowOutOfRange(self.now.clone()))
        }
    }

    fn stored_ref_check(&self) -> Result<(), RestoreError> {
        super::restore::check_references(
            self.terminals.iter(),
            self.tasks.iter(),
            self.transactions.iter(),
            self.batches.iter(),
        )
    }

    /// The rows of a database holding this state (no refresh tokens: they are secrets).
    #[must_use]
    pub fn into_stored(self) -> Stored {
        fn numbered<T, I: TryFrom<usize> + Copy>(items: Vec<T>, last: I) -> Vec<(I, T)> {
            items
                .into_iter()
                .enumerate()
                .map(|(index, item)| (I::try_from(index).unwrap_or(last), item))
                .collect()
        }
        Stored {
            meta: Some(self.meta),
            terminals: numbered(self.terminals, u16::MAX),
            tasks: numbered(self.tasks, u32::MAX),
            transactions: numbered(self.transactions, u32::MAX),
            batches: numbered(self.batches, u32::MAX),
            refresh_tokens: Vec::new(),
        }
    }

    /// The state file of what a database held.
    #[must_use]
    pub fn from_stored(stored: Stored, now: Millis, clock_mode: ClockMode) -> StateFile {
        StateFile {
            format: STATE_FORMAT.into(),
            version: STATE_VERSION,
            now: now.to_iso(),
            clock_mode,
            meta: stored.meta.unwrap_or_default(),
            terminals: stored.terminals.into_iter().map(|(_, row)| row).collect(),
            tasks: stored.tasks.into_iter().map(|(_, row)| row).collect(),
            transactions: stored
                .transactions
                .into_iter()
                .map(|(_, row)| row)
                .collect(),
            batches: stored.batches.into_iter().map(|(_, row)| row).collect(),
        }
    }
}

impl Store {
    /// The whole state as a state file.
    #[must_use]
    pub fn export(&self, now: Millis, clock_mode: ClockMode) -> StateFile {
        let rows = self.all_rows();
        StateFile {
            format: STATE_FORMAT.into(),
            version: STATE_VERSION,
            now: now.to_iso(),
            clock_mode,
            meta: rows.meta,
            terminals: rows.terminals.into_iter().map(|(_, row)| row).collect(),
            tasks: rows.tasks.into_iter().map(|(_, _, row)| row).collect(),
            transactions: rows
                .transactions
                .into_iter()
                .map(|(_, _, _, row)| row)
                .collect(),
            batches: rows.batches.into_iter().map(|(_, _, row)| row).collect(),
        }
    }
}
