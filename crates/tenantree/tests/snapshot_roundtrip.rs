//! Snapshots: export → import gives an equal store with a clean check; a bad snapshot is
//! refused and leaves the target empty.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{
    AccountQuery, Decimal, NewAccount, NewNode, NewToken, PasswordPolicy, PropQuery, Properties, Role, SnapshotFormat,
    Status, Store,
};

/// A store with a bit of everything: nodes of every kind, limits, allocations, a suspended
/// branch, accounts with passwords, tokens, a custom role, policies, properties, markups.
fn rich() -> (Store, String, Vec<tenantree::NodeId>) {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "tenants", Some(50)).unwrap();
    store.set_limit(&sys(), c.reseller.id, "extensions", Some(100)).unwrap();
    for i in 0..20 {
        let t = store
            .create_node(
                &sys(),
                NewNode::new("tenant", format!("t{i}"))
                    .parent(c.reseller.id)
                    .limit("extensions", 5)
                    .email(format!("t{i}@x.example")),
            )
            .unwrap();
        store.allocate(&sys(), t.id, "extensions", 1 + i % 4).unwrap();
    }
    store.set_status(&sys(), c.sub.id, Status::Suspended { profile: 7 }).unwrap();
    store.write(&sys(), |tx| tx.define_role(&Role::new("auditor", ["*.list", "*.instance.read"]))).unwrap();
    let (a, _) = account(&store, "ops@acme.example", "reseller_admin", Some(c.reseller.id));
    account(&store, "aud", "auditor", Some(c.dist.id));
    account(&store, "global", "system_admin", None);
    let token = store.issue_token(&sys(), a.id, &NewToken { name: "ci".into(), expires_in: None }).unwrap();
    store
        .write(&sys(), |tx| {
            tx.set_password_policy(
                Some(c.dist.id),
                Some(&PasswordPolicy { min_length: 10, ..PasswordPolicy::default() }),
            )
        })
        .unwrap();
    store
        .write(&sys(), |tx| {
            tx.set_password_policy(None, Some(&PasswordPolicy { min_length: 8, ..PasswordPolicy::default() }))
        })
        .unwrap();
    let p: Properties = serde_json::from_value(
        serde_json::json!({"max_calls": 30, "smtp_password": "hunter2", "nested": {"a": [1, 2]}}),
    )
    .unwrap();
    store.write(&sys(), |tx| tx.upsert_props(c.reseller.id, "general", &p)).unwrap();
    store
        .write(&sys(), |tx| {
            tx.add_markup(c.reseller.id, "12.5".parse::<Decimal>()?, Some("2024-01-01T00:00:00".parse()?))
        })
        .unwrap();
    store
        .write(&sys(), |tx| {
            tx.add_markup(c.reseller.id, "10".parse::<Decimal>()?, Some("2023-01-01T00:00:00".parse()?))
        })
        .unwrap();
    (store, token.secret, vec![c.platform.id, c.dist.id, c.sub.id, c.reseller.id, c.tenant.id])
}

fn export(store: &Store, root: Option<tenantree::NodeId>, format: SnapshotFormat) -> Vec<u8> {
    let mut out = Vec::new();
    store.export_snapshot(&sys(), root, format, &mut out).unwrap();
    out
}

/// Everything of a store a caller can read, beyond the node state.
fn extras(store: &Store, ids: &[tenantree::NodeId]) -> serde_json::Value {
    store
        .read(&sys(), |tx| {
            let mut out = serde_json::Map::new();
            for id in ids {
                if tx.get_node(*id).is_err() {
                    continue;
                }
                out.insert(
                    id.to_string(),
                    serde_json::json!({
                        "accounts": tx.accounts(Some(*id), &AccountQuery { limit: Some(1000), ..Default::default() })?.items,
                        "props": tx.props(*id, "general", &PropQuery::default())?,
                        "markups": tx.markups(*id)?,
                        "policy": tx.password_policy(Some(*id))?,
                    }),
                );
            }
            out.insert("store".into(), serde_json::json!({
                "accounts": tx.accounts(None, &AccountQuery::default())?.items,
                "roles": tx.roles()?,
                "policy": tx.password_policy(None)?,
            }));
            Ok(serde_json::Value::Object(out))
        })
        .unwrap()
}

