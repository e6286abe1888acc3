//! Helpers shared by the integration tests of the core.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;

use tenantree::{
    Account, Actor, DescendantQuery, Durability, Error, ManualClock, NewAccount, NewNode, Node, NodeId, PasswordParams,
    Preset, Quota, SeededEntropy, Store, Timestamp,
};

pub fn sys() -> Actor {
    Actor::system()
}

/// A deterministic in-memory store.
pub fn store_with(preset: Preset) -> (Store, ManualClock) {
    let clock = ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000));
    let store = Store::builder()
        .preset(preset)
        .clock(clock.clone())
        .entropy(SeededEntropy::new(7))
        .durability(Durability::Bulk)
        .password_params(PasswordParams::fast())
        .in_memory()
        .unwrap();
    (store, clock)
}

pub fn store() -> Store {
    store_with(Preset::Channel).0
}

/// platform → distributor → sub_distributor → reseller → tenant.
pub struct Chain {
    pub platform: Node,
    pub dist: Node,
    pub sub: Node,
    pub reseller: Node,
    pub tenant: Node,
}

pub fn chain(store: &Store) -> Chain {
    let s = sys();
    let platform = store.create_node(&s, NewNode::new("platform", "acme")).unwrap();
    let dist = store.create_node(&s, NewNode::new("distributor", "north").parent(platform.id)).unwrap();
    let sub = store.create_node(&s, NewNode::new("sub_distributor", "north-east").parent(dist.id)).unwrap();
    let reseller = store.create_node(&s, NewNode::new("reseller", "shop").parent(sub.id)).unwrap();
    let tenant = store.create_node(&s, NewNode::new("tenant", "bakery").parent(reseller.id)).unwrap();
    Chain { platform, dist, sub, reseller, tenant }
}

pub fn create(store: &Store, kind: &str, name: &str, parent: Option<NodeId>) -> Node {
    let mut n = NewNode::new(kind, name);
    n.parent = parent;
    store.create_node(&sys(), n).unwrap()
}

/// Everything a caller can observe of a store, as the system actor: every node, its quotas
/// and its kind counts, plus the store-wide counts.
/// A node as observed: the record, its quotas and its kind counts.
pub type Observed = (Node, Vec<Quota>, BTreeMap<String, u64>);

#[derive(Debug, PartialEq)]
pub struct State {
    pub nodes: BTreeMap<NodeId, Observed>,
    pub counts: BTreeMap<String, u64>,
}

pub fn state(store: &Store) -> State {
    let s = sys();
    let mut nodes = BTreeMap::new();
    for kind in store.schema().kinds.iter().map(|k| k.name.clone()) {
        let mut q = DescendantQuery { kind, limit: Some(1000), ..Default::default() };
        loop {
            let page = store.descendants(&s, None, &q).unwrap();
            for n in page.items {
                let quotas = store.quotas(&s, n.id).unwrap();
                let counts = store.kind_counts(&s, Some(n.id)).unwrap();
                nodes.insert(n.id, (n, quotas, counts));
            }
            match page.next {
                Some(next) => q.cursor = Some(next),
                None => break,
            }
        }
    }
    State { nodes, counts: store.kind_counts(&s, None).unwrap() }
}

/// Runs `op`, asserts it fails with `code`, that the store is exactly as before, and that the
/// integrity check is clean. Returns the error for further assertions.
#[track_caller]
pub fn refused<T: std::fmt::Debug>(store: &Store, code: &str, op: impl FnOnce() -> Result<T, Error>) -> Error {
    let before = state(store);
    let err = op().expect_err("the operation should have been refused");
    assert_eq!(err.code(), code, "unexpected error: {err}");
    assert_eq!(state(store), before, "a refused operation changed the store");
    assert_clean(store);
    err
}

#[track_caller]
pub fn assert_clean(store: &Store) {
    let report = store.check().unwrap();
    assert!(report.is_clean(), "integrity check failed: {:#?}", report.findings);
}

pub fn quota(store: &Store, id: NodeId, resource: &str) -> Quota {
    store.quotas(&sys(), id).unwrap().into_iter().find(|q| q.resource == resource).unwrap()
}

/// A password every default policy accepts.
pub const GOOD_PASSWORD: &str = "Tr0ub4dor!x";

/// Creates an account bound to `node` with `role` and [`GOOD_PASSWORD`], as the system.
pub fn account(store: &Store, username: &str, role: &str, node: Option<NodeId>) -> (Account, Actor) {
    let mut new = NewAccount::new(username, role).password(GOOD_PASSWORD);
    new.node = node;
    let a = store.create_account(&sys(), new).unwrap();
    let actor = Actor::account(a.id);
    (a, actor)
}
