//! The busiest records on their way out to JavaScript, as numbers and one text, for
//! `bindings/wasm/src/hot.js` to build the plain objects from.
//!
//! JSON text for `JSON.parse` costs a serialization in wasm and a parse in JS, each about as
//! long as the core's own work for a `getNode` (measured: 4 µs of a 47 µs W4 get, 180 µs of a
//! 330 µs W5 page of 50 nodes). On the wire instead, every number is one `f64` slot of `nums`
//! (a `Float64Array` view in JS, no copy) and every string is a pair of slots, the start and
//! end of its slice of `text` in UTF-16 code units, JavaScript's own string index: JS decodes
//! the text once per call and slices it. The objects `hot.js` builds are the same plain data,
//! with the same keys in the same order, as `JSON.parse` of the records' serde JSON (tested in
//! the package's tests against the generic conversion).
//!
//! The slots of each record, in order (`str` is two slots, `str?` is `-1` for `null` or two
//! slots, `num?` is `NaN` for `null`):
//!
//! - node: `id` str, `kind` str, `parent` str?, `name` str, `status`, `effectiveStatus`
//!   (status, then `source` str?), the 8 profile fields each str? in their serde order
//!   (`extra` as the JSON text of its value, parsed by JS), `tenantFullAccess` 0 or 1, the
//!   number of `limits` and each limit's name str and value, `depth`, `created`, `updated`,
//!   `version`;
//! - status: 0 `enabled`, 1 `disabled`, 2 `suspended` followed by its `profile`;
//! - quota: `resource` str, `limit` num?, `used`, `allocated`, `available` num?;
//! - page of nodes: the number of items, each node, `total`, `limit`, `page`, `pages`, `next`
//!   str?;
//! - node summary: `parent` str? (first: see `SummaryPageWire::push`), `id` str, `kind` str,
//!   `name` str, `status`, `effectiveStatus` (status, then `source` str?), `depth`;
//! - page of summaries: as a page of nodes, with summaries for nodes;
//! - list of quotas: their number, then each quota;
//! - node with quotas: the node, then its list of quotas.

use std::fmt;

use tenantree::{
    Actor, ChildQuery, Node, NodeId, NodeSummaryRef, NodeWithQuotas, Page, Profile, Quota, ReadTx, Status, Store,
    WriteTx,
};

use crate::MAX_SAFE_INTEGER;

/// What a [`Wire`] holds, as `hot.js` dispatches on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// One node.
    Node = 0,
    /// A page of nodes.
    NodePage = 1,
    /// One quota.
    Quota = 2,
    /// A list of quotas.
    Quotas = 3,
    /// A page of node summaries.
    SummaryPage = 4,
    /// A node with its quotas.
    NodeWithQuotas = 5,
}

impl Shape {
    /// How many shapes there are (each one's number is below it).
    pub const COUNT: usize = 6;
}

/// A record on its way out: the numbers and the text `hot.js` reads.
#[derive(Debug, Clone)]
pub struct Wire {
    /// What the slots hold.
    pub shape: Shape,
    /// The slots, in the order the module docs give.
    pub nums: Vec<f64>,
    /// Every string of the record, one after the other, in UTF-8: only `&str`s and the ASCII
    /// text of ids are written to it, so JS decodes it without a check on this side.
    pub text: Vec<u8>,
    /// The length of `text` in UTF-16 code units: where the next string starts in JS.
    units: usize,
    /// The last two ids written (the latest first) and their slots: an id that comes again
    /// points at the same slice of `text` instead of being written again. Two, because a
    /// page's rows alternate the parent they share with each one's own id.
    /// Each as its 16 bytes read as one number (0, the nil id, which no node has: none yet).
    recent_ids: [(u128, f64, f64); 2],
}

impl Drop for Wire {
    fn drop(&mut self) {
        if self.nums.capacity() * size_of::<f64>() + self.text.capacity() <= SPARE_BYTES {
            let buffers = (std::mem::take(&mut self.nums), std::mem::take(&mut self.text));
            // `try_with`: a wire dropped while the thread ends has nowhere to leave them.
            let _ = SPARE.try_with(|spare| spare.set(Some(buffers)));
        }
    }
}

/// A number that a JS number cannot hold exactly (above 2^53 in magnitude): refused, as the
/// generic conversion refuses it, rather than rounded. Holds the whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unrepresentable(String);

impl Unrepresentable {
    fn number(value: impl fmt::Display) -> Unrepresentable {
        Unrepresentable(format!("{value} can't be represented as a JavaScript number"))
    }
}

impl fmt::Display for Unrepresentable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unrepresentable {}

type Result<T = ()> = std::result::Result<T, Unrepresentable>;

/// The most bytes of buffers a dropped [`Wire`] leaves for the next one; a wire that grew
/// past it (a page of long records) frees its buffers instead of holding them for good.
const SPARE_BYTES: usize = 64 * 1024;

thread_local! {
    /// The record of the last node with quotas put on a wire, which the next one is read into
    /// ([`Wire::node_with_quotas_from_store`]).
    static KEPT: std::cell::Cell<Option<NodeWithQuotas>> = const { std::cell::Cell::new(None) };
    /// The buffers of the last wire dropped, emptied, for the next one: a wire per call is
    /// the busiest allocation of the binding's reads (two buffers made and freed per record).
    static SPARE: std::cell::Cell<Option<(Vec<f64>, Vec<u8>)>> = const { std::cell::Cell::new(None) };
}

