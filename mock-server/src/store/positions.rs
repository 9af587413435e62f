//! An index from a row's key (a task id, a transaction id, an amsID) to the row's position that
//! holds only the positions: a lookup reads the key back from the row itself. Four bytes a row
//! instead of a copy of a 16-byte key beside its position — the store keeps every payment for
//! good, so its indexes are most of what a stored payment costs after the rows.
//!
//! Invariant: every position in it points at a row whose key hashes to where it is filed; a
//! caller passes the same `key_of` to every call (the rows never change their key).

use std::hash::{BuildHasher, Hash};

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Positions of rows, found by their key.
#[derive(Debug, Default)]
pub(super) struct Positions {
    table: HashTable<u32>,
}

fn hash<K: Hash>(key: &K) -> u64 {
    FxBuildHasher.hash_one(key)
}

impl Positions {
    /// The position of the row with `key`.
    pub(super) fn get<K: Hash + Eq>(&self, key: &K, key_of: impl Fn(u32) -> K) -> Option<u32> {
        self.table
            .find(hash(key), |&position| key_of(position) == *key)
            .copied()
    }

    /// Files `position` under `key` (a row already filed under it is replaced, as a map would).
    pub(super) fn insert<K: Hash + Eq>(
        &mut self,
        key: K,
        position: u32,
        key_of: impl Fn(u32) -> K,
    ) {
        let hashed = hash(&key);
        if let Some(slot) = self.table.find_mut(hashed, |&filed| key_of(filed) == key) {
            *slot = position;
        } else {
            self.table
                .insert_unique(hashed, position, |&filed| hash(&key_of(filed)));
        }
    }

    /// Forgets every row.
    pub(super) fn clear(&mut self) {
        self.table.clear();
    }

    /// How many rows are filed.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.table.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_found_by_their_key_and_a_refiled_key_moves() {
        let rows: Vec<u128> = (0..10_000u128)
            .map(|n| n.wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835))
            .collect();
        let key_of = |position: u32| rows[position as usize];
        let mut positions = Positions::default();
        for (position, key) in rows.iter().enumerate() {
            positions.insert(*key, u32::try_from(position).unwrap_or(u32::MAX), key_of);
        }
        assert_eq!(positions.len(), rows.len());
        for (position, key) in rows.iter().enumerate() {
            assert_eq!(positions.get(key, key_of), u32::try_from(position).ok());
        }
        assert_eq!(positions.get(&7, key_of), None);
        // A second row with the first row's key takes its place.
        let mut with_repeat = rows.clone();
        with_repeat.push(rows[3]);
        let key_of = |position: u32| with_repeat[position as usize];
        positions.insert(rows[3], 10_000, key_of);
        assert_eq!(positions.get(&rows[3], key_of), Some(10_000));
        assert_eq!(positions.len(), rows.len());
        positions.clear();
        assert_eq!(positions.get(&rows[0], key_of), None);
    }
}