#[test]
fn a_whole_store_round_trips_in_both_formats() {
    let (source, secret, ids) = rich();
    for format in [SnapshotFormat::Binary, SnapshotFormat::Json] {
        let bytes = export(&source, None, format);
        let target = store();
        let sum = target.import_snapshot(&sys(), format, &mut bytes.as_slice()).unwrap();
        assert_eq!((sum.nodes, sum.accounts, sum.tokens, sum.roles, sum.policies), (25, 3, 1, 1, 2));
        assert_eq!((sum.properties, sum.markups, sum.allocations), (3, 2, 20));
        assert_eq!(state(&target), state(&source), "{format:?}");
        assert_eq!(extras(&target, &ids), extras(&source, &ids), "{format:?}");
        assert_clean(&target);
        // Credentials survive: the same password and the same token work.
        target.login("ops@acme.example", GOOD_PASSWORD).unwrap();
        target.authenticate(&secret).unwrap();
        // New ids do not collide with restored ones.
        let a = target.create_account(&sys(), NewAccount::new("fresh", "tenant_user").node(ids[4])).unwrap();
        assert!(a.id.get() > 3);
        // The import is one event in the feed.
        let ops: Vec<String> =
            target.read(&sys(), |tx| tx.changes(0, 100)).unwrap().changes.into_iter().map(|c| c.op).collect();
        assert_eq!(ops.first().map(String::as_str), Some("store.import"));
    }
    // The JSON form is text people can read, one record per line, with no secrets in clear.
    let json = String::from_utf8(export(&source, None, SnapshotFormat::Json)).unwrap();
    assert!(json.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    assert!(!json.contains(GOOD_PASSWORD) && !json.contains(&secret));
}

#[test]
fn a_subtree_exports_with_its_ancestors() {
    let (source, _, ids) = rich();
    let bytes = export(&source, Some(ids[3]), SnapshotFormat::Binary);
    let target = store();
    let sum = target.import_snapshot(&sys(), SnapshotFormat::Binary, &mut bytes.as_slice()).unwrap();
    assert_eq!(sum.nodes, 4 + 21, "four ancestors, the reseller and its 21 tenants");
    assert_eq!(sum.accounts, 1, "only the reseller's account");
    let orig = source.get_node(&sys(), ids[3]).unwrap();
    let copy = target.get_node(&sys(), ids[3]).unwrap();
    assert_eq!(copy, orig);
    assert_eq!(target.kind_counts(&sys(), Some(ids[0])).unwrap()["tenant"], 21);
    assert_clean(&target);
}

#[test]
fn a_snapshot_goes_only_into_an_empty_store_with_the_same_schema() {
    let (source, _, _) = rich();
    let bytes = export(&source, None, SnapshotFormat::Binary);
    let busy = store();
    create(&busy, "platform", "already", None);
    let err = busy.import_snapshot(&sys(), SnapshotFormat::Binary, &mut bytes.as_slice()).unwrap_err();
    assert_eq!(err.code(), "INVALID_ARGUMENT");
    let (other, _) = store_with(tenantree::Preset::Fusion);
    assert_eq!(
        other.import_snapshot(&sys(), SnapshotFormat::Binary, &mut bytes.as_slice()).unwrap_err().code(),
        "SCHEMA_MISMATCH"
    );
    assert_eq!(Store::snapshot_schema(SnapshotFormat::Binary, &mut bytes.as_slice()).unwrap(), *source.schema());
    // A store whose schema only lets kinds hang in more places takes it.
    let mut wider = source.schema().clone();
    for k in &mut wider.kinds {
        if k.name == "sub_distributor" && !k.parents.iter().any(|p| p == "platform") {
            k.parents.push("platform".to_owned());
        }
    }
    assert_ne!(&wider, source.schema());
    let roomier = Store::builder().schema(wider).in_memory().unwrap();
    roomier.import_snapshot(&sys(), SnapshotFormat::Binary, &mut bytes.as_slice()).unwrap();
    assert!(roomier.check().unwrap().is_clean());
    // Scoped accounts may not export.
    let (_, scoped) =
        account(&source, "scoped", "tenant_user", Some(state(&source).nodes.keys().next().copied().unwrap()));
    assert_eq!(
        source.export_snapshot(&scoped, None, SnapshotFormat::Json, &mut Vec::new()).unwrap_err().code(),
        "FORBIDDEN"
    );
}

#[test]
fn damaged_snapshots_are_refused_and_leave_the_target_empty() {
    let (source, _, _) = rich();
    let good = export(&source, None, SnapshotFormat::Binary);
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("wrong magic", b"NOTASNAP".to_vec()),
        ("truncated in the middle", good[..good.len() / 2].to_vec()),
        ("truncated before the end", good[..good.len() - 3].to_vec()),
    ];
    let mut flipped = good.clone();
    let mid = flipped.len() / 3;
    flipped[mid] ^= 0x55;
    cases.push(("a flipped byte", flipped));
    let mut trailing = good.clone();
    trailing.extend_from_slice(&[1, 0, 0, 0, 0]);
    cases.push(("data after the end", trailing));
    let mut huge = good[..8].to_vec();
    huge.extend_from_slice(&u32::MAX.to_le_bytes());
    cases.push(("a record claiming 4 GiB", huge));
    for (what, bytes) in cases {
        let target = store();
        let err = target.import_snapshot(&sys(), SnapshotFormat::Binary, &mut bytes.as_slice()).unwrap_err();
        assert!(
            matches!(err.root().code(), "INVALID_ARGUMENT" | "SCHEMA_MISMATCH" | "INCOMPATIBLE_FORMAT"),
            "{what}: {err}"
        );
        assert!(state(&target).nodes.is_empty(), "{what}: the target is not empty");
        assert_clean(&target);
    }
}

