//! `ReadTx` and `WriteTx`: the core's transactions, lent to a JS callback.
//!
//! `store.read(actor, tx => ...)` and `store.write(actor, tx => ...)` run the callback inside
//! the core's `Store::read`/`Store::write`. The transaction lives on the Rust stack for exactly
//! the duration of the callback; each store keeps one JS object per kind ([`Desk`]) that reaches
//! it through a [`Lent`] slot, filled for the callback and emptied when it returns. The callback
//! gets a fresh view of that object (made by `hot.js`), which a callback may keep: once the
//! callback is over, the view forwards to an object whose slot is always empty, so using it is
//! an error, never a dangling reference nor a later transaction.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::ptr::NonNull;
use std::rc::Rc;

use tenantree::{
    AccountId, AccountQuery, AccountUpdate, CustomHeadersUpdate, Decimal, DescendantQuery, HolidayId, HolidayQuery,
    HolidayUpdate, LedgerQuery, NewAccount, NewHoliday, NewNode, NewToken, NodeId, NodeUpdate, Op, PasswordPolicy,
    PropQuery, Properties, Role, SnapshotFormat, SnapshotSummary, Status, TenantSettingsUpdate, Timestamp,
    VoicemailUpdate,
};
use wasm_bindgen::prelude::*;

use crate::convert::{
    SHORT_STR, adjust_in_place, arg, arg_with, child_query_arg, each_new_node, error, id_arg, ids_to_js, invalid,
    opt_id_arg, primitive_arg, short_str_arg, take_renamed, to_js, u64_arg, wire_to_js,
};
use crate::env::ClockPin;
use tenantree_wasm_hot as hot;

/// A slot holding a pointer to a transaction on the Rust stack while a JS callback runs; the
/// JS transaction objects hold one each.
///
/// The lifetimes of the transaction are erased to `'static` in the pointer only; they are
/// never handed out: `with` gives the transaction to closures that must accept any lifetime,
/// so nothing borrowed from it can escape them.
pub(crate) struct Lent<T> {
    slot: Rc<Cell<Option<NonNull<T>>>>,
}

impl<T> Lent<T> {
    /// Takes the pointer out for the duration of a call, so that a re-entrant call (a JS hook
    /// reached from inside the call that uses this transaction again) finds the slot empty and
    /// fails instead of aliasing.
    fn take(&self) -> Result<NonNull<T>, JsValue> {
        self.slot.take().ok_or_else(|| {
            invalid(
                "tx",
                "this transaction is over or busy: use a transaction only inside its callback, \
                 and only synchronously",
            )
        })
    }

    fn put_back(&self, ptr: NonNull<T>) {
        self.slot.set(Some(ptr));
    }
}

/// A store's transaction objects of one kind. The wasm-bindgen object is made once per store
/// and lent to every callback of its kind: making one per call cost a `FinalizationRegistry`
/// entry each (0.7 µs in Node, a third of an empty `read`). Callbacks never see it: `hot.js`
/// hands each one a fresh view that forwards to it while the callback runs and to `dead`,
/// whose slot is always empty, from then on, so a transaction kept past its callback fails as
/// it always did, even inside a later transaction of the same store.
pub(crate) struct Desk<T> {
    slot: Rc<Cell<Option<NonNull<T>>>>,
    objects: std::cell::OnceCell<(JsValue, JsValue)>,
}

impl<T> Desk<T> {
    pub(crate) fn new() -> Desk<T> {
        Desk { slot: Rc::new(Cell::new(None)), objects: std::cell::OnceCell::new() }
    }

    /// The live object (lent this desk's slot) and the dead one, made on first use by `make`.
    fn objects(&self, make: impl Fn(Lent<T>) -> JsValue) -> (&JsValue, &JsValue) {
        let (live, dead) = self.objects.get_or_init(|| {
            (make(Lent { slot: Rc::clone(&self.slot) }), make(Lent { slot: Rc::new(Cell::new(None)) }))
        });
        (live, dead)
    }

    /// Puts `ptr` in the slot until the returned loan drops.
    fn lend(&self, ptr: NonNull<T>) -> Loan<'_, T> {
        let previous = self.slot.replace(Some(ptr));
        Loan { slot: &self.slot, previous }
    }
}

impl<T> std::fmt::Debug for Desk<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").finish_non_exhaustive()
    }
}

/// The lender's side of a [`Desk`]'s slot: empties it when dropped, that is when the callback
/// has returned and before the transaction's borrow ends. (A store runs one operation at a
/// time, so the slot was empty before; what was there is put back all the same.)
struct Loan<'a, T> {
    slot: &'a Cell<Option<NonNull<T>>>,
    previous: Option<NonNull<T>>,
}

impl<T> Drop for Loan<'_, T> {
    fn drop(&mut self) {
        self.slot.set(self.previous.take());
    }
}

/// The core's read transaction, lent to a JS callback by `store.read(actor, tx => ...)`.
#[wasm_bindgen]
pub struct ReadTx {
    lent: Lent<tenantree::ReadTx<'static>>,
}

/// The core's write transaction, lent to a JS callback by `store.write(actor, tx => ...)`.
#[wasm_bindgen]
pub struct WriteTx {
    lent: Lent<tenantree::WriteTx<'static, 'static>>,
}

impl std::fmt::Debug for ReadTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadTx").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for WriteTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteTx").finish_non_exhaustive()
    }
}

