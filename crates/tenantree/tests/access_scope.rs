//! Scoped access: accounts see their subtree and nothing else; permissions, self-administration,
//! 001's tenant_full_access and disabled scopes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{ChildQuery, DescendantQuery, NewAccount, NewNode, NodeUpdate, Op, Status};

#[test]
fn outside_the_scope_everything_is_not_found() {
    let store = store();
    let c = chain(&store);
    let south = create(&store, "distributor", "south", Some(c.platform.id));
    let south_tenant = create(&store, "tenant", "far", Some(south.id));
    let (_, dealer) = account(&store, "north-admin", "distributor_admin", Some(c.dist.id));
    for id in [c.platform.id, south.id, south_tenant.id] {
        assert_eq!(store.get_node(&dealer, id).unwrap_err().code(), "NOT_FOUND");
        assert_eq!(store.children(&dealer, Some(id), &ChildQuery::default()).unwrap_err().code(), "NOT_FOUND");
        assert_eq!(store.quotas(&dealer, id).unwrap_err().code(), "NOT_FOUND");
        refused(&store, "NOT_FOUND", || store.set_status(&dealer, id, Status::Disabled));
        refused(&store, "NOT_FOUND", || store.allocate(&dealer, id, "extensions", 1));
        refused(&store, "NOT_FOUND", || store.create_node(&dealer, NewNode::new("tenant", "x").parent(id)));
        refused(&store, "NOT_FOUND", || store.create_account(&dealer, NewAccount::new("spy", "tenant_user").node(id)));
    }
    // A delete outside the scope looks like a delete of nothing.
    assert!(!store.delete_node(&dealer, south_tenant.id).unwrap());
    store.get_node(&sys(), south_tenant.id).unwrap();
    // Moving into or out of the scope is a move to or from nowhere.
    refused(&store, "NOT_FOUND", || store.move_node(&dealer, c.reseller.id, Some(south.id)));
    refused(&store, "NOT_FOUND", || store.move_node(&dealer, south_tenant.id, Some(c.reseller.id)));
    // The error names the id asked for, nothing about the node behind it.
    let err = store.get_node(&dealer, south.id).unwrap_err();
    assert!(!err.to_string().contains("south"), "{err}");
}

#[test]
fn listings_and_counts_stay_inside_the_scope() {
    let store = store();
    let c = chain(&store);
    let south = create(&store, "distributor", "south", Some(c.platform.id));
    for i in 0..3 {
        create(&store, "tenant", &format!("s{i}"), Some(south.id));
    }
    create(&store, "tenant", "n2", Some(c.reseller.id));
    let (_, dealer) = account(&store, "north-admin", "distributor_admin", Some(c.dist.id));
    // The top level, for a scoped account, is its own node.
    let top = store.children(&dealer, None, &ChildQuery::default()).unwrap();
    assert_eq!((top.total, top.items[0].id), (1, c.dist.id));
    let counts = store.kind_counts(&dealer, None).unwrap();
    assert_eq!((counts["tenant"], counts["distributor"], counts["platform"]), (2, 1, 0));
    let tenants =
        store.descendants(&dealer, None, &DescendantQuery { kind: "tenant".into(), ..Default::default() }).unwrap();
    assert_eq!(tenants.total, 2);
    assert!(tenants.items.iter().all(|n| n.name.as_str().starts_with('n') || n.name.as_str() == "bakery"));
    let dists = store
        .descendants(&dealer, None, &DescendantQuery { kind: "distributor".into(), ..Default::default() })
        .unwrap();
    assert_eq!((dists.total, dists.items.len(), dists.items[0].id), (1, 1, c.dist.id));
    // Ancestors above the scope are not shown.
    let up = store.ancestors(&dealer, c.tenant.id).unwrap();
    assert_eq!(up.iter().map(|n| n.id).collect::<Vec<_>>(), vec![c.dist.id, c.sub.id, c.reseller.id]);
    // A cursor cannot lead outside: it only continues the caller's own query.
    let all = store
        .descendants(&sys(), None, &DescendantQuery { kind: "tenant".into(), limit: Some(1), ..Default::default() })
        .unwrap();
    let foreign = DescendantQuery { kind: "tenant".into(), cursor: all.next, ..Default::default() };
    assert_eq!(store.descendants(&dealer, None, &foreign).unwrap_err().code(), "INVALID_ARGUMENT");
    assert_eq!(store.check().map(|r| r.is_clean()), Ok(true));
    assert_eq!(store.read(&dealer, |tx| tx.check()).unwrap_err().code(), "FORBIDDEN");
}

