//! `Store`: the core's store handle as a JS class.

use std::cell::Cell;
use std::rc::Rc;

use tenantree::{
    AccountId, Actor, DescendantQuery, NewAccount, NewNode, NewToken, NodeId, NodeUpdate, Op, SnapshotFormat, Status,
};
use wasm_bindgen::prelude::*;

use crate::convert::{
    SHORT_STR, actor_arg, arg, arg_with, child_query_arg, error, give_memory, hot_ret, id_arg, invalid, opt_id_arg,
    primitive_arg, ret, short_str_arg, to_js, u64_arg, wire_to_js,
};
use crate::env::ClockPin;
use crate::opfs;
use crate::options::StoreOptions;
use crate::tx::{Desk, Outcome, bytes_arg, run_read, run_write, snapshot_export};
use tenantree_wasm_hot as hot;

/// A tenantree store: a tree of channel partners and tenants with quotas that roll up,
/// cascading status and delete-when-empty, every rule checked inside the write transaction.
///
/// Every operation takes the actor it runs as, first: `{ type: "system" }` for the embedding
/// application. Records go in and come out as plain objects (see the TypeScript types); every
/// error is an `Error` named `TenantreeError` with a stable `code` and a `details` object.
#[wasm_bindgen]
pub struct Store {
    pub(crate) inner: tenantree::Store,
    /// Set while an operation runs. wasm is single-threaded, so a second operation can only
    /// start from inside the first (a transaction callback calling the store instead of its
    /// `tx`), which would wait on the first forever: it is refused instead.
    busy: Rc<Cell<bool>>,
    /// The seed-API dispatcher of `handle` and `fetchHandler`, set up on first use or by
    /// `configureApi`.
    pub(crate) api: std::cell::RefCell<Option<tenantree_api::Api>>,
    /// The transaction objects lent to `read` and `write` callbacks.
    reads: Desk<tenantree::ReadTx<'static>>,
    writes: Desk<tenantree::WriteTx<'static, 'static>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("inner", &self.inner).finish_non_exhaustive()
    }
}

/// Clears the store's busy flag when an operation ends.
pub(crate) struct Busy(Rc<Cell<bool>>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.set(false);
    }
}

impl Store {
    fn new(inner: tenantree::Store) -> Store {
        give_memory();
        Store {
            inner,
            busy: Rc::new(Cell::new(false)),
            api: std::cell::RefCell::new(None),
            reads: Desk::new(),
            writes: Desk::new(),
        }
    }

    /// Marks the store busy for the duration of one operation.
    pub(crate) fn enter(&self) -> Result<Busy, JsValue> {
        ClockPin::clear();
        if self.busy.replace(true) {
            return Err(invalid(
                "store",
                "another operation of this store is running: inside a read or write callback, \
                 use its tx instead of the store",
            ));
        }
        Ok(Busy(Rc::clone(&self.busy)))
    }

    /// Opens a store through the builder the options describe.
    fn open(
        options: &JsValue,
        open: impl FnOnce(tenantree::StoreBuilder) -> tenantree::Result<tenantree::Store>,
    ) -> Result<Store, JsValue> {
        let options: Option<StoreOptions> = arg("options", options)?;
        let builder = options.unwrap_or_default().builder()?;
        open(builder).map(Store::new).map_err(|e| error(&e))
    }

    /// The result of a transaction: the callback's value, or what it threw, or the core's
    /// error (a failed commit).
    fn finish(result: tenantree::Result<JsValue>, thrown: Option<JsValue>) -> Result<JsValue, JsValue> {
        match (result, thrown) {
            (_, Some(thrown)) => Err(thrown),
            (Ok(value), None) => Ok(value),
            (Err(e), None) => Err(error(&e)),
        }
    }
}

/// The value the core sees when a callback threw; the JS value thrown is what reaches the
/// caller.
fn callback_threw() -> tenantree::Error {
    tenantree::Error::InvalidArgument { field: "callback".to_owned(), reason: "threw".to_owned() }
}

