//! The public handle: [`Store`], its builder, and its read and write transactions.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

use crate::account::{
    Account, AccountId, AccountQuery, AccountUpdate, EffectivePolicy, IssuedToken, Message, NewAccount, NewToken,
    PasswordParams, PasswordPolicy, Role, Session, TokenInfo,
};
use crate::config::{EffectivePrice, EffectiveProperties, Markup, PropQuery, Properties};
use crate::decimal::Decimal;
use crate::engine::access::{Actor, Principal};
use crate::engine::{self, Ctx};
use crate::env::{Clock, Entropy};
use crate::error::{Error, Result};
use crate::ids::NodeId;
use crate::model::{
    CheckReport, ChildQuery, DescendantQuery, NewNode, Node, NodeSummary, NodeSummaryRef, NodeUpdate, NodeWithQuotas,
    Page, Quota, Status,
};
use crate::schema::{Preset, Schema};
use crate::store::{Db, Durability, Location, Pending, ReadView, View, WriteView};
use crate::tenant::{
    Balance, CustomHeaders, CustomHeadersUpdate, Holiday, HolidayId, HolidayPage, HolidayQuery, HolidayUpdate,
    LedgerEntry, LedgerQuery, NewHoliday, TenantSettings, TenantSettingsUpdate, TenantStatus, VoicemailSettings,
    VoicemailUpdate,
};

/// Default cache for a store in a file.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
const FILE_CACHE: usize = 256 * 1024 * 1024;
/// Default cache for an in-memory store, whose pages are in memory anyway.
const MEMORY_CACHE: usize = 16 * 1024 * 1024;

/// Options for opening a store. Start with [`Store::builder`].
///
/// # Examples
///
/// ```
/// use tenantree::{Durability, ManualClock, Preset, Store, Timestamp};
///
/// let store = Store::builder()
///     .preset(Preset::Fusion)
///     .durability(Durability::Bulk)
///     .clock(ManualClock::new(Timestamp::from_micros(0)))
///     .in_memory()?;
/// assert_eq!(store.schema().name, "fusion");
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Debug, Default)]
pub struct StoreBuilder {
    schema: Option<Schema>,
    cache_size: Option<usize>,
    durability: Durability,
    clock: Option<Arc<dyn Clock>>,
    entropy: Option<Arc<dyn Entropy>>,
    password: PasswordParams,
    no_feed: bool,
}

impl StoreBuilder {
    /// The schema for a new store. Opening an existing store with a different schema fails
    /// with SCHEMA_MISMATCH, unless the given one only lets kinds hang under more parents or
    /// stand at the top level (how a preset grows): it then replaces the stored one, which
    /// every stored node keeps to. Without one, an existing store keeps its own and a new one
    /// gets [`Schema::channel`].
    #[must_use]
    pub fn schema(mut self, schema: Schema) -> StoreBuilder {
        self.schema = Some(schema);
        self
    }

    /// A preset schema, as [`schema`](StoreBuilder::schema).
    #[must_use]
    pub fn preset(self, preset: Preset) -> StoreBuilder {
        self.schema(preset.schema())
    }

    /// redb's page cache, in bytes (default 256 MiB for files, 16 MiB in memory).
    #[must_use]
    pub fn cache_size(mut self, bytes: usize) -> StoreBuilder {
        self.cache_size = Some(bytes);
        self
    }

    /// Whether commits wait for the disk (default [`Durability::Immediate`]).
    #[must_use]
    pub fn durability(mut self, durability: Durability) -> StoreBuilder {
        self.durability = durability;
        self
    }

    /// The clock (default: the system clock; required on `wasm32-unknown-unknown`).
    #[must_use]
    pub fn clock(mut self, clock: impl Clock + 'static) -> StoreBuilder {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// The randomness source (default: the operating system's; required on
    /// `wasm32-unknown-unknown`).
    #[must_use]
    pub fn entropy(mut self, entropy: impl Entropy + 'static) -> StoreBuilder {
        self.entropy = Some(Arc::new(entropy));
        self
    }

    /// argon2id cost for new password hashes (default [`PasswordParams::default`];
    /// [`PasswordParams::fast`] for tests and WASM demos).
    #[must_use]
    pub fn password_params(mut self, params: PasswordParams) -> StoreBuilder {
        self.password = params;
        self
    }

    /// Whether writes append to the change feed (default: yes). A store without a feed saves
    /// the space and time of one event per change; its `changes` reads stay empty.
    #[must_use]
    pub fn change_feed(mut self, enabled: bool) -> StoreBuilder {
        self.no_feed = !enabled;
        self
    }

    /// Opens the store in a file, creating it if missing.
    ///
    /// # Errors
    ///
    /// `ALREADY_OPEN` when another handle has the file open; `INCOMPATIBLE_FORMAT` for a file
    /// that is not a tenantree store of this format; `SCHEMA_MISMATCH`; `STORAGE`.
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn open(self, path: impl AsRef<std::path::Path>) -> Result<Store> {
        let cache = self.cache_size.unwrap_or(FILE_CACHE);
        self.finish(Location::File(path.as_ref().to_path_buf()), cache)
    }

    /// Opens a fresh store held in memory (redb's in-memory backend).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for an invalid schema, or a missing clock or entropy source on
    /// `wasm32-unknown-unknown`.
    pub fn in_memory(self) -> Result<Store> {
        let cache = self.cache_size.unwrap_or(MEMORY_CACHE);
        self.finish(Location::Memory, cache)
    }

    /// Opens the store on a redb storage backend of the host's (a browser file, a wrapper that
    /// injects faults, ...).
    ///
    /// # Errors
    ///
    /// As [`open`](StoreBuilder::open).
    pub fn open_backend(self, backend: impl redb::StorageBackend) -> Result<Store> {
        let cache = self.cache_size.unwrap_or(MEMORY_CACHE);
        self.finish(Location::Backend(Arc::new(backend)), cache)
    }

    /// Opens a store in memory from a file image: the bytes of a store's file, or of
    /// [`Store::export_image`]. The store works on its own copy; write it back with
    /// `export_image`.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for an empty image; `INCOMPATIBLE_FORMAT` for bytes that are not a
    /// tenantree store of this format; `STORAGE` for a damaged or truncated image that redb
    /// cannot open or repair; `SCHEMA_MISMATCH`.
    ///
    /// # Examples
    ///
    /// ```
    /// use tenantree::{Actor, NewNode, Store};
    ///
    /// let store = Store::in_memory()?;
    /// store.create_node(&Actor::system(), NewNode::new("platform", "acme"))?;
    /// let image = store.export_image()?;
    ///
    /// let copy = Store::builder().from_image(image)?;
    /// assert_eq!(copy.kind_counts(&Actor::system(), None)?["platform"], 1);
    /// assert_eq!(Store::builder().from_image(b"not a store".to_vec()).unwrap_err().code(), "INCOMPATIBLE_FORMAT");
    /// # Ok::<(), tenantree::Error>(())
    /// ```
    pub fn from_image(self, image: impl Into<Vec<u8>>) -> Result<Store> {
        let cache = self.cache_size.unwrap_or(MEMORY_CACHE);
        self.finish(Location::Image(image.into()), cache)
    }

    fn finish(self, location: Location, cache: usize) -> Result<Store> {
        let clock = match self.clock {
            Some(c) => c,
            None => default_clock()?,
        };
        let entropy = match self.entropy {
            Some(e) => e,
            None => default_entropy()?,
        };
        let (db, schema) = Db::open(location, cache, self.schema.as_ref())?;
        // Continue the monotonic id sequence after a reopen, unless the largest id lies in the
        // future (a chosen or imported id), which must not drag new ids along.
        let now_ms = u128::try_from(clock.now().as_millis()).unwrap_or(0);
        let last_id = db.max_id()?.filter(|id| id >> 80 <= now_ms).unwrap_or(0);
        Ok(Store {
            inner: Arc::new(Inner {
                db: RwLock::new(db),
                schema,
                clock,
                entropy,
                durability: self.durability,
                unflushed: AtomicBool::new(false),
                last_id: std::sync::Mutex::new(last_id),
                password: self.password,
                decoy: std::sync::OnceLock::new(),
                feed: !self.no_feed,
            }),
        })
    }
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn default_clock() -> Result<Arc<dyn Clock>> {
    Ok(Arc::new(crate::env::SystemClock))
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn default_clock() -> Result<Arc<dyn Clock>> {
    Err(Error::invalid("clock", "this target has no system clock; pass one with StoreBuilder::clock"))
}

#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
fn default_entropy() -> Result<Arc<dyn Entropy>> {
    Ok(Arc::new(crate::env::OsEntropy))
}

#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
fn default_entropy() -> Result<Arc<dyn Entropy>> {
    Err(Error::invalid("entropy", "this target has no system randomness; pass one with StoreBuilder::entropy"))
}

struct Inner {
    db: RwLock<Db>,
    schema: Schema,
    clock: Arc<dyn Clock>,
    entropy: Arc<dyn Entropy>,
    durability: Durability,
    /// Whether bulk commits have happened since the last immediate one.
    unflushed: AtomicBool,
    /// The last node id minted (see `engine::mint_id`).
    last_id: std::sync::Mutex<u128>,
    /// argon2id parameters for new hashes.
    password: PasswordParams,
    /// A hash to verify against when a login names no known account, made on first use.
    decoy: std::sync::OnceLock<String>,
    /// Whether writes append to the change feed.
    feed: bool,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if self.unflushed.load(Ordering::SeqCst)
            && let Ok(db) = self.db.read()
        {
            // Nothing to report to: a failed final flush leaves the file at its last durable
            // commit, which redb guarantees is consistent.
            let _ = db.flush();
        }
    }
}

/// A tenantree store: a tree of accounts with quotas, cascading status and scoped access, kept
/// in redb. Cheap to clone (the clones share one database) and safe to share between threads:
/// reads run in parallel on consistent snapshots, writes one at a time.
///
/// Every operation takes the [`Actor`] it runs as. Every write runs in one redb transaction in
/// which every invariant is checked; a refused write returns a typed [`Error`] and changes
/// nothing.
///
/// # Examples
///
/// ```
/// use tenantree::{Actor, NewNode, Store};
///
/// let store = Store::in_memory()?;
/// let sys = Actor::system();
/// let root = store.create_node(&sys, NewNode::new("platform", "acme"))?;
/// let dist = store.create_node(&sys, NewNode::new("distributor", "north").parent(root.id).limit("tenants", 1))?;
/// store.create_node(&sys, NewNode::new("tenant", "t1").parent(dist.id))?;
/// let err = store.create_node(&sys, NewNode::new("tenant", "t2").parent(dist.id)).unwrap_err();
/// assert_eq!(err.code(), "QUOTA_EXCEEDED");
/// assert_eq!(store.kind_counts(&sys, Some(dist.id))?["tenant"], 1);
/// # Ok::<(), tenantree::Error>(())
/// ```
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("schema", &self.inner.schema.name).finish_non_exhaustive()
    }
}

