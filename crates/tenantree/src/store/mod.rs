//! The only module that touches redb: table definitions, opening and initialising a database,
//! and typed read and write views over one transaction.
//!
//! # Tables
//!
//! | table | key | value | what for |
//! |---|---|---|---|
//! | `meta` | `&str` | bytes | format version, schema, sequence counter |
//! | `nodes` | `u64` sequence number | [`NodeRecord`] | the primary node records |
//! | `ids` | `u128` UUID | `u64` | public id → sequence number |
//! | `by_name` | parent, folded name, NUL, child | `()` | sibling uniqueness, name-sorted listing |
//! | `by_parent` | parent, child | `()` | creation-ordered listing, emptiness |
//! | `paths` | kind, ancestors…, node | `()` | descendants of a kind: one range scan |
//! | `names` | group, NUL, folded name | `u64` | store-wide name uniqueness |
//! | `billing` | scope node, billing id | `u64` | billing-id uniqueness |
//! | `rollups` | (`u64`, `u16`) | [`Cell`] | per-subtree counts, usage and limit bounds |
//!
//! Sequence numbers start at 1; 0 stands for "no parent" in keys.

pub(crate) mod keys;
pub(crate) mod records;

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;

use redb::{ReadableDatabase, ReadableTable, TableDefinition};

use crate::error::{Error, Result};
use crate::schema::{RollupKey, Schema};
pub(crate) use records::{Cell, NodeRecord, ProfileRec, decode, encode};

/// The layout version of everything this crate stores. Bump on any change to a record or key.
pub(crate) const FORMAT_VERSION: u32 = 1;
const FORMAT_MAGIC: &str = "tenantree";

pub(crate) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
pub(crate) const NODES: TableDefinition<u64, &[u8]> = TableDefinition::new("nodes");
pub(crate) const IDS: TableDefinition<u128, u64> = TableDefinition::new("ids");
pub(crate) const BY_NAME: TableDefinition<&[u8], ()> = TableDefinition::new("by_name");
pub(crate) const BY_PARENT: TableDefinition<&[u8], ()> = TableDefinition::new("by_parent");
pub(crate) const PATHS: TableDefinition<&[u8], ()> = TableDefinition::new("paths");
pub(crate) const NAMES: TableDefinition<&[u8], u64> = TableDefinition::new("names");
pub(crate) const BILLING: TableDefinition<&[u8], u64> = TableDefinition::new("billing");
pub(crate) const ROLLUPS: TableDefinition<(u64, u16), &[u8]> = TableDefinition::new("rollups");

/// The key-only indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Index {
    ByName,
    ByParent,
    Paths,
}

/// The unique-value indexes that map a key to a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    Names,
    Billing,
}

/// Whether commits wait for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Durability {
    /// Every commit is on disk when it returns (one fsync per commit). The default.
    #[default]
    Immediate,
    /// Commits are not flushed; they become durable with the next immediate commit,
    /// [`Store::flush`](crate::Store::flush), or when the store is dropped. For imports,
    /// tests and benchmarks. A crash loses the unflushed commits but never corrupts the file.
    Bulk,
}

/// An open redb database holding a tenantree store.
pub(crate) struct Db {
    db: redb::Database,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

/// Opens a database on a host-provided backend with the given builder.
pub(crate) type MakeDb = Box<dyn FnOnce(&redb::Builder) -> Result<redb::Database>>;

/// Where the database lives.
pub(crate) enum Location {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    File(std::path::PathBuf),
    Memory,
    Backend(MakeDb),
}

fn map_open_error(err: redb::DatabaseError) -> Error {
    match err {
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(what)) => {
            Error::IncompatibleFormat { found: format!("not a redb database ({what})"), supported: supported() }
        }
        other => Error::from(other),
    }
}

fn supported() -> String {
    format!("{FORMAT_MAGIC} format {FORMAT_VERSION}")
}

