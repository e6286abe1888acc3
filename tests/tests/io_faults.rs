//! Disk full and I/O errors: a storage backend fails writes, syncs or growth on demand. A commit
//! that fails leaves the store as it was: the handle keeps answering reads from the last commit
//! and (after redb refuses to write on it) reopening the same bytes recovers that commit, with
//! a clean `check()` and writes working again.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::atomic::Ordering;

use tenantree::{Actor, Store};
use tests::Model;
use tests::crash::{CrashOp, Rng, apply_batch_model};
use tests::faults::Disk;

fn open(disk: &Disk) -> tenantree::Result<Store> {
    Store::builder().cache_size(1 << 20).open_backend(disk.backend())
}

/// Runs one batch on the store and the model; they must agree.
fn run(store: &Store, model: &mut Model, ops: &[CrashOp]) -> tenantree::Result<()> {
    let result = store.write(&Actor::system(), |tx| ops.iter().try_for_each(|op| op.apply(tx)));
    if result.is_ok() {
        apply_batch_model(model, ops).expect("the model accepts what the store committed");
    }
    result
}

/// A platform, a distributor and `n` tenants with allocations: a batch big enough to touch
/// many pages.
fn tree(rng: &mut Rng, n: usize) -> Vec<CrashOp> {
    let (p, d) = (rng.node_id(), rng.node_id());
    let mut ops = vec![
        CrashOp::Create {
            id: p,
            parent: None,
            kind: "platform".into(),
            name: format!("p{}", rng.next_u64()),
            limit: None,
        },
        CrashOp::Create {
            id: d,
            parent: Some(p),
            kind: "distributor".into(),
            name: format!("d{}", rng.next_u64()),
            limit: Some(("extensions".into(), 10_000)),
        },
    ];
    for i in 0..n {
        let t = rng.node_id();
        ops.push(CrashOp::Create { id: t, parent: Some(d), kind: "tenant".into(), name: format!("t{i}"), limit: None });
        ops.push(CrashOp::Allocate { id: t, resource: "extensions".into(), amount: 3 });
    }
    ops
}

#[derive(Debug, Clone, Copy)]
enum Fault {
    Writes,
    Syncs,
    Grows,
    SpaceAfter(u64),
}

fn arm(disk: &Disk, fault: Fault) {
    let f = &disk.faults;
    match fault {
        Fault::Writes => f.writes.store(true, Ordering::SeqCst),
        Fault::Syncs => f.syncs.store(true, Ordering::SeqCst),
        Fault::Grows => f.grows.store(true, Ordering::SeqCst),
        Fault::SpaceAfter(n) => f.space.store(n, Ordering::SeqCst),
    }
}

fn exercise(fault: Fault, seed: u64) {
    let mut rng = Rng::new(seed);
    let disk = Disk::new();
    let store = open(&disk).unwrap();
    let mut model = Model::new(tenantree::Schema::channel());
    run(&store, &mut model, &tree(&mut rng, 20)).unwrap();
    model.assert_matches(&store);

    arm(&disk, fault);
    let failed = run(&store, &mut model, &tree(&mut rng, 400));
    let err = failed.expect_err("the fault makes the commit fail");
    assert_eq!(err.code(), "STORAGE", "{fault:?}: {err}");
    assert!(disk.failures() > 0, "{fault:?}: the backend failed nothing");
    disk.heal();

    // The same handle: reads still see the last commit, whole.
    model.assert_matches(&store);
    // redb 4.6 then refuses every write on this handle ("Previous I/O error occurred. Please
    // close and re-open the database."), even with the disk healed: STORAGE, nothing changes.
    let again = run(&store, &mut model, &tree(&mut rng, 1)).expect_err("redb refuses writes after an I/O error");
    assert_eq!(again.code(), "STORAGE", "{fault:?}: {again}");
    model.assert_matches(&store);
    drop(store);

    let store = open(&disk).unwrap();
    model.assert_matches(&store);
    assert!(store.check().unwrap().is_clean(), "{fault:?}: check after reopening");
    run(&store, &mut model, &tree(&mut rng, 5)).unwrap();
    drop(store);
    let store = open(&disk).unwrap();
    model.assert_matches(&store);
}

#[test]
fn failing_writes_leave_the_last_commit() {
    exercise(Fault::Writes, 1);
}

#[test]
fn failing_syncs_leave_the_last_commit() {
    exercise(Fault::Syncs, 2);
}

#[test]
fn a_disk_that_cannot_grow_leaves_the_last_commit() {
    exercise(Fault::Grows, 3);
}

#[test]
fn running_out_of_space_mid_commit_leaves_the_last_commit() {
    for (i, space) in [0u64, 4096, 20_000, 100_000].into_iter().enumerate() {
        exercise(Fault::SpaceAfter(space), 10 + i as u64);
    }
}