fn lock_error<T>(_: T) -> Error {
    Error::Storage { message: "the store's lock is poisoned by an earlier panic".to_owned() }
}

impl Store {
    /// Options for opening a store.
    #[must_use]
    pub fn builder() -> StoreBuilder {
        StoreBuilder::default()
    }

    /// Opens a store in a file with the default options, creating it (with the channel
    /// schema) if missing.
    ///
    /// # Errors
    ///
    /// As [`StoreBuilder::open`].
    #[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Store> {
        Store::builder().open(path)
    }

    /// A fresh in-memory store with the channel schema.
    ///
    /// # Errors
    ///
    /// As [`StoreBuilder::in_memory`].
    pub fn in_memory() -> Result<Store> {
        Store::builder().in_memory()
    }

    /// A store in memory from a file image, with the default options: as
    /// [`StoreBuilder::from_image`].
    ///
    /// # Errors
    ///
    /// As [`StoreBuilder::from_image`].
    pub fn from_image(image: impl Into<Vec<u8>>) -> Result<Store> {
        Store::builder().from_image(image)
    }

    /// The store's schema.
    #[must_use]
    pub fn schema(&self) -> &Schema {
        &self.inner.schema
    }

    fn ctx(&self) -> Ctx<'_> {
        Ctx {
            schema: &self.inner.schema,
            clock: self.inner.clock.as_ref(),
            entropy: self.inner.entropy.as_ref(),
            last_id: &self.inner.last_id,
            password: &self.inner.password,
            feed: self.inner.feed,
        }
    }

    /// Runs `f` in a read transaction: a consistent snapshot, unaffected by writes that commit
    /// while it runs.
    ///
    /// # Errors
    ///
    /// Whatever `f` returns; `NOT_FOUND`/`UNAUTHENTICATED` for an actor that cannot act;
    /// `STORAGE`.
    pub fn read<R>(&self, actor: &Actor, f: impl FnOnce(&ReadTx<'_>) -> Result<R>) -> Result<R> {
        let view = self.inner.db.read().map_err(lock_error)?.begin_read()?;
        let (result, view) = match Principal::resolve(&view, actor) {
            Ok(who) => {
                let tx = ReadTx { view, ctx: self.ctx(), who };
                (f(&tx), tx.view)
            }
            Err(e) => (Err(e), view),
        };
        self.end_read(view);
        result
    }

    /// Hands an ended read transaction back for the next read (if nothing commits before it).
    /// Never waits: while `compact` or `check` holds the database, the view is dropped, since
    /// they need every read transaction gone.
    fn end_read(&self, view: ReadView) {
        if let Ok(db) = self.inner.db.try_read() {
            db.end_read(view);
        }
    }

    /// Runs `f` on a read transaction of no actor (logins and tokens).
    fn with_view<R>(&self, f: impl FnOnce(&ReadView) -> Result<R>) -> Result<R> {
        let view = self.inner.db.read().map_err(lock_error)?.begin_read()?;
        let result = f(&view);
        self.end_read(view);
        result
    }

    /// Runs `f` in a write transaction and commits if it returns `Ok`; otherwise nothing of it
    /// is kept. Operations that fail inside `f` change nothing even if `f` goes on, except
    /// after a `STORAGE` or `CORRUPTED` error, which makes the commit fail.
    ///
    /// # Errors
    ///
    /// Whatever `f` returns; `STORAGE` when the commit fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use tenantree::{Actor, NewNode, Store};
    ///
    /// let store = Store::in_memory()?;
    /// let sys = Actor::system();
    /// let (root, dist) = store.write(&sys, |tx| {
    ///     let root = tx.create_node(&NewNode::new("platform", "acme"))?;
    ///     let dist = tx.create_node(&NewNode::new("distributor", "north").parent(root.id))?;
    ///     Ok((root, dist))
    /// })?;
    /// assert_eq!(dist.parent, Some(root.id));
    /// # Ok::<(), tenantree::Error>(())
    /// ```
    pub fn write<R>(&self, actor: &Actor, f: impl FnOnce(&mut WriteTx<'_, '_>) -> Result<R>) -> Result<R> {
        let db = self.inner.db.read().map_err(lock_error)?;
        let txn = db.begin_write(self.inner.durability)?;
        // The shared cache stays locked until this transaction's publication (see `Pending`).
        let mut shared = db.lock_shared();
        let outcome = match db.write_view(&txn, &mut shared) {
            Err(e) => Err(e),
            Ok(view) => match Principal::resolve(&view, actor) {
                Ok(who) => {
                    let mut tx = WriteTx { view, ctx: self.ctx(), who, poisoned: None };
                    let result = f(&mut tx);
                    match (result, tx.poisoned.take()) {
                        (Ok(value), None) => tx.view.finish().map(|publish| (value, publish)),
                        (Ok(_), Some(cause)) => Err(cause),
                        (Err(e), _) => Err(e),
                    }
                }
                Err(e) => Err(e),
            },
        };
        match outcome {
            Ok((value, publish)) => {
                // The cache's lock is held through the commit until the publication, so no
                // later writer can publish before this one; only what is committed is handed
                // on (a failed commit empties the cache).
                let pending = Pending::new(publish, shared);
                txn.commit()?;
                pending.apply();
                db.release_idle();
                if self.inner.durability == Durability::Bulk {
                    self.inner.unflushed.store(true, Ordering::SeqCst);
                }
                Ok(value)
            }
            Err(e) => {
                // Aborting only discards; its own failure adds nothing to report.
                let _ = txn.abort();
                Err(e)
            }
        }
    }

    /// Makes every committed write durable (a no-op unless the store is in
    /// [`Durability::Bulk`] mode).
    ///
    /// # Errors
    ///
    /// `STORAGE`.
    pub fn flush(&self) -> Result<()> {
        self.inner.db.read().map_err(lock_error)?.flush()?;
        self.inner.unflushed.store(false, Ordering::SeqCst);
        Ok(())
    }

    /// The store's file image: the bytes of redb's database file, holding every commit so far
    /// (bulk commits are flushed first). Written to a file, it opens with [`Store::open`]; it
    /// opens in memory with [`StoreBuilder::from_image`]. Works for every store: in memory, in
    /// a file, or on a host's backend. Waits for running transactions; do not call it from
    /// inside one.
    ///
    /// The image is physical, not logical: it holds free pages too (see
    /// [`compact`](Store::compact)) and is readable only by builds that read this format.
    ///
    /// # Errors
    ///
    /// `STORAGE` when the flush or the read fails.
    ///
    /// # Examples
    ///
    /// ```
    /// use tenantree::{Actor, NewNode, Store};
    ///
    /// let store = Store::in_memory()?;
    /// let root = store.create_node(&Actor::system(), NewNode::new("platform", "acme"))?;
    /// let copy = Store::from_image(store.export_image()?)?;
    /// assert_eq!(copy.get_node(&Actor::system(), root.id)?.name.as_str(), "acme");
    /// # Ok::<(), tenantree::Error>(())
    /// ```
    pub fn export_image(&self) -> Result<Vec<u8>> {
        // The write lock waits for every transaction of this handle, so the bytes are still.
        let db = self.inner.db.write().map_err(lock_error)?;
        db.flush()?;
        self.inner.unflushed.store(false, Ordering::SeqCst);
        db.image()
    }

    /// Gives free pages at the end of the file back to the file system. Needs no other
    /// transaction to be running.
    ///
    /// # Errors
    ///
    /// `STORAGE`, also when a transaction is running.
    pub fn compact(&self) -> Result<bool> {
        let mut db = self.inner.db.write().map_err(lock_error)?;
        db.flush()?;
        db.compact()
    }

    /// Runs the integrity check ([`ReadTx::check`]) on a fresh snapshot, and redb's own
    /// page check. O(n log n).
    ///
    /// # Errors
    ///
    /// `STORAGE`.
    pub fn check(&self) -> Result<CheckReport> {
        let mut report = self.read(&Actor::System, |tx| tx.check())?;
        let mut db = self.inner.db.write().map_err(lock_error)?;
        if !db.check_pages()? {
            report.findings.push(crate::model::Finding {
                area: "pages".to_owned(),
                message: "redb found and repaired damaged pages".to_owned(),
            });
        }
        Ok(report)
    }

    /// Runs a list of operations in one transaction: all of them or none.
    ///
    /// # Errors
    ///
    /// [`Error::Batch`] with the index of the first failing operation and its error (whose
    /// code the batch error reports).
    ///
    /// # Examples
    ///
    /// ```
    /// use tenantree::{Actor, NewNode, Op, Store, NodeId};
    ///
    /// let store = Store::in_memory()?;
    /// let root: NodeId = "01900000-0000-7000-8000-000000000001".parse()?;
    /// let ops: Vec<Op> = serde_json::from_value(serde_json::json!([
    ///     {"op": "createNode", "id": root.to_string(), "kind": "platform", "name": "acme"},
    ///     {"op": "createNode", "kind": "distributor", "name": "north", "parent": root.to_string()},
    ///     {"op": "createNode", "kind": "distributor", "name": "north", "parent": root.to_string()},
    /// ])).unwrap();
    /// let err = store.batch(&Actor::system(), &ops).unwrap_err();
    /// assert_eq!(err.code(), "ALREADY_EXISTS");
    /// assert!(store.get_node(&Actor::system(), root).is_err(), "nothing was applied");
    /// # Ok::<(), tenantree::Error>(())
    /// ```
    pub fn batch(&self, actor: &Actor, ops: &[Op]) -> Result<Vec<OpOutput>> {
        self.write(actor, |tx| tx.apply_all(ops))
    }
}

