//! Moving subtrees: atomic, and refused on cycles, kinds, depth, quotas and names.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{DescendantQuery, NewNode, Preset, Status};

#[test]
fn a_move_carries_counts_allocations_and_indexes() {
    let store = store();
    let c = chain(&store);
    let dist2 = create(&store, "distributor", "south", Some(c.platform.id));
    create(&store, "tenant", "t2", Some(c.reseller.id));
    store.allocate(&sys(), c.tenant.id, "extensions", 7).unwrap();
    let moved = store.move_node(&sys(), c.reseller.id, Some(dist2.id)).unwrap();
    assert_eq!(moved.parent, Some(dist2.id));
    assert_eq!(moved.depth, 3);
    assert_eq!(moved.version, 2);
    assert_eq!(store.kind_counts(&sys(), Some(dist2.id)).unwrap()["tenant"], 2);
    assert_eq!(store.kind_counts(&sys(), Some(c.dist.id)).unwrap()["tenant"], 0);
    assert_eq!(store.kind_counts(&sys(), Some(c.platform.id)).unwrap()["tenant"], 2);
    assert_eq!(quota(&store, dist2.id, "extensions").used, 7);
    assert_eq!(quota(&store, c.sub.id, "extensions").used, 0);
    let tenants = store
        .descendants(&sys(), Some(dist2.id), &DescendantQuery { kind: "tenant".into(), ..Default::default() })
        .unwrap();
    assert_eq!(tenants.total, 2);
    assert_eq!(tenants.items.len(), 2);
    assert_eq!(store.get_node(&sys(), c.tenant.id).unwrap().depth, 4);
    let under_old = store
        .descendants(&sys(), Some(c.dist.id), &DescendantQuery { kind: "tenant".into(), ..Default::default() })
        .unwrap();
    assert_eq!((under_old.total, under_old.items.len()), (0, 0));
    assert_clean(&store);
}

#[test]
fn cycles_kinds_and_depth_are_refused() {
    let store = store();
    let c = chain(&store);
    let err = refused(&store, "CYCLE", || store.move_node(&sys(), c.dist.id, Some(c.reseller.id)));
    assert_eq!(err.details()["node"], c.dist.id.to_string());
    refused(&store, "CYCLE", || store.move_node(&sys(), c.dist.id, Some(c.dist.id)));
    refused(&store, "KIND_NOT_ALLOWED", || store.move_node(&sys(), c.tenant.id, Some(c.platform.id)));
    refused(&store, "KIND_NOT_ALLOWED", || store.move_node(&sys(), c.reseller.id, None));
    let (clients, _) = store_with(Preset::Clients);
    let a = create(&clients, "client", "a", None);
    let mut deep = a.id;
    for i in 0..9 {
        deep = create(&clients, "client", &format!("a{i}"), Some(deep)).id;
    }
    let b = create(&clients, "client", "b", None);
    let mut tall = b.id;
    for i in 0..7 {
        tall = create(&clients, "client", &format!("b{i}"), Some(tall)).id;
    }
    // a-chain is 10 deep, b-subtree 8 tall: 18 > 16.
    let err = refused(&clients, "DEPTH_EXCEEDED", || clients.move_node(&sys(), b.id, Some(deep)));
    assert_eq!(err.details()["depth"], 18);
    // Clients may move to the top level.
    clients.move_node(&sys(), tall, None).unwrap();
    assert_clean(&clients);
}

