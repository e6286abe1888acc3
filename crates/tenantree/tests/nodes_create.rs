//! Creating nodes: kinds, depth, names, uniqueness, profiles and disabled parents.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{NewNode, NodeId, Preset, Profile, Status, Store};

#[test]
fn a_created_node_reads_back_with_its_fields() {
    let store = store();
    let c = chain(&store);
    let got = store.get_node(&sys(), c.tenant.id).unwrap();
    assert_eq!(got, c.tenant);
    assert_eq!(got.kind, "tenant");
    assert_eq!(got.parent, Some(c.reseller.id));
    assert_eq!(got.depth, 5);
    assert_eq!(got.version, 1);
    assert_eq!(got.status, Status::Enabled);
    assert!(got.effective_status.is_enabled());
    assert!(got.tenant_full_access);
    assert_eq!(got.id.as_uuid().get_version_num(), 7);
    assert_eq!(got.created, got.updated);
}

#[test]
fn ids_are_time_ordered_and_can_be_chosen() {
    let (store, clock) = store_with(Preset::Channel);
    let a = create(&store, "platform", "a", None);
    clock.advance(2_000);
    let b = create(&store, "platform", "b", None);
    assert!(a.id < b.id);
    let chosen: NodeId = "01900000-0000-7000-8000-0000000000aa".parse().unwrap();
    let c = store.create_node(&sys(), NewNode::new("platform", "c").id(chosen)).unwrap();
    assert_eq!(c.id, chosen);
    let err = refused(&store, "ALREADY_EXISTS", || store.create_node(&sys(), NewNode::new("platform", "d").id(chosen)));
    assert!(err.to_string().contains("id"), "{err}");
}

#[test]
fn profile_fields_are_validated_and_stored() {
    let store = store();
    let root = create(&store, "platform", "acme", None);
    let profile = Profile {
        display_name: Some("North Distribution".into()),
        email: Some("ops@north.example".into()),
        website: Some("https://north.example".into()),
        phone: Some("+32 2 555 01 01".into()),
        address: Some("1 Main Street".into()),
        description: Some("Two\nlines".into()),
        external_name: Some("North (CRM)".into()),
        billing_id: Some("cloudblue::distributor::28".into()),
        extra: Some(serde_json::json!({"crm": 42})),
    };
    let d = store
        .create_node(&sys(), NewNode::new("distributor", "north").parent(root.id).profile(profile.clone()))
        .unwrap();
    assert_eq!(d.profile, profile);
    assert_eq!(store.get_node(&sys(), d.id).unwrap().profile, profile);

    let bad: [(&str, Profile); 7] = [
        ("email", Profile { email: Some("not-an-email".into()), ..Default::default() }),
        ("displayName", Profile { display_name: Some("x".repeat(1025)), ..Default::default() }),
        ("phone", Profile { phone: Some("1".repeat(33)), ..Default::default() }),
        ("address", Profile { address: Some("x".repeat(129)), ..Default::default() }),
        ("extraData", Profile { extra: Some(serde_json::json!([1, 2])), ..Default::default() }),
        ("billingId", Profile { billing_id: Some("two\nlines".into()), ..Default::default() }),
        ("website", Profile { website: Some(" padded".into()), ..Default::default() }),
    ];
    for (field, p) in bad {
        let err = refused(&store, "INVALID_ARGUMENT", || {
            store.create_node(&sys(), NewNode::new("distributor", "south").parent(root.id).profile(p.clone()))
        });
        assert_eq!(err.details()["field"], field, "{err}");
    }
}

#[test]
fn kind_rules_are_enforced() {
    let store = store();
    let c = chain(&store);
    let cases: [(&str, Option<NodeId>); 6] = [
        ("distributor", None),
        ("tenant", Some(c.platform.id)),
        ("distributor", Some(c.dist.id)),
        ("reseller", Some(c.tenant.id)),
        ("sub_distributor", Some(c.platform.id)),
        ("platform", Some(c.platform.id)),
    ];
    for (kind, parent) in cases {
        let mut n = NewNode::new(kind, "x1");
        n.parent = parent;
        let err = refused(&store, "KIND_NOT_ALLOWED", || store.create_node(&sys(), n.clone()));
        assert_eq!(err.details()["kind"], kind);
    }
    // The allowed shortcuts of the channel tree.
    create(&store, "reseller", "direct", Some(c.platform.id));
    create(&store, "reseller", "under-dist", Some(c.dist.id));
    create(&store, "tenant", "under-sub", Some(c.sub.id));
    create(&store, "tenant", "under-dist", Some(c.dist.id));
    let err = refused(&store, "INVALID_ARGUMENT", || store.create_node(&sys(), NewNode::new("galaxy", "x")));
    assert_eq!(err.details()["field"], "kind");
    assert_clean(&store);
}