/// One operation of a batch, in JSON `{"op": "createNode", ...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS), ts(optional_fields = nullable))]
#[serde(tag = "op", rename_all = "camelCase", rename_all_fields = "camelCase")]
#[non_exhaustive]
pub enum Op {
    /// [`WriteTx::create_node`].
    CreateNode(NewNode),
    /// [`WriteTx::update_node`].
    UpdateNode {
        /// The node.
        id: NodeId,
        /// The changes.
        #[serde(flatten)]
        update: NodeUpdate,
    },
    /// [`WriteTx::set_status`].
    SetStatus {
        /// The node.
        id: NodeId,
        /// The new status.
        status: Status,
        /// Optimistic-concurrency check.
        #[serde(default)]
        expected_version: Option<u64>,
    },
    /// [`WriteTx::move_node`].
    MoveNode {
        /// The node.
        id: NodeId,
        /// The new parent; `null` for the top level.
        parent: Option<NodeId>,
        /// Optimistic-concurrency check.
        #[serde(default)]
        expected_version: Option<u64>,
    },
    /// [`WriteTx::delete_node`].
    DeleteNode {
        /// The node.
        id: NodeId,
    },
    /// [`WriteTx::set_limits`].
    SetLimits {
        /// The node.
        id: NodeId,
        /// Limits by resource; `null` removes one.
        limits: BTreeMap<String, Option<u64>>,
        /// Optimistic-concurrency check.
        #[serde(default)]
        expected_version: Option<u64>,
    },
    /// [`WriteTx::allocate`].
    Allocate {
        /// The node.
        id: NodeId,
        /// The resource.
        resource: String,
        /// How much.
        amount: u64,
    },
    /// [`WriteTx::release`].
    Release {
        /// The node.
        id: NodeId,
        /// The resource.
        resource: String,
        /// How much.
        amount: u64,
    },
    /// [`WriteTx::create_account`].
    CreateAccount(NewAccount),
    /// [`WriteTx::update_account`].
    UpdateAccount {
        /// The account.
        id: AccountId,
        /// The changes.
        #[serde(flatten)]
        update: AccountUpdate,
    },
    /// [`WriteTx::delete_account`].
    DeleteAccount {
        /// The account.
        id: AccountId,
    },
    /// [`WriteTx::set_password_policy`].
    SetPasswordPolicy {
        /// The node; `null` for the store default.
        node: Option<NodeId>,
        /// The policy; `null` removes it.
        policy: Option<PasswordPolicy>,
    },
    /// [`WriteTx::define_role`].
    DefineRole(Role),
    /// [`WriteTx::delete_role`].
    DeleteRole {
        /// The role.
        name: String,
    },
    /// [`WriteTx::upsert_props`].
    UpsertProps {
        /// The node.
        node: NodeId,
        /// The namespace.
        namespace: String,
        /// The properties.
        properties: Properties,
    },
    /// [`WriteTx::replace_props`].
    ReplaceProps {
        /// The node.
        node: NodeId,
        /// The namespace.
        namespace: String,
        /// The properties.
        properties: Properties,
    },
    /// [`WriteTx::delete_props`].
    DeleteProps {
        /// The node.
        node: NodeId,
        /// The namespace.
        namespace: String,
        /// The keys.
        keys: Vec<String>,
    },
    /// [`WriteTx::add_markup`].
    AddMarkup {
        /// The node.
        node: NodeId,
        /// The markup in percent.
        percent: Decimal,
        /// From when; now when `null`.
        #[serde(default)]
        start: Option<crate::ids::Timestamp>,
    },
    /// [`WriteTx::remove_markup`].
    RemoveMarkup {
        /// The node.
        node: NodeId,
        /// The start of the markup to remove.
        start: crate::ids::Timestamp,
    },
    /// [`WriteTx::update_tenant_settings`]; the changes use 004's snake_case names.
    UpdateTenantSettings {
        /// The tenant node.
        tenant: NodeId,
        /// The changes.
        #[serde(flatten)]
        update: Box<TenantSettingsUpdate>,
    },
    /// [`WriteTx::create_holiday`].
    CreateHoliday {
        /// The tenant node.
        tenant: NodeId,
        /// The holiday, in 004's snake_case.
        #[serde(flatten)]
        holiday: NewHoliday,
    },
    /// [`WriteTx::update_holiday`].
    UpdateHoliday {
        /// The tenant node.
        tenant: NodeId,
        /// The holiday.
        id: HolidayId,
        /// The changes, in 004's snake_case.
        #[serde(flatten)]
        update: HolidayUpdate,
    },
    /// [`WriteTx::delete_holiday`].
    DeleteHoliday {
        /// The tenant node.
        tenant: NodeId,
        /// The holiday.
        id: HolidayId,
    },
    /// [`WriteTx::recharge`], with 004's field name.
    Recharge {
        /// The tenant node.
        tenant: NodeId,
        /// The amount to add.
        balance: crate::Decimal,
    },
    /// [`WriteTx::set_custom_headers`].
    SetCustomHeaders {
        /// The tenant node.
        tenant: NodeId,
        /// The lists (`add`, `relay`).
        #[serde(flatten)]
        headers: CustomHeadersUpdate,
    },
    /// [`WriteTx::update_voicemail`].
    UpdateVoicemail {
        /// The tenant node.
        tenant: NodeId,
        /// The changes, in 004's snake_case.
        #[serde(flatten)]
        update: VoicemailUpdate,
    },
}

/// The result of one batch operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(untagged)]
#[non_exhaustive]
pub enum OpOutput {
    /// The node after a create, update, status change, move or limit change.
    Node(Box<Node>),
    /// Whether a delete removed a node.
    Deleted(bool),
    /// The resource's figures after an allocate or release.
    Quota(Quota),
    /// The account after a create or update.
    Account(Box<Account>),
    /// The policy in force after a change.
    Policy(EffectivePolicy),
    /// The role after a definition.
    Role(Role),
    /// A namespace of properties after a change.
    Properties(Properties),
    /// How many things a removal removed.
    Count(u64),
    /// A markup after it was added.
    Markup(Markup),
    /// A tenant's settings after a change (secrets masked).
    TenantSettings(Box<TenantSettings>),
    /// A holiday after a create or update.
    Holiday(Box<Holiday>),
    /// The ledger entry of a recharge.
    LedgerEntry(LedgerEntry),
    /// The custom headers after a change.
    CustomHeaders(CustomHeaders),
    /// The voicemail settings after a change.
    Voicemail(VoicemailSettings),
}

/// A read transaction: a consistent snapshot of the store, seen as one actor.
pub struct ReadTx<'s> {
    view: ReadView,
    ctx: Ctx<'s>,
    who: Principal,
}

impl std::fmt::Debug for ReadTx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadTx").field("actor", &self.who.to_string()).finish_non_exhaustive()
    }
}

/// A write transaction, seen as one actor. Reads inside it see its own writes.
pub struct WriteTx<'s, 't> {
    view: WriteView<'t>,
    ctx: Ctx<'s>,
    who: Principal,
    /// Set by a storage failure in the middle of an operation; the commit is then refused.
    poisoned: Option<Error>,
}

impl std::fmt::Debug for WriteTx<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteTx").field("actor", &self.who.to_string()).finish_non_exhaustive()
    }
}

