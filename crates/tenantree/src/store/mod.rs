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
//! | `by_name` | parent, folded name, NUL, child | [`NameEntry`]: id, kind, status, name | sibling uniqueness, name-sorted listing in one range scan |
//! | `by_parent` | parent, child: 16 fixed bytes | `()` | creation-ordered listing, emptiness |
//! | `paths` | kind, ancestors…, node | `()` | descendants of a kind: one range scan |
//! | `names` | group, NUL, folded name | `u64` | store-wide name uniqueness |
//! | `billing` | scope node, billing id | `u64` | billing-id uniqueness |
//! | `cells` | (`u64`, `u16`) | [`Cell`], 40 bytes | per-subtree counts, usage and limit bounds |
//! | `cell_log` | `u64` | cells changed by a transaction ([`log`]) | recent changes of `cells`, folded into it in batches |
//!
//! Sequence numbers start at 1; 0 stands for "no parent" in keys.

pub(crate) mod image;
pub(crate) mod keys;
pub(crate) mod log;
mod migrate;
pub(crate) mod records;

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use redb::{ReadableDatabase, ReadableTable, TableDefinition};

use crate::error::{Error, Result};
use crate::schema::{RollupKey, Schema};
use keys::SLOT_BYTES;
use log::{CELL_LOG, LOG_MAX_CELLS, LOG_MAX_ROWS, LogCache, LogCell, Overlay};
pub(crate) use records::{
    AccountRecord, CELL_BYTES, Cell, EventRecord, MessageRecord, NameEntry, NameEntryRef, NodeRecord, ProfileRec,
    RoleRecord, StatusRec, TokenRecord, decode, encode, encode_in,
};
pub(crate) use records::{
    BalanceRecord, CallerIdRec, DayRec, E164Rec, HeadersRecord, HolidayRecord, HookRec, LedgerRecord, SettingsRecord,
    VoicemailRecord,
};

/// The layout version of everything this crate stores. Bump on any change to a record or key,
/// and add the upgrade from the previous one to [`migrate`].
///
/// 2: a node's own allocations live in its roll-up cells, not in its record.
/// 3: the roll-up cells are stored at a fixed width in the table `cells` (was `rollups`,
/// postcard-encoded).
/// 4: `by_name` entries carry a [`NameEntry`] (a page of children by name reads no record), and
/// `by_parent` keys are 16 fixed bytes (were `var()`-encoded).
/// 5: recent changes of `cells` are logged in `cell_log` ([`log`]); a reader of format 4 would
/// not see them.
/// 6: `by_name` keys end with the child's kind, and its sequence number moved into the entry:
/// the key is the sibling rule, claimed by a create's insert ([`keys::by_name`]).
pub(crate) const FORMAT_VERSION: u32 = 6;
const FORMAT_MAGIC: &str = "tenantree";

pub(crate) const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
pub(crate) const NODES: TableDefinition<u64, &[u8]> = TableDefinition::new("nodes");
pub(crate) const IDS: TableDefinition<u128, u64> = TableDefinition::new("ids");
pub(crate) const BY_NAME: TableDefinition<&[u8], &[u8]> = TableDefinition::new("by_name");
pub(crate) const BY_PARENT: TableDefinition<&[u8; SLOT_BYTES], ()> = TableDefinition::new("by_parent");
/// `by_name` and `by_parent` of formats 1 to 3, key-only (read by [`migrate`] only).
pub(crate) const BY_NAME_V3: TableDefinition<&[u8], ()> = TableDefinition::new("by_name");
pub(crate) const BY_PARENT_V3: TableDefinition<&[u8], ()> = TableDefinition::new("by_parent");
pub(crate) const PATHS: TableDefinition<&[u8], ()> = TableDefinition::new("paths");
pub(crate) const NAMES: TableDefinition<&[u8], u64> = TableDefinition::new("names");
pub(crate) const BILLING: TableDefinition<&[u8], u64> = TableDefinition::new("billing");
pub(crate) const CELLS: TableDefinition<(u64, u16), &[u8; CELL_BYTES]> = TableDefinition::new("cells");
/// The roll-up cells of formats 1 and 2, postcard-encoded (read by [`migrate`] only).
pub(crate) const ROLLUPS_V2: TableDefinition<(u64, u16), &[u8]> = TableDefinition::new("rollups");

/// Tables with byte keys and byte values, for everything that hangs on nodes and accounts.
/// Their records are encoded by the engine; the store only moves bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Blob {
    /// `account id (u64 BE)` → account record.
    Accounts,
    /// `folded username` → account id (u64 BE).
    Usernames,
    /// `var(node) ‖ var(account)` → empty: the accounts bound to a node.
    AccountsByNode,
    /// `SHA-256 of the token` → token record.
    Tokens,
    /// `var(account) ‖ var(token id)` → empty: an account's tokens.
    TokensByAccount,
    /// `SHA-256 of the secret` → token id (u64 BE): finds a token from its secret.
    TokenHashes,
    /// `role name` → custom role record.
    Roles,
    /// `var(node)` → password policy.
    Policies,
    /// `message id (u64 BE)` → outbox message.
    Outbox,
    /// `event id (u64 BE)` → change-feed event.
    Events,
    /// `var(node) ‖ namespace ‖ NUL ‖ key` → JSON text: configuration properties.
    Props,
    /// `var(node) ‖ start (i64 BE, sign bit flipped)` → markup percent.
    Markups,
    /// `var(node)` → a tenant's settings record (004).
    TenantSettings,
    /// `folded SIP domain` → node seq (u64 BE): store-wide unique SIP domains.
    SipDomains,
    /// `var(node) ‖ var(holiday id)` → holiday record.
    Holidays,
    /// `var(node)` → balance record: the ledger's running total.
    Balances,
    /// `var(node) ‖ var(entry id)` → ledger entry.
    Ledger,
    /// `var(node)` → custom SIP headers.
    SipHeaders,
    /// `var(node)` → voicemail settings.
    Voicemail,
}

impl Blob {
    pub(crate) const ALL: [Blob; 19] = [
        Blob::Accounts,
        Blob::Usernames,
        Blob::AccountsByNode,
        Blob::Tokens,
        Blob::TokensByAccount,
        Blob::TokenHashes,
        Blob::Roles,
        Blob::Policies,
        Blob::Outbox,
        Blob::Events,
        Blob::Props,
        Blob::Markups,
        Blob::TenantSettings,
        Blob::SipDomains,
        Blob::Holidays,
        Blob::Balances,
        Blob::Ledger,
        Blob::SipHeaders,
        Blob::Voicemail,
    ];

    fn def(self) -> TableDefinition<'static, &'static [u8], &'static [u8]> {
        TableDefinition::new(match self {
            Blob::Accounts => "accounts",
            Blob::Usernames => "usernames",
            Blob::AccountsByNode => "accounts_by_node",
            Blob::Tokens => "tokens",
            Blob::TokensByAccount => "tokens_by_account",
            Blob::TokenHashes => "token_hashes",
            Blob::Roles => "roles",
            Blob::Policies => "policies",
            Blob::Outbox => "outbox",
            Blob::Events => "events",
            Blob::Props => "props",
            Blob::Markups => "markups",
            Blob::TenantSettings => "tenant_settings",
            Blob::SipDomains => "sip_domains",
            Blob::Holidays => "holidays",
            Blob::Balances => "balances",
            Blob::Ledger => "ledger",
            Blob::SipHeaders => "sip_headers",
            Blob::Voicemail => "voicemail",
        })
    }

    fn index(self) -> usize {
        self as usize
    }
}

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

/// Whether commits wait for the disk. In JSON: `"immediate"` or `"bulk"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
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
    /// The last read transaction, kept for the next read while nothing has committed since it
    /// began: its snapshot is then exactly the state a new one would see, and reusing it spares
    /// redb's begin and the opening of every table (a third of a small read in wasm). Dropped
    /// at every commit, so that it never keeps an old snapshot's pages from being reused.
    /// (Declared before `db`, so that it is dropped first.)
    idle: std::sync::Mutex<Option<ReadView>>,
    db: redb::Database,
    /// Where the database's bytes can be read back for an image.
    source: Source,
    /// Records and cells as last committed, handed from one write transaction to the next and
    /// to read transactions that begin at the same commit.
    shared: Arc<std::sync::Mutex<Shared>>,
    /// The decoded log of cells for readers that cannot use `shared` (see [`log`]).
    log_cache: Arc<LogCache>,
}

/// What one write transaction leaves to the next: node records, roll-up cells and resolved ids
/// exactly as committed. Write transactions run one at a time, and everything they store goes
/// through [`WriteView`], which drops an entry here before it writes that node, cell or id and
/// adds what it read or wrote only after its commit succeeded ([`Pending::apply`]): an entry is
/// therefore always the committed value. A cell the log holds is the exception: its shared copy
/// may be older than the log's value, which every reader and writer looks up first, and goes
/// when a fold takes the cell out of the log. A write transaction holds the lock from its start to its
/// publication, so nobody sees the cache between the two.
///
/// A bulk load or a batch of allocations then finds the dealers above its nodes, and their
/// cells, without reading or decoding them again in every transaction. Read transactions use
/// it too, and add the ancestors they load, but only while `generation` is the one they began
/// at: a reader's snapshot is the state of that commit, and a later commit makes the cache
/// newer than the snapshot.
#[derive(Default)]
pub(crate) struct Shared {
    nodes: SeqMap<Arc<NodeRecord>>,
    cells: SeqMap<Few<(RollupKey, Cell)>>,
    cell_count: usize,
    /// Ids and their sequence numbers as committed, resolved by write transactions: the next
    /// operation on a node a transaction just touched (the release after an allocation, an
    /// update after a read) finds its node without a descent of `ids`. Write transactions only:
    /// an entry goes when its node's id is removed, before the removal, and ids never change
    /// otherwise.
    ids: IdMap,
    /// The log of cells as committed, decoded ([`log`]); `None` until a write transaction
    /// has read it, and while one holds it. Unlike the other entries it is complete, not a
    /// cache of some rows: a cell it does not hold is as `cells` stores it.
    log: Option<Overlay>,
    /// The last write transaction's caches, emptied, for the next one: a batch of allocations
    /// then fills tables already of its size instead of growing new ones step by step.
    spare_nodes: SeqMap<Arc<NodeRecord>>,
    spare_cells: SeqMap<Few<CachedCell>>,
    /// Counts publications and resets: a reader's entries are valid while it is unchanged.
    generation: u64,
}

