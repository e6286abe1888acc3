//! Random account actors perform random reads, listings, counts and writes on random ids:
//! nothing outside an actor's scope is ever read, counted or changed, and inside it every
//! outcome is the reference model's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::{BTreeMap, BTreeSet};

use proptest::prelude::*;
use tenantree::{
    Actor, ChildQuery, DescendantQuery, Durability, ManualClock, NewAccount, NewNode, NodeId, NodeUpdate,
    PasswordParams, Preset, SeededEntropy, Status, Store, Timestamp,
};
use tests::Model;

#[derive(Debug, Clone)]
enum Act {
    Get,
    Children,
    Descendants(usize),
    Counts,
    SetStatus(u8),
    Rename(u8),
    Allocate,
    CreateTenant(u8),
    Delete,
}

fn act() -> impl Strategy<Value = Act> {
    prop_oneof![
        2 => Just(Act::Get),
        2 => Just(Act::Children),
        1 => (0usize..5).prop_map(Act::Descendants),
        1 => Just(Act::Counts),
        2 => (0u8..3).prop_map(Act::SetStatus),
        1 => (0u8..6).prop_map(Act::Rename),
        2 => Just(Act::Allocate),
        2 => (0u8..6).prop_map(Act::CreateTenant),
        1 => Just(Act::Delete),
    ]
}

struct World {
    store: Store,
    model: Model,
    ids: Vec<NodeId>,
    /// Each account actor with its scope node.
    actors: Vec<(Actor, NodeId)>,
    /// Nodes that hold accounts (they cannot be deleted).
    account_nodes: BTreeSet<NodeId>,
}

/// A tree of 2 distributors, each with 2 resellers, each with 2 tenants, under one platform;
/// and dealer accounts on a few of them.
fn world(extra: &[(usize, usize)]) -> World {
    let store = Store::builder()
        .preset(Preset::Channel)
        .clock(ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000)))
        .entropy(SeededEntropy::new(3))
        .durability(Durability::Bulk)
        .password_params(PasswordParams::fast())
        .in_memory()
        .unwrap();
    let mut model = Model::new(Preset::Channel.schema());
    let sys = Actor::system();
    let mut ids = Vec::new();
    let add = |store: &Store, model: &mut Model, kind: &str, name: String, parent: Option<NodeId>| -> NodeId {
        let mut n = NewNode::new(kind, name.clone());
        n.parent = parent;
        let node = store.create_node(&sys, n).unwrap();
        model.create(node.id, kind, parent, &name, &BTreeMap::new(), None).unwrap();
        node.id
    };
    let root = add(&store, &mut model, "platform", "p".into(), None);
    ids.push(root);
    for d in 0..2 {
        let dist = add(&store, &mut model, "distributor", format!("d{d}"), Some(root));
        ids.push(dist);
        for r in 0..2 {
            let res = add(&store, &mut model, "reseller", format!("d{d}r{r}"), Some(dist));
            ids.push(res);
            for t in 0..2 {
                ids.push(add(&store, &mut model, "tenant", format!("t{t}"), Some(res)));
            }
        }
    }
    let mut actors = Vec::new();
    let mut account_nodes = BTreeSet::new();
    for (i, (node, _)) in extra.iter().enumerate() {
        let scope = ids[node % ids.len()];
        let a =
            store.create_account(&sys, NewAccount::new(format!("admin{i}"), "distributor_admin").node(scope)).unwrap();
        actors.push((Actor::account(a.id), scope));
        account_nodes.insert(scope);
    }
    World { store, model, ids, actors, account_nodes }
}

impl World {
    fn in_scope(&self, scope: NodeId, target: NodeId) -> bool {
        target == scope || self.model.ancestors(target).contains(&scope)
    }

    /// Everything the scope may see: the scope node and its subtree.
    fn visible(&self, scope: NodeId) -> Vec<NodeId> {
        self.model.nodes.keys().copied().filter(|n| self.in_scope(scope, *n)).collect()
    }

