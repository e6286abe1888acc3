//! The integrity check: recompute every derived structure from the node records and compare.
//!
//! Derived structures: the id map, the `by_name`, `by_parent` and `paths` indexes, the
//! uniqueness lookups, and the roll-ups. Rules re-verified: parent links and depth, the kind
//! rules, names and profiles, sibling and store-wide uniqueness, usage ≤ limit, nested limits,
//! no-overcommit, and the sequence counter. Memory: a few dozen bytes per node, plus one entry
//! per interior node and key.

use std::collections::{BTreeMap, HashMap};

use crate::engine::accounts::check_username;
use crate::engine::nodes::{billing_scope, validate_profile};
use crate::engine::roles;
use crate::engine::{Chain, Loaded, node_id, profile_out};
use crate::error::Result;
use crate::model::{CheckReport, Finding};
use crate::schema::{CHILDREN_KEY, MAX_DEPTH, RollupKey, Schema, Uniqueness};
use crate::store::{
    AccountRecord, Blob, Cell, Flow, Index, KeyRange, Lookup, NameEntry, NameEntryRef, NodeRecord, RoleRecord,
    TokenRecord, View, decode, keys,
};
use crate::validate::{self, NodeName};

struct Report {
    findings: Vec<Finding>,
}

impl Report {
    fn add(&mut self, area: &str, message: String) {
        // A badly broken store could report millions of findings; the first ten thousand say
        // enough.
        if self.findings.len() < 10_000 {
            self.findings.push(Finding { area: area.to_owned(), message });
        }
    }
}

#[derive(Clone, Copy)]
struct Brief {
    parent: u64,
    kind: u8,
}

fn id_of(rec: &NodeRecord) -> String {
    node_id(rec).to_string()
}

