//! The rules of the tree, on top of the typed views of `store`.
//!
//! Every write operation here first reads and checks everything it needs (the plan), and only
//! then writes (the apply). A refused operation therefore leaves no trace, even inside a larger
//! transaction that goes on after catching the error.

pub(crate) mod access;
pub(crate) mod accounts;
pub(crate) mod auth;
pub(crate) mod check;
pub(crate) mod cursor;
pub(crate) mod feed;
pub(crate) mod markups;
pub(crate) mod nodes;
pub(crate) mod props;
pub(crate) mod query;
pub(crate) mod quota;
pub(crate) mod roles;
pub(crate) mod snapshot;
pub(crate) mod tenant;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::env::{Clock, Entropy};
use crate::error::{Error, Result};
use crate::ids::{NodeId, Timestamp};
use crate::model::{EffectiveStatus, Node, Profile, Status};
use crate::schema::{MAX_DEPTH, RollupKey, Schema};
use crate::store::{NameEntryRef, NodeRecord, ProfileRec, StatusRec, View, keys};
use crate::validate::{NodeName, set_opt_str, set_str};

/// What every operation needs besides the transaction.
#[derive(Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub(crate) schema: &'a Schema,
    pub(crate) clock: &'a dyn Clock,
    pub(crate) entropy: &'a dyn Entropy,
    /// The last id minted by this store, so that ids minted within one millisecond still sort
    /// in creation order.
    pub(crate) last_id: &'a std::sync::Mutex<u128>,
    /// argon2id cost parameters for new password hashes.
    pub(crate) password: &'a crate::account::PasswordParams,
    /// Whether writes append to the change feed.
    pub(crate) feed: bool,
}

impl Ctx<'_> {
    pub(crate) fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// A loaded node. The record is shared: a chain of ancestors is built from the write
/// transaction's node cache without copying records, and every child of a page shares its
/// parent's links.
#[derive(Debug, Clone)]
pub(crate) struct Loaded {
    pub(crate) seq: u64,
    pub(crate) rec: Arc<NodeRecord>,
}

impl Loaded {
    pub(crate) fn id(&self) -> NodeId {
        node_id(&self.rec)
    }
}

pub(crate) fn node_id(rec: &NodeRecord) -> NodeId {
    stored_id(rec.id)
}

/// A stored id. Never nil (ids are checked as they come in); a damaged one still reads as a
/// valid id rather than failing every read of the node.
pub(crate) fn stored_id(bytes: [u8; 16]) -> NodeId {
    NodeId::from_bytes(bytes).unwrap_or_else(|_| NodeId::v7(0, &[0; 10]))
}

/// A child as a listing sees it: from its `by_name` entry, or from its record, the name
/// borrowed from either.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChildRow<'a> {
    pub(crate) seq: u64,
    pub(crate) id: [u8; 16],
    pub(crate) kind: u8,
    pub(crate) status: StatusRec,
    /// The name as written.
    pub(crate) name: &'a str,
}

impl<'a> ChildRow<'a> {
    /// Decodes a `by_name` row.
    pub(crate) fn from_entry(key: &'a [u8], value: &'a [u8]) -> Result<ChildRow<'a>> {
        let (_, folded, _) = keys::split_by_name(key).ok_or_else(|| Error::corrupted("malformed by_name key"))?;
        let entry = NameEntryRef::from_bytes(value)?;
        Ok(ChildRow {
            seq: entry.seq,
            id: entry.id,
            kind: entry.kind,
            status: entry.status,
            name: entry.name.unwrap_or(folded),
        })
    }

    pub(crate) fn from_record(seq: u64, rec: &'a NodeRecord) -> ChildRow<'a> {
        ChildRow { seq, id: rec.id, kind: rec.kind, status: rec.status, name: &rec.name }
    }

    pub(crate) fn id(&self) -> NodeId {
        stored_id(self.id)
    }
}

/// A node and all its ancestors: `links[0]` is the node, the last entry is its top-level
/// ancestor.
#[derive(Debug, Clone)]
pub(crate) struct Chain {
    pub(crate) links: Vec<Loaded>,
}

impl Chain {
    pub(crate) fn node(&self) -> Result<&Loaded> {
        self.links.first().ok_or_else(|| Error::corrupted("empty ancestor chain"))
    }

    pub(crate) fn seq(&self) -> u64 {
        self.links.first().map_or(0, |l| l.seq)
    }

    /// Depth of the node: 1 at the top level.
    pub(crate) fn depth(&self) -> u32 {
        u32::try_from(self.links.len()).unwrap_or(u32::MAX)
    }

    /// The ancestors' sequence numbers from the top down, then the node's own: the node's full
    /// path in the `paths` index.
    pub(crate) fn path(&self) -> Vec<u64> {
        self.links.iter().rev().map(|l| l.seq).collect()
    }

