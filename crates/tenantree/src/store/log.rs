//! The log of roll-up cells (format 5): what a write transaction changed in `cells`, appended
//! as one row of `cell_log` instead of written into `cells` cell by cell.
//!
//! A small transaction (an allocation and its ancestors, a batch of them) changes a few hundred
//! cells scattered over the whole `cells` table; written in place, each is a descent of the
//! B-tree and a copy of its leaf, and the commit writes every leaf touched. Appended to the log,
//! the same change is one row at the end of a small table. Every [`LOG_MAX_ROWS`] rows (or
//! [`LOG_MAX_CELLS`] cells), a transaction folds the log into `cells`: it writes each cell whose
//! latest value differs from the one stored, once, however often the log changed it, and
//! empties the log. Hot cells (the platform's, a distributor's) and cells that went back to
//! their stored value (an allocation released) cost one write per fold instead of one per
//! transaction.
//!
//! Readers merge the two: a cell is its latest value in the log, else its row in `cells`. The
//! log of the latest commit is kept decoded in the shared cache ([`super::Shared`]); a reader
//! of an older snapshot, or one that cannot take the cache, decodes its snapshot's log once
//! (shared between readers of the same log through [`LogCache`]).
//!
//! # Layout
//!
//! `cell_log`: `u64` key → bytes. Keys increase and are never reused, so the last key (the
//! *tip*) names the log's state: every commit that changes the log adds a row. A row is a run
//! of [`ENTRY_BYTES`]-byte entries, each `seq` (u64 LE), `key` (u16 LE) and the [`Cell`] as
//! stored in `cells` ([`Cell::to_bytes`]); a zero cell is a deleted one. A fold deletes every
//! row and adds an empty one (the marker), so that the tip moves on.

use std::sync::Arc;

use redb::{ReadableTable, TableDefinition};

use super::records::{CELL_BYTES, Cell};
use super::{Few, Rows, SeqMap};
use crate::error::{Error, Result};
use crate::schema::RollupKey;

pub(crate) const CELL_LOG: TableDefinition<u64, &[u8]> = TableDefinition::new("cell_log");

/// The stored width of one logged cell: `seq`, `key`, then the cell.
pub(crate) const ENTRY_BYTES: usize = 8 + 2 + CELL_BYTES;

/// The log is folded before it holds more rows than this. It bounds what a reader of an older
/// snapshot decodes, and the work of a fold.
pub(crate) const LOG_MAX_ROWS: usize = if cfg!(test) { 3 } else { 16 };
/// ... or more cells than this, in all its rows (a transaction that changes more cells than
/// this at once writes them to `cells` directly).
pub(crate) const LOG_MAX_CELLS: usize = if cfg!(test) { 48 } else { 4096 };

/// A cell as the log leaves it: its latest value and, when known, the value stored in `cells`
/// (a fold writes only cells that differ from it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LogCell {
    pub(crate) key: RollupKey,
    pub(crate) cell: Cell,
    /// The row in `cells` (zero when absent), or `None` when not known (a log read back from
    /// the file): a fold then writes the cell.
    pub(crate) stored: Option<Cell>,
}

/// A decoded log: the latest logged value of every cell the log holds.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overlay {
    cells: SeqMap<Few<LogCell>>,
    /// Rows in the log, the marker not counted.
    pub(crate) rows: usize,
    /// Cells in all those rows, repeats counted (what a reader decodes).
    pub(crate) logged: usize,
    /// The last key of `cell_log` (0 for a log that never had a row).
    pub(crate) tip: u64,
}

impl Overlay {
    /// The log as stored in `table`.
    pub(crate) fn load(table: &impl ReadableTable<u64, &'static [u8]>) -> Result<Overlay> {
        let mut log = Overlay::default();
        for row in table.iter()? {
            let (k, v) = row?;
            log.tip = k.value();
            let entries = decode_row(v.value())?;
            if entries.is_empty() {
                continue;
            }
            log.rows += 1;
            log.logged += entries.len();
            for (seq, key, cell) in entries {
                log.put(seq, LogCell { key, cell, stored: None });
            }
        }
        Ok(log)
    }

    /// The latest logged value of a cell, if the log holds it.
    pub(crate) fn get(&self, seq: u64, key: RollupKey) -> Option<Cell> {
        self.entry(seq, key).map(|c| c.cell)
    }

    /// The logged entry of a cell.
    pub(crate) fn entry(&self, seq: u64, key: RollupKey) -> Option<&LogCell> {
        self.cells.get(&seq)?.iter().find(|c| c.key == key)
    }

    /// The logged cells of one node.
    pub(crate) fn node(&self, seq: u64) -> &[LogCell] {
        self.cells.get(&seq).map_or(&[], |cells| &**cells)
    }

