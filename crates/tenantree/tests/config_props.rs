//! Configuration properties (003): upsert, replace, delete, reads with keys and search, merged
//! reads down the tree, and secrets masked on every read path.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{MASK, PropQuery, Properties, Role, namespaces};

fn props(v: serde_json::Value) -> Properties {
    serde_json::from_value(v).unwrap()
}

#[test]
fn upsert_replace_and_delete_keys() {
    let store = store();
    let c = chain(&store);
    let ns = namespaces::GENERAL;
    let got = store
        .write(&sys(), |tx| {
            tx.upsert_props(c.reseller.id, ns, &props(serde_json::json!({"max_calls": 30, "lang": "nl"})))
        })
        .unwrap();
    assert_eq!(got, props(serde_json::json!({"max_calls": 30, "lang": "nl"})));
    store.write(&sys(), |tx| tx.upsert_props(c.reseller.id, ns, &props(serde_json::json!({"max_calls": 25})))).unwrap();
    let read = store.read(&sys(), |tx| tx.props(c.reseller.id, ns, &PropQuery::default())).unwrap();
    assert_eq!(read, props(serde_json::json!({"max_calls": 25, "lang": "nl"})), "an upsert keeps other keys");
    store.write(&sys(), |tx| tx.replace_props(c.reseller.id, ns, &props(serde_json::json!({"only": true})))).unwrap();
    let read = store.read(&sys(), |tx| tx.props(c.reseller.id, ns, &PropQuery::default())).unwrap();
    assert_eq!(read, props(serde_json::json!({"only": true})), "a replace drops the rest");
    let removed =
        store.write(&sys(), |tx| tx.delete_props(c.reseller.id, ns, &["only".to_owned(), "never".to_owned()])).unwrap();
    assert_eq!(removed, 1);
    assert!(store.read(&sys(), |tx| tx.props(c.reseller.id, ns, &PropQuery::default())).unwrap().is_empty());
    // Namespaces are separate.
    store
        .write(&sys(), |tx| {
            tx.upsert_props(c.reseller.id, namespaces::STYLING_FONT, &props(serde_json::json!({"name": "Roboto"})))
        })
        .unwrap();
    assert!(store.read(&sys(), |tx| tx.props(c.reseller.id, ns, &PropQuery::default())).unwrap().is_empty());
}

#[test]
fn reads_narrow_by_keys_and_search() {
    let store = store();
    let c = chain(&store);
    let p = props(serde_json::json!({"max_calls": 30, "max_users": 5, "lang": "nl", "Theme": "blue"}));
    store.write(&sys(), |tx| tx.upsert_props(c.tenant.id, "general", &p)).unwrap();
    let q = PropQuery { keys: Some(vec!["lang".into(), "absent".into()]), search: None };
    assert_eq!(
        store.read(&sys(), |tx| tx.props(c.tenant.id, "general", &q)).unwrap(),
        props(serde_json::json!({"lang": "nl"}))
    );
    let q = PropQuery { keys: None, search: Some("MAX".into()) };
    let got = store.read(&sys(), |tx| tx.props(c.tenant.id, "general", &q)).unwrap();
    assert_eq!(got.keys().collect::<Vec<_>>(), ["max_calls", "max_users"]);
}

#[test]
fn bad_input_is_refused_whole() {
    let store = store();
    let c = chain(&store);
    refused(&store, "INVALID_ARGUMENT", || {
        store.write(&sys(), |tx| tx.upsert_props(c.tenant.id, "Bad NS", &Properties::new()))
    });
    let huge = props(serde_json::json!({"ok": 1, "big": "x".repeat(70_000)}));
    let err = refused(&store, "INVALID_ARGUMENT", || {
        store.write(&sys(), |tx| tx.upsert_props(c.tenant.id, "general", &huge))
    });
    assert!(err.to_string().contains("big"), "{err}");
    let bad_key = props(serde_json::json!({"ok": 1, "": 2}));
    refused(&store, "INVALID_ARGUMENT", || store.write(&sys(), |tx| tx.upsert_props(c.tenant.id, "general", &bad_key)));
    let many: Properties = (0..1001).map(|i| (format!("k{i}"), serde_json::json!(i))).collect();
    refused(&store, "INVALID_ARGUMENT", || store.write(&sys(), |tx| tx.upsert_props(c.tenant.id, "general", &many)));
}

