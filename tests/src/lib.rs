//! Shared helpers for tenantree's cross-crate tests: the in-memory reference model the property
//! tests compare the store against, and state snapshots.
//!
//! The model is deliberately naive: a map of nodes, every rule checked by walking it. It knows
//! nothing of indexes, roll-ups or caches, so when it and the store agree after every step of a
//! random run, the store's derived structures agree with the plain meaning of the rules.
//!
//! Test support, not library code: it panics freely on broken expectations.
#![allow(clippy::expect_used, clippy::indexing_slicing, clippy::panic, clippy::unwrap_used)]

use std::collections::BTreeMap;

pub mod crash;
pub mod faults;
pub mod fuzz;

use tenantree::{
    Actor, ChildQuery, DescendantQuery, Direction, NameRule, NodeId, NodeSummary, NodeSummaryRef, NodeWithQuotas,
    Schema, SortBy, Status, Store, Uniqueness,
};

/// A node of the reference model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MNode {
    /// Kind name.
    pub kind: String,
    /// Parent id.
    pub parent: Option<NodeId>,
    /// Name as written.
    pub name: String,
    /// Own status.
    pub status: Status,
    /// Limits by resource.
    pub limits: BTreeMap<String, u64>,
    /// Direct allocations by resource (never zero).
    pub own: BTreeMap<String, u64>,
    /// Billing id.
    pub billing: Option<String>,
}

/// The reference model: the same rules as the store, written the obvious way.
#[derive(Debug, Clone)]
pub struct Model {
    /// The schema the rules come from.
    pub schema: Schema,
    /// Every node.
    pub nodes: BTreeMap<NodeId, MNode>,
}

/// The error code a model operation predicts, or success.
pub type Outcome = Result<(), &'static str>;

impl Model {
    /// An empty model.
    #[must_use]
    pub fn new(schema: Schema) -> Model {
        Model { schema, nodes: BTreeMap::new() }
    }

    /// The node's ancestors, parent first.
    #[must_use]
    pub fn ancestors(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut next = self.nodes.get(&id).and_then(|n| n.parent);
        while let Some(p) = next {
            out.push(p);
            next = self.nodes.get(&p).and_then(|n| n.parent);
        }
        out
    }

    /// Depth, 1 at the top.
    #[must_use]
    pub fn depth(&self, id: NodeId) -> usize {
        self.ancestors(id).len() + 1
    }

    /// The node whose own status is in force at `id`, if any is off.
    #[must_use]
    pub fn disabled_by(&self, id: NodeId) -> Option<NodeId> {
        std::iter::once(id)
            .chain(self.ancestors(id))
            .find(|n| self.nodes.get(n).is_some_and(|m| m.status != Status::Enabled))
    }

    /// Every strict descendant.
    #[must_use]
    pub fn descendants(&self, id: NodeId) -> Vec<NodeId> {
        self.nodes.keys().copied().filter(|n| self.ancestors(*n).contains(&id)).collect()
    }

    fn counted_kind(&self, resource: &str) -> Option<String> {
        self.schema.resource(resource).and_then(|r| r.counts.clone())
    }

    /// Usage of a resource at a node: counted descendants, or allocations in the subtree.
    #[must_use]
    pub fn usage(&self, id: NodeId, resource: &str) -> u64 {
        match self.counted_kind(resource) {
            Some(kind) => self.descendants(id).iter().filter(|d| self.nodes[d].kind == kind).count() as u64,
            None => std::iter::once(id)
                .chain(self.descendants(id))
                .map(|n| self.nodes[&n].own.get(resource).copied().unwrap_or(0))
                .sum(),
        }
    }

    fn name_taken(&self, kind: &str, parent: Option<NodeId>, name: &str, exclude: Option<NodeId>) -> bool {
        let def = self.schema.kind(kind).expect("known kind");
        let folded = name.to_lowercase();
        self.nodes.iter().any(|(id, n)| {
            Some(*id) != exclude
                && n.name.to_lowercase() == folded
                && match &def.unique {
                    Uniqueness::Siblings => n.parent == parent && n.kind == kind,
                    Uniqueness::Store { group } => matches!(
                        &self.schema.kind(&n.kind).expect("known kind").unique,
                        Uniqueness::Store { group: g } if g == group
                    ),
                }
        })
    }

    fn nearest_limit(&self, chain: &[NodeId], resource: &str) -> Option<u64> {
        chain.iter().find_map(|a| self.nodes[a].limits.get(resource).copied())
    }

