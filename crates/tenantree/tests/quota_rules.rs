//! Quotas: counted and allocated usage rolls up; limits nest; the invariant usage ≤ limit holds
//! at every node.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use std::collections::BTreeMap;

use common::*;
use tenantree::{Actor, NewNode, NodeUpdate, Schema, Status, Store};

#[test]
fn tenant_counts_roll_up_and_are_limited_at_every_level() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "tenants", Some(3)).unwrap();
    create(&store, "tenant", "t2", Some(c.reseller.id));
    create(&store, "tenant", "t3", Some(c.sub.id));
    for n in [&c.platform, &c.dist, &c.sub] {
        assert_eq!(store.kind_counts(&sys(), Some(n.id)).unwrap()["tenant"], 3, "{}", n.name);
    }
    assert_eq!(store.kind_counts(&sys(), Some(c.reseller.id)).unwrap()["tenant"], 2);
    assert_eq!(store.kind_counts(&sys(), None).unwrap()["tenant"], 3);
    let err = refused(&store, "QUOTA_EXCEEDED", || {
        store.create_node(&sys(), NewNode::new("tenant", "t4").parent(c.reseller.id))
    });
    let d = err.details();
    assert_eq!(d["node"], c.dist.id.to_string());
    assert_eq!(d["resource"], "tenants");
    assert_eq!((d["limit"].as_u64(), d["used"].as_u64(), d["requested"].as_u64()), (Some(3), Some(3), Some(1)));
    let q = quota(&store, c.reseller.id, "tenants");
    assert_eq!((q.used, q.limit, q.available), (2, None, Some(0)));
}

#[test]
fn allocations_roll_up_and_the_nearest_exceeded_limit_is_reported() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "extensions", Some(100)).unwrap();
    store.set_limit(&sys(), c.reseller.id, "extensions", Some(50)).unwrap();
    store.set_limit(&sys(), c.tenant.id, "extensions", Some(40)).unwrap();
    let q = store.allocate(&sys(), c.tenant.id, "extensions", 30).unwrap();
    assert_eq!((q.used, q.allocated, q.limit, q.available), (30, 30, Some(40), Some(10)));
    assert_eq!(quota(&store, c.dist.id, "extensions").used, 30);
    assert_eq!(quota(&store, c.platform.id, "extensions").used, 30);
    let err = refused(&store, "QUOTA_EXCEEDED", || store.allocate(&sys(), c.tenant.id, "extensions", 11));
    assert_eq!(err.details()["node"], c.tenant.id.to_string());
    // The reseller's own allocation counts against it and its ancestors.
    store.allocate(&sys(), c.reseller.id, "extensions", 15).unwrap();
    let err = refused(&store, "QUOTA_EXCEEDED", || store.allocate(&sys(), c.tenant.id, "extensions", 6));
    assert_eq!(err.details()["node"], c.reseller.id.to_string());
    assert_eq!(err.details()["used"], 45);
    store.allocate(&sys(), c.tenant.id, "extensions", 5).unwrap();
    assert_eq!(quota(&store, c.dist.id, "extensions").used, 50);
    store.release(&sys(), c.tenant.id, "extensions", 35).unwrap();
    assert_eq!(quota(&store, c.dist.id, "extensions").used, 15);
    assert_eq!(quota(&store, c.tenant.id, "extensions").allocated, 0);
    assert_clean(&store);
}

#[test]
fn bad_allocations_are_refused() {
    let store = store();
    let c = chain(&store);
    refused(&store, "INVALID_ARGUMENT", || store.allocate(&sys(), c.tenant.id, "tenants", 1));
    refused(&store, "INVALID_ARGUMENT", || store.allocate(&sys(), c.tenant.id, "bananas", 1));
    refused(&store, "INVALID_ARGUMENT", || store.allocate(&sys(), c.tenant.id, "extensions", 0));
    store.allocate(&sys(), c.tenant.id, "extensions", 2).unwrap();
    let err = refused(&store, "INVALID_ARGUMENT", || store.release(&sys(), c.tenant.id, "extensions", 3));
    assert!(err.to_string().contains("only 2 allocated"), "{err}");
    // Quantities stop at 2^53 - 1, the largest integer JavaScript holds exactly.
    let max = tenantree::limits::QUANTITY;
    store.allocate(&sys(), c.tenant.id, "disk_bytes", max).unwrap();
    let err = refused(&store, "INVALID_ARGUMENT", || store.allocate(&sys(), c.tenant.id, "disk_bytes", max + 1));
    assert_eq!(err.details()["field"], "amount");
    refused(&store, "INVALID_ARGUMENT", || store.set_limit(&sys(), c.tenant.id, "extensions", Some(max + 1)));
}