#[test]
fn effective_reads_merge_ancestors_nearest_first() {
    let store = store();
    let c = chain(&store);
    let ns = namespaces::BRANDING_GENERAL;
    store
        .write(&sys(), |tx| {
            tx.upsert_props(
                c.platform.id,
                ns,
                &props(serde_json::json!({"logo": "acme.svg", "color": "red", "footer": "ACME"})),
            )
        })
        .unwrap();
    store
        .write(&sys(), |tx| {
            tx.upsert_props(c.reseller.id, ns, &props(serde_json::json!({"logo": "shop.svg", "color": "blue"})))
        })
        .unwrap();
    store.write(&sys(), |tx| tx.upsert_props(c.tenant.id, ns, &props(serde_json::json!({"color": "green"})))).unwrap();
    let eff = store.read(&sys(), |tx| tx.effective_props(c.tenant.id, ns, &PropQuery::default())).unwrap();
    assert_eq!(eff.properties, props(serde_json::json!({"logo": "shop.svg", "color": "green", "footer": "ACME"})));
    assert_eq!(eff.sources["logo"], c.reseller.id);
    assert_eq!(eff.sources["color"], c.tenant.id);
    assert_eq!(eff.sources["footer"], c.platform.id);
    // A sibling branch inherits only from the common ancestors.
    let other = create(&store, "tenant", "other", Some(c.dist.id));
    let eff = store.read(&sys(), |tx| tx.effective_props(other.id, ns, &PropQuery::default())).unwrap();
    assert_eq!(eff.properties["logo"], "acme.svg");
}

#[test]
fn secrets_are_masked_on_every_read_path() {
    let store = store();
    let c = chain(&store);
    let secret = props(
        serde_json::json!({"smtp_password": "hunter2", "api_token": "tok", "smtp": {"password": "nested"}, "host": "mail"}),
    );
    let written = store.write(&sys(), |tx| tx.upsert_props(c.reseller.id, "general", &secret)).unwrap();
    // The system administrator role, and the system itself, read secrets in clear.
    assert_eq!(written["smtp_password"], "hunter2");
    let (_, dealer) = account(&store, "dealer", "reseller_admin", Some(c.reseller.id));
    let (_, tenant_admin) = account(&store, "tadmin", "tenant_admin", Some(c.tenant.id));
    let own = store.read(&dealer, |tx| tx.props(c.reseller.id, "general", &PropQuery::default())).unwrap();
    let inherited =
        store.read(&tenant_admin, |tx| tx.effective_props(c.tenant.id, "general", &PropQuery::default())).unwrap();
    let upserted = store
        .write(&dealer, |tx| tx.upsert_props(c.reseller.id, "general", &props(serde_json::json!({"x": 1}))))
        .unwrap();
    for view in [&own, &inherited.properties, &upserted] {
        assert_eq!(view["smtp_password"], MASK);
        assert_eq!(view["api_token"], MASK);
        assert_eq!(view["smtp"]["password"], MASK);
        assert_eq!(view["host"], "mail");
    }
    let feed = serde_json::to_string(&store.read(&sys(), |tx| tx.changes(0, 1000)).unwrap()).unwrap();
    assert!(!feed.contains("hunter2") && !feed.contains("nested") && !feed.contains("\"tok\""), "{feed}");
    // An explicit permission lifts the mask on the caller's own subtree only.
    let role = Role::new(
        "config_keeper",
        [
            "*.list",
            "*.instance.read",
            "*.instance.configurations.general.*",
            "*.instance.configurations.general.secrets.read",
        ],
    );
    store.write(&sys(), |tx| tx.define_role(&role)).unwrap();
    let (_, keeper) = account(&store, "keeper", "config_keeper", Some(c.reseller.id));
    let clear = store.read(&keeper, |tx| tx.props(c.reseller.id, "general", &PropQuery::default())).unwrap();
    assert_eq!(clear["smtp_password"], "hunter2");
    let (_, tenant_keeper) = account(&store, "tkeeper", "config_keeper", Some(c.tenant.id));
    let from_above =
        store.read(&tenant_keeper, |tx| tx.effective_props(c.tenant.id, "general", &PropQuery::default())).unwrap();
    assert_eq!(from_above.properties["smtp_password"], MASK, "values from above the scope stay masked");
}