/// The read operations, shared by both transaction kinds.
macro_rules! read_ops {
    () => {
        /// One node, with its effective status. O(depth).
        ///
        /// # Errors
        ///
        /// `NOT_FOUND` when missing or outside the actor's scope; `FORBIDDEN`.
        pub fn get_node(&self, id: NodeId) -> Result<Node> {
            engine::query::get(&self.view, self.ctx.schema, &self.who, id)
        }

        /// The node's ancestors the actor may see, top-down. O(depth).
        ///
        /// # Errors
        ///
        /// As [`get_node`](Self::get_node).
        pub fn ancestors(&self, id: NodeId) -> Result<Vec<Node>> {
            engine::query::ancestors(&self.view, self.ctx.schema, &self.who, id)
        }

        /// Children of a node (`None`: the top-level nodes), filtered, searched, sorted and
        /// paged. A range scan over the children index: O(offset + page) without filters,
        /// O(children) with them.
        ///
        /// # Errors
        ///
        /// `INVALID_ARGUMENT` for a bad query or cursor; as [`get_node`](Self::get_node).
        pub fn children(&self, parent: Option<NodeId>, query: &ChildQuery) -> Result<Page<Node>> {
            engine::query::children(&self.view, self.ctx.schema, &self.who, parent, query)
        }

        /// As [`children`](Self::children), each child as a [`NodeSummary`]: id, kind, name,
        /// own and effective status, depth. Sorted by name (the default), a page is one range
        /// scan over the children index that reads no node record: the listing to use when the
        /// profile, limits and timestamps are not shown. Filters on kind and status read no
        /// record either; a search does.
        ///
        /// # Errors
        ///
        /// As [`children`](Self::children).
        pub fn child_summaries(&self, parent: Option<NodeId>, query: &ChildQuery) -> Result<Page<NodeSummary>> {
            self.child_summaries_with(parent, query, |s| s.to_summary())
        }

        /// As [`child_summaries`](Self::child_summaries), each child handed to `f` as a
        /// [`NodeSummaryRef`] borrowed from the index while it is read, the page holding what
        /// `f` makes of each: for a caller that writes each child somewhere else (a response,
        /// a wire to another language) and would otherwise copy every name and kind twice.
        /// `f` runs only for the children of the page, in order.
        ///
        /// # Examples
        ///
        /// ```
        /// use tenantree::{Actor, ChildQuery, NewNode, Store};
        ///
        /// let store = Store::in_memory()?;
        /// let sys = Actor::system();
        /// let root = store.create_node(&sys, NewNode::new("platform", "acme"))?;
        /// store.create_node(&sys, NewNode::new("distributor", "North").parent(root.id))?;
        /// store.create_node(&sys, NewNode::new("distributor", "east").parent(root.id))?;
        ///
        /// let mut csv = String::new();
        /// let page = store.read(&sys, |tx| {
        ///     tx.child_summaries_with(Some(root.id), &ChildQuery::default(), |child| {
        ///         csv.push_str(&format!("{},{}\n", child.name, child.kind));
        ///     })
        /// })?;
        /// assert_eq!(csv, "east,distributor\nNorth,distributor\n");
        /// assert_eq!((page.items.len(), page.total), (2, 2));
        /// # Ok::<(), tenantree::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        /// As [`children`](Self::children).
        pub fn child_summaries_with<T>(
            &self,
            parent: Option<NodeId>,
            query: &ChildQuery,
            f: impl FnMut(NodeSummaryRef<'_>) -> T,
        ) -> Result<Page<T>> {
            engine::query::child_summaries(&self.view, self.ctx.schema, &self.who, parent, query, f)
        }

        /// Descendants of one kind under a node (`None`: the whole store), in tree order. One
        /// range scan over the paths index; the total is a counter. O(offset + page × depth).
        ///
        /// # Errors
        ///
        /// As [`children`](Self::children).
        pub fn descendants(&self, root: Option<NodeId>, query: &DescendantQuery) -> Result<Page<Node>> {
            engine::query::descendants(&self.view, self.ctx.schema, &self.who, root, query)
        }

        /// [`get_node`](Self::get_node) and [`quotas`](Self::quotas) of the same node in one
        /// call, which walks up the tree once: the read for a page that shows a node with its
        /// usage. O(depth × resources).
        ///
        /// # Examples
        ///
        /// ```
        /// use tenantree::{Actor, NewNode, Store};
        ///
        /// let store = Store::in_memory()?;
        /// let sys = Actor::system();
        /// let root = store.create_node(&sys, NewNode::new("platform", "acme"))?;
        /// let dealer = store.create_node(&sys, NewNode::new("distributor", "North").parent(root.id).limit("tenants", 10))?;
        /// store.create_node(&sys, NewNode::new("reseller", "r1").parent(dealer.id))?;
        ///
        /// let seen = store.read(&sys, |tx| tx.get_node_with_quotas(dealer.id))?;
        /// assert_eq!(seen.node.name.as_str(), "North");
        /// let tenants = seen.quotas.iter().find(|q| q.resource == "tenants").unwrap();
        /// assert_eq!((tenants.limit, tenants.used), (Some(10), 0));
        /// # Ok::<(), tenantree::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        /// As [`get_node`](Self::get_node).
        pub fn get_node_with_quotas(&self, id: NodeId) -> Result<NodeWithQuotas> {
            engine::query::get_with_quotas(&self.view, self.ctx.schema, &self.who, id)
        }

        /// [`get_node_with_quotas`](Self::get_node_with_quotas) into a record the caller
        /// keeps and passes again: its strings, limits map and list of quotas are overwritten
        /// in place. A caller that reads one node after another (a response writer, a binding
        /// to another language) then makes none of them anew for a node whose names fit the
        /// last one's and whose limits have the same names. Reading tenants of the channel
        /// preset one after another, that is 5 allocations a read (the read's own) against 19
        /// with a new record each time.
        ///
        /// # Examples
        ///
        /// ```
        /// use tenantree::{Actor, NewNode, Store};
        ///
        /// let store = Store::in_memory()?;
        /// let sys = Actor::system();
        /// let root = store.create_node(&sys, NewNode::new("platform", "acme"))?;
        /// let a = store.create_node(&sys, NewNode::new("distributor", "North").parent(root.id).limit("tenants", 10))?;
        /// let b = store.create_node(&sys, NewNode::new("distributor", "South").parent(root.id).limit("tenants", 20))?;
        ///
        /// store.read(&sys, |tx| {
        ///     let mut seen = tx.get_node_with_quotas(a.id)?;
        ///     tx.get_node_with_quotas_into(b.id, &mut seen)?;
        ///     assert_eq!(seen, tx.get_node_with_quotas(b.id)?);
        ///     assert_eq!(seen.node.limits["tenants"], 20);
        ///     Ok(())
        /// })?;
        /// # Ok::<(), tenantree::Error>(())
        /// ```
        ///
        /// # Errors
        ///
        /// As [`get_node`](Self::get_node). On an error, `out` holds no meaningful record (it
        /// may be partly overwritten); the store is unchanged, as by every read.
        pub fn get_node_with_quotas_into(&self, id: NodeId, out: &mut NodeWithQuotas) -> Result<()> {
            engine::query::get_with_quotas_into(&self.view, self.ctx.schema, &self.who, id, out)
        }

        /// How many descendants of each kind a node (`None`: the store) has. O(kinds).
        ///
        /// # Errors
        ///
        /// As [`get_node`](Self::get_node).
        pub fn kind_counts(&self, id: Option<NodeId>) -> Result<BTreeMap<String, u64>> {
            engine::query::kind_counts(&self.view, self.ctx.schema, &self.who, id)
        }

        /// Every resource's limit, usage and room at a node. O(depth × resources).
        ///
        /// # Errors
        ///
        /// As [`get_node`](Self::get_node).
        pub fn quotas(&self, id: NodeId) -> Result<Vec<Quota>> {
            engine::query::quotas(&self.view, self.ctx.schema, &self.who, id)
        }

        /// One account: the caller's own, or one of a node whose admins it may list. O(depth).
        ///
        /// # Errors
        ///
        /// `NOT_FOUND` when missing or outside the caller's scope; `FORBIDDEN`.
        pub fn get_account(&self, id: AccountId) -> Result<Account> {
            engine::accounts::get(&self.view, self.ctx.schema, &self.who, id)
        }

        /// One account by username, ignoring case. O(depth).
        ///
        /// # Errors
        ///
        /// As [`get_account`](Self::get_account).
        pub fn account_by_username(&self, username: &str) -> Result<Account> {
            engine::accounts::get_by_username(&self.view, self.ctx.schema, &self.who, username)
        }

        /// The accounts bound to a node (`None`: the store-wide accounts), searched and paged.
        /// A range scan over that node's accounts.
        ///
        /// # Errors
        ///
        /// `NOT_FOUND`, `FORBIDDEN` (`<kind>.instance.admins.list`), `INVALID_ARGUMENT`.
        pub fn accounts(&self, node: Option<NodeId>, query: &AccountQuery) -> Result<Page<Account>> {
            engine::accounts::list(&self.view, self.ctx.schema, &self.who, node, query)
        }

        /// The API tokens of an account (never their secrets).
        ///
        /// # Errors
        ///
        /// `NOT_FOUND`, `FORBIDDEN`.
        pub fn tokens(&self, account: AccountId) -> Result<Vec<TokenInfo>> {
            engine::auth::list(&self.view, &self.ctx, &self.who, account)
        }

        /// Every role: built in, then custom.
        ///
        /// # Errors
        ///
        /// `STORAGE`.
        pub fn roles(&self) -> Result<Vec<Role>> {
            engine::roles::list(&self.view)
        }

        /// The password policy in force at a node (`None`: the store default), and its source.
        /// O(depth).
        ///
        /// # Errors
        ///
        /// `NOT_FOUND`, `FORBIDDEN` (`<kind>.instance.password_policy.read`).
        pub fn password_policy(&self, node: Option<NodeId>) -> Result<EffectivePolicy> {
            engine::accounts::policy(&self.view, self.ctx.schema, &self.who, node)
        }

        /// Outbox messages with ids above `after`, oldest first (at most `limit`, up to 1000).
        /// System actor (or a store-wide account allowed `store.outbox.read`) only.
        ///
        /// # Errors
        ///
        /// `FORBIDDEN`.
        pub fn outbox(&self, after: u64, limit: u32) -> Result<Vec<Message>> {
            engine::accounts::outbox(&self.view, &self.who, after, limit)
        }

        /// A node's own configuration properties of a namespace; secrets read `********`
        /// unless the caller holds `<kind>.instance.configurations.<ns>.secrets.read`.
        /// O(depth + keys).
        ///
        /// # Errors
        ///
        /// `INVALID_ARGUMENT` (namespace), `NOT_FOUND`, `FORBIDDEN`
        /// (`<kind>.instance.configurations.<ns>.list`).
        pub fn props(&self, node: NodeId, namespace: &str, query: &PropQuery) -> Result<Properties> {
            engine::props::get(&self.view, self.ctx.schema, &self.who, node, namespace, query)
        }

        /// The properties in force at a node: merged from the top down, the nearest value
        /// wins, with the node that holds each. O(depth × keys).
        ///
        /// # Errors
        ///
        /// As [`props`](Self::props).
        pub fn effective_props(&self, node: NodeId, namespace: &str, query: &PropQuery) -> Result<EffectiveProperties> {
            engine::props::effective(&self.view, self.ctx.schema, &self.who, node, namespace, query)
        }

        /// A node's markup history, newest first (003). O(depth + history).
        ///
        /// # Errors
        ///
        /// `NOT_FOUND`, `FORBIDDEN` (`<kind>.instance.markups.read`).
        pub fn markups(&self, node: NodeId) -> Result<Vec<Markup>> {
            engine::markups::history(&self.view, self.ctx.schema, &self.who, node)
        }

        /// The markup of a node in force at a time (now when `None`). O(depth).
        ///
        /// # Errors
        ///
        /// As [`markups`](Self::markups).
        pub fn markup_at(&self, node: NodeId, at: Option<crate::ids::Timestamp>) -> Result<Option<Markup>> {
            engine::markups::current(&self.view, &self.ctx, &self.who, node, at)
        }

        /// A base price with the markups of the node's whole chain in force at `at` (now
        /// when `None`) applied top-down, exactly. O(depth).
        ///
        /// # Errors
        ///
        /// As [`markups`](Self::markups); `INVALID_ARGUMENT` if the price leaves the decimal
        /// range.
        pub fn effective_price(
            &self,
            node: NodeId,
            base: Decimal,
            at: Option<crate::ids::Timestamp>,
        ) -> Result<EffectivePrice> {
            engine::markups::effective_price(&self.view, &self.ctx, &self.who, node, base, at)
        }

        /// The changes after `after` that the caller may see (its scope; for a move, before or
        /// after it), oldest first, at most `limit` (up to 1000). A range scan over the feed.
        ///
        /// # Errors
        ///
        /// `FORBIDDEN` (`<kind>.instance.changes.read` on the caller's node), `INVALID_ARGUMENT`.
        pub fn changes(&self, after: u64, limit: u32) -> Result<engine::feed::ChangePage> {
            engine::feed::read(&self.view, self.ctx.schema, &self.who, after, limit)
        }

        /// 004's settings document of a tenant node (see [`TenantSettings`]), secrets masked.
        /// O(depth).
        ///
        /// # Errors
        ///
        /// `NOT_FOUND` (missing or outside the scope), `INVALID_ARGUMENT` (the node is not of a
        /// tenant kind), `FORBIDDEN` (`<kind>.instance.settings.read`).
        pub fn tenant_settings(&self, tenant: NodeId) -> Result<TenantSettings> {
            engine::tenant::settings::get(&self.view, self.ctx.schema, &self.who, tenant)
        }

        /// The settings document with its secrets in clear, for the PBX that calls the hooks.
        /// Needs `<kind>.instance.settings.secrets.read`, which wildcards never grant: the
        /// system actor, or a role that names it.
        ///
        /// # Errors
        ///
        /// As [`tenant_settings`](Self::tenant_settings).
        pub fn tenant_settings_with_secrets(&self, tenant: NodeId) -> Result<TenantSettings> {
            engine::tenant::settings::get_secrets(&self.view, self.ctx.schema, &self.who, tenant)
        }

        /// 004's tenant status: what the store knows (see [`TenantStatus`]). O(depth + the
        /// tenant's accounts).
        ///
        /// # Errors
        ///
        /// As [`tenant_settings`](Self::tenant_settings).
        pub fn tenant_status(&self, tenant: NodeId) -> Result<TenantStatus> {
            engine::tenant::settings::status(&self.view, self.ctx.schema, &self.who, tenant)
        }

        /// One holiday of a tenant. O(depth).
        ///
        /// # Errors
        ///
        /// `NOT_FOUND` (tenant or holiday), `INVALID_ARGUMENT`, `FORBIDDEN`
        /// (`<kind>.instance.holidays.read`).
        pub fn holiday(&self, tenant: NodeId, id: HolidayId) -> Result<Holiday> {
            engine::tenant::holidays::get(&self.view, self.ctx.schema, &self.who, tenant, id)
        }

        /// A tenant's holidays: filtered, searched, ordered, then `skip` and `top` (see
        /// [`HolidayQuery`]). O(the tenant's holidays), at most 1000.
        ///
        /// # Errors
        ///
        /// `INVALID_ARGUMENT` (a filter that does not suit its field, `top` out of 1–1000, a
        /// long search), `NOT_FOUND`, `FORBIDDEN` (`<kind>.instance.holidays.list`).
        pub fn holidays(&self, tenant: NodeId, query: &HolidayQuery) -> Result<HolidayPage> {
            engine::tenant::holidays::list(&self.view, self.ctx.schema, &self.who, tenant, query)
        }

        /// A tenant's balance and a page of its ledger, oldest first. O(depth + page).
        ///
        /// # Errors
        ///
        /// `INVALID_ARGUMENT` (limit), `NOT_FOUND`, `FORBIDDEN` (`<kind>.instance.balance.read`).
        pub fn balance(&self, tenant: NodeId, query: &LedgerQuery) -> Result<Balance> {
            engine::tenant::balance::read(&self.view, self.ctx.schema, &self.who, tenant, query)
        }

        /// A tenant's custom SIP headers. O(depth).
        ///
        /// # Errors
        ///
        /// As [`tenant_settings`](Self::tenant_settings).
        pub fn custom_headers(&self, tenant: NodeId) -> Result<CustomHeaders> {
            engine::tenant::sip::headers(&self.view, self.ctx.schema, &self.who, tenant)
        }

        /// A tenant's voicemail settings. O(depth).
        ///
        /// # Errors
        ///
        /// As [`tenant_settings`](Self::tenant_settings).
        pub fn voicemail(&self, tenant: NodeId) -> Result<VoicemailSettings> {
            engine::tenant::sip::voicemail(&self.view, self.ctx.schema, &self.who, tenant)
        }
    };
}

impl ReadTx<'_> {
    read_ops!();

    /// Writes a snapshot of the store (or of the subtree under `root`, its ancestors first)
    /// from this consistent read. The system actor, or a store-wide account allowed
    /// `store.snapshot.export`, only.
    ///
    /// # Errors
    ///
    /// `FORBIDDEN`, `NOT_FOUND` (root), `STORAGE` (writing).
    pub fn export_snapshot(
        &self,
        root: Option<NodeId>,
        format: engine::snapshot::SnapshotFormat,
        out: &mut dyn std::io::Write,
    ) -> Result<engine::snapshot::SnapshotSummary> {
        engine::snapshot::export(&self.view, &self.ctx, &self.who, root, format, out)
    }

    /// The integrity check on this snapshot. Only the system actor may run it.
    ///
    /// # Errors
    ///
    /// `FORBIDDEN` for account actors; `STORAGE`.
    pub fn check(&self) -> Result<CheckReport> {
        if !self.who.sees_everything() {
            return Err(Error::Forbidden { action: "check".into(), target: "the store".into() });
        }
        let next_seq = self
            .view
            .meta("next_seq")?
            .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
            .map_or(0, u64::from_le_bytes);
        engine::check::check(&self.view, self.ctx.schema, next_seq)
    }
}