impl Shared {
    /// The committed cell, when the cache holds it (a node's list holds only the keys read or
    /// written, so an absent key says nothing of the stored row).
    fn cell(&self, seq: u64, key: RollupKey) -> Option<Cell> {
        self.cells.get(&seq)?.iter().find(|(k, _)| *k == key).map(|(_, c)| *c)
    }

    /// Keeps a committed cell, replacing the one held for the same node and key.
    fn put_cell(&mut self, seq: u64, key: RollupKey, cell: Cell) {
        let slot = self.cells.entry(seq).or_default();
        match slot.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = cell,
            None => {
                slot.push((key, cell));
                self.cell_count += 1;
            }
        }
    }

    /// Empties the cache and starts a new generation, so that no reader trusts it any more.
    fn reset(&mut self) {
        let generation = self.generation.wrapping_add(1);
        *self = Shared { generation, ..Shared::default() };
    }
}

/// What a write transaction read and wrote, to publish after its commit.
pub(crate) struct Publish {
    nodes: Vec<(u64, Arc<NodeRecord>)>,
    cells: Vec<(u64, RollupKey, Cell)>,
    ids: Vec<(u128, u64)>,
    /// The log as this transaction leaves it.
    log: Overlay,
}

/// A [`Publish`] with the shared cache's lock, held from the start of the write transaction
/// until the publication: released in between, it would let the next writer commit and publish
/// first, and these older values would then overwrite its newer ones, or let a reader add
/// records of the old state after this commit. Dropped without [`Pending::apply`] (the commit
/// failed), it empties the cache: what a failed commit left behind is not known.
pub(crate) struct Pending<'d> {
    publish: Option<Publish>,
    shared: std::sync::MutexGuard<'d, Shared>,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if self.publish.is_some() {
            self.shared.reset();
        }
    }
}

const MAX_SHARED_NODES: usize = 16 * 1024;
const MAX_SHARED_CELLS: usize = 64 * 1024;
const MAX_SHARED_IDS: usize = 16 * 1024;
/// Caches of more entries than this are not kept for the next transaction.
const MAX_SPARE: usize = 4096;

/// Where an image of the database is read from.
enum Source {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    File(std::path::PathBuf),
    Backend(Arc<dyn redb::StorageBackend>),
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db").finish_non_exhaustive()
    }
}

/// Where the database lives.
pub(crate) enum Location {
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    File(std::path::PathBuf),
    Memory,
    /// A file image in memory (see [`image`]).
    Image(Vec<u8>),
    Backend(Arc<dyn redb::StorageBackend>),
}

/// Maps an error of opening: a file that is no redb database at all (redb reports it as an
/// I/O error of kind `InvalidData`, or as corrupted) is INCOMPATIBLE_FORMAT, not STORAGE.
pub(crate) fn map_open_error(err: redb::DatabaseError) -> Error {
    match err {
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(what)) => {
            Error::IncompatibleFormat { found: format!("not a redb database ({what})"), supported: supported() }
        }
        // Opening reads what the header promises; a file or image that ends early is truncated.
        redb::DatabaseError::Storage(redb::StorageError::Io(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            Error::IncompatibleFormat { found: format!("a truncated database ({e})"), supported: supported() }
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(io)) if io.kind() == std::io::ErrorKind::InvalidData => {
            Error::IncompatibleFormat { found: format!("not a redb database ({io})"), supported: supported() }
        }
        other => Error::from(other),
    }
}

fn supported() -> String {
    format!("{FORMAT_MAGIC} formats 1 to {FORMAT_VERSION}")
}

impl Db {
    /// Opens or creates the database and makes sure it holds a tenantree store with a schema.
    /// Returns the database and the stored schema.
    pub(crate) fn open(location: Location, cache_size: usize, schema: Option<&Schema>) -> Result<(Db, Schema)> {
        let mut builder = redb::Builder::new();
        builder.set_cache_size(cache_size);
        let on_backend = |backend: Arc<dyn redb::StorageBackend>| -> Result<(redb::Database, Source)> {
            let db = builder.create_with_backend(image::SharedBackend(Arc::clone(&backend))).map_err(map_open_error)?;
            Ok((db, Source::Backend(backend)))
        };
        let (db, source) = match location {
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Location::File(path) => (builder.create(&path).map_err(map_open_error)?, Source::File(path)),
            // In memory, the bytes sit in an image buffer, so that they can be exported.
            Location::Memory => on_backend(Arc::new(image::ImageBackend::default()))?,
            Location::Image(bytes) => {
                image::precheck(&bytes)?;
                on_backend(Arc::new(image::ImageBackend::new(bytes)))?
            }
            Location::Backend(backend) => on_backend(backend)?,
        };
        let db = Db {
            idle: std::sync::Mutex::new(None),
            db,
            source,
            shared: Arc::new(std::sync::Mutex::new(Shared::default())),
            log_cache: Arc::new(LogCache::default()),
        };
        let schema = db.init(schema)?;
        Ok((db, schema))
    }

    fn init(&self, wanted: Option<&Schema>) -> Result<Schema> {
        let txn = self.db.begin_write()?;
        let existing_tables = txn.list_tables()?.count();
        let (stored, version) = {
            let meta = txn.open_table(META)?;
            let format = meta.get("format")?.map(|v| v.value().to_vec());
            match format {
                Some(bytes) => {
                    let (magic, version): (String, u32) = decode(&bytes).map_err(|_| Error::IncompatibleFormat {
                        found: "unreadable format marker".to_owned(),
                        supported: supported(),
                    })?;
                    if magic != FORMAT_MAGIC || version == 0 || version > FORMAT_VERSION {
                        return Err(Error::IncompatibleFormat {
                            found: format!("{magic} format {version}"),
                            supported: supported(),
                        });
                    }
                    let schema_bytes = meta
                        .get("schema")?
                        .map(|v| v.value().to_vec())
                        .ok_or_else(|| Error::corrupted("the stored schema is missing"))?;
                    (Some(decode_schema(&schema_bytes)?), version)
                }
                None if existing_tables > 0 => {
                    return Err(Error::IncompatibleFormat {
                        found: "a redb database that is not a tenantree store".to_owned(),
                        supported: supported(),
                    });
                }
                None => (None, FORMAT_VERSION),
            }
        };
        // Older formats are upgraded in this transaction, one step at a time; a failure
        // leaves the file as it was.
        if version < FORMAT_VERSION {
            for from in version..FORMAT_VERSION {
                migrate::upgrade(&txn, from)?;
            }
            txn.open_table(META)?.insert("format", encode(&(FORMAT_MAGIC, FORMAT_VERSION))?.as_slice())?;
        }
        let schema = match (stored, wanted) {
            // A schema that only lets kinds hang in more places replaces the stored one: every
            // node stored under the old rules keeps to the new ones.
            (Some(stored), Some(wanted)) if &stored != wanted && wanted.admits(&stored) => {
                txn.open_table(META)?.insert("schema", encode_schema(wanted)?.as_slice())?;
                create_tables(&txn)?;
                txn.commit()?;
                return Ok(wanted.clone());
            }
            (Some(stored), Some(wanted)) if &stored != wanted => {
                return Err(Error::SchemaMismatch {
                    reason: format!(
                        "the store was created with schema {:?}, not the one given ({:?})",
                        stored.name, wanted.name
                    ),
                });
            }
            (Some(stored), _) => {
                // Tables added by later versions of this format are created on open.
                create_tables(&txn)?;
                txn.commit()?;
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
        }
        create_tables(&txn)?;
        txn.commit()?;
        Ok(schema)
    }

    /// The largest node id stored, if any.
    pub(crate) fn max_id(&self) -> Result<Option<u128>> {
        let txn = self.db.begin_read()?;
        let ids = txn.open_table(IDS)?;
        Ok(ids.last()?.map(|(k, _)| k.value()))
    }

    /// Begins a read transaction. Under the shared cache's lock no writer is between its start
    /// and its publication, so the snapshot is the state of the cache's generation; when a
    /// writer holds the lock, the reader goes without the cache.
    pub(crate) fn begin_read(&self) -> Result<ReadView> {
        let Ok(shared) = self.shared.try_lock() else {
            return Ok(ReadView::new(self.db.begin_read()?, None, &self.log_cache));
        };
        let idle = self.idle.try_lock().ok().and_then(|mut slot| slot.take());
        if let Some(view) = idle
            && view.generation() == Some(shared.generation)
        {
            return Ok(view);
        }
        let txn = self.db.begin_read()?;
        let generation = shared.generation;
        drop(shared);
        Ok(ReadView::new(txn, Some(SharedRef { cache: Arc::clone(&self.shared), generation }), &self.log_cache))
    }

    pub(crate) fn begin_write(&self, durability: Durability) -> Result<redb::WriteTransaction> {
        let mut txn = self.db.begin_write()?;
        if durability == Durability::Bulk {
            txn.set_durability(redb::Durability::None)?;
        }
        Ok(txn)
    }

    /// Takes back a read transaction that has ended, to begin the next read with
    /// ([`Db::begin_read`]) if nothing commits in between.
    pub(crate) fn end_read(&self, view: ReadView) {
        let Ok(shared) = self.shared.try_lock() else { return };
        if view.generation() != Some(shared.generation) {
            return;
        }
        if let Ok(mut slot) = self.idle.try_lock()
            && slot.is_none()
        {
            *slot = Some(view);
        }
    }

    /// Drops the kept read transaction (after a commit, before compacting or checking pages).
    pub(crate) fn release_idle(&self) {
        let idle = match self.idle.lock() {
            Ok(mut slot) => slot.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        drop(idle);
    }

    /// A view of a write transaction, with the shared cache of committed records, whose lock
    /// (from [`Db::lock_shared`]) the caller holds until [`Pending::apply`].
    ///
    /// # Errors
    ///
    /// `STORAGE` or `CORRUPTED` when the log of cells cannot be read.
    pub(crate) fn write_view<'t>(
        &self,
        txn: &'t redb::WriteTransaction,
        shared: &'t mut Shared,
    ) -> Result<WriteView<'t>> {
        WriteView::new(txn, shared)
    }

