//! Read transactions share the dealers they load with later transactions (the store's cache of
//! committed records): a read must still see exactly its snapshot, never a record of an older
//! or a newer commit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{Node, NodeId, ReadTx, Status, Store};

fn extensions(tx: &ReadTx<'_>, id: NodeId) -> (u64, Option<u64>) {
    let q = tx.quotas(id).unwrap().into_iter().find(|q| q.resource == "extensions").unwrap();
    (q.used, q.available)
}

/// A node and its extensions quota, in one read.
fn observe(store: &Store, id: NodeId) -> (Node, (u64, Option<u64>)) {
    store.read(&sys(), |tx| Ok((tx.get_node(id)?, extensions(tx, id)))).unwrap()
}

/// What [`observe`] saw: the node's effective status, and its extensions (used, available).
#[track_caller]
fn assert_seen(seen: &(Node, (u64, Option<u64>)), status: Status, extensions: (u64, Option<u64>)) {
    assert_eq!(seen.0.effective_status.status, status);
    assert_eq!(seen.1, extensions);
}

#[test]
fn a_read_after_a_write_sees_the_new_ancestors() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "extensions", Some(100)).unwrap();
    // Loads the chain, and with it the dealers into the shared cache.
    let before = observe(&store, c.tenant.id);
    assert_seen(&before, Status::Enabled, (0, Some(100)));

    store.allocate(&sys(), c.reseller.id, "extensions", 30).unwrap();
    store.set_limit(&sys(), c.dist.id, "extensions", Some(90)).unwrap();
    store.set_status(&sys(), c.sub.id, Status::Suspended { profile: 2 }).unwrap();

    let after = observe(&store, c.tenant.id);
    assert_eq!(after.0.effective_status.status, Status::Suspended { profile: 2 });
    assert_eq!(after.0.effective_status.source, Some(c.sub.id));
    assert_eq!(after.1, (0, Some(60)), "the reseller's allocation counts against the distributor's new limit");
    // And again, now that the new records are the cached ones.
    let again = store.read(&sys(), |tx| Ok(extensions(tx, c.tenant.id))).unwrap();
    assert_eq!(again, (0, Some(60)));
}

#[test]
fn a_snapshot_never_sees_records_that_a_later_reader_cached() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "extensions", Some(100)).unwrap();
    store
        .read(&sys(), |old| {
            // This snapshot is taken; then a write commits, and a newer reader loads the
            // changed dealers into the shared cache.
            store.allocate(&sys(), c.reseller.id, "extensions", 40).unwrap();
            store.set_status(&sys(), c.dist.id, Status::Suspended { profile: 2 }).unwrap();
            let newer = observe(&store, c.tenant.id);
            assert_seen(&newer, Status::Suspended { profile: 2 }, (0, Some(60)));
            // The older snapshot reads these ancestors for the first time now: it must see
            // them as they were when it began.
            let node = old.get_node(c.tenant.id)?;
            assert_eq!(node.effective_status.status, Status::Enabled);
            assert_eq!(extensions(old, c.tenant.id), (0, Some(100)));
            assert_eq!(extensions(old, c.reseller.id), (0, Some(100)));
            Ok(())
        })
        .unwrap();
    // The old snapshot ended after the commit: it must not serve the next read.
    let now = observe(&store, c.tenant.id);
    assert_seen(&now, Status::Suspended { profile: 2 }, (0, Some(60)));
}

#[test]
fn a_read_inside_a_write_sees_the_last_commit_and_does_not_wait() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.sub.id, "extensions", Some(10)).unwrap();
    store
        .write(&sys(), |tx| {
            tx.allocate(c.tenant.id, "extensions", 4)?;
            tx.set_status(c.reseller.id, Status::Suspended { profile: 2 }, None)?;
            // The writer holds the shared cache; this read goes without it, and sees only
            // what was committed.
            let seen = observe(&store, c.tenant.id);
            assert_seen(&seen, Status::Enabled, (0, Some(10)));
            Ok(())
        })
        .unwrap();
    let seen = observe(&store, c.tenant.id);
    assert_seen(&seen, Status::Suspended { profile: 2 }, (4, Some(6)));
}

#[test]
fn an_aborted_write_leaves_readers_the_committed_records() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "extensions", Some(50)).unwrap();
    store.read(&sys(), |tx| tx.get_node(c.tenant.id)).unwrap();
    let err = store
        .write(&sys(), |tx| {
            tx.allocate(c.reseller.id, "extensions", 20)?;
            tx.set_status(c.dist.id, Status::Suspended { profile: 2 }, None)?;
            // Refused: the tenant is now out of service; the whole transaction goes.
            tx.allocate(c.tenant.id, "extensions", 1)
        })
        .unwrap_err();
    assert_eq!(err.code(), "SERVICE_DISABLED");
    let seen = observe(&store, c.tenant.id);
    assert_seen(&seen, Status::Enabled, (0, Some(50)));
}

