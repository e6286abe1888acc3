//! Reads: single nodes, ancestors, children, descendants and counts.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::Arc;

use crate::engine::access::{Action, Principal};
use crate::engine::{Chain, ChildRow, Loaded, cursor, load_chain, node_into, quota, resolve, to_node};

use crate::error::{Error, Result};
use crate::ids::NodeId;
use crate::model::{
    ChildQuery, DescendantQuery, Direction, EffectiveStatus, Node, NodeSummaryRef, NodeWithQuotas, Page, Quota, SortBy,
    Status,
};
use crate::schema::{CHILDREN_KEY, Schema};
use crate::store::{Flow, Index, KeyRange, NodeRecord, View, keys};
use crate::validate::{self, limits};

/// Default page size of every listing.
pub const DEFAULT_PAGE_SIZE: u32 = 10;

pub(crate) fn page_limit(limit: Option<u32>) -> Result<u32> {
    match limit {
        None => Ok(DEFAULT_PAGE_SIZE),
        Some(0) => Err(Error::invalid("limit", "must be at least 1")),
        Some(n) if n > limits::PAGE_SIZE => {
            Err(Error::invalid("limit", format!("is {n}, the maximum is {}", limits::PAGE_SIZE)))
        }
        Some(n) => Ok(n),
    }
}

/// A visible node's chain, or NOT_FOUND.
pub(crate) fn visible_chain(v: &impl View, who: &Principal, id: NodeId) -> Result<Chain> {
    let chain = load_chain(v, resolve(v, id)?)?;
    who.require_visible(&chain)?;
    Ok(chain)
}

/// A visible node's chain that the actor may read: NOT_FOUND or FORBIDDEN otherwise.
fn readable_chain(v: &impl View, schema: &Schema, who: &Principal, id: NodeId) -> Result<Chain> {
    let chain = visible_chain(v, who, id)?;
    who.require(schema, &chain, chain.node()?.rec.kind, Action::Read)?;
    Ok(chain)
}

/// One node with its effective status. O(depth).
pub(crate) fn get(v: &impl View, schema: &Schema, who: &Principal, id: NodeId) -> Result<Node> {
    let chain = readable_chain(v, schema, who, id)?;
    to_node(schema, &chain)
}

/// A node's ancestors that the caller may see, from the top down. O(depth).
pub(crate) fn ancestors(v: &impl View, schema: &Schema, who: &Principal, id: NodeId) -> Result<Vec<Node>> {
    let chain = readable_chain(v, schema, who, id)?;
    let mut out = Vec::new();
    for i in (1..chain.links.len()).rev() {
        let sub = Chain { links: chain.links.get(i..).map(<[Loaded]>::to_vec).unwrap_or_default() };
        if who.sees(&sub) {
            out.push(to_node(schema, &sub)?);
        }
    }
    Ok(out)
}

/// The quotas of a node. O(depth × resources).
pub(crate) fn quotas(v: &impl View, schema: &Schema, who: &Principal, id: NodeId) -> Result<Vec<Quota>> {
    let chain = readable_chain(v, schema, who, id)?;
    quota::quotas(v, schema, &chain)
}

/// A node and its quotas from one walk up the tree: one scope check and one chain for both.
/// O(depth × resources).
pub(crate) fn get_with_quotas(v: &impl View, schema: &Schema, who: &Principal, id: NodeId) -> Result<NodeWithQuotas> {
    let chain = readable_chain(v, schema, who, id)?;
    Ok(NodeWithQuotas { node: to_node(schema, &chain)?, quotas: quota::quotas(v, schema, &chain)? })
}

/// [`get_with_quotas`] into a record the caller keeps (see [`node_into`] and
/// [`quota::quotas_into`]). On an error `out` is left as it was or partly overwritten.
pub(crate) fn get_with_quotas_into(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    id: NodeId,
    out: &mut NodeWithQuotas,
) -> Result<()> {
    let chain = readable_chain(v, schema, who, id)?;
    node_into(schema, &chain, &mut out.node)?;
    quota::quotas_into(v, schema, &chain, &mut out.quotas)
}