impl Wire {
    fn new(shape: Shape, slots: usize) -> Wire {
        let (mut nums, mut text) = SPARE.with(std::cell::Cell::take).unwrap_or_default();
        nums.clear();
        text.clear();
        nums.reserve(slots);
        text.reserve(slots * 4);
        Wire { shape, nums, text, units: 0, recent_ids: [(0, 0.0, 0.0); 2] }
    }

    // The records below are taken by value: dropped here, their drop is compiled in this crate
    // at opt-level 3, not in the binding, built for size (measured: W4 in the package, 5 %
    // fewer instructions). A node with its quotas is not dropped at all: it is kept, and the
    // next one read into it (`node_with_quotas_kept`).

    /// One node.
    ///
    /// # Errors
    ///
    /// A number of the node above 2^53.
    pub fn node(node: Node) -> Result<Wire> {
        let mut w = Wire::new(Shape::Node, 40);
        w.put_node(&node)?;
        Ok(w)
    }

    /// A page of nodes.
    ///
    /// # Errors
    ///
    /// A number of a node or of the page above 2^53.
    pub fn node_page(page: Page<Node>) -> Result<Wire> {
        let Page { items, total, limit, page, pages, next } = page;
        let mut w = Wire::new(Shape::NodePage, 8 + items.len() * 40);
        w.len(items.len());
        for node in &items {
            w.put_node(node)?;
        }
        w.page_end(total, limit, page, pages, next.as_deref())?;
        Ok(w)
    }

    /// One quota.
    ///
    /// # Errors
    ///
    /// A number of the quota above 2^53.
    pub fn quota(quota: Quota) -> Result<Wire> {
        let mut w = Wire::new(Shape::Quota, 6);
        w.put_quota(&quota)?;
        Ok(w)
    }

    /// A quota's numbers, `limit`, `used`, `allocated` and `available`, as its wire has them
    /// (NaN for `None`), for the binding's `allocate` and `release`, which give them to
    /// `hot.js` in place and leave the resource's name to the caller, who named it.
    ///
    /// # Errors
    ///
    /// A number of the quota above 2^53.
    pub fn quota_nums(quota: &Quota) -> Result<[f64; 4]> {
        let Quota { resource: _, limit, used, allocated, available } = quota;
        Ok([opt_safe(*limit)?, safe(*used)?, safe(*allocated)?, opt_safe(*available)?])
    }

    /// A list of quotas.
    ///
    /// # Errors
    ///
    /// A number of a quota above 2^53.
    pub fn quotas(quotas: Vec<Quota>) -> Result<Wire> {
        let mut w = Wire::new(Shape::Quotas, 1 + quotas.len() * 6);
        w.put_quotas(&quotas)?;
        Ok(w)
    }

    /// A node with its quotas.
    ///
    /// # Errors
    ///
    /// A number of the node or of a quota above 2^53.
    pub fn node_with_quotas(both: &NodeWithQuotas) -> Result<Wire> {
        let NodeWithQuotas { node, quotas } = both;
        let mut w = Wire::new(Shape::NodeWithQuotas, 41 + quotas.len() * 6);
        w.put_node(node)?;
        w.put_quotas(quotas)?;
        Ok(w)
    }

    /// A node with its quotas ([`Store::get_node_with_quotas`]), read into the record the
    /// last such read kept ([`Store::get_node_with_quotas_into`]): one node after another, the
    /// strings of the record (kind, name, limits, the resources' names) are reused instead of
    /// made and freed each time, about twenty allocations a node.
    ///
    /// # Errors
    ///
    /// The core's, as [`Store::get_node_with_quotas`]; inside, a number above 2^53.
    pub fn node_with_quotas_from_store(store: &Store, actor: &Actor, id: NodeId) -> tenantree::Result<Result<Wire>> {
        Self::node_with_quotas_kept(
            || store.get_node_with_quotas(actor, id),
            |out| store.get_node_with_quotas_into(actor, id, out),
        )
    }

    /// [`node_with_quotas_from_store`](Self::node_with_quotas_from_store) in a read
    /// transaction.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::get_node_with_quotas`].
    pub fn node_with_quotas_from_read(tx: &ReadTx<'_>, id: NodeId) -> tenantree::Result<Result<Wire>> {
        Self::node_with_quotas_kept(|| tx.get_node_with_quotas(id), |out| tx.get_node_with_quotas_into(id, out))
    }

    /// [`node_with_quotas_from_store`](Self::node_with_quotas_from_store) in a write
    /// transaction, which sees its own writes.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::get_node_with_quotas`].
    pub fn node_with_quotas_from_write(tx: &WriteTx<'_, '_>, id: NodeId) -> tenantree::Result<Result<Wire>> {
        Self::node_with_quotas_kept(|| tx.get_node_with_quotas(id), |out| tx.get_node_with_quotas_into(id, out))
    }

    /// The wire of the record that `into` reads into the kept one ([`KEPT`]), or that `read`
    /// reads when none is kept (the first time, after an error, or in a read that started
    /// while another held it).
    fn node_with_quotas_kept(
        read: impl FnOnce() -> tenantree::Result<NodeWithQuotas>,
        into: impl FnOnce(&mut NodeWithQuotas) -> tenantree::Result<()>,
    ) -> tenantree::Result<Result<Wire>> {
        // Taken out while it is read into: should JS run during the read and start another,
        // that one finds none kept and makes its own.
        let both = match KEPT.take() {
            Some(mut kept) => match into(&mut kept) {
                Ok(()) => kept,
                // Put back for the next read, which overwrites all of it.
                Err(e) => {
                    KEPT.set(Some(kept));
                    return Err(e);
                }
            },
            None => read()?,
        };
        let wire = Wire::node_with_quotas(&both);
        KEPT.set(Some(both));
        Ok(wire)
    }