    /// Takes the shared cache's lock for a write transaction. A panic during an earlier
    /// transaction poisons the lock; the cache may then be half updated, so it starts over.
    pub(crate) fn lock_shared(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|poisoned| {
            let mut shared = poisoned.into_inner();
            shared.reset();
            // Emptied, the cache is sound again: readers (who only `try_lock`, and take a
            // poisoned lock as a busy one) may use it again.
            self.shared.clear_poison();
            shared
        })
    }
}

impl<'d> Pending<'d> {
    /// What to publish once the transaction commits, with the lock taken at its start; call
    /// the commit while holding it.
    pub(crate) fn new(publish: Publish, shared: std::sync::MutexGuard<'d, Shared>) -> Pending<'d> {
        Pending { publish: Some(publish), shared }
    }

    /// Hands what a committed transaction read and wrote to the next one, and starts a new
    /// generation: readers that began before this commit no longer use the cache.
    pub(crate) fn apply(mut self) {
        let Some(publish) = self.publish.take() else { return };
        let shared = &mut *self.shared;
        shared.generation = shared.generation.wrapping_add(1);
        if shared.nodes.len() + publish.nodes.len() > MAX_SHARED_NODES {
            shared.nodes.clear();
        }
        for (seq, rec) in publish.nodes.into_iter().take(MAX_SHARED_NODES) {
            shared.nodes.insert(seq, rec);
        }
        let incoming = publish.cells.len();
        if shared.cell_count + incoming > MAX_SHARED_CELLS {
            shared.cells.clear();
            shared.cell_count = 0;
        }
        for (seq, key, cell) in publish.cells {
            if shared.cell_count >= MAX_SHARED_CELLS {
                break;
            }
            shared.put_cell(seq, key, cell);
        }
        if shared.ids.len() + publish.ids.len() > MAX_SHARED_IDS {
            shared.ids.clear();
        }
        shared.ids.extend(publish.ids.into_iter().take(MAX_SHARED_IDS));
        shared.log = Some(publish.log);
    }
}

impl Db {
    /// Makes every earlier commit durable with an empty immediate commit.
    pub(crate) fn flush(&self) -> Result<()> {
        let txn = self.db.begin_write()?;
        txn.commit()?;
        Ok(())
    }

    /// Reclaims free space at the end of the file.
    pub(crate) fn compact(&mut self) -> Result<bool> {
        self.release_idle();
        Ok(self.db.compact()?)
    }

    /// The database's bytes: redb's file image. The caller holds the store exclusively, so no
    /// transaction is running, and has flushed, so the image holds the last commit.
    pub(crate) fn image(&self) -> Result<Vec<u8>> {
        match &self.source {
            #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
            Source::File(path) => std::fs::read(path).map_err(|e| Error::Storage {
                message: format!("the image cannot be read from {}: {e}", path.display()),
            }),
            Source::Backend(backend) => image::read_all(backend.as_ref()),
        }
    }

    /// redb's own check of its page structure and checksums.
    pub(crate) fn check_pages(&mut self) -> Result<bool> {
        self.release_idle();
        let clean = self.db.check_integrity();
        // A check that finds damage rolls the database back to an earlier commit (redb repairs
        // from its other copy, or drops an unflushed commit): the cache may then hold records
        // of commits that are gone.
        self.lock_shared().reset();
        // A repair may drop commits, and the next ones reuse their keys in `cell_log`.
        self.log_cache.clear();
        Ok(clean?)
    }
}

/// Creates every table that does not exist yet, so that read transactions never meet a
/// missing one.
fn create_tables(txn: &redb::WriteTransaction) -> Result<()> {
    txn.open_table(META)?;
    txn.open_table(NODES)?;
    txn.open_table(IDS)?;
    txn.open_table(BY_NAME)?;
    txn.open_table(BY_PARENT)?;
    txn.open_table(PATHS)?;
    txn.open_table(NAMES)?;
    txn.open_table(BILLING)?;
    txn.open_table(CELLS)?;
    txn.open_table(CELL_LOG)?;
    for blob in Blob::ALL {
        txn.open_table(blob.def())?;
    }
    Ok(())
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

/// Whether a scan goes on after a row.
pub(crate) type Flow = std::ops::ControlFlow<()>;

/// What a scan calls with each (key, value) row.
pub(crate) type Visit<'a> = &'a mut dyn FnMut(&[u8], &[u8]) -> Result<Flow>;

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

    /// Every key.
    pub(crate) fn all() -> KeyRange {
        KeyRange { lo: Bound::Unbounded, hi: Bound::Unbounded }
    }

    fn bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (self.lo.as_ref().map(Vec::as_slice), self.hi.as_ref().map(Vec::as_slice))
    }
}

/// Reads shared by read and write transactions.
pub(crate) trait View {
    fn node(&self, seq: u64) -> Result<Option<NodeRecord>>;
    /// The node's record, shared: a write transaction hands out its cached copy.
    fn node_rc(&self, seq: u64) -> Result<Option<Arc<NodeRecord>>> {
        Ok(self.node(seq)?.map(Arc::new))
    }
    /// As [`View::node_rc`], for a node loaded as an ancestor of another: a read transaction
    /// shares those with later transactions.
    fn ancestor_rc(&self, seq: u64) -> Result<Option<Arc<NodeRecord>>> {
        self.node_rc(seq)
    }
    fn seq_of(&self, id: [u8; 16]) -> Result<Option<u64>>;
    fn cell(&self, seq: u64, key: RollupKey) -> Result<Cell>;
    /// Every non-zero roll-up of a node, by key.
    fn cells(&self, seq: u64) -> Result<Vec<(RollupKey, Cell)>>;
    fn keys(&self, index: Index, range: KeyRange, reverse: bool) -> Result<Keys<'_>>;
    /// Calls `f` with every `by_name` key of `range` and its encoded [`NameEntry`], in order,
    /// until it breaks.
    fn name_entries(&self, range: KeyRange, reverse: bool, f: impl FnMut(&[u8], &[u8]) -> Result<Flow>) -> Result<()>;
    /// The encoded [`NameEntry`] at one `by_name` key.
    fn name_entry(&self, key: &[u8]) -> Result<Option<Vec<u8>>>;
    fn lookup(&self, table: Lookup, key: &[u8]) -> Result<Option<u64>>;
    /// Every node, in sequence order.
    fn all_nodes(&self) -> Result<Rows<'_, (u64, NodeRecord)>>;
    /// Every stored roll-up (write views flush their cache first).
    fn all_cells(&self) -> Result<Rows<'_, ((u64, RollupKey), Cell)>>;
    fn all_lookups(&self, table: Lookup) -> Result<Rows<'_, (Vec<u8>, u64)>>;
    fn all_ids(&self) -> Result<Rows<'_, ([u8; 16], u64)>>;
    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>>;
    fn blob(&self, table: Blob, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// Calls `f` with every row of `range`, in order, until it breaks.
    fn scan(&self, table: Blob, range: KeyRange, reverse: bool, f: Visit<'_>) -> Result<()>;
}

type Guard<'a, T> = redb::AccessGuard<'a, T>;
type RangeItem<'a, K, V> = std::result::Result<(Guard<'a, K>, Guard<'a, V>), redb::StorageError>;

fn get_node<T: ReadableTable<u64, &'static [u8]>>(t: &T, seq: u64) -> Result<Option<NodeRecord>> {
    match t.get(seq)? {
        Some(v) => Ok(Some(decode(v.value())?)),
        None => Ok(None),
    }
}

type CellValue = &'static [u8; CELL_BYTES];

fn get_cell<T: ReadableTable<(u64, u16), CellValue>>(t: &T, seq: u64, key: RollupKey) -> Result<Cell> {
    Ok(t.get((seq, key))?.map_or_else(Cell::default, |v| Cell::from_bytes(v.value())))
}

/// A node's stored cells with newer values over them (the log's, a transaction's), by key,
/// without zeros.
fn overlay_cells(
    stored: Vec<(RollupKey, Cell)>,
    newer: impl Iterator<Item = (RollupKey, Cell)>,
) -> Vec<(RollupKey, Cell)> {
    let mut merged: BTreeMap<RollupKey, Cell> = stored.into_iter().collect();
    merged.extend(newer);
    merged.into_iter().filter(|(_, c)| !c.is_zero()).collect()
}

fn get_cells<T: ReadableTable<(u64, u16), CellValue>>(t: &T, seq: u64) -> Result<Vec<(RollupKey, Cell)>> {
    let mut out = Vec::new();
    for entry in t.range((seq, 0u16)..=(seq, u16::MAX))? {
        let (k, v) = entry?;
        out.push((k.value().1, Cell::from_bytes(v.value())));
    }
    Ok(out)
}

/// The key type of `by_parent`.
type SlotKey = &'static [u8; SLOT_BYTES];

fn scan_keys<'a, V: redb::Value + 'static, T: ReadableTable<&'static [u8], V>>(
    t: &'a T,
    range: KeyRange,
    reverse: bool,
) -> Result<Keys<'a>> {
    let iter = t.range::<&[u8]>(range.bounds())?;
    let map = |r: RangeItem<'_, &'static [u8], V>| r.map(|(k, _)| k.value().to_vec()).map_err(Error::from);
    if reverse { Ok(Box::new(iter.rev().map(map))) } else { Ok(Box::new(iter.map(map))) }
}

/// [`scan_keys`] over the fixed-width `by_parent`, for the same byte-string bounds.
fn scan_slots<'a, T: ReadableTable<SlotKey, ()>>(t: &'a T, range: KeyRange, reverse: bool) -> Result<Keys<'a>> {
    let (lo, hi) = range.bounds();
    let (lo, hi) = keys::slot_bounds(lo, hi);
    let iter = t.range::<&[u8; SLOT_BYTES]>((lo.as_ref(), hi.as_ref()))?;
    let map = |r: RangeItem<'_, SlotKey, ()>| r.map(|(k, _)| k.value().to_vec()).map_err(Error::from);
    if reverse { Ok(Box::new(iter.rev().map(map))) } else { Ok(Box::new(iter.map(map))) }
}

fn scan_rows<T: ReadableTable<&'static [u8], &'static [u8]>>(
    t: &T,
    range: KeyRange,
    reverse: bool,
    mut f: impl FnMut(&[u8], &[u8]) -> Result<Flow>,
) -> Result<()> {
    let iter = t.range::<&[u8]>(range.bounds())?;
    let mut visit = |r: RangeItem<'_, &'static [u8], &'static [u8]>| -> Result<Flow> {
        let (k, v) = r?;
        f(k.value(), v.value())
    };
    if reverse {
        for r in iter.rev() {
            if visit(r)?.is_break() {
                break;
            }
        }
    } else {
        for r in iter {
            if visit(r)?.is_break() {
                break;
            }
        }
    }
    Ok(())
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