impl ReadTx {
    #[allow(unsafe_code)]
    fn with<R>(&self, f: impl FnOnce(&tenantree::ReadTx<'_>) -> tenantree::Result<R>) -> Result<R, JsValue> {
        let ptr = self.lent.take()?;
        // SAFETY: the pointer was made from a live `&ReadTx` by `run_read`, whose `Loan` empties
        // the slot before that borrow ends, so a pointer found in the slot is valid. The
        // transaction is only ever read through it. `f` accepts any lifetime, so nothing
        // borrowed from the transaction outlives this call.
        let result = f(unsafe { ptr.as_ref() });
        self.lent.put_back(ptr);
        result.map_err(|e| error(&e))
    }
}

impl WriteTx {
    #[allow(unsafe_code)]
    fn with<R>(&self, f: impl FnOnce(&mut tenantree::WriteTx<'_, '_>) -> tenantree::Result<R>) -> Result<R, JsValue> {
        let mut ptr = self.lent.take()?;
        // SAFETY: the pointer was made from the live `&mut WriteTx` that the core's
        // `Store::write` gave `run_write`, which does not touch it while it is lent and whose
        // `Loan` empties the slot before that borrow ends; so a pointer found in the slot is valid. It is taken
        // out of the slot for the duration of `f`, so no second `&mut` to it can exist (wasm is
        // single-threaded; a re-entrant call finds the slot empty). `f` accepts any lifetime,
        // so nothing borrowed from the transaction outlives this call.
        let result = f(unsafe { ptr.as_mut() });
        self.lent.put_back(ptr);
        result.map_err(|e| error(&e))
    }
}

/// What a transaction callback did: returned a value, or threw (the value thrown is kept so
/// that it reaches the caller unchanged).
pub(crate) enum Outcome {
    Returned(JsValue),
    Threw(JsValue),
}

/// Calls `callback(view)` with `tx` lent to `desk`'s object for the duration of the call.
pub(crate) fn run_read(
    desk: &Desk<tenantree::ReadTx<'static>>,
    callback: &js_sys::Function,
    tx: &tenantree::ReadTx<'_>,
) -> Outcome {
    let (live, dead) = desk.objects(|lent| ReadTx { lent }.into());
    let _loan = desk.lend(NonNull::from(tx).cast::<tenantree::ReadTx<'static>>());
    call(0, callback, live, dead)
    // `_loan` drops here: the slot is empty before the borrow of `tx` ends.
}

/// Calls `callback(view)` with `tx` lent to `desk`'s object for the duration of the call.
pub(crate) fn run_write(
    desk: &Desk<tenantree::WriteTx<'static, 'static>>,
    callback: &js_sys::Function,
    tx: &mut tenantree::WriteTx<'_, '_>,
) -> Outcome {
    let (live, dead) = desk.objects(|lent| WriteTx { lent }.into());
    let _loan = desk.lend(NonNull::from(tx).cast::<tenantree::WriteTx<'static, 'static>>());
    call(1, callback, live, dead)
    // `_loan` drops here: the slot is empty before the borrow of `tx` ends.
}

fn call(kind: u32, callback: &js_sys::Function, live: &JsValue, dead: &JsValue) -> Outcome {
    match lend(kind, callback, live, dead) {
        // A symbol is rare enough as a callback's value to check it for the marker only then.
        Ok(value) if value.is_symbol() && is_thenable_marker(&value) => Outcome::Threw(invalid(
            "callback",
            "returned a promise: a transaction cannot stay open across an await, so its \
             callback must be synchronous (nothing was committed)",
        )),
        Ok(value) => Outcome::Returned(value),
        Err(thrown) => Outcome::Threw(thrown),
    }
}

#[wasm_bindgen(module = "/src/hot.js")]
extern "C" {
    /// Runs `callback` with a fresh view of `live` that turns to `dead` when it returns;
    /// answers what it returns, or a marker when that is a promise (whose rejection it
    /// catches: the promise goes on without its transaction, and nobody holds it any more).
    #[wasm_bindgen(catch)]
    fn lend(kind: u32, callback: &js_sys::Function, live: &JsValue, dead: &JsValue) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = isThenableMarker)]
    fn is_thenable_marker(value: &JsValue) -> bool;
}

