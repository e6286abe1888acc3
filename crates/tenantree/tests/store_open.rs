//! Opening files: creation, formats, schemas, exclusive access, and the integrity check
//! finding damage done behind the store's back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use redb::ReadableTable;
use tenantree::{ChildQuery, NewNode, Preset, Schema, Store};

#[test]
fn a_file_is_created_with_its_schema_and_reopened_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    {
        let store = Store::builder().preset(Preset::Fusion).open(&path).unwrap();
        create(&store, "group", "G", None);
    }
    // Without a schema, the stored one is used.
    let store = Store::open(&path).unwrap();
    assert_eq!(store.schema(), &Schema::fusion());
    assert_eq!(store.children(&sys(), None, &ChildQuery::default()).unwrap().total, 1);
    drop(store);
    // With a different one, it is an error.
    let err = Store::builder().preset(Preset::Channel).open(&path).unwrap_err();
    assert_eq!(err.code(), "SCHEMA_MISMATCH");
    // With the same one, fine.
    Store::builder().preset(Preset::Fusion).open(&path).unwrap();
}

#[test]
fn a_schema_that_only_lets_kinds_hang_in_more_places_replaces_the_stored_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    // A store of an older seeds schema, where a sub-distributor hung under a distributor only.
    let mut older = Schema::seeds();
    for k in &mut older.kinds {
        if k.name == "sub_distributor" {
            k.parents = vec!["distributor".to_owned()];
        }
    }
    let platform = {
        let store = Store::builder().schema(older.clone()).open(&path).unwrap();
        let platform = create(&store, "platform", "p", None);
        let err = store.create_node(&sys(), NewNode::new("sub_distributor", "early").parent(platform.id)).unwrap_err();
        assert_eq!(err.code(), "KIND_NOT_ALLOWED");
        platform
    };
    // Opened with today's, it takes it: its nodes kept, the new place allowed, and stored.
    {
        let store = Store::builder().preset(Preset::Seeds).open(&path).unwrap();
        assert_eq!(store.schema(), &Schema::seeds());
        assert_eq!(store.get_node(&sys(), platform.id).unwrap().name.as_str(), "p");
        create(&store, "sub_distributor", "top", Some(platform.id));
        assert!(store.check().unwrap().is_clean());
    }
    assert_eq!(Store::open(&path).unwrap().schema(), &Schema::seeds());
    // Not the other way: the older one would refuse what the store now holds.
    let err = Store::builder().schema(older).open(&path).unwrap_err();
    assert_eq!(err.code(), "SCHEMA_MISMATCH");
}

#[test]
fn a_second_handle_on_one_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    let _first = Store::open(&path).unwrap();
    assert_eq!(Store::open(&path).unwrap_err().code(), "ALREADY_OPEN");
}

