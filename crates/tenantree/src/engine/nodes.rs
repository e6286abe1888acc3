//! Creating, changing, moving and deleting nodes.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::engine::access::{Action, Principal};
use crate::engine::feed::{self, Event};
use crate::engine::quota::{self, Subtree};
use crate::engine::{Chain, ChildRow, Ctx, Loaded, load_chain, mint_id, resolve, to_node, try_resolve};
use crate::error::{Blocker, Error, LimitRule, Result};
use crate::ids::NodeId;
use crate::model::{NewNode, Node, NodeUpdate, Profile, Status};
use crate::schema::{BillingScope, CHILDREN_KEY, KindDef, RollupKey, Schema, Uniqueness};
use crate::store::{Flow, KeyRange, Lookup, NameEntry, NameEntryRef, NodeRecord, ProfileRec, View, WriteView, keys};
use crate::validate::{self, NodeName, limits};

/// Validates a profile and converts it to its stored form.
pub(crate) fn validate_profile(p: &Profile) -> Result<ProfileRec> {
    // Most nodes of a bulk load carry no profile: skip the validators' code altogether
    // (measured: 2 % of W1's instruction-cache misses were this function on empty profiles).
    if *p == Profile::default() {
        return Ok(ProfileRec::default());
    }
    let opt = |field: &str, v: &Option<String>, check: &dyn Fn(&str, &str) -> Result<()>| -> Result<Option<String>> {
        match v {
            Some(s) if s.is_empty() => Ok(None),
            Some(s) => {
                check(field, s)?;
                Ok(Some(s.clone()))
            }
            None => Ok(None),
        }
    };
    Ok(ProfileRec {
        display_name: opt("displayName", &p.display_name, &|f, s| validate::check_text(f, s, limits::DISPLAY_NAME))?,
        email: opt("email", &p.email, &validate::check_email)?,
        website: opt("website", &p.website, &|f, s| validate::check_line(f, s, limits::WEBSITE))?,
        phone: opt("phone", &p.phone, &validate::check_phone)?,
        address: opt("address", &p.address, &|f, s| validate::check_text(f, s, limits::ADDRESS))?,
        description: opt("description", &p.description, &|f, s| validate::check_text(f, s, limits::DESCRIPTION))?,
        external_name: opt("externalName", &p.external_name, &|f, s| {
            validate::check_line(f, s, limits::EXTERNAL_NAME)
        })?,
        billing_id: opt("billingId", &p.billing_id, &|f, s| validate::check_line(f, s, limits::BILLING_ID))?,
        extra: match &p.extra {
            Some(v) => Some(validate::check_extra("extraData", v)?),
            None => None,
        },
    })
}

fn kind_of<'s>(schema: &'s Schema, name: &str) -> Result<(u8, &'s KindDef)> {
    let index = schema
        .kind_index(name)
        .ok_or_else(|| Error::invalid("kind", format!("{name:?} is not a kind of schema {:?}", schema.name)))?;
    Ok((index, schema.kind_at(index)?))
}

fn kind_name(schema: &Schema, chain: Option<&Chain>) -> Result<Option<String>> {
    match chain {
        Some(c) => Ok(Some(schema.kind_at(c.node()?.rec.kind)?.name.clone())),
        None => Ok(None),
    }
}

/// Where a name would go: the parent, the kind and the folded name (a `by_name` key).
pub(crate) struct NamePlace<'a> {
    pub(crate) parent: u64,
    pub(crate) kind: u8,
    pub(crate) folded: &'a str,
}

/// Refuses a name already taken in the kind's uniqueness scope (ignoring `exclude`, the node
/// being renamed or moved); `shown` is the name as the caller wrote it.
pub(crate) fn check_name_free(
    v: &impl View,
    who: &Principal,
    def: &KindDef,
    place: &NamePlace<'_>,
    shown: &str,
    exclude: Option<u64>,
) -> Result<()> {
    if let Uniqueness::Store { group } = &def.unique {
        return check_store_name_free(v, who, group, place.folded, shown, exclude);
    }
    // The sibling rule is the `by_name` key: one entry per parent, folded name and kind.
    let Some(bytes) = v.name_entry(&keys::by_name(place.parent, place.folded, place.kind))? else {
        return Ok(());
    };
    let holder = NameEntryRef::from_bytes(&bytes)?;
    if Some(holder.seq) == exclude {
        return Ok(());
    }
    Err(name_taken(shown, holder_id(v, who, holder.seq)))
}

