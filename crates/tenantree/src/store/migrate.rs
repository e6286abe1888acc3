//! Upgrades of stores written in older layouts, run once, inside the write transaction that
//! opens the store: a crash during an upgrade leaves the old layout intact.
//!
//! Tables are rewritten in chunks of [`CHUNK`] rows, so an upgrade needs memory for one chunk
//! and the nodes that hold allocations, not for the whole store.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::schema::RollupKey;
use crate::store::records::{NameEntry, NodeRecord, ProfileRec, StatusRec};
use crate::store::{
    BY_NAME, BY_NAME_V3, BY_PARENT, BY_PARENT_V3, CELLS, Cell, NODES, ROLLUPS_V2, decode, encode, keys,
};
use crate::validate;

const CHUNK: usize = 4096;

/// A node record of format 1: its own allocations lived in the record.
#[derive(Deserialize)]
pub(crate) struct NodeRecordV1 {
    id: [u8; 16],
    parent: u64,
    kind: u8,
    name: String,
    status: StatusRec,
    created: i64,
    updated: i64,
    version: u64,
    profile: ProfileRec,
    tenant_full_access: bool,
    limits: Vec<(RollupKey, u64)>,
    own: Vec<(RollupKey, u64)>,
}

/// A roll-up cell of format 1: no `own`.
#[derive(Deserialize)]
pub(crate) struct CellV1 {
    below: u64,
    max_limit_below: u64,
    child_limits: u128,
}

/// The next rows of the postcard `rollups` of formats 1 and 2 after the key `from` (from the
/// start for `None`), at most [`CHUNK`], decoded as `T`, with the last key; `None` past the end.
/// The table's borrow ends with the call, so the caller may write to it between chunks.
#[allow(clippy::type_complexity)]
fn rollups_chunk<T: serde::de::DeserializeOwned>(
    rollups: &impl redb::ReadableTable<(u64, u16), &'static [u8]>,
    from: Option<(u64, u16)>,
) -> Result<Option<(Vec<((u64, u16), T)>, (u64, u16))>> {
    let range = match from {
        Some(k) => rollups.range((std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded))?,
        None => rollups.range::<(u64, u16)>(..)?,
    };
    let mut chunk = Vec::with_capacity(CHUNK);
    for row in range.take(CHUNK) {
        let (k, v) = row?;
        chunk.push((k.value(), decode(v.value())?));
    }
    Ok(chunk.last().map(|&(last, _)| last).map(|last| (chunk, last)))
}

/// Format 1 → 2: allocations move from the node records into the nodes' roll-up cells.
pub(crate) fn v1_to_v2(txn: &redb::WriteTransaction) -> Result<()> {
    use redb::ReadableTable;
    let mut rollups = txn.open_table(ROLLUPS_V2)?;
    let mut from: Option<(u64, u16)> = None;
    while let Some((chunk, last)) = rollups_chunk::<CellV1>(&rollups, from)? {
        for (k, old) in chunk {
            let cell =
                Cell { own: 0, below: old.below, max_limit_below: old.max_limit_below, child_limits: old.child_limits };
            rollups.insert(k, encode(&cell)?.as_slice())?;
        }
        from = Some(last);
    }

    let mut nodes = txn.open_table(NODES)?;
    let mut from: Option<u64> = None;
    loop {
        let chunk: Vec<(u64, NodeRecordV1)> = {
            let range = match from {
                Some(k) => nodes.range((std::ops::Bound::Excluded(k), std::ops::Bound::Unbounded))?,
                None => nodes.range::<u64>(..)?,
            };
            let mut chunk = Vec::with_capacity(CHUNK);
            for row in range.take(CHUNK) {
                let (k, v) = row?;
                chunk.push((k.value(), decode(v.value())?));
            }
            chunk
        };
        let Some(&(last, _)) = chunk.last() else { break };
        for (seq, old) in chunk {
            for (key, amount) in &old.own {
                let mut cell = match rollups.get((seq, *key))? {
                    Some(v) => decode::<Cell>(v.value())?,
                    None => Cell::default(),
                };
                cell.own = *amount;
                rollups.insert((seq, *key), encode(&cell)?.as_slice())?;
            }
            let rec = NodeRecord {
                id: old.id,
                parent: old.parent,
                kind: old.kind,
                name: old.name,
                status: old.status,
                created: old.created,
                updated: old.updated,
                version: old.version,
                profile: old.profile,
                tenant_full_access: old.tenant_full_access,
                limits: old.limits,
            };
            nodes.insert(seq, encode(&rec)?.as_slice())?;
        }
        from = Some(last);
    }
    Ok(())
}