    /// Predicts and applies a create.
    pub fn create(
        &mut self,
        id: NodeId,
        kind: &str,
        parent: Option<NodeId>,
        name: &str,
        limits: &BTreeMap<String, u64>,
        billing: Option<&str>,
    ) -> Outcome {
        if self.schema.kind(kind).is_none() {
            return Err("INVALID_ARGUMENT");
        }
        if let Some(p) = parent
            && !self.nodes.contains_key(&p)
        {
            return Err("NOT_FOUND");
        }
        let parent_kind = parent.map(|p| self.nodes[&p].kind.clone());
        if !self.schema.may_parent(parent_kind.as_deref(), kind) {
            return Err("KIND_NOT_ALLOWED");
        }
        let depth = parent.map_or(0, |p| self.depth(p)) + 1;
        if depth > self.schema.max_depth as usize {
            return Err("DEPTH_EXCEEDED");
        }
        if let Some(p) = parent
            && self.disabled_by(p).is_some()
        {
            return Err("SERVICE_DISABLED");
        }
        let rule = self.schema.kind(kind).expect("known kind").name_rule;
        if tenantree::NodeName::new(name, rule).is_err() {
            return Err("INVALID_ARGUMENT");
        }
        if self.name_taken(kind, parent, name, None) {
            return Err("ALREADY_EXISTS");
        }
        if let Some(b) = billing
            && self.nodes.values().any(|n| n.billing.as_deref() == Some(b))
        {
            return Err("ALREADY_EXISTS");
        }
        let chain: Vec<NodeId> =
            parent.map(|p| std::iter::once(p).chain(self.ancestors(p)).collect()).unwrap_or_default();
        for (resource, &value) in limits {
            if self.schema.resource(resource).is_none() {
                return Err("INVALID_ARGUMENT");
            }
            if self.nearest_limit(&chain, resource).is_some_and(|l| value > l) {
                return Err("INVALID_LIMIT");
            }
        }
        if let Some(counted) = self.schema.resources.iter().find(|r| r.counts.as_deref() == Some(kind)) {
            for a in &chain {
                if let Some(&l) = self.nodes[a].limits.get(&counted.name)
                    && self.usage(*a, &counted.name) + 1 > l
                {
                    return Err("QUOTA_EXCEEDED");
                }
            }
        }
        self.nodes.insert(
            id,
            MNode {
                kind: kind.to_owned(),
                parent,
                name: name.to_owned(),
                status: Status::Enabled,
                limits: limits.clone(),
                own: BTreeMap::new(),
                billing: billing.map(str::to_owned),
            },
        );
        Ok(())
    }

    /// Predicts and applies a rename.
    pub fn rename(&mut self, id: NodeId, name: &str) -> Outcome {
        let Some(n) = self.nodes.get(&id).cloned() else { return Err("NOT_FOUND") };
        let rule = self.schema.kind(&n.kind).expect("known kind").name_rule;
        if tenantree::NodeName::new(name, rule).is_err() {
            return Err("INVALID_ARGUMENT");
        }
        if n.name.to_lowercase() != name.to_lowercase() && self.name_taken(&n.kind, n.parent, name, Some(id)) {
            return Err("ALREADY_EXISTS");
        }
        self.nodes.get_mut(&id).expect("exists").name = name.to_owned();
        Ok(())
    }

    /// Predicts and applies a status change.
    pub fn set_status(&mut self, id: NodeId, status: Status) -> Outcome {
        match self.nodes.get_mut(&id) {
            Some(n) => {
                n.status = status;
                Ok(())
            }
            None => Err("NOT_FOUND"),
        }
    }

    /// Predicts and applies a limit change.
    pub fn set_limit(&mut self, id: NodeId, resource: &str, value: Option<u64>) -> Outcome {
        if !self.nodes.contains_key(&id) {
            return Err("NOT_FOUND");
        }
        if self.schema.resource(resource).is_none() {
            return Err("INVALID_ARGUMENT");
        }
        if let Some(v) = value
            && self.nodes[&id].limits.get(resource) != Some(&v)
        {
            if v < self.usage(id, resource) {
                return Err("INVALID_LIMIT");
            }
            if self.nearest_limit(&self.ancestors(id), resource).is_some_and(|l| v > l) {
                return Err("INVALID_LIMIT");
            }
            if self.descendants(id).iter().any(|d| self.nodes[d].limits.get(resource).is_some_and(|&l| l > v)) {
                return Err("INVALID_LIMIT");
            }
        }
        let n = self.nodes.get_mut(&id).expect("exists");
        match value {
            Some(v) => n.limits.insert(resource.to_owned(), v),
            None => n.limits.remove(resource),
        };
        Ok(())
    }