/// Refuses a name of a store-wide uniqueness group that another node (not `exclude`) holds.
fn check_store_name_free(
    v: &impl View,
    who: &Principal,
    group: &str,
    folded: &str,
    shown: &str,
    exclude: Option<u64>,
) -> Result<()> {
    if let Some(existing) = v.lookup(Lookup::Names, &keys::unique_name(group, folded))?
        && Some(existing) != exclude
    {
        return Err(name_taken(shown, holder_id(v, who, existing)));
    }
    Ok(())
}

fn name_taken(shown: &str, existing: Option<String>) -> Error {
    Error::AlreadyExists { entity: "node", field: "name", value: shown.to_owned(), existing }
}

/// The id of the node that holds a name or a billing id a caller asked for, when the caller may
/// see that node: a name unique store-wide (or a billing id unique in a group) can be held
/// outside the caller's subtree, whose ids an error must not give away.
fn holder_id(v: &impl View, who: &Principal, seq: u64) -> Option<String> {
    match load_chain(v, seq) {
        Ok(chain) if who.sees(&chain) => chain.node().ok().map(|n| n.id().to_string()),
        _ => None,
    }
}

/// The node that scopes billing-id uniqueness for a node whose ancestors are `ancestors`
/// (0: the whole store).
pub(crate) fn billing_scope(schema: &Schema, ancestors: Option<&Chain>) -> u64 {
    match &schema.billing_scope {
        BillingScope::Store => 0,
        BillingScope::Ancestor { kind } => {
            let k = schema.kind_index(kind);
            ancestors.and_then(|c| c.links.iter().find(|l| Some(l.rec.kind) == k)).map_or(0, |l| l.seq)
        }
    }
}

fn check_billing_free(
    v: &impl View,
    who: &Principal,
    scope: u64,
    billing_id: &str,
    exclude: Option<u64>,
) -> Result<()> {
    if let Some(existing) = v.lookup(Lookup::Billing, &keys::billing(scope, billing_id))?
        && Some(existing) != exclude
    {
        return Err(Error::AlreadyExists {
            entity: "node",
            field: "billingId",
            value: billing_id.to_owned(),
            existing: holder_id(v, who, existing),
        });
    }
    Ok(())
}

fn check_version(rec: &NodeRecord, id: NodeId, expected: Option<u64>) -> Result<()> {
    match expected {
        Some(expected) if expected != rec.version => {
            Err(Error::Conflict { entity: "node", id: id.to_string(), expected, actual: rec.version })
        }
        _ => Ok(()),
    }
}

/// Checks a limit or amount against [`limits::QUANTITY`].
pub(crate) fn check_quantity(field: &str, value: u64) -> Result<()> {
    if value > limits::QUANTITY {
        return Err(Error::invalid(field, format!("{value} is above the largest quantity {}", limits::QUANTITY)));
    }
    Ok(())
}

/// Parses limits by resource name into sorted roll-up keys.
pub(crate) fn parse_limits(schema: &Schema, limits: &BTreeMap<String, u64>) -> Result<Vec<(RollupKey, u64)>> {
    let mut out = Vec::with_capacity(limits.len());
    for (name, value) in limits {
        // The field's name is only needed for an error: no `format!` on the success path.
        let field = || format!("limits.{name}");
        if *value > limits::QUANTITY {
            check_quantity(&field(), *value)?;
        }
        let key = match schema.resource_key(name) {
            Some(key) => key,
            None => schema.resource_key_or_err(&field(), name)?,
        };
        out.push((key, *value));
    }
    out.sort_unstable();
    Ok(out)
}

/// Creates a node. O(depth) plus the uniqueness probes.
pub(crate) fn create(w: &mut WriteView<'_>, ctx: &Ctx<'_>, who: &Principal, new: &NewNode) -> Result<Node> {
    let created = create_with(w, ctx, who, new, None)?;
    match created.node {
        Some(node) => Ok(node),
        None => to_node(ctx.schema, &created.chain),
    }
}

/// [`create`] without building the created node: its id only.
pub(crate) fn create_id(w: &mut WriteView<'_>, ctx: &Ctx<'_>, who: &Principal, new: &NewNode) -> Result<NodeId> {
    Ok(create_with(w, ctx, who, new, None)?.id)
}