    fn put_node(&mut self, node: &Node) -> Result {
        // Destructured whole, so that a field added to `Node` (or `Profile`) does not compile
        // until the wire and hot.js carry it.
        let Node {
            id,
            kind,
            parent,
            name,
            status,
            effective_status,
            profile,
            tenant_full_access,
            limits,
            depth,
            created,
            updated,
            version,
        } = node;
        self.id(*id);
        self.str(kind);
        self.opt_id(*parent);
        self.str(name.as_str());
        self.status(*status);
        self.status(effective_status.status);
        self.opt_id(effective_status.source);
        let Profile { display_name, email, website, phone, address, description, external_name, billing_id, extra } =
            profile;
        for field in [display_name, email, website, phone, address, description, external_name, billing_id] {
            self.opt_str(field.as_deref());
        }
        match extra {
            None => self.nums.push(-1.0),
            Some(value) => {
                let json = crate::to_json(value).map_err(|e| Unrepresentable(e.to_string()))?;
                self.str(&json);
            }
        }
        self.nums.push(if *tenant_full_access { 1.0 } else { 0.0 });
        self.len(limits.len());
        for (resource, value) in limits {
            self.str(resource);
            self.u64(*value)?;
        }
        self.nums.push(f64::from(*depth));
        self.i64(created.as_micros())?;
        self.i64(updated.as_micros())?;
        self.u64(*version)
    }

    /// What follows the items of a page.
    fn page_end(&mut self, total: u64, limit: u32, page: u64, pages: u64, next: Option<&str>) -> Result {
        self.u64(total)?;
        self.nums.push(f64::from(limit));
        self.u64(page)?;
        self.u64(pages)?;
        self.opt_str(next);
        Ok(())
    }

    /// A list of quotas: their number, then each quota.
    fn put_quotas(&mut self, quotas: &[Quota]) -> Result {
        self.len(quotas.len());
        quotas.iter().try_for_each(|quota| self.put_quota(quota))
    }

    fn put_quota(&mut self, quota: &Quota) -> Result {
        self.str(&quota.resource);
        self.nums.extend(Wire::quota_nums(quota)?);
        Ok(())
    }

    fn status(&mut self, status: Status) {
        let (slots, len) = status_slots(status);
        self.nums.extend_from_slice(slots.get(..len).unwrap_or(&[]));
    }

    #[allow(clippy::cast_precision_loss)] // a length is far below 2^53
    fn len(&mut self, n: usize) {
        self.nums.push(n as f64);
    }

    fn u64(&mut self, value: u64) -> Result {
        self.nums.push(safe(value)?);
        Ok(())
    }

    #[allow(clippy::cast_precision_loss)] // checked against 2^53 first
    fn i64(&mut self, value: i64) -> Result {
        if value.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(Unrepresentable::number(value));
        }
        self.nums.push(value as f64);
        Ok(())
    }

    fn str(&mut self, s: &str) {
        let slots = self.text_of(s);
        self.nums.extend_from_slice(&slots);
    }

    /// Writes `s` to the text and answers its slots, its start and end.
    #[allow(clippy::cast_precision_loss)] // a string offset is far below 2^53
    fn text_of(&mut self, s: &str) -> [f64; 2] {
        let start = self.units as f64;
        self.text.extend_from_slice(s.as_bytes());
        self.units += if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
        [start, self.units as f64]
    }

    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            None => self.nums.push(-1.0),
            Some(s) => self.str(s),
        }
    }

    fn id(&mut self, id: NodeId) {
        let slots = self.id_slots(id);
        self.nums.extend_from_slice(&slots);
    }

    /// The slots of `id`: those of one of the last two ids written, or of its text written now.
    #[allow(clippy::cast_precision_loss)] // a string offset is far below 2^53
    fn id_slots(&mut self, id: NodeId) -> [f64; 2] {
        // Two plain checks: a search over the pair (`into_iter().flatten().find`) measured 6 %
        // more instructions per page of summaries in wasm.
        let key = u128::from_ne_bytes(id.to_bytes());
        let [latest, before] = &mut self.recent_ids;
        if latest.0 == key {
            return [latest.1, latest.2];
        }
        if before.0 == key {
            let slots = [before.1, before.2];
            std::mem::swap(latest, before);
            return slots;
        }
        // A UUID's text is ASCII: its length in UTF-16 units is its length in bytes.
        let start = self.units as f64;
        put_id_text(&mut self.text, id);
        self.units += ID_TEXT;
        let end = self.units as f64;
        *before = *latest;
        *latest = (key, start, end);
        [start, end]
    }

    fn opt_id(&mut self, id: Option<NodeId>) {
        match id {
            None => self.nums.push(-1.0),
            Some(id) => self.id(id),
        }
    }
}

/// The length of an id's hyphenated text.
pub const ID_TEXT: usize = uuid::fmt::Hyphenated::LENGTH;