    /// Predicts and applies an allocation.
    pub fn allocate(&mut self, id: NodeId, resource: &str, amount: u64) -> Outcome {
        if self.counted_kind(resource).is_some() || self.schema.resource(resource).is_none() || amount == 0 {
            return Err("INVALID_ARGUMENT");
        }
        if !self.nodes.contains_key(&id) {
            return Err("NOT_FOUND");
        }
        if self.disabled_by(id).is_some() {
            return Err("SERVICE_DISABLED");
        }
        for a in std::iter::once(id).chain(self.ancestors(id)) {
            if let Some(&l) = self.nodes[&a].limits.get(resource)
                && self.usage(a, resource) + amount > l
            {
                return Err("QUOTA_EXCEEDED");
            }
        }
        *self.nodes.get_mut(&id).expect("exists").own.entry(resource.to_owned()).or_insert(0) += amount;
        Ok(())
    }

    /// Predicts and applies a release.
    pub fn release(&mut self, id: NodeId, resource: &str, amount: u64) -> Outcome {
        if self.counted_kind(resource).is_some() || self.schema.resource(resource).is_none() || amount == 0 {
            return Err("INVALID_ARGUMENT");
        }
        let Some(n) = self.nodes.get_mut(&id) else { return Err("NOT_FOUND") };
        let own = n.own.get(resource).copied().unwrap_or(0);
        if amount > own {
            return Err("INVALID_ARGUMENT");
        }
        if own == amount {
            n.own.remove(resource);
        } else {
            n.own.insert(resource.to_owned(), own - amount);
        }
        Ok(())
    }

    /// Predicts and applies a move.
    pub fn move_node(&mut self, id: NodeId, new_parent: Option<NodeId>) -> Outcome {
        let Some(n) = self.nodes.get(&id).cloned() else { return Err("NOT_FOUND") };
        if let Some(p) = new_parent {
            if !self.nodes.contains_key(&p) {
                return Err("NOT_FOUND");
            }
            if p == id || self.ancestors(p).contains(&id) {
                return Err("CYCLE");
            }
        }
        if new_parent == n.parent {
            return Ok(());
        }
        let parent_kind = new_parent.map(|p| self.nodes[&p].kind.clone());
        if !self.schema.may_parent(parent_kind.as_deref(), &n.kind) {
            return Err("KIND_NOT_ALLOWED");
        }
        let subtree: Vec<NodeId> = std::iter::once(id).chain(self.descendants(id)).collect();
        let height = subtree.iter().map(|d| self.depth(*d)).max().unwrap_or(0) - self.depth(id) + 1;
        if new_parent.map_or(0, |p| self.depth(p)) + height > self.schema.max_depth as usize {
            return Err("DEPTH_EXCEEDED");
        }
        if let Some(p) = new_parent
            && self.disabled_by(p).is_some()
        {
            return Err("SERVICE_DISABLED");
        }
        if self.name_taken(&n.kind, new_parent, &n.name, Some(id)) {
            return Err("ALREADY_EXISTS");
        }
        let old_chain = self.ancestors(id);
        let new_chain: Vec<NodeId> =
            new_parent.map(|p| std::iter::once(p).chain(self.ancestors(p)).collect()).unwrap_or_default();
        let arriving: Vec<NodeId> = new_chain.iter().copied().filter(|a| !old_chain.contains(a)).collect();
        for resource in self.schema.resources.iter().map(|r| r.name.clone()).collect::<Vec<_>>() {
            let amount = match self.counted_kind(&resource) {
                Some(kind) => subtree.iter().filter(|d| self.nodes[*d].kind == kind).count() as u64,
                None => subtree.iter().map(|d| self.nodes[d].own.get(&resource).copied().unwrap_or(0)).sum(),
            };
            if amount == 0 {
                continue;
            }
            for a in &arriving {
                if let Some(&l) = self.nodes[a].limits.get(&resource)
                    && self.usage(*a, &resource) + amount > l
                {
                    return Err("QUOTA_EXCEEDED");
                }
            }
        }
        for resource in self.schema.resources.iter().map(|r| r.name.clone()).collect::<Vec<_>>() {
            let max = subtree.iter().filter_map(|d| self.nodes[d].limits.get(&resource).copied()).max();
            if let Some(max) = max
                && arriving.iter().any(|a| self.nodes[a].limits.get(&resource).is_some_and(|&l| max > l))
            {
                return Err("INVALID_LIMIT");
            }
        }
        self.nodes.get_mut(&id).expect("exists").parent = new_parent;
        Ok(())
    }