impl Db {
    /// Opens or creates the database and makes sure it holds a tenantree store with a schema.
    /// Returns the database and the stored schema.
    pub(crate) fn open(location: Location, cache_size: usize, schema: Option<&Schema>) -> Result<(Db, Schema)> {
        let mut builder = redb::Builder::new();
        builder.set_cache_size(cache_size);
        let db = match location {
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Location::File(path) => builder.create(path).map_err(map_open_error)?,
            Location::Memory => {
                builder.create_with_backend(redb::backends::InMemoryBackend::new()).map_err(map_open_error)?
            }
            Location::Backend(make) => make(&builder)?,
        };
        let db = Db { db };
        let schema = db.init(schema)?;
        Ok((db, schema))
    }

    fn init(&self, wanted: Option<&Schema>) -> Result<Schema> {
        let txn = self.db.begin_write()?;
        let existing_tables = txn.list_tables()?.count();
        let stored = {
            let meta = txn.open_table(META)?;
            let format = meta.get("format")?.map(|v| v.value().to_vec());
            match format {
                Some(bytes) => {
                    let (magic, version): (String, u32) = decode(&bytes).map_err(|_| Error::IncompatibleFormat {
                        found: "unreadable format marker".to_owned(),
                        supported: supported(),
                    })?;
                    if magic != FORMAT_MAGIC || version != FORMAT_VERSION {
                        return Err(Error::IncompatibleFormat {
                            found: format!("{magic} format {version}"),
                            supported: supported(),
                        });
                    }
                    let schema_bytes = meta
                        .get("schema")?
                        .map(|v| v.value().to_vec())
                        .ok_or_else(|| Error::corrupted("the stored schema is missing"))?;
                    Some(decode_schema(&schema_bytes)?)
                }
                None if existing_tables > 0 => {
                    return Err(Error::IncompatibleFormat {
                        found: "a redb database that is not a tenantree store".to_owned(),
                        supported: supported(),
                    });
                }
                None => None,
            }
        };
        let schema = match (stored, wanted) {
            (Some(stored), Some(wanted)) if &stored != wanted => {
                return Err(Error::SchemaMismatch {
                    reason: format!(
                        "the store was created with schema {:?}, not the one given ({:?})",
                        stored.name, wanted.name
                    ),
                });
            }
            (Some(stored), _) => {
                txn.abort()?;
                return Ok(stored);
            }
            (None, wanted) => {
                let schema = wanted.cloned().unwrap_or_else(Schema::channel);
                schema.validate()?;
                schema
            }
        };
        {
            let mut meta = txn.open_table(META)?;
            meta.insert("format", encode(&(FORMAT_MAGIC, FORMAT_VERSION))?.as_slice())?;
            meta.insert("schema", encode_schema(&schema)?.as_slice())?;
            meta.insert("next_seq", 1u64.to_le_bytes().as_slice())?;
            // Create every table now, so that read transactions never meet a missing one.
            txn.open_table(NODES)?;
            txn.open_table(IDS)?;
            txn.open_table(BY_NAME)?;
            txn.open_table(BY_PARENT)?;
            txn.open_table(PATHS)?;
            txn.open_table(NAMES)?;
            txn.open_table(BILLING)?;
            txn.open_table(ROLLUPS)?;
        }
        txn.commit()?;
        Ok(schema)
    }

    /// The largest node id stored, if any.
    pub(crate) fn max_id(&self) -> Result<Option<u128>> {
        let txn = self.db.begin_read()?;
        let ids = txn.open_table(IDS)?;
        Ok(ids.last()?.map(|(k, _)| k.value()))
    }

    pub(crate) fn begin_read(&self) -> Result<ReadView> {
        let txn = self.db.begin_read()?;
        Ok(ReadView {
            meta: txn.open_table(META)?,
            nodes: txn.open_table(NODES)?,
            ids: txn.open_table(IDS)?,
            by_name: txn.open_table(BY_NAME)?,
            by_parent: txn.open_table(BY_PARENT)?,
            paths: txn.open_table(PATHS)?,
            names: txn.open_table(NAMES)?,
            billing: txn.open_table(BILLING)?,
            rollups: txn.open_table(ROLLUPS)?,
        })
    }