impl WriteTx<'_, '_> {
    read_ops!();

    fn track<T>(&mut self, result: Result<T>) -> Result<T> {
        if let Err(e) = &result
            && matches!(e.code(), "STORAGE" | "CORRUPTED")
            && self.poisoned.is_none()
        {
            self.poisoned = Some(e.clone());
        }
        result
    }

    /// Creates a node. O(depth).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (unknown kind or resource, bad name or field), `KIND_NOT_ALLOWED`,
    /// `DEPTH_EXCEEDED`, `NOT_FOUND` (parent), `SERVICE_DISABLED` (parent or an ancestor is
    /// off), `ALREADY_EXISTS` (name, billing id or id taken), `QUOTA_EXCEEDED` (an ancestor's
    /// count limit), `INVALID_LIMIT`, `FORBIDDEN`.
    pub fn create_node(&mut self, new: &NewNode) -> Result<Node> {
        let r = engine::nodes::create(&mut self.view, &self.ctx, &self.who, new);
        self.track(r)
    }

    /// [`create_node`](WriteTx::create_node) answering only the new node's id: for bulk loads,
    /// which do not read each created node back (it is then not built at all). O(depth).
    ///
    /// # Examples
    ///
    /// ```
    /// use tenantree::{Actor, NewNode, Store};
    ///
    /// let store = Store::in_memory()?;
    /// let ids = store.write(&Actor::system(), |tx| {
    ///     let root = tx.create_node_id(&NewNode::new("platform", "acme"))?;
    ///     let dist = tx.create_node_id(&NewNode::new("distributor", "north").parent(root))?;
    ///     Ok([root, dist])
    /// })?;
    /// assert_eq!(store.get_node(&Actor::system(), ids[1])?.parent, Some(ids[0]));
    /// # Ok::<(), tenantree::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`create_node`](WriteTx::create_node).
    pub fn create_node_id(&mut self, new: &NewNode) -> Result<NodeId> {
        let r = engine::nodes::create_id(&mut self.view, &self.ctx, &self.who, new);
        self.track(r)
    }

    /// Changes a node's name and profile fields. O(depth).
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`, `CONFLICT` (version), `INVALID_ARGUMENT`, `ALREADY_EXISTS`, `FORBIDDEN`.
    pub fn update_node(&mut self, id: NodeId, update: &NodeUpdate) -> Result<Node> {
        let r = engine::nodes::update(&mut self.view, &self.ctx, &self.who, id, update);
        self.track(r)
    }

    /// Enables, disables or suspends a node; the effect cascades to its subtree when read.
    /// O(depth).
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`, `CONFLICT`, `FORBIDDEN`.
    pub fn set_status(&mut self, id: NodeId, status: Status, expected_version: Option<u64>) -> Result<Node> {
        let r = engine::nodes::set_status(&mut self.view, &self.ctx, &self.who, id, status, expected_version);
        self.track(r)
    }

    /// Moves a node with its subtree under a new parent (`None`: the top level). O(depth) for
    /// the checks plus a range scan over the moved subtree.
    ///
    /// # Errors
    ///
    /// `CYCLE`, `KIND_NOT_ALLOWED`, `DEPTH_EXCEEDED`, `QUOTA_EXCEEDED` or `INVALID_LIMIT` on
    /// the new ancestors, `SERVICE_DISABLED` (new parent off), `ALREADY_EXISTS` (name or
    /// billing id at the destination), `NOT_FOUND`, `CONFLICT`, `FORBIDDEN`.
    pub fn move_node(&mut self, id: NodeId, new_parent: Option<NodeId>, expected_version: Option<u64>) -> Result<Node> {
        let r = engine::nodes::move_node(&mut self.view, &self.ctx, &self.who, id, new_parent, expected_version);
        self.track(r)
    }

    /// Deletes an empty node and everything it owns. Returns `false` when there was no such
    /// node, so that a repeated delete can be treated as done. O(depth), plus range deletes of
    /// the node's own rows.
    ///
    /// "Empty" is 003's delete-when-empty rule: no children, no accounts, no allocations. What is data
    /// *of* the node goes with it instead of blocking it: its configuration properties,
    /// markups, password policy and 004's tenant documents (settings, which frees its SIP
    /// domain for other tenants, holidays, the balance ledger, custom SIP headers, voicemail
    /// settings). The recharges stay visible in the change feed until it is pruned; export a
    /// snapshot first to keep the ledger itself.
    ///
    /// # Errors
    ///
    /// `STILL_IN_USE` listing children by kind, accounts and allocations; `FORBIDDEN`.
    pub fn delete_node(&mut self, id: NodeId) -> Result<bool> {
        let r = engine::nodes::delete(&mut self.view, &self.ctx, &self.who, id);
        self.track(r)
    }

    /// Sets (`Some`) or removes (`None`) limits, all or nothing. O(depth) per limit, plus a
    /// scan of the subtree when lowering a limit below a stale bound.
    ///
    /// # Errors
    ///
    /// `INVALID_LIMIT` (below usage, above an ancestor, below a descendant, overcommit),
    /// `INVALID_ARGUMENT` (unknown resource), `NOT_FOUND`, `CONFLICT`, `FORBIDDEN`.
    pub fn set_limits(
        &mut self,
        id: NodeId,
        limits: &BTreeMap<String, Option<u64>>,
        expected_version: Option<u64>,
    ) -> Result<Node> {
        let r = engine::quota::set_limits(&mut self.view, &self.ctx, &self.who, id, limits, expected_version);
        self.track(r)
    }

    /// Takes `amount` of a resource on a node, within its own and every ancestor's limit.
    /// O(depth).
    ///
    /// # Errors
    ///
    /// `QUOTA_EXCEEDED` naming the node whose limit is hit, `SERVICE_DISABLED`,
    /// `INVALID_ARGUMENT` (counted resource, zero amount), `NOT_FOUND`, `FORBIDDEN`.
    pub fn allocate(&mut self, id: NodeId, resource: &str, amount: u64) -> Result<Quota> {
        let r = engine::quota::allocate(&mut self.view, &self.ctx, &self.who, id, resource, amount);
        self.track(r)
    }

    /// Gives back `amount` of a resource allocated on the node. O(depth).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` when more is released than allocated; `NOT_FOUND`, `FORBIDDEN`.
    pub fn release(&mut self, id: NodeId, resource: &str, amount: u64) -> Result<Quota> {
        let r = engine::quota::release(&mut self.view, &self.ctx, &self.who, id, resource, amount);
        self.track(r)
    }

    /// Creates an account bound to a node (or store-wide), hashing its password if given and
    /// queueing a welcome message if asked. O(depth) plus the hashing.
    ///
    /// # Errors
    ///
    /// `ALREADY_EXISTS` (username, ignoring case), `INVALID_ARGUMENT` (username, role, fields),
    /// `WEAK_PASSWORD`, `NOT_FOUND` (node), `FORBIDDEN` (`<kind>.instance.admins.create`, or a
    /// role with more rights than the caller's).
    pub fn create_account(&mut self, new: &NewAccount) -> Result<Account> {
        let r = engine::accounts::create(&mut self.view, &self.ctx, &self.who, new);
        self.track(r)
    }

    /// Changes an account's details, role or flags. An account may change its own names,
    /// mobile and e-mail; the rest needs `<kind>.instance.admins.update`.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`, `CONFLICT`, `INVALID_ARGUMENT`, `FORBIDDEN`.
    pub fn update_account(&mut self, id: AccountId, update: &AccountUpdate) -> Result<Account> {
        let r = engine::accounts::update(&mut self.view, &self.ctx, &self.who, id, update);
        self.track(r)
    }

    /// Deletes an account and its tokens; false when there was none (to the caller).
    ///
    /// # Errors
    ///
    /// `FORBIDDEN`.
    pub fn delete_account(&mut self, id: AccountId) -> Result<bool> {
        let r = engine::accounts::delete(&mut self.view, &self.ctx, &self.who, id);
        self.track(r)
    }