    /// The sequence numbers of the node and every ancestor, bottom-up, ending with the virtual
    /// root 0 that holds store-wide roll-ups.
    pub(crate) fn rollup_targets(&self) -> Vec<u64> {
        self.targets().collect()
    }

    /// [`Chain::rollup_targets`] without the node itself, as they come (an allocation's
    /// ancestors, bumped without a list made for them).
    pub(crate) fn ancestor_targets(&self) -> impl Iterator<Item = u64> + '_ {
        self.targets().skip(1)
    }

    fn targets(&self) -> impl Iterator<Item = u64> + '_ {
        self.links.iter().map(|l| l.seq).chain([0])
    }

    /// The status in force at the node.
    pub(crate) fn effective(&self) -> EffectiveStatus {
        for link in &self.links {
            let status: Status = link.rec.status.into();
            if status.is_off() {
                return EffectiveStatus { status, source: Some(link.id()) };
            }
        }
        EffectiveStatus { status: Status::Enabled, source: None }
    }

    /// The chain of the parent (everything above the node).
    pub(crate) fn parent_chain(&self) -> Chain {
        Chain { links: self.links.get(1..).map(<[Loaded]>::to_vec).unwrap_or_default() }
    }

    pub(crate) fn contains(&self, seq: u64) -> bool {
        self.links.iter().any(|l| l.seq == seq)
    }

    /// Fails with SERVICE_DISABLED when the node or an ancestor is off.
    pub(crate) fn require_enabled(&self) -> Result<()> {
        let eff = self.effective();
        match eff.source {
            Some(source) => Err(Error::ServiceDisabled {
                node: self.node()?.id().to_string(),
                disabled_by: source.to_string(),
                status: eff.status.as_str().to_owned(),
            }),
            None => Ok(()),
        }
    }
}

/// Loads a node and its ancestors. O(depth).
pub(crate) fn load_chain(v: &impl View, seq: u64) -> Result<Chain> {
    let mut links = Vec::with_capacity(6);
    let mut next = seq;
    while next != 0 {
        if links.len() > MAX_DEPTH as usize {
            return Err(Error::corrupted(format!("the ancestors of node #{seq} form a loop")));
        }
        let rec = if links.is_empty() { v.node_rc(next)? } else { v.ancestor_rc(next)? };
        let rec = rec.ok_or_else(|| Error::corrupted(format!("node #{next}, an ancestor of #{seq}, is missing")))?;
        let parent = rec.parent;
        links.push(Loaded { seq: next, rec });
        next = parent;
    }
    if links.is_empty() {
        return Err(Error::corrupted("a chain was requested for the virtual root"));
    }
    Ok(Chain { links })
}

/// The sequence number of a node id, or NOT_FOUND.
pub(crate) fn resolve(v: &impl View, id: NodeId) -> Result<u64> {
    v.seq_of(id.to_bytes())?.ok_or_else(|| Error::not_found("node", id))
}

/// The sequence number of a node id, or `None`.
pub(crate) fn try_resolve(v: &impl View, id: NodeId) -> Result<Option<u64>> {
    v.seq_of(id.to_bytes())
}

/// Builds the public view of the node at the head of `chain`: [`node_into`] a blank node, so
/// that a node read anew and one read into a kept record are made by the same code.
pub(crate) fn to_node(schema: &Schema, chain: &Chain) -> Result<Node> {
    let mut node = Node {
        id: chain.node()?.id(),
        kind: String::new(),
        parent: None,
        name: NodeName::from_stored(String::new()),
        status: Status::Enabled,
        effective_status: EffectiveStatus { status: Status::Enabled, source: None },
        profile: Profile::default(),
        tenant_full_access: false,
        limits: BTreeMap::new(),
        depth: 0,
        created: Timestamp::from_micros(0),
        updated: Timestamp::from_micros(0),
        version: 0,
    };
    node_into(schema, chain, &mut node)?;
    Ok(node)
}

/// [`to_node`] into a node the caller keeps, whose strings and limits map are reused: for a
/// caller that reads one node after another (a wire to JavaScript), a node whose names fit in
/// the last one's strings and whose limits have the same names makes none of them anew (extra
/// data, when set, is parsed into a new value). On an error `out` is left partly overwritten.
pub(crate) fn node_into(schema: &Schema, chain: &Chain, out: &mut Node) -> Result<()> {
    let head = chain.node()?;
    let rec = &head.rec;
    // Destructured whole, so that a field added to `Node` does not compile until it is set
    // here (and given a blank value in `to_node`).
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
    } = out;
    set_str(kind, &schema.kind_at(rec.kind)?.name);
    profile_into(&rec.profile, profile)?;
    *id = head.id();
    *parent = chain.links.get(1).map(Loaded::id);
    name.set_stored(&rec.name);
    *status = rec.status.into();
    *effective_status = chain.effective();
    *tenant_full_access = rec.tenant_full_access;
    limits_into(schema, &rec.limits, limits);
    *depth = chain.depth();
    *created = Timestamp::from_micros(rec.created);
    *updated = Timestamp::from_micros(rec.updated);
    *version = rec.version;
    Ok(())
}