/// The read operations, on both transaction kinds (the core's `read_ops!`).
/// `$summaries` and `$node_with_quotas`: the hot crate's readers of a page of child summaries
/// and of a node with its quotas for the class's transaction, which instantiate the core's
/// generic reads there (see `hot::SummaryPageWire::from_store`).
macro_rules! tx_read_ops {
    ($class:ident, $summaries:ident, $node_with_quotas:ident) => {
        #[wasm_bindgen(js_class = $class)]
        impl $class {
            /// One node, with its effective status.
            #[wasm_bindgen(js_name = getNode, unchecked_return_type = "Node")]
            pub fn get_node(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
            ) -> Result<JsValue, JsValue> {
                let id: NodeId = id_arg("id", &id)?;
                wire_to_js(hot::Wire::node(self.with(|tx| tx.get_node(id))?))
            }

            /// The node's ancestors, top-down.
            #[wasm_bindgen(unchecked_return_type = "Node[]")]
            pub fn ancestors(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
            ) -> Result<JsValue, JsValue> {
                let id: NodeId = id_arg("id", &id)?;
                to_js(&self.with(|tx| tx.ancestors(id))?)
            }

            /// Children of a node (`null`: the top level), filtered, searched, sorted, paged.
            #[wasm_bindgen(unchecked_return_type = "Page<Node>")]
            pub fn children(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId | null")] parent: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "ChildQuery")] query: JsValue,
            ) -> Result<JsValue, JsValue> {
                let parent: Option<NodeId> = opt_id_arg("parent", &parent)?;
                let query = child_query_arg(&query)?;
                wire_to_js(hot::Wire::node_page(self.with(|tx| tx.children(parent, &query))?))
            }

            /// As `children`, each child as a `NodeSummary`: sorted by name, a page is one
            /// range scan that reads no node record.
            #[wasm_bindgen(js_name = childSummaries, unchecked_return_type = "Page<NodeSummary>")]
            pub fn child_summaries(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId | null")] parent: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "ChildQuery")] query: JsValue,
            ) -> Result<JsValue, JsValue> {
                let parent: Option<NodeId> = opt_id_arg("parent", &parent)?;
                let query = child_query_arg(&query)?;
                wire_to_js(self.with(|tx| hot::SummaryPageWire::$summaries(tx, parent, &query))?)
            }

            /// Descendants of one kind under a node (`null`: the whole store), in tree order.
            #[wasm_bindgen(unchecked_return_type = "Page<Node>")]
            pub fn descendants(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId | null")] root: JsValue,
                #[wasm_bindgen(unchecked_param_type = "DescendantQuery")] query: JsValue,
            ) -> Result<JsValue, JsValue> {
                let root: Option<NodeId> = primitive_arg("root", &root)?;
                let query: DescendantQuery = arg("query", &query)?;
                wire_to_js(hot::Wire::node_page(self.with(|tx| tx.descendants(root, &query))?))
            }

            /// How many descendants of each kind a node (`null`: the store) has.
            #[wasm_bindgen(js_name = kindCounts, unchecked_return_type = "Record<string, number>")]
            pub fn kind_counts(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = "NodeId | null")] id: JsValue,
            ) -> Result<JsValue, JsValue> {
                let id: Option<NodeId> = primitive_arg("id", &id)?;
                to_js(&self.with(|tx| tx.kind_counts(id))?)
            }

            /// `getNode` and `quotas` of the same node in one call: `{ node, quotas }`.
            #[wasm_bindgen(js_name = getNodeWithQuotas, unchecked_return_type = "NodeWithQuotas")]
            pub fn get_node_with_quotas(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
            ) -> Result<JsValue, JsValue> {
                let id: NodeId = id_arg("id", &id)?;
                wire_to_js(self.with(|tx| hot::Wire::$node_with_quotas(tx, id))?)
            }

            /// Every resource's limit, usage and room at a node.
            #[wasm_bindgen(unchecked_return_type = "Quota[]")]
            pub fn quotas(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
            ) -> Result<JsValue, JsValue> {
                let id: NodeId = id_arg("id", &id)?;
                wire_to_js(hot::Wire::quotas(self.with(|tx| tx.quotas(id))?))
            }

            /// One account.
            #[wasm_bindgen(js_name = getAccount, unchecked_return_type = "Account")]
            pub fn get_account(
                &self,
                #[wasm_bindgen(unchecked_param_type = "AccountId")] id: JsValue,
            ) -> Result<JsValue, JsValue> {
                let id: AccountId = arg("id", &id)?;
                to_js(&self.with(|tx| tx.get_account(id))?)
            }

            /// An account by its username (ignoring case).
            #[wasm_bindgen(js_name = accountByUsername, unchecked_return_type = "Account")]
            pub fn account_by_username(
                &self,
                #[wasm_bindgen(unchecked_param_type = "string")] username: JsValue,
            ) -> Result<JsValue, JsValue> {
                let username: String = primitive_arg("username", &username)?;
                to_js(&self.with(|tx| tx.account_by_username(&username))?)
            }

            /// The accounts bound to a node (`null`: the store-wide ones), searched and paged.
            #[wasm_bindgen(unchecked_return_type = "Page<Account>")]
            pub fn accounts(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId | null")] node: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "AccountQuery")] query: JsValue,
            ) -> Result<JsValue, JsValue> {
                let node: Option<NodeId> = primitive_arg("node", &node)?;
                let query: AccountQuery = arg::<Option<AccountQuery>>("query", &query)?.unwrap_or_default();
                to_js(&self.with(|tx| tx.accounts(node, &query))?)
            }

            /// An account's API tokens (never their secrets).
            #[wasm_bindgen(unchecked_return_type = "TokenInfo[]")]
            pub fn tokens(
                &self,
                #[wasm_bindgen(unchecked_param_type = "AccountId")] account: JsValue,
            ) -> Result<JsValue, JsValue> {
                let account: AccountId = arg("account", &account)?;
                to_js(&self.with(|tx| tx.tokens(account))?)
            }

            /// Every role: the built-in ones and the store's own.
            #[wasm_bindgen(unchecked_return_type = "Role[]")]
            pub fn roles(&self) -> Result<JsValue, JsValue> {
                to_js(&self.with(|tx| tx.roles())?)
            }

            /// The password policy in force at a node (`null`: the store's default).
            #[wasm_bindgen(js_name = passwordPolicy, unchecked_return_type = "EffectivePolicy")]
            pub fn password_policy(
                &self,
                #[wasm_bindgen(unchecked_optional_param_type = "NodeId | null")] node: JsValue,
            ) -> Result<JsValue, JsValue> {
                let node: Option<NodeId> = primitive_arg("node", &node)?;
                to_js(&self.with(|tx| tx.password_policy(node))?)
            }

            /// Messages queued for the host to send, after message `after`.
            #[wasm_bindgen(unchecked_return_type = "Message[]")]
            pub fn outbox(
                &self,
                #[wasm_bindgen(unchecked_param_type = "number")] after: JsValue,
                #[wasm_bindgen(unchecked_param_type = "number")] limit: JsValue,
            ) -> Result<JsValue, JsValue> {
                let after: u64 = primitive_arg("after", &after)?;
                let limit: u32 = arg("limit", &limit)?;
                to_js(&self.with(|tx| tx.outbox(after, limit))?)
            }

            /// A node's own properties in a namespace (secrets masked).
            #[wasm_bindgen(unchecked_return_type = "Properties")]
            pub fn props(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] node: JsValue,
                #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "PropQuery")] query: JsValue,
            ) -> Result<JsValue, JsValue> {
                let node: NodeId = id_arg("node", &node)?;
                let namespace: String = primitive_arg("namespace", &namespace)?;
                let query: PropQuery = arg::<Option<PropQuery>>("query", &query)?.unwrap_or_default();
                to_js(&self.with(|tx| tx.props(node, &namespace, &query))?)
            }

            /// Properties merged down the ancestors, nearest wins, with each key's source.
            #[wasm_bindgen(js_name = effectiveProps, unchecked_return_type = "EffectiveProperties")]
            pub fn effective_props(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] node: JsValue,
                #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "PropQuery")] query: JsValue,
            ) -> Result<JsValue, JsValue> {
                let node: NodeId = id_arg("node", &node)?;
                let namespace: String = primitive_arg("namespace", &namespace)?;
                let query: PropQuery = arg::<Option<PropQuery>>("query", &query)?.unwrap_or_default();
                to_js(&self.with(|tx| tx.effective_props(node, &namespace, &query))?)
            }

            /// A node's markup history, oldest first.
            #[wasm_bindgen(unchecked_return_type = "Markup[]")]
            pub fn markups(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] node: JsValue,
            ) -> Result<JsValue, JsValue> {
                let node: NodeId = id_arg("node", &node)?;
                to_js(&self.with(|tx| tx.markups(node))?)
            }

            /// The markup in force at a time (`null`: now), if any.
            #[wasm_bindgen(js_name = markupAt, unchecked_return_type = "Markup | null")]
            pub fn markup_at(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] node: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "Timestamp | null")] at: JsValue,
            ) -> Result<JsValue, JsValue> {
                let node: NodeId = id_arg("node", &node)?;
                let at: Option<Timestamp> = arg("at", &at)?;
                to_js(&self.with(|tx| tx.markup_at(node, at))?)
            }

            /// A base price through every markup from the top down to the node.
            #[wasm_bindgen(js_name = effectivePrice, unchecked_return_type = "EffectivePrice")]
            pub fn effective_price(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] node: JsValue,
                #[wasm_bindgen(unchecked_param_type = "Decimal | number")] base: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "Timestamp | null")] at: JsValue,
            ) -> Result<JsValue, JsValue> {
                let node: NodeId = id_arg("node", &node)?;
                let base: Decimal = arg("base", &base)?;
                let at: Option<Timestamp> = arg("at", &at)?;
                to_js(&self.with(|tx| tx.effective_price(node, base, at))?)
            }

            /// Change-feed events after sequence number `after` that the actor may see.
            #[wasm_bindgen(unchecked_return_type = "ChangePage")]
            pub fn changes(
                &self,
                #[wasm_bindgen(unchecked_param_type = "number")] after: JsValue,
                #[wasm_bindgen(unchecked_param_type = "number")] limit: JsValue,
            ) -> Result<JsValue, JsValue> {
                let after: u64 = primitive_arg("after", &after)?;
                let limit: u32 = arg("limit", &limit)?;
                to_js(&self.with(|tx| tx.changes(after, limit))?)
            }

            /// A tenant's settings document (004), secrets masked.
            #[wasm_bindgen(js_name = tenantSettings, unchecked_return_type = "TenantSettings")]
            pub fn tenant_settings(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
            ) -> Result<JsValue, JsValue> {
                let tenant: NodeId = id_arg("tenant", &tenant)?;
                to_js(&self.with(|tx| tx.tenant_settings(tenant))?)
            }

            /// A tenant's settings document with its hook secrets in clear (needs the secrets permission).
            #[wasm_bindgen(js_name = tenantSettingsWithSecrets, unchecked_return_type = "TenantSettings")]
            pub fn tenant_settings_with_secrets(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
            ) -> Result<JsValue, JsValue> {
                let tenant: NodeId = id_arg("tenant", &tenant)?;
                to_js(&self.with(|tx| tx.tenant_settings_with_secrets(tenant))?)
            }

            /// A tenant's status counts and limits (004's `/api/tenant/status`).
            #[wasm_bindgen(js_name = tenantStatus, unchecked_return_type = "TenantStatus")]
            pub fn tenant_status(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
            ) -> Result<JsValue, JsValue> {
                let tenant: NodeId = id_arg("tenant", &tenant)?;
                to_js(&self.with(|tx| tx.tenant_status(tenant))?)
            }

            /// One holiday of a tenant.
            #[wasm_bindgen(unchecked_return_type = "Holiday")]
            pub fn holiday(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
                #[wasm_bindgen(unchecked_param_type = "HolidayId")] id: JsValue,
            ) -> Result<JsValue, JsValue> {
                let tenant: NodeId = id_arg("tenant", &tenant)?;
                let id: HolidayId = arg("id", &id)?;
                to_js(&self.with(|tx| tx.holiday(tenant, id))?)
            }

            /// A tenant's holidays, filtered, searched, ordered, skipped and topped.
            #[wasm_bindgen(unchecked_return_type = "HolidayPage")]
            pub fn holidays(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "HolidayQuery")] query: JsValue,
            ) -> Result<JsValue, JsValue> {
                let tenant: NodeId = id_arg("tenant", &tenant)?;
                let query: HolidayQuery = arg::<Option<HolidayQuery>>("query", &query)?.unwrap_or_default();
                to_js(&self.with(|tx| tx.holidays(tenant, &query))?)
            }

            /// A tenant's balance: the sum of its ledger, with a page of recharges.
            #[wasm_bindgen(unchecked_return_type = "Balance")]
            pub fn balance(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
                #[wasm_bindgen(unchecked_optional_param_type = "LedgerQuery")] query: JsValue,
            ) -> Result<JsValue, JsValue> {
                let tenant: NodeId = id_arg("tenant", &tenant)?;
                let query: LedgerQuery = arg::<Option<LedgerQuery>>("query", &query)?.unwrap_or_default();
                to_js(&self.with(|tx| tx.balance(tenant, &query))?)
            }

            /// A tenant's custom SIP headers.
            #[wasm_bindgen(js_name = customHeaders, unchecked_return_type = "CustomHeaders")]
            pub fn custom_headers(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
            ) -> Result<JsValue, JsValue> {
                let tenant: NodeId = id_arg("tenant", &tenant)?;
                to_js(&self.with(|tx| tx.custom_headers(tenant))?)
            }

            /// A tenant's voicemail settings.
            #[wasm_bindgen(unchecked_return_type = "VoicemailSettings")]
            pub fn voicemail(
                &self,
                #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
            ) -> Result<JsValue, JsValue> {
                let tenant: NodeId = id_arg("tenant", &tenant)?;
                to_js(&self.with(|tx| tx.voicemail(tenant))?)
            }
        }
    };
}