/// Runs the check. O(n log n) in the number of nodes.
pub(crate) fn check(v: &impl View, schema: &Schema, next_seq: u64) -> Result<CheckReport> {
    let mut r = Report { findings: Vec::new() };

    // Pass 0: the nodes' own allocations, which live in their roll-up cells.
    let mut owns: HashMap<u64, Vec<(RollupKey, u64)>> = HashMap::new();
    for entry in v.all_cells()? {
        let ((seq, key), cell) = entry?;
        if cell.own == 0 {
            continue;
        }
        if seq == 0 {
            r.add("rollup", format!("the store's roll-up {key} holds an allocation"));
        } else if Schema::is_count_key(key) || schema.key_resource(key).is_none() {
            r.add("rollup", format!("node #{seq} has an allocation of {key}, which is no allocatable resource"));
        }
        owns.entry(seq).or_default().push((key, cell.own));
    }
    let no_own: Vec<(RollupKey, u64)> = Vec::new();

    // Pass 1: every record on its own, and the skeleton of the tree.
    let mut briefs: HashMap<u64, Brief> = HashMap::new();
    let mut limits: HashMap<u64, Vec<(RollupKey, u64)>> = HashMap::new();
    let mut max_seq = 0;
    for entry in v.all_nodes()? {
        let (seq, rec) = match entry {
            Ok(e) => e,
            Err(e) => {
                r.add("node", format!("a node record does not decode: {e}"));
                continue;
            }
        };
        max_seq = max_seq.max(seq);
        let id = id_of(&rec);
        if seq == 0 {
            r.add("node", format!("node {id} has the reserved sequence number 0"));
        }
        if crate::ids::NodeId::from_bytes(rec.id).is_err() {
            r.add("node", format!("node #{seq} has the nil id"));
        }
        match schema.kinds.get(usize::from(rec.kind)) {
            None => r.add("node", format!("node {id} has unknown kind number {}", rec.kind)),
            Some(def) => {
                if let Err(e) = NodeName::new(&rec.name, def.name_rule) {
                    r.add("node", format!("node {id}: {e}"));
                }
            }
        }
        match profile_out(&rec.profile).and_then(|p| validate_profile(&p)) {
            Ok(p) if p != rec.profile => {
                r.add("node", format!("node {id} holds a profile that validation would change"))
            }
            Ok(_) => {}
            Err(e) => r.add("node", format!("node {id}: {e}")),
        }
        if rec.version == 0 {
            r.add("node", format!("node {id} has version 0"));
        }
        if !rec.limits.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)) {
            r.add("node", format!("node {id} has unsorted or repeated limits"));
        }
        for &(key, _) in &rec.limits {
            if schema.key_resource(key).is_none() {
                r.add("node", format!("node {id} refers to unknown resource key {key}"));
            }
        }
        match v.seq_of(rec.id)? {
            Some(s) if s == seq => {}
            other => r.add("index.ids", format!("node {id} (#{seq}) is mapped to {other:?} in the id index")),
        }
        if !rec.limits.is_empty() {
            limits.insert(seq, rec.limits.clone());
        }
        briefs.insert(seq, Brief { parent: rec.parent, kind: rec.kind });
    }
    if max_seq >= next_seq {
        r.add("meta", format!("the sequence counter {next_seq} is not above the largest sequence number {max_seq}"));
    }
    let mut id_count = 0u64;
    for entry in v.all_ids()? {
        let (id, seq) = entry?;
        id_count += 1;
        if !briefs.contains_key(&seq) {
            r.add("index.ids", format!("id {} points to missing node #{seq}", uuid_text(id)));
        }
    }
    if id_count != briefs.len() as u64 {
        r.add("index.ids", format!("{id_count} ids for {} nodes", briefs.len()));
    }

    // Ancestors of every node, through the skeleton.
    let ancestors = |seq: u64| -> Option<Vec<u64>> {
        let mut path = Vec::new();
        let mut next = briefs.get(&seq)?.parent;
        while next != 0 {
            if path.len() > MAX_DEPTH as usize {
                return None;
            }
            path.push(next);
            next = briefs.get(&next)?.parent;
        }
        path.reverse();
        Some(path)
    };

    // Pass 2: structure, expected index entries and the recomputed roll-ups.
    let mut expected: HashMap<(u64, RollupKey), Cell> = HashMap::new();
    let mut true_max: HashMap<(u64, RollupKey), u64> = HashMap::new();
    let mut paths: HashMap<u64, Vec<u64>> = HashMap::new();
    let mut expected_names = 0u64;
    let mut expected_billing = 0u64;
    // Nodes whose own `by_name` entry was found and matches.
    let mut named = 0u64;
    for entry in v.all_nodes()? {
        let Ok((seq, rec)) = entry else { continue };
        let id = id_of(&rec);
        // Before the ancestors: a node whose chain is broken still owns its entry, which the
        // count below must not take for a stale one.
        let folded = validate::fold(&rec.name);
        match v.name_entry(&keys::by_name(rec.parent, &folded, rec.kind))? {
            None => r.add("index.byName", format!("node {id} is missing from by_name")),
            Some(bytes) => match decode::<NameEntry>(&bytes) {
                Ok(entry) if entry == NameEntry::of(seq, &rec, &folded) => named += 1,
                // The key is the sibling rule: a second node of the parent with this kind and
                // folded name finds the first one's entry there.
                Ok(entry)
                    if entry.seq != seq
                        && v.node(entry.seq)?.is_some_and(|holder| {
                            holder.parent == rec.parent
                                && holder.kind == rec.kind
                                && validate::fold(&holder.name) == folded
                        }) =>
                {
                    r.add("unique", format!("two children of #{} of one kind are named {folded:?}", rec.parent));
                }
                _ => r.add("index.byName", format!("the by_name entry of node {id} does not match its record")),
            },
        }
        let Some(above) = ancestors(seq) else {
            r.add("node", format!("node {id} has a missing ancestor or its ancestors form a loop"));
            continue;
        };
        let depth = above.len() + 1;
        if depth > schema.max_depth as usize {
            r.add("node", format!("node {id} is at depth {depth}, deeper than {}", schema.max_depth));
        }
        let parent_kind = briefs.get(&rec.parent).and_then(|b| schema.kinds.get(usize::from(b.kind)));
        if let Some(def) = schema.kinds.get(usize::from(rec.kind))
            && !schema.may_parent(parent_kind.map(|k| k.name.as_str()), &def.name)
        {
            r.add(
                "node",
                format!("node {id} of kind {} may not hang under {:?}", def.name, parent_kind.map(|k| &k.name)),
            );
        }
        if !has_key(v, Index::ByParent, &keys::child_slot(rec.parent, seq))? {
            r.add("index.byParent", format!("node {id} is missing from by_parent"));
        }
        if !has_key(v, Index::Paths, &keys::path_key(rec.kind, &above, seq))? {
            r.add("index.paths", format!("node {id} is missing from paths or its path is stale"));
        }
        if let Some(Uniqueness::Store { group }) = schema.kinds.get(usize::from(rec.kind)).map(|k| &k.unique) {
            expected_names += 1;
            if v.lookup(Lookup::Names, &keys::unique_name(group, &folded))? != Some(seq) {
                r.add("index.names", format!("node {id} does not own its name {:?} in group {group}", rec.name));
            }
        }
        if let Some(b) = &rec.profile.billing_id {
            expected_billing += 1;
            let scope = billing_scope(schema, Some(&chain_of(v, &above)?));
            if v.lookup(Lookup::Billing, &keys::billing(scope, b))? != Some(seq) {
                r.add("index.billing", format!("node {id} does not own its billing id {b:?}"));
            }
        }
        let targets: Vec<u64> = above.iter().copied().chain([0]).collect();
        for &t in &targets {
            expected.entry((t, rec.kind.into())).or_default().below += 1;
            for &(key, amount) in owns.get(&seq).unwrap_or(&no_own) {
                let c = expected.entry((t, key)).or_default();
                c.below = c.below.saturating_add(amount);
            }
        }
        expected.entry((rec.parent, CHILDREN_KEY)).or_default().below += 1;
        for &(key, limit) in &rec.limits {
            if rec.parent != 0 {
                let c = expected.entry((rec.parent, key)).or_default();
                c.child_limits = c.child_limits.saturating_add(u128::from(limit));
            }
            for &a in &above {
                let m = true_max.entry((a, key)).or_default();
                *m = (*m).max(limit);
            }
        }
        let mut full = above;
        full.push(seq);
        paths.insert(seq, full);
    }

    // Reverse direction: every index entry belongs to a node. An entry that names a node of
    // its parent and kind under another name is stale too: every node's own entry was found
    // above, so the entries are then more than the nodes that own one.
    let mut entries = 0u64;
    v.name_entries(KeyRange::all(), false, |key: &[u8], value: &[u8]| {
        entries += 1;
        match (keys::split_by_name(key), NameEntryRef::from_bytes(value)) {
            (Some((parent, _, kind)), Ok(e))
                if briefs.get(&e.seq).is_some_and(|b| b.parent == parent && b.kind == kind) => {}
            _ => r.add("index.byName", format!("stale by_name entry {key:?}")),
        }
        Ok(Flow::Continue(()))
    })?;
    if entries > named && !r.findings.iter().any(|f| f.area == "index.byName" || f.area == "unique") {
        r.add(
            "index.byName",
            format!("by_name holds {} stale entries besides the {named} of the nodes", entries - named),
        );
    }
    for key in v.keys(Index::ByParent, KeyRange::all(), false)? {
        let key = key?;
        match keys::split_child_slot(&key) {
            Some((parent, child)) if briefs.get(&child).is_some_and(|b| b.parent == parent) => {}
            _ => r.add("index.byParent", format!("stale by_parent entry {key:?}")),
        }
    }
    for key in v.keys(Index::Paths, KeyRange::all(), false)? {
        let key = key?;
        match keys::split_path(&key) {
            Some((kind, path))
                if path.last().and_then(|s| paths.get(s)) == Some(&path)
                    && path.last().and_then(|s| briefs.get(s)).is_some_and(|b| b.kind == kind) => {}
            _ => r.add("index.paths", format!("stale paths entry {key:?}")),
        }
    }
    let count_lookups = |t: Lookup| -> Result<u64> {
        let mut n = 0;
        for e in v.all_lookups(t)? {
            e?;
            n += 1;
        }
        Ok(n)
    };
    let names = count_lookups(Lookup::Names)?;
    if names != expected_names {
        r.add("index.names", format!("{names} unique-name entries, {expected_names} expected"));
    }
    let billing = count_lookups(Lookup::Billing)?;
    if billing != expected_billing {
        r.add("index.billing", format!("{billing} billing entries, {expected_billing} expected"));
    }

    // Roll-ups.
    let mut seen: HashMap<(u64, RollupKey), ()> = HashMap::new();
    for entry in v.all_cells()? {
        let ((seq, key), cell) = entry?;
        seen.insert((seq, key), ());
        if seq != 0 && !briefs.contains_key(&seq) {
            r.add("rollup", format!("roll-up {key} of missing node #{seq}"));
            continue;
        }
        let want = expected.get(&(seq, key)).copied().unwrap_or_default();
        let who = node_label(v, seq)?;
        if cell.below != want.below {
            r.add(
                "rollup",
                format!("{who}: {} below is {}, recomputed {}", schema.key_name(key), cell.below, want.below),
            );
        }
        if cell.child_limits != want.child_limits {
            r.add(
                "rollup",
                format!(
                    "{who}: {} child limits are {}, recomputed {}",
                    schema.key_name(key),
                    cell.child_limits,
                    want.child_limits
                ),
            );
        }
        let max = true_max.get(&(seq, key)).copied().unwrap_or(0);
        if cell.max_limit_below < max {
            r.add(
                "rollup",
                format!(
                    "{who}: {} limit bound {} is below a limit of {max} underneath",
                    schema.key_name(key),
                    cell.max_limit_below
                ),
            );
        }
    }
    for (&(seq, key), want) in &expected {
        if !want.is_zero() && !seen.contains_key(&(seq, key)) {
            r.add(
                "rollup",
                format!(
                    "{}: {} roll-up is missing (expected {})",
                    node_label(v, seq)?,
                    schema.key_name(key),
                    want.below
                ),
            );
        }
    }
    for (&(seq, key), &max) in &true_max {
        if max > 0 && !seen.contains_key(&(seq, key)) {
            r.add("rollup", format!("{}: {} limit bound is missing", node_label(v, seq)?, schema.key_name(key)));
        }
    }

    // Quota rules.
    for (&seq, node_limits) in &limits {
        let who = node_label(v, seq)?;
        let own: BTreeMap<RollupKey, u64> = owns.get(&seq).map(|o| o.iter().copied().collect()).unwrap_or_default();
        for &(key, limit) in node_limits {
            let below = expected.get(&(seq, key)).map_or(0, |c| c.below);
            let used = below.saturating_add(own.get(&key).copied().unwrap_or(0));
            if used > limit {
                r.add("quota", format!("{who}: {} usage {used} exceeds its limit {limit}", schema.key_name(key)));
            }
            if let Some(path) = paths.get(&seq) {
                let nearest =
                    path.iter().rev().skip(1).find_map(|a| {
                        limits.get(a).and_then(|l| l.iter().find(|(k, _)| *k == key)).map(|(_, v)| (*a, *v))
                    });
                if let Some((a, al)) = nearest
                    && limit > al
                {
                    r.add(
                        "quota",
                        format!(
                            "{who}: {} limit {limit} exceeds the limit {al} of ancestor {}",
                            schema.key_name(key),
                            node_label(v, a)?
                        ),
                    );
                }
            }
            if !schema.allow_overcommit {
                let children = expected.get(&(seq, key)).map_or(0, |c| c.child_limits);
                if children > u128::from(limit) {
                    r.add(
                        "quota",
                        format!(
                            "{who}: children's {} limits add up to {children}, above {limit}",
                            schema.key_name(key)
                        ),
                    );
                }
            }
        }
    }

    check_accounts(v, &briefs, &mut r)?;
    for (area, message) in crate::engine::tenant::check(v, schema, &|seq| briefs.get(&seq).map(|b| b.kind))? {
        r.add(area, message);
    }
    Ok(CheckReport { nodes: briefs.len() as u64, findings: r.findings })
}