#[test]
fn allocation_is_refused_below_a_disabled_node_but_release_is_not() {
    let store = store();
    let c = chain(&store);
    store.allocate(&sys(), c.tenant.id, "extensions", 5).unwrap();
    store.set_status(&sys(), c.sub.id, Status::Suspended { profile: 1 }).unwrap();
    let err = refused(&store, "SERVICE_DISABLED", || store.allocate(&sys(), c.tenant.id, "extensions", 1));
    assert_eq!(err.details()["disabledBy"], c.sub.id.to_string());
    store.release(&sys(), c.tenant.id, "extensions", 5).unwrap();
    // Reads still work.
    assert_eq!(store.get_node(&sys(), c.tenant.id).unwrap().effective_status.source, Some(c.sub.id));
}

#[test]
fn a_limit_cannot_go_below_usage() {
    let store = store();
    let c = chain(&store);
    create(&store, "tenant", "t2", Some(c.reseller.id));
    let err = refused(&store, "INVALID_LIMIT", || store.set_limit(&sys(), c.reseller.id, "tenants", Some(1)));
    assert_eq!(err.details()["reason"]["rule"], "belowUsage");
    assert_eq!(err.details()["reason"]["used"], 2);
    store.set_limit(&sys(), c.reseller.id, "tenants", Some(2)).unwrap();
    store.allocate(&sys(), c.tenant.id, "call_queues", 4).unwrap();
    refused(&store, "INVALID_LIMIT", || store.set_limit(&sys(), c.dist.id, "call_queues", Some(3)));
    store.set_limit(&sys(), c.dist.id, "call_queues", Some(4)).unwrap();
    assert_clean(&store);
}

#[test]
fn a_child_limit_never_exceeds_its_ancestors_and_lowering_checks_descendants() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "extensions", Some(100)).unwrap();
    let err = refused(&store, "INVALID_LIMIT", || store.set_limit(&sys(), c.tenant.id, "extensions", Some(101)));
    assert_eq!(err.details()["reason"]["ancestor"], c.dist.id.to_string());
    store.set_limit(&sys(), c.tenant.id, "extensions", Some(80)).unwrap();
    // Lowering the distributor below the tenant's limit is refused, naming the tenant.
    let err = refused(&store, "INVALID_LIMIT", || store.set_limit(&sys(), c.dist.id, "extensions", Some(79)));
    assert_eq!(err.details()["reason"]["rule"], "belowDescendant");
    assert_eq!(err.details()["reason"]["descendant"], c.tenant.id.to_string());
    // After the tenant's limit drops, the stored bound is stale; lowering still works.
    store.set_limit(&sys(), c.tenant.id, "extensions", Some(10)).unwrap();
    store.set_limit(&sys(), c.dist.id, "extensions", Some(20)).unwrap();
    // Removing a limit is always allowed; with it gone, the next one down governs.
    store.set_limit(&sys(), c.tenant.id, "extensions", None).unwrap();
    store.set_limit(&sys(), c.dist.id, "extensions", Some(1)).unwrap();
    assert_clean(&store);
}

#[test]
fn set_limits_is_all_or_nothing_and_bumps_the_version() {
    let store = store();
    let c = chain(&store);
    create(&store, "tenant", "t2", Some(c.reseller.id));
    let changes = BTreeMap::from([("extensions".to_owned(), Some(5)), ("tenants".to_owned(), Some(1))]);
    refused(&store, "INVALID_LIMIT", || store.write(&sys(), |tx| tx.set_limits(c.reseller.id, &changes, None)));
    let changes = BTreeMap::from([("extensions".to_owned(), Some(5)), ("tenants".to_owned(), Some(2))]);
    let n = store.write(&sys(), |tx| tx.set_limits(c.reseller.id, &changes, Some(1))).unwrap();
    assert_eq!(n.version, 2);
    assert_eq!(n.limits.get("extensions"), Some(&5));
    refused(&store, "CONFLICT", || store.write(&sys(), |tx| tx.set_limits(c.reseller.id, &changes, Some(1))));
}

fn no_overcommit() -> Store {
    let mut schema = Schema::channel();
    schema.allow_overcommit = false;
    Store::builder().schema(schema).in_memory().unwrap()
}