    /// Sets a password under the policy in force at the account's node. The account itself
    /// gives its current password (once it has one); an admin does not.
    ///
    /// # Errors
    ///
    /// `WEAK_PASSWORD` naming each broken rule, `UNAUTHENTICATED` (wrong current password),
    /// `NOT_FOUND`, `FORBIDDEN`.
    pub fn set_password(&mut self, id: AccountId, password: &str, current: Option<&str>) -> Result<Account> {
        let r = engine::accounts::set_password(&mut self.view, &self.ctx, &self.who, id, password, current);
        self.track(r)
    }

    /// Queues a welcome message for an account in the outbox (003).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (no e-mail), `NOT_FOUND`, `FORBIDDEN`.
    pub fn send_welcome(&mut self, id: AccountId) -> Result<Message> {
        let r = engine::accounts::send_welcome(&mut self.view, &self.ctx, &self.who, id);
        self.track(r)
    }

    /// Issues an API token for an account (the account itself, or its node's admins).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT`, `NOT_FOUND`, `FORBIDDEN`.
    pub fn issue_token(&mut self, account: AccountId, new: &NewToken) -> Result<IssuedToken> {
        let r = engine::auth::issue(&mut self.view, &self.ctx, &self.who, account, new, None);
        self.track(r)
    }

    /// Registers a token whose secret the host chose (16 to 256 printable ASCII characters),
    /// e.g. a configured admin token. Stored only hashed, like every token.
    ///
    /// # Errors
    ///
    /// `ALREADY_EXISTS` when a token with that secret exists; as
    /// [`issue_token`](Self::issue_token).
    pub fn register_token(&mut self, account: AccountId, new: &NewToken, secret: &str) -> Result<IssuedToken> {
        let r = engine::auth::issue(&mut self.view, &self.ctx, &self.who, account, new, Some(secret));
        self.track(r)
    }

    /// Revokes a token; false when there was none (to the caller).
    ///
    /// # Errors
    ///
    /// `FORBIDDEN`.
    pub fn revoke_token(&mut self, token: u64) -> Result<bool> {
        let r = engine::auth::revoke(&mut self.view, &self.ctx, &self.who, token);
        self.track(r)
    }

    /// Defines (or redefines) a custom role. System actor or a store-wide account allowed
    /// `store.roles.update`, and never with more rights than the caller's.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (name, patterns), `ALREADY_EXISTS` (a built-in name), `FORBIDDEN`.
    pub fn define_role(&mut self, role: &Role) -> Result<Role> {
        let r = self.require_store("store.roles.update").and_then(|()| {
            if !self.who.covers(&role.permissions) {
                return Err(Error::Forbidden {
                    action: format!("grant role {}", role.name),
                    target: "the store".into(),
                });
            }
            let defined = engine::roles::define(&mut self.view, role)?;
            let changes = serde_json::json!({"permissions": defined.permissions});
            let event = engine::feed::Event::on("role.define", "role", &defined.name, None, Some(changes))?;
            engine::feed::emit(&mut self.view, &self.ctx, &self.who, event)?;
            Ok(defined)
        });
        self.track(r)
    }

    /// Removes a custom role; false when there was none.
    ///
    /// # Errors
    ///
    /// `STILL_IN_USE` while accounts hold it, `INVALID_ARGUMENT` (built in), `FORBIDDEN`.
    pub fn delete_role(&mut self, name: &str) -> Result<bool> {
        let r = self.require_store("store.roles.delete").and_then(|()| {
            let removed = engine::roles::remove(&mut self.view, name)?;
            if removed {
                let event = engine::feed::Event::on("role.delete", "role", name, None, None)?;
                engine::feed::emit(&mut self.view, &self.ctx, &self.who, event)?;
            }
            Ok(removed)
        });
        self.track(r)
    }

    /// Sets (`Some`) or removes (`None`) the password policy of a node (`None`: the store
    /// default); it applies to the node's subtree, nearest policy first. O(depth).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (lengths), `NOT_FOUND`, `FORBIDDEN`.
    pub fn set_password_policy(
        &mut self,
        node: Option<NodeId>,
        policy: Option<&PasswordPolicy>,
    ) -> Result<EffectivePolicy> {
        let r = engine::accounts::set_policy(&mut self.view, &self.ctx, &self.who, node, policy);
        self.track(r)
    }

    /// Removes outbox messages up to and including `up_to`, once the host has sent them;
    /// how many were removed.
    ///
    /// # Errors
    ///
    /// `FORBIDDEN`.
    pub fn ack_outbox(&mut self, up_to: u64) -> Result<u64> {
        let r = engine::accounts::ack_outbox(&mut self.view, &self.who, up_to);
        self.track(r)
    }

    /// Adds or changes configuration properties of a namespace (003's POST: an upsert).
    /// Returns the namespace as the caller may read it. A secret (a key naming a password or
    /// token, at any depth in objects) given as [`MASK`](crate::MASK), what a masked read
    /// shows, keeps the value stored for it (and is left out where none is), so a document read
    /// masked can be written back without losing its secrets.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (namespace, keys, value sizes, too many keys), `NOT_FOUND`,
    /// `FORBIDDEN` (`<kind>.instance.configurations.<ns>.create`).
    pub fn upsert_props(&mut self, node: NodeId, namespace: &str, properties: &Properties) -> Result<Properties> {
        let r = engine::props::upsert(&mut self.view, &self.ctx, &self.who, node, namespace, properties);
        self.track(r)
    }

    /// Replaces every property of a namespace (003's PUT); a secret given as
    /// [`MASK`](crate::MASK) keeps its stored value, as in [`upsert_props`](Self::upsert_props).
    ///
    /// # Errors
    ///
    /// As [`upsert_props`](Self::upsert_props), with `.update`.
    pub fn replace_props(&mut self, node: NodeId, namespace: &str, properties: &Properties) -> Result<Properties> {
        let r = engine::props::replace(&mut self.view, &self.ctx, &self.who, node, namespace, properties);
        self.track(r)
    }

    /// Removes properties (003's DELETE); how many existed.
    ///
    /// # Errors
    ///
    /// As [`upsert_props`](Self::upsert_props), with `.delete`.
    pub fn delete_props(&mut self, node: NodeId, namespace: &str, keys: &[String]) -> Result<u64> {
        let r = engine::props::delete(&mut self.view, &self.ctx, &self.who, node, namespace, keys);
        self.track(r)
    }

    /// Adds a markup to a node's history, starting at `start` (now when `None`); one starting
    /// at the same time is replaced.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (percent out of range), `NOT_FOUND`, `FORBIDDEN`
    /// (`<kind>.instance.markups.update`).
    pub fn add_markup(
        &mut self,
        node: NodeId,
        percent: Decimal,
        start: Option<crate::ids::Timestamp>,
    ) -> Result<Markup> {
        let r = engine::markups::add(&mut self.view, &self.ctx, &self.who, node, percent, start);
        self.track(r)
    }

    /// Removes the markup starting at `start`; whether there was one.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`, `FORBIDDEN`.
    pub fn remove_markup(&mut self, node: NodeId, start: crate::ids::Timestamp) -> Result<bool> {
        let r = engine::markups::remove(&mut self.view, &self.ctx, &self.who, node, start);
        self.track(r)
    }

    /// Imports a snapshot into this (empty) store, in this transaction: every record is
    /// checked as a live write would be; on any failure nothing is kept. The system actor only.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (field `snapshot`) for a malformed, truncated or altered snapshot or
    /// a non-empty store; `SCHEMA_MISMATCH` (the snapshot's schema is neither this store's nor
    /// one that this store's only lets kinds hang in more places than); `INCOMPATIBLE_FORMAT`; a
    /// [`Error::Batch`] naming
    /// the record for a record that breaks a rule; `FORBIDDEN`.
    pub fn import_snapshot(
        &mut self,
        format: engine::snapshot::SnapshotFormat,
        input: &mut dyn std::io::Read,
    ) -> Result<engine::snapshot::SnapshotSummary> {
        let r = engine::snapshot::import(&mut self.view, &self.ctx, &self.who, format, input);
        self.track(r)
    }

    /// Removes the change-feed events committed before `before` (for a retention period such
    /// as 004's `log_retention`); how many went.
    ///
    /// # Errors
    ///
    /// `FORBIDDEN` unless the system or a store-wide account allowed `store.changes.prune`.
    pub fn prune_changes(&mut self, before: crate::ids::Timestamp) -> Result<u64> {
        let r = engine::feed::prune(&mut self.view, &self.who, before);
        self.track(r)
    }

    /// Changes a tenant's settings: only the fields given, all or nothing. `name` and
    /// `website` go to the node, the limits through [`set_limits`](Self::set_limits) (see
    /// [`TenantSettingsUpdate`] for the permissions each part needs). Returns the document,
    /// secrets masked. O(depth), plus what `set_limits` costs.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` naming the field, `ALREADY_EXISTS` (SIP domain or name taken),
    /// `INVALID_LIMIT`, `NOT_FOUND`, `FORBIDDEN` (`<kind>.instance.settings.update`, and
    /// `instance.update` or `instance.quotas.update` for the parts that need them).
    pub fn update_tenant_settings(&mut self, tenant: NodeId, update: &TenantSettingsUpdate) -> Result<TenantSettings> {
        let r = engine::tenant::settings::update(&mut self.view, &self.ctx, &self.who, tenant, update);
        self.track(r)
    }

    /// Creates a holiday of a tenant (at most 1000 per tenant). O(depth + its holidays).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (see [`NewHoliday`] for the rules), `QUOTA_EXCEEDED` (resource
    /// `holidays`), `NOT_FOUND`, `FORBIDDEN` (`<kind>.instance.holidays.create`).
    pub fn create_holiday(&mut self, tenant: NodeId, holiday: &NewHoliday) -> Result<Holiday> {
        let r = engine::tenant::holidays::create(&mut self.view, &self.ctx, &self.who, tenant, holiday);
        self.track(r)
    }

    /// Changes the fields given of a holiday. O(depth).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT`, `NOT_FOUND` (tenant or holiday), `FORBIDDEN`
    /// (`<kind>.instance.holidays.update`).
    pub fn update_holiday(&mut self, tenant: NodeId, id: HolidayId, update: &HolidayUpdate) -> Result<Holiday> {
        let r = engine::tenant::holidays::update(&mut self.view, &self.ctx, &self.who, tenant, id, update);
        self.track(r)
    }

    /// Deletes a holiday; false when the tenant has none with that id. O(depth).
    ///
    /// # Errors
    ///
    /// `NOT_FOUND` (tenant), `FORBIDDEN` (`<kind>.instance.holidays.delete`).
    pub fn delete_holiday(&mut self, tenant: NodeId, id: HolidayId) -> Result<bool> {
        let r = engine::tenant::holidays::delete(&mut self.view, &self.ctx, &self.who, tenant, id);
        self.track(r)
    }