fn iter_cells<T: ReadableTable<(u64, u16), CellValue>>(t: &T) -> Result<Rows<'_, ((u64, RollupKey), Cell)>> {
    Ok(Box::new(t.iter()?.map(|r| {
        let (k, v) = r?;
        Ok((k.value(), Cell::from_bytes(v.value())))
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

/// The sequence number of `id` through a one-entry memo: a bulk load resolves the same parent
/// for every child, a get and then its quotas the same node.
fn memo_seq(
    memo: &std::cell::Cell<Option<([u8; 16], u64)>>,
    id: [u8; 16],
    load: impl FnOnce() -> Result<Option<u64>>,
) -> Result<Option<u64>> {
    if let Some((last, seq)) = memo.get()
        && last == id
    {
        return Ok(Some(seq));
    }
    let seq = load()?;
    if let Some(seq) = seq {
        memo.set(Some((id, seq)));
    }
    Ok(seq)
}

/// A record from `cache`, or `load`ed and kept there (the cache starts over when it holds
/// `max` records).
fn cached_node(
    cache: &std::cell::RefCell<SeqMap<Arc<NodeRecord>>>,
    max: usize,
    seq: u64,
    load: impl FnOnce() -> Result<Option<Arc<NodeRecord>>>,
) -> Result<Option<Arc<NodeRecord>>> {
    if let Some(r) = cache.borrow().get(&seq) {
        return Ok(Some(Arc::clone(r)));
    }
    let Some(record) = load()? else { return Ok(None) };
    let mut cache = cache.borrow_mut();
    if cache.len() >= max {
        cache.clear();
    }
    cache.insert(seq, Arc::clone(&record));
    Ok(Some(record))
}

/// Opens a table on first use and keeps it for the rest of the transaction: opening costs about
/// half a microsecond per table, which a one-node read would otherwise pay for every table.
macro_rules! lazy {
    ($self:ident . $field:ident, $def:expr) => {{
        if $self.$field.get().is_none() {
            let table = $self.txn.open_table($def)?;
            let _ = $self.$field.set(table);
        }
        $self.$field.get().ok_or_else(|| Error::corrupted("a table could not be kept open"))
    }};
}

macro_rules! lazy_mut {
    ($self:ident . $field:ident, $def:expr) => {{
        if $self.$field.get().is_none() {
            let table = $self.txn.open_table($def)?;
            let _ = $self.$field.set(table);
        }
        $self.$field.get_mut().ok_or_else(|| Error::corrupted("a table could not be kept open"))
    }};
}

/// The [`View`] methods over the three key indexes, the same in read and write views (both
/// hold the tables in fields of the same names, opened on first use).
macro_rules! index_reads {
    () => {
        fn keys(&self, index: Index, range: KeyRange, reverse: bool) -> Result<Keys<'_>> {
            match index {
                Index::ByName => scan_keys(lazy!(self.by_name, BY_NAME)?, range, reverse),
                Index::ByParent => scan_slots(lazy!(self.by_parent, BY_PARENT)?, range, reverse),
                Index::Paths => scan_keys(lazy!(self.paths, PATHS)?, range, reverse),
            }
        }

        fn name_entries(
            &self,
            range: KeyRange,
            reverse: bool,
            f: impl FnMut(&[u8], &[u8]) -> Result<Flow>,
        ) -> Result<()> {
            scan_rows(lazy!(self.by_name, BY_NAME)?, range, reverse, f)
        }

        fn name_entry(&self, key: &[u8]) -> Result<Option<Vec<u8>>> {
            Ok(lazy!(self.by_name, BY_NAME)?.get(key)?.map(|v| v.value().to_vec()))
        }
    };
}

type ReadTable<K, V> = std::cell::OnceCell<redb::ReadOnlyTable<K, V>>;

/// A read transaction; tables open on first use. A consistent snapshot: writes committed after
/// it began are invisible to it.
///
/// Boxed: its tables and caches take about 4.7 KiB, and every read moves the view from the
/// idle slot into its transaction and back, each move a copy of the whole struct (measured in
/// wasm: a get with its quotas 5-7 % faster boxed).
pub(crate) struct ReadView(Box<ReadTables>);

impl std::ops::Deref for ReadView {
    type Target = ReadTables;

    fn deref(&self) -> &ReadTables {
        &self.0
    }
}

/// What a [`ReadView`] holds.
pub(crate) struct ReadTables {
    txn: redb::ReadTransaction,
    meta: ReadTable<&'static str, &'static [u8]>,
    nodes: ReadTable<u64, &'static [u8]>,
    ids: ReadTable<u128, u64>,
    by_name: ReadTable<&'static [u8], &'static [u8]>,
    by_parent: ReadTable<SlotKey, ()>,
    paths: ReadTable<&'static [u8], ()>,
    names: ReadTable<&'static [u8], u64>,
    billing: ReadTable<&'static [u8], u64>,
    cells: ReadTable<(u64, u16), CellValue>,
    cell_log: ReadTable<u64, &'static [u8]>,
    blobs: [ReadTable<&'static [u8], &'static [u8]>; Blob::ALL.len()],
    /// This snapshot's log of cells, decoded when the shared cache could not give it.
    log: std::cell::OnceCell<Arc<Overlay>>,
    log_cache: Arc<LogCache>,
    /// Records read for chains, shared: a request that loads a node's chain twice (a node and
    /// then its quotas) decodes it once. Bounded; a snapshot never goes stale.
    node_cache: std::cell::RefCell<SeqMap<Arc<NodeRecord>>>,
    /// The last id resolved.
    last_resolved: std::cell::Cell<Option<([u8; 16], u64)>>,
    /// The store's cache of committed records, at the generation this snapshot is of; `None`
    /// when a writer held it as the transaction began.
    shared: Option<SharedRef>,
}

/// A reader's handle on [`Shared`]: usable while the cache is at `generation`.
struct SharedRef {
    cache: Arc<std::sync::Mutex<Shared>>,
    generation: u64,
}

impl SharedRef {
    /// Runs `f` on the cache if it is free (never waits: a writer may hold it for a whole
    /// transaction, possibly on this thread) and still of this reader's snapshot.
    fn with<R>(&self, f: impl FnOnce(&mut Shared) -> R) -> Option<R> {
        let mut shared = self.cache.try_lock().ok()?;
        (shared.generation == self.generation).then(|| f(&mut shared))
    }
}

impl ReadView {
    fn new(txn: redb::ReadTransaction, shared: Option<SharedRef>, log_cache: &Arc<LogCache>) -> ReadView {
        ReadView(Box::new(ReadTables {
            txn,
            meta: ReadTable::new(),
            nodes: ReadTable::new(),
            ids: ReadTable::new(),
            by_name: ReadTable::new(),
            by_parent: ReadTable::new(),
            paths: ReadTable::new(),
            names: ReadTable::new(),
            billing: ReadTable::new(),
            cells: ReadTable::new(),
            cell_log: ReadTable::new(),
            blobs: std::array::from_fn(|_| ReadTable::new()),
            log: std::cell::OnceCell::new(),
            log_cache: Arc::clone(log_cache),
            node_cache: std::cell::RefCell::new(SeqMap::default()),
            last_resolved: std::cell::Cell::new(None),
            shared,
        }))
    }

    /// The shared cache's generation this snapshot is of, when it began with one.
    fn generation(&self) -> Option<u64> {
        self.shared.as_ref().map(|s| s.generation)
    }

    /// A record from the shared cache, or the snapshot; an ancestor read from the snapshot is
    /// added to the shared cache (while it has room), so that later readers and writers find
    /// the few dealers above many nodes without reading them again. Leaves are not added: they
    /// are many, and each is seldom read twice.
    fn load_node(&self, seq: u64, share: bool) -> Result<Option<Arc<NodeRecord>>> {
        if let Some(shared) = &self.shared
            && let Some(Some(record)) = shared.with(|s| s.nodes.get(&seq).cloned())
        {
            return Ok(Some(record));
        }
        let record = get_node(lazy!(self.nodes, NODES)?, seq)?.map(Arc::new);
        if share && let (Some(shared), Some(record)) = (&self.shared, &record) {
            shared.with(|s| {
                if s.nodes.len() < MAX_SHARED_NODES {
                    s.nodes.insert(seq, Arc::clone(record));
                }
            });
        }
        Ok(record)
    }

    fn lookup_table(&self, table: Lookup) -> Result<&redb::ReadOnlyTable<&'static [u8], u64>> {
        match table {
            Lookup::Names => lazy!(self.names, NAMES),
            Lookup::Billing => lazy!(self.billing, BILLING),
        }
    }

    /// This snapshot's log of cells, decoded (once per view, and once per log for all views:
    /// [`LogCache`]).
    fn snapshot_log(&self) -> Result<&Overlay> {
        if self.log.get().is_none() {
            let log = self.log_cache.get(lazy!(self.cell_log, CELL_LOG)?)?;
            // While this snapshot is the latest commit, its log is the shared one too (missing
            // after an open or a reset, until a writer reads it).
            if let Some(shared) = &self.shared {
                shared.with(|s| {
                    s.log.get_or_insert_with(|| Overlay::clone(&log));
                });
            }
            let _ = self.log.set(log);
        }
        self.log.get().map(|log| &**log).ok_or_else(|| Error::corrupted("the log of cells could not be kept"))
    }

    /// Runs `f` on the log of this snapshot: the shared decoded copy when this view may use
    /// it, else its own.
    fn with_log<R>(&self, f: impl Fn(&Overlay) -> R) -> Result<R> {
        if let Some(shared) = &self.shared
            && let Some(Some(out)) = shared.with(|s| s.log.as_ref().map(&f))
        {
            return Ok(out);
        }
        Ok(f(self.snapshot_log()?))
    }

    fn blob_table(&self, table: Blob) -> Result<&redb::ReadOnlyTable<&'static [u8], &'static [u8]>> {
        let slot = self.blobs.get(table.index()).ok_or_else(|| Error::corrupted("unknown table"))?;
        if slot.get().is_none() {
            let t = self.txn.open_table(table.def())?;
            let _ = slot.set(t);
        }
        slot.get().ok_or_else(|| Error::corrupted("a table could not be kept open"))
    }
}

impl View for ReadView {
    fn node(&self, seq: u64) -> Result<Option<NodeRecord>> {
        get_node(lazy!(self.nodes, NODES)?, seq)
    }

    fn node_rc(&self, seq: u64) -> Result<Option<Arc<NodeRecord>>> {
        cached_node(&self.node_cache, MAX_READ_CACHED_NODES, seq, || self.load_node(seq, false))
    }

    fn ancestor_rc(&self, seq: u64) -> Result<Option<Arc<NodeRecord>>> {
        cached_node(&self.node_cache, MAX_READ_CACHED_NODES, seq, || self.load_node(seq, true))
    }

    fn seq_of(&self, id: [u8; 16]) -> Result<Option<u64>> {
        memo_seq(&self.last_resolved, id, || Ok(lazy!(self.ids, IDS)?.get(u128::from_be_bytes(id))?.map(|v| v.value())))
    }

    /// From the shared cache when it holds the cell (in the log, or cached); otherwise from
    /// the snapshot, and added to the cache when it holds the node's record (a dealer's: see
    /// [`ReadView::load_node`]).
    fn cell(&self, seq: u64, key: RollupKey) -> Result<Cell> {
        if let Some(shared) = &self.shared {
            // `Some(Some(cell))`: known; `Some(None)`: as `cells` stores it; `None`: the cache
            // cannot say (busy, newer than this snapshot, or without the log).
            let known =
                shared.with(|s| s.log.as_ref().map(|log| log.get(seq, key).or_else(|| s.cell(seq, key)))).flatten();
            match known {
                Some(Some(cell)) => return Ok(cell),
                Some(None) => {
                    let cell = get_cell(lazy!(self.cells, CELLS)?, seq, key)?;
                    shared.with(|s| {
                        if s.cell_count < MAX_SHARED_CELLS && s.nodes.contains_key(&seq) {
                            s.put_cell(seq, key, cell);
                        }
                    });
                    return Ok(cell);
                }
                None => {}
            }
        }
        if let Some(cell) = self.snapshot_log()?.get(seq, key) {
            return Ok(cell);
        }
        get_cell(lazy!(self.cells, CELLS)?, seq, key)
    }

    fn cells(&self, seq: u64) -> Result<Vec<(RollupKey, Cell)>> {
        let logged: Vec<LogCell> = self.with_log(|log| log.node(seq).to_vec())?;
        let stored = get_cells(lazy!(self.cells, CELLS)?, seq)?;
        if logged.is_empty() {
            return Ok(stored);
        }
        Ok(overlay_cells(stored, logged.iter().map(|c| (c.key, c.cell))))
    }

    index_reads!();

    fn lookup(&self, table: Lookup, key: &[u8]) -> Result<Option<u64>> {
        get_lookup(self.lookup_table(table)?, key)
    }

    fn all_nodes(&self) -> Result<Rows<'_, (u64, NodeRecord)>> {
        iter_nodes(lazy!(self.nodes, NODES)?)
    }

    fn all_cells(&self) -> Result<Rows<'_, ((u64, RollupKey), Cell)>> {
        let logged = self.with_log(Overlay::sorted)?;
        Ok(log::merge(iter_cells(lazy!(self.cells, CELLS)?)?, logged))
    }

    fn all_lookups(&self, table: Lookup) -> Result<Rows<'_, (Vec<u8>, u64)>> {
        iter_lookups(self.lookup_table(table)?)
    }

    fn all_ids(&self) -> Result<Rows<'_, ([u8; 16], u64)>> {
        iter_ids(lazy!(self.ids, IDS)?)
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(lazy!(self.meta, META)?.get(key)?.map(|v| v.value().to_vec()))
    }

    fn blob(&self, table: Blob, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.blob_table(table)?.get(key)?.map(|v| v.value().to_vec()))
    }

    fn scan(&self, table: Blob, range: KeyRange, reverse: bool, f: Visit<'_>) -> Result<()> {
        scan_rows(self.blob_table(table)?, range, reverse, f)
    }
}