/// What [`create_with`] made: the id, the chain from the new node up, and the node as read
/// when it was built anyway (for the change feed's event).
pub(crate) struct Created {
    pub(crate) id: NodeId,
    pub(crate) chain: Chain,
    pub(crate) node: Option<Node>,
}

/// What a restored node keeps from its snapshot.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Restored {
    pub(crate) created: i64,
    pub(crate) updated: i64,
    pub(crate) version: u64,
}

/// Creates a node; when restoring from a snapshot, with its recorded times and version, below
/// disabled nodes too (the snapshot was valid with them disabled), and without a feed event.
/// Every other rule applies as for a fresh node.
pub(crate) fn create_with(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    new: &NewNode,
    restored: Option<Restored>,
) -> Result<Created> {
    let schema = ctx.schema;
    // One reading of the clock for the minted id and the node's timestamps (in wasm each
    // reading is a call into JavaScript).
    let now = ctx.now();
    let (kind, def) = kind_of(schema, &new.kind)?;
    let parent = match new.parent {
        Some(pid) => Some(load_chain(w, resolve(w, pid)?)?),
        None => None,
    };
    match &parent {
        Some(chain) => who.require(schema, chain, kind, Action::Create)?,
        None if who.sees_everything() => {}
        None => {
            return Err(Error::Forbidden {
                action: format!("{}.{}", def.name, Action::Create.suffix()),
                target: "the top level".into(),
            });
        }
    }
    if !schema.may_parent(kind_name(schema, parent.as_ref())?.as_deref(), &def.name) {
        return Err(Error::KindNotAllowed { kind: def.name.clone(), parent_kind: kind_name(schema, parent.as_ref())? });
    }
    let depth = parent.as_ref().map_or(0, Chain::depth) + 1;
    if depth > schema.max_depth {
        return Err(Error::DepthExceeded { depth, max_depth: schema.max_depth });
    }
    if let Some(chain) = &parent
        && restored.is_none()
    {
        chain.require_enabled()?;
    }
    let name = NodeName::new(&new.name, def.name_rule)?;
    let folded = name.folded();
    let profile = validate_profile(&new.profile)?;
    let parent_seq = parent.as_ref().map_or(0, Chain::seq);
    if let Uniqueness::Store { group } = &def.unique {
        check_store_name_free(w, who, group, &folded, name.as_str(), None)?;
    }
    // A minted id is above every stored one unless a caller chose ids in the future or the
    // clock went back; only then is it probed. Minting writes nothing (it draws entropy, so a
    // create refused for its name now uses some), so it comes before the name is claimed; a
    // chosen id is checked after, in the order of the checks before.
    let id = match new.id {
        Some(id) => id,
        None => loop {
            let id = mint_id(ctx, now)?;
            if w.above_every_id(id.to_bytes())? || try_resolve(w, id)?.is_none() {
                break id;
            }
        },
    };
    // The sibling rule: claiming the name's `by_name` key is the check. What is checked after
    // it gives the key back when it refuses, so a refused create still changes nothing.
    let seq = w.peek_seq()?;
    let name_key = keys::by_name(parent_seq, &folded, kind);
    let entry = NameEntry::new(seq, id.to_bytes(), kind, new.status.into(), name.as_str(), &folded);
    if let Some(held) = w.claim_name_entry(&name_key, &entry)? {
        // The entry is left as it was; a damaged one still answers for its name.
        let holder = NameEntryRef::from_bytes(&held).ok().and_then(|h| holder_id(w, who, h.seq));
        return Err(name_taken(name.as_str(), holder));
    }
    let scope = billing_scope(schema, parent.as_ref());
    let checked = (|| -> Result<Vec<(RollupKey, u64)>> {
        if let Some(b) = &profile.billing_id {
            check_billing_free(w, who, scope, b, None)?;
        }
        if new.id.is_some() && try_resolve(w, id)?.is_some() {
            return Err(Error::AlreadyExists {
                entity: "node",
                field: "id",
                value: id.to_string(),
                existing: Some(id.to_string()),
            });
        }
        let limits = parse_limits(schema, &new.limits)?;
        for &(key, value) in &limits {
            quota::check_new_limit(w, schema, id, parent.as_ref(), key, value, 0)?;
        }
        if let Some(chain) = &parent {
            quota::check_room(w, schema, &chain.links, kind.into(), 1)?;
        }
        Ok(limits)
    })();
    let limits = match checked {
        Ok(limits) => limits,
        Err(e) => {
            w.remove_name_entry(&name_key)?;
            return Err(e);
        }
    };

    // Apply.
    if w.take_seq()? != seq {
        return Err(Error::corrupted("the sequence counter moved during a create"));
    }
    let now = now.as_micros();
    let (created, updated, version) = restored.map_or((now, now, 1), |r| (r.created, r.updated, r.version.max(1)));
    let rec = NodeRecord {
        id: id.to_bytes(),
        parent: parent_seq,
        kind,
        name: name.as_str().to_owned(),
        status: new.status.into(),
        created,
        updated,
        version,
        profile,
        tenant_full_access: new.tenant_full_access.unwrap_or(true),
        limits,
    };
    debug_assert_eq!(entry, NameEntry::of(seq, &rec, &folded));
    w.put_node(seq, &rec)?;
    w.put_id(rec.id, seq)?;
    w.insert_slot(&keys::child_slot(parent_seq, seq))?;
    let ancestors_path = parent.as_ref().map(Chain::path).unwrap_or_default();
    w.insert_path(&keys::path_key(kind, &ancestors_path, seq))?;
    if let Uniqueness::Store { group } = &def.unique {
        w.put_lookup(Lookup::Names, &keys::unique_name(group, &folded), seq)?;
    }
    if let Some(b) = &rec.profile.billing_id {
        w.put_lookup(Lookup::Billing, &keys::billing(scope, b), seq)?;
    }
    let targets = parent.as_ref().map(Chain::rollup_targets).unwrap_or_else(|| vec![0]);
    quota::add_below(w, targets.iter().copied(), kind.into(), 1)?;
    quota::add_below(w, [parent_seq], CHILDREN_KEY, 1)?;
    // The targets end with the virtual root 0; the real ancestors are the rest.
    let real_ancestors = targets.split_last().map_or(&[][..], |(_, rest)| rest);
    for &(key, value) in &rec.limits {
        quota::limit_added(w, parent_seq, real_ancestors, key, value)?;
    }
    let mut links = Vec::with_capacity(1 + parent.as_ref().map_or(0, |c| c.links.len()));
    links.push(Loaded { seq, rec: Arc::new(rec) });
    if let Some(chain) = parent {
        links.extend(chain.links);
    }
    let chain = Chain { links };
    // The node as read is built only for the change feed's event here; create_node builds it
    // for its answer when this did not, create_node_id not at all.
    if restored.is_none() && ctx.feed {
        let node = to_node(schema, &chain)?;
        let mut changes = serde_json::json!({"kind": node.kind, "name": node.name});
        if let (Some(map), Ok(serde_json::Value::Object(profile))) =
            (changes.as_object_mut(), serde_json::to_value(&node.profile))
        {
            map.extend(profile);
            if node.status.is_off() {
                map.insert("status".into(), serde_json::to_value(node.status).unwrap_or_default());
            }
            if !node.limits.is_empty() {
                map.insert("limits".into(), serde_json::to_value(&node.limits).unwrap_or_default());
            }
        }
        feed::emit(w, ctx, who, Event::node("node.create", &chain, Some(changes))?)?;
        return Ok(Created { id, chain, node: Some(node) });
    }
    Ok(Created { id, chain, node: None })
}