/// Writers move one unit between two resellers under one sub-distributor while readers check,
/// in their snapshots, that the two resellers' rooms (read through their tenants, so from the
/// ancestors' cells) always add up: a record or cell from another commit would break the sum.
#[test]
fn concurrent_readers_see_consistent_ancestors() {
    let store = std::sync::Arc::new(store());
    let c = chain(&store);
    let other = create(&store, "reseller", "other", Some(c.sub.id));
    let t2 = create(&store, "tenant", "t2", Some(other.id));
    for r in [c.reseller.id, other.id] {
        store.set_limit(&sys(), r, "extensions", Some(100)).unwrap();
    }
    store.allocate(&sys(), c.reseller.id, "extensions", 50).unwrap();
    store.allocate(&sys(), other.id, "extensions", 50).unwrap();
    let (t1, r1, r2) = (c.tenant.id, c.reseller.id, other.id);

    let writer = {
        let store = std::sync::Arc::clone(&store);
        std::thread::spawn(move || {
            for i in 0..400u64 {
                let (from, to) = if i % 2 == 0 { (r1, r2) } else { (r2, r1) };
                let amount = 1 + i % 7;
                store
                    .write(&sys(), |tx| {
                        tx.release(from, "extensions", amount)?;
                        tx.allocate(to, "extensions", amount)?;
                        Ok(())
                    })
                    .unwrap();
                if i % 2 == 1 {
                    // Back to 50/50 after every pair (amounts 1..=7 differ, so the split moves).
                    let (a, b) = store.read(&sys(), |tx| Ok((extensions(tx, r1).0, extensions(tx, r2).0))).unwrap();
                    assert_eq!(a + b, 100);
                }
            }
        })
    };
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let store = std::sync::Arc::clone(&store);
            std::thread::spawn(move || {
                let mut seen = 0;
                while seen < 2000 {
                    let (a, b) = store
                        .read(&sys(), |tx| {
                            let a = extensions(tx, t1).1.unwrap();
                            let b = extensions(tx, t2.id).1.unwrap();
                            Ok((a, b))
                        })
                        .unwrap();
                    assert_eq!(a + b, 100, "rooms {a} and {b} from different commits");
                    seen += 1;
                }
            })
        })
        .collect();
    writer.join().unwrap();
    for r in readers {
        r.join().unwrap();
    }
    assert_clean(&store);
}

#[test]
fn a_store_from_an_image_reads_its_dealers_from_the_image() {
    // A store opened from a file image starts with an empty cache: its first reads must come
    // from the file, and later ones agree with them.
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "extensions", Some(70)).unwrap();
    store.allocate(&sys(), c.reseller.id, "extensions", 5).unwrap();
    let image = store.export_image().unwrap();
    let copy = Store::from_image(image).unwrap();
    for _ in 0..2 {
        let seen = copy.read(&sys(), |r| Ok(extensions(r, c.tenant.id))).unwrap();
        assert_eq!(seen, (0, Some(65)));
    }
}

/// A read keeps its snapshot for the next read while nothing commits: a read that begins after
/// another thread's commit must still see that commit, every time.
#[test]
fn a_read_after_another_threads_commit_sees_it() {
    let store = std::sync::Arc::new(store());
    let c = chain(&store);
    store.set_limit(&sys(), c.reseller.id, "extensions", Some(1000)).unwrap();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<u64>();
    let (next_tx, next_rx) = std::sync::mpsc::channel::<()>();
    let writer = {
        let store = std::sync::Arc::clone(&store);
        let reseller = c.reseller.id;
        std::thread::spawn(move || {
            for k in 1..=200u64 {
                store.allocate(&sys(), reseller, "extensions", 1).unwrap();
                done_tx.send(k).unwrap();
                next_rx.recv().unwrap();
            }
        })
    };
    for k in done_rx.iter().take(200) {
        // Two reads: the first may reuse the snapshot kept by the last read of the previous
        // round, the second the one the first kept.
        for _ in 0..2 {
            let used = store.read(&sys(), |tx| Ok(extensions(tx, c.tenant.id))).unwrap();
            assert_eq!(used, (0, Some(1000 - k)), "after commit {k}");
        }
        next_tx.send(()).unwrap();
    }
    writer.join().unwrap();
}

