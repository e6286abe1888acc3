//! The floor: raw redb holding exactly tenantree's data (same tables, same keys, same
//! postcard records and roll-up cells, the same `meta` entries, so that tenantree opens the
//! file and its integrity check passes), written with no invariant checks and no reads before
//! writes.
//!
//! To write roll-ups without reading them, the floor keeps the interior nodes (the dealers and
//! the store-wide root) and their roll-up cells in memory; a dealer it did not create itself is
//! read once, the first time a write touches it. Tenants are leaves: nothing of them is kept.
//! An allocation (W3) reads the tenant's record, because the allocation lives inside it.
//!
//! Reads (W4-W6) do the same B-tree reads tenantree's data layout needs for the answer, and
//! nothing else.

use std::collections::HashMap;
use std::ops::Bound;
use std::path::Path;

use redb::{Database, Durability, ReadableDatabase, ReadableTable, TableDefinition, WriteTransaction};
use serde::{Deserialize, Serialize};

use crate::engine::{
    Adjust, CHILDREN, CheckView, Engine, Error, Id, IdGen, Item, Kind, Mode, NewRec, NodeView, PageView, QuotaView,
    RESOURCES, Result, Status, SubtreeView, effective, now_micros,
};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const NODES: TableDefinition<u64, &[u8]> = TableDefinition::new("nodes");
const IDS: TableDefinition<u128, u64> = TableDefinition::new("ids");
const BY_NAME: TableDefinition<&[u8], &[u8]> = TableDefinition::new("by_name");
const BY_PARENT: TableDefinition<&[u8; 16], ()> = TableDefinition::new("by_parent");
const PATHS: TableDefinition<&[u8], ()> = TableDefinition::new("paths");
const NAMES: TableDefinition<&[u8], u64> = TableDefinition::new("names");
const BILLING: TableDefinition<&[u8], u64> = TableDefinition::new("billing");
const CELLS: TableDefinition<(u64, u16), &[u8; 40]> = TableDefinition::new("cells");

/// The page cache tenantree gives a store in a file.
const CACHE: usize = 256 * 1024 * 1024;

/// tenantree's stored status (same variants, same order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum StatusRec {
    Enabled,
    Disabled,
    Suspended(u32),
}

impl StatusRec {
    fn as_str(self) -> &'static str {
        match self {
            StatusRec::Enabled => "enabled",
            StatusRec::Disabled => "disabled",
            StatusRec::Suspended(_) => "suspended",
        }
    }
}

/// tenantree's stored profile (same fields, same order).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
struct ProfileRec {
    display_name: Option<String>,
    email: Option<String>,
    website: Option<String>,
    phone: Option<String>,
    address: Option<String>,
    description: Option<String>,
    external_name: Option<String>,
    billing_id: Option<String>,
    extra: Option<String>,
}

/// tenantree's node record (same fields, same order, same postcard encoding).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct NodeRecord {
    id: [u8; 16],
    parent: u64,
    kind: u8,
    name: String,
    status: StatusRec,
    created: i64,
    updated: i64,
    version: u64,
    profile: ProfileRec,
    tenant_full_access: bool,
    limits: Vec<(u16, u64)>,
}

/// tenantree's `by_name` entry (same fields, same order, same postcard encoding): what a
/// page of children shows, the name only when it is not already folded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct NameEntry {
    id: [u8; 16],
    kind: u8,
    status: StatusRec,
    name: Option<String>,
    seq: u64,
}

impl NameEntry {
    fn of(seq: u64, rec: &NodeRecord, folded: &str) -> NameEntry {
        NameEntry {
            id: rec.id,
            kind: rec.kind,
            status: rec.status,
            name: (rec.name != folded).then(|| rec.name.clone()),
            seq,
        }
    }
}