tx_read_ops!(ReadTx, from_read, node_with_quotas_from_read);
tx_read_ops!(WriteTx, from_write, node_with_quotas_from_write);

#[wasm_bindgen]
impl ReadTx {
    /// The integrity check on this snapshot (system actor only).
    #[wasm_bindgen(unchecked_return_type = "CheckReport")]
    pub fn check(&self) -> Result<JsValue, JsValue> {
        to_js(&self.with(|tx| tx.check())?)
    }

    /// A logical snapshot of the store (`root` `null`) or of one subtree, in `binary` or `json`
    /// (JSON lines): `{ bytes, summary }`.
    #[wasm_bindgen(js_name = exportSnapshot, unchecked_return_type = "SnapshotExport")]
    pub fn export_snapshot(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId | null")] root: JsValue,
        #[wasm_bindgen(unchecked_param_type = "SnapshotFormat")] format: JsValue,
    ) -> Result<JsValue, JsValue> {
        let root: Option<NodeId> = primitive_arg("root", &root)?;
        let format: SnapshotFormat = arg("format", &format)?;
        let mut bytes = Vec::new();
        let summary = self.with(|tx| tx.export_snapshot(root, format, &mut bytes))?;
        snapshot_export(&bytes, &summary)
    }
}

/// `{ bytes: Uint8Array, summary }`: what an export wrote and what it counted.
pub(crate) fn snapshot_export(bytes: &[u8], summary: &SnapshotSummary) -> Result<JsValue, JsValue> {
    let out = js_sys::Object::new();
    // Setting a property of a fresh, extensible object cannot fail.
    let _ = js_sys::Reflect::set(&out, &"bytes".into(), &js_sys::Uint8Array::from(bytes));
    let _ = js_sys::Reflect::set(&out, &"summary".into(), &to_js(summary)?);
    Ok(out.into())
}