/// Accounts and what derives from them: the username and node indexes, tokens, role holder
/// counts; and password policies of nodes that exist.
fn check_accounts(v: &impl View, briefs: &HashMap<u64, Brief>, r: &mut Report) -> Result<()> {
    let mut accounts: HashMap<u64, AccountRecord> = HashMap::new();
    v.scan(Blob::Accounts, KeyRange::all(), false, &mut |k, val| {
        let id = k.try_into().map(u64::from_be_bytes).unwrap_or(0);
        match decode::<AccountRecord>(val) {
            Ok(rec) => {
                accounts.insert(id, rec);
            }
            Err(e) => r.add("account", format!("account {id} does not decode: {e}")),
        }
        Ok(Flow::Continue(()))
    })?;
    let mut holders: HashMap<String, u64> = HashMap::new();
    for (&id, rec) in &accounts {
        if let Err(e) = check_username(&rec.username) {
            r.add("account", format!("account {id}: {e}"));
        }
        if rec.node != 0 && !briefs.contains_key(&rec.node) {
            r.add("account", format!("account {id} is bound to missing node #{}", rec.node));
        }
        match roles::patterns(v, &rec.role)? {
            Some(_) => *holders.entry(rec.role.clone()).or_default() += 1,
            None => r.add("account", format!("account {id} holds unknown role {:?}", rec.role)),
        }
        let folded = rec.username.to_ascii_lowercase();
        if v.blob(Blob::Usernames, folded.as_bytes())?.as_deref() != Some(&id.to_be_bytes()[..]) {
            r.add("index.usernames", format!("account {id} does not own its username {:?}", rec.username));
        }
        if v.blob(Blob::AccountsByNode, &keys::by_parent(rec.node, id))?.is_none() {
            r.add("index.accountsByNode", format!("account {id} is missing from its node's accounts"));
        }
    }
    let count = |table: Blob| -> Result<u64> {
        let mut n = 0u64;
        v.scan(table, KeyRange::all(), false, &mut |_, _| {
            n += 1;
            Ok(Flow::Continue(()))
        })?;
        Ok(n)
    };
    let (names, by_node) = (count(Blob::Usernames)?, count(Blob::AccountsByNode)?);
    if names != accounts.len() as u64 || by_node != accounts.len() as u64 {
        r.add("index.accounts", format!("{} accounts, {names} usernames and {by_node} node entries", accounts.len()));
    }
    let mut tokens = 0u64;
    v.scan(Blob::Tokens, KeyRange::all(), false, &mut |k, val| {
        tokens += 1;
        let id = k.try_into().map(u64::from_be_bytes).unwrap_or(0);
        match decode::<TokenRecord>(val) {
            Ok(t) if !accounts.contains_key(&t.account) => {
                r.add("token", format!("token {id} acts for missing account {}", t.account));
            }
            Ok(t) => {
                if v.blob(Blob::TokensByAccount, &keys::by_parent(t.account, id))?.is_none() {
                    r.add("index.tokensByAccount", format!("token {id} is missing from its account's tokens"));
                }
                if v.blob(Blob::TokenHashes, &t.hash)?.as_deref() != Some(&id.to_be_bytes()[..]) {
                    r.add("index.tokenHashes", format!("token {id} cannot be found from its secret"));
                }
            }
            Err(e) => r.add("token", format!("token {id} does not decode: {e}")),
        }
        Ok(Flow::Continue(()))
    })?;
    if count(Blob::TokensByAccount)? != tokens {
        r.add("index.tokensByAccount", format!("the token index does not match the {tokens} tokens"));
    }
    if count(Blob::TokenHashes)? != tokens {
        r.add("index.tokenHashes", format!("the token hash index does not match the {tokens} tokens"));
    }
    v.scan(Blob::Roles, KeyRange::all(), false, &mut |k, val| {
        let name = String::from_utf8_lossy(k).into_owned();
        if let Ok(rec) = decode::<RoleRecord>(val) {
            let held = holders.get(&name).copied().unwrap_or(0);
            if rec.accounts != held {
                r.add("role", format!("role {name} counts {} holders, {held} accounts hold it", rec.accounts));
            }
        }
        Ok(Flow::Continue(()))
    })?;
    v.scan(Blob::Policies, KeyRange::all(), false, &mut |k, _| {
        match keys::take_var(k) {
            Some((seq, [])) if seq == 0 || briefs.contains_key(&seq) => {}
            _ => r.add("policy", format!("a password policy belongs to no node ({k:?})")),
        }
        Ok(Flow::Continue(()))
    })?;
    check_owned(v, briefs, r, Blob::Props, "props")?;
    check_owned(v, briefs, r, Blob::Markups, "markup")?;
    Ok(())
}