#[test]
fn compaction_and_the_page_check_follow_reads() {
    let dir = std::env::temp_dir().join(format!("tenantree-read-cache-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("kept.redb");
    let _ = std::fs::remove_file(&path);
    {
        let store = Store::open(&path).unwrap();
        let c = chain(&store);
        store.read(&sys(), |tx| tx.get_node(c.tenant.id)).unwrap();
        // A kept read transaction would make redb refuse to compact.
        store.compact().unwrap();
        store.read(&sys(), |tx| tx.get_node(c.tenant.id)).unwrap();
        assert_clean(&store);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_snapshot_that_ends_after_a_commit_does_not_serve_the_next_read() {
    let store = store();
    let c = chain(&store);
    store
        .read(&sys(), |old| {
            assert_eq!(extensions(old, c.tenant.id), (0, None));
            store.set_limit(&sys(), c.dist.id, "extensions", Some(9)).unwrap();
            assert_eq!(extensions(old, c.tenant.id), (0, None), "the old snapshot");
            Ok(())
        })
        .unwrap();
    assert_eq!(store.read(&sys(), |tx| Ok(extensions(tx, c.tenant.id))).unwrap(), (0, Some(9)));
}

/// A panic inside a write callback poisons the cache's lock while the write had it: the cache
/// starts over, and reads and writes after it see exactly what was committed.
#[test]
fn a_panic_inside_a_write_leaves_the_committed_records() {
    let store = std::sync::Arc::new(store());
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "extensions", Some(50)).unwrap();
    store.read(&sys(), |tx| tx.get_node(c.tenant.id)).unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _: tenantree::Result<()> = store.write(&sys(), |tx| {
            tx.allocate(c.reseller.id, "extensions", 20)?;
            tx.set_status(c.dist.id, Status::Disabled, None)?;
            panic!("the application's bug");
        });
    }));
    assert!(panicked.is_err());
    for _ in 0..2 {
        let seen = observe(&store, c.tenant.id);
        assert_seen(&seen, Status::Enabled, (0, Some(50)));
    }
    store.allocate(&sys(), c.reseller.id, "extensions", 5).unwrap();
    assert_eq!(store.read(&sys(), |r| Ok(extensions(r, c.tenant.id))).unwrap(), (0, Some(45)));
    // Every index and roll-up agrees. (redb leaves the pages of a transaction dropped while
    // unwinding for its next page check to reclaim, which reports them: the only finding.)
    let report = store.check().unwrap();
    assert!(report.findings.iter().all(|f| f.area == "pages"), "{:#?}", report.findings);
}

/// Write transactions hand the ids they resolved to the next one (`Shared::ids`): a deleted
/// node's id must not resolve again, nor one that only a failed transaction created, and a
/// failed delete must leave its node reachable.
#[test]
fn ids_resolved_by_writes_never_outlive_their_nodes() {
    let store = store();
    let c = chain(&store);
    let s = sys();
    let doomed = create(&store, "tenant", "doomed", Some(c.reseller.id));
    // Resolved by these writes, and handed on.
    store.allocate(&s, doomed.id, "extensions", 1).unwrap();
    store.release(&s, doomed.id, "extensions", 1).unwrap();
    assert!(store.delete_node(&s, doomed.id).unwrap());
    refused(&store, "NOT_FOUND", || store.allocate(&s, doomed.id, "extensions", 1));

    // Resolved, then deleted, in one transaction.
    let once = create(&store, "tenant", "once", Some(c.reseller.id));
    store
        .write(&s, |tx| {
            tx.allocate(once.id, "extensions", 1)?;
            tx.release(once.id, "extensions", 1)?;
            tx.delete_node(once.id)
        })
        .unwrap();
    refused(&store, "NOT_FOUND", || store.allocate(&s, once.id, "extensions", 1));

    // A delete that fails with its transaction: the node stays reachable by its id.
    let kept = create(&store, "tenant", "kept", Some(c.reseller.id));
    store.allocate(&s, kept.id, "extensions", 1).unwrap();
    store.release(&s, kept.id, "extensions", 1).unwrap();
    let failed = store.write(&s, |tx| {
        tx.delete_node(kept.id)?;
        tx.allocate(c.tenant.id, "no_such_resource", 1)
    });
    assert!(failed.is_err());
    assert_eq!(store.allocate(&s, kept.id, "extensions", 2).unwrap().used, 2);

    // A node created and resolved by a transaction that fails was never there.
    let mut ghost = None;
    let failed = store.write(&s, |tx| {
        let n =
            tx.create_node(&tenantree::NewNode::new("tenant", "ghost").parent(c.reseller.id).limit("extensions", 1))?;
        ghost = Some(n.id);
        tx.allocate(n.id, "extensions", 1)?;
        tx.allocate(n.id, "extensions", 5)
    });
    assert_eq!(failed.unwrap_err().code(), "QUOTA_EXCEEDED");
    let ghost = ghost.unwrap();
    refused(&store, "NOT_FOUND", || store.allocate(&s, ghost, "extensions", 1));
    refused(&store, "NOT_FOUND", || store.get_node(&s, ghost));
    assert_clean(&store);
}