#[test]
fn depth_is_bounded_by_the_schema() {
    let (store, _) = store_with(Preset::Clients);
    let mut parent = None;
    for i in 0..16 {
        parent = Some(create(&store, "client", &format!("level {i}"), parent).id);
    }
    let err = refused(&store, "DEPTH_EXCEEDED", || {
        let mut n = NewNode::new("client", "too deep");
        n.parent = parent;
        store.create_node(&sys(), n)
    });
    assert_eq!(err.details()["depth"], 17);
    assert_eq!(err.details()["maxDepth"], 16);
}

#[test]
fn names_follow_the_kind_rule() {
    let store = store();
    let root = create(&store, "platform", "acme", None);
    for bad in ["", "admin", "Root", "has space", ".dot", "dot.", &"x".repeat(65), "naïve"] {
        let err = refused(&store, "INVALID_ARGUMENT", || {
            store.create_node(&sys(), NewNode::new("distributor", bad).parent(root.id))
        });
        assert_eq!(err.details()["field"], "name", "{bad:?}");
    }
    create(&store, "distributor", "o'brien_sales-1.eu", Some(root.id));
    // Label rule (003): spaces allowed, reserved words are not special.
    let (fusion, _) = store_with(Preset::Fusion);
    let g = create(&fusion, "group", "Netaxis NL", None);
    create(&fusion, "reseller", "Distributor-less reseller NL 1", Some(g.id));
    create(&fusion, "reseller", "admin", Some(g.id));
}

#[test]
fn dealer_names_are_unique_store_wide_ignoring_case() {
    let store = store();
    let c = chain(&store);
    let other_root = create(&store, "platform", "other", None);
    // A reseller elsewhere may not reuse a dealer's login name of any level.
    let err = refused(&store, "ALREADY_EXISTS", || {
        store.create_node(&sys(), NewNode::new("reseller", "NORTH").parent(other_root.id))
    });
    assert_eq!(err.details()["existing"], c.dist.id.to_string());
    assert_eq!(err.details()["field"], "name");
    refused(&store, "ALREADY_EXISTS", || {
        store.create_node(&sys(), NewNode::new("distributor", "Shop").parent(other_root.id))
    });
    // Tenants are unique among siblings only.
    let r2 = create(&store, "reseller", "shop-two", Some(other_root.id));
    create(&store, "tenant", "bakery", Some(r2.id));
    refused(&store, "ALREADY_EXISTS", || {
        store.create_node(&sys(), NewNode::new("tenant", "BAKERY").parent(c.reseller.id))
    });
    assert_clean(&store);
}

#[test]
fn billing_ids_are_unique_in_their_scope() {
    let store = store();
    let root = create(&store, "platform", "acme", None);
    store.create_node(&sys(), NewNode::new("distributor", "a").parent(root.id).billing_id("B-1")).unwrap();
    refused(&store, "ALREADY_EXISTS", || {
        store.create_node(&sys(), NewNode::new("distributor", "b").parent(root.id).billing_id("B-1"))
    });
    // Fusion: unique per group.
    let (fusion, _) = store_with(Preset::Fusion);
    let g1 = create(&fusion, "group", "G1", None);
    let g2 = create(&fusion, "group", "G2", None);
    fusion
        .create_node(&sys(), NewNode::new("reseller", "r1").parent(g1.id).billing_id("cloudblue::reseller::27"))
        .unwrap();
    fusion
        .create_node(&sys(), NewNode::new("reseller", "r2").parent(g2.id).billing_id("cloudblue::reseller::27"))
        .unwrap();
    let err = refused(&fusion, "ALREADY_EXISTS", || {
        fusion.create_node(&sys(), NewNode::new("reseller", "r3").parent(g1.id).billing_id("cloudblue::reseller::27"))
    });
    assert_eq!(err.details()["field"], "billingId");
}

#[test]
fn nothing_can_be_created_below_a_disabled_or_suspended_node() {
    let store = store();
    let c = chain(&store);
    store.set_status(&sys(), c.dist.id, Status::Disabled).unwrap();
    let err = refused(&store, "SERVICE_DISABLED", || {
        store.create_node(&sys(), NewNode::new("tenant", "new").parent(c.reseller.id))
    });
    assert_eq!(err.details()["disabledBy"], c.dist.id.to_string());
    assert_eq!(err.details()["node"], c.reseller.id.to_string());
    store.set_status(&sys(), c.dist.id, Status::Enabled).unwrap();
    store.set_status(&sys(), c.sub.id, Status::Suspended { profile: 4 }).unwrap();
    let err = refused(&store, "SERVICE_DISABLED", || {
        store.create_node(&sys(), NewNode::new("tenant", "new").parent(c.sub.id))
    });
    assert_eq!(err.details()["status"], "suspended");
    // Siblings of the suspended branch are unaffected.
    create(&store, "tenant", "new", Some(c.dist.id));
    // A node may be created disabled.
    let off =
        store.create_node(&sys(), NewNode::new("tenant", "off").parent(c.dist.id).status(Status::Disabled)).unwrap();
    assert_eq!(off.effective_status.source, Some(off.id));
}