#[test]
fn files_of_other_formats_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello, this is not a database at all".repeat(200)).unwrap();
    let err = Store::open(&text).unwrap_err();
    assert!(matches!(err.code(), "INCOMPATIBLE_FORMAT" | "STORAGE"), "{err}");

    // A redb database of someone else's.
    let foreign = dir.path().join("foreign.redb");
    {
        let db = redb::Database::create(&foreign).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut t = txn.open_table(redb::TableDefinition::<&str, u64>::new("users")).unwrap();
            t.insert("alice", &1).unwrap();
        }
        txn.commit().unwrap();
    }
    let err = Store::open(&foreign).unwrap_err();
    assert_eq!(err.code(), "INCOMPATIBLE_FORMAT", "{err}");

    // A tenantree file from a future format.
    let future = dir.path().join("future.redb");
    drop(Store::open(&future).unwrap());
    {
        let db = redb::Database::open(&future).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut meta = txn.open_table(redb::TableDefinition::<&str, &[u8]>::new("meta")).unwrap();
            let marker = postcard::to_allocvec(&("tenantree", 99u32)).unwrap();
            meta.insert("format", marker.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let err = Store::open(&future).unwrap_err();
    assert_eq!(err.code(), "INCOMPATIBLE_FORMAT");
    assert!(err.to_string().contains("99"), "{err}");
}

#[test]
fn an_invalid_schema_is_refused_on_create() {
    let mut schema = Schema::channel();
    schema.kinds.clear();
    assert_eq!(Store::builder().schema(schema).in_memory().unwrap_err().code(), "INVALID_ARGUMENT");
}

/// Opens the file with redb directly, lets `tamper` change tables, and returns the findings of
/// the integrity check afterwards.
fn tamper(tamper: impl FnOnce(&redb::WriteTransaction)) -> Vec<tenantree::Finding> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    {
        let store = Store::open(&path).unwrap();
        let c = chain(&store);
        store.allocate(&sys(), c.tenant.id, "extensions", 3).unwrap();
        store.set_limit(&sys(), c.dist.id, "extensions", Some(10)).unwrap();
        store.create_node(&sys(), NewNode::new("tenant", "t2").parent(c.reseller.id).billing_id("B")).unwrap();
        let a =
            store.create_account(&sys(), tenantree::NewAccount::new("ops", "tenant_admin").node(c.tenant.id)).unwrap();
        store.issue_token(&sys(), a.id, &tenantree::NewToken { name: "t".into(), expires_in: None }).unwrap();
        assert_clean(&store);
    }
    {
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        tamper(&txn);
        txn.commit().unwrap();
    }
    let store = Store::open(&path).unwrap();
    store.check().unwrap().findings
}

/// The roll-up log (format 5): recent changes of `cells`, one row per transaction, each a run of
/// 50-byte entries (seq and key, little-endian, then the 40-byte cell).
const CELL_LOG: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("cell_log");

/// A log entry for the platform (seq 1)'s count of children, 77 (its below, as the cell's
/// second little-endian u64).
fn wrong_children_count() -> Vec<u8> {
    let mut entry = Vec::new();
    entry.extend_from_slice(&1u64.to_le_bytes());
    entry.extend_from_slice(&u16::MAX.to_le_bytes());
    let mut cell = [0u8; 40];
    cell[8] = 77;
    entry.extend_from_slice(&cell);
    entry
}

#[test]
fn the_check_finds_a_wrong_rollup_in_the_log() {
    let findings = tamper(|txn| {
        let mut log = txn.open_table(CELL_LOG).unwrap();
        let tip = log.last().unwrap().map_or(0, |(k, _)| k.value());
        log.insert(tip + 1, wrong_children_count().as_slice()).unwrap();
    });
    assert!(findings.iter().any(|f| f.area == "rollup" && f.message.contains("77")), "{findings:#?}");
}

#[test]
fn the_check_finds_a_rollup_row_of_a_missing_node() {
    let findings = tamper(|txn| {
        let mut t = txn.open_table(redb::TableDefinition::<(u64, u16), &[u8; 40]>::new("cells")).unwrap();
        let mut cell = [0u8; 40];
        cell[8] = 77;
        t.insert((999_999, u16::MAX), &cell).unwrap();
    });
    assert!(findings.iter().any(|f| f.area == "rollup" && f.message.contains("#999999")), "{findings:#?}");
}