    pub(crate) fn begin_write(&self, durability: Durability) -> Result<redb::WriteTransaction> {
        let mut txn = self.db.begin_write()?;
        if durability == Durability::Bulk {
            txn.set_durability(redb::Durability::None)?;
        }
        Ok(txn)
    }

    /// Makes every earlier commit durable with an empty immediate commit.
    pub(crate) fn flush(&self) -> Result<()> {
        let txn = self.db.begin_write()?;
        txn.commit()?;
        Ok(())
    }

    /// Reclaims free space at the end of the file.
    pub(crate) fn compact(&mut self) -> Result<bool> {
        Ok(self.db.compact()?)
    }

    /// redb's own check of its page structure and checksums.
    pub(crate) fn check_pages(&mut self) -> Result<bool> {
        Ok(self.db.check_integrity()?)
    }
}

/// The schema is stored as JSON: it is read once per open, and JSON keeps the tagged enums it
/// contains readable (postcard cannot encode internally tagged enums).
fn encode_schema(schema: &Schema) -> Result<Vec<u8>> {
    serde_json::to_vec(schema).map_err(|e| Error::corrupted(format!("schema does not encode: {e}")))
}

fn decode_schema(bytes: &[u8]) -> Result<Schema> {
    let schema: Schema =
        serde_json::from_slice(bytes).map_err(|e| Error::corrupted(format!("stored schema does not decode: {e}")))?;
    schema.validate().map_err(|e| Error::corrupted(format!("stored schema is invalid: {e}")))?;
    Ok(schema)
}

/// A boxed iterator over index keys.
pub(crate) type Keys<'a> = Rows<'a, Vec<u8>>;

/// A boxed iterator over decoded rows.
pub(crate) type Rows<'a, T> = Box<dyn Iterator<Item = Result<T>> + 'a>;

/// A key range of an index: everything starting with a prefix, narrowed by optional bounds.
#[derive(Debug, Clone)]
pub(crate) struct KeyRange {
    pub(crate) lo: Bound<Vec<u8>>,
    pub(crate) hi: Bound<Vec<u8>>,
}

impl KeyRange {
    /// Every key starting with `prefix`.
    pub(crate) fn prefix(prefix: &[u8]) -> KeyRange {
        KeyRange {
            lo: Bound::Included(prefix.to_vec()),
            hi: keys::prefix_end(prefix).map_or(Bound::Unbounded, Bound::Excluded),
        }
    }
}

/// Reads shared by read and write transactions.
pub(crate) trait View {
    fn node(&self, seq: u64) -> Result<Option<NodeRecord>>;
    fn seq_of(&self, id: [u8; 16]) -> Result<Option<u64>>;
    fn cell(&self, seq: u64, key: RollupKey) -> Result<Cell>;
    /// Every non-zero roll-up of a node, by key.
    fn cells(&self, seq: u64) -> Result<Vec<(RollupKey, Cell)>>;
    fn keys(&self, index: Index, range: KeyRange, reverse: bool) -> Result<Keys<'_>>;
    fn lookup(&self, table: Lookup, key: &[u8]) -> Result<Option<u64>>;
    /// Every node, in sequence order.
    fn all_nodes(&self) -> Result<Rows<'_, (u64, NodeRecord)>>;
    /// Every stored roll-up (write views flush their cache first).
    fn all_cells(&self) -> Result<Rows<'_, ((u64, RollupKey), Cell)>>;
    fn all_lookups(&self, table: Lookup) -> Result<Rows<'_, (Vec<u8>, u64)>>;
    fn all_ids(&self) -> Result<Rows<'_, ([u8; 16], u64)>>;
}