    /// Every logged cell, in key order.
    pub(crate) fn sorted(&self) -> Vec<((u64, RollupKey), Cell)> {
        let mut out: Vec<((u64, RollupKey), Cell)> =
            self.cells.iter().flat_map(|(seq, cells)| cells.iter().map(move |c| ((*seq, c.key), c.cell))).collect();
        out.sort_unstable_by_key(|(k, _)| *k);
        out
    }

    /// Every logged cell, in no order.
    pub(crate) fn entries(&self) -> impl Iterator<Item = (u64, &LogCell)> {
        self.cells.iter().flat_map(|(seq, cells)| cells.iter().map(move |c| (*seq, c)))
    }

    /// An empty log whose last key is `tip`.
    pub(crate) fn empty(tip: u64) -> Overlay {
        Overlay { tip, ..Overlay::default() }
    }

    /// Replaces a cell's entry. The stored value of a cell already in the log is kept: `cells`
    /// does not change until the log is folded.
    pub(crate) fn put(&mut self, seq: u64, entry: LogCell) {
        let cells = self.cells.entry(seq).or_default();
        match cells.iter_mut().find(|c| c.key == entry.key) {
            Some(slot) => slot.cell = entry.cell,
            None => cells.push(entry),
        }
    }
}

/// A row's bytes: its entries, in the order given.
pub(crate) fn encode_row<'a>(entries: impl ExactSizeIterator<Item = (u64, RollupKey, &'a Cell)>) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.len() * ENTRY_BYTES);
    for (seq, key, cell) in entries {
        out.extend_from_slice(&seq.to_le_bytes());
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&cell.to_bytes());
    }
    out
}

/// A row's entries.
///
/// # Errors
///
/// `CORRUPTED` when the row is not a whole number of entries.
pub(crate) fn decode_row(bytes: &[u8]) -> Result<Vec<(u64, RollupKey, Cell)>> {
    let chunks = bytes.chunks_exact(ENTRY_BYTES);
    if !chunks.remainder().is_empty() {
        return Err(Error::corrupted(format!(
            "a row of the roll-up log is {} bytes, not a multiple of {ENTRY_BYTES}",
            bytes.len()
        )));
    }
    chunks
        .map(|chunk| {
            let (seq, rest) = chunk.split_first_chunk::<8>().ok_or_else(|| Error::corrupted("short log entry"))?;
            let (key, cell) = rest.split_first_chunk::<2>().ok_or_else(|| Error::corrupted("short log entry"))?;
            let cell: &[u8; CELL_BYTES] = cell.try_into().map_err(|_| Error::corrupted("short log entry"))?;
            Ok((u64::from_le_bytes(*seq), u16::from_le_bytes(*key), Cell::from_bytes(cell)))
        })
        .collect()
}

/// The decoded log of the latest snapshot a reader without the shared cache asked for: readers
/// of the same log (the same tip) decode it once.
#[derive(Debug, Default)]
pub(crate) struct LogCache(std::sync::Mutex<Option<Arc<Overlay>>>);

impl LogCache {
    /// The log stored in `table`, decoded, or the copy decoded for the same tip.
    pub(crate) fn get(&self, table: &impl ReadableTable<u64, &'static [u8]>) -> Result<Arc<Overlay>> {
        let tip = table.last()?.map_or(0, |(k, _)| k.value());
        if let Ok(slot) = self.0.lock()
            && let Some(log) = slot.as_ref()
            && log.tip == tip
        {
            return Ok(Arc::clone(log));
        }
        let log = Arc::new(Overlay::load(table)?);
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(Arc::clone(&log));
        }
        Ok(log)
    }

    /// Forgets the decoded log (after a repair that may have dropped commits).
    pub(crate) fn clear(&self) {
        let mut slot = match self.0.lock() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        *slot = None;
    }
}

/// The rows of `cells` with the log's cells over them, in key order: a logged cell replaces
/// the row of the same key, and a logged zero deletes it.
pub(crate) fn merge<'a>(
    rows: Rows<'a, ((u64, RollupKey), Cell)>,
    logged: Vec<((u64, RollupKey), Cell)>,
) -> Rows<'a, ((u64, RollupKey), Cell)> {
    if logged.is_empty() {
        return rows;
    }
    Box::new(Merge { rows: rows.peekable(), logged: logged.into_iter().peekable() })
}

struct Merge<'a> {
    rows: std::iter::Peekable<Rows<'a, ((u64, RollupKey), Cell)>>,
    logged: std::iter::Peekable<std::vec::IntoIter<((u64, RollupKey), Cell)>>,
}

