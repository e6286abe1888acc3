//! What was committed is there after the file is closed and opened again; what was not, is not.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use tenantree::{Actor, ChildQuery, Durability, NewNode, NodeId, Status, Store};

fn build(store: &Store) -> (NodeId, NodeId, NodeId) {
    let sys = Actor::system();
    store
        .write(&sys, |tx| {
            let root = tx.create_node(&NewNode::new("platform", "acme"))?;
            let dist = tx.create_node(&NewNode::new("distributor", "north").parent(root.id).limit("tenants", 50))?;
            let mut last = dist.id;
            for i in 0..40 {
                last = tx.create_node(&NewNode::new("tenant", format!("t{i}")).parent(dist.id))?.id;
            }
            tx.allocate(last, "extensions", 12)?;
            tx.set_status(dist.id, Status::Suspended { profile: 3 }, None)?;
            Ok((root.id, dist.id, last))
        })
        .unwrap()
}

fn snapshot(store: &Store, dist: NodeId) -> (tenantree::Node, Vec<tenantree::Quota>, Vec<String>) {
    let sys = Actor::system();
    let node = store.get_node(&sys, dist).unwrap();
    let quotas = store.quotas(&sys, dist).unwrap();
    let names = store
        .children(&sys, Some(dist), &ChildQuery { limit: Some(100), ..Default::default() })
        .unwrap()
        .items
        .into_iter()
        .map(|n| n.name.to_string())
        .collect();
    (node, quotas, names)
}

#[test]
fn committed_writes_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    let (before, dist) = {
        let store = Store::open(&path).unwrap();
        let (_, dist, _) = build(&store);
        (snapshot(&store, dist), dist)
    };
    let store = Store::open(&path).unwrap();
    assert_eq!(snapshot(&store, dist), before);
    assert_eq!(before.2.len(), 40);
    assert!(store.check().unwrap().is_clean());
    // Writes go on after a reopen, with ids still in creation order.
    let sys = Actor::system();
    let n = store.create_node(&sys, NewNode::new("platform", "beta")).unwrap();
    assert!(n.id > dist);
}

#[test]
fn bulk_mode_commits_become_durable_on_flush_and_on_drop() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    let dist = {
        let store = Store::builder().durability(Durability::Bulk).open(&path).unwrap();
        let (_, dist, _) = build(&store);
        store.flush().unwrap();
        store.create_node(&Actor::system(), NewNode::new("platform", "after-flush")).unwrap();
        dist
    };
    let store = Store::open(&path).unwrap();
    let sys = Actor::system();
    assert_eq!(
        store.children(&sys, None, &ChildQuery::default()).unwrap().total,
        2,
        "the drop flushed the last commit"
    );
    assert_eq!(store.get_node(&sys, dist).unwrap().status, Status::Suspended { profile: 3 });
    assert!(store.check().unwrap().is_clean());
}

#[test]
fn a_discarded_transaction_is_not_there_after_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    {
        let store = Store::open(&path).unwrap();
        let _ = store.write(&Actor::system(), |tx| {
            tx.create_node(&NewNode::new("platform", "ghost"))?;
            Err::<(), _>(tenantree::Error::InvalidArgument { field: "x".into(), reason: "abort".into() })
        });
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.children(&Actor::system(), None, &ChildQuery::default()).unwrap().total, 0);
}

#[test]
fn compaction_keeps_the_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    let store = Store::open(&path).unwrap();
    let (_, dist, last) = build(&store);
    let sys = Actor::system();
    store.set_status(&sys, dist, Status::Enabled).unwrap();
    store.release(&sys, last, "extensions", 12).unwrap();
    let before = snapshot(&store, dist);
    store.compact().unwrap();
    assert_eq!(snapshot(&store, dist), before);
    drop(store);
    let store = Store::open(&path).unwrap();
    assert_eq!(snapshot(&store, dist), before);
}