    /// Recharges a tenant's balance (004): records `amount` in its ledger. O(depth).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (field `balance`) for an amount that is not positive, has more than
    /// five decimal places, or would take the balance to 10^29 or more; `NOT_FOUND`,
    /// `FORBIDDEN` (`<kind>.instance.balance.recharge`).
    pub fn recharge(&mut self, tenant: NodeId, amount: crate::Decimal) -> Result<LedgerEntry> {
        let r = engine::tenant::balance::recharge(&mut self.view, &self.ctx, &self.who, tenant, amount);
        self.track(r)
    }

    /// Replaces the custom-header lists given. O(depth).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (see [`AddedHeader`](crate::AddedHeader)), `NOT_FOUND`, `FORBIDDEN`
    /// (`<kind>.instance.settings.update`).
    pub fn set_custom_headers(&mut self, tenant: NodeId, update: &CustomHeadersUpdate) -> Result<CustomHeaders> {
        let r = engine::tenant::sip::set_headers(&mut self.view, &self.ctx, &self.who, tenant, update);
        self.track(r)
    }

    /// Changes the voicemail fields given. O(depth).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT`, `NOT_FOUND`, `FORBIDDEN` (`<kind>.instance.settings.update`).
    pub fn update_voicemail(&mut self, tenant: NodeId, update: &VoicemailUpdate) -> Result<VoicemailSettings> {
        let r = engine::tenant::sip::update_voicemail(&mut self.view, &self.ctx, &self.who, tenant, update);
        self.track(r)
    }

    fn require_store(&self, permission: &str) -> Result<()> {
        if self.who.sees_everything() {
            self.who.require_permission(permission, "the store")?;
            self.who.require_in_service(true)
        } else {
            Err(Error::Forbidden { action: permission.to_owned(), target: "the store".into() })
        }
    }

    /// Applies one batch operation.
    ///
    /// # Errors
    ///
    /// The operation's error.
    pub fn apply(&mut self, op: &Op) -> Result<OpOutput> {
        Ok(match op {
            Op::CreateNode(new) => OpOutput::Node(Box::new(self.create_node(new)?)),
            Op::UpdateNode { id, update } => OpOutput::Node(Box::new(self.update_node(*id, update)?)),
            Op::SetStatus { id, status, expected_version } => {
                OpOutput::Node(Box::new(self.set_status(*id, *status, *expected_version)?))
            }
            Op::MoveNode { id, parent, expected_version } => {
                OpOutput::Node(Box::new(self.move_node(*id, *parent, *expected_version)?))
            }
            Op::DeleteNode { id } => OpOutput::Deleted(self.delete_node(*id)?),
            Op::SetLimits { id, limits, expected_version } => {
                OpOutput::Node(Box::new(self.set_limits(*id, limits, *expected_version)?))
            }
            Op::Allocate { id, resource, amount } => OpOutput::Quota(self.allocate(*id, resource, *amount)?),
            Op::Release { id, resource, amount } => OpOutput::Quota(self.release(*id, resource, *amount)?),
            Op::CreateAccount(new) => OpOutput::Account(Box::new(self.create_account(new)?)),
            Op::UpdateAccount { id, update } => OpOutput::Account(Box::new(self.update_account(*id, update)?)),
            Op::DeleteAccount { id } => OpOutput::Deleted(self.delete_account(*id)?),
            Op::SetPasswordPolicy { node, policy } => {
                OpOutput::Policy(self.set_password_policy(*node, policy.as_ref())?)
            }
            Op::DefineRole(role) => OpOutput::Role(self.define_role(role)?),
            Op::DeleteRole { name } => OpOutput::Deleted(self.delete_role(name)?),
            Op::UpsertProps { node, namespace, properties } => {
                OpOutput::Properties(self.upsert_props(*node, namespace, properties)?)
            }
            Op::ReplaceProps { node, namespace, properties } => {
                OpOutput::Properties(self.replace_props(*node, namespace, properties)?)
            }
            Op::DeleteProps { node, namespace, keys } => OpOutput::Count(self.delete_props(*node, namespace, keys)?),
            Op::AddMarkup { node, percent, start } => OpOutput::Markup(self.add_markup(*node, *percent, *start)?),
            Op::RemoveMarkup { node, start } => OpOutput::Deleted(self.remove_markup(*node, *start)?),
            Op::UpdateTenantSettings { tenant, update } => {
                OpOutput::TenantSettings(Box::new(self.update_tenant_settings(*tenant, update)?))
            }
            Op::CreateHoliday { tenant, holiday } => {
                OpOutput::Holiday(Box::new(self.create_holiday(*tenant, holiday)?))
            }
            Op::UpdateHoliday { tenant, id, update } => {
                OpOutput::Holiday(Box::new(self.update_holiday(*tenant, *id, update)?))
            }
            Op::DeleteHoliday { tenant, id } => OpOutput::Deleted(self.delete_holiday(*tenant, *id)?),
            Op::Recharge { tenant, balance } => OpOutput::LedgerEntry(self.recharge(*tenant, *balance)?),
            Op::SetCustomHeaders { tenant, headers } => {
                OpOutput::CustomHeaders(self.set_custom_headers(*tenant, headers)?)
            }
            Op::UpdateVoicemail { tenant, update } => OpOutput::Voicemail(self.update_voicemail(*tenant, update)?),
        })
    }

    /// Applies operations in order, stopping at the first failure.
    ///
    /// # Errors
    ///
    /// [`Error::Batch`] with the failing index.
    pub fn apply_all(&mut self, ops: &[Op]) -> Result<Vec<OpOutput>> {
        let mut out = Vec::with_capacity(ops.len());
        for (index, op) in ops.iter().enumerate() {
            match self.apply(op) {
                Ok(o) => out.push(o),
                Err(e) => return Err(Error::Batch { index, source: Box::new(e) }),
            }
        }
        Ok(out)
    }
}

/// Single-operation shortcuts: each runs in a transaction of its own.
impl Store {
    /// [`ReadTx::get_node`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::get_node`].
    pub fn get_node(&self, actor: &Actor, id: NodeId) -> Result<Node> {
        self.read(actor, |tx| tx.get_node(id))
    }

    /// [`ReadTx::ancestors`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::ancestors`].
    pub fn ancestors(&self, actor: &Actor, id: NodeId) -> Result<Vec<Node>> {
        self.read(actor, |tx| tx.ancestors(id))
    }

    /// [`ReadTx::children`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::children`].
    pub fn children(&self, actor: &Actor, parent: Option<NodeId>, query: &ChildQuery) -> Result<Page<Node>> {
        self.read(actor, |tx| tx.children(parent, query))
    }

    /// [`ReadTx::child_summaries`] in its own snapshot.
    ///
    /// # Examples
    ///
    /// ```
    /// use tenantree::{Actor, ChildQuery, NewNode, Status, Store};
    ///
    /// let store = Store::in_memory()?;
    /// let sys = Actor::system();
    /// let root = store.create_node(&sys, NewNode::new("platform", "acme"))?;
    /// let dist = store.create_node(&sys, NewNode::new("distributor", "North").parent(root.id))?;
    /// store.create_node(&sys, NewNode::new("distributor", "east").parent(root.id))?;
    /// store.set_status(&sys, dist.id, Status::Disabled)?;
    ///
    /// let page = store.child_summaries(&sys, Some(root.id), &ChildQuery::default())?;
    /// let names: Vec<&str> = page.items.iter().map(|n| n.name.as_str()).collect();
    /// assert_eq!(names, ["east", "North"]); // by name, case folded
    /// assert_eq!(page.items[1].status, Status::Disabled);
    /// assert_eq!(page.items[1].depth, 2);
    /// # Ok::<(), tenantree::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`ReadTx::children`].
    pub fn child_summaries(
        &self,
        actor: &Actor,
        parent: Option<NodeId>,
        query: &ChildQuery,
    ) -> Result<Page<NodeSummary>> {
        self.read(actor, |tx| tx.child_summaries(parent, query))
    }