    /// Predicts and applies a delete: `Ok(true)` when removed, `Ok(false)` when absent.
    pub fn delete(&mut self, id: NodeId) -> Result<bool, &'static str> {
        let Some(n) = self.nodes.get(&id) else { return Ok(false) };
        if self.nodes.values().any(|m| m.parent == Some(id)) || !n.own.is_empty() {
            return Err("STILL_IN_USE");
        }
        self.nodes.remove(&id);
        Ok(true)
    }

    /// Asserts that the store holds exactly what the model holds, as seen by the system actor.
    ///
    /// # Panics
    ///
    /// On the first difference.
    pub fn assert_matches(&self, store: &Store) {
        let sys = Actor::system();
        let mut seen = 0usize;
        // One record that every node with its quotas is read into in turn, as a binding reads
        // one node after another.
        let mut kept: Option<NodeWithQuotas> = None;
        for kind in &self.schema.kinds {
            let mut q = DescendantQuery { kind: kind.name.clone(), limit: Some(1000), ..Default::default() };
            loop {
                let page = store.descendants(&sys, None, &q).expect("descendants");
                for n in &page.items {
                    seen += 1;
                    let m = self.nodes.get(&n.id).unwrap_or_else(|| panic!("store has extra node {}", n.id));
                    assert_eq!(n.kind, m.kind, "kind of {}", n.id);
                    assert_eq!(n.parent, m.parent, "parent of {}", n.id);
                    assert_eq!(n.name.as_str(), m.name, "name of {}", n.id);
                    assert_eq!(n.status, m.status, "status of {}", n.id);
                    assert_eq!(n.effective_status.source, self.disabled_by(n.id), "effective status of {}", n.id);
                    assert_eq!(n.depth as usize, self.depth(n.id), "depth of {}", n.id);
                    assert_eq!(n.limits, m.limits, "limits of {}", n.id);
                    assert_eq!(n.profile.billing_id, m.billing, "billing id of {}", n.id);
                    for q in store.quotas(&sys, n.id).expect("quotas") {
                        assert_eq!(q.used, self.usage(n.id, &q.resource), "{} usage of {}", q.resource, n.id);
                        assert_eq!(
                            q.allocated,
                            m.own.get(&q.resource).copied().unwrap_or(0),
                            "own {} of {}",
                            q.resource,
                            n.id
                        );
                    }
                    let both = store.get_node_with_quotas(&sys, n.id).expect("node with quotas");
                    assert_eq!(&both.node, n, "node with quotas of {}", n.id);
                    match kept.as_mut() {
                        Some(kept) => {
                            store.get_node_with_quotas_into(&sys, n.id, kept).expect("node with quotas into");
                            assert_eq!(*kept, both, "node with quotas of {} read into the last one's", n.id);
                        }
                        None => kept = Some(both),
                    }
                    let counts = store.kind_counts(&sys, Some(n.id)).expect("counts");
                    let descendants = self.descendants(n.id);
                    for k in &self.schema.kinds {
                        let want = descendants.iter().filter(|d| self.nodes[*d].kind == k.name).count() as u64;
                        assert_eq!(counts[&k.name], want, "{} count under {}", k.name, n.id);
                    }
                }
                match page.next {
                    Some(next) => q.cursor = Some(next),
                    None => break,
                }
            }
        }
        assert_eq!(seen, self.nodes.len(), "node count");
        self.assert_children_match(store, None);
        for &id in self.nodes.keys() {
            self.assert_children_match(store, Some(id));
        }
    }

    /// The children of `parent` as both listings give them, in both orders, against the model:
    /// the same nodes, sorted by folded name (by name) or listed whole (by creation); the
    /// summaries, read from the children index alone, equal the full nodes cut down.
    ///
    /// # Panics
    ///
    /// On the first difference.
    pub fn assert_children_match(&self, store: &Store, parent: Option<NodeId>) {
        let sys = Actor::system();
        let mut want: Vec<NodeId> = self.nodes.iter().filter(|(_, m)| m.parent == parent).map(|(id, _)| *id).collect();
        want.sort();
        for (sort, dir) in
            [(SortBy::Name, Direction::Asc), (SortBy::Name, Direction::Desc), (SortBy::Created, Direction::Asc)]
        {
            let q = ChildQuery { limit: Some(1000), sort, dir, ..Default::default() };
            let full = store.children(&sys, parent, &q).expect("children");
            let brief = store.child_summaries(&sys, parent, &q).expect("child summaries");
            let cut: Vec<NodeSummary> = full.items.iter().map(NodeSummary::from).collect();
            assert_eq!(brief.items, cut, "summaries of the children of {parent:?} ({sort:?}, {dir:?})");
            assert_eq!((brief.total, brief.next.is_none()), (want.len() as u64, true));
            let mut got: Vec<NodeId> = brief.items.iter().map(|n| n.id).collect();
            if sort == SortBy::Name {
                let folded: Vec<String> = brief.items.iter().map(|n| n.name.as_str().to_lowercase()).collect();
                let mut sorted = folded.clone();
                sorted.sort();
                if dir == Direction::Desc {
                    sorted.reverse();
                }
                assert_eq!(folded, sorted, "children of {parent:?} by name");
            }
            // Pages of two by cursor, and a filter on status, give the same rows.
            let mut walked: Vec<NodeSummary> = Vec::new();
            let mut q2 = ChildQuery { limit: Some(2), sort, dir, ..Default::default() };
            loop {
                let page = store.child_summaries(&sys, parent, &q2).expect("a page of summaries");
                walked.extend(page.items);
                match page.next {
                    Some(next) => q2.cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(walked, brief.items, "the children of {parent:?} by pages of two");
            // Borrowed, by pages of three: `f` sees the same children, once each, in order, and
            // the page holds what it returned.
            let mut seen = 0usize;
            let mut q3 = ChildQuery { limit: Some(3), sort, dir, ..Default::default() };
            loop {
                let start = seen;
                let page = store
                    .child_summaries_with(&sys, parent, &q3, |s| {
                        assert_eq!(
                            Some(s),
                            brief.items.get(seen).map(NodeSummaryRef::from),
                            "child {seen} of {parent:?}"
                        );
                        seen += 1;
                        seen - 1
                    })
                    .expect("a borrowed page of summaries");
                assert_eq!(page.items, (start..seen).collect::<Vec<_>>());
                assert_eq!(page.total, want.len() as u64);
                match page.next {
                    Some(next) => q3.cursor = Some(next),
                    None => break,
                }
            }
            assert_eq!(seen, brief.items.len(), "the borrowed children of {parent:?}");
            let off = ChildQuery { status: Some(tenantree::StatusFilter::Disabled), ..q.clone() };
            let brief_off = store.child_summaries(&sys, parent, &off).expect("filtered summaries");
            let want_off: Vec<&NodeSummary> = brief.items.iter().filter(|n| n.status == Status::Disabled).collect();
            assert_eq!(brief_off.items.iter().collect::<Vec<_>>(), want_off, "disabled children of {parent:?}");
            assert_eq!(brief_off.total, want_off.len() as u64);
            got.sort();
            assert_eq!(got, want, "children of {parent:?}");
            for n in &brief.items {
                let m = &self.nodes[&n.id];
                assert_eq!((n.kind.as_str(), n.name.as_str(), n.status), (m.kind.as_str(), m.name.as_str(), m.status));
                assert_eq!(n.effective_status.source, self.disabled_by(n.id), "effective status of {}", n.id);
                assert_eq!(n.depth as usize, self.depth(n.id), "depth of {}", n.id);
            }
        }
    }
}

/// Names the rule accepts, for generators: a small pool so that collisions happen.
#[must_use]
pub fn name_pool(rule: NameRule) -> Vec<&'static str> {
    match rule {
        NameRule::Login => vec![
            "alpha", "Alpha", "beta", "gamma", "delta", "eps.ilon", "zeta", "eta", "theta", "iota", "kappa",
            "o'lambda", "mu-1", "nu_2", "xi", "Omicron",
        ],
        NameRule::Label => vec![
            "Alpha One",
            "alpha one",
            "Beta",
            "Gamma Group",
            "delta",
            "Epsilon NL 1",
            "Zeta",
            "Eta",
            "Theta",
            "Iota",
            "Kappa BV",
            "Lambda",
            "Mu",
            "Nu",
            "Xi",
            "Omicron",
        ],
    }
}