#[test]
fn a_torn_log_row_is_corrupted_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    let tenant = {
        let store = Store::open(&path).unwrap();
        let c = chain(&store);
        store.allocate(&sys(), c.tenant.id, "extensions", 3).unwrap();
        c.tenant.id
    };
    {
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut log = txn.open_table(CELL_LOG).unwrap();
            let tip = log.last().unwrap().map_or(0, |(k, _)| k.value());
            let mut row = wrong_children_count();
            row.pop();
            log.insert(tip + 1, row.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let err = store.quotas(&sys(), tenant).unwrap_err();
    assert_eq!(err.code(), "CORRUPTED", "{err}");
    let err = store.allocate(&sys(), tenant, "extensions", 1).unwrap_err();
    assert_eq!(err.code(), "CORRUPTED", "{err}");
}

#[test]
fn a_log_at_its_last_key_is_corrupted_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    let tenant = chain(&Store::open(&path).unwrap()).tenant.id;
    {
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        txn.open_table(CELL_LOG).unwrap().insert(u64::MAX, [].as_slice()).unwrap();
        txn.commit().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let err = store.allocate(&sys(), tenant, "extensions", 1).unwrap_err();
    assert_eq!(err.code(), "CORRUPTED", "{err}");
    assert_eq!(quota(&store, tenant, "extensions").allocated, 0);
}

#[test]
fn the_check_finds_missing_and_stale_index_entries() {
    let findings = tamper(|txn| {
        let mut t = txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new("by_name")).unwrap();
        let (first, second) = {
            let mut it = t.iter().unwrap();
            let (k, _) = it.next().unwrap().unwrap();
            let (k2, v2) = it.next().unwrap().unwrap();
            (k.value().to_vec(), (k2.value().to_vec(), v2.value().to_vec()))
        };
        t.remove(first.as_slice()).unwrap();
        t.insert([9u8, 9, 9].as_slice(), [0u8].as_slice()).unwrap();
        // The second entry keeps its key but says another status than its node's record: the
        // entry is the id's 16 bytes, the kind, then the status (0 = enabled, 1 = disabled).
        let (key, mut value) = second;
        value[17] = 1 - value[17].min(1);
        t.insert(key.as_slice(), value.as_slice()).unwrap();
    });
    assert!(findings.iter().any(|f| f.area == "index.byName" && f.message.contains("missing")), "{findings:#?}");
    assert!(findings.iter().any(|f| f.area == "index.byName" && f.message.contains("stale")), "{findings:#?}");
    assert!(findings.iter().any(|f| f.area == "index.byName" && f.message.contains("does not match")), "{findings:#?}");

    // An entry that names a real node of its parent and kind, under a name that is not the
    // node's (format 6: the node's own entry is found, so only the count gives it away).
    let findings = tamper(|txn| {
        let mut t = txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new("by_name")).unwrap();
        let (key, value) = t
            .iter()
            .unwrap()
            .map(|r| r.unwrap())
            .map(|(k, v)| (k.value().to_vec(), v.value().to_vec()))
            .find(|(k, _)| k.windows(7).any(|w| w == b"bakery\0"))
            .unwrap();
        let at = key.windows(6).position(|w| w == b"bakery").unwrap();
        let mut stale = key.clone();
        stale.splice(at..at + 6, b"zzzzzz".iter().copied());
        t.insert(stale.as_slice(), value.as_slice()).unwrap();
    });
    assert!(findings.iter().any(|f| f.area == "index.byName" && f.message.contains("stale")), "{findings:#?}");

    // Two tenants of one reseller with one name: the second finds the first's entry at its key.
    let findings = tamper(|txn| {
        let mut t = txn.open_table(redb::TableDefinition::<u64, &[u8]>::new("nodes")).unwrap();
        let (seq, value) = t
            .iter()
            .unwrap()
            .map(|r| r.unwrap())
            .map(|(k, v)| (k.value(), v.value().to_vec()))
            .find(|(_, v)| v.windows(3).any(|w| w == [2, b't', b'2']))
            .unwrap();
        // The record's name is its length, then its bytes.
        let at = value.windows(3).position(|w| w == [2, b't', b'2']).unwrap();
        let mut renamed = value.clone();
        renamed.splice(at..at + 3, [6u8].iter().copied().chain(*b"BAKERY"));
        t.insert(seq, renamed.as_slice()).unwrap();
    });
    assert!(findings.iter().any(|f| f.area == "unique" && f.message.contains("\"bakery\"")), "{findings:#?}");

    let findings = tamper(|txn| {
        let mut t = txn.open_table(redb::TableDefinition::<&[u8; 16], ()>::new("by_parent")).unwrap();
        let key = {
            let mut it = t.iter().unwrap();
            let (k, _) = it.next().unwrap().unwrap();
            *k.value()
        };
        t.remove(&key).unwrap();
        t.insert(&[7u8; 16], ()).unwrap();
    });
    assert!(findings.iter().any(|f| f.area == "index.byParent" && f.message.contains("missing")), "{findings:#?}");
    assert!(findings.iter().any(|f| f.area == "index.byParent" && f.message.contains("stale")), "{findings:#?}");

    let findings = tamper(|txn| {
        let mut t = txn.open_table(redb::TableDefinition::<&[u8], ()>::new("paths")).unwrap();
        let key = {
            let mut it = t.iter().unwrap();
            let (k, _) = it.next_back().unwrap().unwrap();
            k.value().to_vec()
        };
        t.remove(key.as_slice()).unwrap();
    });
    assert!(findings.iter().any(|f| f.area == "index.paths"), "{findings:#?}");

    let findings = tamper(|txn| {
        let mut t = txn.open_table(redb::TableDefinition::<&[u8], u64>::new("billing")).unwrap();
        t.insert([0u8, b'Z'].as_slice(), 424_242).unwrap();
    });
    assert!(findings.iter().any(|f| f.area == "index.billing"), "{findings:#?}");
}

