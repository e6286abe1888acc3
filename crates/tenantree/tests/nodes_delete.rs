//! Deleting: only when empty, naming what blocks, idempotent for missing nodes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{NewNode, NodeId};

#[test]
fn a_node_with_children_or_allocations_is_still_in_use() {
    let store = store();
    let c = chain(&store);
    create(&store, "tenant", "t2", Some(c.reseller.id));
    create(&store, "reseller", "r2", Some(c.sub.id));
    let err = refused(&store, "STILL_IN_USE", || store.delete_node(&sys(), c.sub.id));
    let blockers = err.details()["blockers"].as_array().unwrap().clone();
    assert_eq!(blockers.len(), 1);
    assert_eq!(blockers[0]["kind"], "reseller");
    assert_eq!(blockers[0]["count"], 2);
    let names: Vec<&str> = blockers[0]["names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert!(names.contains(&"shop") && names.contains(&"r2"));
    let err = refused(&store, "STILL_IN_USE", || store.delete_node(&sys(), c.reseller.id));
    assert_eq!(err.details()["blockers"][0]["kind"], "tenant");
    assert_eq!(err.details()["blockers"][0]["count"], 2);
    store.allocate(&sys(), c.tenant.id, "extensions", 3).unwrap();
    let err = refused(&store, "STILL_IN_USE", || store.delete_node(&sys(), c.tenant.id));
    assert_eq!(err.details()["blockers"][0]["kind"], "allocation");
    assert_eq!(err.details()["blockers"][0]["names"][0], "extensions=3");
    store.release(&sys(), c.tenant.id, "extensions", 3).unwrap();
    assert!(store.delete_node(&sys(), c.tenant.id).unwrap());
    assert_clean(&store);
}

#[test]
fn deleting_a_missing_node_is_distinguishable_and_harmless() {
    let store = store();
    let c = chain(&store);
    assert!(store.delete_node(&sys(), c.tenant.id).unwrap());
    assert!(!store.delete_node(&sys(), c.tenant.id).unwrap());
    let ghost: NodeId = "01900000-0000-7000-8000-000000000001".parse().unwrap();
    assert!(!store.delete_node(&sys(), ghost).unwrap());
    assert_eq!(store.get_node(&sys(), c.tenant.id).unwrap_err().code(), "NOT_FOUND");
}

#[test]
fn a_delete_frees_everything_the_node_held() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "tenants", Some(1)).unwrap();
    store.set_limit(&sys(), c.tenant.id, "extensions", Some(5)).unwrap();
    store
        .update_node(
            &sys(),
            c.tenant.id,
            &tenantree::NodeUpdate { billing_id: Some(Some("B-9".into())), ..Default::default() },
        )
        .unwrap();
    assert!(store.delete_node(&sys(), c.tenant.id).unwrap());
    // Name, billing id and the tenant quota are free again.
    store.create_node(&sys(), NewNode::new("tenant", "bakery").parent(c.reseller.id).billing_id("B-9")).unwrap();
    assert_eq!(store.kind_counts(&sys(), Some(c.dist.id)).unwrap()["tenant"], 1);
    // Deleting the whole chain bottom-up leaves an empty store.
    let t = store.children(&sys(), Some(c.reseller.id), &Default::default()).unwrap().items[0].id;
    for id in [t, c.reseller.id, c.sub.id, c.dist.id, c.platform.id] {
        assert!(store.delete_node(&sys(), id).unwrap());
    }
    assert!(state(&store).nodes.is_empty());
    assert!(store.kind_counts(&sys(), None).unwrap().values().all(|&n| n == 0));
    assert_clean(&store);
    // Dealer names are free again.
    let root = create(&store, "platform", "acme", None);
    create(&store, "distributor", "north", Some(root.id));
}