impl NodeRecord {
    fn limit(&self, key: u16) -> Option<u64> {
        self.limits.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// tenantree's roll-up cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Cell {
    /// The node's own allocation (format 2: allocations live in the cells, not the records).
    own: u64,
    below: u64,
    max_limit_below: u64,
    child_limits: u64,
}

impl Cell {
    /// Format 3's fixed 40 bytes: own, below and the bound as little-endian u64s, then the
    /// child limits as a little-endian u128.
    fn to_bytes(self) -> [u8; 40] {
        let mut out = [0u8; 40];
        for (chunk, v) in out.chunks_exact_mut(8).zip([self.own, self.below, self.max_limit_below, self.child_limits]) {
            chunk.copy_from_slice(&v.to_le_bytes());
        }
        out
    }

    fn from_bytes(b: &[u8; 40]) -> Cell {
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(b.get(i * 8..i * 8 + 8).unwrap_or(&[0; 8]));
            u64::from_le_bytes(w)
        };
        Cell { own: word(0), below: word(1), max_limit_below: word(2), child_limits: word(3) }
    }
}

// Key encodings, as ARCHITECTURE.md documents them.

fn put_var(out: &mut Vec<u8>, n: u64) {
    let bytes = n.to_be_bytes();
    let skip = (n.leading_zeros() / 8) as usize;
    let significant = bytes.get(skip..).unwrap_or(&[]);
    out.push(u8::try_from(significant.len()).unwrap_or(8));
    out.extend_from_slice(significant);
}

fn take_var(input: &[u8]) -> Option<(u64, &[u8])> {
    let (&len, rest) = input.split_first()?;
    let len = usize::from(len);
    let (digits, rest) = (rest.get(..len)?, rest.get(len..)?);
    Some((digits.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)), rest))
}

fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xFF {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

fn var_key(n: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    put_var(&mut k, n);
    k
}

fn by_name_key(parent: u64, folded: &str, kind: u8) -> Vec<u8> {
    let mut k = Vec::with_capacity(folded.len() + 12);
    put_var(&mut k, parent);
    k.extend_from_slice(folded.as_bytes());
    k.push(0);
    k.push(kind);
    k
}

fn by_parent_key(parent: u64, child: u64) -> [u8; 16] {
    let mut k = [0u8; 16];
    k[..8].copy_from_slice(&parent.to_be_bytes());
    k[8..].copy_from_slice(&child.to_be_bytes());
    k
}

fn path_prefix(kind: u8, path: &[u64]) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + 5 * (path.len() + 1));
    k.push(kind);
    for &seq in path {
        put_var(&mut k, seq);
    }
    k
}

fn unique_name_key(group: &str, folded: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(group.len() + folded.len() + 1);
    k.extend_from_slice(group.as_bytes());
    k.push(0);
    k.extend_from_slice(folded.as_bytes());
    k
}

/// The last number of a key made of numbers after `skip` leading bytes.
fn last_var(key: &[u8], skip: usize) -> Option<u64> {
    let mut rest = key.get(skip..)?;
    let mut last = None;
    while !rest.is_empty() {
        let (n, tail) = take_var(rest)?;
        last = Some(n);
        rest = tail;
    }
    last
}

/// The folded name of a `by_name` key.
fn folded_of_by_name(key: &[u8]) -> Option<&str> {
    let (_, rest) = take_var(key)?;
    let nul = rest.iter().position(|&b| b == 0)?;
    std::str::from_utf8(rest.get(..nul)?).ok()
}

fn decode<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T> {
    Ok(postcard::from_bytes(bytes)?)
}

fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    Ok(postcard::to_allocvec(value)?)
}

fn missing(what: &str) -> Error {
    Error::refused("NOT_FOUND", what.to_owned())
}

/// What the floor keeps of an interior node.
#[derive(Debug, Clone)]
struct Dealer {
    seq: u64,
    /// Ancestors from the top down (the node itself excluded).
    path: Vec<u64>,
}

/// A cheap hasher for sequence numbers (the floor should not pay for SipHash).
#[derive(Debug, Default, Clone, Copy)]
struct SeqHasher(u64);