#[test]
fn a_missing_parent_is_not_found() {
    let store = store();
    let ghost: NodeId = "01900000-0000-7000-8000-000000000001".parse().unwrap();
    refused(&store, "NOT_FOUND", || store.create_node(&sys(), NewNode::new("distributor", "x").parent(ghost)));
}

#[test]
fn limits_on_create_must_name_resources_and_nest() {
    let store = store();
    let root = create(&store, "platform", "acme", None);
    let err = refused(&store, "INVALID_ARGUMENT", || {
        store.create_node(&sys(), NewNode::new("distributor", "d").parent(root.id).limit("bananas", 3))
    });
    assert_eq!(err.details()["field"], "limits.bananas");
    let d = store.create_node(&sys(), NewNode::new("distributor", "d").parent(root.id).limit("tenants", 10)).unwrap();
    let err = refused(&store, "INVALID_LIMIT", || {
        store.create_node(&sys(), NewNode::new("reseller", "r").parent(d.id).limit("tenants", 11))
    });
    assert_eq!(err.details()["reason"]["rule"], "aboveAncestor");
    assert_eq!(err.details()["reason"]["ancestorLimit"], 10);
    store.create_node(&sys(), NewNode::new("reseller", "r").parent(d.id).limit("tenants", 10)).unwrap();
    assert_clean(&store);
}

#[test]
fn a_minted_id_never_takes_one_a_caller_chose_ahead_of_it() {
    // Two stores with the same clock and entropy mint the same ids. In the second, a caller first
    // takes the id the next mint will produce; the mint must notice and move on, in a later
    // transaction and in the same one.
    let (probe, _) = store_with(Preset::Channel);
    let first = create(&probe, "platform", "p1", None).id;
    let second = create(&probe, "platform", "p2", None).id;

    let (store, _) = store_with(Preset::Channel);
    store.create_node(&sys(), NewNode::new("platform", "chosen").id(first)).unwrap();
    let minted = create(&store, "platform", "minted", None);
    assert_ne!(minted.id, first);
    assert!(minted.id > first, "the mint moved past the taken id");

    let (store, _) = store_with(Preset::Channel);
    let ids = store
        .write(&sys(), |tx| {
            let a = tx.create_node(&NewNode::new("platform", "chosen").id(second))?.id;
            let b = tx.create_node(&NewNode::new("platform", "m1"))?.id;
            let c = tx.create_node(&NewNode::new("platform", "m2"))?.id;
            Ok([a, b, c])
        })
        .unwrap();
    assert_eq!(ids[0], second);
    assert!(ids[1] != second && ids[2] != second && ids[1] != ids[2], "{ids:?}");
    assert_clean(&store);
}

#[test]
fn create_node_id_stores_what_create_node_stores_and_refuses_alike() {
    // Two twin stores on one manual clock each: one creates through create_node, the other
    // through create_node_id; the nodes read back, the feed and the refusals must be the same.
    let (a, _) = store_with(Preset::Channel);
    let (b, _) = store_with(Preset::Channel);
    let chosen: NodeId = "01900000-0000-7000-8000-0000000000aa".parse().unwrap();
    let plan = |parent: Option<NodeId>| {
        let mut root = NewNode::new("platform", "acme").id(chosen).limit("tenants", 5).email("ops@acme.example");
        root.profile.extra = Some(serde_json::json!({"tier": 2}));
        vec![root, NewNode::new("distributor", "North").parent(parent.unwrap_or(chosen)).status(Status::Disabled)]
    };
    let mut made = Vec::new();
    for new in plan(None) {
        let node = a.write(&sys(), |tx| tx.create_node(&new)).unwrap();
        let id = b.write(&sys(), |tx| tx.create_node_id(&new)).unwrap();
        assert_eq!(id, node.id, "a chosen id, or the same minted one on the same clock");
        assert_eq!(b.get_node(&sys(), id).unwrap(), node);
        made.push(node);
    }
    let feed = |s: &Store| {
        let page = s.read(&sys(), |tx| tx.changes(0, 100)).unwrap();
        page.changes.into_iter().map(|c| (c.op, c.node, c.changes)).collect::<Vec<_>>()
    };
    assert_eq!(feed(&a), feed(&b));
    assert_eq!(feed(&b).len(), 2, "one event per create");

    // The same refusals, each leaving the store unchanged.
    let taken = NewNode::new("distributor", "north").parent(chosen);
    let a_err = refused(&a, "ALREADY_EXISTS", || a.write(&sys(), |tx| tx.create_node(&taken)));
    let b_err = refused(&b, "ALREADY_EXISTS", || b.write(&sys(), |tx| tx.create_node_id(&taken)));
    assert_eq!(a_err, b_err);
    let below_disabled = NewNode::new("sub_distributor", "s").parent(made[1].id);
    refused(&b, "SERVICE_DISABLED", || b.write(&sys(), |tx| tx.create_node_id(&below_disabled)));
    refused(&b, "INVALID_ARGUMENT", || b.write(&sys(), |tx| tx.create_node_id(&NewNode::new("planet", "x"))));
    let full = NewNode::new("distributor", "d").parent(chosen).limit("tenants", 6);
    refused(&b, "INVALID_LIMIT", || b.write(&sys(), |tx| tx.create_node_id(&full)));
    assert!(b.check().unwrap().findings.is_empty());
}