    fn run(&mut self, actor: usize, target: usize, act: &Act) {
        let (who, scope) = self.actors[actor % self.actors.len()].clone();
        let target = self.ids[target % self.ids.len()];
        let seen = self.in_scope(scope, target);
        let exists = self.model.nodes.contains_key(&target);
        let code = |r: Result<(), tenantree::Error>| r.map_err(|e| e.code());
        // What the access rules say before the operation's own rules.
        let off = self.model.disabled_by(scope).is_some();
        let gate = |write: bool, self_forbidden: bool| -> Option<&'static str> {
            if !exists || !seen {
                Some("NOT_FOUND")
            } else if write && off {
                Some("SERVICE_DISABLED")
            } else if self_forbidden && target == scope {
                Some("FORBIDDEN")
            } else {
                None
            }
        };
        match act {
            Act::Get => {
                let got = self.store.get_node(&who, target);
                assert_eq!(got.is_ok(), exists && seen, "get {target}");
                // The node with its quotas: the same answer, or the same refusal, as its parts.
                match (self.store.get_node_with_quotas(&who, target), got) {
                    (Ok(both), Ok(node)) => {
                        assert_eq!(both.node, node);
                        assert_eq!(both.quotas, self.store.quotas(&who, target).unwrap());
                    }
                    (Err(e), Err(alone)) => {
                        assert_eq!(e.code(), "NOT_FOUND");
                        assert_eq!(alone.code(), "NOT_FOUND");
                    }
                    (both, alone) => panic!("get_node_with_quotas {both:?} against get_node {alone:?}"),
                }
            }
            Act::Children => {
                match self.store.children(&who, Some(target), &ChildQuery { limit: Some(1000), ..Default::default() }) {
                    Ok(page) => {
                        assert!(exists && seen);
                        let want: BTreeSet<NodeId> = self
                            .model
                            .nodes
                            .iter()
                            .filter(|(_, n)| n.parent == Some(target))
                            .map(|(id, _)| *id)
                            .collect();
                        let got: BTreeSet<NodeId> = page.items.iter().map(|n| n.id).collect();
                        assert_eq!(got, want);
                        assert_eq!(page.total, want.len() as u64);
                    }
                    Err(e) => {
                        assert!(!(exists && seen), "{e}");
                        assert_eq!(e.code(), "NOT_FOUND");
                    }
                }
            }
            Act::Descendants(k) => {
                let kind = &self.model.schema.kinds[*k].name.clone();
                let page = self
                    .store
                    .descendants(
                        &who,
                        None,
                        &DescendantQuery { kind: kind.clone(), limit: Some(1000), ..Default::default() },
                    )
                    .unwrap();
                let want: BTreeSet<NodeId> =
                    self.visible(scope).into_iter().filter(|n| self.model.nodes[n].kind == *kind).collect();
                let got: BTreeSet<NodeId> = page.items.iter().map(|n| n.id).collect();
                assert_eq!(got, want, "{kind} visible to {scope}");
                assert_eq!(page.total, want.len() as u64);
            }
            Act::Counts => {
                let counts = self.store.kind_counts(&who, None).unwrap();
                let visible = self.visible(scope);
                for k in &self.model.schema.kinds {
                    let want = visible.iter().filter(|n| self.model.nodes[*n].kind == k.name).count() as u64;
                    assert_eq!(counts[&k.name], want, "{} count", k.name);
                }
            }
            Act::SetStatus(s) => {
                let status = [Status::Enabled, Status::Disabled, Status::Suspended { profile: 1 }][*s as usize];
                let got = code(self.store.set_status(&who, target, status).map(drop));
                let want = match gate(true, true) {
                    Some(c) => Err(c),
                    None => self.model.set_status(target, status),
                };
                assert_eq!(got, want, "status {target}");
            }
            Act::Rename(n) => {
                let name = ["alpha", "beta", "Alpha", "gamma", "t0", "d0r0"][*n as usize];
                let got = code(
                    self.store
                        .update_node(&who, target, &NodeUpdate { name: Some(name.into()), ..Default::default() })
                        .map(drop),
                );
                let want = match gate(true, false) {
                    Some(c) => Err(c),
                    None => self.model.rename(target, name),
                };
                assert_eq!(got, want, "rename {target} to {name}");
            }
            Act::Allocate => {
                let got = code(self.store.allocate(&who, target, "extensions", 1).map(drop));
                let want = match gate(true, false) {
                    Some(c) => Err(c),
                    None => self.model.allocate(target, "extensions", 1),
                };
                assert_eq!(got, want, "allocate on {target}");
            }
            Act::CreateTenant(n) => {
                let name = format!("new{n}");
                let got = self.store.create_node(&who, NewNode::new("tenant", name.clone()).parent(target));
                let want = match gate(true, false) {
                    Some(c) => Err(c),
                    None => {
                        let mut probe = self.model.clone();
                        probe.create(
                            NodeId::from_bytes([9; 16]).unwrap(),
                            "tenant",
                            Some(target),
                            &name,
                            &BTreeMap::new(),
                            None,
                        )
                    }
                };
                match got {
                    Ok(node) => {
                        assert_eq!(want, Ok(()), "create under {target}");
                        self.model.create(node.id, "tenant", Some(target), &name, &BTreeMap::new(), None).unwrap();
                        self.ids.push(node.id);
                    }
                    Err(e) => assert_eq!(Err(e.code()), want, "create under {target}"),
                }
            }
            Act::Delete => {
                let got = self.store.delete_node(&who, target).map_err(|e| e.code());
                let want = if !exists || !seen {
                    Ok(false)
                } else if off {
                    Err("SERVICE_DISABLED")
                } else if target == scope {
                    Err("FORBIDDEN")
                } else if self.account_nodes.contains(&target) {
                    Err("STILL_IN_USE")
                } else {
                    self.model.delete(target)
                };
                assert_eq!(got, want, "delete {target}");
            }
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn accounts_never_reach_outside_their_scope(
        accounts in proptest::collection::vec((0usize..15, 0usize..1), 1..4),
        steps in proptest::collection::vec((0usize..4, 0usize..64, act()), 1..60),
    ) {
        let mut w = world(&accounts);
        for (actor, target, act) in &steps {
            w.run(*actor, *target, act);
            w.model.assert_matches(&w.store);
        }
        let report = w.store.check().unwrap();
        prop_assert!(report.is_clean(), "{:?}", report.findings);
    }
}