/// Rows of a table keyed by `var(node) ‖ ...` must belong to existing nodes and decode.
fn check_owned(v: &impl View, briefs: &HashMap<u64, Brief>, r: &mut Report, table: Blob, area: &str) -> Result<()> {
    v.scan(table, KeyRange::all(), false, &mut |k, val| {
        match keys::take_var(k) {
            Some((seq, _)) if briefs.contains_key(&seq) => {
                let readable = match table {
                    Blob::Props => serde_json::from_slice::<serde_json::Value>(val).is_ok(),
                    Blob::Markups => decode::<crate::decimal::Decimal>(val).is_ok(),
                    _ => true,
                };
                if !readable {
                    r.add(area, format!("a {area} row of node #{seq} does not decode"));
                }
            }
            _ => r.add(area, format!("a {area} row belongs to no node ({k:?})")),
        }
        Ok(Flow::Continue(()))
    })
}

fn has_key(v: &impl View, index: Index, key: &[u8]) -> Result<bool> {
    let range = KeyRange { lo: std::ops::Bound::Included(key.to_vec()), hi: std::ops::Bound::Included(key.to_vec()) };
    Ok(v.keys(index, range, false)?.next().transpose()?.is_some())
}

fn chain_of(v: &impl View, above: &[u64]) -> Result<Chain> {
    let mut links = Vec::with_capacity(above.len());
    for &seq in above.iter().rev() {
        if let Some(rec) = v.node(seq)? {
            links.push(Loaded { seq, rec: std::sync::Arc::new(rec) });
        }
    }
    Ok(Chain { links })
}

fn node_label(v: &impl View, seq: u64) -> Result<String> {
    if seq == 0 {
        return Ok("the store".to_owned());
    }
    Ok(v.node(seq)?.map_or_else(|| format!("node #{seq}"), |rec| format!("node {}", id_of(&rec))))
}

fn uuid_text(id: [u8; 16]) -> String {
    uuid::Uuid::from_bytes(id).hyphenated().to_string()
}