fn get_node<T: ReadableTable<u64, &'static [u8]>>(t: &T, seq: u64) -> Result<Option<NodeRecord>> {
    match t.get(seq)? {
        Some(v) => Ok(Some(decode(v.value())?)),
        None => Ok(None),
    }
}

fn get_cell<T: ReadableTable<(u64, u16), &'static [u8]>>(t: &T, seq: u64, key: RollupKey) -> Result<Cell> {
    match t.get((seq, key))? {
        Some(v) => decode(v.value()),
        None => Ok(Cell::default()),
    }
}

fn get_cells<T: ReadableTable<(u64, u16), &'static [u8]>>(t: &T, seq: u64) -> Result<Vec<(RollupKey, Cell)>> {
    let mut out = Vec::new();
    for entry in t.range((seq, 0u16)..=(seq, u16::MAX))? {
        let (k, v) = entry?;
        out.push((k.value().1, decode(v.value())?));
    }
    Ok(out)
}

fn scan_keys<'a, T: ReadableTable<&'static [u8], ()>>(t: &'a T, range: KeyRange, reverse: bool) -> Result<Keys<'a>> {
    let lo = range.lo.as_ref().map(Vec::as_slice);
    let hi = range.hi.as_ref().map(Vec::as_slice);
    let iter = t.range::<&[u8]>((lo, hi))?;
    let map = |r: std::result::Result<
        (redb::AccessGuard<'_, &'static [u8]>, redb::AccessGuard<'_, ()>),
        redb::StorageError,
    >| { r.map(|(k, _)| k.value().to_vec()).map_err(Error::from) };
    if reverse { Ok(Box::new(iter.rev().map(map))) } else { Ok(Box::new(iter.map(map))) }
}

fn get_lookup<T: ReadableTable<&'static [u8], u64>>(t: &T, key: &[u8]) -> Result<Option<u64>> {
    Ok(t.get(key)?.map(|v| v.value()))
}

fn iter_nodes<T: ReadableTable<u64, &'static [u8]>>(t: &T) -> Result<Rows<'_, (u64, NodeRecord)>> {
    Ok(Box::new(t.iter()?.map(|r| {
        let (k, v) = r?;
        Ok((k.value(), decode(v.value())?))
    })))
}

fn iter_cells<T: ReadableTable<(u64, u16), &'static [u8]>>(t: &T) -> Result<Rows<'_, ((u64, RollupKey), Cell)>> {
    Ok(Box::new(t.iter()?.map(|r| {
        let (k, v) = r?;
        Ok((k.value(), decode(v.value())?))
    })))
}

fn iter_lookups<T: ReadableTable<&'static [u8], u64>>(t: &T) -> Result<Rows<'_, (Vec<u8>, u64)>> {
    Ok(Box::new(t.iter()?.map(|r| {
        let (k, v) = r?;
        Ok((k.value().to_vec(), v.value()))
    })))
}

fn iter_ids<T: ReadableTable<u128, u64>>(t: &T) -> Result<Rows<'_, ([u8; 16], u64)>> {
    Ok(Box::new(t.iter()?.map(|r| {
        let (k, v) = r?;
        Ok((k.value().to_be_bytes(), v.value()))
    })))
}

/// A read transaction with every table open. A consistent snapshot: writes committed after it
/// began are invisible to it.
pub(crate) struct ReadView {
    meta: redb::ReadOnlyTable<&'static str, &'static [u8]>,
    nodes: redb::ReadOnlyTable<u64, &'static [u8]>,
    ids: redb::ReadOnlyTable<u128, u64>,
    by_name: redb::ReadOnlyTable<&'static [u8], ()>,
    by_parent: redb::ReadOnlyTable<&'static [u8], ()>,
    paths: redb::ReadOnlyTable<&'static [u8], ()>,
    names: redb::ReadOnlyTable<&'static [u8], u64>,
    billing: redb::ReadOnlyTable<&'static [u8], u64>,
    rollups: redb::ReadOnlyTable<(u64, u16), &'static [u8]>,
}