impl std::hash::Hasher for SeqHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
    }

    fn write_u128(&mut self, n: u128) {
        self.write_u64((n >> 64) as u64);
        self.write_u64(n as u64);
    }
}

type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<SeqHasher>>;

/// The roll-up cells of one interior node, and which changed since the last write-back.
#[derive(Debug, Default)]
struct NodeCells {
    cells: Vec<(u16, Cell, bool)>,
    /// Whether the stored cells have been read (or the node was created here).
    loaded: bool,
}

/// The floor's memory: dealers and roll-up cells, so that writes need no reads.
#[derive(Debug, Default)]
struct Model {
    by_id: FastMap<Id, u64>,
    dealers: FastMap<u64, Dealer>,
    cells: FastMap<u64, NodeCells>,
    /// Nodes with changed cells since the last write-back.
    dirty: Vec<u64>,
    next_seq: u64,
}

/// The tables of one write transaction.
struct Tables<'t> {
    meta: redb::Table<'t, &'static str, &'static [u8]>,
    nodes: redb::Table<'t, u64, &'static [u8]>,
    ids: redb::Table<'t, u128, u64>,
    by_name: redb::Table<'t, &'static [u8], &'static [u8]>,
    by_parent: redb::Table<'t, &'static [u8; 16], ()>,
    paths: redb::Table<'t, &'static [u8], ()>,
    names: redb::Table<'t, &'static [u8], u64>,
    cells: redb::Table<'t, (u64, u16), &'static [u8; 40]>,
}

impl<'t> Tables<'t> {
    fn open(txn: &'t WriteTransaction) -> Result<Tables<'t>> {
        Ok(Tables {
            meta: txn.open_table(META)?,
            nodes: txn.open_table(NODES)?,
            ids: txn.open_table(IDS)?,
            by_name: txn.open_table(BY_NAME)?,
            by_parent: txn.open_table(BY_PARENT)?,
            paths: txn.open_table(PATHS)?,
            names: txn.open_table(NAMES)?,
            cells: txn.open_table(CELLS)?,
        })
    }
}

impl Model {
    /// A cell to change, the node's cells read once if this floor did not write them itself.
    fn cell(&mut self, t: &Tables<'_>, seq: u64, key: u16) -> Result<&mut Cell> {
        let node = self.cells.entry(seq).or_default();
        if !node.loaded {
            node.loaded = true;
            for entry in t.cells.range((seq, 0u16)..=(seq, u16::MAX))? {
                let (k, v) = entry?;
                node.cells.push((k.value().1, Cell::from_bytes(v.value()), false));
            }
        }
        if node.cells.iter().all(|(_, _, dirty)| !dirty) {
            self.dirty.push(seq);
        }
        let i = match node.cells.iter().position(|(k, _, _)| *k == key) {
            Some(i) => i,
            None => {
                node.cells.push((key, Cell::default(), false));
                node.cells.len() - 1
            }
        };
        let slot = node.cells.get_mut(i).ok_or_else(|| Error::msg("cell vanished"))?;
        slot.2 = true;
        Ok(&mut slot.1)
    }

    /// Marks a node created here: it has no stored cells to read.
    fn created(&mut self, seq: u64) {
        self.cells.insert(seq, NodeCells { cells: Vec::new(), loaded: true });
    }

    /// A dealer by sequence number, read once (with its ancestors) if not known.
    fn dealer(&mut self, t: &Tables<'_>, seq: u64) -> Result<Dealer> {
        if let Some(d) = self.dealers.get(&seq) {
            return Ok(d.clone());
        }
        let mut chain = Vec::new();
        let mut next = seq;
        while next != 0 {
            let rec: NodeRecord = decode(t.nodes.get(next)?.ok_or_else(|| missing("dealer"))?.value())?;
            chain.push((next, rec.id));
            next = rec.parent;
        }
        chain.reverse();
        let mut path = Vec::new();
        for (s, id) in chain {
            self.by_id.insert(u128::from_be_bytes(id), s);
            self.dealers.entry(s).or_insert_with(|| Dealer { seq: s, path: path.clone() });
            path.push(s);
        }
        self.dealers.get(&seq).cloned().ok_or_else(|| missing("dealer"))
    }

