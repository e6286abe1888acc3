//! Readers on several threads while a writer commits: every read transaction sees one
//! consistent snapshot. The writer only makes changes that keep some totals fixed (it swaps
//! tenants between two distributors in one transaction, and moves extensions from one tenant
//! to another in one transaction), so a reader that saw half of a commit, or a roll-up that
//! disagrees with its children, breaks an equality. And a second store on an open file gets
//! ALREADY_OPEN. Writers on several threads, each reading the counts it changes inside its own
//! write transaction, never see a count another writer's commit has already changed (the write
//! transactions hand records and roll-ups to each other through a shared cache).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tenantree::{Actor, ChildQuery, NewNode, NodeId, ReadTx, Store};
use tests::crash::Rng;

const PER_DEALER: usize = 5;
const EACH: u64 = 10;

fn used(tx: &ReadTx<'_>, id: NodeId) -> u64 {
    tx.quotas(id).unwrap().into_iter().find(|q| q.resource == "extensions").map_or(0, |q| q.used)
}

/// Checks every invariant the writer keeps, inside one read transaction.
fn check_snapshot(tx: &ReadTx<'_>, root: NodeId, dealers: &[NodeId]) {
    assert_eq!(used(tx, root), 2 * PER_DEALER as u64 * EACH, "extensions at the root");
    assert_eq!(tx.kind_counts(Some(root)).unwrap()["tenant"], 2 * PER_DEALER as u64, "tenants at the root");
    let mut sum = 0;
    for &d in dealers {
        let page = tx.children(Some(d), &ChildQuery { limit: Some(100), ..Default::default() }).unwrap();
        assert_eq!(page.total, PER_DEALER as u64, "a swap is never half applied");
        assert_eq!(page.items.len(), PER_DEALER);
        assert!(page.items.iter().all(|c| c.parent == Some(d)), "listed children name their parent");
        let children: u64 = page.items.iter().map(|c| used(tx, c.id)).sum();
        assert_eq!(used(tx, d), children, "the roll-up equals the sum of the children");
        assert_eq!(tx.kind_counts(Some(d)).unwrap()["tenant"], PER_DEALER as u64);
        sum += children;
    }
    assert_eq!(sum, used(tx, root));
}

#[test]
fn readers_see_consistent_snapshots_while_a_writer_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("c.redb")).unwrap();
    let sys = Actor::system();
    let (root, dealers, tenants) = store
        .write(&sys, |tx| {
            let root = tx.create_node(&NewNode::new("platform", "acme"))?.id;
            let mut dealers = Vec::new();
            let mut tenants = Vec::new();
            for d in 0..2 {
                let dealer = tx.create_node(&NewNode::new("distributor", format!("d{d}")).parent(root))?.id;
                for t in 0..PER_DEALER {
                    let tenant = tx.create_node(&NewNode::new("tenant", format!("t{d}x{t}")).parent(dealer))?.id;
                    tx.allocate(tenant, "extensions", EACH)?;
                    tenants.push(tenant);
                }
                dealers.push(dealer);
            }
            Ok((root, dealers, tenants))
        })
        .unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|_| {
            let (store, stop, dealers) = (store.clone(), stop.clone(), dealers.clone());
            std::thread::spawn(move || {
                let mut reads = 0u64;
                while !stop.load(Ordering::SeqCst) {
                    store
                        .read(&Actor::system(), |tx| {
                            check_snapshot(tx, root, &dealers);
                            Ok(())
                        })
                        .unwrap();
                    reads += 1;
                }
                reads
            })
        })
        .collect();

    let mut rng = Rng::new(7);
    let mut commits = 0;
    for _ in 0..600 {
        store
            .write(&sys, |tx| {
                if rng.below(2) == 0 {
                    // Swap one tenant of each distributor.
                    let a = tx.children(Some(dealers[0]), &ChildQuery { limit: Some(100), ..Default::default() })?;
                    let b = tx.children(Some(dealers[1]), &ChildQuery { limit: Some(100), ..Default::default() })?;
                    let (x, y) = (a.items[rng.below(a.items.len())].id, b.items[rng.below(b.items.len())].id);
                    tx.move_node(x, Some(dealers[1]), None)?;
                    tx.move_node(y, Some(dealers[0]), None)?;
                } else {
                    // Move extensions between two tenants.
                    let (x, y) = (*rng.pick(&tenants), *rng.pick(&tenants));
                    let own = tx.quotas(x)?.into_iter().find(|q| q.resource == "extensions").map_or(0, |q| q.allocated);
                    if own > 0 && x != y {
                        let k = 1 + rng.next_u64() % own;
                        tx.release(x, "extensions", k)?;
                        tx.allocate(y, "extensions", k)?;
                    }
                }
                Ok(())
            })
            .unwrap();
        commits += 1;
    }
    stop.store(true, Ordering::SeqCst);
    for r in readers {
        let reads = r.join().expect("a reader saw an inconsistent snapshot");
        assert!(reads > 0, "every reader read");
    }
    assert_eq!(commits, 600);
    store
        .read(&sys, |tx| {
            check_snapshot(tx, root, &dealers);
            Ok(())
        })
        .unwrap();
    assert!(store.check().unwrap().is_clean());
}