impl Iterator for Merge<'_> {
    type Item = Result<((u64, RollupKey), Cell)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let next_logged = self.logged.peek().map(|(k, _)| *k);
            let next_row = match self.rows.peek() {
                Some(Ok((k, _))) => Some(*k),
                Some(Err(_)) => return self.rows.next(),
                None => None,
            };
            let (key, cell) = match (next_row, next_logged) {
                (None, None) => return None,
                (Some(_), None) => return self.rows.next(),
                (Some(row), Some(logged)) if row < logged => return self.rows.next(),
                (Some(row), Some(logged)) => {
                    if row == logged {
                        self.rows.next();
                    }
                    self.logged.next()?
                }
                (None, Some(_)) => self.logged.next()?,
            };
            if !cell.is_zero() {
                return Some(Ok((key, cell)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn cell(n: u64) -> Cell {
        Cell { own: n, below: n * 2, max_limit_below: 3, child_limits: u128::from(n) << 70 }
    }

    #[test]
    fn a_row_decodes_to_the_entries_it_was_encoded_from() {
        let entries = [(1u64, 0x100u16, cell(1)), (u64::MAX, u16::MAX, cell(9)), (7, 2, Cell::default())];
        let bytes = encode_row(entries.iter().map(|(s, k, c)| (*s, *k, c)));
        assert_eq!(bytes.len(), entries.len() * ENTRY_BYTES);
        assert_eq!(decode_row(&bytes).unwrap(), entries.to_vec());
        assert!(decode_row(&[]).unwrap().is_empty());
    }

    #[test]
    fn a_row_of_a_partial_entry_is_corrupted_not_a_panic() {
        let mut bytes = encode_row([(1u64, 1u16, &cell(1))].into_iter());
        bytes.pop();
        let err = decode_row(&bytes).unwrap_err();
        assert_eq!(err.code(), "CORRUPTED", "{err}");
    }

    #[test]
    fn the_decoded_log_is_kept_by_its_last_key_until_cleared() {
        let db = redb::Builder::new().create_with_backend(redb::backends::InMemoryBackend::new()).unwrap();
        let write = |n: u64| {
            let txn = db.begin_write().unwrap();
            {
                let mut t = txn.open_table(CELL_LOG).unwrap();
                let row = [(5u64, 1u16, cell(n))];
                t.insert(7, encode_row(row.iter().map(|(s, k, c)| (*s, *k, c))).as_slice()).unwrap();
            }
            txn.commit().unwrap();
        };
        let read = |cache: &LogCache| {
            let txn = redb::ReadableDatabase::begin_read(&db).unwrap();
            cache.get(&txn.open_table(CELL_LOG).unwrap()).unwrap().get(5, 1)
        };
        let cache = LogCache::default();
        write(1);
        assert_eq!(read(&cache), Some(cell(1)));
        // The same last key with other contents (a repair dropped the commit that wrote it,
        // and the next one reused its key): the copy stands until cleared.
        write(2);
        assert_eq!(read(&cache), Some(cell(1)));
        cache.clear();
        assert_eq!(read(&cache), Some(cell(2)));
    }

    #[test]
    fn the_merge_puts_logged_cells_over_rows_and_drops_logged_zeros() {
        let rows: Vec<((u64, RollupKey), Cell)> = vec![((1, 1), cell(1)), ((2, 1), cell(2)), ((4, 1), cell(4))];
        let logged =
            vec![((0, 5), cell(7)), ((2, 1), Cell::default()), ((3, 1), cell(3)), ((4, 1), cell(8)), ((9, 9), cell(9))];
        let boxed: Rows<'_, _> = Box::new(rows.into_iter().map(Ok));
        let merged: Vec<_> = merge(boxed, logged).map(Result::unwrap).collect();
        assert_eq!(
            merged,
            vec![((0, 5), cell(7)), ((1, 1), cell(1)), ((3, 1), cell(3)), ((4, 1), cell(8)), ((9, 9), cell(9))]
        );
    }

    #[test]
    fn an_entry_keeps_the_stored_value_it_entered_the_log_with() {
        let mut log = Overlay::default();
        log.put(5, LogCell { key: 1, cell: cell(1), stored: Some(Cell::default()) });
        log.put(5, LogCell { key: 1, cell: cell(2), stored: Some(cell(1)) });
        log.put(5, LogCell { key: 2, cell: cell(3), stored: None });
        assert_eq!(log.entry(5, 1), Some(&LogCell { key: 1, cell: cell(2), stored: Some(Cell::default()) }));
        assert_eq!(log.get(5, 2), Some(cell(3)));
        assert_eq!(log.get(6, 1), None);
        assert_eq!(log.entries().count(), 2);
    }
}