/// Format 2 → 3: the roll-up cells move from `rollups` (postcard) to `cells` (fixed width).
pub(crate) fn v2_to_v3(txn: &redb::WriteTransaction) -> Result<()> {
    {
        let rollups = txn.open_table(ROLLUPS_V2)?;
        let mut cells = txn.open_table(CELLS)?;
        let mut from: Option<(u64, u16)> = None;
        while let Some((chunk, last)) = rollups_chunk::<Cell>(&rollups, from)? {
            for (k, cell) in chunk {
                cells.insert(k, &cell.to_bytes())?;
            }
            from = Some(last);
        }
    }
    txn.delete_table(ROLLUPS_V2)?;
    Ok(())
}

/// Format 3 → 4: `by_parent` keys become 16 fixed bytes, rebuilt from the node records. The
/// key-only `by_name` of format 3 goes; format 6 ([`v5_to_v6`], which always follows in the
/// same transaction) builds it again in its own layout.
pub(crate) fn v3_to_v4(txn: &redb::WriteTransaction) -> Result<()> {
    txn.delete_table(BY_NAME_V3)?;
    txn.delete_table(BY_PARENT_V3)?;
    let mut by_parent = txn.open_table(BY_PARENT)?;
    each_record(txn, |seq, rec| {
        by_parent.insert(&keys::child_slot(rec.parent, seq), ())?;
        Ok(())
    })
}

/// Format 5 → 6: `by_name` keys end with the child's kind instead of its sequence number,
/// which moves into the [`NameEntry`]. The index is rebuilt from the node records, which only
/// this reads: the records are not written, so they are read in one pass.
pub(crate) fn v5_to_v6(txn: &redb::WriteTransaction) -> Result<()> {
    use redb::ReadableTable;
    txn.delete_table(BY_NAME)?;
    let mut by_name = txn.open_table(BY_NAME)?;
    each_record(txn, |seq, rec| {
        let folded = validate::fold(&rec.name);
        let key = keys::by_name(rec.parent, &folded, rec.kind);
        let entry = NameEntry::of(seq, rec, &folded);
        // Two children of one parent, kind and name can only come from damage; the first keeps
        // the key, so the store still opens and its check reports the second (`unique`).
        if by_name.get(key.as_slice())?.is_none() {
            by_name.insert(key.as_slice(), encode(&entry)?.as_slice())?;
        }
        Ok(())
    })
}

/// Calls `f` with every node record, in one pass (an upgrade that rebuilds an index from the
/// records and does not write them).
fn each_record(txn: &redb::WriteTransaction, mut f: impl FnMut(u64, &NodeRecord) -> Result<()>) -> Result<()> {
    use redb::ReadableTable;
    for row in txn.open_table(NODES)?.iter()? {
        let (k, v) = row?;
        f(k.value(), &decode(v.value())?)?;
    }
    Ok(())
}