    fn dealer_by_id(&mut self, t: &Tables<'_>, id: Id) -> Result<Dealer> {
        let seq = match self.by_id.get(&id) {
            Some(&s) => s,
            None => t.ids.get(id)?.map(|v| v.value()).ok_or_else(|| missing("parent"))?,
        };
        self.dealer(t, seq)
    }

    /// Writes the changed cells (zero cells are removed, as tenantree does) and the counter.
    fn write_back(&mut self, t: &mut Tables<'_>) -> Result<()> {
        let mut dirty = std::mem::take(&mut self.dirty);
        dirty.sort_unstable();
        for seq in dirty {
            let Some(node) = self.cells.get_mut(&seq) else { continue };
            node.cells.sort_unstable_by_key(|(k, _, _)| *k);
            for (key, cell, changed) in &mut node.cells {
                if !*changed {
                    continue;
                }
                *changed = false;
                if *cell == Cell::default() {
                    t.cells.remove((seq, *key))?;
                } else {
                    t.cells.insert((seq, *key), &cell.to_bytes())?;
                }
            }
        }
        t.meta.insert("next_seq", self.next_seq.to_le_bytes().as_slice())?;
        Ok(())
    }
}

/// Raw redb with tenantree's layout.
#[derive(Debug)]
pub struct Raw {
    db: Database,
    mode: Mode,
    model: Model,
    ids: IdGen,
}

impl Raw {
    fn begin(&self) -> Result<WriteTransaction> {
        let mut txn = self.db.begin_write()?;
        if self.mode == Mode::Bulk {
            txn.set_durability(Durability::None)?;
        }
        Ok(txn)
    }

    fn read_chain(nodes: &impl ReadableTable<u64, &'static [u8]>, seq: u64) -> Result<Vec<(u64, NodeRecord)>> {
        let mut chain = Vec::with_capacity(6);
        let mut next = seq;
        while next != 0 {
            let rec: NodeRecord = decode(nodes.get(next)?.ok_or_else(|| missing("node"))?.value())?;
            let parent = rec.parent;
            chain.push((next, rec));
            next = parent;
        }
        Ok(chain)
    }
}

fn kind_name(kind: u8) -> String {
    Kind::from_index(kind).map_or("?", Kind::name).to_owned()
}

fn is_leaf(kind: u8) -> bool {
    kind == Kind::Tenant.index()
}

impl Engine for Raw {
    const NAME: &'static str = "raw redb";
    type Cursor = Vec<u8>;

    fn create(path: &Path) -> Result<Raw> {
        let _ = std::fs::remove_file(path);
        let db = redb::Builder::new().set_cache_size(CACHE).create(path)?;
        let txn = db.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            // tenantree's format 6, but for `cell_log`, which tenantree creates on open (an empty log).
            meta.insert("format", encode(&("tenantree", 6u32))?.as_slice())?;
            meta.insert("schema", serde_json::to_vec(&tenantree::Schema::channel())?.as_slice())?;
            meta.insert("next_seq", 1u64.to_le_bytes().as_slice())?;
            txn.open_table(NODES)?;
            txn.open_table(IDS)?;
            txn.open_table(BY_NAME)?;
            txn.open_table(BY_PARENT)?;
            txn.open_table(PATHS)?;
            txn.open_table(NAMES)?;
            txn.open_table(BILLING)?;
            txn.open_table(CELLS)?;
        }
        txn.commit()?;
        let mut model = Model { next_seq: 1, ..Model::default() };
        model.created(0);
        Ok(Raw { db, mode: Mode::Bulk, model, ids: IdGen::new() })
    }