#[test]
fn quotas_on_the_new_chain_are_checked() {
    let store = store();
    let c = chain(&store);
    let dist2 = store
        .create_node(&sys(), NewNode::new("distributor", "south").parent(c.platform.id).limit("tenants", 1))
        .unwrap();
    create(&store, "tenant", "t2", Some(c.reseller.id));
    let err = refused(&store, "QUOTA_EXCEEDED", || store.move_node(&sys(), c.reseller.id, Some(dist2.id)));
    assert_eq!(err.details()["node"], dist2.id.to_string());
    assert_eq!(err.details()["requested"], 2);
    store.set_limit(&sys(), dist2.id, "tenants", Some(2)).unwrap();
    store.set_limit(&sys(), dist2.id, "extensions", Some(5)).unwrap();
    store.allocate(&sys(), c.tenant.id, "extensions", 6).unwrap();
    refused(&store, "QUOTA_EXCEEDED", || store.move_node(&sys(), c.reseller.id, Some(dist2.id)));
    store.release(&sys(), c.tenant.id, "extensions", 1).unwrap();
    // A limit in the subtree above the new ancestor's limit is refused too.
    store.set_limit(&sys(), c.tenant.id, "extensions", Some(9)).unwrap();
    let err = refused(&store, "INVALID_LIMIT", || store.move_node(&sys(), c.reseller.id, Some(dist2.id)));
    assert_eq!(err.details()["node"], c.tenant.id.to_string());
    store.set_limit(&sys(), c.tenant.id, "extensions", Some(5)).unwrap();
    store.move_node(&sys(), c.reseller.id, Some(dist2.id)).unwrap();
    assert_eq!(quota(&store, dist2.id, "tenants").used, 2);
    assert_clean(&store);
}

#[test]
fn a_move_into_a_disabled_branch_or_onto_a_taken_name_is_refused() {
    let store = store();
    let c = chain(&store);
    let sub2 = create(&store, "sub_distributor", "other-sub", Some(c.dist.id));
    create(&store, "tenant", "bakery", Some(sub2.id));
    refused(&store, "ALREADY_EXISTS", || store.move_node(&sys(), c.tenant.id, Some(sub2.id)));
    store.set_status(&sys(), sub2.id, Status::Disabled).unwrap();
    refused(&store, "SERVICE_DISABLED", || store.move_node(&sys(), c.reseller.id, Some(sub2.id)));
    // Moving out of a disabled branch is fine.
    store.set_status(&sys(), c.sub.id, Status::Disabled).unwrap();
    let moved = store.move_node(&sys(), c.reseller.id, Some(c.dist.id)).unwrap();
    assert!(moved.effective_status.is_enabled());
    assert_clean(&store);
}

#[test]
fn billing_ids_are_rescoped_when_a_subtree_changes_group() {
    let (store, _) = store_with(Preset::Fusion);
    let g1 = create(&store, "group", "G1", None);
    let g2 = create(&store, "group", "G2", None);
    let d1 = create(&store, "distributor", "D1", Some(g1.id));
    let r = store.create_node(&sys(), NewNode::new("reseller", "R").parent(d1.id).billing_id("BILL-1")).unwrap();
    store.create_node(&sys(), NewNode::new("tenant", "T").parent(r.id).billing_id("BILL-2")).unwrap();
    store.create_node(&sys(), NewNode::new("reseller", "other").parent(g2.id).billing_id("BILL-2")).unwrap();
    let err = refused(&store, "ALREADY_EXISTS", || store.move_node(&sys(), r.id, Some(g2.id)));
    assert_eq!(err.details()["value"], "BILL-2");
    let d2 = create(&store, "distributor", "D2", Some(g1.id));
    store.move_node(&sys(), r.id, Some(d2.id)).unwrap();
    // Within one group the ids keep their scope; BILL-1 is still taken in G1.
    refused(&store, "ALREADY_EXISTS", || {
        store.create_node(&sys(), NewNode::new("reseller", "x").parent(g1.id).billing_id("BILL-1"))
    });
    store.create_node(&sys(), NewNode::new("reseller", "x").parent(g2.id).billing_id("BILL-1")).unwrap();
    assert_clean(&store);
}

#[test]
fn moving_to_the_same_parent_changes_nothing() {
    let store = store();
    let c = chain(&store);
    let n = store.move_node(&sys(), c.reseller.id, Some(c.sub.id)).unwrap();
    assert_eq!(n.version, 1);
}