/// Applies a partial update of name and profile fields. O(depth) plus the uniqueness probes.
pub(crate) fn update(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    id: NodeId,
    upd: &NodeUpdate,
) -> Result<Node> {
    let schema = ctx.schema;
    let seq = resolve(w, id)?;
    let chain = load_chain(w, seq)?;
    let old = NodeRecord::clone(&chain.node()?.rec);
    who.require(schema, &chain, old.kind, Action::Update)?;
    check_version(&old, id, upd.expected_version)?;
    let def = schema.kind_at(old.kind)?;
    let mut rec = old.clone();

    let mut rename: Option<(String, String)> = None;
    if let Some(new_name) = &upd.name {
        let name = NodeName::new(new_name, def.name_rule)?;
        let folded = name.folded();
        let old_folded = validate::fold(&old.name);
        if folded != old_folded {
            let place = NamePlace { parent: old.parent, kind: old.kind, folded: &folded };
            check_name_free(w, who, def, &place, name.as_str(), Some(seq))?;
            rename = Some((old_folded, folded));
        }
        rec.name = name.as_str().to_owned();
    }
    let mut profile = crate::engine::profile_out(&old.profile)?;
    let patch = |slot: &mut Option<String>, p: &Option<Option<String>>| {
        if let Some(v) = p {
            *slot = v.clone();
        }
    };
    patch(&mut profile.display_name, &upd.display_name);
    patch(&mut profile.email, &upd.email);
    patch(&mut profile.website, &upd.website);
    patch(&mut profile.phone, &upd.phone);
    patch(&mut profile.address, &upd.address);
    patch(&mut profile.description, &upd.description);
    patch(&mut profile.external_name, &upd.external_name);
    patch(&mut profile.billing_id, &upd.billing_id);
    if let Some(extra) = &upd.extra {
        profile.extra = extra.clone();
    }
    rec.profile = validate_profile(&profile)?;
    let parent_chain = chain.parent_chain();
    let scope = billing_scope(schema, (!parent_chain.links.is_empty()).then_some(&parent_chain));
    let billing_changed = rec.profile.billing_id != old.profile.billing_id;
    if billing_changed && let Some(b) = &rec.profile.billing_id {
        check_billing_free(w, who, scope, b, Some(seq))?;
    }
    if let Some(tfa) = upd.tenant_full_access {
        if tfa != old.tenant_full_access && who.scope() == Some(seq) {
            // 001: the flag is set by the dealer above, never by the node's own admins.
            return Err(Error::Forbidden {
                action: format!("{}.{}", def.name, Action::Update.suffix()),
                target: format!("{id} (tenant_full_access of the account's own node)"),
            });
        }
        rec.tenant_full_access = tfa;
    }
    if rec == old {
        return to_node(schema, &chain);
    }

    // Apply.
    rec.version += 1;
    rec.updated = ctx.now().as_micros();
    w.put_node(seq, &rec)?;
    if let Some((old_folded, folded)) = &rename {
        w.remove_name_entry(&keys::by_name(old.parent, old_folded, old.kind))?;
        put_name_entry(w, seq, &rec, folded)?;
    } else if rec.name != old.name {
        // The same folded name, written differently: the entry shows the name as written.
        put_name_entry(w, seq, &rec, &validate::fold(&rec.name))?;
    }
    if let Some((old_folded, folded)) = rename
        && let Uniqueness::Store { group } = &def.unique
    {
        w.remove_lookup(Lookup::Names, &keys::unique_name(group, &old_folded))?;
        w.put_lookup(Lookup::Names, &keys::unique_name(group, &folded), seq)?;
    }
    if billing_changed {
        if let Some(b) = &old.profile.billing_id {
            w.remove_lookup(Lookup::Billing, &keys::billing(scope, b))?;
        }
        if let Some(b) = &rec.profile.billing_id {
            w.put_lookup(Lookup::Billing, &keys::billing(scope, b), seq)?;
        }
    }
    let mut links = chain.links;
    if let Some(head) = links.first_mut() {
        head.rec = Arc::new(rec);
    }
    let chain = Chain { links };
    let mut changes = serde_json::to_value(upd).unwrap_or_default();
    if let Some(map) = changes.as_object_mut() {
        map.remove("expectedVersion");
    }
    feed::emit(w, ctx, who, Event::node("node.update", &chain, Some(changes))?)?;
    to_node(schema, &chain)
}