/// A node's limits by name into a map the caller keeps: when it holds the same names (the
/// common case, one node of a kind after another), only the values change.
fn limits_into(schema: &Schema, stored: &[(RollupKey, u64)], out: &mut BTreeMap<String, u64>) {
    let mut found = 0;
    for (key, value) in stored {
        if let Some(slot) = out.get_mut(schema.key_name_ref(*key).as_ref()) {
            *slot = *value;
            found += 1;
        }
    }
    // Limits are set by resource, and a schema's resources have distinct names: then as many
    // found as there are of each means the same names. Keys that named one name twice would
    // leave the map shorter than the list, which is rebuilt every time, as `to_node` builds it.
    if found == stored.len() && out.len() == stored.len() {
        return;
    }
    out.clear();
    out.extend(stored.iter().map(|(k, v)| (schema.key_name(*k), *v)));
}

/// A stored profile into a profile the caller keeps (see [`set_opt_str`]).
fn profile_into(p: &ProfileRec, out: &mut Profile) -> Result<()> {
    let Profile { display_name, email, website, phone, address, description, external_name, billing_id, extra } = out;
    *extra = parse_extra(p.extra.as_deref())?;
    set_opt_str(display_name, p.display_name.as_deref());
    set_opt_str(email, p.email.as_deref());
    set_opt_str(website, p.website.as_deref());
    set_opt_str(phone, p.phone.as_deref());
    set_opt_str(address, p.address.as_deref());
    set_opt_str(description, p.description.as_deref());
    set_opt_str(external_name, p.external_name.as_deref());
    set_opt_str(billing_id, p.billing_id.as_deref());
    Ok(())
}

/// The stored extra data, as JSON.
fn parse_extra(text: Option<&str>) -> Result<Option<serde_json::Value>> {
    text.map(|text| serde_json::from_str(text).map_err(|e| Error::corrupted(format!("stored extra data: {e}"))))
        .transpose()
}

/// The public view of a stored profile.
pub(crate) fn profile_out(p: &ProfileRec) -> Result<Profile> {
    let mut profile = Profile::default();
    profile_into(p, &mut profile)?;
    Ok(profile)
}

/// Mints a fresh node id: a UUIDv7 from the time `now` (the caller's reading of the clock,
/// which it also stamps the node with) and the entropy source, made monotonic (RFC 9562,
/// section 6.2, method 3): an id that would not sort after the last one minted is replaced by
/// that one's successor.
pub(crate) fn mint_id(ctx: &Ctx<'_>, now: Timestamp) -> Result<NodeId> {
    let mut random = [0u8; 10];
    ctx.entropy.fill(&mut random)?;
    let millis = u64::try_from(now.as_millis()).unwrap_or(0);
    let fresh = u128::from_be_bytes(NodeId::v7(millis, &random).to_bytes());
    let mut last =
        ctx.last_id.lock().map_err(|_| Error::Storage { message: "the id counter's lock is poisoned".to_owned() })?;
    let id = if fresh > *last { fresh } else { v7_successor(*last) };
    *last = id;
    NodeId::from_bytes(id.to_be_bytes())
}

/// The next UUIDv7 after `id`: its 48-bit timestamp, 12-bit `rand_a` and 62-bit `rand_b`
/// taken together as one 122-bit counter, version and variant bits left in place.
pub(crate) fn v7_successor(id: u128) -> u128 {
    let ts = id >> 80;
    let rand_a = (id >> 64) & 0xFFF;
    let rand_b = id & ((1u128 << 62) - 1);
    let counter = (ts << 74) | (rand_a << 62) | rand_b;
    let next = counter.wrapping_add(1) & ((1u128 << 122) - 1);
    let (ts, rand_a, rand_b) = (next >> 74, (next >> 62) & 0xFFF, next & ((1u128 << 62) - 1));
    (ts << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_v7_successor_counts_across_fields_and_stays_v7() {
        let id = u128::from_be_bytes(NodeId::v7(1_000, &[0xFF; 10]).to_bytes());
        let next = v7_successor(id);
        assert!(next > id);
        let uuid = uuid::Uuid::from_u128(next);
        assert_eq!(uuid.get_version_num(), 7);
        assert_eq!(uuid.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(next >> 80, 1_001, "a full counter carries into the timestamp");
        let small = u128::from_be_bytes(NodeId::v7(5, &[0; 10]).to_bytes());
        assert_eq!(v7_successor(small) - small, 1);
    }
}
