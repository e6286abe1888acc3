//! Random sequences of creates, renames, moves, status changes, limit changes, allocations,
//! releases and deletes, applied to the store and to the reference model: after every step the
//! two agree (result code and whole state) and the integrity check is clean.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use tenantree::{
    Actor, Durability, ManualClock, NewNode, NodeId, NodeUpdate, Preset, SeededEntropy, Status, Store, Timestamp,
};
use tests::{Model, name_pool};

/// Which node an operation targets: an existing one (by index), one that never existed, or
/// (for parents) the top level.
#[derive(Debug, Clone, Copy)]
enum Pick {
    Existing(usize),
    Ghost,
    Top,
}

#[derive(Debug, Clone)]
enum Step {
    /// `kind: None` picks a kind the parent accepts (most creates), `Some` any kind.
    Create {
        kind: Option<usize>,
        parent: Pick,
        name: usize,
        limit: Option<(usize, u64)>,
        billing: Option<u8>,
    },
    Rename {
        node: Pick,
        name: usize,
    },
    Status {
        node: Pick,
        status: u8,
    },
    Move {
        node: Pick,
        parent: Pick,
    },
    SetLimit {
        node: Pick,
        resource: usize,
        value: Option<u64>,
    },
    Allocate {
        node: Pick,
        resource: usize,
        amount: u64,
    },
    Release {
        node: Pick,
        resource: usize,
        amount: u64,
    },
    Delete {
        node: Pick,
    },
}

fn pick() -> impl Strategy<Value = Pick> {
    prop_oneof![
        8 => (0usize..64).prop_map(Pick::Existing),
        1 => Just(Pick::Ghost),
        1 => Just(Pick::Top),
    ]
}

/// Resources used by the steps: counted ones may be limited but never allocated.
const LIMITED: [&str; 4] = ["tenants", "extensions", "call_queues", "clients"];
const ALLOCATED: [&str; 2] = ["extensions", "call_queues"];

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (proptest::option::weighted(0.15, 0usize..8), pick(), 0usize..16, proptest::option::weighted(0.3, (0usize..4, 0u64..8)), proptest::option::weighted(0.2, 0u8..4))
            .prop_map(|(kind, parent, name, limit, billing)| Step::Create { kind, parent, name, limit, billing }),
        1 => (pick(), 0usize..16).prop_map(|(node, name)| Step::Rename { node, name }),
        1 => (pick(), 0u8..3).prop_map(|(node, status)| Step::Status { node, status }),
        2 => (pick(), pick()).prop_map(|(node, parent)| Step::Move { node, parent }),
        2 => (pick(), 0usize..4, proptest::option::weighted(0.8, 0u64..12))
            .prop_map(|(node, resource, value)| Step::SetLimit { node, resource, value }),
        2 => (pick(), 0usize..2, 0u64..6).prop_map(|(node, resource, amount)| Step::Allocate { node, resource, amount }),
        1 => (pick(), 0usize..2, 1u64..4).prop_map(|(node, resource, amount)| Step::Release { node, resource, amount }),
        2 => pick().prop_map(|node| Step::Delete { node }),
    ]
}

struct Run {
    store: Store,
    model: Model,
    ids: Vec<NodeId>,
    ghost: NodeId,
    clock: ManualClock,
}