impl ReadView {
    pub(crate) fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(self.meta.get(key)?.map(|v| v.value().to_vec()))
    }
}

impl View for ReadView {
    fn node(&self, seq: u64) -> Result<Option<NodeRecord>> {
        get_node(&self.nodes, seq)
    }

    fn seq_of(&self, id: [u8; 16]) -> Result<Option<u64>> {
        Ok(self.ids.get(u128::from_be_bytes(id))?.map(|v| v.value()))
    }

    fn cell(&self, seq: u64, key: RollupKey) -> Result<Cell> {
        get_cell(&self.rollups, seq, key)
    }

    fn cells(&self, seq: u64) -> Result<Vec<(RollupKey, Cell)>> {
        get_cells(&self.rollups, seq)
    }

    fn keys(&self, index: Index, range: KeyRange, reverse: bool) -> Result<Keys<'_>> {
        match index {
            Index::ByName => scan_keys(&self.by_name, range, reverse),
            Index::ByParent => scan_keys(&self.by_parent, range, reverse),
            Index::Paths => scan_keys(&self.paths, range, reverse),
        }
    }

    fn lookup(&self, table: Lookup, key: &[u8]) -> Result<Option<u64>> {
        match table {
            Lookup::Names => get_lookup(&self.names, key),
            Lookup::Billing => get_lookup(&self.billing, key),
        }
    }

    fn all_nodes(&self) -> Result<Rows<'_, (u64, NodeRecord)>> {
        iter_nodes(&self.nodes)
    }

    fn all_cells(&self) -> Result<Rows<'_, ((u64, RollupKey), Cell)>> {
        iter_cells(&self.rollups)
    }

    fn all_lookups(&self, table: Lookup) -> Result<Rows<'_, (Vec<u8>, u64)>> {
        match table {
            Lookup::Names => iter_lookups(&self.names),
            Lookup::Billing => iter_lookups(&self.billing),
        }
    }

    fn all_ids(&self) -> Result<Rows<'_, ([u8; 16], u64)>> {
        iter_ids(&self.ids)
    }
}

/// Caches older than this many entries are written out and dropped, so that one large
/// transaction (an import) does not grow memory with the size of the store.
const MAX_CACHED_CELLS: usize = 64 * 1024;
const MAX_CACHED_NODES: usize = 16 * 1024;

#[derive(Debug, Clone, Copy)]
struct CachedCell {
    cell: Cell,
    dirty: bool,
}

/// A write transaction's tables, with two caches that make bulk writes cheap: node records
/// (read-through, written through) and roll-up cells (written back at [`WriteView::flush`]).
/// Every read goes through the caches, so a transaction always reads its own writes.
pub(crate) struct WriteView<'t> {
    meta: redb::Table<'t, &'static str, &'static [u8]>,
    nodes: redb::Table<'t, u64, &'static [u8]>,
    ids: redb::Table<'t, u128, u64>,
    by_name: redb::Table<'t, &'static [u8], ()>,
    by_parent: redb::Table<'t, &'static [u8], ()>,
    paths: redb::Table<'t, &'static [u8], ()>,
    names: redb::Table<'t, &'static [u8], u64>,
    billing: redb::Table<'t, &'static [u8], u64>,
    rollups: redb::Table<'t, (u64, u16), &'static [u8]>,
    node_cache: std::cell::RefCell<HashMap<u64, NodeRecord>>,
    cell_cache: std::cell::RefCell<BTreeMap<(u64, RollupKey), CachedCell>>,
    next_seq: u64,
    seq_dirty: bool,
}