#[test]
fn roles_decide_what_a_visible_node_allows() {
    let store = store();
    let c = chain(&store);
    let (_, user) = account(&store, "reader", "tenant_user", Some(c.tenant.id));
    store.get_node(&user, c.tenant.id).unwrap();
    let err = refused(&store, "FORBIDDEN", || {
        store.update_node(
            &user,
            c.tenant.id,
            &NodeUpdate { display_name: Some(Some("x".into())), ..Default::default() },
        )
    });
    assert_eq!(err.details()["action"], "tenant.instance.update");
    refused(&store, "FORBIDDEN", || store.allocate(&user, c.tenant.id, "extensions", 1));
    let (_, admin) = account(&store, "tadmin", "tenant_admin", Some(c.tenant.id));
    store
        .update_node(
            &admin,
            c.tenant.id,
            &NodeUpdate { display_name: Some(Some("Bakery".into())), ..Default::default() },
        )
        .unwrap();
    store.allocate(&admin, c.tenant.id, "extensions", 2).unwrap();
}

#[test]
fn an_account_cannot_rule_over_its_own_node() {
    let store = store();
    let c = chain(&store);
    let (_, dealer) = account(&store, "res-admin", "reseller_admin", Some(c.reseller.id));
    refused(&store, "FORBIDDEN", || store.set_status(&dealer, c.reseller.id, Status::Enabled));
    refused(&store, "FORBIDDEN", || store.set_limit(&dealer, c.reseller.id, "tenants", Some(1000)));
    refused(&store, "FORBIDDEN", || store.delete_node(&dealer, c.reseller.id));
    refused(&store, "FORBIDDEN", || {
        store.update_node(&dealer, c.reseller.id, &NodeUpdate { tenant_full_access: Some(false), ..Default::default() })
    });
    // It may describe itself and rule below itself.
    store
        .update_node(
            &dealer,
            c.reseller.id,
            &NodeUpdate { phone: Some(Some("+32 2 555 01 01".into())), ..Default::default() },
        )
        .unwrap();
    store.set_status(&dealer, c.tenant.id, Status::Suspended { profile: 1 }).unwrap();
    store.set_limit(&dealer, c.tenant.id, "extensions", Some(10)).unwrap();
    let t = store.create_node(&dealer, NewNode::new("tenant", "new").parent(c.reseller.id)).unwrap();
    assert!(store.delete_node(&dealer, t.id).unwrap());
}

#[test]
fn tenant_full_access_off_lets_dealers_see_but_not_change_tenants() {
    let store = store();
    let c = chain(&store);
    let (_, sub_admin) = account(&store, "sub-admin", "sub_distributor_admin", Some(c.sub.id));
    let (_, dist_admin) = account(&store, "dist-admin", "distributor_admin", Some(c.dist.id));
    // The distributor turns it off for the reseller below it.
    store
        .update_node(&dist_admin, c.reseller.id, &NodeUpdate { tenant_full_access: Some(false), ..Default::default() })
        .unwrap();
    let (_, res_admin) = account(&store, "res-admin", "reseller_admin", Some(c.reseller.id));
    for who in [&res_admin, &sub_admin] {
        store.get_node(who, c.tenant.id).unwrap();
        let err = refused(&store, "FORBIDDEN", || store.set_status(who, c.tenant.id, Status::Disabled));
        assert!(err.to_string().contains("tenant_full_access"), "{err}");
        refused(&store, "FORBIDDEN", || {
            store.update_node(
                who,
                c.tenant.id,
                &NodeUpdate { display_name: Some(Some("x".into())), ..Default::default() },
            )
        });
        refused(&store, "FORBIDDEN", || store.allocate(who, c.tenant.id, "extensions", 1));
    }
    // Creating tenants is still the reseller's business.
    store.create_node(&res_admin, NewNode::new("tenant", "fresh").parent(c.reseller.id)).unwrap();
    // The tenant's own admin is not a dealer: the flag does not concern it.
    let (_, tenant_admin) = account(&store, "t-admin", "tenant_admin", Some(c.tenant.id));
    store.allocate(&tenant_admin, c.tenant.id, "extensions", 1).unwrap();
    // The flag also sits between the distributor and the tenant, so the distributor only reads
    // too; only the system (or an account above the distributor) changes the tenant.
    refused(&store, "FORBIDDEN", || store.set_status(&dist_admin, c.tenant.id, Status::Disabled));
    store.set_status(&sys(), c.tenant.id, Status::Disabled).unwrap();
}