/// Sets a node's own status. The effect on descendants is derived when they are read, so this
/// is O(depth) however large the subtree.
pub(crate) fn set_status(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    id: NodeId,
    status: Status,
    expected_version: Option<u64>,
) -> Result<Node> {
    let seq = resolve(w, id)?;
    let mut chain = load_chain(w, seq)?;
    let kind = chain.node()?.rec.kind;
    who.require(ctx.schema, &chain, kind, Action::Status)?;
    check_version(&chain.node()?.rec, id, expected_version)?;
    if let Some(head) = chain.links.first_mut()
        && Status::from(head.rec.status) != status
    {
        let rec = Arc::make_mut(&mut head.rec);
        rec.status = status.into();
        rec.version += 1;
        rec.updated = ctx.now().as_micros();
        w.put_node(seq, rec)?;
        put_name_entry(w, seq, rec, &validate::fold(&rec.name))?;
        let changes = serde_json::json!({"status": status});
        feed::emit(w, ctx, who, Event::node("node.status", &chain, Some(changes))?)?;
    }
    to_node(ctx.schema, &chain)
}

/// Moves a node and its subtree under a new parent (or to the top level). O(depth) for the
/// checks and roll-ups, plus one range scan over the moved subtree's index entries, which are
/// rewritten with the new path.
pub(crate) fn move_node(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    id: NodeId,
    new_parent: Option<NodeId>,
    expected_version: Option<u64>,
) -> Result<Node> {
    let schema = ctx.schema;
    let seq = resolve(w, id)?;
    let chain = load_chain(w, seq)?;
    let rec = NodeRecord::clone(&chain.node()?.rec);
    who.require(schema, &chain, rec.kind, Action::Move)?;
    check_version(&rec, id, expected_version)?;
    let def = schema.kind_at(rec.kind)?;
    let target = match new_parent {
        Some(pid) => {
            let pseq = resolve(w, pid)?;
            let pchain = load_chain(w, pseq)?;
            who.require(schema, &pchain, rec.kind, Action::Create)?;
            if pchain.contains(seq) {
                return Err(Error::Cycle { node: id.to_string(), new_parent: pid.to_string() });
            }
            Some(pchain)
        }
        None if who.sees_everything() => None,
        None => {
            return Err(Error::Forbidden {
                action: format!("{}.{}", def.name, Action::Create.suffix()),
                target: "the top level".into(),
            });
        }
    };
    let new_parent_seq = target.as_ref().map_or(0, Chain::seq);
    if new_parent_seq == rec.parent {
        return to_node(schema, &chain);
    }
    if !schema.may_parent(kind_name(schema, target.as_ref())?.as_deref(), &def.name) {
        return Err(Error::KindNotAllowed { kind: def.name.clone(), parent_kind: kind_name(schema, target.as_ref())? });
    }
    let old_path = chain.path();
    let subtree = Subtree::scan(w, schema, &old_path)?;
    let new_depth = target.as_ref().map_or(0, Chain::depth) + subtree.height();
    if new_depth > schema.max_depth {
        return Err(Error::DepthExceeded { depth: new_depth, max_depth: schema.max_depth });
    }
    if let Some(t) = &target {
        t.require_enabled()?;
    }
    let folded = validate::fold(&rec.name);
    let place = NamePlace { parent: new_parent_seq, kind: rec.kind, folded: &folded };
    check_name_free(w, who, def, &place, &rec.name, Some(seq))?;

    // Billing ids whose scope changes with the move.
    let old_parent_chain = chain.parent_chain();
    let old_scope = billing_scope(schema, (!old_parent_chain.links.is_empty()).then_some(&old_parent_chain));
    let new_scope = billing_scope(schema, target.as_ref());
    let mut rescoped: Vec<(u64, String)> = Vec::new();
    if old_scope != new_scope {
        for (s, billing) in subtree.billing_ids_scoped_outside(w, schema, seq, &rec)? {
            check_billing_free(w, who, new_scope, &billing, None)?;
            rescoped.push((s, billing));
        }
    }

    // Quotas along the new chain, and the roll-ups that travel with the subtree.
    let moving = quota::subtree_totals(w, schema, seq, &rec)?;
    let old_targets = chain.parent_chain().rollup_targets();
    let new_targets = target.as_ref().map(Chain::rollup_targets).unwrap_or_else(|| vec![0]);
    let leaving: Vec<u64> = old_targets.iter().copied().filter(|s| !new_targets.contains(s)).collect();
    let arriving: Vec<u64> = new_targets.iter().copied().filter(|s| !old_targets.contains(s)).collect();
    if let Some(t) = &target {
        let arriving_links: Vec<Loaded> = t.links.iter().filter(|l| arriving.contains(&l.seq)).cloned().collect();
        for (&key, &amount) in &moving.usage {
            quota::check_room(w, schema, &arriving_links, key, amount)?;
        }
        for (&key, &bound) in &moving.max_limits {
            for link in &arriving_links {
                let Some(limit) = link.rec.limit(key) else { continue };
                if bound <= limit {
                    continue;
                }
                // The stored bound may be stale; only the real largest limit counts.
                if let Some((real, holder)) = quota::exact_max_in_subtree(w, &subtree, &rec, seq, key)?
                    && real > limit
                {
                    return Err(Error::InvalidLimit {
                        node: holder.to_string(),
                        resource: schema.key_name(key),
                        requested: real,
                        reason: LimitRule::AboveAncestor { ancestor: link.id().to_string(), ancestor_limit: limit },
                    });
                }
            }
        }
        if !schema.allow_overcommit {
            let parent = t.node()?;
            for &(key, value) in &rec.limits {
                if let Some(parent_limit) = parent.rec.limit(key) {
                    let sum = w.cell(parent.seq, key)?.child_limits.saturating_add(u128::from(value));
                    if sum > u128::from(parent_limit) {
                        return Err(Error::InvalidLimit {
                            node: id.to_string(),
                            resource: schema.key_name(key),
                            requested: value,
                            reason: LimitRule::Overcommit {
                                parent: parent.id().to_string(),
                                parent_limit,
                                children_sum: u64::try_from(sum).unwrap_or(u64::MAX),
                            },
                        });
                    }
                }
            }
        }
    }

    // Apply: roll-ups.
    for (&key, &amount) in &moving.usage {
        quota::sub_below(w, leaving.iter().copied(), key, amount)?;
        quota::add_below(w, arriving.iter().copied(), key, amount)?;
    }
    let arriving_real: Vec<u64> = arriving.iter().copied().filter(|&s| s != 0).collect();
    for (&key, &bound) in &moving.max_limits {
        quota::raise_max_below(w, &arriving_real, key, bound)?;
    }
    quota::sub_below(w, [rec.parent], CHILDREN_KEY, 1)?;
    quota::add_below(w, [new_parent_seq], CHILDREN_KEY, 1)?;
    for &(key, value) in &rec.limits {
        quota::adjust_child_limits(w, rec.parent, key, value, false)?;
        quota::adjust_child_limits(w, new_parent_seq, key, value, true)?;
    }
    // Apply: indexes.
    w.remove_name_entry(&keys::by_name(rec.parent, &folded, rec.kind))?;
    w.remove_slot(&keys::child_slot(rec.parent, seq))?;
    w.insert_slot(&keys::child_slot(new_parent_seq, seq))?;
    let new_ancestors = target.as_ref().map(Chain::path).unwrap_or_default();
    let old_ancestors = old_path.get(..old_path.len().saturating_sub(1)).unwrap_or(&[]).to_vec();
    w.remove_path(&keys::path_key(rec.kind, &old_ancestors, seq))?;
    w.insert_path(&keys::path_key(rec.kind, &new_ancestors, seq))?;
    for (kind, full_path) in &subtree.entries {
        let tail = full_path.get(old_ancestors.len()..).unwrap_or(&[]);
        let old_key = keys::path_prefix(*kind, full_path);
        let mut new_full = new_ancestors.clone();
        new_full.extend_from_slice(tail);
        w.remove_path(&old_key)?;
        w.insert_path(&keys::path_prefix(*kind, &new_full))?;
    }
    for (s, billing) in &rescoped {
        w.remove_lookup(Lookup::Billing, &keys::billing(old_scope, billing))?;
        w.put_lookup(Lookup::Billing, &keys::billing(new_scope, billing), *s)?;
    }
    let mut moved = rec;
    moved.parent = new_parent_seq;
    moved.version += 1;
    moved.updated = ctx.now().as_micros();
    w.put_node(seq, &moved)?;
    put_name_entry(w, seq, &moved, &folded)?;
    let mut links = vec![Loaded { seq, rec: Arc::new(moved) }];
    if let Some(t) = target {
        links.extend(t.links);
    }
    let moved_chain = Chain { links };
    let mut event = Event::node("node.move", &moved_chain, Some(serde_json::json!({"parent": new_parent})))?;
    event.old_path = old_path;
    feed::emit(w, ctx, who, event)?;
    to_node(schema, &moved_chain)
}

