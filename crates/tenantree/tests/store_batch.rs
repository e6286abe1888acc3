//! Transactions and batches: all or nothing; a refused operation inside a transaction leaves
//! no trace even when the transaction goes on.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{Error, NewNode, NodeId, Op, OpOutput};

#[test]
fn a_failing_batch_applies_nothing_and_names_the_operation() {
    let store = store();
    let c = chain(&store);
    let ops: Vec<Op> = serde_json::from_value(serde_json::json!([
        {"op": "createNode", "kind": "tenant", "name": "t2", "parent": c.reseller.id},
        {"op": "allocate", "id": c.tenant.id, "resource": "extensions", "amount": 4},
        {"op": "setStatus", "id": c.dist.id, "status": {"state": "suspended", "profile": 2}},
        {"op": "createNode", "kind": "tenant", "name": "t3", "parent": c.reseller.id},
    ]))
    .unwrap();
    let err = refused(&store, "SERVICE_DISABLED", || store.batch(&sys(), &ops));
    assert!(matches!(err, Error::Batch { index: 3, .. }), "{err:?}");
    assert_eq!(err.root().code(), "SERVICE_DISABLED");
}

#[test]
fn a_successful_batch_returns_every_output() {
    let store = store();
    let c = chain(&store);
    let id: NodeId = "01900000-0000-7000-8000-0000000000bb".parse().unwrap();
    let ops: Vec<Op> = serde_json::from_value(serde_json::json!([
        {"op": "createNode", "id": id, "kind": "tenant", "name": "t2", "parent": c.reseller.id, "limits": {"extensions": 9}},
        {"op": "allocate", "id": id, "resource": "extensions", "amount": 4},
        {"op": "release", "id": id, "resource": "extensions", "amount": 1},
        {"op": "updateNode", "id": id, "displayName": "Two"},
        {"op": "setLimits", "id": id, "limits": {"extensions": 3, "call_queues": 2}},
        {"op": "moveNode", "id": c.reseller.id, "parent": c.dist.id},
        {"op": "deleteNode", "id": c.tenant.id},
        {"op": "deleteNode", "id": c.tenant.id},
    ]))
    .unwrap();
    let out = store.batch(&sys(), &ops).unwrap();
    assert_eq!(out.len(), 8);
    match &out[2] {
        OpOutput::Quota(q) => assert_eq!((q.used, q.limit), (3, Some(9))),
        other => panic!("{other:?}"),
    }
    match &out[4] {
        OpOutput::Node(n) => assert_eq!(n.limits.get("call_queues"), Some(&2)),
        other => panic!("{other:?}"),
    }
    assert_eq!(out[6], OpOutput::Deleted(true));
    assert_eq!(out[7], OpOutput::Deleted(false));
    assert_eq!(serde_json::to_value(&out[7]).unwrap(), serde_json::json!(false));
    assert_eq!(store.get_node(&sys(), id).unwrap().profile.display_name.as_deref(), Some("Two"));
    assert_clean(&store);
}

#[test]
fn a_caught_error_inside_a_transaction_leaves_no_trace() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.reseller.id, "extensions", Some(10)).unwrap();
    let before = state(&store);
    let kept = store
        .write(&sys(), |tx| {
            // Each of these fails after reading part of the tree; none may leave anything.
            assert!(tx.allocate(c.tenant.id, "extensions", 11).is_err());
            assert!(tx.create_node(&NewNode::new("tenant", "bakery").parent(c.reseller.id)).is_err());
            assert!(tx.move_node(c.dist.id, Some(c.tenant.id), None).is_err());
            assert!(tx.delete_node(c.reseller.id).is_err());
            tx.allocate(c.tenant.id, "extensions", 2)
        })
        .unwrap();
    assert_eq!(kept.used, 2);
    let after = state(&store);
    let mut expected = before;
    expected.nodes.clear();
    let mut actual = after;
    actual.nodes.clear();
    assert_eq!(actual, expected);
    assert_eq!(quota(&store, c.dist.id, "extensions").used, 2);
    assert_clean(&store);
}