#[test]
fn without_overcommit_children_limits_fit_in_the_parent() {
    let store = no_overcommit();
    let s = Actor::system();
    let root = store.create_node(&s, NewNode::new("platform", "p")).unwrap();
    let d = store.create_node(&s, NewNode::new("distributor", "d").parent(root.id).limit("extensions", 100)).unwrap();
    let r1 = store.create_node(&s, NewNode::new("reseller", "r1").parent(d.id).limit("extensions", 60)).unwrap();
    let err = refused(&store, "INVALID_LIMIT", || {
        store.create_node(&s, NewNode::new("reseller", "r2").parent(d.id).limit("extensions", 41))
    });
    assert_eq!(err.details()["reason"]["rule"], "overcommit");
    assert_eq!(err.details()["reason"]["childrenSum"], 101);
    let r2 = store.create_node(&s, NewNode::new("reseller", "r2").parent(d.id).limit("extensions", 40)).unwrap();
    refused(&store, "INVALID_LIMIT", || store.set_limit(&s, r2.id, "extensions", Some(41)));
    refused(&store, "INVALID_LIMIT", || store.set_limit(&s, d.id, "extensions", Some(99)));
    store.set_limit(&s, r1.id, "extensions", Some(50)).unwrap();
    store.set_limit(&s, d.id, "extensions", Some(90)).unwrap();
    store.delete_node(&s, r2.id).unwrap();
    store.set_limit(&s, d.id, "extensions", Some(50)).unwrap();
    assert_clean(&store);
}

#[test]
fn quotas_list_every_resource() {
    let store = store();
    let c = chain(&store);
    let quotas = store.quotas(&sys(), c.tenant.id).unwrap();
    let names: Vec<&str> = quotas.iter().map(|q| q.resource.as_str()).collect();
    assert_eq!(
        names,
        [
            "tenants",
            "extensions",
            "concurrent_calls",
            "ring_groups",
            "virtual_receptionists",
            "call_queues",
            "conference_rooms",
            "disk_bytes"
        ]
    );
    assert!(quotas.iter().all(|q| q.used == 0 && q.limit.is_none() && q.available.is_none()));
}

#[test]
fn a_node_with_its_quotas_is_get_node_and_quotas_in_one_read() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.dist.id, "extensions", Some(10)).unwrap();
    store.allocate(&sys(), c.tenant.id, "extensions", 3).unwrap();
    store.set_status(&sys(), c.sub.id, Status::Disabled).unwrap();
    for id in [c.platform.id, c.dist.id, c.sub.id, c.reseller.id, c.tenant.id] {
        let both = store.get_node_with_quotas(&sys(), id).unwrap();
        assert_eq!(both.node, store.get_node(&sys(), id).unwrap());
        assert_eq!(both.quotas, store.quotas(&sys(), id).unwrap());
        assert_eq!(store.read(&sys(), |tx| tx.get_node_with_quotas(id)).unwrap(), both);
        assert_eq!(store.write(&sys(), |tx| tx.get_node_with_quotas(id)).unwrap(), both);
    }
    let tenant = store.get_node_with_quotas(&sys(), c.tenant.id).unwrap();
    assert_eq!(tenant.node.effective_status.source, Some(c.sub.id), "the status in force comes from above");
    let extensions = tenant.quotas.iter().find(|q| q.resource == "extensions").unwrap();
    assert_eq!((extensions.used, extensions.available), (3, Some(7)), "the distributor's limit is the tightest");
    // Inside a write, it sees the transaction's own changes.
    let seen = store
        .write(&sys(), |tx| {
            tx.release(c.tenant.id, "extensions", 1)?;
            tx.get_node_with_quotas(c.tenant.id)
        })
        .unwrap();
    assert_eq!(seen.quotas.iter().find(|q| q.resource == "extensions").unwrap().used, 2);
    // The same refusals as get_node: missing, and outside the actor's scope.
    let missing: tenantree::NodeId = "01900000-0000-7000-8000-00000000abcd".parse().unwrap();
    assert_eq!(store.get_node_with_quotas(&sys(), missing).unwrap_err().code(), "NOT_FOUND");
    let south = create(&store, "distributor", "south", Some(c.platform.id));
    let (_, dealer) = account(&store, "north-admin", "distributor_admin", Some(c.dist.id));
    assert_eq!(store.get_node_with_quotas(&dealer, south.id).unwrap_err().code(), "NOT_FOUND");
    assert_eq!(store.get_node_with_quotas(&dealer, c.tenant.id).unwrap().node.id, c.tenant.id);
    // In JSON: the node and the list, under their names.
    let json = serde_json::to_value(&tenant).unwrap();
    assert_eq!(json["node"]["name"], "bakery");
    assert_eq!(json["quotas"].as_array().unwrap().len(), tenant.quotas.len());
}