/// Writes a node's `by_name` entry (under its folded name) from its record. Its callers checked
/// the name (it is free, or the node's own); an entry of another node there means the indexes
/// disagree, and the transaction stops rather than overwrite it.
fn put_name_entry(w: &mut WriteView<'_>, seq: u64, rec: &NodeRecord, folded: &str) -> Result<()> {
    if w.put_name_entry(&keys::by_name(rec.parent, folded, rec.kind), &NameEntry::of(seq, rec, folded))? {
        return Err(Error::corrupted(format!(
            "the by_name entry of {folded:?} under node #{} belongs to another node",
            rec.parent
        )));
    }
    Ok(())
}

/// What may still hang on a node, besides its children and allocations; checked by delete.
/// Modules that attach data to nodes report their blockers here.
pub(crate) fn blockers(w: &WriteView<'_>, ctx: &Ctx<'_>, seq: u64) -> Result<Vec<Blocker>> {
    let schema = ctx.schema;
    let mut out: Vec<Blocker> = Vec::new();
    if w.cell(seq, CHILDREN_KEY)?.below > 0 {
        let mut by_kind: BTreeMap<u8, Blocker> = BTreeMap::new();
        // The children's entries in `by_name` hold their kinds and names: no record is read.
        w.name_entries(KeyRange::prefix(&keys::parent_prefix(seq)), false, |key: &[u8], value: &[u8]| {
            let child = ChildRow::from_entry(key, value)?;
            let entry = by_kind.entry(child.kind).or_insert_with(|| Blocker {
                kind: schema.kind_at(child.kind).map_or_else(|_| "node".to_owned(), |k| k.name.clone()),
                count: 0,
                names: Vec::new(),
            });
            entry.count += 1;
            if entry.names.len() < Blocker::MAX_NAMES {
                entry.names.push(child.name.to_owned());
            }
            Ok(Flow::Continue(()))
        })?;
        out.extend(by_kind.into_values());
    }
    if let Some(b) = crate::engine::accounts::blocker(w, seq)? {
        out.push(b);
    }
    let own: Vec<(RollupKey, u64)> =
        w.cells(seq)?.into_iter().filter(|(_, c)| c.own > 0).map(|(k, c)| (k, c.own)).collect();
    if !own.is_empty() {
        out.push(Blocker {
            kind: "allocation".to_owned(),
            count: own.len() as u64,
            names: own.iter().map(|(k, v)| format!("{}={v}", schema.key_name(*k))).collect(),
        });
    }
    Ok(out)
}