/// Caches older than this many entries are written out and dropped, so that one large
/// transaction (an import) does not grow memory with the size of the store.
/// (Small in unit tests, so that they reach the write-back of a full cache.)
const MAX_CACHED_CELLS: usize = if cfg!(test) { 64 } else { 64 * 1024 };
const MAX_CACHED_NODES: usize = 16 * 1024;
/// A read transaction keeps fewer: it is often short, and a long scan should not hold records.
const MAX_READ_CACHED_NODES: usize = 1024;

#[derive(Debug, Clone, Copy)]
struct CachedCell {
    key: RollupKey,
    cell: Cell,
    dirty: bool,
    /// The committed value, when this transaction read it before changing it.
    orig: Option<Cell>,
}

/// Hashes a sequence number for the write caches. Sequence numbers are dense counters chosen by
/// the store, not by callers, so a multiplicative hash (Fibonacci hashing) spreads them well and
/// no caller can aim collisions at it; it is several times cheaper than SipHash.
#[derive(Default, Clone, Copy)]
pub(crate) struct SeqHasher(u64);

impl std::hash::Hasher for SeqHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    // Both halves in two rounds, instead of `write`'s sixteen (an id's bytes).
    #[allow(clippy::cast_possible_truncation)] // the low half, on purpose
    fn write_u128(&mut self, n: u128) {
        self.write_u64(n as u64);
        self.write_u64((n >> 64) as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

pub(crate) type SeqMap<V> = HashMap<u64, V, std::hash::BuildHasherDefault<SeqHasher>>;

/// A node's few cells. Most nodes a transaction touches have one (the resource it allocates),
/// held here without a heap allocation of its own: a cell's `u128` makes its lists 16-byte
/// aligned, which wasm's allocator serves on a slow path (a tenth of an allocation's time in
/// wasm went to allocating these lists).
#[derive(Debug, Clone)]
pub(crate) enum Few<T> {
    One(T),
    Many(Vec<T>),
}

impl<T> Default for Few<T> {
    fn default() -> Few<T> {
        Few::Many(Vec::new())
    }
}

impl<T: Copy> Few<T> {
    pub(crate) fn push(&mut self, item: T) {
        match self {
            Few::Many(items) if items.is_empty() => *self = Few::One(item),
            Few::Many(items) => items.push(item),
            Few::One(first) => *self = Few::Many(vec![*first, item]),
        }
    }

    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        match self {
            Few::One(item) => {
                if !keep(item) {
                    *self = Few::default();
                }
            }
            Few::Many(items) => items.retain(|item| keep(item)),
        }
    }
}

impl<T> std::ops::Deref for Few<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        match self {
            Few::One(item) => std::slice::from_ref(item),
            Few::Many(items) => items,
        }
    }
}

impl<T> std::ops::DerefMut for Few<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Few::One(item) => std::slice::from_mut(item),
            Few::Many(items) => items,
        }
    }
}

/// Node ids (their 16 bytes, big-endian) to sequence numbers.
type IdMap = HashMap<u128, u64, std::hash::BuildHasherDefault<SeqHasher>>;

/// The roll-up cells a write transaction has touched: per node, its few keys in a short list, so
/// that a bump is one hash lookup and a node's cells are found together.
#[derive(Default)]
struct CellCache {
    by_node: SeqMap<Few<CachedCell>>,
    len: usize,
    /// How many of the cells are dirty: the write-back sizes its list once.
    dirty: usize,
}

impl CellCache {
    fn get(&self, seq: u64, key: RollupKey) -> Option<Cell> {
        self.by_node.get(&seq)?.iter().find(|c| c.key == key).map(|c| c.cell)
    }

    /// Stores a cell; a clean one (a read) only while there is room. `orig` is the committed
    /// value when known; a cell already cached keeps the one it has.
    fn put(&mut self, seq: u64, key: RollupKey, cell: Cell, dirty: bool, orig: Option<Cell>) {
        if !dirty && self.len >= MAX_CACHED_CELLS {
            return;
        }
        let cells = self.by_node.entry(seq).or_default();
        match cells.iter_mut().find(|c| c.key == key) {
            Some(slot) => {
                slot.cell = cell;
                self.dirty += usize::from(dirty && !slot.dirty);
                slot.dirty |= dirty;
            }
            None => {
                cells.push(CachedCell { key, cell, dirty, orig });
                self.len += 1;
                self.dirty += usize::from(dirty);
            }
        }
    }
}

/// The key after `tip` in `cell_log`.
///
/// # Errors
///
/// `CORRUPTED` past the last key (only a damaged log holds it).
fn next_key(tip: u64) -> Result<u64> {
    tip.checked_add(1).ok_or_else(|| Error::corrupted("the roll-up log's keys are exhausted"))
}

/// Cells as committed, for the shared cache.
type Committed = Vec<(u64, RollupKey, Cell)>;

/// The changed cells of a cache, in no order.
fn dirty_cells(cache: &CellCache) -> Vec<(u64, CachedCell)> {
    let mut out = Vec::with_capacity(cache.dirty);
    if cache.dirty > 0 {
        out.extend(
            cache.by_node.iter().flat_map(|(seq, cells)| cells.iter().filter(|c| c.dirty).map(move |c| (*seq, *c))),
        );
    }
    // Every test of the core checks the count; a wrong one would only size the list wrongly.
    debug_assert_eq!(out.len(), cache.dirty, "the count of dirty cells");
    out
}

type WriteTable<'t, K, V> = std::cell::OnceCell<redb::Table<'t, K, V>>;