#[test]
fn a_node_with_its_quotas_read_into_a_kept_record_is_the_record_read_anew() {
    let store = store();
    let c = chain(&store);
    // Nodes that differ in all a kept record must be rewritten for: kind, name, limits (none,
    // one, two, and one of another name than the last node's one), profile fields and extra
    // data set on one and not the next or set to another value, status, usage.
    store.set_limit(&sys(), c.dist.id, "extensions", Some(10)).unwrap();
    store.set_limit(&sys(), c.sub.id, "extensions", Some(9)).unwrap();
    store.set_limit(&sys(), c.sub.id, "tenants", Some(5)).unwrap();
    store.set_limit(&sys(), c.reseller.id, "tenants", Some(4)).unwrap();
    let profile = NodeUpdate {
        display_name: Some(Some("The sub-distributor of the north".into())),
        email: Some(Some("sub@example.com".into())),
        billing_id: Some(Some("B-1".into())),
        extra: Some(Some(serde_json::json!({ "tier": "gold", "seats": [1, 2] }))),
        ..Default::default()
    };
    store.update_node(&sys(), c.sub.id, &profile).unwrap();
    let email = NodeUpdate { email: Some(Some("bakery@example.org".into())), ..Default::default() };
    store.update_node(&sys(), c.tenant.id, &email).unwrap();
    store.allocate(&sys(), c.tenant.id, "extensions", 3).unwrap();
    store.set_status(&sys(), c.reseller.id, Status::Suspended { profile: 2 }).unwrap();
    let ids = [c.platform.id, c.dist.id, c.sub.id, c.reseller.id, c.tenant.id];
    // Every node after every other (dist and reseller: one limit each, of other names; sub and
    // tenant: both with an e-mail, another one).
    let mut kept = store.get_node_with_quotas(&sys(), c.tenant.id).unwrap();
    for (i, j) in (0..5).flat_map(|i| (0..5).map(move |j| (i, j))) {
        for k in [i, j] {
            store.get_node_with_quotas_into(&sys(), ids[k], &mut kept).unwrap();
            assert_eq!(kept, store.get_node_with_quotas(&sys(), ids[k]).unwrap(), "node {k} after node {i}");
        }
    }
    store.read(&sys(), |tx| tx.get_node_with_quotas_into(c.sub.id, &mut kept)).unwrap();
    assert_eq!(kept, store.get_node_with_quotas(&sys(), c.sub.id).unwrap(), "in a read");
    // Inside a write, it sees the transaction's own changes.
    store
        .write(&sys(), |tx| {
            tx.set_limits(c.dist.id, &BTreeMap::from([("extensions".to_owned(), Some(12))]), None)?;
            tx.get_node_with_quotas_into(c.dist.id, &mut kept)?;
            assert_eq!(kept, tx.get_node_with_quotas(c.dist.id)?);
            Ok(())
        })
        .unwrap();
    assert_eq!(kept.node.limits, BTreeMap::from([("extensions".to_owned(), 12)]));
    // A refusal is the same as the read's, and the record read into next is whole again.
    let missing: tenantree::NodeId = "01900000-0000-7000-8000-00000000abcd".parse().unwrap();
    let err = store.get_node_with_quotas_into(&sys(), missing, &mut kept).unwrap_err();
    assert_eq!(err.code(), "NOT_FOUND");
    let (_, dealer) = account(&store, "north-admin", "distributor_admin", Some(c.dist.id));
    let south = create(&store, "distributor", "south", Some(c.platform.id));
    assert_eq!(store.get_node_with_quotas_into(&dealer, south.id, &mut kept).unwrap_err().code(), "NOT_FOUND");
    store.get_node_with_quotas_into(&dealer, c.sub.id, &mut kept).unwrap();
    assert_eq!(kept, store.get_node_with_quotas(&sys(), c.sub.id).unwrap());
    // A record from a store of another schema, with more quotas than this one has: the list
    // ends where this schema's does.
    let (clients, _) = store_with(tenantree::Preset::Clients);
    let client = create(&clients, "client", "acme", None);
    let theirs = clients.get_node_with_quotas(&sys(), client.id).unwrap();
    assert!(theirs.quotas.len() < kept.quotas.len(), "{} quotas against {}", theirs.quotas.len(), kept.quotas.len());
    clients.get_node_with_quotas_into(&sys(), client.id, &mut kept).unwrap();
    assert_eq!(kept, theirs);
    store.get_node_with_quotas_into(&sys(), c.tenant.id, &mut kept).unwrap();
    assert_eq!(kept, store.get_node_with_quotas(&sys(), c.tenant.id).unwrap());
}

#[test]
fn the_largest_limits_on_many_siblings_do_not_overflow_the_bookkeeping() {
    let store = store();
    let c = chain(&store);
    let max = tenantree::limits::QUANTITY;
    for i in 0..5 {
        store
            .create_node(
                &sys(),
                NewNode::new("tenant", format!("big{i}")).parent(c.reseller.id).limit("extensions", max),
            )
            .unwrap();
    }
    store.set_limit(&sys(), c.reseller.id, "extensions", Some(max)).unwrap();
    assert_clean(&store);
}
