//! 004's custom SIP headers and voicemail settings.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
mod tenant_common;

use common::*;
use tenant_common::*;
use tenantree::{AddedHeader, CustomHeaders, CustomHeadersUpdate, RelayedHeader, VoicemailSettings, VoicemailUpdate};

fn headers(json: serde_json::Value) -> CustomHeadersUpdate {
    serde_json::from_value(json).unwrap()
}

#[test]
fn custom_headers_are_kept_per_list() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    assert_eq!(store.read(&sys(), |tx| tx.custom_headers(t)).unwrap(), CustomHeaders::default());
    let next = last_event(&store);
    // 004's document.
    let u = headers(serde_json::json!({
        "add": [{"name": "X-Customer-Id", "value": "bakery-42", "scope": "TRUNK"}],
        "relay": [{"name": "P-Asserted-Identity", "scope": "TRUNK"}]
    }));
    let h = store.set_custom_headers(&sys(), t, &u).unwrap();
    assert_eq!(
        h.add,
        vec![AddedHeader { name: "X-Customer-Id".into(), value: "bakery-42".into(), scope: "TRUNK".into() }]
    );
    assert_eq!(h.relay, vec![RelayedHeader { name: "P-Asserted-Identity".into(), scope: "TRUNK".into() }]);
    // A list left out stays.
    let h = store.set_custom_headers(&sys(), t, &headers(serde_json::json!({"relay": []}))).unwrap();
    assert_eq!((h.add.len(), h.relay.len()), (1, 0));
    assert_eq!(store.read(&sys(), |tx| tx.custom_headers(t)).unwrap(), h);
    // Nothing new, no event.
    store.set_custom_headers(&sys(), t, &headers(serde_json::json!({"relay": []}))).unwrap();
    let ops: Vec<String> =
        store.read(&sys(), |tx| tx.changes(next, 100)).unwrap().changes.into_iter().map(|c| c.op).collect();
    assert_eq!(ops, ["headers.update", "headers.update"]);
    assert_clean(&store);
}

#[test]
fn header_rules_are_enforced_and_refusals_change_nothing() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    store
        .set_custom_headers(
            &sys(),
            t,
            &headers(serde_json::json!({"add": [{"name": "X-A", "value": "1", "scope": "TRUNK"}]})),
        )
        .unwrap();
    let cases = [
        (serde_json::json!({"add": [{"name": "X Bad", "value": "1", "scope": "TRUNK"}]}), "add[0].name"),
        (serde_json::json!({"add": [{"name": "Via", "value": "1", "scope": "TRUNK"}]}), "add[0].name"),
        (serde_json::json!({"add": [{"name": "X-B", "value": "1\r\nVia: evil", "scope": "TRUNK"}]}), "add[0].value"),
        (serde_json::json!({"add": [{"name": "X-B", "value": "", "scope": "TRUNK"}]}), "add[0].value"),
        (serde_json::json!({"add": [{"name": "X-B", "value": "1", "scope": "trunk"}]}), "add[0].scope"),
        (
            serde_json::json!({"add": [{"name": "X-B", "value": "1", "scope": "TRUNK"}, {"name": "x-b", "value": "2", "scope": "TRUNK"}]}),
            "add[1].name",
        ),
        (serde_json::json!({"relay": [{"name": "X:Y", "scope": "TRUNK"}]}), "relay[0].name"),
        (serde_json::json!({"relay": [{"name": "X-Y", "scope": "NOWHERE"}]}), "relay[0].scope"),
    ];
    for (json, expected) in cases {
        let u = headers(json.clone());
        let err = refused_all(&store, "INVALID_ARGUMENT", || store.set_custom_headers(&sys(), t, &u));
        assert_eq!(field(&err), expected, "{json}");
    }
    let many: Vec<serde_json::Value> =
        (0..33).map(|i| serde_json::json!({"name": format!("X-{i}"), "value": "v", "scope": "EXTENSION"})).collect();
    let err = refused_all(&store, "INVALID_ARGUMENT", || {
        store.set_custom_headers(&sys(), t, &headers(serde_json::json!({ "add": many })))
    });
    assert_eq!(field(&err), "add");
    // Access: settings permissions.
    let (_, user) = account(&store, "user@bakery", "tenant_user", Some(t));
    let (_, admin) = account(&store, "admin@bakery", "tenant_admin", Some(t));
    assert_eq!(store.read(&user, |tx| tx.custom_headers(t)).unwrap().add.len(), 1);
    refused_all(&store, "FORBIDDEN", || store.set_custom_headers(&user, t, &headers(serde_json::json!({"add": []}))));
    store.set_custom_headers(&admin, t, &headers(serde_json::json!({"add": []}))).unwrap();
    let err = refused_all(&store, "INVALID_ARGUMENT", || {
        store.set_custom_headers(&sys(), c.reseller.id, &headers(serde_json::json!({"add": []})))
    });
    assert_eq!(field(&err), "tenant");
    assert_clean(&store);
}

#[test]
fn voicemail_settings_default_and_change_field_by_field() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    let v = store.read(&sys(), |tx| tx.voicemail(t)).unwrap();
    assert_eq!(v, VoicemailSettings { extension_number: String::new(), retain_days: 30, min_seconds: 1 });
    // 004's document.
    let u: VoicemailUpdate =
        serde_json::from_value(serde_json::json!({"extension_number": "800", "retain_days": 60, "min_seconds": 3}))
            .unwrap();
    let v = store.update_voicemail(&sys(), t, &u).unwrap();
    assert_eq!(v, VoicemailSettings { extension_number: "800".into(), retain_days: 60, min_seconds: 3 });
    let v = store.update_voicemail(&sys(), t, &VoicemailUpdate { min_seconds: Some(0), ..Default::default() }).unwrap();
    assert_eq!((v.extension_number.as_str(), v.retain_days, v.min_seconds), ("800", 60, 0));
    for (u, expected) in [
        (VoicemailUpdate { extension_number: Some("80".into()), ..Default::default() }, "extension_number"),
        (VoicemailUpdate { extension_number: Some("8x0".into()), ..Default::default() }, "extension_number"),
        (VoicemailUpdate { retain_days: Some(0), ..Default::default() }, "retain_days"),
        (VoicemailUpdate { min_seconds: Some(3601), ..Default::default() }, "min_seconds"),
        (
            VoicemailUpdate { extension_number: Some("900".into()), retain_days: Some(0), ..Default::default() },
            "retain_days",
        ),
    ] {
        let err = refused_all(&store, "INVALID_ARGUMENT", || store.update_voicemail(&sys(), t, &u));
        assert_eq!(field(&err), expected, "{u:?}");
    }
    let (_, user) = account(&store, "user@bakery", "tenant_user", Some(t));
    assert_eq!(store.read(&user, |tx| tx.voicemail(t)).unwrap().extension_number, "800");
    refused_all(&store, "FORBIDDEN", || store.update_voicemail(&user, t, &VoicemailUpdate::default()));
    let ops: Vec<String> =
        store.read(&sys(), |tx| tx.changes(0, 1000)).unwrap().changes.into_iter().map(|c| c.op).collect();
    assert_eq!(ops.iter().filter(|o| *o == "voicemail.update").count(), 2);
    assert_clean(&store);
}
