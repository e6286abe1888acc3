//! Quotas: usage that rolls up, limits that nest, allocations and releases.
//!
//! Usage of a key at a node = its own allocation + `below` of its roll-up cell (the sum over its
//! strict descendants). Invariant at every node with a limit: usage ≤ limit. A node's limit
//! never exceeds the limit of its nearest limited ancestor; `max_limit_below` keeps an upper
//! bound of the limits below each node so that lowering a limit is O(1) unless the bound says
//! a descendant might be in the way, in which case the subtree is scanned once and the bound
//! made exact again.

use std::collections::{BTreeMap, HashMap};

use crate::engine::access::{Action, Principal};
use crate::engine::feed::{self, Event};
use crate::engine::{Chain, Ctx, Loaded, load_chain, node_id, resolve, to_node};
use crate::error::{Error, LimitRule, Result};
use crate::ids::NodeId;
use crate::model::{Node, Quota};
use crate::schema::{RollupKey, Schema};
use crate::store::{Cell, Index, KeyRange, NodeRecord, View, WriteView, keys};
use crate::validate::set_str;

fn bump(w: &mut WriteView<'_>, seq: u64, key: RollupKey, f: impl FnOnce(&mut Cell) -> Result<()>) -> Result<()> {
    w.update_cell(seq, key, f)
}

/// Adds `n` to the `below` roll-up of every node in `seqs`.
pub(crate) fn add_below(
    w: &mut WriteView<'_>,
    seqs: impl IntoIterator<Item = u64>,
    key: RollupKey,
    n: u64,
) -> Result<()> {
    shift_below(w, seqs, key, n, u64::checked_add, "overflow")
}

/// Subtracts `n` from the `below` roll-up of every node in `seqs`.
pub(crate) fn sub_below(
    w: &mut WriteView<'_>,
    seqs: impl IntoIterator<Item = u64>,
    key: RollupKey,
    n: u64,
) -> Result<()> {
    shift_below(w, seqs, key, n, u64::checked_sub, "underflow")
}

/// Moves the `below` roll-up of every node in `seqs` by `n` with `op`; a result out of range
/// is a damaged store (`what` names which end).
fn shift_below(
    w: &mut WriteView<'_>,
    seqs: impl IntoIterator<Item = u64>,
    key: RollupKey,
    n: u64,
    op: impl Fn(u64, u64) -> Option<u64>,
    what: &str,
) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    for seq in seqs {
        bump(w, seq, key, |c| {
            c.below = op(c.below, n).ok_or_else(|| Error::corrupted(format!("roll-up {what} at #{seq}")))?;
            Ok(())
        })?;
    }
    Ok(())
}