    fn open(path: &Path, mode: Mode) -> Result<Raw> {
        // `create` opens an existing file as `open` does; tenantree opens with it too.
        let db = redb::Builder::new().set_cache_size(CACHE).create(path)?;
        let next_seq = {
            let txn = db.begin_read()?;
            let meta = txn.open_table(META)?;
            let v = meta.get("next_seq")?.ok_or_else(|| Error::msg("no sequence counter"))?;
            let bytes: [u8; 8] = v.value().try_into().map_err(|_| Error::msg("bad sequence counter"))?;
            u64::from_le_bytes(bytes)
        };
        Ok(Raw { db, mode, model: Model { next_seq, ..Model::default() }, ids: IdGen::new() })
    }

    fn flush(&mut self) -> Result<()> {
        let txn = self.db.begin_write()?;
        txn.commit()?;
        Ok(())
    }

    fn close(mut self) -> Result<()> {
        self.flush()
    }

    fn insert(&mut self, nodes: &[NewRec]) -> Result<Vec<Id>> {
        let txn = self.begin()?;
        let mut out = Vec::with_capacity(nodes.len());
        {
            let mut t = Tables::open(&txn)?;
            let m = &mut self.model;
            let now = now_micros();
            for new in nodes {
                let parent = match new.parent {
                    Some(pid) => Some(m.dealer_by_id(&t, pid)?),
                    None => None,
                };
                let seq = m.next_seq;
                m.next_seq += 1;
                let id = self.ids.next_id();
                let kind = new.kind.index();
                let parent_seq = parent.as_ref().map_or(0, |p| p.seq);
                let rec = NodeRecord {
                    id: id.to_be_bytes(),
                    parent: parent_seq,
                    kind,
                    name: new.name.clone(),
                    status: StatusRec::Enabled,
                    created: now,
                    updated: now,
                    version: 1,
                    profile: ProfileRec::default(),
                    tenant_full_access: true,
                    limits: new.limits.clone(),
                };
                t.nodes.insert(seq, encode(&rec)?.as_slice())?;
                t.ids.insert(id, seq)?;
                let folded = new.name.to_lowercase();
                t.by_name.insert(
                    by_name_key(parent_seq, &folded, kind).as_slice(),
                    encode(&NameEntry::of(seq, &rec, &folded))?.as_slice(),
                )?;
                t.by_parent.insert(&by_parent_key(parent_seq, seq), ())?;
                // The full path of the parent: its ancestors, then itself.
                let mut above = parent.as_ref().map(|p| p.path.clone()).unwrap_or_default();
                above.extend(parent.as_ref().map(|p| p.seq));
                let mut path_key = path_prefix(kind, &above);
                put_var(&mut path_key, seq);
                t.paths.insert(path_key.as_slice(), ())?;
                if let Some(group) = new.kind.name_group() {
                    t.names.insert(unique_name_key(group, &folded).as_slice(), seq)?;
                }
                // Roll-ups: the kind's count on every ancestor and the store, the parent's
                // children, and the limit bookkeeping.
                for &a in above.iter().chain([0u64].iter()) {
                    m.cell(&t, a, u16::from(kind))?.below += 1;
                }
                m.cell(&t, parent_seq, CHILDREN)?.below += 1;
                for &(key, value) in &new.limits {
                    if parent_seq != 0 {
                        m.cell(&t, parent_seq, key)?.child_limits += value;
                    }
                    for &a in &above {
                        let c = m.cell(&t, a, key)?;
                        c.max_limit_below = c.max_limit_below.max(value);
                    }
                }
                if !is_leaf(kind) {
                    m.by_id.insert(id, seq);
                    m.dealers.insert(seq, Dealer { seq, path: above });
                    m.created(seq);
                }
                out.push(id);
            }
            m.write_back(&mut t)?;
        }
        txn.commit()?;
        Ok(out)
    }