/// How many descendants of each kind a node has (003's `nbOfTenants`), from the roll-ups.
/// O(kinds).
pub(crate) fn kind_counts(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    id: Option<NodeId>,
) -> Result<BTreeMap<String, u64>> {
    // For a scoped account, "everything" is its own node and its subtree.
    let (seq, own_kind) = match (id, who.scope()) {
        (Some(id), _) => {
            let chain = readable_chain(v, schema, who, id)?;
            (chain.seq(), None)
        }
        (None, None) => (0, None),
        (None, Some(scope)) => {
            let chain = load_chain(v, scope)?;
            who.require(schema, &chain, chain.node()?.rec.kind, Action::Read)?;
            (scope, Some(chain.node()?.rec.kind))
        }
    };
    let mut out = BTreeMap::new();
    for (i, kind) in schema.kinds.iter().enumerate() {
        let key = u16::try_from(i).map_err(|_| Error::corrupted("too many kinds"))?;
        let own = u64::from(own_kind.is_some_and(|k| usize::from(k) == i));
        out.insert(kind.name.clone(), v.cell(seq, key)?.below + own);
    }
    Ok(out)
}

struct Filter {
    kind: Option<u8>,
    status: Option<crate::model::StatusFilter>,
    search: Option<String>,
}

impl Filter {
    fn is_empty(&self) -> bool {
        self.kind.is_none() && self.status.is_none() && self.search.is_none()
    }

    /// Whether a child matches. `rec` is its record, which only a search needs (it looks into
    /// the profile); kind and status come from the row.
    fn matches(&self, row: &ChildRow<'_>, rec: Option<&NodeRecord>) -> bool {
        if self.kind.is_some_and(|k| k != row.kind) {
            return false;
        }
        if let Some(s) = self.status
            && !s.matches(&row.status.into())
        {
            return false;
        }
        if let Some(needle) = &self.search {
            let Some(rec) = rec else { return false };
            let p = &rec.profile;
            let hit = std::iter::once(Some(&rec.name))
                .chain([
                    p.display_name.as_ref(),
                    p.email.as_ref(),
                    p.external_name.as_ref(),
                    p.billing_id.as_ref(),
                    p.description.as_ref(),
                    p.website.as_ref(),
                    p.phone.as_ref(),
                ])
                .flatten()
                .any(|field| validate::fold(field).contains(needle.as_str()));
            if !hit {
                return false;
            }
        }
        true
    }
}

/// A listing of children, its query checked and its parent loaded, ready to scan.
struct Listing {
    /// The parent's chain; `None` at the top level.
    parent: Option<Chain>,
    limit: u32,
    source: Source,
}

/// Where a [`Listing`] finds its children.
enum Source {
    /// A range of the parent's children index.
    Index(IndexScan),
    /// The top level as a scoped account sees it: its own node alone.
    Scope { head: Loaded, shown: bool, total: u64, offset: u64 },
}

/// A listing's range of the parent's children index.
struct IndexScan {
    index: Index,
    reverse: bool,
    filter: Filter,
    parent_seq: u64,
    /// The cursor's fingerprint of this query.
    fp: u64,
    /// The cursor's key and position.
    after: Option<(Vec<u8>, u64)>,
    offset: u64,
}

/// What a listing found besides its rows.
struct PageEnd {
    total: u64,
    limit: u32,
    start_position: u64,
    next: Option<String>,
}

impl PageEnd {
    fn page<T>(self, items: Vec<T>) -> Page<T> {
        Page {
            items,
            total: self.total,
            limit: self.limit,
            page: self.start_position / u64::from(self.limit) + 1,
            pages: self.total.div_ceil(u64::from(self.limit)),
            next: self.next,
        }
    }
}