#[test]
fn an_error_returned_from_a_transaction_discards_it() {
    let store = store();
    let c = chain(&store);
    let before = state(&store);
    let err = store
        .write(&sys(), |tx| {
            tx.create_node(&NewNode::new("tenant", "t2").parent(c.reseller.id))?;
            tx.allocate(c.tenant.id, "extensions", 1)?;
            Err::<(), _>(Error::InvalidArgument { field: "caller".into(), reason: "changed its mind".into() })
        })
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert_eq!(state(&store), before);
}

#[test]
fn reads_in_a_write_transaction_see_its_own_writes() {
    let store = store();
    let c = chain(&store);
    store
        .write(&sys(), |tx| {
            let t = tx.create_node(&NewNode::new("tenant", "t2").parent(c.reseller.id))?;
            assert_eq!(tx.get_node(t.id)?.name.as_str(), "t2");
            assert_eq!(tx.kind_counts(Some(c.dist.id))?["tenant"], 2);
            assert_eq!(tx.children(Some(c.reseller.id), &Default::default())?.total, 2);
            Ok(())
        })
        .unwrap();
}

fn used(tx: &tenantree::WriteTx<'_, '_>, id: NodeId, resource: &str) -> u64 {
    tx.quotas(id).unwrap().into_iter().find(|q| q.resource == resource).unwrap().used
}

#[test]
fn a_discarded_transaction_leaves_nothing_for_the_next_one() {
    // Write transactions hand the records and roll-ups they saw to the next one once they have
    // committed. What a discarded transaction read after changing it must not be handed on.
    let store = store();
    let c = chain(&store);
    store.allocate(&sys(), c.tenant.id, "extensions", 2).unwrap();
    let err = store
        .write(&sys(), |tx| {
            tx.allocate(c.tenant.id, "extensions", 5)?;
            tx.set_status(c.reseller.id, tenantree::Status::Disabled, None)?;
            // Read back, so that the uncommitted values sit in the transaction's caches.
            assert_eq!(used(tx, c.tenant.id, "extensions"), 7);
            assert!(!tx.get_node(c.tenant.id)?.effective_status.is_enabled());
            Err::<(), _>(Error::InvalidArgument { field: "caller".into(), reason: "changed its mind".into() })
        })
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    store
        .write(&sys(), |tx| {
            assert_eq!(used(tx, c.tenant.id, "extensions"), 2);
            assert_eq!(used(tx, c.dist.id, "extensions"), 2);
            assert!(tx.get_node(c.tenant.id)?.effective_status.is_enabled());
            tx.allocate(c.tenant.id, "extensions", 1)?;
            Ok(())
        })
        .unwrap();
    assert_eq!(quota(&store, c.tenant.id, "extensions").used, 3);
    assert_clean(&store);
}

#[test]
fn the_next_transaction_sees_what_a_committed_one_changed_after_reading_it() {
    let store = store();
    let c = chain(&store);
    store
        .write(&sys(), |tx| {
            // Read first (cached), then change, then read again.
            assert_eq!(tx.get_node(c.reseller.id)?.status, tenantree::Status::Enabled);
            assert_eq!(used(tx, c.reseller.id, "extensions"), 0);
            tx.set_status(c.reseller.id, tenantree::Status::Disabled, None)?;
            tx.allocate(c.tenant.id, "extensions", 4).map(|_| ()).unwrap_err();
            assert_eq!(used(tx, c.reseller.id, "extensions"), 0);
            Ok(())
        })
        .unwrap();
    store
        .write(&sys(), |tx| {
            let err = tx.create_node(&NewNode::new("tenant", "late").parent(c.reseller.id)).unwrap_err();
            assert_eq!(err.code(), "SERVICE_DISABLED");
            tx.set_status(c.reseller.id, tenantree::Status::Enabled, None)?;
            tx.allocate(c.tenant.id, "extensions", 4)?;
            Ok(())
        })
        .unwrap();
    store
        .write(&sys(), |tx| {
            assert_eq!(used(tx, c.reseller.id, "extensions"), 4);
            assert_eq!(used(tx, c.platform.id, "extensions"), 4);
            assert!(tx.get_node(c.tenant.id)?.effective_status.is_enabled());
            Ok(())
        })
        .unwrap();
    assert_clean(&store);
}