/// The two lower-case hex digits of each byte.
// Evaluated at compile time: an index out of bounds here fails the build, it cannot panic.
#[allow(clippy::indexing_slicing)]
const HEX_PAIRS: [[u8; 2]; 256] = {
    let digits = b"0123456789abcdef";
    let mut pairs = [[0u8; 2]; 256];
    let mut byte = 0;
    while byte < 256 {
        pairs[byte] = [digits[byte >> 4], digits[byte & 15]];
        byte += 1;
    }
    pairs
};

/// Where each byte's two digits go in the hyphenated text (8-4-4-4-12).
const PAIR_AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];

/// Appends an id's hyphenated text in lower case to `text`, as `uuid`'s formatter writes it, a
/// byte's two digits per table lookup (the formatter takes one per digit; every child of a page
/// is one id).
fn put_id_text(text: &mut Vec<u8>, id: NodeId) {
    let mut out = [b'-'; ID_TEXT];
    for (byte, at) in id.to_bytes().into_iter().zip(PAIR_AT) {
        let pair = HEX_PAIRS.get(usize::from(byte)).copied().unwrap_or_default();
        if let Some(slot) = out.get_mut(at..at + 2) {
            slot.copy_from_slice(&pair);
        }
    }
    text.extend_from_slice(&out);
}

/// Ids as their hyphenated texts (lower case, as `Display` writes them), one after the other,
/// [`ID_TEXT`] bytes each: a batch of created ids crosses as this one text.
#[must_use]
pub fn ids_text(ids: &[NodeId]) -> Vec<u8> {
    let mut text = Vec::with_capacity(ids.len() * ID_TEXT);
    for id in ids {
        put_id_text(&mut text, *id);
    }
    text
}

/// A status's slots and how many of them it takes: 0 `enabled`, 1 `disabled`, or 2
/// `suspended` followed by its profile.
fn status_slots(status: Status) -> ([f64; 2], usize) {
    match status {
        Status::Enabled => ([0.0, 0.0], 1),
        Status::Disabled => ([1.0, 0.0], 1),
        Status::Suspended { profile } => ([2.0, f64::from(profile)], 2),
    }
}

/// As many slots as a summary has at most: 2 for each of its parent, id, kind, name and
/// source, 2 for each status (a suspension's profile), and the depth (a test fills them all).
const ROW_SLOTS: usize = 15;

/// The slots of one summary, gathered before they are appended to the wire's.
#[derive(Default)]
struct Row {
    slots: [f64; ROW_SLOTS],
    len: usize,
}

impl Row {
    fn put(&mut self, value: f64) {
        if let Some(slot) = self.slots.get_mut(self.len) {
            *slot = value;
            self.len += 1;
        }
    }

    fn put2(&mut self, [a, b]: [f64; 2]) {
        self.put(a);
        self.put(b);
    }

    fn status(&mut self, status: Status) {
        let ([state, profile], len) = status_slots(status);
        self.put(state);
        if len == 2 {
            self.put(profile);
        }
    }

    fn slots(&self) -> &[f64] {
        self.slots.get(..self.len).unwrap_or(&[])
    }
}

/// A page of node summaries written to a [`Wire`] one child at a time, as
/// [`ReadTx::child_summaries_with`](tenantree::ReadTx::child_summaries_with) reads them: no
/// summary is made, copied or dropped on the way.
#[derive(Debug)]
pub struct SummaryPageWire {
    wire: Wire,
    count: usize,
    /// The address and length of the last kind written, and its two slots: the kinds of a
    /// page are borrowed from the schema, so a kind that comes again (every child of a
    /// reseller is a tenant) is the same text at the same address and points at the same
    /// slice of the wire's text.
    last_kind: Option<(usize, usize, f64, f64)>,
}

impl Default for SummaryPageWire {
    fn default() -> SummaryPageWire {
        SummaryPageWire::new()
    }
}

impl SummaryPageWire {
    /// An empty page, sized for a page of 50.
    #[must_use]
    pub fn new() -> SummaryPageWire {
        let mut wire = Wire::new(Shape::SummaryPage, 8 + 50 * ROW_SLOTS);
        // Each summary's text is its id, kind and name (the parent's id is written once).
        wire.text.reserve(50 * 64);
        // The number of summaries, set by `finish`.
        wire.nums.push(0.0);
        SummaryPageWire { wire, count: 0, last_kind: None }
    }

    /// Writes the next summary of the page.
    #[allow(clippy::cast_precision_loss)] // a string offset is far below 2^53
    pub fn push(&mut self, summary: NodeSummaryRef<'_>) {
        // Destructured whole, as in `put_node`.
        let NodeSummaryRef { id, kind, parent, name, status, effective_status, depth } = summary;
        let w = &mut self.wire;
        // The row's slots are gathered here and appended at once: pushed one at a time, each
        // reread and rewrote the list's length.
        let mut row = Row::default();
        match parent {
            None => row.put(-1.0),
            Some(parent) => row.put2(w.id_slots(parent)),
        }
        row.put2(w.id_slots(id));
        let at = (kind.as_ptr() as usize, kind.len());
        match self.last_kind {
            Some((ptr, len, start, end)) if (ptr, len) == at => row.put2([start, end]),
            _ => {
                let [start, end] = w.text_of(kind);
                self.last_kind = Some((at.0, at.1, start, end));
                row.put2([start, end]);
            }
        }
        row.put2(w.text_of(name));
        row.status(status);
        row.status(effective_status.status);
        match effective_status.source {
            None => row.put(-1.0),
            Some(source) => row.put2(w.id_slots(source)),
        }
        row.put(f64::from(depth));
        w.nums.extend_from_slice(row.slots());
        self.count += 1;
    }

