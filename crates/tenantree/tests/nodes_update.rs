//! Updating nodes: partial updates, versions, renames, and status that cascades.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{EffectiveStatus, NewNode, NodeUpdate, Preset, Status};

#[test]
fn partial_updates_change_only_the_given_fields() {
    let (store, clock) = store_with(Preset::Channel);
    let root = create(&store, "platform", "acme", None);
    let d = store
        .create_node(
            &sys(),
            NewNode::new("distributor", "north").parent(root.id).email("a@north.example").display_name("North"),
        )
        .unwrap();
    clock.advance(1_000);
    let upd = NodeUpdate { phone: Some(Some("+1 555 0100".into())), email: Some(None), ..Default::default() };
    let n = store.update_node(&sys(), d.id, &upd).unwrap();
    assert_eq!(n.profile.phone.as_deref(), Some("+1 555 0100"));
    assert_eq!(n.profile.email, None);
    assert_eq!(n.profile.display_name.as_deref(), Some("North"));
    assert_eq!(n.version, 2);
    assert_eq!(n.created, d.created);
    assert!(n.updated > d.updated);
    // An update that changes nothing keeps the version.
    let same = store.update_node(&sys(), d.id, &upd).unwrap();
    assert_eq!(same.version, 2);
    let extra = NodeUpdate { extra: Some(Some(serde_json::json!({"k": "v"}))), ..Default::default() };
    assert_eq!(store.update_node(&sys(), d.id, &extra).unwrap().profile.extra, Some(serde_json::json!({"k": "v"})));
}

#[test]
fn a_stale_version_is_a_conflict() {
    let store = store();
    let root = create(&store, "platform", "acme", None);
    let upd = NodeUpdate { display_name: Some(Some("A".into())), expected_version: Some(1), ..Default::default() };
    store.update_node(&sys(), root.id, &upd).unwrap();
    let err = refused(&store, "CONFLICT", || store.update_node(&sys(), root.id, &upd));
    assert_eq!((err.details()["expected"].as_u64(), err.details()["actual"].as_u64()), (Some(1), Some(2)));
    refused(&store, "CONFLICT", || store.write(&sys(), |tx| tx.set_status(root.id, Status::Disabled, Some(1))));
}

#[test]
fn renames_keep_uniqueness_and_indexes() {
    let store = store();
    let c = chain(&store);
    let other = create(&store, "distributor", "south", Some(c.platform.id));
    refused(&store, "ALREADY_EXISTS", || {
        store.update_node(&sys(), other.id, &NodeUpdate { name: Some("North".into()), ..Default::default() })
    });
    refused(&store, "INVALID_ARGUMENT", || {
        store.update_node(&sys(), other.id, &NodeUpdate { name: Some("admin".into()), ..Default::default() })
    });
    // A change of case only is allowed (the node owns its folded name).
    let n =
        store.update_node(&sys(), c.dist.id, &NodeUpdate { name: Some("NORTH".into()), ..Default::default() }).unwrap();
    assert_eq!(n.name.as_str(), "NORTH");
    let n =
        store.update_node(&sys(), other.id, &NodeUpdate { name: Some("west".into()), ..Default::default() }).unwrap();
    assert_eq!(n.name.as_str(), "west");
    // The freed name can be used again.
    create(&store, "distributor", "south", Some(c.platform.id));
    assert_clean(&store);
}

#[test]
fn billing_id_changes_are_checked() {
    let store = store();
    let root = create(&store, "platform", "acme", None);
    let a = store.create_node(&sys(), NewNode::new("distributor", "a").parent(root.id).billing_id("B1")).unwrap();
    let b = create(&store, "distributor", "b", Some(root.id));
    refused(&store, "ALREADY_EXISTS", || {
        store.update_node(&sys(), b.id, &NodeUpdate { billing_id: Some(Some("B1".into())), ..Default::default() })
    });
    store.update_node(&sys(), a.id, &NodeUpdate { billing_id: Some(None), ..Default::default() }).unwrap();
    store.update_node(&sys(), b.id, &NodeUpdate { billing_id: Some(Some("B1".into())), ..Default::default() }).unwrap();
    assert_clean(&store);
}

#[test]
fn status_cascades_to_the_whole_subtree_and_back() {
    let store = store();
    let c = chain(&store);
    let n = store.set_status(&sys(), c.dist.id, Status::Disabled).unwrap();
    assert_eq!(n.version, 2);
    for id in [c.sub.id, c.reseller.id, c.tenant.id] {
        let got = store.get_node(&sys(), id).unwrap();
        assert_eq!(got.status, Status::Enabled, "own status unchanged");
        assert_eq!(got.effective_status, EffectiveStatus { status: Status::Disabled, source: Some(c.dist.id) });
        assert!(got.effective_status.is_inherited(id));
    }
    assert!(store.get_node(&sys(), c.platform.id).unwrap().effective_status.is_enabled());
    // The nearest node that is off wins.
    store.set_status(&sys(), c.reseller.id, Status::Suspended { profile: 9 }).unwrap();
    let t = store.get_node(&sys(), c.tenant.id).unwrap();
    assert_eq!(t.effective_status.source, Some(c.reseller.id));
    assert_eq!(t.effective_status.status, Status::Suspended { profile: 9 });
    store.set_status(&sys(), c.reseller.id, Status::Enabled).unwrap();
    store.set_status(&sys(), c.dist.id, Status::Enabled).unwrap();
    assert!(store.get_node(&sys(), c.tenant.id).unwrap().effective_status.is_enabled());
    // Updates of a disabled node's own fields still work; only creation and allocation stop.
    store.set_status(&sys(), c.tenant.id, Status::Disabled).unwrap();
    store
        .update_node(&sys(), c.tenant.id, &NodeUpdate { display_name: Some(Some("x".into())), ..Default::default() })
        .unwrap();
}

#[test]
fn status_strings_parse() {
    assert_eq!("enabled".parse::<Status>().unwrap(), Status::Enabled);
    assert_eq!("suspended:3".parse::<Status>().unwrap(), Status::Suspended { profile: 3 });
    assert_eq!("suspended".parse::<Status>().unwrap(), Status::Suspended { profile: 0 });
    assert!("paused".parse::<Status>().is_err());
    assert!("suspended:x".parse::<Status>().is_err());
}