#[test]
fn a_second_store_on_an_open_file_gets_already_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("twice.redb");
    let first = Store::open(&path).unwrap();
    first.create_node(&Actor::system(), NewNode::new("platform", "acme")).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert_eq!(err.code(), "ALREADY_OPEN", "{err}");
    // A clone of the handle shares the database instead.
    let clone = first.clone();
    assert_eq!(clone.kind_counts(&Actor::system(), None).unwrap()["platform"], 1);
    drop((first, clone));
    let again = Store::open(&path).unwrap();
    assert_eq!(again.kind_counts(&Actor::system(), None).unwrap()["platform"], 1);
}

#[test]
fn writers_on_several_threads_read_each_others_commits() {
    const THREADS: u64 = 3;
    const ROUNDS: u64 = 150;
    let store = Arc::new(Store::in_memory().unwrap());
    let sys = Actor::system();
    let (root, tenant) = store
        .write(&sys, |tx| {
            let root = tx.create_node(&NewNode::new("platform", "p"))?.id;
            let d = tx.create_node(&NewNode::new("distributor", "d").parent(root))?.id;
            let s = tx.create_node(&NewNode::new("sub_distributor", "s").parent(d))?.id;
            let r = tx.create_node(&NewNode::new("reseller", "r").parent(s))?.id;
            let t = tx.create_node(&NewNode::new("tenant", "t").parent(r))?.id;
            Ok((root, t))
        })
        .unwrap();
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let sys = Actor::system();
                for _ in 0..ROUNDS {
                    store
                        .write(&sys, |tx| {
                            // Read, then add one, then read again: a stale shared copy of the
                            // tenant's or the root's cell would make the second read disagree
                            // with what this transaction saw first.
                            let before =
                                tx.quotas(tenant)?.into_iter().find(|q| q.resource == "extensions").map(|q| q.used);
                            let at_root =
                                tx.quotas(root)?.into_iter().find(|q| q.resource == "extensions").map(|q| q.used);
                            assert_eq!(before, at_root, "the root's roll-up is the tenant's allocation");
                            let after = tx.allocate(tenant, "extensions", 1)?.used;
                            assert_eq!(Some(after), before.map(|b| b + 1));
                            Ok(())
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let total = store
        .write(&sys, |tx| Ok(tx.quotas(tenant)?.into_iter().find(|q| q.resource == "extensions").map(|q| q.used)))
        .unwrap();
    assert_eq!(total, Some(THREADS * ROUNDS), "no allocation was lost to a stale copy");
    let read = store.read(&sys, |tx| Ok(used(tx, root))).unwrap();
    assert_eq!(read, THREADS * ROUNDS);
    assert!(store.check().unwrap().is_clean());
}