/// Sibling names are unique per kind (format 6 keeps the rule as the `by_name` key, claimed by
/// the create): two kinds may share a name under one parent, a third node may not take it, and
/// a create refused by a check after the claim leaves the name free. The refusals are caught
/// inside one transaction that then commits, so nothing is left to the transaction's rollback.
#[test]
fn sibling_names_are_unique_per_kind_and_a_refused_create_leaves_the_name_free() {
    let (fusion, _) = store_with(Preset::Fusion);
    let g = create(&fusion, "group", "G1", None);
    let dist = create(&fusion, "distributor", "Net NL", Some(g.id));
    let reseller = create(&fusion, "reseller", "net nl", Some(g.id));
    let before = state(&fusion);
    fusion
        .write(&sys(), |tx| {
            for (kind, name, holder) in [("reseller", "NET NL", reseller.id), ("distributor", "net NL", dist.id)] {
                let err = tx.create_node(&NewNode::new(kind, name).parent(g.id)).unwrap_err();
                assert_eq!(err.code(), "ALREADY_EXISTS");
                assert_eq!(err.details()["existing"], holder.to_string());
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(state(&fusion), before);
    assert_clean(&fusion);
    // By name, one name's children in the kinds' schema order (group, distributor, reseller).
    let page = fusion.children(&sys(), Some(g.id), &tenantree::ChildQuery::default()).unwrap();
    assert_eq!(page.items.iter().map(|n| n.id).collect::<Vec<NodeId>>(), [dist.id, reseller.id]);

    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.reseller.id, "tenants", Some(1)).unwrap();
    store.set_limit(&sys(), c.sub.id, "extensions", Some(10)).unwrap();
    let billed =
        store.create_node(&sys(), NewNode::new("tenant", "billed").parent(c.sub.id).billing_id("B-7")).unwrap();
    let bagels = store
        .write(&sys(), |tx| {
            let mut refusals = Vec::new();
            // The name is checked before the quota, as it was before the claim.
            refusals.push(tx.create_node(&NewNode::new("tenant", "Bakery").parent(c.reseller.id)));
            refusals.push(tx.create_node(&NewNode::new("tenant", "bagels").parent(c.reseller.id)));
            // Every check after the claim gives the name back: a chosen id already taken, a
            // limit that does not nest, a billing id in use.
            let under_sub = || NewNode::new("tenant", "bagels").parent(c.sub.id);
            refusals.push(tx.create_node(&under_sub().id(c.tenant.id)));
            refusals.push(tx.create_node(&under_sub().limit("extensions", 11)));
            refusals.push(tx.create_node(&under_sub().billing_id("B-7")));
            let codes: Vec<&str> = refusals.iter().map(|r| r.as_ref().unwrap_err().code()).collect();
            assert_eq!(
                codes,
                ["ALREADY_EXISTS", "QUOTA_EXCEEDED", "ALREADY_EXISTS", "INVALID_LIMIT", "ALREADY_EXISTS"]
            );
            let bakery = refusals[0].as_ref().unwrap_err();
            assert_eq!(bakery.details()["existing"], c.tenant.id.to_string());
            let billing = refusals[4].as_ref().unwrap_err();
            assert_eq!(billing.details()["existing"], billed.id.to_string());
            tx.create_node(&under_sub())
        })
        .unwrap();
    assert_clean(&store);
    assert_eq!(store.get_node(&sys(), c.tenant.id).unwrap().name.as_str(), "bakery");
    store.set_limit(&sys(), c.reseller.id, "tenants", Some(2)).unwrap();
    store.create_node(&sys(), NewNode::new("tenant", "bagels").parent(c.reseller.id)).unwrap();
    let err = refused(&store, "ALREADY_EXISTS", || {
        store.create_node(&sys(), NewNode::new("tenant", "BAGELS").parent(c.sub.id))
    });
    assert_eq!(err.details()["existing"], bagels.id.to_string());
    assert_clean(&store);
}
