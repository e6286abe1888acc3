//! The change feed: one event per committed change, in order, masked, scoped, prunable.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{Actor, NewNode, NewToken, NodeUpdate, Preset, Status, Store};

fn ops(store: &Store, actor: &Actor, after: u64) -> Vec<String> {
    store.read(actor, |tx| tx.changes(after, 1000)).unwrap().changes.into_iter().map(|c| c.op).collect()
}

#[test]
fn every_committed_change_appends_one_event_in_order() {
    let store = store();
    let c = chain(&store);
    let before = store.read(&sys(), |tx| tx.changes(0, 1000)).unwrap().next;
    store
        .update_node(&sys(), c.tenant.id, &NodeUpdate { phone: Some(Some("+1 555 0100".into())), ..Default::default() })
        .unwrap();
    store.set_status(&sys(), c.tenant.id, Status::Disabled).unwrap();
    store.set_status(&sys(), c.tenant.id, Status::Enabled).unwrap();
    store.set_limit(&sys(), c.tenant.id, "extensions", Some(5)).unwrap();
    store.allocate(&sys(), c.tenant.id, "extensions", 2).unwrap();
    store.release(&sys(), c.tenant.id, "extensions", 2).unwrap();
    store.move_node(&sys(), c.reseller.id, Some(c.dist.id)).unwrap();
    store.delete_node(&sys(), c.tenant.id).unwrap();
    // Refused and empty operations leave no event.
    assert!(store.delete_node(&sys(), c.tenant.id).is_ok());
    assert!(store.set_status(&sys(), c.reseller.id, Status::Enabled).is_ok());
    assert!(store.create_node(&sys(), NewNode::new("tenant", "x").parent(c.platform.id)).is_err());
    let page = store.read(&sys(), |tx| tx.changes(before, 1000)).unwrap();
    let got: Vec<&str> = page.changes.iter().map(|c| c.op.as_str()).collect();
    assert_eq!(
        got,
        [
            "node.update",
            "node.status",
            "node.status",
            "node.limits",
            "node.allocate",
            "node.release",
            "node.move",
            "node.delete"
        ]
    );
    assert!(page.changes.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(page.changes[0].changes.as_ref().unwrap()["phone"], "+1 555 0100");
    assert_eq!(page.changes[0].node, Some(c.tenant.id));
    assert_eq!(page.changes[0].actor, Actor::System);
    assert_eq!(page.next, page.changes.last().unwrap().seq);
    assert!(store.read(&sys(), |tx| tx.changes(page.next, 10)).unwrap().changes.is_empty());
}

#[test]
fn a_discarded_transaction_leaves_no_event() {
    let store = store();
    let c = chain(&store);
    let next = store.read(&sys(), |tx| tx.changes(0, 1000)).unwrap().next;
    let _ = store.write(&sys(), |tx| {
        tx.create_node(&NewNode::new("tenant", "t2").parent(c.reseller.id))?;
        Err::<(), _>(tenantree::Error::InvalidArgument { field: "x".into(), reason: "abort".into() })
    });
    assert!(store.read(&sys(), |tx| tx.changes(next, 100)).unwrap().changes.is_empty());
}

#[test]
fn secrets_never_reach_the_feed() {
    let store = store();
    let c = chain(&store);
    let (a, _) = account(&store, "ops", "reseller_admin", Some(c.reseller.id));
    let t = store.issue_token(&sys(), a.id, &NewToken { name: "ci".into(), expires_in: None }).unwrap();
    store.write(&sys(), |tx| tx.set_password(a.id, "An0ther!secret", None)).unwrap();
    let extra = serde_json::json!({"api_token": "abc123", "nested": {"password": "hunter2"}});
    store.update_node(&sys(), c.tenant.id, &NodeUpdate { extra: Some(Some(extra)), ..Default::default() }).unwrap();
    let all = serde_json::to_string(&store.read(&sys(), |tx| tx.changes(0, 1000)).unwrap()).unwrap();
    for secret in [t.secret.as_str(), "An0ther!secret", GOOD_PASSWORD, "abc123", "hunter2", "argon2"] {
        assert!(!all.contains(secret), "{secret} leaked into the feed");
    }
    assert!(all.contains("********"));
    assert!(all.contains("account.password") && all.contains("token.issue"));
}

#[test]
fn readers_see_only_their_scope_including_moves_across_it() {
    let store = store();
    let c = chain(&store);
    let south = create(&store, "distributor", "south", Some(c.platform.id));
    let (_, north) = account(&store, "north", "distributor_admin", Some(c.dist.id));
    let (_, south_admin) = account(&store, "south-admin", "distributor_admin", Some(south.id));
    let start = store.read(&sys(), |tx| tx.changes(0, 1000)).unwrap().next;
    create(&store, "tenant", "n-only", Some(c.reseller.id));
    create(&store, "tenant", "s-only", Some(south.id));
    store.move_node(&sys(), c.reseller.id, Some(south.id)).unwrap();
    store.write(&sys(), |tx| tx.define_role(&tenantree::Role::new("auditor", ["*.list"]))).unwrap();
    assert_eq!(ops(&store, &north, start), ["node.create", "node.move"]);
    assert_eq!(ops(&store, &south_admin, start), ["node.create", "node.move"]);
    let north_names: Vec<String> = store
        .read(&north, |tx| tx.changes(start, 100))
        .unwrap()
        .changes
        .into_iter()
        .filter_map(|c| c.changes.and_then(|v| v["name"].as_str().map(str::to_owned)))
        .collect();
    assert_eq!(north_names, ["n-only"]);
    assert_eq!(ops(&store, &sys(), start).len(), 4, "the system sees the role too");
    // Reading the feed is a permission of its own.
    let (_, user) = account(&store, "reader", "tenant_user", Some(c.tenant.id));
    assert_eq!(store.read(&user, |tx| tx.changes(0, 10)).unwrap_err().code(), "FORBIDDEN");
}

#[test]
fn a_reader_with_a_small_scope_pages_through_a_large_feed() {
    let store = store();
    let c = chain(&store);
    let other = create(&store, "reseller", "busy", Some(c.platform.id));
    store
        .write(&sys(), |tx| {
            for i in 0..1200 {
                tx.create_node(&NewNode::new("tenant", format!("b{i}")).parent(other.id))?;
            }
            Ok(())
        })
        .unwrap();
    create(&store, "tenant", "mine", Some(c.reseller.id));
    let (_, me) = account(&store, "me", "reseller_admin", Some(c.reseller.id));
    let mut after = 0;
    let mut seen = Vec::new();
    for _ in 0..100 {
        let page = store.read(&me, |tx| tx.changes(after, 5)).unwrap();
        seen.extend(page.changes.into_iter().map(|c| c.op));
        if page.next == after {
            break;
        }
        after = page.next;
    }
    // The reseller itself, its tenants bakery and mine, and its account: nothing of the 1200.
    assert_eq!(seen, ["node.create", "node.create", "node.create", "account.create"]);
}

#[test]
fn old_events_are_pruned_and_a_store_can_run_without_a_feed() {
    let (store, clock) = store_with(Preset::Channel);
    let c = chain(&store);
    clock.advance(86_400_000_000);
    let cutoff = tenantree::Clock::now(&clock);
    store.set_status(&sys(), c.tenant.id, Status::Disabled).unwrap();
    let removed = store.write(&sys(), |tx| tx.prune_changes(cutoff)).unwrap();
    assert_eq!(removed, 5, "the five creates of the chain");
    assert_eq!(ops(&store, &sys(), 0), ["node.status"]);
    let (_, dealer) = account(&store, "d", "distributor_admin", Some(c.dist.id));
    assert_eq!(store.write(&dealer, |tx| tx.prune_changes(cutoff)).unwrap_err().code(), "FORBIDDEN");

    let quiet = Store::builder().change_feed(false).in_memory().unwrap();
    quiet.create_node(&sys(), NewNode::new("platform", "p")).unwrap();
    assert!(quiet.read(&sys(), |tx| tx.changes(0, 10)).unwrap().changes.is_empty());
}