#[test]
fn a_masked_read_written_back_keeps_its_secrets() {
    let store = store();
    let c = chain(&store);
    let ns = "general";
    let stored = serde_json::json!({
        "smtp_password": "hunter2", "api_token": "tok", "smtp": {"password": "nested", "port": 25}, "host": "mail",
    });
    store.write(&sys(), |tx| tx.upsert_props(c.reseller.id, ns, &props(stored.clone()))).unwrap();
    let (_, dealer) = account(&store, "dealer", "reseller_admin", Some(c.reseller.id));
    let read = store.read(&dealer, |tx| tx.props(c.reseller.id, ns, &PropQuery::default())).unwrap();
    assert_eq!(read["smtp"]["password"], MASK);
    let clear = || store.read(&sys(), |tx| tx.props(c.reseller.id, ns, &PropQuery::default())).unwrap();
    // The masked document back, by a replace and by an upsert, with one value changed.
    let mut changed = read.clone();
    changed.insert("host".to_owned(), serde_json::json!("mail2"));
    store.write(&dealer, |tx| tx.replace_props(c.reseller.id, ns, &changed)).unwrap();
    let mut expected = props(stored.clone());
    expected.insert("host".to_owned(), serde_json::json!("mail2"));
    assert_eq!(clear(), expected);
    store.write(&dealer, |tx| tx.upsert_props(c.reseller.id, ns, &read)).unwrap();
    assert_eq!(clear(), props(stored.clone()));
    // A new secret value is taken; a mask where nothing is stored stores nothing.
    let new = props(serde_json::json!({
        "api_token": "tok2", "sip_password": MASK, "smtp": {"password": MASK, "user_token": MASK, "port": 587},
    }));
    store.write(&dealer, |tx| tx.upsert_props(c.reseller.id, ns, &new)).unwrap();
    let now = clear();
    assert_eq!(now["api_token"], "tok2");
    assert!(!now.contains_key("sip_password"), "{now:?}");
    assert_eq!(now["smtp"], serde_json::json!({"password": "nested", "port": 587}));
    // A value that only looks like the mask under a key that names no secret is a value.
    store.write(&dealer, |tx| tx.upsert_props(c.reseller.id, ns, &props(serde_json::json!({"label": MASK})))).unwrap();
    assert_eq!(clear()["label"], MASK);
}

#[test]
fn properties_are_scoped_permissioned_and_deleted_with_their_node() {
    let store = store();
    let c = chain(&store);
    let south = create(&store, "distributor", "south", Some(c.platform.id));
    let (_, dealer) = account(&store, "north", "distributor_admin", Some(c.dist.id));
    refused(&store, "NOT_FOUND", || {
        store.write(&dealer, |tx| tx.upsert_props(south.id, "general", &Properties::new()))
    });
    assert_eq!(
        store.read(&dealer, |tx| tx.props(south.id, "general", &PropQuery::default())).unwrap_err().code(),
        "NOT_FOUND"
    );
    let (_, user) = account(&store, "reader", "tenant_user", Some(c.tenant.id));
    store.read(&user, |tx| tx.props(c.tenant.id, "general", &PropQuery::default())).unwrap();
    let err = refused(&store, "FORBIDDEN", || {
        store.write(&user, |tx| tx.upsert_props(c.tenant.id, "general", &Properties::new()))
    });
    assert_eq!(err.details()["action"], "tenant.instance.configurations.general.create");
    store.write(&sys(), |tx| tx.upsert_props(south.id, "general", &props(serde_json::json!({"a": 1})))).unwrap();
    store.delete_node(&sys(), south.id).unwrap();
    assert_clean(&store);
}