    /// The children of `parent` that `store` lists in a snapshot of its own, onto a wire.
    ///
    /// The core's read is generic over the closure that takes each child, and generic code is
    /// compiled in the crate that instantiates it: instantiated here, it is built at this
    /// crate's opt-level 3 rather than at the binding's size-tuned one (measured: W5 in the
    /// package, 6 % fewer instructions).
    ///
    /// # Errors
    ///
    /// The core's, as [`Store::child_summaries_with`]; inside, a number above 2^53.
    pub fn from_store(
        store: &Store,
        actor: &Actor,
        parent: Option<NodeId>,
        query: &ChildQuery,
    ) -> tenantree::Result<Result<Wire>> {
        Self::read(|wire| store.child_summaries_with(actor, parent, query, |s| wire.push(s)))
    }

    /// [`from_store`](Self::from_store) in a read transaction.
    ///
    /// # Errors
    ///
    /// As [`ReadTx::child_summaries_with`].
    pub fn from_read(tx: &ReadTx<'_>, parent: Option<NodeId>, query: &ChildQuery) -> tenantree::Result<Result<Wire>> {
        Self::read(|wire| tx.child_summaries_with(parent, query, |s| wire.push(s)))
    }

    /// [`from_store`](Self::from_store) in a write transaction, which sees its own writes.
    ///
    /// # Errors
    ///
    /// As [`WriteTx::child_summaries_with`].
    pub fn from_write(
        tx: &WriteTx<'_, '_>,
        parent: Option<NodeId>,
        query: &ChildQuery,
    ) -> tenantree::Result<Result<Wire>> {
        Self::read(|wire| tx.child_summaries_with(parent, query, |s| wire.push(s)))
    }

    /// The page that `read` lists, each child pushed onto a new wire as it is read.
    fn read(read: impl FnOnce(&mut SummaryPageWire) -> tenantree::Result<Page<()>>) -> tenantree::Result<Result<Wire>> {
        let mut wire = SummaryPageWire::new();
        let page = read(&mut wire)?;
        Ok(wire.finish(&page))
    }

    /// The wire of the page: the summaries pushed, then what follows the items of `page`
    /// (whose items are ignored).
    ///
    /// # Errors
    ///
    /// A number of the page above 2^53.
    pub fn finish<T>(self, page: &Page<T>) -> Result<Wire> {
        let SummaryPageWire { mut wire, count, last_kind: _ } = self;
        if let Some(slot) = wire.nums.first_mut() {
            #[allow(clippy::cast_precision_loss)] // a page holds at most 1,000
            let n = count as f64;
            *slot = n;
        }
        let Page { items: _, total, limit, page, pages, next } = page;
        wire.page_end(*total, *limit, *page, *pages, next.as_deref())?;
        Ok(wire)
    }
}

/// `value` as a JS number, which holds it exactly up to 2^53.
#[allow(clippy::cast_precision_loss)] // checked against 2^53 first
fn safe(value: u64) -> Result<f64> {
    if value > MAX_SAFE_INTEGER {
        return Err(Unrepresentable::number(value));
    }
    Ok(value as f64)
}