    /// [`ReadTx::child_summaries_with`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::children`].
    pub fn child_summaries_with<T>(
        &self,
        actor: &Actor,
        parent: Option<NodeId>,
        query: &ChildQuery,
        f: impl FnMut(NodeSummaryRef<'_>) -> T,
    ) -> Result<Page<T>> {
        self.read(actor, |tx| tx.child_summaries_with(parent, query, f))
    }

    /// [`ReadTx::descendants`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::descendants`].
    pub fn descendants(&self, actor: &Actor, root: Option<NodeId>, query: &DescendantQuery) -> Result<Page<Node>> {
        self.read(actor, |tx| tx.descendants(root, query))
    }

    /// [`ReadTx::kind_counts`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::kind_counts`].
    pub fn kind_counts(&self, actor: &Actor, id: Option<NodeId>) -> Result<BTreeMap<String, u64>> {
        self.read(actor, |tx| tx.kind_counts(id))
    }

    /// [`ReadTx::get_node_with_quotas`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::get_node_with_quotas`].
    pub fn get_node_with_quotas(&self, actor: &Actor, id: NodeId) -> Result<NodeWithQuotas> {
        self.read(actor, |tx| tx.get_node_with_quotas(id))
    }

    /// [`ReadTx::get_node_with_quotas_into`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::get_node_with_quotas_into`].
    pub fn get_node_with_quotas_into(&self, actor: &Actor, id: NodeId, out: &mut NodeWithQuotas) -> Result<()> {
        self.read(actor, |tx| tx.get_node_with_quotas_into(id, out))
    }

    /// [`ReadTx::quotas`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::quotas`].
    pub fn quotas(&self, actor: &Actor, id: NodeId) -> Result<Vec<Quota>> {
        self.read(actor, |tx| tx.quotas(id))
    }

    /// [`WriteTx::create_node`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::create_node`].
    pub fn create_node(&self, actor: &Actor, new: NewNode) -> Result<Node> {
        self.write(actor, |tx| tx.create_node(&new))
    }

    /// [`WriteTx::update_node`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::update_node`].
    pub fn update_node(&self, actor: &Actor, id: NodeId, update: &NodeUpdate) -> Result<Node> {
        self.write(actor, |tx| tx.update_node(id, update))
    }

    /// [`WriteTx::set_status`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::set_status`].
    pub fn set_status(&self, actor: &Actor, id: NodeId, status: Status) -> Result<Node> {
        self.write(actor, |tx| tx.set_status(id, status, None))
    }

    /// [`WriteTx::move_node`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::move_node`].
    pub fn move_node(&self, actor: &Actor, id: NodeId, new_parent: Option<NodeId>) -> Result<Node> {
        self.write(actor, |tx| tx.move_node(id, new_parent, None))
    }

    /// [`WriteTx::delete_node`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::delete_node`].
    pub fn delete_node(&self, actor: &Actor, id: NodeId) -> Result<bool> {
        self.write(actor, |tx| tx.delete_node(id))
    }

    /// [`WriteTx::set_limits`] with a single limit, in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::set_limits`].
    pub fn set_limit(&self, actor: &Actor, id: NodeId, resource: &str, limit: Option<u64>) -> Result<Node> {
        let changes = BTreeMap::from([(resource.to_owned(), limit)]);
        self.write(actor, |tx| tx.set_limits(id, &changes, None))
    }

    /// [`WriteTx::allocate`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::allocate`].
    pub fn allocate(&self, actor: &Actor, id: NodeId, resource: &str, amount: u64) -> Result<Quota> {
        self.write(actor, |tx| tx.allocate(id, resource, amount))
    }

    /// Logs in with a username (ignoring case) and password.
    ///
    /// # Errors
    ///
    /// `UNAUTHENTICATED`, the same for an unknown user, a wrong or unset password and a
    /// disabled account, after the same amount of hashing.
    pub fn login(&self, username: &str, password: &str) -> Result<Session> {
        let decoy = self.inner.decoy.get_or_init(|| engine::auth::decoy_hash(&self.inner.password));
        self.with_view(|view| engine::auth::login(view, decoy, username, password))
    }

    /// Checks an API token secret.
    ///
    /// # Errors
    ///
    /// `UNAUTHENTICATED` for an unknown, revoked or expired token, or a disabled account.
    pub fn authenticate(&self, token: &str) -> Result<Session> {
        self.with_view(|view| engine::auth::authenticate(view, self.inner.clock.now(), token))
    }

    /// [`WriteTx::create_account`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::create_account`].
    pub fn create_account(&self, actor: &Actor, new: NewAccount) -> Result<Account> {
        self.write(actor, |tx| tx.create_account(&new))
    }

    /// [`ReadTx::get_account`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::get_account`].
    pub fn get_account(&self, actor: &Actor, id: AccountId) -> Result<Account> {
        self.read(actor, |tx| tx.get_account(id))
    }

    /// [`WriteTx::issue_token`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::issue_token`].
    pub fn issue_token(&self, actor: &Actor, account: AccountId, new: &NewToken) -> Result<IssuedToken> {
        self.write(actor, |tx| tx.issue_token(account, new))
    }

    /// Writes a snapshot of the store (or a subtree) from one consistent read.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::export_snapshot`].
    ///
    /// # Examples
    ///
    /// ```
    /// use tenantree::{Actor, NewNode, SnapshotFormat, Store};
    ///
    /// let sys = Actor::system();
    /// let a = Store::in_memory()?;
    /// a.create_node(&sys, NewNode::new("platform", "acme"))?;
    /// let mut bytes = Vec::new();
    /// a.export_snapshot(&sys, None, SnapshotFormat::Binary, &mut bytes)?;
    /// let b = Store::in_memory()?;
    /// let summary = b.import_snapshot(&sys, SnapshotFormat::Binary, &mut bytes.as_slice())?;
    /// assert_eq!(summary.nodes, 1);
    /// # Ok::<(), tenantree::Error>(())
    /// ```
    pub fn export_snapshot(
        &self,
        actor: &Actor,
        root: Option<NodeId>,
        format: engine::snapshot::SnapshotFormat,
        out: &mut dyn std::io::Write,
    ) -> Result<engine::snapshot::SnapshotSummary> {
        self.read(actor, |tx| tx.export_snapshot(root, format, out))
    }

    /// Imports a snapshot into this empty store in one transaction (see
    /// [`WriteTx::import_snapshot`]).
    ///
    /// # Errors
    ///
    /// As [`WriteTx::import_snapshot`].
    pub fn import_snapshot(
        &self,
        actor: &Actor,
        format: engine::snapshot::SnapshotFormat,
        input: &mut dyn std::io::Read,
    ) -> Result<engine::snapshot::SnapshotSummary> {
        self.write(actor, |tx| tx.import_snapshot(format, input))
    }

    /// The schema a snapshot was taken with (read from its header), e.g. to create the store
    /// to import it into.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` (field `snapshot`), `INCOMPATIBLE_FORMAT`.
    pub fn snapshot_schema(format: engine::snapshot::SnapshotFormat, input: &mut dyn std::io::Read) -> Result<Schema> {
        engine::snapshot::read_schema(format, input)
    }

    /// [`WriteTx::release`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::release`].
    pub fn release(&self, actor: &Actor, id: NodeId, resource: &str, amount: u64) -> Result<Quota> {
        self.write(actor, |tx| tx.release(id, resource, amount))
    }

    /// [`ReadTx::tenant_settings`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::tenant_settings`].
    ///
    /// # Examples
    ///
    /// 004's tenant documents hang on nodes of a tenant kind: settings, holidays, the balance
    /// ledger, custom SIP headers and voicemail settings.
    ///
    /// ```
    /// use tenantree::{Actor, NewHoliday, NewNode, Store, TenantSettingsUpdate};
    ///
    /// let store = Store::in_memory()?;
    /// let sys = Actor::system();
    /// let platform = store.create_node(&sys, NewNode::new("platform", "acme"))?;
    /// let dist = store.create_node(&sys, NewNode::new("distributor", "north").parent(platform.id))?;
    /// let sub = store.create_node(&sys, NewNode::new("sub_distributor", "ne").parent(dist.id))?;
    /// let shop = store.create_node(&sys, NewNode::new("reseller", "shop").parent(sub.id))?;
    /// let t = store.create_node(&sys, NewNode::new("tenant", "bakery").parent(shop.id))?.id;
    ///
    /// assert_eq!(store.tenant_settings(&sys, t)?.currency, "USD"); // 004's default
    /// let update = TenantSettingsUpdate {
    ///     domain: Some("sip.bakery.example".into()),
    ///     timezone: Some("Europe/Brussels".into()),
    ///     ..Default::default()
    /// };
    /// assert_eq!(store.update_tenant_settings(&sys, t, &update)?.timezone, "Europe/Brussels");
    ///
    /// let h = store.create_holiday(&sys, t, &NewHoliday::yearly("Christmas", (12, 25), (12, 26)))?;
    /// assert_eq!(store.holiday(&sys, t, h.id)?.name, "Christmas");
    ///
    /// store.recharge(&sys, t, "10.5".parse()?)?;
    /// let entry = store.recharge(&sys, t, "0.00001".parse()?)?;
    /// assert_eq!(entry.balance.to_string(), "10.50001");
    /// // More than five decimal places is refused.
    /// assert_eq!(store.recharge(&sys, t, "0.000001".parse()?).unwrap_err().code(), "INVALID_ARGUMENT");
    /// # Ok::<(), tenantree::Error>(())
    /// ```
    pub fn tenant_settings(&self, actor: &Actor, tenant: NodeId) -> Result<TenantSettings> {
        self.read(actor, |tx| tx.tenant_settings(tenant))
    }

    /// [`WriteTx::update_tenant_settings`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::update_tenant_settings`].
    pub fn update_tenant_settings(
        &self,
        actor: &Actor,
        tenant: NodeId,
        update: &TenantSettingsUpdate,
    ) -> Result<TenantSettings> {
        self.write(actor, |tx| tx.update_tenant_settings(tenant, update))
    }

    /// [`ReadTx::tenant_status`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::tenant_status`].
    pub fn tenant_status(&self, actor: &Actor, tenant: NodeId) -> Result<TenantStatus> {
        self.read(actor, |tx| tx.tenant_status(tenant))
    }

    /// [`ReadTx::holidays`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::holidays`].
    pub fn holidays(&self, actor: &Actor, tenant: NodeId, query: &HolidayQuery) -> Result<HolidayPage> {
        self.read(actor, |tx| tx.holidays(tenant, query))
    }

    /// [`WriteTx::create_holiday`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::create_holiday`].
    pub fn create_holiday(&self, actor: &Actor, tenant: NodeId, holiday: &NewHoliday) -> Result<Holiday> {
        self.write(actor, |tx| tx.create_holiday(tenant, holiday))
    }

    /// [`ReadTx::tenant_settings_with_secrets`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::tenant_settings_with_secrets`].
    pub fn tenant_settings_with_secrets(&self, actor: &Actor, tenant: NodeId) -> Result<TenantSettings> {
        self.read(actor, |tx| tx.tenant_settings_with_secrets(tenant))
    }

    /// [`ReadTx::holiday`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::holiday`].
    pub fn holiday(&self, actor: &Actor, tenant: NodeId, id: HolidayId) -> Result<Holiday> {
        self.read(actor, |tx| tx.holiday(tenant, id))
    }

    /// [`WriteTx::update_holiday`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::update_holiday`].
    pub fn update_holiday(
        &self,
        actor: &Actor,
        tenant: NodeId,
        id: HolidayId,
        update: &HolidayUpdate,
    ) -> Result<Holiday> {
        self.write(actor, |tx| tx.update_holiday(tenant, id, update))
    }

    /// [`WriteTx::delete_holiday`] in its own transaction (004's `destroy`).
    ///
    /// # Errors
    ///
    /// As [`WriteTx::delete_holiday`].
    pub fn delete_holiday(&self, actor: &Actor, tenant: NodeId, id: HolidayId) -> Result<bool> {
        self.write(actor, |tx| tx.delete_holiday(tenant, id))
    }

    /// [`ReadTx::custom_headers`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::custom_headers`].
    pub fn custom_headers(&self, actor: &Actor, tenant: NodeId) -> Result<CustomHeaders> {
        self.read(actor, |tx| tx.custom_headers(tenant))
    }

    /// [`ReadTx::voicemail`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::voicemail`].
    pub fn voicemail(&self, actor: &Actor, tenant: NodeId) -> Result<VoicemailSettings> {
        self.read(actor, |tx| tx.voicemail(tenant))
    }

    /// [`WriteTx::recharge`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::recharge`].
    pub fn recharge(&self, actor: &Actor, tenant: NodeId, amount: crate::Decimal) -> Result<LedgerEntry> {
        self.write(actor, |tx| tx.recharge(tenant, amount))
    }

    /// [`ReadTx::balance`] in its own snapshot.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::balance`].
    pub fn balance(&self, actor: &Actor, tenant: NodeId, query: &LedgerQuery) -> Result<Balance> {
        self.read(actor, |tx| tx.balance(tenant, query))
    }

    /// [`WriteTx::set_custom_headers`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::set_custom_headers`].
    pub fn set_custom_headers(
        &self,
        actor: &Actor,
        tenant: NodeId,
        update: &CustomHeadersUpdate,
    ) -> Result<CustomHeaders> {
        self.write(actor, |tx| tx.set_custom_headers(tenant, update))
    }

    /// [`WriteTx::update_voicemail`] in its own transaction.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::update_voicemail`].
    pub fn update_voicemail(
        &self,
        actor: &Actor,
        tenant: NodeId,
        update: &VoicemailUpdate,
    ) -> Result<VoicemailSettings> {
        self.write(actor, |tx| tx.update_voicemail(tenant, update))
    }
}

#[cfg(test)]
mod send_sync {
    /// A store is shared between threads (an `Arc<Store>` in a server).
    #[test]
    fn a_store_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<super::Store>();
    }
}