#[test]
fn the_check_finds_a_broken_record() {
    let findings = tamper(|txn| {
        let mut t = txn.open_table(redb::TableDefinition::<u64, &[u8]>::new("nodes")).unwrap();
        t.insert(1u64, [1u8, 2, 3].as_slice()).unwrap();
    });
    assert!(findings.iter().any(|f| f.area == "node"), "{findings:#?}");
}

#[test]
fn the_check_finds_broken_account_indexes() {
    let findings = tamper(|txn| {
        let mut t = txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new("usernames")).unwrap();
        t.remove("ops".as_bytes()).unwrap();
    });
    assert!(findings.iter().any(|f| f.area == "index.usernames"), "{findings:#?}");
    let findings = tamper(|txn| {
        let mut t = txn.open_table(redb::TableDefinition::<&[u8], &[u8]>::new("tokens_by_account")).unwrap();
        let key = {
            let mut it = t.iter().unwrap();
            let (k, _) = it.next().unwrap().unwrap();
            k.value().to_vec()
        };
        t.remove(key.as_slice()).unwrap();
    });
    assert!(findings.iter().any(|f| f.area == "index.tokensByAccount"), "{findings:#?}");
}

/// Format 6 shares a `by_name` key among a parent's children of one kind and name. When the
/// store-wide `names` index has lost a dealer's name, a rename to it passes that check; the
/// write then finds the other dealer's entry at its key and stops the transaction as
/// CORRUPTED instead of overwriting the entry.
#[test]
fn a_rename_never_overwrites_another_nodes_name_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    let (north, south) = {
        let store = Store::open(&path).unwrap();
        let root = create(&store, "platform", "acme", None);
        (create(&store, "distributor", "north", Some(root.id)), create(&store, "distributor", "south", Some(root.id)))
    };
    {
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut names = txn.open_table(redb::TableDefinition::<&[u8], u64>::new("names")).unwrap();
            let key =
                names.iter().unwrap().map(|r| r.unwrap().0.value().to_vec()).find(|k| k.ends_with(b"\0north")).unwrap();
            names.remove(key.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let store = Store::open(&path).unwrap();
    let rename = tenantree::NodeUpdate { name: Some("NORTH".into()), ..Default::default() };
    let err = store.update_node(&sys(), south.id, &rename).unwrap_err();
    assert_eq!(err.code(), "CORRUPTED", "{err}");
    assert_eq!(store.get_node(&sys(), south.id).unwrap().name.as_str(), "south");
    let page =
        store.children(&sys(), Some(store.get_node(&sys(), north.id).unwrap().parent.unwrap()), &ChildQuery::default());
    let names: Vec<String> = page.unwrap().items.iter().map(|n| n.name.as_str().to_owned()).collect();
    assert_eq!(names, ["north", "south"]);
}
