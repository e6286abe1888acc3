//! File images: exporting a store's bytes and opening a store from them, from memory, files and
//! host backends; damaged, truncated and foreign images are refused with an error, never a
//! panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{DescendantQuery, Durability, Error, NewNode, Node, Preset, Quota, Status, Store};

/// A store with a little of everything: a chain, limits, allocations, a suspended node.
fn populated() -> Store {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "tenants", Some(30)).unwrap();
    store.set_limit(&sys(), c.dist.id, "extensions", Some(50)).unwrap();
    store.allocate(&sys(), c.tenant.id, "extensions", 7).unwrap();
    for i in 0..20 {
        create(&store, "tenant", &format!("t{i}"), Some(c.reseller.id));
    }
    store.set_status(&sys(), c.sub.id, Status::Suspended { profile: 2 }).unwrap();
    store
}

#[test]
fn an_image_round_trips_every_observable_thing() {
    let store = populated();
    let image = store.export_image().unwrap();
    let copy = Store::from_image(image.clone()).unwrap();
    assert_eq!(state(&copy), state(&store));
    assert_eq!(copy.schema(), store.schema());
    assert_clean(&copy);

    // The copy is a store of its own: writes to it leave the original alone, and its next
    // image holds them.
    let before = state(&store);
    let extra = create(&copy, "platform", "second", None);
    assert_eq!(state(&store), before);
    let again = Store::from_image(copy.export_image().unwrap()).unwrap();
    assert_eq!(again.get_node(&sys(), extra.id).unwrap().name.as_str(), "second");
    assert_eq!(state(&again), state(&copy));
}

#[test]
fn bulk_commits_are_in_the_image() {
    // The test store commits in bulk mode, whose commits are not flushed by themselves.
    let (store, _) = store_with(Preset::Channel);
    let root = create(&store, "platform", "acme", None);
    let copy = Store::from_image(store.export_image().unwrap()).unwrap();
    assert_eq!(copy.get_node(&sys(), root.id).unwrap().name.as_str(), "acme");
}

#[test]
fn an_image_keeps_its_schema_and_refuses_another() {
    let (store, _) = store_with(Preset::Fusion);
    create(&store, "group", "G", None);
    let image = store.export_image().unwrap();
    assert_eq!(Store::from_image(image.clone()).unwrap().schema().name, "fusion");
    let err = Store::builder().preset(Preset::Channel).from_image(image).unwrap_err();
    assert_eq!(err.code(), "SCHEMA_MISMATCH");
}

#[test]
fn an_image_is_the_file_format() {
    let dir = tempfile::tempdir().unwrap();
    let store = populated();
    let expected = state(&store);

    // Memory → file.
    let path = dir.path().join("from-image.redb");
    std::fs::write(&path, store.export_image().unwrap()).unwrap();
    let from_file = Store::open(&path).unwrap();
    assert_eq!(state(&from_file), expected);
    assert_clean(&from_file);

    // File → memory, while the file store is open, after a bulk commit of its own.
    let file_store = Store::builder().durability(Durability::Bulk).open(dir.path().join("live.redb")).unwrap();
    let root = file_store.create_node(&sys(), NewNode::new("platform", "live")).unwrap();
    let copy = Store::from_image(file_store.export_image().unwrap()).unwrap();
    assert_eq!(state(&copy), state(&file_store));
    assert_eq!(copy.get_node(&sys(), root.id).unwrap().name.as_str(), "live");
}

#[test]
fn a_host_backend_exports_too() {
    let store = Store::builder().open_backend(redb::backends::InMemoryBackend::new()).unwrap();
    let root = create(&store, "platform", "acme", None);
    let copy = Store::from_image(store.export_image().unwrap()).unwrap();
    assert_eq!(copy.get_node(&sys(), root.id).unwrap().name.as_str(), "acme");
}

#[test]
fn empty_and_foreign_images_are_refused_clearly() {
    let err = Store::from_image(Vec::new()).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    assert!(err.to_string().contains("image"), "{err}");

    for bytes in [b"not a store".to_vec(), vec![0u8; 8192], b"SQLite format 3\0".repeat(300)] {
        let err = Store::from_image(bytes).unwrap_err();
        assert_eq!(err.code(), "INCOMPATIBLE_FORMAT", "{err}");
    }

    // A redb database that is not a tenantree store.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.redb");
    {
        let db = redb::Database::create(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(redb::TableDefinition::<u64, u64>::new("other")).unwrap().insert(1, 2).unwrap();
        txn.commit().unwrap();
    }
    let err = Store::from_image(std::fs::read(&path).unwrap()).unwrap_err();
    assert_eq!(err.code(), "INCOMPATIBLE_FORMAT", "{err}");
}

#[test]
fn a_truncated_image_is_refused() {
    for store in [populated(), store()] {
        let image = store.export_image().unwrap();
        for len in [3, 9, 100, 511, 4096, image.len() / 2, image.len() - 1] {
            let err = match Store::from_image(image[..len].to_vec()) {
                Ok(_) => panic!("truncated to {len} of {} bytes: opened", image.len()),
                Err(e) => e,
            };
            assert_eq!(err.code(), "INCOMPATIBLE_FORMAT", "truncated to {len} of {} bytes: {err}", image.len());
            let message = err.to_string();
            assert!(["truncated", "length", "past the end"].iter().any(|w| message.contains(w)), "{message}");
        }
        // Dropping whole free pages at the end may leave a valid layout that redb opens; then
        // nothing may be missing.
        match Store::from_image(image[..image.len() - 4096].to_vec()) {
            Err(e) => assert_eq!(e.code(), "INCOMPATIBLE_FORMAT", "{e}"),
            Ok(copy) => {
                assert_eq!(observe(&copy).unwrap(), observe(&store).unwrap());
                assert_clean(&copy);
            }
        }
    }
}

/// Everything observable, without unwrapping: a damaged store may fail any read.
fn observe(store: &Store) -> Result<Vec<(Node, Vec<Quota>)>, Error> {
    let mut out = Vec::new();
    for kind in store.schema().kinds.iter().map(|k| k.name.clone()) {
        let page =
            store.descendants(&sys(), None, &DescendantQuery { kind, limit: Some(1000), ..Default::default() })?;
        for node in page.items {
            let quotas = store.quotas(&sys(), node.id)?;
            out.push((node, quotas));
        }
    }
    Ok(out)
}

/// Damage anywhere is either refused when opening or found by the integrity check or the reads;
/// nothing panics (a panic fails this test).
#[test]
fn a_damaged_image_never_panics() {
    let store = populated();
    let expected = observe(&store).unwrap();
    let image = store.export_image().unwrap();
    let step = (image.len() / 300).max(1);
    let (mut refused, mut found, mut harmless) = (0, 0, 0);
    for offset in (0..image.len()).step_by(step) {
        let mut bad = image.clone();
        bad[offset] ^= 0x5A;
        match Store::from_image(bad) {
            Err(e) => {
                assert!(
                    matches!(e.code(), "STORAGE" | "INCOMPATIBLE_FORMAT" | "CORRUPTED"),
                    "byte {offset}: unexpected {e}"
                );
                refused += 1;
            }
            Ok(copy) => match (copy.check(), observe(&copy)) {
                (Ok(report), Ok(seen)) if report.is_clean() && seen == expected => harmless += 1,
                _ => found += 1,
            },
        }
    }
    // The header and the live pages are a real part of the image: some damage must show.
    assert!(refused + found > 0, "no damage was noticed ({harmless} harmless)");
}