/// A write transaction's tables (opened on first use), with two caches that make bulk writes
/// cheap: node records (read-through; a write drops the entry) and roll-up cells (written back
/// at [`WriteView::finish`]). Every read goes through the caches, so a transaction always reads
/// its own writes.
pub(crate) struct WriteView<'t> {
    txn: &'t redb::WriteTransaction,
    /// Locked for the whole transaction; write transactions never run side by side.
    shared: &'t mut Shared,
    meta: WriteTable<'t, &'static str, &'static [u8]>,
    nodes: WriteTable<'t, u64, &'static [u8]>,
    ids: WriteTable<'t, u128, u64>,
    by_name: WriteTable<'t, &'static [u8], &'static [u8]>,
    by_parent: WriteTable<'t, SlotKey, ()>,
    paths: WriteTable<'t, &'static [u8], ()>,
    names: WriteTable<'t, &'static [u8], u64>,
    billing: WriteTable<'t, &'static [u8], u64>,
    cells: WriteTable<'t, (u64, u16), CellValue>,
    cell_log: WriteTable<'t, u64, &'static [u8]>,
    blobs: [WriteTable<'t, &'static [u8], &'static [u8]>; Blob::ALL.len()],
    /// The log of cells as committed, taken from [`Shared`] for the transaction (given back
    /// when it ends without committing: it does not change before [`WriteView::finish`]).
    log: Option<Overlay>,
    /// The log has been folded into `cells` in this transaction: `cells` holds every cell,
    /// and `log` no longer counts.
    folded: bool,
    /// The last key of `cell_log`, this transaction's rows included.
    tip: u64,
    node_cache: std::cell::RefCell<SeqMap<Arc<NodeRecord>>>,
    cell_cache: std::cell::RefCell<CellCache>,
    /// The last id resolved to a sequence number: a bulk load resolves the same parent for
    /// every child.
    last_resolved: std::cell::Cell<Option<([u8; 16], u64)>>,
    /// Ids this transaction resolved from `ids` and did not remove: true once it commits, when
    /// they go to [`Shared::ids`].
    resolved: std::cell::RefCell<Vec<(u128, u64)>>,
    /// The largest id stored, once read: a freshly minted id above it needs no probe.
    max_id: std::cell::Cell<Option<u128>>,
    next_seq: Option<u64>,
    seq_dirty: bool,
    /// Named id counters, read once and written back at [`WriteView::finish`].
    counters: std::collections::BTreeMap<&'static str, u64>,
}