/// Raises the `max_limit_below` bound of every node in `seqs` to at least `limit`.
pub(crate) fn raise_max_below(w: &mut WriteView<'_>, seqs: &[u64], key: RollupKey, limit: u64) -> Result<()> {
    for &seq in seqs {
        if w.cell(seq, key)?.max_limit_below < limit {
            bump(w, seq, key, |c| {
                c.max_limit_below = limit;
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// Adds (or removes) a child's limit to (from) the parent's `child_limits` sum. Top-level
/// nodes have no real parent; their sums are not kept.
pub(crate) fn adjust_child_limits(
    w: &mut WriteView<'_>,
    parent: u64,
    key: RollupKey,
    value: u64,
    add: bool,
) -> Result<()> {
    if parent == 0 || value == 0 {
        return Ok(());
    }
    bump(w, parent, key, |c| {
        let value = u128::from(value);
        c.child_limits = if add { c.child_limits.checked_add(value) } else { c.child_limits.checked_sub(value) }
            .ok_or_else(|| Error::corrupted(format!("child limit sum out of range at #{parent}")))?;
        Ok(())
    })
}

/// Bookkeeping for a limit that appears on a node (create or set): the parent's child sum and
/// the ancestors' bounds.
pub(crate) fn limit_added(
    w: &mut WriteView<'_>,
    parent: u64,
    ancestors: &[u64],
    key: RollupKey,
    value: u64,
) -> Result<()> {
    adjust_child_limits(w, parent, key, value, true)?;
    raise_max_below(w, ancestors, key, value)
}

/// A node's usage of a key: own allocation plus the subtree below, both in one cell.
pub(crate) fn usage(v: &impl View, link: &Loaded, key: RollupKey) -> Result<u64> {
    let cell = v.cell(link.seq, key)?;
    Ok(cell.own.saturating_add(cell.below))
}

/// QUOTA_EXCEEDED unless every limited node in `links` has room for `amount` more of `key`.
/// Reports the nearest node that lacks room. O(depth).
pub(crate) fn check_room(v: &impl View, schema: &Schema, links: &[Loaded], key: RollupKey, amount: u64) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    for link in links {
        if let Some(limit) = link.rec.limit(key) {
            let used = usage(v, link, key)?;
            if used.checked_add(amount).is_none_or(|total| total > limit) {
                return Err(Error::QuotaExceeded {
                    node: link.id().to_string(),
                    resource: schema.key_name(key),
                    limit,
                    used,
                    requested: amount,
                });
            }
        }
    }
    Ok(())
}

/// Checks a limit for a node that does not have it yet, whose current usage is `used`, against
/// its ancestors (`parent` chain) and the no-overcommit rule.
pub(crate) fn check_new_limit(
    v: &impl View,
    schema: &Schema,
    node: NodeId,
    parent: Option<&Chain>,
    key: RollupKey,
    value: u64,
    used: u64,
) -> Result<()> {
    let refuse = |reason: LimitRule| Error::InvalidLimit {
        node: node.to_string(),
        resource: schema.key_name(key),
        requested: value,
        reason,
    };
    if value < used {
        return Err(refuse(LimitRule::BelowUsage { used }));
    }
    let Some(parent) = parent else {
        return Ok(());
    };
    if let Some(ancestor) = parent.links.iter().find(|l| l.rec.limit(key).is_some())
        && let Some(ancestor_limit) = ancestor.rec.limit(key)
        && value > ancestor_limit
    {
        return Err(refuse(LimitRule::AboveAncestor { ancestor: ancestor.id().to_string(), ancestor_limit }));
    }
    if !schema.allow_overcommit {
        let p = parent.node()?;
        if let Some(parent_limit) = p.rec.limit(key) {
            let sum = v.cell(p.seq, key)?.child_limits.saturating_add(u128::from(value));
            if sum > u128::from(parent_limit) {
                let children_sum = u64::try_from(sum).unwrap_or(u64::MAX);
                return Err(refuse(LimitRule::Overcommit { parent: p.id().to_string(), parent_limit, children_sum }));
            }
        }
    }
    Ok(())
}

/// Every strict descendant of a node, as (kind, full path) — found by one range scan per kind
/// over the `paths` index. O(size of the subtree).
pub(crate) struct Subtree {
    pub(crate) entries: Vec<(u8, Vec<u64>)>,
    /// Length of the path of the subtree's root.
    root_len: usize,
}

impl Subtree {
    pub(crate) fn scan(v: &impl View, schema: &Schema, root_path: &[u64]) -> Result<Subtree> {
        let mut entries = Vec::new();
        for kind in 0..schema.kinds.len() {
            let kind = u8::try_from(kind).map_err(|_| Error::corrupted("too many kinds"))?;
            let prefix = keys::path_prefix(kind, root_path);
            for key in v.keys(Index::Paths, KeyRange::prefix(&prefix), false)? {
                let key = key?;
                if key.len() == prefix.len() {
                    continue; // the root itself
                }
                let (k, path) = keys::split_path(&key).ok_or_else(|| Error::corrupted("malformed paths key"))?;
                entries.push((k, path));
            }
        }
        Ok(Subtree { entries, root_len: root_path.len() })
    }

    /// How many levels the subtree spans, the root counting as 1.
    pub(crate) fn height(&self) -> u32 {
        let deepest = self.entries.iter().map(|(_, p)| p.len()).max().unwrap_or(self.root_len);
        u32::try_from(deepest + 1 - self.root_len).unwrap_or(u32::MAX)
    }

    /// The billing ids in the subtree (root included) whose uniqueness scope lies outside the
    /// subtree, i.e. changes when the subtree moves.
    pub(crate) fn billing_ids_scoped_outside(
        &self,
        v: &impl View,
        schema: &Schema,
        root: u64,
        root_rec: &NodeRecord,
    ) -> Result<Vec<(u64, String)>> {
        let scope_kind = match &schema.billing_scope {
            crate::schema::BillingScope::Store => return Ok(Vec::new()),
            crate::schema::BillingScope::Ancestor { kind } => schema.kind_index(kind),
        };
        let mut kinds: HashMap<u64, u8> = self.entries.iter().filter_map(|(k, p)| p.last().map(|s| (*s, *k))).collect();
        kinds.insert(root, root_rec.kind);
        let mut out = Vec::new();
        if let Some(b) = &root_rec.profile.billing_id {
            out.push((root, b.clone()));
        }
        for (_, path) in &self.entries {
            let Some((&seq, above)) = path.split_last() else { continue };
            // The path from the root down to the parent, inside the subtree.
            let inside = above.get(self.root_len.saturating_sub(1)..).unwrap_or(&[]);
            if inside.iter().any(|s| kinds.get(s).copied() == scope_kind) {
                continue;
            }
            if let Some(rec) = v.node(seq)?
                && let Some(b) = rec.profile.billing_id
            {
                out.push((seq, b));
            }
        }
        Ok(out)
    }
}

/// What a subtree carries along when it moves.
pub(crate) struct Totals {
    /// Usage by key, the root's own allocation and its own kind included.
    pub(crate) usage: BTreeMap<RollupKey, u64>,
    /// An upper bound of the largest limit in the subtree by key, the root's included.
    pub(crate) max_limits: BTreeMap<RollupKey, u64>,
}

pub(crate) fn subtree_totals(v: &impl View, _schema: &Schema, seq: u64, rec: &NodeRecord) -> Result<Totals> {
    let mut usage: BTreeMap<RollupKey, u64> = BTreeMap::new();
    let mut max_limits: BTreeMap<RollupKey, u64> = BTreeMap::new();
    for (key, cell) in v.cells(seq)? {
        if key == crate::schema::CHILDREN_KEY {
            continue;
        }
        let used = cell.below.saturating_add(cell.own);
        if used > 0 {
            usage.insert(key, used);
        }
        if cell.max_limit_below > 0 {
            max_limits.insert(key, cell.max_limit_below);
        }
    }
    *usage.entry(rec.kind.into()).or_insert(0) += 1;
    for &(key, limit) in &rec.limits {
        let slot = max_limits.entry(key).or_insert(0);
        *slot = (*slot).max(limit);
    }
    Ok(Totals { usage, max_limits })
}

/// The largest limit on `key` in a subtree, root included, with the node that carries it.
pub(crate) fn exact_max_in_subtree(
    v: &impl View,
    subtree: &Subtree,
    root_rec: &NodeRecord,
    _root: u64,
    key: RollupKey,
) -> Result<Option<(u64, NodeId)>> {
    let mut best: Option<(u64, NodeId)> = root_rec.limit(key).map(|l| (l, node_id(root_rec)));
    for (_, path) in &subtree.entries {
        let Some(&seq) = path.last() else { continue };
        let rec = v.node(seq)?.ok_or_else(|| Error::corrupted(format!("paths names missing node #{seq}")))?;
        if let Some(l) = rec.limit(key)
            && best.is_none_or(|(b, _)| l > b)
        {
            best = Some((l, node_id(&rec)));
        }
    }
    Ok(best)
}

/// Sets or removes limits on a node, all or nothing. O(depth) per limit, plus a scan of the
/// subtree when a limit is lowered below the stored bound of the limits underneath.
pub(crate) fn set_limits(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    id: NodeId,
    changes: &BTreeMap<String, Option<u64>>,
    expected_version: Option<u64>,
) -> Result<Node> {
    let schema = ctx.schema;
    let seq = resolve(w, id)?;
    let chain = load_chain(w, seq)?;
    let head = chain.node()?.clone();
    who.require(schema, &chain, head.rec.kind, Action::Limits)?;
    if let Some(expected) = expected_version
        && expected != head.rec.version
    {
        return Err(Error::Conflict { entity: "node", id: id.to_string(), expected, actual: head.rec.version });
    }
    let parent = chain.parent_chain();
    let parent_ref = (!parent.links.is_empty()).then_some(&parent);
    let mut parsed: Vec<(RollupKey, Option<u64>)> = Vec::with_capacity(changes.len());
    for (name, value) in changes {
        let field = format!("limits.{name}");
        if let Some(v) = value {
            crate::engine::nodes::check_quantity(&field, *v)?;
        }
        parsed.push((schema.resource_key_or_err(&field, name)?, *value));
    }
    let mut subtree: Option<Subtree> = None;
    let mut exact_bounds: Vec<(RollupKey, u64)> = Vec::new();
    for &(key, value) in &parsed {
        let Some(value) = value else { continue };
        let old = head.rec.limit(key);
        if old == Some(value) {
            continue;
        }
        let used = usage(w, &head, key)?;
        let refuse = |reason: LimitRule| Error::InvalidLimit {
            node: id.to_string(),
            resource: schema.key_name(key),
            requested: value,
            reason,
        };
        // The ancestor rules and the parent's overcommit sum, as for a fresh limit but with
        // this node's old limit taken out of the sum.
        if value < used {
            return Err(refuse(LimitRule::BelowUsage { used }));
        }
        if let Some(p) = parent_ref {
            if let Some(ancestor) = p.links.iter().find(|l| l.rec.limit(key).is_some())
                && let Some(ancestor_limit) = ancestor.rec.limit(key)
                && value > ancestor_limit
            {
                return Err(refuse(LimitRule::AboveAncestor { ancestor: ancestor.id().to_string(), ancestor_limit }));
            }
            if !schema.allow_overcommit {
                let pl = p.node()?;
                if let Some(parent_limit) = pl.rec.limit(key) {
                    let sum = w
                        .cell(pl.seq, key)?
                        .child_limits
                        .saturating_sub(u128::from(old.unwrap_or(0)))
                        .saturating_add(u128::from(value));
                    if sum > u128::from(parent_limit) {
                        return Err(refuse(LimitRule::Overcommit {
                            parent: pl.id().to_string(),
                            parent_limit,
                            children_sum: u64::try_from(sum).unwrap_or(u64::MAX),
                        }));
                    }
                }
            }
        }
        let cell = w.cell(seq, key)?;
        if !schema.allow_overcommit && cell.child_limits > u128::from(value) {
            return Err(refuse(LimitRule::Overcommit {
                parent: id.to_string(),
                parent_limit: value,
                children_sum: u64::try_from(cell.child_limits).unwrap_or(u64::MAX),
            }));
        }
        if cell.max_limit_below > value {
            if subtree.is_none() {
                subtree = Some(Subtree::scan(w, schema, &chain.path())?);
            }
            let mut exact: Option<(u64, NodeId)> = None;
            if let Some(st) = &subtree {
                for (_, path) in &st.entries {
                    let Some(&s) = path.last() else { continue };
                    let rec = w.node(s)?.ok_or_else(|| Error::corrupted(format!("paths names missing node #{s}")))?;
                    if let Some(l) = rec.limit(key)
                        && exact.is_none_or(|(b, _)| l > b)
                    {
                        exact = Some((l, node_id(&rec)));
                    }
                }
            }
            if let Some((l, holder)) = exact
                && l > value
            {
                return Err(refuse(LimitRule::BelowDescendant { descendant: holder.to_string(), descendant_limit: l }));
            }
            exact_bounds.push((key, exact.map_or(0, |(l, _)| l)));
        }
    }

    // Apply.
    let mut rec = NodeRecord::clone(&head.rec);
    for &(key, value) in &parsed {
        let old = rec.limit(key);
        if old == value {
            continue;
        }
        if let Some(o) = old {
            adjust_child_limits(w, rec.parent, key, o, false)?;
        }
        if let Some(v) = value {
            let ancestors: Vec<u64> = parent.links.iter().map(|l| l.seq).collect();
            limit_added(w, rec.parent, &ancestors, key, v)?;
        }
        rec.set_limit(key, value);
    }
    for (key, bound) in exact_bounds {
        let mut cell = w.cell(seq, key)?;
        cell.max_limit_below = bound;
        w.set_cell(seq, key, cell)?;
    }
    let changed = rec != *head.rec;
    if changed {
        rec.version += 1;
        rec.updated = ctx.now().as_micros();
        w.put_node(seq, &rec)?;
    }
    let mut links = chain.links;
    if let Some(first) = links.first_mut() {
        first.rec = std::sync::Arc::new(rec);
    }
    let chain = Chain { links };
    if changed {
        feed::emit(w, ctx, who, Event::node("node.limits", &chain, Some(serde_json::json!({"limits": changes})))?)?;
    }
    to_node(schema, &chain)
}

fn allocatable_key(schema: &Schema, resource: &str) -> Result<RollupKey> {
    let key = schema.resource_key_or_err("resource", resource)?;
    if Schema::is_count_key(key) {
        return Err(Error::invalid(
            "resource",
            format!("{resource:?} counts nodes; the store keeps it, it cannot be allocated or released"),
        ));
    }
    Ok(key)
}

/// Takes `amount` of a resource on a node, checking the node's and every ancestor's limit.
/// Refused while the node or an ancestor is disabled. O(depth).
pub(crate) fn allocate(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    id: NodeId,
    resource: &str,
    amount: u64,
) -> Result<Quota> {
    allocate_with(w, ctx, who, id, resource, amount, false)
}

/// As [`allocate`]; when restoring a snapshot, also below disabled nodes and without a feed
/// event (every limit still applies).
pub(crate) fn allocate_with(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    id: NodeId,
    resource: &str,
    amount: u64,
    restoring: bool,
) -> Result<Quota> {
    let schema = ctx.schema;
    let key = allocatable_key(schema, resource)?;
    if amount == 0 {
        return Err(Error::invalid("amount", "must be at least 1"));
    }
    crate::engine::nodes::check_quantity("amount", amount)?;
    let seq = resolve(w, id)?;
    let chain = load_chain(w, seq)?;
    let head = chain.node()?;
    who.require(schema, &chain, head.rec.kind, Action::Allocate)?;
    if !restoring {
        chain.require_enabled()?;
    }
    check_room(w, schema, &chain.links, key, amount)?;
    let own = w
        .cell(seq, key)?
        .own
        .checked_add(amount)
        .ok_or_else(|| Error::invalid("amount", "the allocation would overflow"))?;
    for link in chain.links.iter().skip(1) {
        if usage(w, link, key)?.checked_add(amount).is_none() {
            return Err(Error::invalid("amount", "the allocation would overflow"));
        }
    }

    // Apply. Allocations change usage, not the node's own fields: the version stays, and the
    // record is not rewritten (the allocation lives in the node's cell).
    set_own(w, seq, key, own)?;
    add_below(w, chain.ancestor_targets(), key, amount)?;
    if !restoring && ctx.feed {
        let changes = serde_json::json!({"resource": resource, "amount": amount});
        feed::emit(w, ctx, who, Event::node("node.allocate", &chain, Some(changes))?)?;
    }
    quota_of(w, schema, &chain, key)
}

/// Sets a node's own allocation of `key`.
fn set_own(w: &mut WriteView<'_>, seq: u64, key: RollupKey, own: u64) -> Result<()> {
    w.update_cell(seq, key, |c| {
        c.own = own;
        Ok(())
    })
}

/// Gives back `amount` of a resource allocated on a node. Allowed while disabled (giving back
/// never breaks a limit). O(depth).
pub(crate) fn release(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    id: NodeId,
    resource: &str,
    amount: u64,
) -> Result<Quota> {
    let schema = ctx.schema;
    let key = allocatable_key(schema, resource)?;
    if amount == 0 {
        return Err(Error::invalid("amount", "must be at least 1"));
    }
    crate::engine::nodes::check_quantity("amount", amount)?;
    let seq = resolve(w, id)?;
    let chain = load_chain(w, seq)?;
    let head = chain.node()?;
    who.require(schema, &chain, head.rec.kind, Action::Release)?;
    let own = w.cell(seq, key)?.own;
    let Some(left) = own.checked_sub(amount) else {
        return Err(Error::invalid(
            "amount",
            format!("cannot release {amount} {resource}: only {own} allocated on node {id}"),
        ));
    };
    set_own(w, seq, key, left)?;
    sub_below(w, chain.ancestor_targets(), key, amount)?;
    if ctx.feed {
        let changes = serde_json::json!({"resource": resource, "amount": amount});
        feed::emit(w, ctx, who, Event::node("node.release", &chain, Some(changes))?)?;
    }
    quota_of(w, schema, &chain, key)
}

/// The figures of one key at the head of a chain. O(depth).
pub(crate) fn quota_of(v: &impl View, schema: &Schema, chain: &Chain, key: RollupKey) -> Result<Quota> {
    let head = chain.node()?;
    quota_with(v, chain, key, schema.key_name(key), v.cell(head.seq, key)?)
}

/// As [`quota_of`], with the resource's name and the head's cell already at hand.
fn quota_with(v: &impl View, chain: &Chain, key: RollupKey, resource: String, cell: Cell) -> Result<Quota> {
    let mut quota = Quota { resource, limit: None, used: 0, allocated: 0, available: None };
    quota_into(v, chain, key, cell, &mut quota)?;
    Ok(quota)
}

/// The figures of the resource `key` at the head of `chain`, whose own cell is `cell`, into
/// `out` (its resource is the caller's to set).
fn quota_into(v: &impl View, chain: &Chain, key: RollupKey, cell: Cell, out: &mut Quota) -> Result<()> {
    let head = chain.node()?;
    let used = cell.own.saturating_add(cell.below);
    let mut available: Option<u64> = None;
    for link in &chain.links {
        if let Some(limit) = link.rec.limit(key) {
            let link_used = if link.seq == head.seq { used } else { usage(v, link, key)? };
            let room = limit.saturating_sub(link_used);
            available = Some(available.map_or(room, |a| a.min(room)));
        }
    }
    let Quota { resource: _, limit, used: out_used, allocated, available: out_available } = out;
    *limit = head.rec.limit(key);
    *out_used = used;
    *allocated = cell.own;
    *out_available = available;
    Ok(())
}

/// Every resource of the schema at a node. O(depth × resources); the node's own cells are
/// read in one range, an ancestor's only for the keys it limits.
pub(crate) fn quotas(v: &impl View, schema: &Schema, chain: &Chain) -> Result<Vec<Quota>> {
    let mut out = Vec::with_capacity(schema.resources.len());
    quotas_into(v, schema, chain, &mut out)?;
    Ok(out)
}

/// [`quotas`] into a list the caller keeps: the quotas it holds are overwritten in place, so
/// that a caller reading one node after another reuses their resources' names (the schema's,
/// the same every time) instead of making them again. On an error `out` is left partly
/// overwritten.
pub(crate) fn quotas_into(v: &impl View, schema: &Schema, chain: &Chain, out: &mut Vec<Quota>) -> Result<()> {
    let head_cells = v.cells(chain.node()?.seq)?;
    let mut n = 0;
    // By position: a resource's key follows from its place in the schema, without looking its
    // name up again (a read of every quota is one of the commonest calls).
    for (index, resource) in schema.resources.iter().enumerate() {
        let Some(key) = schema.resource_key_at(index) else { continue };
        let cell = head_cells.iter().find(|(k, _)| *k == key).map(|(_, c)| *c).unwrap_or_default();
        match out.get_mut(n) {
            Some(quota) => {
                set_str(&mut quota.resource, &resource.name);
                quota_into(v, chain, key, cell, quota)?;
            }
            None => out.push(quota_with(v, chain, key, resource.name.clone(), cell)?),
        }
        n += 1;
    }
    out.truncate(n);
    Ok(())
}