/// The bytes of a `Uint8Array` argument.
pub(crate) fn bytes_arg(name: &str, value: &JsValue) -> Result<Vec<u8>, JsValue> {
    value
        .dyn_ref::<js_sys::Uint8Array>()
        .map(js_sys::Uint8Array::to_vec)
        .ok_or_else(|| invalid(name, "must be a Uint8Array"))
}

#[wasm_bindgen]
impl WriteTx {
    /// Creates a node.
    #[wasm_bindgen(js_name = createNode, unchecked_return_type = "Node")]
    pub fn create_node(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewNode")] node: JsValue,
    ) -> Result<JsValue, JsValue> {
        let node: NewNode = arg_with("node", &node, hot::new_node)?;
        wire_to_js(hot::Wire::node(self.with(|tx| tx.create_node(&node))?))
    }

    /// Creates nodes in order, as `createNode` would one by one, and returns their ids: for
    /// bulk loads, where building every created node as an object would cost more than the
    /// create. The nodes of one call are stamped with one reading of the clock (their
    /// `created`, and the time in their ids, which still sort in creation order). The first
    /// refusal is thrown; the nodes before it stay in the transaction, as after a loop of
    /// `createNode` (throwing from the callback discards them all).
    #[wasm_bindgen(js_name = createNodes, unchecked_return_type = "NodeId[]")]
    pub fn create_nodes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewNode[]")] nodes: JsValue,
    ) -> Result<JsValue, JsValue> {
        let mut ids = Vec::new();
        // Pinned at the first create, once the batch is read (reading it may run `toJSON`s).
        let mut pin = None;
        each_new_node(&nodes, |node| {
            pin.get_or_insert_with(ClockPin::new);
            ids.push(self.with(|tx| tx.create_node_id(node))?);
            Ok(())
        })?;
        drop(pin);
        if ids.is_empty() {
            // No create asked for the transaction: it must still be live, as for any call.
            self.with(|_| Ok(()))?;
        }
        Ok(ids_to_js(&ids))
    }

    /// Changes a node's name and profile fields: absent fields stay, `null` clears.
    #[wasm_bindgen(js_name = updateNode, unchecked_return_type = "Node")]
    pub fn update_node(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NodeUpdate")] update: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id: NodeId = id_arg("id", &id)?;
        let update: NodeUpdate = arg("update", &update)?;
        wire_to_js(hot::Wire::node(self.with(|tx| tx.update_node(id, &update))?))
    }

    /// Enables, disables or suspends a node.
    #[wasm_bindgen(js_name = setStatus, unchecked_return_type = "Node")]
    pub fn set_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Status")] status: JsValue,
        #[wasm_bindgen(js_name = expectedVersion, unchecked_optional_param_type = "number | null")]
        expected_version: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id: NodeId = id_arg("id", &id)?;
        let status: Status = arg("status", &status)?;
        let expected: Option<u64> = arg("expectedVersion", &expected_version)?;
        wire_to_js(hot::Wire::node(self.with(|tx| tx.set_status(id, status, expected))?))
    }

    /// Moves a node with its subtree under a new parent (`null`: the top level).
    #[wasm_bindgen(js_name = moveNode, unchecked_return_type = "Node")]
    pub fn move_node(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(js_name = newParent, unchecked_param_type = "NodeId | null")] new_parent: JsValue,
        #[wasm_bindgen(js_name = expectedVersion, unchecked_optional_param_type = "number | null")]
        expected_version: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id: NodeId = id_arg("id", &id)?;
        let new_parent: Option<NodeId> = primitive_arg("newParent", &new_parent)?;
        let expected: Option<u64> = arg("expectedVersion", &expected_version)?;
        wire_to_js(hot::Wire::node(self.with(|tx| tx.move_node(id, new_parent, expected))?))
    }

    /// Deletes an empty node; `false` when there was no such node.
    #[wasm_bindgen(js_name = deleteNode, unchecked_return_type = "boolean")]
    pub fn delete_node(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id: NodeId = id_arg("id", &id)?;
        to_js(&self.with(|tx| tx.delete_node(id))?)
    }

    /// Sets (a number) or removes (`null`) limits, all or nothing.
    #[wasm_bindgen(js_name = setLimits, unchecked_return_type = "Node")]
    pub fn set_limits(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Record<string, number | null>")] limits: JsValue,
        #[wasm_bindgen(js_name = expectedVersion, unchecked_optional_param_type = "number | null")]
        expected_version: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id: NodeId = id_arg("id", &id)?;
        let limits: BTreeMap<String, Option<u64>> = arg("limits", &limits)?;
        let expected: Option<u64> = arg("expectedVersion", &expected_version)?;
        wire_to_js(hot::Wire::node(self.with(|tx| tx.set_limits(id, &limits, expected))?))
    }

    /// Takes `amount` of a resource on a node, within every limit above it.
    #[wasm_bindgen(unchecked_return_type = "Quota")]
    pub fn allocate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] resource: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] amount: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id: NodeId = id_arg("id", &id)?;
        let mut buf = [0; SHORT_STR];
        let resource = short_str_arg("resource", &resource, &mut buf)?;
        let amount = u64_arg("amount", &amount)?;
        wire_to_js(hot::Wire::quota(self.with(|tx| tx.allocate(id, &resource, amount))?))
    }

    /// Gives back `amount` of a resource allocated on the node.
    #[wasm_bindgen(unchecked_return_type = "Quota")]
    pub fn release(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] resource: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] amount: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id: NodeId = id_arg("id", &id)?;
        let mut buf = [0; SHORT_STR];
        let resource = short_str_arg("resource", &resource, &mut buf)?;
        let amount = u64_arg("amount", &amount)?;
        wire_to_js(hot::Wire::quota(self.with(|tx| tx.release(id, &resource, amount))?))
    }

    /// `allocate` of the arguments `hot.js` wrote into wasm memory (the transaction view's
    /// `allocate`, whose answer this is; see [`crate::convert::adjust_in_place`]).
    #[wasm_bindgen(js_name = __allocate, skip_typescript, skip_jsdoc)]
    pub fn allocate_in_place(&self, resource_len: usize, amount: f64) -> Result<u32, JsValue> {
        adjust_in_place(resource_len, amount, |id, resource, amount| self.with(|tx| tx.allocate(id, resource, amount)))
    }

    /// `release` of the arguments `hot.js` wrote into wasm memory, as
    /// [`WriteTx::allocate_in_place`].
    #[wasm_bindgen(js_name = __release, skip_typescript, skip_jsdoc)]
    pub fn release_in_place(&self, resource_len: usize, amount: f64) -> Result<u32, JsValue> {
        adjust_in_place(resource_len, amount, |id, resource, amount| self.with(|tx| tx.release(id, resource, amount)))
    }

    /// The quota's resource of the last `__allocate` or `__release` that answered that the
    /// core named it otherwise than it was asked (see [`crate::convert::adjust_in_place`]).
    #[wasm_bindgen(js_name = __renamed, skip_typescript, skip_jsdoc)]
    pub fn renamed(&self) -> String {
        take_renamed()
    }

    /// Creates an account bound to a node (or store-wide), with an optional initial password.
    #[wasm_bindgen(js_name = createAccount, unchecked_return_type = "Account")]
    pub fn create_account(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NewAccount")] account: JsValue,
    ) -> Result<JsValue, JsValue> {
        let account: NewAccount = arg("account", &account)?;
        to_js(&self.with(|tx| tx.create_account(&account))?)
    }

    /// Changes an account's fields, role or state.
    #[wasm_bindgen(js_name = updateAccount, unchecked_return_type = "Account")]
    pub fn update_account(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AccountId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "AccountUpdate")] update: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id: AccountId = arg("id", &id)?;
        let update: AccountUpdate = arg("update", &update)?;
        to_js(&self.with(|tx| tx.update_account(id, &update))?)
    }

    /// Deletes an account and its tokens; `false` when there was no such account.
    #[wasm_bindgen(js_name = deleteAccount, unchecked_return_type = "boolean")]
    pub fn delete_account(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AccountId")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id: AccountId = arg("id", &id)?;
        to_js(&self.with(|tx| tx.delete_account(id))?)
    }

    /// Sets a password, checked against the policy in force; `current` is required when an
    /// account changes its own.
    #[wasm_bindgen(js_name = setPassword, unchecked_return_type = "Account")]
    pub fn set_password(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AccountId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] password: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string | null")] current: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id: AccountId = arg("id", &id)?;
        let password: String = primitive_arg("password", &password)?;
        let current: Option<String> = arg("current", &current)?;
        to_js(&self.with(|tx| tx.set_password(id, &password, current.as_deref()))?)
    }

    /// Queues a welcome message for an account in the outbox.
    #[wasm_bindgen(js_name = sendWelcome, unchecked_return_type = "Message")]
    pub fn send_welcome(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AccountId")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let id: AccountId = arg("id", &id)?;
        to_js(&self.with(|tx| tx.send_welcome(id))?)
    }

    /// Issues an API token; its secret is in the result and nowhere else.
    #[wasm_bindgen(js_name = issueToken, unchecked_return_type = "IssuedToken")]
    pub fn issue_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AccountId")] account: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NewToken")] token: JsValue,
    ) -> Result<JsValue, JsValue> {
        let account: AccountId = arg("account", &account)?;
        let token: NewToken = arg("token", &token)?;
        to_js(&self.with(|tx| tx.issue_token(account, &token))?)
    }

    /// Registers a token with a secret chosen by the host.
    #[wasm_bindgen(js_name = registerToken, unchecked_return_type = "IssuedToken")]
    pub fn register_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "AccountId")] account: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NewToken")] token: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] secret: JsValue,
    ) -> Result<JsValue, JsValue> {
        let account: AccountId = arg("account", &account)?;
        let token: NewToken = arg("token", &token)?;
        let secret: String = primitive_arg("secret", &secret)?;
        to_js(&self.with(|tx| tx.register_token(account, &token, &secret))?)
    }

    /// Revokes a token; `false` when there was no such token.
    #[wasm_bindgen(js_name = revokeToken, unchecked_return_type = "boolean")]
    pub fn revoke_token(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] token: JsValue,
    ) -> Result<JsValue, JsValue> {
        let token: u64 = primitive_arg("token", &token)?;
        to_js(&self.with(|tx| tx.revoke_token(token))?)
    }

    /// Defines (or redefines) a custom role.
    #[wasm_bindgen(js_name = defineRole, unchecked_return_type = "Role")]
    pub fn define_role(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Role")] role: JsValue,
    ) -> Result<JsValue, JsValue> {
        let role: Role = arg("role", &role)?;
        to_js(&self.with(|tx| tx.define_role(&role))?)
    }

    /// Deletes a custom role no account holds; `false` when there was none.
    #[wasm_bindgen(js_name = deleteRole, unchecked_return_type = "boolean")]
    pub fn delete_role(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> Result<JsValue, JsValue> {
        let name: String = primitive_arg("name", &name)?;
        to_js(&self.with(|tx| tx.delete_role(&name))?)
    }

    /// Sets (`policy`) or removes (`null`) the password policy of a node (`null`: the store).
    #[wasm_bindgen(js_name = setPasswordPolicy, unchecked_return_type = "EffectivePolicy")]
    pub fn set_password_policy(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId | null")] node: JsValue,
        #[wasm_bindgen(unchecked_param_type = "PasswordPolicy | null")] policy: JsValue,
    ) -> Result<JsValue, JsValue> {
        let node: Option<NodeId> = primitive_arg("node", &node)?;
        let policy: Option<PasswordPolicy> = arg("policy", &policy)?;
        to_js(&self.with(|tx| tx.set_password_policy(node, policy.as_ref()))?)
    }

    /// Drops the outbox's messages up to `upTo` (sent by the host); returns how many.
    #[wasm_bindgen(js_name = ackOutbox, unchecked_return_type = "number")]
    pub fn ack_outbox(
        &self,
        #[wasm_bindgen(js_name = upTo, unchecked_param_type = "number")] up_to: JsValue,
    ) -> Result<JsValue, JsValue> {
        let up_to: u64 = primitive_arg("upTo", &up_to)?;
        to_js(&self.with(|tx| tx.ack_outbox(up_to))?)
    }

    /// Sets properties in a namespace, keeping the others.
    #[wasm_bindgen(js_name = upsertProps, unchecked_return_type = "Properties")]
    pub fn upsert_props(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] node: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Properties")] properties: JsValue,
    ) -> Result<JsValue, JsValue> {
        let node: NodeId = id_arg("node", &node)?;
        let namespace: String = primitive_arg("namespace", &namespace)?;
        let properties: Properties = arg("properties", &properties)?;
        to_js(&self.with(|tx| tx.upsert_props(node, &namespace, &properties))?)
    }

    /// Replaces a namespace's properties with these.
    #[wasm_bindgen(js_name = replaceProps, unchecked_return_type = "Properties")]
    pub fn replace_props(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] node: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Properties")] properties: JsValue,
    ) -> Result<JsValue, JsValue> {
        let node: NodeId = id_arg("node", &node)?;
        let namespace: String = primitive_arg("namespace", &namespace)?;
        let properties: Properties = arg("properties", &properties)?;
        to_js(&self.with(|tx| tx.replace_props(node, &namespace, &properties))?)
    }

    /// Deletes keys of a namespace (all of them when `keys` is empty); returns how many.
    #[wasm_bindgen(js_name = deleteProps, unchecked_return_type = "number")]
    pub fn delete_props(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] node: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string")] namespace: JsValue,
        #[wasm_bindgen(unchecked_param_type = "string[]")] keys: JsValue,
    ) -> Result<JsValue, JsValue> {
        let node: NodeId = id_arg("node", &node)?;
        let namespace: String = primitive_arg("namespace", &namespace)?;
        let keys: Vec<String> = arg("keys", &keys)?;
        to_js(&self.with(|tx| tx.delete_props(node, &namespace, &keys))?)
    }

    /// Adds a markup to a node's history, from `start` (`null`: now).
    #[wasm_bindgen(js_name = addMarkup, unchecked_return_type = "Markup")]
    pub fn add_markup(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] node: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Decimal | number")] percent: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "Timestamp | null")] start: JsValue,
    ) -> Result<JsValue, JsValue> {
        let node: NodeId = id_arg("node", &node)?;
        let percent: Decimal = arg("percent", &percent)?;
        let start: Option<Timestamp> = arg("start", &start)?;
        to_js(&self.with(|tx| tx.add_markup(node, percent, start))?)
    }

    /// Removes the markup that starts at `start`; `false` when there was none.
    #[wasm_bindgen(js_name = removeMarkup, unchecked_return_type = "boolean")]
    pub fn remove_markup(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] node: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Timestamp")] start: JsValue,
    ) -> Result<JsValue, JsValue> {
        let node: NodeId = id_arg("node", &node)?;
        let start: Timestamp = arg("start", &start)?;
        to_js(&self.with(|tx| tx.remove_markup(node, start))?)
    }

    /// Changes the fields of a tenant's settings document that `update` names.
    #[wasm_bindgen(js_name = updateTenantSettings, unchecked_return_type = "TenantSettings")]
    pub fn update_tenant_settings(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
        #[wasm_bindgen(unchecked_param_type = "TenantSettingsUpdate")] update: JsValue,
    ) -> Result<JsValue, JsValue> {
        let tenant: NodeId = id_arg("tenant", &tenant)?;
        let update: TenantSettingsUpdate = arg("update", &update)?;
        to_js(&self.with(|tx| tx.update_tenant_settings(tenant, &update))?)
    }

    /// Creates a holiday for a tenant.
    #[wasm_bindgen(js_name = createHoliday, unchecked_return_type = "Holiday")]
    pub fn create_holiday(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
        #[wasm_bindgen(unchecked_param_type = "NewHoliday")] holiday: JsValue,
    ) -> Result<JsValue, JsValue> {
        let tenant: NodeId = id_arg("tenant", &tenant)?;
        let holiday: NewHoliday = arg("holiday", &holiday)?;
        to_js(&self.with(|tx| tx.create_holiday(tenant, &holiday))?)
    }

    /// Changes the fields of a holiday that `update` names.
    #[wasm_bindgen(js_name = updateHoliday, unchecked_return_type = "Holiday")]
    pub fn update_holiday(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
        #[wasm_bindgen(unchecked_param_type = "HolidayId")] id: JsValue,
        #[wasm_bindgen(unchecked_param_type = "HolidayUpdate")] update: JsValue,
    ) -> Result<JsValue, JsValue> {
        let tenant: NodeId = id_arg("tenant", &tenant)?;
        let id: HolidayId = arg("id", &id)?;
        let update: HolidayUpdate = arg("update", &update)?;
        to_js(&self.with(|tx| tx.update_holiday(tenant, id, &update))?)
    }

    /// Deletes a holiday; `false` when there was none.
    #[wasm_bindgen(js_name = deleteHoliday, unchecked_return_type = "boolean")]
    pub fn delete_holiday(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
        #[wasm_bindgen(unchecked_param_type = "HolidayId")] id: JsValue,
    ) -> Result<JsValue, JsValue> {
        let tenant: NodeId = id_arg("tenant", &tenant)?;
        let id: HolidayId = arg("id", &id)?;
        to_js(&self.with(|tx| tx.delete_holiday(tenant, id))?)
    }

    /// Records a recharge of a tenant's balance (positive, at most five decimal digits).
    #[wasm_bindgen(unchecked_return_type = "LedgerEntry")]
    pub fn recharge(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Decimal | number")] amount: JsValue,
    ) -> Result<JsValue, JsValue> {
        let tenant: NodeId = id_arg("tenant", &tenant)?;
        let amount: Decimal = arg("amount", &amount)?;
        to_js(&self.with(|tx| tx.recharge(tenant, amount))?)
    }

    /// Sets a tenant's custom SIP headers.
    #[wasm_bindgen(js_name = setCustomHeaders, unchecked_return_type = "CustomHeaders")]
    pub fn set_custom_headers(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
        #[wasm_bindgen(unchecked_param_type = "CustomHeadersUpdate")] update: JsValue,
    ) -> Result<JsValue, JsValue> {
        let tenant: NodeId = id_arg("tenant", &tenant)?;
        let update: CustomHeadersUpdate = arg("update", &update)?;
        to_js(&self.with(|tx| tx.set_custom_headers(tenant, &update))?)
    }

    /// Changes the fields of a tenant's voicemail settings that `update` names.
    #[wasm_bindgen(js_name = updateVoicemail, unchecked_return_type = "VoicemailSettings")]
    pub fn update_voicemail(
        &self,
        #[wasm_bindgen(unchecked_param_type = "NodeId")] tenant: JsValue,
        #[wasm_bindgen(unchecked_param_type = "VoicemailUpdate")] update: JsValue,
    ) -> Result<JsValue, JsValue> {
        let tenant: NodeId = id_arg("tenant", &tenant)?;
        let update: VoicemailUpdate = arg("update", &update)?;
        to_js(&self.with(|tx| tx.update_voicemail(tenant, &update))?)
    }

    /// Imports a logical snapshot into an empty store; refused whole when anything is wrong.
    #[wasm_bindgen(js_name = importSnapshot, unchecked_return_type = "SnapshotSummary")]
    pub fn import_snapshot(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SnapshotFormat")] format: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
    ) -> Result<JsValue, JsValue> {
        let format: SnapshotFormat = arg("format", &format)?;
        let bytes = bytes_arg("bytes", &bytes)?;
        to_js(&self.with(|tx| tx.import_snapshot(format, &mut bytes.as_slice()))?)
    }

    /// Drops change-feed events older than `before`; returns how many.
    #[wasm_bindgen(js_name = pruneChanges, unchecked_return_type = "number")]
    pub fn prune_changes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Timestamp")] before: JsValue,
    ) -> Result<JsValue, JsValue> {
        let before: Timestamp = arg("before", &before)?;
        to_js(&self.with(|tx| tx.prune_changes(before))?)
    }

    /// Applies one batch operation.
    #[wasm_bindgen(unchecked_return_type = "OpOutput")]
    pub fn apply(&self, #[wasm_bindgen(unchecked_param_type = "Op")] op: JsValue) -> Result<JsValue, JsValue> {
        let op: Op = arg("op", &op)?;
        to_js(&self.with(|tx| tx.apply(&op))?)
    }

    /// Applies operations in order, stopping at the first failure.
    #[wasm_bindgen(js_name = applyAll, unchecked_return_type = "OpOutput[]")]
    pub fn apply_all(&self, #[wasm_bindgen(unchecked_param_type = "Op[]")] ops: JsValue) -> Result<JsValue, JsValue> {
        let ops: Vec<Op> = arg("ops", &ops)?;
        to_js(&self.with(|tx| tx.apply_all(&ops))?)
    }
}