/// Deletes an empty node. Returns false when there was no such node (or it is outside the
/// caller's scope), so callers can treat a repeated delete as done. O(depth) plus the removal
/// of what the node owns.
pub(crate) fn delete(w: &mut WriteView<'_>, ctx: &Ctx<'_>, who: &Principal, id: NodeId) -> Result<bool> {
    let schema = ctx.schema;
    let Some(seq) = try_resolve(w, id)? else {
        return Ok(false);
    };
    let chain = load_chain(w, seq)?;
    if !who.sees(&chain) {
        return Ok(false);
    }
    let rec = NodeRecord::clone(&chain.node()?.rec);
    who.require(schema, &chain, rec.kind, Action::Delete)?;
    let blocking = blockers(w, ctx, seq)?;
    if !blocking.is_empty() {
        return Err(Error::StillInUse { node: id.to_string(), blockers: blocking });
    }
    let def = schema.kind_at(rec.kind)?;
    let folded = validate::fold(&rec.name);
    let parent_chain = chain.parent_chain();
    let parent_ref = (!parent_chain.links.is_empty()).then_some(&parent_chain);

    // Apply.
    w.remove_node(seq)?;
    w.remove_id(rec.id)?;
    w.remove_name_entry(&keys::by_name(rec.parent, &folded, rec.kind))?;
    w.remove_slot(&keys::child_slot(rec.parent, seq))?;
    let ancestors = parent_ref.map(Chain::path).unwrap_or_default();
    w.remove_path(&keys::path_key(rec.kind, &ancestors, seq))?;
    if let Uniqueness::Store { group } = &def.unique {
        w.remove_lookup(Lookup::Names, &keys::unique_name(group, &folded))?;
    }
    if let Some(b) = &rec.profile.billing_id {
        w.remove_lookup(Lookup::Billing, &keys::billing(billing_scope(schema, parent_ref), b))?;
    }
    let targets = parent_chain.rollup_targets();
    quota::sub_below(w, targets.iter().copied(), rec.kind.into(), 1)?;
    quota::sub_below(w, [rec.parent], CHILDREN_KEY, 1)?;
    for &(key, value) in &rec.limits {
        quota::adjust_child_limits(w, rec.parent, key, value, false)?;
    }
    for (key, _) in w.cells(seq)? {
        w.set_cell(seq, key, crate::store::Cell::default())?;
    }
    crate::engine::accounts::forget_node(w, seq)?;
    crate::engine::props::forget_node(w, seq)?;
    crate::engine::markups::forget_node(w, seq)?;
    crate::engine::tenant::forget_node(w, seq)?;
    feed::emit(w, ctx, who, Event::node("node.delete", &chain, None)?)?;
    Ok(true)
}
