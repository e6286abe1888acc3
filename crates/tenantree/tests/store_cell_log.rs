//! The roll-up cells that small transactions change go to a log, which a later transaction
//! folds into the cells table (format 5). Whatever the log holds, every reader must see exactly
//! its snapshot's usage: after folds, after a reopen (the log read back from the file), from an
//! older snapshot, from a reader that begins while a write holds the store's cache, and after a
//! failed transaction.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::*;
use tenantree::{Error, NewNode, NodeId, Store};

/// How many transactions the tests run: several times the log's sixteen rows.
const WRITES: usize = 120;

/// The distributor's limit of extensions: what a tenant may still allocate is this less
/// everything allocated below the distributor, read from its cell as an ancestor's.
const LIMIT: u64 = 1_000_000;

/// A reseller with `n` tenants, and the chain above it; the distributor limits extensions.
fn tenants(store: &Store, n: usize) -> (Chain, Vec<NodeId>) {
    let c = chain(store);
    store.set_limit(&sys(), c.dist.id, "extensions", Some(LIMIT)).unwrap();
    let ids = store
        .write(&sys(), |tx| {
            (0..n)
                .map(|i| Ok(tx.create_node(&NewNode::new("tenant", format!("t{i}")).parent(c.reseller.id))?.id))
                .collect::<Result<Vec<_>, Error>>()
        })
        .unwrap();
    (c, ids)
}

/// Each tenant's extensions, as the test has allocated them.
type Model = BTreeMap<NodeId, u64>;

/// An in-memory store with `n` tenants under one reseller, an empty model and a generator.
fn setup(n: usize, seed: u64) -> (Store, Chain, Vec<NodeId>, Model, Rng) {
    let store = store();
    let (c, ids) = tenants(&store, n);
    (store, c, ids, Model::new(), Rng(seed))
}

/// A small deterministic generator (xorshift), so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Extensions used at the tenants (as the model says) and at each dealer above them, against
/// the store.
#[track_caller]
fn assert_usage(store: &Store, c: &Chain, model: &Model) {
    let total: u64 = model.values().sum();
    for (&id, &own) in model {
        let q = quota(store, id, "extensions");
        assert_eq!((q.allocated, q.available), (own, Some(LIMIT - total)), "tenant {id}");
    }
    for dealer in [&c.reseller, &c.sub, &c.dist, &c.platform] {
        assert_eq!(quota(store, dealer.id, "extensions").used, total, "{}", dealer.name);
    }
}

/// One small write: an allocation on one tenant and a release on another, in one transaction.
fn step(store: &Store, ids: &[NodeId], model: &mut Model, rng: &mut Rng) {
    let up = ids[rng.below(ids.len())];
    let down = ids[rng.below(ids.len())];
    let n = 1 + rng.below(3) as u64;
    store
        .write(&sys(), |tx| {
            tx.allocate(up, "extensions", n)?;
            let held = model.get(&down).copied().unwrap_or_default() + if down == up { n } else { 0 };
            if held > 0 {
                tx.release(down, "extensions", 1)?;
            }
            Ok(())
        })
        .unwrap();
    *model.entry(up).or_default() += n;
    if let Some(held) = model.get_mut(&down).filter(|h| **h > 0) {
        *held -= 1;
    }
}

#[test]
fn usage_is_right_across_folds_and_reopens() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    let (c, ids) = tenants(&Store::open(&path).unwrap(), 30);
    let mut model: Model = ids.iter().map(|id| (*id, 0)).collect();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..4 {
        // Reopened every round: the log is read back from the file, without the values its
        // cells have in the table.
        let store = Store::open(&path).unwrap();
        assert_usage(&store, &c, &model);
        for i in 0..WRITES / 4 + round {
            step(&store, &ids, &mut model, &mut rng);
            if i % 7 == 0 {
                assert_usage(&store, &c, &model);
            }
        }
        assert_usage(&store, &c, &model);
        assert_clean(&store);
    }
}

#[test]
fn a_transaction_of_more_cells_than_the_log_holds_goes_to_the_table() {
    // Each tenant's allocation is a cell of its own: more than the log's 4,096 in one write.
    let (store, c, ids, mut model, mut rng) = setup(4_200, 7);
    for _ in 0..5 {
        step(&store, &ids, &mut model, &mut rng);
    }
    store
        .write(&sys(), |tx| {
            for id in &ids {
                tx.allocate(*id, "extensions", 2)?;
            }
            Ok(())
        })
        .unwrap();
    for id in &ids {
        *model.entry(*id).or_default() += 2;
    }
    assert_usage(&store, &c, &model);
    for _ in 0..40 {
        step(&store, &ids, &mut model, &mut rng);
    }
    assert_usage(&store, &c, &model);
    assert_clean(&store);
}

#[test]
fn a_snapshot_keeps_its_usage_while_later_writes_fold_the_log() {
    let (store, c, ids, mut model, mut rng) = setup(10, 11);
    // Snapshots taken at every point of the log's cycle of rows (a snapshot right after a
    // fold finds everything in the table).
    for _ in 0..20 {
        step(&store, &ids, &mut model, &mut rng);
        let then = model.clone();
        let at_platform: u64 = then.values().sum();
        store
            .read(&sys(), |old| {
                let extensions =
                    |id: NodeId| old.quotas(id).unwrap().into_iter().find(|q| q.resource == "extensions").unwrap();
                assert_eq!(extensions(c.platform.id).used, at_platform);
                for _ in 0..20 {
                    step(&store, &ids, &mut model, &mut rng);
                }
                // This snapshot's log is not the one the store now holds.
                assert_eq!(extensions(c.platform.id).used, at_platform);
                assert_eq!(extensions(c.reseller.id).used, at_platform);
                for id in &ids {
                    let q = extensions(*id);
                    let own = then.get(id).copied().unwrap_or_default();
                    assert_eq!((q.allocated, q.available), (own, Some(LIMIT - at_platform)), "tenant {id}");
                }
                Ok(())
            })
            .unwrap();
    }
    assert_usage(&store, &c, &model);
}

#[test]
fn a_reader_that_begins_during_a_write_sees_the_committed_usage() {
    let (store, c, ids, mut model, mut rng) = setup(10, 13);
    for _ in 0..(WRITES / 2 + 3) {
        step(&store, &ids, &mut model, &mut rng);
    }
    let committed: u64 = model.values().sum();
    store
        .write(&sys(), |tx| {
            tx.allocate(ids[0], "extensions", 100)?;
            // The write holds the store's cache: this reader decodes the log itself.
            assert_eq!(quota(&store, c.platform.id, "extensions").used, committed);
            let q = quota(&store, ids[0], "extensions");
            assert_eq!((q.allocated, q.available), (model[&ids[0]], Some(LIMIT - committed)));
            Ok(())
        })
        .unwrap();
    *model.get_mut(&ids[0]).unwrap() += 100;
    assert_usage(&store, &c, &model);
}

#[test]
fn a_failed_transaction_leaves_the_log_as_it_was() {
    let (store, c, ids, mut model, mut rng) = setup(200, 17);
    for attempt in 0..WRITES / 4 {
        step(&store, &ids, &mut model, &mut rng);
        // Changes many cells (more than the log's row holds, on the later attempts), then
        // fails: nothing of it may remain, and the next write starts from the log as it was.
        let err = store
            .write(&sys(), |tx| {
                for id in ids.iter().take(attempt * 10) {
                    tx.allocate(*id, "extensions", 5)?;
                }
                tx.release(ids[0], "extensions", 1_000_000)
            })
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "{err}");
        assert_usage(&store, &c, &model);
    }
    assert_clean(&store);
}