/// Makes `rec` the head of `chain`, whose other `parent_len` links are the parent's chain:
/// inserted above them the first time, replacing the previous child's after that.
fn with_head(chain: &mut Chain, parent_len: usize, seq: u64, rec: Arc<NodeRecord>) {
    let link = Loaded { seq, rec };
    let has_head = chain.links.len() > parent_len;
    match chain.links.first_mut() {
        Some(head) if has_head => *head = link,
        _ => chain.links.insert(0, link),
    }
}

/// The children of a node (or the top-level nodes), filtered, searched, sorted and paged.
/// A range scan over `by_name` or `by_parent`: O(offset + page) without filters (the total
/// comes from the children counter), O(children) with them.
pub(crate) fn children(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    parent: Option<NodeId>,
    q: &ChildQuery,
) -> Result<Page<Node>> {
    let listing = listing(v, schema, who, parent, q)?;
    let mut rows: Vec<(u64, Option<Arc<NodeRecord>>)> = Vec::with_capacity(listing.limit.min(64) as usize);
    let end = listing.scan(v, |row: ChildRow<'_>, rec| {
        rows.push((row.seq, rec));
        Ok(())
    })?;
    // One chain for the whole page: each child in turn takes the head slot above the shared
    // ancestors (no copy of the ancestors' records per child).
    let mut chain = Chain { links: listing.parent.map(|c| c.links).unwrap_or_default() };
    let parent_len = chain.links.len();
    let mut items = Vec::with_capacity(rows.len());
    for (seq, rec) in rows {
        let rec = match rec {
            Some(rec) => rec,
            None => load_child(v, seq)?,
        };
        with_head(&mut chain, parent_len, seq, rec);
        items.push(to_node(schema, &chain)?);
    }
    Ok(end.page(items))
}

/// As [`children`], each child as the children index shows it, handed to `f` borrowed while
/// the index is read: sorted by name, a page is one range scan that reads no record and, but
/// for what `f` makes, allocates nothing per child.
pub(crate) fn child_summaries<T>(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    parent: Option<NodeId>,
    q: &ChildQuery,
    mut f: impl FnMut(NodeSummaryRef<'_>) -> T,
) -> Result<Page<T>> {
    let listing = listing(v, schema, who, parent, q)?;
    let parent_id = listing.parent.as_ref().map(Chain::node).transpose()?.map(Loaded::id);
    // The parent's status in force, and its depth; the root's chain is the node itself.
    let (inherited, depth) = match &listing.parent {
        Some(chain) => (chain.effective(), chain.depth() + 1),
        None => (EffectiveStatus { status: Status::Enabled, source: None }, 1),
    };
    let mut items = Vec::with_capacity(listing.limit.min(64) as usize);
    let end = listing.scan(v, |row: ChildRow<'_>, _| {
        let own: Status = row.status.into();
        // The nearest status that is off wins, the node's own first (as `Chain::effective`).
        let effective_status =
            if own.is_off() { EffectiveStatus { status: own, source: Some(row.id()) } } else { inherited };
        items.push(f(NodeSummaryRef {
            id: row.id(),
            kind: &schema.kind_at(row.kind)?.name,
            parent: parent_id,
            name: row.name,
            status: own,
            effective_status,
            depth,
        }));
        Ok(())
    })?;
    Ok(end.page(items))
}

fn load_child(v: &impl View, seq: u64) -> Result<Arc<NodeRecord>> {
    v.node(seq)?.map(Arc::new).ok_or_else(|| Error::corrupted(format!("child index names missing node #{seq}")))
}