impl<'t> WriteView<'t> {
    fn new(txn: &'t redb::WriteTransaction, shared: &'t mut Shared) -> Result<WriteView<'t>> {
        let cell_log = WriteTable::new();
        let log = match shared.log.take() {
            Some(log) => log,
            None => {
                let table = txn.open_table(CELL_LOG)?;
                let log = Overlay::load(&table)?;
                let _ = cell_log.set(table);
                log
            }
        };
        let spare_nodes = std::mem::take(&mut shared.spare_nodes);
        let spare_cells = std::mem::take(&mut shared.spare_cells);
        Ok(WriteView {
            txn,
            tip: log.tip,
            log: Some(log),
            folded: false,
            cell_log,
            shared,
            meta: WriteTable::new(),
            nodes: WriteTable::new(),
            ids: WriteTable::new(),
            by_name: WriteTable::new(),
            by_parent: WriteTable::new(),
            paths: WriteTable::new(),
            names: WriteTable::new(),
            billing: WriteTable::new(),
            cells: WriteTable::new(),
            blobs: std::array::from_fn(|_| WriteTable::new()),
            node_cache: std::cell::RefCell::new(spare_nodes),
            cell_cache: std::cell::RefCell::new(CellCache { by_node: spare_cells, ..CellCache::default() }),
            last_resolved: std::cell::Cell::new(None),
            resolved: std::cell::RefCell::new(Vec::new()),
            max_id: std::cell::Cell::new(None),
            next_seq: None,
            seq_dirty: false,
            counters: std::collections::BTreeMap::new(),
        })
    }

    /// The log of cells, unless it has been folded into `cells` in this transaction.
    fn live_log(&self) -> Option<&Overlay> {
        if self.folded { None } else { self.log.as_ref() }
    }

    fn lookup_table(&self, table: Lookup) -> Result<&redb::Table<'t, &'static [u8], u64>> {
        match table {
            Lookup::Names => lazy!(self.names, NAMES),
            Lookup::Billing => lazy!(self.billing, BILLING),
        }
    }

    fn lookup_table_mut(&mut self, table: Lookup) -> Result<&mut redb::Table<'t, &'static [u8], u64>> {
        match table {
            Lookup::Names => lazy_mut!(self.names, NAMES),
            Lookup::Billing => lazy_mut!(self.billing, BILLING),
        }
    }

    fn blob_table(&self, table: Blob) -> Result<&redb::Table<'t, &'static [u8], &'static [u8]>> {
        let slot = self.blobs.get(table.index()).ok_or_else(|| Error::corrupted("unknown table"))?;
        if slot.get().is_none() {
            let t = self.txn.open_table(table.def())?;
            let _ = slot.set(t);
        }
        slot.get().ok_or_else(|| Error::corrupted("a table could not be kept open"))
    }

    fn blob_table_mut(&mut self, table: Blob) -> Result<&mut redb::Table<'t, &'static [u8], &'static [u8]>> {
        let txn = self.txn;
        let slot = self.blobs.get_mut(table.index()).ok_or_else(|| Error::corrupted("unknown table"))?;
        if slot.get().is_none() {
            let t = txn.open_table(table.def())?;
            let _ = slot.set(t);
        }
        slot.get_mut().ok_or_else(|| Error::corrupted("a table could not be kept open"))
    }

    /// The sequence number the next [`WriteView::take_seq`] gives.
    pub(crate) fn peek_seq(&mut self) -> Result<u64> {
        match self.next_seq {
            Some(s) => Ok(s),
            None => {
                let seq = self
                    .counter_value("next_seq")?
                    .ok_or_else(|| Error::corrupted("the sequence counter is missing"))?;
                self.next_seq = Some(seq);
                Ok(seq)
            }
        }
    }

    /// Takes the next node sequence number.
    pub(crate) fn take_seq(&mut self) -> Result<u64> {
        let seq = self.peek_seq()?;
        self.next_seq = Some(seq.checked_add(1).ok_or_else(|| Error::corrupted("the sequence counter is exhausted"))?);
        self.seq_dirty = true;
        Ok(seq)
    }

    fn counter_value(&self, name: &str) -> Result<Option<u64>> {
        match self.meta(name)? {
            Some(bytes) => {
                let bytes: [u8; 8] = bytes
                    .as_slice()
                    .try_into()
                    .map_err(|_| Error::corrupted(format!("the counter {name} is malformed")))?;
                Ok(Some(u64::from_le_bytes(bytes)))
            }
            None => Ok(None),
        }
    }

    /// Makes sure a named counter will next hand out at least `at_least` (restored ids).
    pub(crate) fn raise_counter(&mut self, name: &'static str, at_least: u64) -> Result<()> {
        let current = match self.counters.get(name) {
            Some(v) => *v,
            None => self.counter_value(name)?.unwrap_or(1),
        };
        self.counters.insert(name, current.max(at_least));
        Ok(())
    }

    /// Takes the next value of a named counter in `meta` (starting at 1); the counter is
    /// written back at [`WriteView::finish`].
    pub(crate) fn next_counter(&mut self, name: &'static str) -> Result<u64> {
        let value = match self.counters.get(name) {
            Some(v) => *v,
            None => self.counter_value(name)?.unwrap_or(1),
        };
        let next = value.checked_add(1).ok_or_else(|| Error::corrupted(format!("the counter {name} is exhausted")))?;
        self.counters.insert(name, next);
        Ok(value)
    }

    /// Writes a node record. The cached copy is dropped rather than replaced: most records
    /// written are not read again in the transaction (a new leaf, an updated node), and a
    /// copy would cost a clone and memory for each.
    pub(crate) fn put_node(&mut self, seq: u64, record: &NodeRecord) -> Result<()> {
        self.shared.nodes.remove(&seq);
        self.node_cache.get_mut().remove(&seq);
        // Most records fit a stack buffer; only a large profile needs the heap.
        let mut buf = [0u8; 512];
        lazy_mut!(self.nodes, NODES)?.insert(seq, &*encode_in(record, &mut buf)?)?;
        Ok(())
    }

    pub(crate) fn remove_node(&mut self, seq: u64) -> Result<()> {
        self.shared.nodes.remove(&seq);
        self.node_cache.get_mut().remove(&seq);
        lazy_mut!(self.nodes, NODES)?.remove(seq)?;
        Ok(())
    }

    /// A cell not in this transaction's cache: its latest value in the log, the shared
    /// committed copy, or the stored row.
    fn load_cell(&self, seq: u64, key: RollupKey) -> Result<Cell> {
        if let Some(cell) = self.live_log().and_then(|log| log.get(seq, key)) {
            return Ok(cell);
        }
        match self.shared.cell(seq, key) {
            Some(cell) => Ok(cell),
            None => get_cell(lazy!(self.cells, CELLS)?, seq, key),
        }
    }

    pub(crate) fn put_id(&mut self, id: [u8; 16], seq: u64) -> Result<()> {
        let value = u128::from_be_bytes(id);
        lazy_mut!(self.ids, IDS)?.insert(value, seq)?;
        if let Some(max) = self.max_id.get() {
            self.max_id.set(Some(max.max(value)));
        }
        Ok(())
    }

    pub(crate) fn remove_id(&mut self, id: [u8; 16]) -> Result<()> {
        // Before the removal: the shared entry must not outlive the row, even if the
        // transaction fails from here on.
        let key = u128::from_be_bytes(id);
        self.shared.ids.remove(&key);
        self.resolved.get_mut().retain(|(k, _)| *k != key);
        lazy_mut!(self.ids, IDS)?.remove(key)?;
        if self.last_resolved.get().is_some_and(|(last, _)| last == id) {
            self.last_resolved.set(None);
        }
        Ok(())
    }

    /// Whether `id` is above every stored id, so certainly not taken: a freshly minted id (a
    /// UUIDv7, increasing) almost always is, and is then stored without a probe of `ids`. The
    /// largest id is read once per transaction and kept up to date by [`WriteView::put_id`];
    /// a removal can only lower the true maximum, which keeps the answer safe.
    pub(crate) fn above_every_id(&self, id: [u8; 16]) -> Result<bool> {
        let max = match self.max_id.get() {
            Some(max) => max,
            None => {
                let max = lazy!(self.ids, IDS)?.last()?.map_or(0, |(k, _)| k.value());
                self.max_id.set(Some(max));
                max
            }
        };
        Ok(u128::from_be_bytes(id) > max)
    }

    /// Adds a `by_parent` key ([`keys::child_slot`]).
    pub(crate) fn insert_slot(&mut self, key: &[u8; SLOT_BYTES]) -> Result<()> {
        lazy_mut!(self.by_parent, BY_PARENT)?.insert(key, ())?;
        Ok(())
    }

    pub(crate) fn remove_slot(&mut self, key: &[u8; SLOT_BYTES]) -> Result<()> {
        lazy_mut!(self.by_parent, BY_PARENT)?.remove(key)?;
        Ok(())
    }

    /// Adds a `paths` key ([`keys::path_key`]).
    pub(crate) fn insert_path(&mut self, key: &[u8]) -> Result<()> {
        lazy_mut!(self.paths, PATHS)?.insert(key, ())?;
        Ok(())
    }

    pub(crate) fn remove_path(&mut self, key: &[u8]) -> Result<()> {
        lazy_mut!(self.paths, PATHS)?.remove(key)?;
        Ok(())
    }

    /// Writes a `by_name` entry ([`keys::by_name`]) over the one the key had, and returns
    /// whether that was an entry of another node:
    /// keys are shared by a parent's children of one kind and name, so a write that found one
    /// would have overwritten a sibling's (the caller checked the name first; only a damaged
    /// store gets here).
    pub(crate) fn put_name_entry(&mut self, key: &[u8], entry: &NameEntry) -> Result<bool> {
        let mut buf = [0u8; 128];
        let table = lazy_mut!(self.by_name, BY_NAME)?;
        let old = table.insert(key, &*encode_in(entry, &mut buf)?)?;
        Ok(old.is_some_and(|v| NameEntryRef::from_bytes(v.value()).map_or(true, |e| e.seq != entry.seq)))
    }

    /// Writes `entry` at `key` unless the key holds an entry already: then that entry stays
    /// as it was and is returned. One descent of `by_name` where a probe and then an insert
    /// took two: the insert is the probe, undone in the rare case that it found something.
    pub(crate) fn claim_name_entry(&mut self, key: &[u8], entry: &NameEntry) -> Result<Option<Vec<u8>>> {
        let mut buf = [0u8; 128];
        let table = lazy_mut!(self.by_name, BY_NAME)?;
        let old = table.insert(key, &*encode_in(entry, &mut buf)?)?.map(|v| v.value().to_vec());
        if let Some(old) = &old {
            table.insert(key, old.as_slice())?;
        }
        Ok(old)
    }

    pub(crate) fn remove_name_entry(&mut self, key: &[u8]) -> Result<()> {
        lazy_mut!(self.by_name, BY_NAME)?.remove(key)?;
        Ok(())
    }

    pub(crate) fn put_lookup(&mut self, table: Lookup, key: &[u8], seq: u64) -> Result<()> {
        self.lookup_table_mut(table)?.insert(key, seq)?;
        Ok(())
    }

    pub(crate) fn remove_lookup(&mut self, table: Lookup, key: &[u8]) -> Result<()> {
        self.lookup_table_mut(table)?.remove(key)?;
        Ok(())
    }

    pub(crate) fn put_blob(&mut self, table: Blob, key: &[u8], value: &[u8]) -> Result<()> {
        self.blob_table_mut(table)?.insert(key, value)?;
        Ok(())
    }

    /// Removes a row; whether it existed.
    pub(crate) fn remove_blob(&mut self, table: Blob, key: &[u8]) -> Result<bool> {
        Ok(self.blob_table_mut(table)?.remove(key)?.is_some())
    }

    /// Removes every row of `range`; how many there were.
    pub(crate) fn remove_range(&mut self, table: Blob, range: KeyRange) -> Result<u64> {
        let mut doomed: Vec<Vec<u8>> = Vec::new();
        self.scan(table, range, false, &mut |k, _| {
            doomed.push(k.to_vec());
            Ok(Flow::Continue(()))
        })?;
        let t = self.blob_table_mut(table)?;
        for k in &doomed {
            t.remove(k.as_slice())?;
        }
        Ok(doomed.len() as u64)
    }

    /// Replaces a roll-up cell (in the cache; written at [`WriteView::finish`]).
    pub(crate) fn set_cell(&mut self, seq: u64, key: RollupKey, cell: Cell) -> Result<()> {
        self.put_cell(seq, key, cell, None)
    }

    fn put_cell(&mut self, seq: u64, key: RollupKey, cell: Cell, orig: Option<Cell>) -> Result<()> {
        let cache = self.cell_cache.get_mut();
        cache.put(seq, key, cell, true, orig);
        if cache.len >= MAX_CACHED_CELLS {
            let dirty = self.take_dirty();
            // A transaction this large publishes nothing of the log it folded.
            self.fold(dirty)?;
        }
        Ok(())
    }

    /// Changes a roll-up cell in place: one cache lookup when the cell is cached. When `f`
    /// fails the cell is left as it was.
    pub(crate) fn update_cell(
        &mut self,
        seq: u64,
        key: RollupKey,
        f: impl FnOnce(&mut Cell) -> Result<()>,
    ) -> Result<()> {
        let cache = self.cell_cache.get_mut();
        if let Some(slot) = cache.by_node.get_mut(&seq).and_then(|cells| cells.iter_mut().find(|c| c.key == key)) {
            let mut cell = slot.cell;
            f(&mut cell)?;
            slot.cell = cell;
            cache.dirty += usize::from(!slot.dirty);
            slot.dirty = true;
            return Ok(());
        }
        let orig = self.load_cell(seq, key)?;
        let mut cell = orig;
        f(&mut cell)?;
        self.put_cell(seq, key, cell, Some(orig))
    }

    /// Empties the cache of cells and returns the changed ones, in no order.
    fn take_dirty(&mut self) -> Vec<(u64, CachedCell)> {
        dirty_cells(&std::mem::take(self.cell_cache.get_mut()))
    }

    /// Writes the log and `dirty` (newer) into `cells`, each cell once and only where it
    /// differs from its row, and empties the log, leaving its marker row. Returns the log's
    /// cells that this transaction did not change, as committed, for the shared cache.
    fn fold(&mut self, mut dirty: Vec<(u64, CachedCell)>) -> Result<Committed> {
        dirty.sort_unstable_by_key(|(seq, c)| (*seq, c.key));
        let changed = |seq: u64, key: RollupKey| dirty.binary_search_by_key(&(seq, key), |(s, c)| (*s, c.key)).is_ok();
        let log = self.live_log();
        let rows = log.map_or(0, |log| log.rows);
        let mut writes: Vec<((u64, RollupKey), Cell)> = Vec::new();
        let mut kept: Vec<(u64, RollupKey, Cell)> = Vec::new();
        if let Some(log) = log {
            for (seq, c) in log.entries().filter(|(seq, c)| !changed(*seq, c.key)) {
                kept.push((seq, c.key, c.cell));
                if c.stored != Some(c.cell) {
                    writes.push(((seq, c.key), c.cell));
                }
            }
        }
        for (seq, c) in &dirty {
            // What `cells` stores: known from the log when it holds the cell (this
            // transaction read the log's value), else what this transaction read.
            let stored = log.and_then(|log| log.entry(*seq, c.key)).map_or(c.orig, |e| e.stored);
            if stored != Some(c.cell) {
                writes.push(((*seq, c.key), c.cell));
            }
        }
        // In key order: redb's inserts are cheaper when neighbours follow each other.
        writes.sort_unstable_by_key(|(k, _)| *k);
        // The stored cells change now, before the commit, and the log no longer hides the
        // shared copies of its cells (older than the log's, when a cell entered the log after
        // it was shared): the shared copies of this transaction's cells and of the log's go,
        // since the rest of this transaction reads `cells` and the shared cache, not the log.
        let touched = dirty.iter().map(|(seq, c)| (*seq, c.key)).chain(kept.iter().map(|(seq, key, _)| (*seq, *key)));
        for (seq, key) in touched {
            if let Some(cells) = self.shared.cells.get_mut(&seq) {
                let before = cells.len();
                cells.retain(|(k, _)| *k != key);
                self.shared.cell_count -= before - cells.len();
            }
        }
        let table = lazy_mut!(self.cells, CELLS)?;
        for ((seq, key), cell) in writes {
            if cell.is_zero() {
                table.remove((seq, key))?;
            } else {
                table.insert((seq, key), &cell.to_bytes())?;
            }
        }
        if rows > 0 {
            let table = lazy_mut!(self.cell_log, CELL_LOG)?;
            table.retain(|_, _| false)?;
            self.tip = next_key(self.tip)?;
            table.insert(self.tip, [].as_slice())?;
        }
        self.folded = true;
        Ok(kept)
    }

    /// Appends `dirty` to the log as one row; returns the log after it.
    fn append(&mut self, dirty: &[(u64, CachedCell)], mut log: Overlay) -> Result<Overlay> {
        let row = log::encode_row(dirty.iter().map(|(seq, c)| (*seq, c.key, &c.cell)));
        self.tip = next_key(self.tip)?;
        let tip = self.tip;
        lazy_mut!(self.cell_log, CELL_LOG)?.insert(tip, row.as_slice())?;
        log.rows += 1;
        log.logged += dirty.len();
        log.tip = tip;
        for (seq, c) in dirty {
            // A cell new to the log: `cells` stores what this transaction read (the log is
            // empty for it, so that was the row).
            log.put(*seq, LogCell { key: c.key, cell: c.cell, stored: c.orig });
        }
        Ok(log)
    }

    /// Writes this transaction's changed cells: appended to the log while it has room, else
    /// folded with it into `cells`. Returns the log as the transaction leaves it, and the
    /// cells a fold took from the log (see [`WriteView::fold`]).
    fn settle_cells(&mut self, dirty: Vec<(u64, CachedCell)>) -> Result<(Overlay, Committed)> {
        let log = match (self.log.take(), self.folded) {
            (_, true) => Overlay::empty(self.tip),
            (Some(log), false) => log,
            (None, false) => return Err(Error::corrupted("the log of roll-up cells was lost in a transaction")),
        };
        if dirty.is_empty() {
            return Ok((log, Vec::new()));
        }
        if log.rows + 1 > LOG_MAX_ROWS || log.logged + dirty.len() > LOG_MAX_CELLS {
            self.log = Some(log);
            let kept = self.fold(dirty)?;
            self.log = None;
            return Ok((Overlay::empty(self.tip), kept));
        }
        Ok((self.append(&dirty, log)?, Vec::new()))
    }

    /// Writes the caches out and returns what to publish ([`Db::pending`], then
    /// [`Pending::apply`] once the transaction has committed). Must run before the commit.
    pub(crate) fn finish(mut self) -> Result<Publish> {
        let nodes: Vec<(u64, Arc<NodeRecord>)> = self.node_cache.get_mut().drain().collect();
        let spare_nodes = std::mem::take(self.node_cache.get_mut());
        let cache = std::mem::take(self.cell_cache.get_mut());
        let ids = std::mem::take(self.resolved.get_mut());
        let (log, kept) = self.settle_cells(dirty_cells(&cache))?;
        self.flush_counters()?;
        // The cells the log now holds are found there first; the shared cache keeps the others
        // this transaction read or wrote, and those a fold took out of the log.
        let mut cells: Committed = cache
            .by_node
            .iter()
            .flat_map(|(seq, cells)| cells.iter().map(move |c| (*seq, c.key, c.cell)))
            .filter(|(seq, key, _)| log.entry(*seq, *key).is_none())
            .collect();
        cells.extend(kept);
        let mut spare_cells = cache.by_node;
        spare_cells.clear();
        if spare_nodes.capacity() <= MAX_SPARE && spare_cells.capacity() <= MAX_SPARE {
            self.shared.spare_nodes = spare_nodes;
            self.shared.spare_cells = spare_cells;
        }
        Ok(Publish { nodes, cells, ids, log })
    }

    /// Writes the sequence and the named counters out.
    fn flush_counters(&mut self) -> Result<()> {
        if self.seq_dirty
            && let Some(next) = self.next_seq
        {
            lazy_mut!(self.meta, META)?.insert("next_seq", next.to_le_bytes().as_slice())?;
            self.seq_dirty = false;
        }
        let counters = std::mem::take(&mut self.counters);
        if !counters.is_empty() {
            let meta = lazy_mut!(self.meta, META)?;
            for (name, next) in counters {
                meta.insert(name, next.to_le_bytes().as_slice())?;
            }
        }
        Ok(())
    }
}