impl<'t> WriteView<'t> {
    pub(crate) fn new(txn: &'t redb::WriteTransaction) -> Result<WriteView<'t>> {
        let meta = txn.open_table(META)?;
        let next_seq = match meta.get("next_seq")? {
            Some(v) => {
                let bytes: [u8; 8] =
                    v.value().try_into().map_err(|_| Error::corrupted("the sequence counter is malformed"))?;
                u64::from_le_bytes(bytes)
            }
            None => return Err(Error::corrupted("the sequence counter is missing")),
        };
        Ok(WriteView {
            meta,
            nodes: txn.open_table(NODES)?,
            ids: txn.open_table(IDS)?,
            by_name: txn.open_table(BY_NAME)?,
            by_parent: txn.open_table(BY_PARENT)?,
            paths: txn.open_table(PATHS)?,
            names: txn.open_table(NAMES)?,
            billing: txn.open_table(BILLING)?,
            rollups: txn.open_table(ROLLUPS)?,
            node_cache: std::cell::RefCell::new(HashMap::new()),
            cell_cache: std::cell::RefCell::new(BTreeMap::new()),
            next_seq,
            seq_dirty: false,
        })
    }

    /// Takes the next node sequence number.
    pub(crate) fn take_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.seq_dirty = true;
        seq
    }

    pub(crate) fn put_node(&mut self, seq: u64, record: &NodeRecord) -> Result<()> {
        self.nodes.insert(seq, encode(record)?.as_slice())?;
        let mut cache = self.node_cache.borrow_mut();
        if cache.len() >= MAX_CACHED_NODES {
            cache.clear();
        }
        cache.insert(seq, record.clone());
        Ok(())
    }

    pub(crate) fn remove_node(&mut self, seq: u64) -> Result<()> {
        self.nodes.remove(seq)?;
        self.node_cache.borrow_mut().remove(&seq);
        Ok(())
    }

    pub(crate) fn put_id(&mut self, id: [u8; 16], seq: u64) -> Result<()> {
        self.ids.insert(u128::from_be_bytes(id), seq)?;
        Ok(())
    }

    pub(crate) fn remove_id(&mut self, id: [u8; 16]) -> Result<()> {
        self.ids.remove(u128::from_be_bytes(id))?;
        Ok(())
    }

    pub(crate) fn insert_key(&mut self, index: Index, key: &[u8]) -> Result<()> {
        match index {
            Index::ByName => self.by_name.insert(key, ())?,
            Index::ByParent => self.by_parent.insert(key, ())?,
            Index::Paths => self.paths.insert(key, ())?,
        };
        Ok(())
    }

    pub(crate) fn remove_key(&mut self, index: Index, key: &[u8]) -> Result<()> {
        match index {
            Index::ByName => self.by_name.remove(key)?,
            Index::ByParent => self.by_parent.remove(key)?,
            Index::Paths => self.paths.remove(key)?,
        };
        Ok(())
    }

    pub(crate) fn put_lookup(&mut self, table: Lookup, key: &[u8], seq: u64) -> Result<()> {
        match table {
            Lookup::Names => self.names.insert(key, seq)?,
            Lookup::Billing => self.billing.insert(key, seq)?,
        };
        Ok(())
    }

    pub(crate) fn remove_lookup(&mut self, table: Lookup, key: &[u8]) -> Result<()> {
        match table {
            Lookup::Names => self.names.remove(key)?,
            Lookup::Billing => self.billing.remove(key)?,
        };
        Ok(())
    }

    /// Replaces a roll-up cell (in the cache; written at flush).
    pub(crate) fn set_cell(&mut self, seq: u64, key: RollupKey, cell: Cell) -> Result<()> {
        let full = {
            let mut cache = self.cell_cache.borrow_mut();
            cache.insert((seq, key), CachedCell { cell, dirty: true });
            cache.len() >= MAX_CACHED_CELLS
        };
        if full {
            self.flush_cells()?;
        }
        Ok(())
    }