impl Run {
    fn new(preset: Preset) -> Run {
        let clock = ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000));
        let store = Store::builder()
            .preset(preset)
            .clock(clock.clone())
            .entropy(SeededEntropy::new(1))
            .durability(Durability::Bulk)
            .in_memory()
            .unwrap();
        let model = Model::new(preset.schema());
        let ghost = "01900000-0000-7000-8000-00000000dead".parse().unwrap();
        Run { store, model, ids: Vec::new(), ghost, clock }
    }

    fn node(&self, p: Pick) -> NodeId {
        match p {
            Pick::Existing(i) if !self.ids.is_empty() => self.ids[i % self.ids.len()],
            _ => self.ghost,
        }
    }

    fn parent(&self, p: Pick) -> Option<NodeId> {
        match p {
            Pick::Top => None,
            other => Some(self.node(other)),
        }
    }

    fn apply(&mut self, step: &Step) {
        let sys = Actor::system();
        self.clock.advance(1_000);
        let schema = self.model.schema.clone();
        let code = |r: Result<(), tenantree::Error>| r.map_err(|e| e.code());
        let (store_result, model_result): (Result<(), &str>, Result<(), &str>) = match step {
            Step::Create { kind, parent, name, limit, billing } => {
                let parent = self.parent(*parent);
                let parent_kind = parent.and_then(|p| self.model.nodes.get(&p)).map(|n| n.kind.clone());
                let fitting: Vec<usize> = (0..schema.kinds.len())
                    .filter(|k| schema.may_parent(parent_kind.as_deref(), &schema.kinds[*k].name))
                    .collect();
                let kind = match kind {
                    Some(k) => &schema.kinds[k % schema.kinds.len()],
                    None if !fitting.is_empty() => &schema.kinds[fitting[name % fitting.len()]],
                    None => &schema.kinds[name % schema.kinds.len()],
                };
                let name = name_pool(kind.name_rule)[*name];
                let limits: BTreeMap<String, u64> = limit
                    .iter()
                    .map(|(r, v)| (LIMITED[*r].to_owned(), *v))
                    .filter(|(r, _)| schema.resource(r).is_some())
                    .collect();
                let billing = billing.map(|b| format!("B-{b}"));
                let mut new = NewNode::new(kind.name.clone(), name);
                new.parent = parent;
                new.limits = limits.clone();
                new.profile.billing_id = billing.clone();
                match self.store.create_node(&sys, new) {
                    Ok(node) => {
                        self.ids.push(node.id);
                        let m = self.model.create(node.id, &kind.name, parent, name, &limits, billing.as_deref());
                        (Ok(()), m)
                    }
                    Err(e) => {
                        // Predict with a throwaway id: the model must refuse too.
                        let mut probe = self.model.clone();
                        let m = probe.create(self.ghost, &kind.name, parent, name, &limits, billing.as_deref());
                        (Err(e.code()), m)
                    }
                }
            }
            Step::Rename { node, name } => {
                let id = self.node(*node);
                let rule = self
                    .model
                    .nodes
                    .get(&id)
                    .map_or(tenantree::NameRule::Login, |n| schema.kind(&n.kind).unwrap().name_rule);
                let name = name_pool(rule)[*name];
                let upd = NodeUpdate { name: Some(name.to_owned()), ..Default::default() };
                (code(self.store.update_node(&sys, id, &upd).map(drop)), self.model.rename(id, name))
            }
            Step::Status { node, status } => {
                let id = self.node(*node);
                let status = match status {
                    0 => Status::Enabled,
                    1 => Status::Disabled,
                    _ => Status::Suspended { profile: 2 },
                };
                (code(self.store.set_status(&sys, id, status).map(drop)), self.model.set_status(id, status))
            }
            Step::Move { node, parent } => {
                let id = self.node(*node);
                let parent = self.parent(*parent);
                (code(self.store.move_node(&sys, id, parent).map(drop)), self.model.move_node(id, parent))
            }
            Step::SetLimit { node, resource, value } => {
                let id = self.node(*node);
                let resource = LIMITED[*resource];
                (
                    code(self.store.set_limit(&sys, id, resource, *value).map(drop)),
                    self.model.set_limit(id, resource, *value),
                )
            }
            Step::Allocate { node, resource, amount } => {
                let id = self.node(*node);
                let resource = ALLOCATED[*resource];
                if schema.resource(resource).is_none() {
                    return;
                }
                (
                    code(self.store.allocate(&sys, id, resource, *amount).map(drop)),
                    self.model.allocate(id, resource, *amount),
                )
            }
            Step::Release { node, resource, amount } => {
                let id = self.node(*node);
                let resource = ALLOCATED[*resource];
                if schema.resource(resource).is_none() {
                    return;
                }
                (
                    code(self.store.release(&sys, id, resource, *amount).map(drop)),
                    self.model.release(id, resource, *amount),
                )
            }
            Step::Delete { node } => {
                let id = self.node(*node);
                let s = self.store.delete_node(&sys, id).map_err(|e| e.code());
                let m = self.model.delete(id);
                assert_eq!(s, m, "delete of {id}");
                if s == Ok(true) {
                    self.ids.retain(|x| *x != id);
                }
                (Ok(()), Ok(()))
            }
        };
        assert_eq!(store_result, model_result, "{step:?}");
    }

    /// A small starting tree, built through the same path as the random steps.
    fn seed(&mut self) {
        let top = Step::Create { kind: None, parent: Pick::Top, name: 0, limit: None, billing: None };
        self.apply(&top);
        for i in 0..6 {
            self.apply(&Step::Create {
                kind: None,
                parent: Pick::Existing(i),
                name: i + 1,
                limit: None,
                billing: None,
            });
        }
    }

    fn verify(&self) {
        self.model.assert_matches(&self.store);
        let report = self.store.check().unwrap();
        assert!(report.is_clean(), "{:#?}", report.findings);
        assert_eq!(report.nodes as usize, self.model.nodes.len());
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn channel_store_agrees_with_the_model(steps in proptest::collection::vec(step(), 1..80)) {
        let mut run = Run::new(Preset::Channel);
        run.seed();
        for s in &steps {
            run.apply(s);
            run.verify();
        }
    }

    #[test]
    fn client_tree_agrees_with_the_model(steps in proptest::collection::vec(step(), 1..60)) {
        let mut run = Run::new(Preset::Clients);
        run.seed();
        for s in &steps {
            run.apply(s);
            run.verify();
        }
    }
}
