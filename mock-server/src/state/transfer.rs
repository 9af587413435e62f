//! A whole state in and out of a running mock (`/__mock/state/export` and `/import`,
//! `gptom-mock state export|import --url`).
//!
//! Invariant: an import replaces the store only once the file is known to fit; a refused one
//! leaves the store, the clock and the journal as they were.

use std::sync::Arc;

use super::AppState;
use crate::store::Store;

impl AppState {
    /// The whole state as a state file (`GET /__mock/state/export`, `gptom-mock state export`).
    #[must_use]
    pub fn export(&self) -> crate::store::StateFile {
        let store = self.store();
        store.export(self.now(), self.inner.clock.mode())
    }

    /// Replaces the whole state with `file`'s, checked whole first (a refused file changes
    /// nothing). The clock moves forward to the file's time (never back: a state exported from
    /// a running clock has aged by the time since); the journal is cleared and earlier refresh
    /// tokens are gone, as after a reset. With a data dir the database is rewritten, and the
    /// answer waits for it.
    pub fn import(
        &self,
        file: crate::store::StateFile,
    ) -> Result<Imported, crate::store::ImportError> {
        let exported_at = file.virtual_now()?;
        let config = &self.inner.config;
        let mut imported = Imported {
            terminals: file.terminals.len(),
            tasks: file.tasks.len(),
            transactions: file.transactions.len(),
            batches: file.batches.len(),
            now: exported_at,
        };
        {
            let mut store = self.store();
            let clock = self.inner.clock.as_ref();
            let now = clock.now().max(exported_at);
            let fresh = Store::restore(
                Arc::clone(&config.fixtures),
                |name| config.scenario_named(name),
                file.into_stored(),
                now,
            )?;
            // Only once the file is known to fit: a refused one leaves the clock too.
            clock.advance(now.0 - clock.now().0);
            imported.now = now;
            self.replace_store(&mut store, fresh);
        }
        self.journal().clear();
        Ok(imported)
    }
}

/// Reads a state file (`gptom-mock state export`'s JSON) and checks it whole.
pub fn read_state_file(bytes: &[u8]) -> Result<crate::store::StateFile, crate::store::ImportError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|error| crate::store::ImportError::Shape(error.to_string()))?;
    if let Some((path, length)) = overlong_text(&value) {
        return Err(crate::store::ImportError::TextTooLong { path, length });
    }
    serde_json::from_value::<crate::store::StateFile>(value)
        .map_err(|error| crate::store::ImportError::Shape(error.to_string()))?
        .checked()
}

/// How much an import brought.
#[derive(Clone, Copy, Debug, serde::Serialize)]
pub struct Imported {
    /// Terminals.
    pub terminals: usize,
    /// Tasks.
    pub tasks: usize,
    /// Transactions.
    pub transactions: usize,
    /// Closed batches.
    pub batches: usize,
    /// Where the clock stands after the import.
    pub now: crate::clock::Millis,
}

/// The first text of `value` longer than [`crate::store::MAX_IMPORT_TEXT`], as `(JSON pointer, length)`.
#[must_use]
pub fn overlong_text(value: &serde_json::Value) -> Option<(String, usize)> {
    fn walk(value: &serde_json::Value, at: &mut String) -> Option<(String, usize)> {
        match value {
            serde_json::Value::String(text) => {
                let length = text.chars().count();
                (length > crate::store::MAX_IMPORT_TEXT).then(|| (at.clone(), length))
            }
            serde_json::Value::Array(items) => {
                items.iter().enumerate().find_map(|(index, item)| {
                    let before = at.len();
                    at.push_str(&format!("/{index}"));
                    let found = walk(item, at);
                    at.truncate(before);
                    found
                })
            }
            serde_json::Value::Object(fields) => fields.iter().find_map(|(key, item)| {
                let before = at.len();
                at.push('/');
                at.push_str(&key.replace('~', "~0").replace('/', "~1"));
                let found = walk(item, at);
                at.truncate(before);
                found
            }),
            _ => None,
        }
    }
    walk(value, &mut String::new())
}