impl Drop for WriteView<'_> {
    /// A transaction that ends without [`WriteView::finish`] gives the log back unchanged.
    fn drop(&mut self) {
        if let Some(log) = self.log.take() {
            self.shared.log = Some(log);
        }
    }
}

impl View for WriteView<'_> {
    fn node(&self, seq: u64) -> Result<Option<NodeRecord>> {
        Ok(self.node_rc(seq)?.map(|r| NodeRecord::clone(&r)))
    }

    fn node_rc(&self, seq: u64) -> Result<Option<Arc<NodeRecord>>> {
        cached_node(&self.node_cache, MAX_CACHED_NODES, seq, || match self.shared.nodes.get(&seq) {
            Some(r) => Ok(Some(Arc::clone(r))),
            None => Ok(get_node(lazy!(self.nodes, NODES)?, seq)?.map(Arc::new)),
        })
    }

    fn seq_of(&self, id: [u8; 16]) -> Result<Option<u64>> {
        memo_seq(&self.last_resolved, id, || {
            let key = u128::from_be_bytes(id);
            if let Some(seq) = self.shared.ids.get(&key) {
                return Ok(Some(*seq));
            }
            let seq = lazy!(self.ids, IDS)?.get(key)?.map(|v| v.value());
            if let Some(seq) = seq {
                self.resolved.borrow_mut().push((key, seq));
            }
            Ok(seq)
        })
    }

    fn cell(&self, seq: u64, key: RollupKey) -> Result<Cell> {
        if let Some(c) = self.cell_cache.borrow().get(seq, key) {
            return Ok(c);
        }
        let cell = self.load_cell(seq, key)?;
        // A clean entry is only a read cache; it is not kept when the cache is full.
        self.cell_cache.borrow_mut().put(seq, key, cell, false, Some(cell));
        Ok(cell)
    }

    fn cells(&self, seq: u64) -> Result<Vec<(RollupKey, Cell)>> {
        let stored = get_cells(lazy!(self.cells, CELLS)?, seq)?;
        let logged = self.live_log().map_or(&[][..], |log| log.node(seq));
        let cache = self.cell_cache.borrow();
        let cached = cache.by_node.get(&seq).map_or(&[][..], |cells| &**cells);
        Ok(overlay_cells(stored, logged.iter().map(|c| (c.key, c.cell)).chain(cached.iter().map(|c| (c.key, c.cell)))))
    }

    index_reads!();

    fn lookup(&self, table: Lookup, key: &[u8]) -> Result<Option<u64>> {
        get_lookup(self.lookup_table(table)?, key)
    }

    fn all_nodes(&self) -> Result<Rows<'_, (u64, NodeRecord)>> {
        iter_nodes(lazy!(self.nodes, NODES)?)
    }

    fn all_cells(&self) -> Result<Rows<'_, ((u64, RollupKey), Cell)>> {
        if self.cell_cache.borrow().dirty > 0 {
            return Err(Error::corrupted("roll-ups read in bulk before the cache was flushed"));
        }
        let logged = self.live_log().map(Overlay::sorted).unwrap_or_default();
        Ok(log::merge(iter_cells(lazy!(self.cells, CELLS)?)?, logged))
    }

    fn all_lookups(&self, table: Lookup) -> Result<Rows<'_, (Vec<u8>, u64)>> {
        iter_lookups(self.lookup_table(table)?)
    }

    fn all_ids(&self) -> Result<Rows<'_, ([u8; 16], u64)>> {
        iter_ids(lazy!(self.ids, IDS)?)
    }

    fn meta(&self, key: &str) -> Result<Option<Vec<u8>>> {
        Ok(lazy!(self.meta, META)?.get(key)?.map(|v| v.value().to_vec()))
    }

    fn blob(&self, table: Blob, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.blob_table(table)?.get(key)?.map(|v| v.value().to_vec()))
    }

    fn scan(&self, table: Blob, range: KeyRange, reverse: bool, f: Visit<'_>) -> Result<()> {
        scan_rows(self.blob_table(table)?, range, reverse, f)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn below(v: &impl View, seq: u64) -> u64 {
        v.cell(seq, 1).unwrap().below
    }

    fn set(w: &mut WriteView<'_>, seq: u64, n: u64) {
        w.update_cell(seq, 1, |c| {
            c.below = n;
            Ok(())
        })
        .unwrap();
    }

    /// One committed write transaction that sets cells `seqs` (key 1) to `n`.
    fn commit_set(db: &Db, seqs: impl IntoIterator<Item = u64>, n: u64) {
        let txn = db.begin_write(Durability::Bulk).unwrap();
        let mut shared = db.lock_shared();
        let mut w = db.write_view(&txn, &mut shared).unwrap();
        for seq in seqs {
            set(&mut w, seq, n);
        }
        let pending = Pending::new(w.finish().unwrap(), shared);
        txn.commit().unwrap();
        pending.apply();
    }

    #[test]
    fn a_fold_within_a_transaction_leaves_no_stale_shared_cell() {
        let (db, _) = Db::open(Location::Memory, 1 << 20, None).unwrap();
        // Enough rows to fold at the end of the last one: cell 1 is then in `cells` and, as
        // committed, in the shared cache, with the log empty.
        for n in 1..=LOG_MAX_ROWS as u64 + 1 {
            commit_set(&db, [1], n);
        }
        let folded = LOG_MAX_ROWS as u64 + 1;
        // A newer value goes to the log; the shared cache still holds the folded one.
        commit_set(&db, [1], folded + 1);
        // A transaction of more cells than its cache holds folds the log within itself.
        let txn = db.begin_write(Durability::Bulk).unwrap();
        let mut shared = db.lock_shared();
        let mut w = db.write_view(&txn, &mut shared).unwrap();
        for seq in 100..100 + MAX_CACHED_CELLS as u64 + 1 {
            set(&mut w, seq, 5);
        }
        assert_eq!(below(&w, 1), folded + 1, "after the fold within the transaction");
        let pending = Pending::new(w.finish().unwrap(), shared);
        txn.commit().unwrap();
        pending.apply();
        let read = db.begin_read().unwrap();
        assert_eq!(below(&read, 1), folded + 1, "a reader after the commit");
        drop(read);
        let txn = db.begin_write(Durability::Bulk).unwrap();
        let mut shared = db.lock_shared();
        let w = db.write_view(&txn, &mut shared).unwrap();
        assert_eq!(below(&w, 1), folded + 1, "the next writer");
    }

    #[test]
    fn few_holds_one_item_inline_and_more_in_a_list() {
        let mut few: Few<u32> = Few::default();
        assert!(few.is_empty());
        few.push(1);
        assert!(matches!(few, Few::One(1)));
        few.push(2);
        few.push(3);
        assert_eq!(&*few, &[1, 2, 3]);
        few.retain(|n| n % 2 == 1);
        assert_eq!(&*few, &[1, 3]);
        for n in few.iter_mut() {
            *n *= 10;
        }
        assert_eq!(&*few, &[10, 30]);
        let mut one = Few::One(7);
        one.retain(|n| *n != 7);
        assert!(one.is_empty());
        one.push(8);
        assert_eq!(&*one, &[8]);
    }

    #[test]
    fn shared_cells_never_hide_a_write_back_or_survive_an_abort() {
        let (db, _) = Db::open(Location::Memory, 1 << 20, None).unwrap();
        // Committed: cells 1..=10 at 1, published to the shared cache.
        commit_set(&db, 1..=10, 1);

        // A transaction changes them, then overflows its cache (written back mid-transaction):
        // reading them again must give its own values, not the shared committed ones.
        let txn = db.begin_write(Durability::Bulk).unwrap();
        let mut shared = db.lock_shared();
        let mut w = db.write_view(&txn, &mut shared).unwrap();
        for seq in 1..=10 {
            assert_eq!(below(&w, seq), 1);
            set(&mut w, seq, 2);
        }
        for seq in 100..100 + MAX_CACHED_CELLS as u64 {
            set(&mut w, seq, 5);
        }
        for seq in 1..=10 {
            assert_eq!(below(&w, seq), 2, "cell {seq} after the write-back");
        }
        drop(w);
        drop(shared);
        txn.abort().unwrap();

        // Discarded: the next transaction sees the committed values again.
        let txn = db.begin_write(Durability::Bulk).unwrap();
        let mut shared = db.lock_shared();
        let w = db.write_view(&txn, &mut shared).unwrap();
        for seq in 1..=10 {
            assert_eq!(below(&w, seq), 1);
        }
        assert_eq!(below(&w, 100), 0);
    }
}