/// Calls `f` with each child in `range` of the index (its index key, its row, and its record
/// when the index gave it): by name from the entries alone, by creation with the records
/// (that index holds nothing else).
///
/// The closures from the index to a listing's caller are generic, not `dyn`: a row's path is
/// compiled as one, where the caller instantiates it (W5 in the package, instantiated at
/// opt-level 3: 2.6 % fewer instructions per page).
fn each_child(
    v: &impl View,
    index: Index,
    range: KeyRange,
    reverse: bool,
    mut f: impl FnMut(&[u8], ChildRow<'_>, Option<Arc<NodeRecord>>) -> Result<Flow>,
) -> Result<()> {
    if index == Index::ByName {
        return v.name_entries(range, reverse, |key, value| f(key, ChildRow::from_entry(key, value)?, None));
    }
    for key in v.keys(index, range, reverse)? {
        let key = key?;
        let (_, seq) = keys::split_child_slot(&key).ok_or_else(|| Error::corrupted("malformed by_parent key"))?;
        let rec = load_child(v, seq)?;
        if f(&key, ChildRow::from_record(seq, &rec), Some(Arc::clone(&rec)))?.is_break() {
            break;
        }
    }
    Ok(())
}

/// Checks a listing's query, loads its parent and checks the caller may list there.
fn listing(v: &impl View, schema: &Schema, who: &Principal, parent: Option<NodeId>, q: &ChildQuery) -> Result<Listing> {
    let limit = page_limit(q.limit)?;
    if q.offset > 0 && q.cursor.is_some() {
        return Err(Error::invalid("cursor", "cannot be combined with offset"));
    }
    let kind =
        match &q.kind {
            Some(name) => Some(schema.kind_index(name).ok_or_else(|| {
                Error::invalid("kind", format!("{name:?} is not a kind of schema {:?}", schema.name))
            })?),
            None => None,
        };
    let search = match &q.search {
        Some(s) if !s.trim().is_empty() => {
            validate::check_search("search", s)?;
            Some(validate::fold(s.trim()))
        }
        _ => None,
    };
    let filter = Filter { kind, status: q.status, search };
    let parent_chain = match (parent, who.scope()) {
        (Some(id), _) => {
            let chain = visible_chain(v, who, id)?;
            let list_kind = kind.unwrap_or(chain.node()?.rec.kind);
            who.require(schema, &chain, list_kind, Action::List)?;
            Some(chain)
        }
        (None, None) => None,
        (None, Some(scope)) => return scope_listing(v, schema, who, scope, &filter, q, limit),
    };
    let parent_seq = parent_chain.as_ref().map_or(0, Chain::seq);
    let index = match q.sort {
        SortBy::Name => Index::ByName,
        SortBy::Created => Index::ByParent,
    };
    let reverse = q.dir == Direction::Desc;
    let fp = cursor::fingerprint(&[
        b"children",
        &parent_seq.to_be_bytes(),
        &[kind.map_or(255, |k| k)],
        q.status
            .map_or("", |s| match s {
                crate::model::StatusFilter::Enabled => "e",
                crate::model::StatusFilter::Disabled => "d",
                crate::model::StatusFilter::Suspended => "s",
            })
            .as_bytes(),
        filter.search.as_deref().unwrap_or("").as_bytes(),
        // A cursor by name holds a `by_name` key, whose layout format 6 changed: one from before
        // is refused, not read as a position among the new keys.
        &[if index == Index::ByName { 6 } else { 0 }, u8::from(reverse)],
    ]);
    let after = match &q.cursor {
        Some(token) => Some(cursor::decode(token, fp)?),
        None => None,
    };
    Ok(Listing {
        parent: parent_chain,
        limit,
        source: Source::Index(IndexScan { index, reverse, filter, parent_seq, fp, after, offset: q.offset }),
    })
}

impl Listing {
    /// Hands each child of the page to `pick`, in order, while the index is read: its row, and
    /// its record when the listing had to read it.
    fn scan(
        &self,
        v: &impl View,
        mut pick: impl FnMut(ChildRow<'_>, Option<Arc<NodeRecord>>) -> Result<()>,
    ) -> Result<PageEnd> {
        match &self.source {
            Source::Index(scan) => scan.scan(v, self.limit, &mut pick),
            Source::Scope { head, shown, total, offset } => {
                if *shown {
                    pick(ChildRow::from_record(head.seq, &head.rec), Some(Arc::clone(&head.rec)))?;
                }
                Ok(PageEnd { total: *total, limit: self.limit, start_position: *offset, next: None })
            }
        }
    }
}

impl IndexScan {
    /// [`Listing::scan`] over the index: the page of `limit` children after the cursor or
    /// the offset.
    fn scan(
        &self,
        v: &impl View,
        limit: u32,
        pick: &mut impl FnMut(ChildRow<'_>, Option<Arc<NodeRecord>>) -> Result<()>,
    ) -> Result<PageEnd> {
        let &IndexScan { index, reverse, ref filter, parent_seq, fp, ref after, offset } = self;
        let full = match index {
            Index::ByName => KeyRange::prefix(&keys::parent_prefix(parent_seq)),
            _ => KeyRange::prefix(&keys::slot_prefix(parent_seq)),
        };
        let mut picked = 0usize;
        // The key of the last row picked: the next page starts after it.
        let mut last_key: Vec<u8> = Vec::new();
        let total;
        let start_position;
        let mut more = false;
        if filter.is_empty() {
            total = v.cell(parent_seq, CHILDREN_KEY)?.below;
            let mut range = full;
            let skip = match after {
                Some((key, pos)) => {
                    if reverse {
                        range.hi = Bound::Excluded(key.clone());
                    } else {
                        range.lo = Bound::Excluded(key.clone());
                    }
                    start_position = *pos;
                    0
                }
                None => {
                    start_position = offset;
                    offset
                }
            };
            let mut skipped = 0u64;
            each_child(v, index, range, reverse, |key, row, rec| {
                if skipped < skip {
                    skipped += 1;
                    return Ok(Flow::Continue(()));
                }
                if picked == limit as usize {
                    more = true;
                    return Ok(Flow::Break(()));
                }
                picked += 1;
                // Only the page's last row can start a next page (a page that ends before its
                // limit has none): the others' keys are not kept.
                if picked == limit as usize {
                    last_key.extend_from_slice(key);
                }
                pick(row, rec)?;
                Ok(Flow::Continue(()))
            })?;
        } else {
            // Filters need every child seen to count the matches; one pass does it all. Only a
            // search reads the records (of a listing by name).
            let mut count = 0u64;
            let mut before = 0u64;
            each_child(v, index, full, reverse, |key, row, rec| {
                let rec = match rec {
                    None if filter.search.is_some() => Some(load_child(v, row.seq)?),
                    rec => rec,
                };
                if !filter.matches(&row, rec.as_deref()) {
                    return Ok(Flow::Continue(()));
                }
                count += 1;
                let in_window = match after {
                    Some((ck, _)) => {
                        if reverse {
                            key < ck.as_slice()
                        } else {
                            key > ck.as_slice()
                        }
                    }
                    None => count > offset,
                };
                if !in_window {
                    before += 1;
                } else if picked < limit as usize {
                    last_key.clear();
                    last_key.extend_from_slice(key);
                    picked += 1;
                    pick(row, rec)?;
                } else {
                    more = true;
                }
                Ok(Flow::Continue(()))
            })?;
            total = count;
            start_position = before;
        }
        let next =
            if more && picked > 0 { Some(cursor::encode(fp, &last_key, start_position + picked as u64)) } else { None };
        Ok(PageEnd { total, limit, start_position, next })
    }
}

/// The top level as a scoped account sees it: its own node alone.
fn scope_listing(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    scope: u64,
    filter: &Filter,
    q: &ChildQuery,
    limit: u32,
) -> Result<Listing> {
    let chain = load_chain(v, scope)?;
    let head = chain.node()?.clone();
    who.require(schema, &chain, head.rec.kind, Action::Read)?;
    let total = u64::from(filter.matches(&ChildRow::from_record(scope, &head.rec), Some(&head.rec)));
    let shown = total == 1 && q.offset == 0 && q.cursor.is_none();
    let parent = chain.parent_chain();
    let parent = (!parent.links.is_empty()).then_some(parent);
    Ok(Listing { parent, limit, source: Source::Scope { head, shown, total, offset: q.offset } })
}

/// The descendants of one kind under a node (or in the whole store), in tree order. One range
/// scan over the `paths` index: O(offset + page × depth); the total comes from the roll-ups.
pub(crate) fn descendants(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    root: Option<NodeId>,
    q: &DescendantQuery,
) -> Result<Page<Node>> {
    let limit = page_limit(q.limit)?;
    if q.offset > 0 && q.cursor.is_some() {
        return Err(Error::invalid("cursor", "cannot be combined with offset"));
    }
    let kind = schema
        .kind_index(&q.kind)
        .ok_or_else(|| Error::invalid("kind", format!("{:?} is not a kind of schema {:?}", q.kind, schema.name)))?;
    // For a scoped account, the whole store it sees is its own node and its subtree: the root
    // itself is then listed too, when it is of the kind.
    let (root_chain, include_root) = match (root, who.scope()) {
        (Some(id), _) => {
            let chain = visible_chain(v, who, id)?;
            who.require(schema, &chain, kind, Action::List)?;
            (Some(chain), false)
        }
        (None, None) => (None, false),
        (None, Some(scope)) => {
            let chain = load_chain(v, scope)?;
            who.require(schema, &chain, kind, Action::List)?;
            let same_kind = chain.node()?.rec.kind == kind;
            (Some(chain), same_kind)
        }
    };
    let root_path = root_chain.as_ref().map(Chain::path).unwrap_or_default();
    let root_seq = root_chain.as_ref().map_or(0, Chain::seq);
    let prefix = keys::path_prefix(kind, &root_path);
    let fp = cursor::fingerprint(&[b"descendants", &root_seq.to_be_bytes(), &[kind, u8::from(include_root)]]);
    let mut range = KeyRange::prefix(&prefix);
    let (skip, start_position) = match &q.cursor {
        Some(token) => {
            let (key, pos) = cursor::decode(token, fp)?;
            range.lo = Bound::Excluded(key);
            (0, pos)
        }
        None => (q.offset, q.offset),
    };
    let total = v.cell(root_seq, kind.into())?.below + u64::from(include_root);
    let mut cache: HashMap<u64, Arc<NodeRecord>> = HashMap::new();
    if let Some(c) = &root_chain {
        for l in &c.links {
            cache.insert(l.seq, l.rec.clone());
        }
    }
    let mut items = Vec::new();
    let mut last_key: Option<Vec<u8>> = None;
    let mut more = false;
    let mut skipped = 0u64;
    for key in v.keys(Index::Paths, range, false)? {
        let key = key?;
        if key.len() == prefix.len() && !include_root {
            continue; // the root itself
        }
        if skipped < skip {
            skipped += 1;
            continue;
        }
        if items.len() == limit as usize {
            more = true;
            break;
        }
        let (_, path) = keys::split_path(&key).ok_or_else(|| Error::corrupted("malformed paths key"))?;
        let mut links = Vec::with_capacity(path.len());
        for (i, &seq) in path.iter().rev().enumerate() {
            // The item itself is read once and not kept; its ancestors repeat from item to item.
            if i == 0 && !cache.contains_key(&seq) {
                let r = v.node(seq)?.ok_or_else(|| Error::corrupted(format!("paths names missing node #{seq}")))?;
                links.push(Loaded { seq, rec: Arc::new(r) });
                continue;
            }
            let rec = match cache.get(&seq) {
                Some(r) => Arc::clone(r),
                None => {
                    let r =
                        v.node_rc(seq)?.ok_or_else(|| Error::corrupted(format!("paths names missing node #{seq}")))?;
                    if cache.len() < 4096 {
                        cache.insert(seq, Arc::clone(&r));
                    }
                    r
                }
            };
            links.push(Loaded { seq, rec });
        }
        items.push(to_node(schema, &Chain { links })?);
        last_key = Some(key);
    }
    let next = if more { last_key.map(|k| cursor::encode(fp, &k, start_position + items.len() as u64)) } else { None };
    Ok(Page {
        items,
        total,
        limit,
        page: start_position / u64::from(limit) + 1,
        pages: total.div_ceil(u64::from(limit)),
        next,
    })
}