    fn adjust(&mut self, ops: &[Adjust]) -> Result<()> {
        let txn = self.begin()?;
        {
            let mut t = Tables::open(&txn)?;
            let m = &mut self.model;
            for op in ops {
                let seq = t.ids.get(op.node)?.map(|v| v.value()).ok_or_else(|| missing("node"))?;
                // The record only for its parent; the allocation is in the tenant's cell.
                let rec: NodeRecord = decode(t.nodes.get(seq)?.ok_or_else(|| missing("node"))?.value())?;
                let c = m.cell(&t, seq, op.key)?;
                c.own = c.own.saturating_add_signed(op.delta);
                let parent = m.dealer(&t, rec.parent)?;
                for &a in parent.path.iter().chain([parent.seq, 0].iter()) {
                    let c = m.cell(&t, a, op.key)?;
                    c.below = c.below.saturating_add_signed(op.delta);
                }
            }
            m.write_back(&mut t)?;
        }
        txn.commit()?;
        Ok(())
    }

    fn set_status(&mut self, node: Id, status: Status) -> Result<()> {
        let txn = self.begin()?;
        {
            let mut t = Tables::open(&txn)?;
            let seq = t.ids.get(node)?.map(|v| v.value()).ok_or_else(|| missing("node"))?;
            let mut rec: NodeRecord = decode(t.nodes.get(seq)?.ok_or_else(|| missing("node"))?.value())?;
            rec.status = match status {
                Status::Enabled => StatusRec::Enabled,
                Status::Disabled => StatusRec::Disabled,
                Status::Suspended => StatusRec::Suspended(0),
            };
            rec.version += 1;
            rec.updated = now_micros();
            t.nodes.insert(seq, encode(&rec)?.as_slice())?;
            let folded = rec.name.to_lowercase();
            t.by_name.insert(
                by_name_key(rec.parent, &folded, rec.kind).as_slice(),
                encode(&NameEntry::of(seq, &rec, &folded))?.as_slice(),
            )?;
        }
        txn.commit()?;
        Ok(())
    }

    fn delete(&mut self, node: Id) -> Result<()> {
        let txn = self.begin()?;
        {
            let mut t = Tables::open(&txn)?;
            let m = &mut self.model;
            let seq = t.ids.get(node)?.map(|v| v.value()).ok_or_else(|| missing("node"))?;
            let rec: NodeRecord = decode(t.nodes.get(seq)?.ok_or_else(|| missing("node"))?.value())?;
            let parent = if rec.parent == 0 { None } else { Some(m.dealer(&t, rec.parent)?) };
            let mut above = parent.as_ref().map(|p| p.path.clone()).unwrap_or_default();
            above.extend(parent.as_ref().map(|p| p.seq));
            let folded = rec.name.to_lowercase();
            t.nodes.remove(seq)?;
            t.ids.remove(node)?;
            t.by_name.remove(by_name_key(rec.parent, &folded, rec.kind).as_slice())?;
            t.by_parent.remove(&by_parent_key(rec.parent, seq))?;
            let mut path_key = path_prefix(rec.kind, &above);
            put_var(&mut path_key, seq);
            t.paths.remove(path_key.as_slice())?;
            if let Some(group) = Kind::from_index(rec.kind).and_then(Kind::name_group) {
                t.names.remove(unique_name_key(group, &folded).as_slice())?;
            }
            for &a in above.iter().chain([0u64].iter()) {
                let c = m.cell(&t, a, u16::from(rec.kind))?;
                c.below = c.below.saturating_sub(1);
            }
            let c = m.cell(&t, rec.parent, CHILDREN)?;
            c.below = c.below.saturating_sub(1);
            for &(key, value) in &rec.limits {
                if rec.parent != 0 {
                    let c = m.cell(&t, rec.parent, key)?;
                    c.child_limits = c.child_limits.saturating_sub(value);
                }
            }
            m.dealers.remove(&seq);
            m.by_id.remove(&node);
            m.write_back(&mut t)?;
        }
        txn.commit()?;
        Ok(())
    }