    fn flush_cells(&mut self) -> Result<()> {
        let cache = std::mem::take(self.cell_cache.get_mut());
        for ((seq, key), entry) in cache {
            if !entry.dirty {
                continue;
            }
            if entry.cell.is_zero() {
                self.rollups.remove((seq, key))?;
            } else {
                self.rollups.insert((seq, key), encode(&entry.cell)?.as_slice())?;
            }
        }
        Ok(())
    }

    /// Writes the caches out. Must run before the transaction commits.
    pub(crate) fn flush(&mut self) -> Result<()> {
        self.flush_cells()?;
        if self.seq_dirty {
            self.meta.insert("next_seq", self.next_seq.to_le_bytes().as_slice())?;
            self.seq_dirty = false;
        }
        Ok(())
    }
}

impl View for WriteView<'_> {
    fn node(&self, seq: u64) -> Result<Option<NodeRecord>> {
        if let Some(r) = self.node_cache.borrow().get(&seq) {
            return Ok(Some(r.clone()));
        }
        let record = get_node(&self.nodes, seq)?;
        if let Some(r) = &record {
            let mut cache = self.node_cache.borrow_mut();
            if cache.len() >= MAX_CACHED_NODES {
                cache.clear();
            }
            cache.insert(seq, r.clone());
        }
        Ok(record)
    }

    fn seq_of(&self, id: [u8; 16]) -> Result<Option<u64>> {
        Ok(self.ids.get(u128::from_be_bytes(id))?.map(|v| v.value()))
    }

    fn cell(&self, seq: u64, key: RollupKey) -> Result<Cell> {
        if let Some(c) = self.cell_cache.borrow().get(&(seq, key)) {
            return Ok(c.cell);
        }
        let cell = get_cell(&self.rollups, seq, key)?;
        let mut cache = self.cell_cache.borrow_mut();
        // A clean entry is only a read cache; dropping it when full loses nothing.
        if cache.len() < MAX_CACHED_CELLS {
            cache.insert((seq, key), CachedCell { cell, dirty: false });
        }
        Ok(cell)
    }

    fn cells(&self, seq: u64) -> Result<Vec<(RollupKey, Cell)>> {
        let mut merged: BTreeMap<RollupKey, Cell> = get_cells(&self.rollups, seq)?.into_iter().collect();
        for (&(_, key), entry) in self.cell_cache.borrow().range((seq, 0)..=(seq, u16::MAX)) {
            merged.insert(key, entry.cell);
        }
        Ok(merged.into_iter().filter(|(_, c)| !c.is_zero()).collect())
    }

    fn keys(&self, index: Index, range: KeyRange, reverse: bool) -> Result<Keys<'_>> {
        match index {
            Index::ByName => scan_keys(&self.by_name, range, reverse),
            Index::ByParent => scan_keys(&self.by_parent, range, reverse),
            Index::Paths => scan_keys(&self.paths, range, reverse),
        }
    }

    fn lookup(&self, table: Lookup, key: &[u8]) -> Result<Option<u64>> {
        match table {
            Lookup::Names => get_lookup(&self.names, key),
            Lookup::Billing => get_lookup(&self.billing, key),
        }
    }

    fn all_nodes(&self) -> Result<Rows<'_, (u64, NodeRecord)>> {
        iter_nodes(&self.nodes)
    }

    fn all_cells(&self) -> Result<Rows<'_, ((u64, RollupKey), Cell)>> {
        if self.cell_cache.borrow().values().any(|c| c.dirty) {
            return Err(Error::corrupted("roll-ups read in bulk before the cache was flushed"));
        }
        iter_cells(&self.rollups)
    }

    fn all_lookups(&self, table: Lookup) -> Result<Rows<'_, (Vec<u8>, u64)>> {
        match table {
            Lookup::Names => iter_lookups(&self.names),
            Lookup::Billing => iter_lookups(&self.billing),
        }
    }

    fn all_ids(&self) -> Result<Rows<'_, ([u8; 16], u64)>> {
        iter_ids(&self.ids)
    }
}