/// [`safe`] for an optional number: NaN for `None`.
fn opt_safe(value: Option<u64>) -> Result<f64> {
    value.map_or(Ok(f64::NAN), safe)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tenantree::NodeSummary;

    #[test]
    fn ids_text_is_each_id_as_displayed_one_after_the_other() {
        let ids: Vec<NodeId> = ["01900000-0000-7000-8000-0000000000aa", "0190ABCD-ef01-7234-9567-89abcdef0123"]
            .iter()
            .map(|s| s.parse().unwrap_or_else(|e| panic!("{e}")))
            .collect();
        let expected: String = ids.iter().map(ToString::to_string).collect();
        assert_eq!(String::from_utf8(ids_text(&ids)).ok(), Some(expected));
        assert!(ids_text(&[]).is_empty());
    }

    #[test]
    fn id_text_is_what_uuid_writes_for_every_byte_in_every_place() {
        // Every byte value in every one of the 16 places, and a run of mixed ids.
        let mut ids: Vec<[u8; 16]> = (0..=255u8).map(|b| [b; 16]).collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..512 {
            let mut bytes = [0u8; 16];
            for b in &mut bytes {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x.to_le_bytes()[0];
            }
            ids.push(bytes);
        }
        for bytes in ids {
            let uuid = uuid::Uuid::from_bytes(bytes);
            let Ok(id) = NodeId::from_bytes(bytes) else { continue };
            // After other text, as on a wire.
            let mut text = b"x".to_vec();
            put_id_text(&mut text, id);
            assert_eq!(String::from_utf8(text).ok(), Some(format!("x{}", uuid.hyphenated())));
        }
    }

    #[test]
    fn every_shape_is_below_the_count() {
        let shapes =
            [Shape::Node, Shape::NodePage, Shape::Quota, Shape::Quotas, Shape::SummaryPage, Shape::NodeWithQuotas];
        assert_eq!(shapes.len(), Shape::COUNT);
        for shape in shapes {
            assert!((shape as usize) < Shape::COUNT, "{shape:?}");
        }
    }

    #[test]
    fn a_wire_starts_empty_on_the_buffers_of_the_last_one() {
        let quota = Quota { resource: "extensions".into(), limit: Some(5), used: 2, allocated: 2, available: Some(3) };
        let first = Wire::quota(quota.clone()).unwrap_or_else(|e| panic!("{e}"));
        let (nums, text) = (first.nums.clone(), first.text.clone());
        drop(first);
        let page = SummaryPageWire::new();
        assert_eq!(page.wire.nums, [0.0], "a new wire holds nothing of the one before");
        assert!(page.wire.text.is_empty());
        let address = page.wire.nums.as_ptr();
        drop(page);
        let again = Wire::quota(quota.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((&again.nums, &again.text), (&nums, &text), "the same record, the same wire");
        assert_eq!(again.nums.as_ptr(), address, "made on the buffers the last wire left");
    }

    /// The wire's text; its bytes must be UTF-8.
    fn text_of(w: &Wire) -> String {
        String::from_utf8(w.text.clone()).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Reads the text slice of the string whose slots start at `i`, as hot.js does.
    fn slice(w: &Wire, i: usize) -> String {
        let units: Vec<u16> = text_of(w).encode_utf16().collect();
        let (a, b) = (w.nums[i] as usize, w.nums[i + 1] as usize);
        String::from_utf16_lossy(&units[a..b])
    }

    #[test]
    fn string_slots_count_utf16_units_as_javascript_does() {
        let mut w = Wire::new(Shape::Quotas, 8);
        w.str("ab");
        w.str("é😀x");
        w.opt_str(None);
        w.str("");
        w.str("z");
        assert_eq!(w.nums, [0.0, 2.0, 2.0, 6.0, -1.0, 6.0, 6.0, 6.0, 7.0]);
        assert_eq!(slice(&w, 0), "ab");
        assert_eq!(slice(&w, 2), "é😀x");
        assert_eq!(slice(&w, 5), "");
        assert_eq!(slice(&w, 7), "z");
    }

    #[test]
    fn numbers_beyond_2_pow_53_are_refused() {
        let mut w = Wire::new(Shape::Quota, 2);
        assert!(w.u64(MAX_SAFE_INTEGER).is_ok());
        assert_eq!(w.u64(MAX_SAFE_INTEGER + 1), Err(Unrepresentable::number(MAX_SAFE_INTEGER + 1)));
        assert!(w.i64(-(MAX_SAFE_INTEGER as i64)).is_ok());
        assert!(w.i64(i64::MIN).is_err());
        assert_eq!(w.nums, [MAX_SAFE_INTEGER as f64, -(MAX_SAFE_INTEGER as f64)]);
        let quota = Quota { resource: "disk".into(), limit: Some(u64::MAX), used: 0, allocated: 0, available: None };
        let err = Wire::quota(quota.clone()).err().map(|e| e.to_string());
        assert_eq!(err.as_deref(), Some("18446744073709551615 can't be represented as a JavaScript number"));
        // A number inside `extra` is refused by its JSON writer, whose message is kept as is.
        let mut node = sample_node();
        node.profile.extra = Some(serde_json::json!({ "n": u64::MAX }));
        let err = Wire::node(node.clone()).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(err.matches("can't be represented as a JavaScript number").count(), 1, "{err}");
    }

    fn sample_node() -> Node {
        Node {
            id: "01900000-0000-7000-8000-000000000001".parse().unwrap_or_else(|e| panic!("{e}")),
            kind: "tenant".into(),
            parent: None,
            name: tenantree::NodeName::new("t", tenantree::NameRule::Label).unwrap_or_else(|e| panic!("{e}")),
            status: Status::Enabled,
            effective_status: tenantree::EffectiveStatus { status: Status::Enabled, source: None },
            profile: Profile::default(),
            tenant_full_access: true,
            limits: std::collections::BTreeMap::new(),
            depth: 1,
            created: tenantree::Timestamp::from_micros(1),
            updated: tenantree::Timestamp::from_micros(2),
            version: 1,
        }
    }

    #[test]
    fn a_page_of_nodes_writes_their_shared_parent_once() {
        let id =
            |n: u32| -> NodeId { format!("01900000-0000-7000-8000-{n:012}").parse().unwrap_or_else(|e| panic!("{e}")) };
        let child = |n: u32| Node { id: id(n), parent: Some(id(1)), depth: 2, ..sample_node() };
        let page =
            Page { items: vec![child(2), child(3), child(4)], total: 3, limit: 10, page: 1, pages: 1, next: None };
        let w = Wire::node_page(page.clone()).unwrap_or_else(|e| panic!("{e}"));
        let text = text_of(&w);
        assert_eq!(text.matches(&id(1).to_string()).count(), 1, "{text}");
        for n in [2, 3, 4] {
            assert_eq!(text.matches(&id(n).to_string()).count(), 1, "{text}");
        }
        // Each node's parent (after its id and kind: slots 4 and 5 of the node) points at the
        // one copy.
        let alone = Wire::node(child(2)).unwrap_or_else(|e| panic!("{e}"));
        let per_node = alone.nums.len();
        for k in 0..3 {
            assert_eq!(slice(&w, 1 + k * per_node + 4), id(1).to_string(), "node {k}");
        }
    }

    #[test]
    fn a_quota_is_its_resource_and_four_numbers_with_nan_for_null() {
        let quota = Quota { resource: "tenants".into(), limit: None, used: 3, allocated: 1, available: Some(7) };
        let w = Wire::quota(quota.clone()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.shape, Shape::Quota);
        assert_eq!(text_of(&w), "tenants");
        assert_eq!(w.nums.len(), 6);
        assert_eq!(&w.nums[..2], [0.0, 7.0]);
        assert!(w.nums[2].is_nan());
        assert_eq!(&w.nums[3..], [3.0, 1.0, 7.0]);
    }

    #[test]
    fn a_node_with_quotas_is_the_node_then_the_list_of_quotas() {
        let node = sample_node();
        let quotas = vec![
            Quota { resource: "tenants".into(), limit: None, used: 3, allocated: 1, available: Some(7) },
            Quota { resource: "disk".into(), limit: Some(9), used: 0, allocated: 0, available: None },
        ];
        let both = NodeWithQuotas { node: node.clone(), quotas: quotas.clone() };
        let w = Wire::node_with_quotas(&both).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.shape, Shape::NodeWithQuotas);
        let alone = Wire::node(node.clone()).unwrap_or_else(|e| panic!("{e}"));
        let (node_nums, node_text) = (alone.nums.clone(), text_of(&alone));
        drop(alone);
        let list = Wire::quotas(quotas.clone()).unwrap_or_else(|e| panic!("{e}"));
        let units = node_text.encode_utf16().count() as f64;
        assert_eq!(&w.nums[..node_nums.len()], node_nums.as_slice(), "the node's slots first");
        // The quotas' slots as a list of their own, their strings after the node's text.
        let rest = &w.nums[node_nums.len()..];
        assert_eq!(rest.len(), list.nums.len());
        for (i, (got, alone)) in rest.iter().zip(&list.nums).enumerate() {
            let is_offset = matches!(i, 1 | 2 | 7 | 8);
            let want = if is_offset { alone + units } else { *alone };
            assert!(got == &want || (got.is_nan() && want.is_nan()), "slot {i}: {got} against {want}");
        }
        assert_eq!(text_of(&w), format!("{node_text}{}", text_of(&list)));
    }

    #[test]
    fn a_summary_page_writes_the_shared_parent_id_once() {
        let id =
            |n: u32| -> NodeId { format!("01900000-0000-7000-8000-{n:012}").parse().unwrap_or_else(|e| panic!("{e}")) };
        let summary = |n: u32, name: &str| NodeSummary {
            id: id(n),
            kind: "tenant".into(),
            parent: Some(id(1)),
            name: tenantree::NodeName::new(name, tenantree::NameRule::Label).unwrap_or_else(|e| panic!("{e}")),
            status: Status::Enabled,
            effective_status: tenantree::EffectiveStatus { status: Status::Disabled, source: Some(id(1)) },
            depth: 2,
        };
        let page =
            Page { items: vec![summary(2, "a"), summary(3, "b")], total: 2, limit: 10, page: 1, pages: 1, next: None };
        let mut w = SummaryPageWire::new();
        for summary in &page.items {
            w.push(summary.into());
        }
        let w = w.finish(&page).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(w.shape, Shape::SummaryPage);
        // The count, then per summary: parent (2), id (2), kind (2), name (2), status,
        // effective status, source (2), depth.
        assert_eq!(w.nums[0], 2.0);
        let first = 1;
        let second = first + 13;
        assert_eq!(slice(&w, first), id(1).to_string());
        assert_eq!(slice(&w, first + 2), id(2).to_string());
        assert_eq!(slice(&w, first + 6), "a");
        assert_eq!(slice(&w, second), id(1).to_string());
        assert_eq!(slice(&w, second + 2), id(3).to_string());
        assert_eq!(slice(&w, second + 10), id(1).to_string(), "the source, after the child's own id");
        assert_eq!(w.nums[second + 12], 2.0, "depth");
        // The parent is written once, and each source that is the parent points at it,
        // although each child's own id came between.
        assert_eq!(text_of(&w).matches(&id(1).to_string()).count(), 1);
        assert_eq!(&w.nums[second..second + 2], &w.nums[first..first + 2], "the same slice for the same parent");
        assert_eq!(&w.nums[first + 10..first + 12], &w.nums[first..first + 2], "the same slice for the source");
        assert_eq!(&w.nums[second + 10..second + 12], &w.nums[first..first + 2], "the same slice for the source");
    }

    #[test]
    fn a_summary_page_writes_each_other_id_where_it_comes() {
        let id =
            |n: u32| -> NodeId { format!("01900000-0000-7000-8000-{n:012}").parse().unwrap_or_else(|e| panic!("{e}")) };
        // Children that are on (no source), then one that is off (its own id is its source).
        let row = |n: u32, status: Status| NodeSummaryRef {
            id: id(n),
            kind: "tenant",
            parent: Some(id(1)),
            name: "x",
            status,
            effective_status: tenantree::EffectiveStatus { status, source: status.is_off().then(|| id(n)) },
            depth: 2,
        };
        let mut w = SummaryPageWire::new();
        for (n, status) in [(2, Status::Enabled), (3, Status::Enabled), (4, Status::Disabled)] {
            w.push(row(n, status));
        }
        let page: Page<()> = Page { items: vec![], total: 3, limit: 10, page: 1, pages: 1, next: None };
        let w = w.finish(&page).unwrap_or_else(|e| panic!("{e}"));
        let text = text_of(&w);
        assert_eq!(text.matches(&id(1).to_string()).count(), 1, "the parent once, in {text}");
        for n in [2, 3, 4] {
            assert_eq!(text.matches(&id(n).to_string()).count(), 1, "child {n} once, in {text}");
        }
        // A row without a source takes 12 slots (its source is one, -1), one with it 13.
        let (first, second, third) = (1, 13, 25);
        for at in [first, second, third] {
            assert_eq!(slice(&w, at), id(1).to_string());
        }
        assert_eq!(slice(&w, second + 2), id(3).to_string());
        assert_eq!(w.nums[first + 10], -1.0, "no source");
        assert_eq!(slice(&w, third + 10), id(4).to_string(), "the source, the child itself");
        assert_eq!(&w.nums[third + 10..third + 12], &w.nums[third + 2..third + 4], "its own id's slice");
    }

    #[test]
    fn a_summary_with_every_slot_fills_a_row() {
        let id =
            |n: u32| -> NodeId { format!("01900000-0000-7000-8000-{n:012}").parse().unwrap_or_else(|e| panic!("{e}")) };
        // A parent, both statuses suspended (each with its profile) and a source other than
        // the child: the most slots a summary has.
        let suspended = Status::Suspended { profile: 7 };
        let mut w = SummaryPageWire::new();
        w.push(NodeSummaryRef {
            id: id(2),
            kind: "tenant",
            parent: Some(id(1)),
            name: "bakery",
            status: suspended,
            effective_status: tenantree::EffectiveStatus {
                status: Status::Suspended { profile: 3 },
                source: Some(id(9)),
            },
            depth: 4,
        });
        let page: Page<()> = Page { items: vec![], total: 1, limit: 10, page: 1, pages: 1, next: None };
        let w = w.finish(&page).unwrap_or_else(|e| panic!("{e}"));
        // The count, then the row, then the page's five (next: -1).
        assert_eq!(w.nums.len(), 1 + ROW_SLOTS + 5, "{:?}", w.nums);
        let row = &w.nums[1..=ROW_SLOTS];
        assert_eq!(slice(&w, 1), id(1).to_string());
        assert_eq!(slice(&w, 3), id(2).to_string());
        assert_eq!(slice(&w, 5), "tenant");
        assert_eq!(slice(&w, 7), "bakery");
        assert_eq!(&row[8..12], &[2.0, 7.0, 2.0, 3.0], "the statuses with their profiles");
        assert_eq!(slice(&w, 13), id(9).to_string());
        assert_eq!(row[14], 4.0, "the depth, last");
        assert_eq!(w.nums[1 + ROW_SLOTS], 1.0, "the page's total follows the row");
    }

    #[test]
    fn a_summary_page_written_as_read_writes_a_repeated_kind_once() {
        let id =
            |n: u32| -> NodeId { format!("01900000-0000-7000-8000-{n:012}").parse().unwrap_or_else(|e| panic!("{e}")) };
        // The kinds of a listing are borrowed from the schema: the same text at the same place.
        let (tenant, reseller) = (String::from("tenant"), String::from("reseller"));
        let row = |n: u32, kind: &'static str, name: &'static str| NodeSummaryRef {
            id: id(n),
            kind,
            parent: None,
            name,
            status: Status::Enabled,
            effective_status: tenantree::EffectiveStatus { status: Status::Enabled, source: None },
            depth: 1,
        };
        let (tenant, reseller): (&'static str, &'static str) = (tenant.leak(), reseller.leak());
        let mut w = SummaryPageWire::new();
        for (n, kind, name) in [(2, tenant, "a"), (3, tenant, "b"), (4, reseller, "c"), (5, tenant, "d")] {
            w.push(row(n, kind, name));
        }
        let page: Page<()> = Page { items: vec![(); 4], total: 9, limit: 4, page: 1, pages: 3, next: Some("n".into()) };
        let w = w.finish(&page).unwrap_or_else(|e| panic!("{e}"));
        // The count, then per summary: parent (-1), id (2), kind (2), name (2), status,
        // effective status, source (-1), depth: 11 slots.
        assert_eq!(w.nums[0], 4.0);
        let kind_at = |k: usize| 1 + 11 * k + 3;
        let kinds: Vec<String> = (0..4).map(|k| slice(&w, kind_at(k))).collect();
        assert_eq!(kinds, ["tenant", "tenant", "reseller", "tenant"]);
        assert_eq!(slice(&w, 1 + 11 * 3 + 5), "d");
        // "tenant" is written again after "reseller" came between, as ids are: twice, not thrice.
        assert_eq!(text_of(&w).matches("tenant").count(), 2);
        assert_eq!(&w.nums[kind_at(0)..kind_at(0) + 2], &w.nums[kind_at(1)..kind_at(1) + 2]);
        // What follows the items: total, limit, page, pages, next.
        assert_eq!(&w.nums[45..49], &[9.0, 4.0, 1.0, 3.0]);
        assert_eq!(slice(&w, 49), "n");
    }

    #[test]
    fn ids_are_written_as_uuid_writes_them() {
        for text in [
            "00000000-0000-0000-0000-000000000001",
            "01900000-0000-7000-8000-00000000dead",
            "ffffffff-ffff-7fff-bfff-ffffffffffff",
            "0123abcd-4567-7890-89ab-cdef01234567",
        ] {
            let id: NodeId = text.parse().unwrap_or_else(|e| panic!("{e}"));
            let mut w = Wire::new(Shape::Node, 2);
            w.str("é");
            w.id(id);
            assert_eq!(text_of(&w), format!("é{text}"));
            assert_eq!(w.nums, [0.0, 1.0, 1.0, 37.0]);
            assert_eq!(slice(&w, 2), id.as_uuid().hyphenated().to_string());
        }
    }
}