    fn children_ids(&self, parent: Option<Id>) -> Result<Vec<(String, Id)>> {
        let txn = self.db.begin_read()?;
        let ids = txn.open_table(IDS)?;
        let nodes = txn.open_table(NODES)?;
        let by_parent = txn.open_table(BY_PARENT)?;
        let parent_seq = match parent {
            Some(p) => ids.get(p)?.map(|v| v.value()).ok_or_else(|| missing("parent"))?,
            None => 0,
        };
        let mut out = Vec::new();
        let (lo, hi) = (by_parent_key(parent_seq, 0), by_parent_key(parent_seq, u64::MAX));
        for entry in by_parent.range::<&[u8; 16]>(&lo..=&hi)? {
            let (k, _) = entry?;
            let child = u64::from_be_bytes(k.value()[8..].try_into().map_err(|_| Error::msg("bad by_parent key"))?);
            let rec: NodeRecord = decode(nodes.get(child)?.ok_or_else(|| missing("child"))?.value())?;
            out.push((rec.name, u128::from_be_bytes(rec.id)));
        }
        Ok(out)
    }

    fn get(&self, node: Id) -> Result<NodeView> {
        let txn = self.db.begin_read()?;
        let ids = txn.open_table(IDS)?;
        let nodes = txn.open_table(NODES)?;
        let cells = txn.open_table(CELLS)?;
        let seq = ids.get(node)?.map(|v| v.value()).ok_or_else(|| missing("node"))?;
        let chain = Raw::read_chain(&nodes, seq)?;
        let cell = |s: u64, key: u16| -> Result<Cell> {
            match cells.get((s, key))? {
                Some(v) => Ok(Cell::from_bytes(v.value())),
                None => Ok(Cell::default()),
            }
        };
        let (head_seq, head) = chain.first().ok_or_else(|| missing("node"))?;
        // Every cell of the head in one range (a leaf has one only for what it allocated).
        let mut head_cells: Vec<(u16, Cell)> = Vec::new();
        for entry in cells.range((*head_seq, 0u16)..=(*head_seq, u16::MAX))? {
            let (k, v) = entry?;
            head_cells.push((k.value().1, Cell::from_bytes(v.value())));
        }
        let mut quotas = Vec::with_capacity(RESOURCES.len());
        for &(name, key) in &RESOURCES {
            let own_cell = head_cells.iter().find(|(k, _)| *k == key).map(|(_, c)| *c).unwrap_or_default();
            let used = own_cell.own + own_cell.below;
            let mut available: Option<u64> = None;
            for (s, rec) in &chain {
                if let Some(limit) = rec.limit(key) {
                    let usage = if s == head_seq {
                        used
                    } else {
                        let c = cell(*s, key)?;
                        c.own + c.below
                    };
                    let room = limit.saturating_sub(usage);
                    available = Some(available.map_or(room, |a| a.min(room)));
                }
            }
            quotas.push(QuotaView {
                resource: name.to_owned(),
                limit: head.limit(key),
                used,
                allocated: own_cell.own,
                available,
            });
        }
        Ok(NodeView {
            name: head.name.clone(),
            kind: kind_name(head.kind),
            depth: u32::try_from(chain.len()).unwrap_or(u32::MAX),
            status: head.status.as_str().to_owned(),
            effective: effective(chain.iter().map(|(_, r)| r.status.as_str())),
            quotas,
        })
    }