#[test]
fn an_invalid_record_names_itself_and_nothing_is_kept() {
    let (source, _, _) = rich();
    let json = String::from_utf8(export(&source, None, SnapshotFormat::Json)).unwrap();
    // A hand-edited fixture: a tenant renamed to its sibling's name, and the checksum dropped
    // (JSON snapshots may go without one).
    let mut lines: Vec<String> = json.lines().map(str::to_owned).collect();
    let t5 = lines.iter().position(|l| l.contains("\"name\":\"t5\"")).unwrap();
    lines[t5] = lines[t5].replace("\"name\":\"t5\"", "\"name\":\"t4\"");
    let end = lines.len() - 1;
    let mut end_record: serde_json::Value = serde_json::from_str(&lines[end]).unwrap();
    end_record["end"]["sha256"] = serde_json::Value::Null;
    lines[end] = end_record.to_string();
    let text = lines.join("\n");
    let target = store();
    let err = target.import_snapshot(&sys(), SnapshotFormat::Json, &mut text.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "ALREADY_EXISTS");
    assert!(matches!(err, tenantree::Error::Batch { index, .. } if index == t5), "{err:?}");
    assert!(state(&target).nodes.is_empty());
    // With the checksum kept, the edit is caught before anything else.
    let mut tampered: Vec<String> = json.lines().map(str::to_owned).collect();
    tampered[t5] = tampered[t5].replace("\"name\":\"t5\"", "\"name\":\"t55\"");
    let err = store().import_snapshot(&sys(), SnapshotFormat::Json, &mut tampered.join("\n").as_bytes()).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
}