#[wasm_bindgen]
impl Store {
    /// A fresh store in memory (`Store.inMemory()` with the same options).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for bad options or an invalid schema.
    #[wasm_bindgen(constructor)]
    pub fn constructor(
        #[wasm_bindgen(unchecked_optional_param_type = "StoreOptions")] options: JsValue,
    ) -> Result<Store, JsValue> {
        Store::in_memory(options)
    }

    /// A fresh store in memory. Export it with `exportImage()`.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for bad options or an invalid schema.
    #[wasm_bindgen(js_name = inMemory)]
    pub fn in_memory(
        #[wasm_bindgen(unchecked_optional_param_type = "StoreOptions")] options: JsValue,
    ) -> Result<Store, JsValue> {
        Store::open(&options, tenantree::StoreBuilder::in_memory)
    }

    /// A store in memory from a file image (`exportImage()`, or a store file's bytes).
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` when `image` is not a non-empty `Uint8Array`; `INCOMPATIBLE_FORMAT`
    /// for bytes that are not a store of this format, truncated ones included;
    /// `SCHEMA_MISMATCH`; `STORAGE`.
    #[wasm_bindgen(js_name = fromImage)]
    pub fn from_image(
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] image: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "StoreOptions")] options: JsValue,
    ) -> Result<Store, JsValue> {
        let bytes =
            image.dyn_ref::<js_sys::Uint8Array>().ok_or_else(|| invalid("image", "must be a Uint8Array"))?.to_vec();
        Store::open(&options, |b| b.from_image(bytes))
    }

    /// A durable store on an Origin Private File System file, opened through its
    /// `FileSystemSyncAccessHandle` (dedicated Web Workers only). The store owns the handle
    /// and closes it when freed. Every commit is flushed to the file (unless `durability` is
    /// `bulk`), and redb's crash safety holds: a store closed by a reload or a crash opens at
    /// its last commit.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` when `handle` lacks the methods of a sync access handle;
    /// `INCOMPATIBLE_FORMAT`, `SCHEMA_MISMATCH`, `STORAGE`.
    #[wasm_bindgen(js_name = openBackend)]
    pub fn open_backend(
        #[wasm_bindgen(unchecked_param_type = "SyncAccessHandle")] handle: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "StoreOptions")] options: JsValue,
    ) -> Result<Store, JsValue> {
        let backend = opfs::OpfsBackend::new(handle)?;
        Store::open(&options, |b| b.open_backend(backend))
    }