    fn page(&self, parent: Id, limit: u32, after: Option<&Vec<u8>>) -> Result<(PageView, Option<Vec<u8>>)> {
        let txn = self.db.begin_read()?;
        let ids = txn.open_table(IDS)?;
        let nodes = txn.open_table(NODES)?;
        let cells = txn.open_table(CELLS)?;
        let by_name = txn.open_table(BY_NAME)?;
        let seq = ids.get(parent)?.map(|v| v.value()).ok_or_else(|| missing("parent"))?;
        let chain = Raw::read_chain(&nodes, seq)?;
        let inherited = effective(chain.iter().map(|(_, r)| r.status.as_str()));
        let total = match cells.get((seq, CHILDREN))? {
            Some(v) => Cell::from_bytes(v.value()).below,
            None => 0,
        };
        let prefix = var_key(seq);
        let end = prefix_end(&prefix);
        let lo = match after {
            Some(key) => Bound::Excluded(key.as_slice()),
            None => Bound::Included(prefix.as_slice()),
        };
        let hi = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
        let mut items = Vec::with_capacity(limit as usize);
        let mut next = None;
        let mut last: Option<Vec<u8>> = None;
        for entry in by_name.range::<&[u8]>((lo, hi))? {
            let (k, v) = entry?;
            if items.len() == limit as usize {
                next = last.take();
                break;
            }
            // The entry holds all a page shows: no record is read.
            let e: NameEntry = decode(v.value())?;
            let name = match e.name {
                Some(name) => name,
                None => folded_of_by_name(k.value()).ok_or_else(|| Error::msg("bad by_name key"))?.to_owned(),
            };
            let own = e.status.as_str();
            items.push(Item {
                name,
                kind: kind_name(e.kind),
                effective: if own == "enabled" { inherited.clone() } else { own.to_owned() },
            });
            last = Some(k.value().to_vec());
        }
        Ok((PageView { items, total }, next))
    }

    fn tenants_under(&self, root: Id) -> Result<SubtreeView> {
        let txn = self.db.begin_read()?;
        let ids = txn.open_table(IDS)?;
        let nodes = txn.open_table(NODES)?;
        let paths = txn.open_table(PATHS)?;
        let seq = ids.get(root)?.map(|v| v.value()).ok_or_else(|| missing("node"))?;
        let path: Vec<u64> = Raw::read_chain(&nodes, seq)?.iter().rev().map(|(s, _)| *s).collect();
        let prefix = path_prefix(Kind::Tenant.index(), &path);
        let end = prefix_end(&prefix);
        let hi = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
        let mut out = SubtreeView::default();
        for entry in paths.range::<&[u8]>((Bound::Included(prefix.as_slice()), hi))? {
            let (k, _) = entry?;
            let key = k.value();
            if key.len() == prefix.len() {
                continue;
            }
            let node = last_var(key, 1).ok_or_else(|| Error::msg("bad paths key"))?;
            let rec: NodeRecord = decode(nodes.get(node)?.ok_or_else(|| missing("tenant"))?.value())?;
            out.add(&rec.name);
        }
        Ok(out)
    }

    /// The floor of a check: redb's own page check, then every entry of every table read and
    /// decoded once, with the index sizes compared to the node count.
    fn check(&mut self) -> Result<CheckView> {
        let mut problems = 0;
        if !self.db.check_integrity()? {
            problems += 1;
        }
        let txn = self.db.begin_read()?;
        let mut nodes = 0u64;
        for entry in txn.open_table(NODES)?.iter()? {
            let (_, v) = entry?;
            let _: NodeRecord = decode(v.value())?;
            nodes += 1;
        }
        let mut count = |n: u64| {
            if n != nodes {
                problems += 1;
            }
        };
        count(txn.open_table(IDS)?.iter()?.try_fold(0u64, |n, e| e.map(|_| n + 1))?);
        count(txn.open_table(BY_NAME)?.iter()?.try_fold(0u64, |n, e| e.map(|_| n + 1))?);
        count(txn.open_table(BY_PARENT)?.iter()?.try_fold(0u64, |n, e| e.map(|_| n + 1))?);
        count(txn.open_table(PATHS)?.iter()?.try_fold(0u64, |n, e| e.map(|_| n + 1))?);
        for entry in txn.open_table(NAMES)?.iter()? {
            entry?;
        }
        for entry in txn.open_table(CELLS)?.iter()? {
            let (_, v) = entry?;
            let _ = Cell::from_bytes(v.value());
        }
        Ok(CheckView { nodes, problems })
    }
}