/// Upgrades a store from format `from` to `from + 1`.
pub(crate) fn upgrade(txn: &redb::WriteTransaction, from: u32) -> Result<()> {
    match from {
        1 => v1_to_v2(txn),
        2 => v2_to_v3(txn),
        3 => v3_to_v4(txn),
        // Format 5 adds `cell_log`, which opening creates; a format-4 store has no log.
        4 => Ok(()),
        5 => v5_to_v6(txn),
        other => Err(Error::corrupted(format!("no upgrade from format {other}"))),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use std::sync::Arc;

    use redb::{ReadableDatabase, ReadableTable, ReadableTableMetadata, TableHandle};
    use serde::Serialize;

    use super::*;
    use crate::store::image::{ImageBackend, SharedBackend, read_all};
    use crate::store::log::{CELL_LOG, Overlay};
    use crate::store::{FORMAT_VERSION, META};
    use crate::{Actor, Durability, ManualClock, NewNode, SeededEntropy, Store, Timestamp};

    #[derive(Serialize)]
    struct NodeV1Out<'a> {
        id: [u8; 16],
        parent: u64,
        kind: u8,
        name: &'a str,
        status: StatusRec,
        created: i64,
        updated: i64,
        version: u64,
        profile: &'a ProfileRec,
        tenant_full_access: bool,
        limits: &'a [(RollupKey, u64)],
        own: Vec<(RollupKey, u64)>,
    }

    #[derive(Serialize)]
    struct CellV1Out {
        below: u64,
        max_limit_below: u64,
        child_limits: u128,
    }

    /// Applies `edit` to an image in one write transaction that also marks it as `format`.
    fn edit_image(image: Vec<u8>, format: u32, edit: impl FnOnce(&redb::WriteTransaction)) -> Vec<u8> {
        let backend: Arc<dyn redb::StorageBackend> = Arc::new(ImageBackend::new(image));
        let db = redb::Builder::new().create_with_backend(SharedBackend(Arc::clone(&backend))).unwrap();
        let txn = db.begin_write().unwrap();
        edit(&txn);
        txn.open_table(META).unwrap().insert("format", encode(&("tenantree", format)).unwrap().as_slice()).unwrap();
        txn.commit().unwrap();
        drop(db);
        read_all(backend.as_ref()).unwrap()
    }

    /// A `by_name` entry of formats 4 and 5: no sequence number (the key ended with it).
    #[derive(Serialize)]
    struct NameEntryV5<'a> {
        id: [u8; 16],
        kind: u8,
        status: StatusRec,
        name: Option<&'a str>,
    }

    /// Rewrites a current image in format 5: `by_name` keys end with the child's sequence
    /// number (`var()`-encoded) instead of its kind, and the entries do not hold it.
    fn to_v5(image: Vec<u8>) -> Vec<u8> {
        edit_image(image, 5, |txn| {
            let entries: Vec<(u64, NameEntry)> = txn
                .open_table(BY_NAME)
                .unwrap()
                .iter()
                .unwrap()
                .map(|r| {
                    let (k, v) = r.unwrap();
                    let (parent, _, _) = keys::split_by_name(k.value()).unwrap();
                    (parent, decode::<NameEntry>(v.value()).unwrap())
                })
                .collect();
            let mut names: Vec<String> = Vec::new();
            let nodes = txn.open_table(NODES).unwrap();
            for (_, e) in &entries {
                let rec: NodeRecord = decode(nodes.get(e.seq).unwrap().unwrap().value()).unwrap();
                names.push(validate::fold(&rec.name));
            }
            drop(nodes);
            txn.delete_table(BY_NAME).unwrap();
            let mut by_name = txn.open_table(BY_NAME).unwrap();
            for ((parent, e), folded) in entries.iter().zip(&names) {
                let mut key = keys::by_name_prefix(*parent, folded);
                keys::put_var(&mut key, e.seq);
                let old = NameEntryV5 { id: e.id, kind: e.kind, status: e.status, name: e.name.as_deref() };
                by_name.insert(key.as_slice(), encode(&old).unwrap().as_slice()).unwrap();
            }
        })
    }

    /// Rewrites a current image in format 4: `by_name` as format 5 has it, the log of cells
    /// folded into `cells`, and gone.
    fn to_v4(image: Vec<u8>) -> Vec<u8> {
        edit_image(to_v5(image), 4, |txn| {
            let log = Overlay::load(&txn.open_table(CELL_LOG).unwrap()).unwrap();
            let mut cells = txn.open_table(CELLS).unwrap();
            for ((seq, key), cell) in log.sorted() {
                if cell.is_zero() {
                    cells.remove((seq, key)).unwrap();
                } else {
                    cells.insert((seq, key), &cell.to_bytes()).unwrap();
                }
            }
            txn.delete_table(CELL_LOG).unwrap();
        })
    }

    /// Rewrites a current image in format 3: `by_name` and `by_parent` key-only, the latter with
    /// `var()`-encoded keys.
    fn to_v3(image: Vec<u8>) -> Vec<u8> {
        let image = to_v4(image);
        edit_image(image, 3, |txn| {
            let names: Vec<Vec<u8>> =
                txn.open_table(BY_NAME).unwrap().iter().unwrap().map(|r| r.unwrap().0.value().to_vec()).collect();
            let slots: Vec<(u64, u64)> = txn
                .open_table(BY_PARENT)
                .unwrap()
                .iter()
                .unwrap()
                .map(|r| keys::split_child_slot(r.unwrap().0.value()).unwrap())
                .collect();
            assert!(!slots.is_empty(), "the store under test has nodes");
            txn.delete_table(BY_NAME).unwrap();
            txn.delete_table(BY_PARENT).unwrap();
            let mut by_name = txn.open_table(BY_NAME_V3).unwrap();
            for k in names {
                by_name.insert(k.as_slice(), ()).unwrap();
            }
            let mut by_parent = txn.open_table(BY_PARENT_V3).unwrap();
            for (p, c) in slots {
                by_parent.insert(keys::by_parent(p, c).as_slice(), ()).unwrap();
            }
        })
    }

    /// Rewrites a format-3 image in format 2: the cells back in `rollups`, postcard-encoded.
    fn to_v2(image: Vec<u8>) -> Vec<u8> {
        edit_image(image, 2, |txn| {
            let rows: Vec<((u64, u16), Cell)> = {
                let cells = txn.open_table(CELLS).unwrap();
                cells
                    .iter()
                    .unwrap()
                    .map(|r| r.unwrap())
                    .map(|(k, v)| (k.value(), Cell::from_bytes(v.value())))
                    .collect()
            };
            assert!(!rows.is_empty(), "the store under test has roll-ups");
            txn.delete_table(CELLS).unwrap();
            let mut rollups = txn.open_table(ROLLUPS_V2).unwrap();
            for (k, cell) in rows {
                rollups.insert(k, encode(&cell).unwrap().as_slice()).unwrap();
            }
        })
    }

    /// Rewrites a current image in format 1, as the first release wrote it.
    fn downgrade(image: Vec<u8>) -> Vec<u8> {
        v2_to_v1(to_v2(to_v3(image)))
    }

    /// Rewrites a format-2 image in format 1.
    fn v2_to_v1(image: Vec<u8>) -> Vec<u8> {
        edit_image(image, 1, |txn| {
            let mut rollups = txn.open_table(ROLLUPS_V2).unwrap();
            let cells: Vec<((u64, u16), Cell)> = rollups
                .iter()
                .unwrap()
                .map(|r| r.unwrap())
                .map(|(k, v)| (k.value(), decode(v.value()).unwrap()))
                .collect();
            let mut nodes = txn.open_table(NODES).unwrap();
            let recs: Vec<(u64, NodeRecord)> = nodes
                .iter()
                .unwrap()
                .map(|r| r.unwrap())
                .map(|(k, v)| (k.value(), decode(v.value()).unwrap()))
                .collect();
            for (seq, rec) in recs {
                let own: Vec<(RollupKey, u64)> =
                    cells.iter().filter(|((s, _), c)| *s == seq && c.own > 0).map(|((_, k), c)| (*k, c.own)).collect();
                let old = NodeV1Out {
                    id: rec.id,
                    parent: rec.parent,
                    kind: rec.kind,
                    name: &rec.name,
                    status: rec.status,
                    created: rec.created,
                    updated: rec.updated,
                    version: rec.version,
                    profile: &rec.profile,
                    tenant_full_access: rec.tenant_full_access,
                    limits: &rec.limits,
                    own,
                };
                nodes.insert(seq, encode(&old).unwrap().as_slice()).unwrap();
            }
            for (k, c) in cells {
                let old =
                    CellV1Out { below: c.below, max_limit_below: c.max_limit_below, child_limits: c.child_limits };
                if old.below == 0 && old.max_limit_below == 0 && old.child_limits == 0 {
                    rollups.remove(k).unwrap(); // format 1 kept no cell for an allocation alone
                } else {
                    rollups.insert(k, encode(&old).unwrap().as_slice()).unwrap();
                }
            }
        })
    }

    fn format_of(image: Vec<u8>) -> u32 {
        let backend: Arc<dyn redb::StorageBackend> = Arc::new(ImageBackend::new(image));
        let db = redb::Builder::new().create_with_backend(SharedBackend(backend)).unwrap();
        let txn = db.begin_read().unwrap();
        let meta = txn.open_table(META).unwrap();
        let bytes = meta.get("format").unwrap().unwrap().value().to_vec();
        decode::<(String, u32)>(&bytes).unwrap().1
    }

    #[test]
    fn a_format_1_store_opens_upgraded_with_its_allocations() {
        let build = || {
            Store::builder()
                .clock(ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000)))
                .entropy(SeededEntropy::new(3))
                .durability(Durability::Bulk)
                .in_memory()
                .unwrap()
        };
        let store = build();
        let sys = Actor::system();
        let (dealer, tenant, empty) = store
            .write(&sys, |tx| {
                let p = tx.create_node(&NewNode::new("platform", "p").limit("extensions", 50))?.id;
                let d = tx.create_node(&NewNode::new("distributor", "d").parent(p).limit("extensions", 40))?.id;
                let s = tx.create_node(&NewNode::new("sub_distributor", "s").parent(d))?.id;
                let r = tx.create_node(&NewNode::new("reseller", "r").parent(s))?.id;
                let t = tx.create_node(&NewNode::new("tenant", "t").parent(r).limit("extensions", 10))?.id;
                let e = tx.create_node(&NewNode::new("tenant", "e").parent(r))?.id;
                tx.allocate(t, "extensions", 7)?;
                tx.allocate(d, "extensions", 5)?;
                Ok((d, t, e))
            })
            .unwrap();
        let before: Vec<_> = [dealer, tenant, empty].iter().map(|&id| store.quotas(&sys, id).unwrap()).collect();
        let old = downgrade(store.export_image().unwrap());
        assert_eq!(format_of(old.clone()), 1);

        let upgraded = Store::builder().from_image(old).unwrap();
        let report = upgraded.check().unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
        let after: Vec<_> = [dealer, tenant, empty].iter().map(|&id| upgraded.quotas(&sys, id).unwrap()).collect();
        assert_eq!(after, before);
        let q = after[1].iter().find(|q| q.resource == "extensions").unwrap();
        assert_eq!((q.allocated, q.used), (7, 7));
        // The upgrade is written: the store now says the current format, and keeps working.
        upgraded.release(&sys, tenant, "extensions", 7).unwrap();
        assert_eq!(format_of(upgraded.export_image().unwrap()), FORMAT_VERSION);
    }

    #[test]
    fn a_format_2_store_opens_with_its_cells_moved_to_the_fixed_width_table() {
        let store = seeded_store(5);
        let sys = Actor::system();
        // More cells than one chunk of the upgrade, so that it resumes after a chunk.
        let ids = store
            .write(&sys, |tx| {
                let p = tx.create_node(&NewNode::new("platform", "p").limit("extensions", 1_000_000))?.id;
                let mut ids = vec![p];
                for d in 0..(CHUNK + 10) {
                    let id = tx.create_node(&NewNode::new("distributor", format!("d{d}")).parent(p))?.id;
                    tx.allocate(id, "extensions", 1 + d as u64 % 7)?;
                    ids.push(id);
                }
                Ok(ids)
            })
            .unwrap();
        let before: Vec<_> = ids.iter().map(|&id| store.quotas(&sys, id).unwrap()).collect();
        let old = to_v2(to_v3(store.export_image().unwrap()));
        assert_eq!(format_of(old.clone()), 2);

        let upgraded = Store::builder().from_image(old).unwrap();
        assert!(upgraded.check().unwrap().is_clean());
        let after: Vec<_> = ids.iter().map(|&id| upgraded.quotas(&sys, id).unwrap()).collect();
        assert_eq!(after, before);
        let image = upgraded.export_image().unwrap();
        assert_eq!(format_of(image.clone()), FORMAT_VERSION);
        let backend: Arc<dyn redb::StorageBackend> = Arc::new(ImageBackend::new(image));
        let db = redb::Builder::new().create_with_backend(SharedBackend(backend)).unwrap();
        let txn = db.begin_read().unwrap();
        let tables: Vec<String> = txn.list_tables().unwrap().map(|t| t.name().to_owned()).collect();
        assert!(tables.contains(&"cells".to_owned()), "{tables:?}");
        assert!(!tables.contains(&"rollups".to_owned()), "the old table is gone: {tables:?}");
        assert!(txn.open_table(CELLS).unwrap().len().unwrap() > CHUNK as u64);
    }

    fn seeded_store(seed: u64) -> Store {
        Store::builder()
            .clock(ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000)))
            .entropy(SeededEntropy::new(seed))
            .in_memory()
            .unwrap()
    }

    /// Opens an image of format `format`, which the open upgrades to a clean store of the
    /// current format.
    fn upgraded(old: Vec<u8>, format: u32) -> Store {
        assert_eq!(format_of(old.clone()), format);
        let upgraded = Store::builder().from_image(old).unwrap();
        let report = upgraded.check().unwrap();
        assert!(report.is_clean(), "{:?}", report.findings);
        assert_eq!(format_of(upgraded.export_image().unwrap()), FORMAT_VERSION);
        upgraded
    }

    #[test]
    fn a_format_5_store_opens_with_its_name_index_rebuilt() {
        let store = seeded_store(5);
        let sys = Actor::system();
        let (root, reseller, tenants) = store
            .write(&sys, |tx| {
                let p = tx.create_node(&NewNode::new("platform", "p"))?.id;
                let d = tx.create_node(&NewNode::new("distributor", "d").parent(p))?.id;
                let s = tx.create_node(&NewNode::new("sub_distributor", "s").parent(d))?.id;
                let r = tx.create_node(&NewNode::new("reseller", "R").parent(s))?.id;
                let mut tenants = Vec::new();
                for t in (0..30).rev() {
                    let name = if t % 4 == 0 { format!("Tenant-{t:02}") } else { format!("tenant-{t:02}") };
                    tenants.push(tx.create_node(&NewNode::new("tenant", name).parent(r))?.id);
                }
                tx.set_status(tenants[3], crate::Status::Disabled, None)?;
                Ok((p, r, tenants))
            })
            .unwrap();
        let by_name = crate::ChildQuery { limit: Some(100), ..Default::default() };
        let before = (
            store.children(&sys, Some(reseller), &by_name).unwrap(),
            store.child_summaries(&sys, Some(reseller), &by_name).unwrap(),
        );
        let upgraded = upgraded(to_v5(store.export_image().unwrap()), 5);
        let after = (
            upgraded.children(&sys, Some(reseller), &by_name).unwrap(),
            upgraded.child_summaries(&sys, Some(reseller), &by_name).unwrap(),
        );
        assert_eq!(after, before);
        assert_eq!(after.0.items.len(), 30);
        // The rebuilt index is the sibling rule: a taken name is refused, whatever its case,
        // and names the node that holds it.
        let err = upgraded.create_node(&sys, NewNode::new("tenant", "TENANT-07").parent(reseller)).unwrap_err();
        match err {
            crate::Error::AlreadyExists { existing, .. } => assert_eq!(existing, Some(tenants[22].to_string())),
            other => panic!("{other}"),
        }
        upgraded.create_node(&sys, NewNode::new("tenant", "tenant-30").parent(reseller)).unwrap();
        upgraded.delete_node(&sys, tenants[0]).unwrap();
        assert_eq!(upgraded.children(&sys, Some(reseller), &by_name).unwrap().total, 30);
        assert!(upgraded.check().unwrap().is_clean());
        assert_eq!(upgraded.children(&sys, Some(root), &by_name).unwrap().total, 1);
    }

    /// Two siblings of one kind and name can only come from damage, which format 5 let open: the
    /// upgrade keeps the first one's entry, and the store still opens for its check to report
    /// the second.
    #[test]
    fn a_damaged_format_5_store_with_twin_siblings_still_opens() {
        let store = seeded_store(7);
        let sys = Actor::system();
        let (reseller, twin) = store
            .write(&sys, |tx| {
                let p = tx.create_node(&NewNode::new("platform", "p"))?.id;
                let d = tx.create_node(&NewNode::new("distributor", "d").parent(p))?.id;
                let s = tx.create_node(&NewNode::new("sub_distributor", "s").parent(d))?.id;
                let r = tx.create_node(&NewNode::new("reseller", "r").parent(s))?.id;
                tx.create_node(&NewNode::new("tenant", "bakery").parent(r))?;
                let twin = tx.create_node(&NewNode::new("tenant", "bagels").parent(r))?.id;
                Ok((r, twin))
            })
            .unwrap();
        // Format 5, then the second tenant's record renamed behind the store's back.
        let old = edit_image(to_v5(store.export_image().unwrap()), 5, |txn| {
            let mut nodes = txn.open_table(NODES).unwrap();
            let rows: Vec<(u64, NodeRecord)> = nodes
                .iter()
                .unwrap()
                .map(|r| r.unwrap())
                .map(|(k, v)| (k.value(), decode(v.value()).unwrap()))
                .collect();
            let (seq, mut rec) = rows.into_iter().find(|(_, r)| r.id == twin.to_bytes()).unwrap();
            rec.name = "Bakery".into();
            nodes.insert(seq, encode(&rec).unwrap().as_slice()).unwrap();
        });
        let opened = Store::builder().from_image(old).unwrap();
        let findings = opened.check().unwrap().findings;
        assert!(findings.iter().any(|f| f.area == "unique" && f.message.contains("\"bakery\"")), "{findings:?}");
        let by_name = crate::ChildQuery::default();
        assert_eq!(opened.children(&sys, Some(reseller), &by_name).unwrap().items.len(), 1);
    }

    #[test]
    fn a_format_3_store_opens_with_its_child_indexes_rebuilt() {
        let store = seeded_store(9);
        let sys = Actor::system();
        let (root, dists) = store
            .write(&sys, |tx| {
                let p = tx.create_node(&NewNode::new("platform", "p"))?.id;
                let mut dists = Vec::new();
                for d in 0..40 {
                    // Mixed case, so that some entries carry the name as written.
                    let name = if d % 3 == 0 { format!("Dist-{d:02}") } else { format!("dist-{d:02}") };
                    dists.push(tx.create_node(&NewNode::new("distributor", name).parent(p))?.id);
                }
                tx.set_status(dists[4], crate::Status::Disabled, None)?;
                Ok((p, dists))
            })
            .unwrap();
        let by_name = crate::ChildQuery { limit: Some(100), ..Default::default() };
        let by_created = crate::ChildQuery { limit: Some(100), sort: crate::SortBy::Created, ..Default::default() };
        let before = (
            store.children(&sys, Some(root), &by_name).unwrap(),
            store.children(&sys, Some(root), &by_created).unwrap(),
            store.child_summaries(&sys, Some(root), &by_name).unwrap(),
        );
        let upgraded = upgraded(to_v3(store.export_image().unwrap()), 3);
        let after = (
            upgraded.children(&sys, Some(root), &by_name).unwrap(),
            upgraded.children(&sys, Some(root), &by_created).unwrap(),
            upgraded.child_summaries(&sys, Some(root), &by_name).unwrap(),
        );
        assert_eq!(after, before);
        assert_eq!(after.1.items.iter().map(|n| n.id).collect::<Vec<_>>(), dists);
        // The rebuilt indexes keep working: a delete removes the node from both.
        upgraded.delete_node(&sys, dists[7]).unwrap();
        assert_eq!(upgraded.children(&sys, Some(root), &by_created).unwrap().total, 39);
        assert!(upgraded.check().unwrap().is_clean());
    }
}