    /// Opens (creating if missing) the store in the Origin Private File System file `name`:
    /// `openBackend` on a fresh sync access handle. Dedicated Web Workers only.
    ///
    /// # Errors
    ///
    /// `ALREADY_OPEN` when another worker or tab holds the file; `INVALID_ARGUMENT` outside a
    /// worker or for a bad name; as `openBackend`.
    #[wasm_bindgen(js_name = openOpfs)]
    pub async fn open_opfs(
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "StoreOptions")] options: JsValue,
    ) -> Result<Store, JsValue> {
        let name: String = primitive_arg("name", &name)?;
        let handle = opfs::open_sync_access_handle(&name).await?;
        Store::open_backend(handle, options)
    }

    /// The store's schema.
    ///
    /// # Errors
    ///
    /// Only if the schema cannot be passed to JS.
    #[wasm_bindgen(unchecked_return_type = "Schema")]
    pub fn schema(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.schema())
    }

    /// Runs `callback(tx)` in a read transaction: a consistent snapshot. Returns what the
    /// callback returns; rethrows what it throws. The callback must be synchronous, and `tx`
    /// works only inside it.
    ///
    /// # Errors
    ///
    /// What the callback throws; `INVALID_ARGUMENT` for an asynchronous callback.
    #[wasm_bindgen(unchecked_return_type = "any")]
    pub fn read(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(tx: ReadTx) => any")] callback: &js_sys::Function,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let mut thrown = None;
        let result = self.inner.read(&actor, |tx| match run_read(&self.reads, callback, tx) {
            Outcome::Returned(value) => Ok(value),
            Outcome::Threw(value) => {
                thrown = Some(value);
                Err(callback_threw())
            }
        });
        Store::finish(result, thrown)
    }

    /// Runs `callback(tx)` in a write transaction and commits when it returns; when it throws,
    /// nothing of it is kept and the exception reaches the caller. Returns what the callback
    /// returns. The callback must be synchronous, and `tx` works only inside it.
    ///
    /// # Errors
    ///
    /// What the callback throws; `INVALID_ARGUMENT` for an asynchronous callback; `STORAGE`
    /// when the commit fails.
    #[wasm_bindgen(unchecked_return_type = "any")]
    pub fn write(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(tx: WriteTx) => any")] callback: &js_sys::Function,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let mut thrown = None;
        let result = self.inner.write(&actor, |tx| match run_write(&self.writes, callback, tx) {
            Outcome::Returned(value) => Ok(value),
            Outcome::Threw(value) => {
                thrown = Some(value);
                Err(callback_threw())
            }
        });
        Store::finish(result, thrown)
    }

    /// Runs operations in one transaction: all of them or none.
    ///
    /// # Errors
    ///
    /// The failing operation's error, whose `details` are `{ index, source }`.
    #[wasm_bindgen(unchecked_return_type = "OpOutput[]")]
    pub fn batch(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Op[]")] ops: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let ops: Vec<Op> = arg("ops", &ops)?;
        ret(self.inner.batch(&actor, &ops))
    }

    /// Makes every committed write durable (a no-op unless `durability` is `bulk`).
    ///
    /// # Errors
    ///
    /// `STORAGE`.
    pub fn flush(&self) -> Result<(), JsValue> {
        let _busy = self.enter()?;
        self.inner.flush().map_err(|e| error(&e))
    }

    /// Gives free pages at the end of the file back; `true` when it did.
    ///
    /// # Errors
    ///
    /// `STORAGE`.
    pub fn compact(&self) -> Result<bool, JsValue> {
        let _busy = self.enter()?;
        self.inner.compact().map_err(|e| error(&e))
    }

    /// The integrity check: every index and roll-up recomputed, every rule re-verified.
    ///
    /// # Errors
    ///
    /// `STORAGE`.
    #[wasm_bindgen(unchecked_return_type = "CheckReport")]
    pub fn check(&self) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        ret(self.inner.check())
    }

    /// The store's file image: redb's file, holding every commit. Open it again with
    /// `Store.fromImage`, or write it to a file that the Rust `Store::open` reads.
    ///
    /// # Errors
    ///
    /// `STORAGE`.
    #[wasm_bindgen(js_name = exportImage)]
    pub fn export_image(&self) -> Result<Vec<u8>, JsValue> {
        let _busy = self.enter()?;
        self.inner.export_image().map_err(|e| error(&e))
    }

    /// One node, with its effective status.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`.
    #[wasm_bindgen(js_name = getNode, unchecked_return_type = "Node")]
    pub fn get_node(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: NodeId = id_arg("id", &id)?;
        hot_ret(self.inner.get_node(&actor, id), hot::Wire::node)
    }

    /// The node's ancestors, top-down.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`.
    #[wasm_bindgen(unchecked_return_type = "Node[]")]
    pub fn ancestors(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: NodeId = id_arg("id", &id)?;
        ret(self.inner.ancestors(&actor, id))
    }

    /// Children of a node (`null`: the top level), filtered, searched, sorted and paged.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for a bad query or cursor; `NOT_FOUND`.
    #[wasm_bindgen(unchecked_return_type = "Page<Node>")]
    pub fn children(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId | null")] parent: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ChildQuery")] query: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let parent: Option<NodeId> = opt_id_arg("parent", &parent)?;
        let query = child_query_arg(&query)?;
        hot_ret(self.inner.children(&actor, parent, &query), hot::Wire::node_page)
    }

    /// As `children`, each child as a `NodeSummary` (id, kind, parent, name, status, effective
    /// status, depth): sorted by name, a page is one range scan that reads no node record.
    ///
    /// # Errors
    ///
    /// As `children`.
    #[wasm_bindgen(js_name = childSummaries, unchecked_return_type = "Page<NodeSummary>")]
    pub fn child_summaries(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId | null")] parent: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ChildQuery")] query: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let parent: Option<NodeId> = opt_id_arg("parent", &parent)?;
        let query = child_query_arg(&query)?;
        wire_to_js(hot::SummaryPageWire::from_store(&self.inner, &actor, parent, &query).map_err(|e| error(&e))?)
    }

    /// Descendants of one kind under a node (`null`: the whole store), in tree order.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for a bad query or cursor; `NOT_FOUND`.
    #[wasm_bindgen(unchecked_return_type = "Page<Node>")]
    pub fn descendants(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId | null")] root: JsValue,
        #[wasm_bindgen(unchecked_param_type = "DescendantQuery")] query: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let root: Option<NodeId> = primitive_arg("root", &root)?;
        let query: DescendantQuery = arg("query", &query)?;
        hot_ret(self.inner.descendants(&actor, root, &query), hot::Wire::node_page)
    }

    /// How many descendants of each kind a node (`null` or absent: the store) has.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`.
    #[wasm_bindgen(js_name = kindCounts, unchecked_return_type = "Record<string, number>")]
    pub fn kind_counts(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "NodeId | null")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: Option<NodeId> = primitive_arg("id", &id)?;
        ret(self.inner.kind_counts(&actor, id))
    }

    /// A node and every resource's quota at it, `{ node, quotas }`: `getNode` and `quotas` in
    /// one snapshot and one call, which walks up the tree once.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`.
    #[wasm_bindgen(js_name = getNodeWithQuotas, unchecked_return_type = "NodeWithQuotas")]
    pub fn get_node_with_quotas(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: NodeId = id_arg("id", &id)?;
        wire_to_js(hot::Wire::node_with_quotas_from_store(&self.inner, &actor, id).map_err(|e| error(&e))?)
    }

    /// Every resource's limit, usage and room at a node.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`.
    #[wasm_bindgen(unchecked_return_type = "Quota[]")]
    pub fn quotas(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: NodeId = id_arg("id", &id)?;
        hot_ret(self.inner.quotas(&actor, id), hot::Wire::quotas)
    }

    /// Creates a node.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT`, `KIND_NOT_ALLOWED`, `DEPTH_EXCEEDED`, `NOT_FOUND`,
    /// `SERVICE_DISABLED`, `ALREADY_EXISTS`, `QUOTA_EXCEEDED`, `INVALID_LIMIT`.
    #[wasm_bindgen(js_name = createNode, unchecked_return_type = "Node")]
    pub fn create_node(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NewNode")] node: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let node: NewNode = arg_with("node", &node, hot::new_node)?;
        hot_ret(self.inner.create_node(&actor, node), hot::Wire::node)
    }

    /// Changes a node's name and profile fields: absent fields stay, `null` clears.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`, `CONFLICT`, `INVALID_ARGUMENT`, `ALREADY_EXISTS`.
    #[wasm_bindgen(js_name = updateNode, unchecked_return_type = "Node")]
    pub fn update_node(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeUpdate")] update: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: NodeId = id_arg("id", &id)?;
        let update: NodeUpdate = arg("update", &update)?;
        hot_ret(self.inner.update_node(&actor, id, &update), hot::Wire::node)
    }

    /// Enables, disables or suspends a node; the effect cascades to its subtree.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`.
    #[wasm_bindgen(js_name = setStatus, unchecked_return_type = "Node")]
    pub fn set_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Status")] status: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: NodeId = id_arg("id", &id)?;
        let status: Status = arg("status", &status)?;
        hot_ret(self.inner.set_status(&actor, id, status), hot::Wire::node)
    }

    /// Moves a node with its subtree under a new parent (`null`: the top level).
    ///
    /// # Errors
    ///
    /// `CYCLE`, `KIND_NOT_ALLOWED`, `DEPTH_EXCEEDED`, `QUOTA_EXCEEDED`, `INVALID_LIMIT`,
    /// `SERVICE_DISABLED`, `ALREADY_EXISTS`, `NOT_FOUND`.
    #[wasm_bindgen(js_name = moveNode, unchecked_return_type = "Node")]
    pub fn move_node(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(js_name = newParent, unchecked_param_type = "NodeId | null")] new_parent: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: NodeId = id_arg("id", &id)?;
        let new_parent: Option<NodeId> = primitive_arg("newParent", &new_parent)?;
        hot_ret(self.inner.move_node(&actor, id, new_parent), hot::Wire::node)
    }

    /// Deletes an empty node; `false` when there was no such node.
    ///
    /// # Errors
    ///
    /// `STILL_IN_USE` naming the blocking children and allocations.
    #[wasm_bindgen(js_name = deleteNode)]
    pub fn delete_node(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
    ) -> Result<bool, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: NodeId = id_arg("id", &id)?;
        self.inner.delete_node(&actor, id).map_err(|e| error(&e))
    }

    /// Sets (a number) or removes (`null`) one limit.
    ///
    /// # Errors
    ///
    /// `INVALID_LIMIT`, `INVALID_ARGUMENT`, `NOT_FOUND`.
    #[wasm_bindgen(js_name = setLimit, unchecked_return_type = "Node")]
    pub fn set_limit(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] resource: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number | null")] limit: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: NodeId = id_arg("id", &id)?;
        let resource: String = primitive_arg("resource", &resource)?;
        let limit: Option<u64> = arg("limit", &limit)?;
        hot_ret(self.inner.set_limit(&actor, id, &resource, limit), hot::Wire::node)
    }

    /// Takes `amount` of a resource on a node, within its own and every ancestor's limit.
    ///
    /// # Errors
    ///
    /// `QUOTA_EXCEEDED` naming the node whose limit is hit, `SERVICE_DISABLED`,
    /// `INVALID_ARGUMENT`, `NOT_FOUND`.
    #[wasm_bindgen(unchecked_return_type = "Quota")]
    pub fn allocate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] resource: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] amount: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: NodeId = id_arg("id", &id)?;
        let mut buf = [0; SHORT_STR];
        let resource = short_str_arg("resource", &resource, &mut buf)?;
        let amount = u64_arg("amount", &amount)?;
        hot_ret(self.inner.allocate(&actor, id, &resource, amount), hot::Wire::quota)
    }

    /// Checks a username and password; the session carries the account's actor.
    ///
    /// # Errors
    ///
    /// `UNAUTHENTICATED` for any wrong part (deliberately not saying which).
    #[wasm_bindgen(unchecked_return_type = "Session")]
    pub fn login(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] username: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] password: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let username: String = primitive_arg("username", &username)?;
        let password: String = primitive_arg("password", &password)?;
        ret(self.inner.login(&username, &password))
    }

    /// Checks an API token's secret; the session carries the account's actor.
    ///
    /// # Errors
    ///
    /// `UNAUTHENTICATED` for an unknown, revoked or expired token.
    #[wasm_bindgen(unchecked_return_type = "Session")]
    pub fn authenticate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] token: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let token: String = primitive_arg("token", &token)?;
        ret(self.inner.authenticate(&token))
    }

    /// Creates an account.
    ///
    /// # Errors
    ///
    /// `ALREADY_EXISTS` (username), `INVALID_ARGUMENT` (password policy, role), `NOT_FOUND`,
    /// `FORBIDDEN`.
    #[wasm_bindgen(js_name = createAccount, unchecked_return_type = "Account")]
    pub fn create_account(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NewAccount")] account: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let account: NewAccount = arg("account", &account)?;
        ret(self.inner.create_account(&actor, account))
    }

    /// One account.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`.
    #[wasm_bindgen(js_name = getAccount, unchecked_return_type = "Account")]
    pub fn get_account(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "AccountId")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: AccountId = arg("id", &id)?;
        ret(self.inner.get_account(&actor, id))
    }

    /// Issues an API token; its secret is in the result and nowhere else.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`, `FORBIDDEN`, `INVALID_ARGUMENT`.
    #[wasm_bindgen(js_name = issueToken, unchecked_return_type = "IssuedToken")]
    pub fn issue_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "AccountId")] account: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NewToken")] token: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let account: AccountId = arg("account", &account)?;
        let token: NewToken = arg("token", &token)?;
        ret(self.inner.issue_token(&actor, account, &token))
    }

    /// A logical snapshot of the store (`root` `null`) or a subtree, in `binary` or `json`:
    /// `{ bytes, summary }`. Unlike `exportImage`, it is portable between versions.
    ///
    /// # Errors
    ///
    /// `NOT_FOUND`, `FORBIDDEN`, `STORAGE`.
    #[wasm_bindgen(js_name = exportSnapshot, unchecked_return_type = "SnapshotExport")]
    pub fn export_snapshot(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId | null")] root: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SnapshotFormat")] format: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let root: Option<NodeId> = primitive_arg("root", &root)?;
        let format: SnapshotFormat = arg("format", &format)?;
        let mut bytes = Vec::new();
        let summary = self.inner.export_snapshot(&actor, root, format, &mut bytes).map_err(|e| error(&e))?;
        snapshot_export(&bytes, &summary)
    }

    /// Imports a logical snapshot into this (empty) store, all or nothing.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` for a store that is not empty; `CORRUPTED` for a damaged,
    /// truncated or hostile snapshot (the store stays empty); `SCHEMA_MISMATCH`.
    #[wasm_bindgen(js_name = importSnapshot, unchecked_return_type = "SnapshotSummary")]
    pub fn import_snapshot(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SnapshotFormat")] format: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let format: SnapshotFormat = arg("format", &format)?;
        let bytes = bytes_arg("bytes", &bytes)?;
        ret(self.inner.import_snapshot(&actor, format, &mut bytes.as_slice()))
    }

    /// The schema a logical snapshot was taken with: open the store to import it into with it.
    ///
    /// # Errors
    ///
    /// `CORRUPTED` for bytes that are not a snapshot.
    #[wasm_bindgen(js_name = snapshotSchema, unchecked_return_type = "Schema")]
    pub fn snapshot_schema(
        #[wasm_bindgen(unchecked_param_type = "SnapshotFormat")] format: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<JsValue, JsValue> {
        let format: SnapshotFormat = arg("format", &format)?;
        let bytes = bytes_arg("bytes", &bytes)?;
        ret(tenantree::Store::snapshot_schema(format, &mut bytes.as_slice()))
    }

    /// Gives back `amount` of a resource allocated on the node.
    ///
    /// # Errors
    ///
    /// `INVALID_ARGUMENT` when more is released than allocated; `NOT_FOUND`.
    #[wasm_bindgen(unchecked_return_type = "Quota")]
    pub fn release(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Actor")] actor: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] resource: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] amount: JsValue,
    ) -> Result<JsValue, JsValue> {
        let _busy = self.enter()?;
        let actor: Actor = actor_arg(&actor)?;
        let id: NodeId = id_arg("id", &id)?;
        let mut buf = [0; SHORT_STR];
        let resource = short_str_arg("resource", &resource, &mut buf)?;
        let amount = u64_arg("amount", &amount)?;
        hot_ret(self.inner.release(&actor, id, &resource, amount), hot::Wire::quota)
    }
}