#[test]
fn a_disabled_scope_reads_but_does_not_write() {
    let store = store();
    let c = chain(&store);
    let (_, res_admin) = account(&store, "res-admin", "reseller_admin", Some(c.reseller.id));
    store.set_status(&sys(), c.sub.id, Status::Suspended { profile: 3 }).unwrap();
    let session = store.login("res-admin", GOOD_PASSWORD).unwrap();
    assert!(session.read_only);
    store.get_node(&res_admin, c.tenant.id).unwrap();
    store.children(&res_admin, Some(c.reseller.id), &ChildQuery::default()).unwrap();
    let err = refused(&store, "SERVICE_DISABLED", || {
        store.update_node(
            &res_admin,
            c.tenant.id,
            &NodeUpdate { display_name: Some(Some("x".into())), ..Default::default() },
        )
    });
    assert_eq!(err.details()["disabledBy"], c.sub.id.to_string());
    refused(&store, "SERVICE_DISABLED", || store.release(&res_admin, c.tenant.id, "extensions", 1));
    refused(&store, "SERVICE_DISABLED", || {
        store.create_account(&res_admin, NewAccount::new("new-admin", "tenant_admin").node(c.tenant.id))
    });
}

#[test]
fn a_batch_by_an_account_is_checked_operation_by_operation() {
    let store = store();
    let c = chain(&store);
    let south = create(&store, "distributor", "south", Some(c.platform.id));
    let (_, dealer) = account(&store, "north-admin", "distributor_admin", Some(c.dist.id));
    let ops: Vec<Op> = serde_json::from_value(serde_json::json!([
        {"op": "createNode", "kind": "tenant", "name": "ok", "parent": c.reseller.id},
        {"op": "setStatus", "id": south.id, "status": {"state": "disabled"}},
    ]))
    .unwrap();
    let err = refused(&store, "NOT_FOUND", || store.batch(&dealer, &ops));
    assert_eq!(err.details()["index"], 1);
}

/// A name unique store-wide, or a billing id unique in a wide scope, can be held outside the
/// caller's subtree: the refusal says it is taken without naming the node that holds it. Inside
/// the scope, and for the system, the holder is named.
#[test]
fn a_taken_name_outside_the_scope_is_refused_without_its_holder() {
    let store = store();
    let c = chain(&store);
    let south = create(&store, "distributor", "south", Some(c.platform.id));
    let hidden = create(&store, "sub_distributor", "south-west", Some(south.id));
    let billed = store.create_node(&sys(), NewNode::new("tenant", "far").parent(south.id).billing_id("B-9")).unwrap();
    let (_, dealer) = account(&store, "north-admin", "distributor_admin", Some(c.dist.id));
    let taken = || NewNode::new("sub_distributor", "SOUTH-WEST").parent(c.dist.id);
    let err = refused(&store, "ALREADY_EXISTS", || store.create_node(&dealer, taken()));
    assert!(err.details()["existing"].is_null(), "{:?}", err.details());
    assert!(!err.to_string().contains(&hidden.id.to_string()), "{err}");
    let err = refused(&store, "ALREADY_EXISTS", || store.create_node(&sys(), taken()));
    assert_eq!(err.details()["existing"], hidden.id.to_string());
    // A rename to it, and a billing id held outside the scope, alike.
    let rename = NodeUpdate { name: Some("south-west".into()), ..Default::default() };
    let err = refused(&store, "ALREADY_EXISTS", || store.update_node(&dealer, c.sub.id, &rename));
    assert!(err.details()["existing"].is_null(), "{:?}", err.details());
    let billing = || NewNode::new("tenant", "near").parent(c.reseller.id).billing_id("B-9");
    let err = refused(&store, "ALREADY_EXISTS", || store.create_node(&dealer, billing()));
    assert!(err.details()["existing"].is_null(), "{:?}", err.details());
    let err = refused(&store, "ALREADY_EXISTS", || store.create_node(&sys(), billing()));
    assert_eq!(err.details()["existing"], billed.id.to_string());
    // A sibling inside the scope is named.
    let err = refused(&store, "ALREADY_EXISTS", || {
        store.create_node(&dealer, NewNode::new("tenant", "BAKERY").parent(c.reseller.id))
    });
    assert_eq!(err.details()["existing"], c.tenant.id.to_string());
}
