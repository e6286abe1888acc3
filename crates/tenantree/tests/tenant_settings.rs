//! 004's tenant settings document: defaults, partial updates, validation, the SIP-domain index,
//! limits routed through the quota rules, access, and masked secrets.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
mod tenant_common;

use common::*;
use tenant_common::*;
use tenantree::{
    Actor, DayHours, E164Update, EventHookUpdate, HookAuth, MASK, NewNode, NodeUpdate, OfficeHoursUpdate,
    OutboundCallerId, Preset, Status, Store, TenantSettingsUpdate, TimeRange,
};

fn upd(json: serde_json::Value) -> TenantSettingsUpdate {
    serde_json::from_value(json).unwrap()
}

/// Every key of 004's `GET /api/tenant` document.
const KEYS_004: [&str; 55] = [
    "id",
    "name",
    "domain",
    "website",
    "timezone",
    "currency",
    "region",
    "enable_video_recording",
    "enable_audio_recording",
    "enable_dual_track_recording",
    "enable_billing",
    "enable_feature_billing",
    "enable_feature_call_statistics",
    "enable_feature_contact_center",
    "enable_feature_message_channels",
    "enable_feature_microsoft_teams",
    "enable_feature_trunks",
    "enable_feature_whats_app",
    "enable_night_mode",
    "enable_two_factor_authentication",
    "custom_options",
    "max_extensions",
    "max_concurrent_calls",
    "max_ring_groups",
    "max_virtual_receptionists",
    "max_call_queues",
    "max_conference_rooms",
    "disk_quota",
    "used_disk_quota",
    "im_disk_quota",
    "extension_im_disk_quota",
    "recording_retention",
    "call_report_retention",
    "log_retention",
    "temp_file_retention",
    "office_hours",
    "outbound_caller_ids",
    "e164",
    "cdr_event",
    "extension_event",
    "contact_match_type",
    "contact_match_length",
    "contact_append_type",
    "contact_update_interval",
    "password_force_reset",
    "avatar_file_name",
    "avatar_file_size",
    "avatar_file_url",
    "stir_shaken_cert",
    "stir_shaken_key",
    // Nested keys that 004 spells out.
    "e164.country",
    "e164.remove_duplicate_area_codes",
    "cdr_event.auth",
    "extension_event.token",
    "office_hours.sunday.ranges",
];

#[test]
fn a_fresh_tenant_reads_004s_defaults_with_every_field() {
    let store = store();
    let c = chain(&store);
    let s = store.tenant_settings(&sys(), c.tenant.id).unwrap();
    assert_eq!(s.id, c.tenant.id);
    assert_eq!(s.name, "bakery");
    assert_eq!((s.domain.as_str(), s.website.as_str(), s.region.as_str()), ("", "", ""));
    assert_eq!((s.timezone.as_str(), s.currency.as_str()), ("UTC", "USD"));
    assert_eq!(
        (s.recording_retention, s.call_report_retention, s.log_retention, s.temp_file_retention),
        (180, 30, 180, 30)
    );
    assert_eq!((s.extension_im_disk_quota.as_str(), s.im_disk_quota.as_str()), ("1GB", ""));
    assert_eq!((s.disk_quota.as_str(), s.used_disk_quota.as_str()), ("", "0B"));
    assert_eq!(s.max_extensions, None);
    assert_eq!(s.office_hours.sunday, DayHours { enabled: true, ranges: vec![TimeRange::new("09:00", "17:00")] });
    assert!(s.enable_feature_trunks && !s.enable_billing && !s.enable_audio_recording);
    assert_eq!(s.contact_update_interval, 720);
    assert_eq!(s.cdr_event.auth, HookAuth::Disable);
    let json = serde_json::to_value(&s).unwrap();
    for key in KEYS_004 {
        let mut v = &json;
        for part in key.split('.') {
            v = v.get(part).unwrap_or_else(|| panic!("004's field {key} is missing"));
        }
    }
    assert_eq!(json["contact_match_type"], "MATCH_EXACTLY");
    assert_eq!(json["contact_append_type"], "APPEND");
    assert_eq!(json["cdr_event"]["auth"], "DISABLE");
    assert_clean(&store);
}

#[test]
fn a_partial_update_changes_only_the_fields_given() {
    let store = store();
    let c = chain(&store);
    let before = store.tenant_settings(&sys(), c.tenant.id).unwrap();
    let next = last_event(&store);
    let u = TenantSettingsUpdate {
        timezone: Some("europe/brussels".into()),
        currency: Some("eur".into()),
        region: Some("bel".into()),
        enable_audio_recording: Some(true),
        office_hours: Some(OfficeHoursUpdate {
            monday: Some(DayHours {
                enabled: true,
                ranges: vec![TimeRange::new("13:00", "18:00"), TimeRange::new("08:30", "12:00")],
            }),
            ..Default::default()
        }),
        e164: Some(E164Update { enabled: Some(true), country: Some("Belgium(32)".into()), ..Default::default() }),
        extension_im_disk_quota: Some("500mb".into()),
        ..Default::default()
    };
    let after = store.update_tenant_settings(&sys(), c.tenant.id, &u).unwrap();
    assert_eq!(after, store.tenant_settings(&sys(), c.tenant.id).unwrap(), "the update returns what a read returns");
    assert_eq!(
        (after.timezone.as_str(), after.currency.as_str(), after.region.as_str()),
        ("Europe/Brussels", "EUR", "BEL")
    );
    assert!(after.enable_audio_recording);
    assert_eq!(
        after.office_hours.monday.ranges,
        vec![TimeRange::new("08:30", "12:00"), TimeRange::new("13:00", "18:00")],
        "ranges are kept sorted"
    );
    assert_eq!(after.office_hours.tuesday, before.office_hours.tuesday);
    assert!(after.e164.enabled && after.e164.remove_duplicate_countries, "e164 is merged field by field");
    assert_eq!(after.e164.country, "Belgium(32)");
    assert_eq!(after.extension_im_disk_quota, "500MB");
    // Everything else is as it was.
    let mut expected = before.clone();
    expected.timezone = after.timezone.clone();
    expected.currency = after.currency.clone();
    expected.region = after.region.clone();
    expected.enable_audio_recording = true;
    expected.office_hours.monday = after.office_hours.monday.clone();
    expected.e164 = after.e164.clone();
    expected.extension_im_disk_quota = after.extension_im_disk_quota.clone();
    assert_eq!(after, expected);
    // One event, with the fields given.
    let page = store.read(&sys(), |tx| tx.changes(next, 100)).unwrap();
    assert_eq!(page.changes.len(), 1);
    assert_eq!(page.changes[0].op, "settings.update");
    assert_eq!(page.changes[0].node, Some(c.tenant.id));
    assert_eq!(page.changes[0].changes.as_ref().unwrap()["timezone"], "europe/brussels");
    // An update that changes nothing writes nothing.
    store.update_tenant_settings(&sys(), c.tenant.id, &TenantSettingsUpdate::default()).unwrap();
    store.update_tenant_settings(&sys(), c.tenant.id, &upd(serde_json::json!({"currency": "EUR"}))).unwrap();
    assert_eq!(last_event(&store), page.next);
    assert_clean(&store);
}

#[test]
fn every_field_is_validated_and_a_refusal_changes_nothing() {
    let store = store();
    let c = chain(&store);
    let cases: Vec<(serde_json::Value, &str)> = vec![
        (serde_json::json!({"timezone": "Mars/Olympus_Mons"}), "timezone"),
        (serde_json::json!({"timezone": ""}), "timezone"),
        (serde_json::json!({"currency": "EURO"}), "currency"),
        (serde_json::json!({"region": "BE"}), "region"),
        (serde_json::json!({"domain": "bad domain"}), "domain"),
        (serde_json::json!({"domain": "under_score.example"}), "domain"),
        (serde_json::json!({"website": "https://x.example\n"}), "website"),
        (serde_json::json!({"custom_options": "{"}), "custom_options"),
        (serde_json::json!({"extension_im_disk_quota": "0MB"}), "extension_im_disk_quota"),
        (serde_json::json!({"extension_im_disk_quota": "1.5GB"}), "extension_im_disk_quota"),
        (serde_json::json!({"im_disk_quota": "12XB"}), "im_disk_quota"),
        (serde_json::json!({"disk_quota": "lots"}), "disk_quota"),
        (serde_json::json!({"recording_retention": 0}), "recording_retention"),
        (serde_json::json!({"temp_file_retention": 3651}), "temp_file_retention"),
        (
            serde_json::json!({"office_hours": {"friday": {"enabled": true, "ranges": [{"from": "09:00", "to": "12:00"}, {"from": "11:00", "to": "13:00"}]}}}),
            "office_hours.friday.ranges",
        ),
        (
            serde_json::json!({"office_hours": {"monday": {"enabled": true, "ranges": [{"from": "17:00", "to": "09:00"}]}}}),
            "office_hours.monday.ranges[0]",
        ),
        (
            serde_json::json!({"office_hours": {"monday": {"enabled": true, "ranges": [{"from": "9:00", "to": "17:00"}]}}}),
            "office_hours.monday.ranges[0].from",
        ),
        (
            serde_json::json!({"outbound_caller_ids": [{"provider_id": "p1", "caller_id": "not a number"}]}),
            "outbound_caller_ids[0].caller_id",
        ),
        (
            serde_json::json!({"outbound_caller_ids": [{"provider_id": "", "caller_id": "100"}]}),
            "outbound_caller_ids[0].provider_id",
        ),
        (serde_json::json!({"e164": {"country": "Angola"}}), "e164.country"),
        (serde_json::json!({"e164": {"international_code": "00a"}}), "e164.international_code"),
        (serde_json::json!({"e164": {"prefix": "9-1"}}), "e164.prefix"),
        (serde_json::json!({"cdr_event": {"enabled": true}}), "cdr_event.url"),
        (serde_json::json!({"cdr_event": {"url": "ftp://x.example"}}), "cdr_event.url"),
        (
            serde_json::json!({"extension_event": {"enabled": true, "auth": "BASIC", "url": "https://h.example"}}),
            "extension_event.username",
        ),
        (
            serde_json::json!({"extension_event": {"enabled": true, "auth": "TOKEN", "url": "https://h.example"}}),
            "extension_event.token",
        ),
        (serde_json::json!({"cdr_event": {"password": "line\nbreak"}}), "cdr_event.password"),
        (serde_json::json!({"contact_match_length": 0}), "contact_match_length"),
        (serde_json::json!({"contact_update_interval": 0}), "contact_update_interval"),
        (serde_json::json!({"avatar_file_id": "a b"}), "avatar_file_id"),
        (serde_json::json!({"avatar_file_url": "javascript:alert(1)"}), "avatar_file_url"),
        (serde_json::json!({"stir_shaken_cert": "not pem"}), "stir_shaken_cert"),
        (serde_json::json!({"stir_shaken_key": "not pem"}), "stir_shaken_key"),
        // A valid field next to an invalid one: neither is applied.
        (serde_json::json!({"timezone": "Asia/Tokyo", "currency": "XXXX"}), "currency"),
        (serde_json::json!({"name": "bad name!"}), "name"),
    ];
    for (json, expected) in cases {
        let u = upd(json.clone());
        let err = refused_all(&store, "INVALID_ARGUMENT", || store.update_tenant_settings(&sys(), c.tenant.id, &u));
        assert_eq!(field(&err), expected, "{json}");
    }
    // Unknown enumeration values are refused when the document is read in.
    assert!(
        serde_json::from_value::<TenantSettingsUpdate>(serde_json::json!({"contact_match_type": "FUZZY"})).is_err()
    );
}

#[test]
fn sip_domains_are_unique_across_the_store_ignoring_case() {
    let store = store();
    let c = chain(&store);
    let other_reseller = create(&store, "reseller", "other", Some(c.dist.id));
    let b = create(&store, "tenant", "b", Some(other_reseller.id));
    let dom = |d: &str| upd(serde_json::json!({ "domain": d }));
    store.update_tenant_settings(&sys(), c.tenant.id, &dom("Bakery.SIP.example.com")).unwrap();
    let err = refused_all(&store, "ALREADY_EXISTS", || {
        store.update_tenant_settings(&sys(), b.id, &dom("bakery.sip.EXAMPLE.com"))
    });
    match err {
        tenantree::Error::AlreadyExists { field, existing, .. } => {
            assert_eq!(field, "domain");
            assert_eq!(existing, Some(c.tenant.id.to_string()), "the system sees the holder");
        }
        other => panic!("{other}"),
    }
    // An account that cannot see the holder is not told who it is.
    let (_, other_admin) = account(&store, "other-admin", "reseller_admin", Some(other_reseller.id));
    let err = refused_all(&store, "ALREADY_EXISTS", || {
        store.update_tenant_settings(&other_admin, b.id, &dom("BAKERY.sip.example.com"))
    });
    assert!(matches!(err, tenantree::Error::AlreadyExists { existing: None, .. }), "{err:?}");
    // The holder may change the case of its own domain.
    let s = store.update_tenant_settings(&sys(), c.tenant.id, &dom("bakery.sip.example.com")).unwrap();
    assert_eq!(s.domain, "bakery.sip.example.com");
    assert_clean(&store);
    // Moving the holder keeps its domain (and the claim).
    store.move_node(&sys(), c.tenant.id, Some(other_reseller.id)).unwrap();
    assert_eq!(store.tenant_settings(&sys(), c.tenant.id).unwrap().domain, "bakery.sip.example.com");
    refused_all(&store, "ALREADY_EXISTS", || {
        store.update_tenant_settings(&sys(), b.id, &dom("bakery.sip.example.com"))
    });
    assert_clean(&store);
    // Changing the domain frees the old one.
    store.update_tenant_settings(&sys(), c.tenant.id, &dom("192.0.2.7")).unwrap();
    store.update_tenant_settings(&sys(), b.id, &dom("bakery.sip.example.com")).unwrap();
    // Clearing frees it too.
    store.update_tenant_settings(&sys(), c.tenant.id, &dom("")).unwrap();
    let d = create(&store, "tenant", "d", Some(other_reseller.id));
    store.update_tenant_settings(&sys(), d.id, &dom("192.0.2.7")).unwrap();
    assert_clean(&store);
    // Deleting the tenant frees it.
    store.delete_node(&sys(), d.id).unwrap();
    store.update_tenant_settings(&sys(), c.tenant.id, &dom("192.0.2.7")).unwrap();
    assert_clean(&store);
}

#[test]
fn the_limits_are_the_nodes_quota_limits() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.tenant.id, "extensions", Some(50)).unwrap();
    let s = store.tenant_settings(&sys(), c.tenant.id).unwrap();
    assert_eq!(s.max_extensions, Some(50), "read from the node's limit");
    let next = last_event(&store);
    let s = store
        .update_tenant_settings(
            &sys(),
            c.tenant.id,
            &upd(serde_json::json!({"max_extensions": 40, "max_call_queues": 4, "disk_quota": "100GB", "log_retention": 90})),
        )
        .unwrap();
    assert_eq!((s.max_extensions, s.max_call_queues, s.log_retention), (Some(40), Some(4), 90));
    assert_eq!(s.disk_quota, "100GB");
    assert_eq!(quota(&store, c.tenant.id, "extensions").limit, Some(40));
    assert_eq!(quota(&store, c.tenant.id, "call_queues").limit, Some(4));
    assert_eq!(quota(&store, c.tenant.id, "disk_bytes").limit, Some(100 << 30));
    let ops: Vec<String> =
        store.read(&sys(), |tx| tx.changes(next, 100)).unwrap().changes.into_iter().map(|c| c.op).collect();
    assert_eq!(ops, ["node.limits", "settings.update"]);
    store.allocate(&sys(), c.tenant.id, "disk_bytes", 1536 << 20).unwrap();
    assert_eq!(store.tenant_settings(&sys(), c.tenant.id).unwrap().used_disk_quota, "1536MB");
    // null and "" remove limits.
    let s = store
        .update_tenant_settings(
            &sys(),
            c.tenant.id,
            &upd(serde_json::json!({"max_extensions": null, "disk_quota": ""})),
        )
        .unwrap();
    assert_eq!((s.max_extensions, s.disk_quota.as_str()), (None, ""));
    assert_eq!(quota(&store, c.tenant.id, "extensions").limit, None);
    assert_clean(&store);
}

#[test]
fn a_limit_the_quota_rules_refuse_changes_nothing_else() {
    let store = store();
    let c = chain(&store);
    store.set_limit(&sys(), c.reseller.id, "extensions", Some(10)).unwrap();
    store.allocate(&sys(), c.tenant.id, "extensions", 5).unwrap();
    let sibling = create(&store, "tenant", "sibling", Some(c.reseller.id));
    // Below usage, with a rename and a settings change in the same update.
    let u = upd(serde_json::json!({"name": "renamed", "timezone": "Asia/Tokyo", "max_extensions": 3}));
    refused_all(&store, "INVALID_LIMIT", || store.update_tenant_settings(&sys(), c.tenant.id, &u));
    // Above the ancestor's limit.
    let u = upd(serde_json::json!({"website": "https://bakery.example", "max_extensions": 20}));
    refused_all(&store, "INVALID_LIMIT", || store.update_tenant_settings(&sys(), c.tenant.id, &u));
    // A valid limit with a name taken: the limit is not applied either.
    let u = upd(serde_json::json!({"name": "Sibling", "max_extensions": 8}));
    refused_all(&store, "ALREADY_EXISTS", || store.update_tenant_settings(&sys(), c.tenant.id, &u));
    let _ = sibling;
    // Inside a transaction that goes on, the refused update leaves no trace.
    store
        .write(&sys(), |tx| {
            let u = upd(serde_json::json!({"timezone": "Asia/Tokyo", "max_extensions": 3}));
            assert_eq!(tx.update_tenant_settings(c.tenant.id, &u).unwrap_err().code(), "INVALID_LIMIT");
            tx.update_tenant_settings(c.tenant.id, &upd(serde_json::json!({"currency": "JPY"})))
        })
        .unwrap();
    let s = store.tenant_settings(&sys(), c.tenant.id).unwrap();
    assert_eq!((s.timezone.as_str(), s.currency.as_str(), s.max_extensions), ("UTC", "JPY", None));
    assert_clean(&store);
}

#[test]
fn name_and_website_are_the_nodes_own() {
    let store = store();
    let c = chain(&store);
    let next = last_event(&store);
    let s = store
        .update_tenant_settings(
            &sys(),
            c.tenant.id,
            &upd(serde_json::json!({"name": "bakery-2", "website": "https://bakery.example"})),
        )
        .unwrap();
    assert_eq!((s.name.as_str(), s.website.as_str()), ("bakery-2", "https://bakery.example"));
    let node = store.get_node(&sys(), c.tenant.id).unwrap();
    assert_eq!(node.name.as_str(), "bakery-2");
    assert_eq!(node.profile.website.as_deref(), Some("https://bakery.example"));
    let ops: Vec<String> =
        store.read(&sys(), |tx| tx.changes(next, 100)).unwrap().changes.into_iter().map(|c| c.op).collect();
    assert_eq!(ops, ["node.update"], "nothing of the settings record changed");
    // A node update shows in the settings too.
    store.update_node(&sys(), c.tenant.id, &NodeUpdate { website: Some(None), ..Default::default() }).unwrap();
    assert_eq!(store.tenant_settings(&sys(), c.tenant.id).unwrap().website, "");
    assert_clean(&store);
}

#[test]
fn schemas_without_the_pbx_resources_report_no_limits() {
    let (store, _) = store_with(Preset::Fusion);
    let group = create(&store, "group", "g", None);
    let reseller = create(&store, "reseller", "r", Some(group.id));
    let tenant = create(&store, "tenant", "t", Some(reseller.id));
    let s = store.tenant_settings(&sys(), tenant.id).unwrap();
    assert_eq!((s.max_extensions, s.max_conference_rooms, s.disk_quota.as_str()), (None, None, ""));
    let status = store.tenant_status(&sys(), tenant.id).unwrap();
    assert_eq!((status.licensed_users, status.current_queues), (None, 0));
    let err = refused_all(&store, "INVALID_ARGUMENT", || {
        store.update_tenant_settings(&sys(), tenant.id, &upd(serde_json::json!({"max_extensions": 5})))
    });
    assert_eq!(field(&err), "max_extensions");
    // Sending the document back with its null limits is fine.
    let back: TenantSettingsUpdate = serde_json::from_value(serde_json::to_value(&s).unwrap()).unwrap();
    store.update_tenant_settings(&sys(), tenant.id, &back).unwrap();
    assert_clean(&store);
}

#[test]
fn only_tenant_kinds_have_settings() {
    let store = store();
    let c = chain(&store);
    for id in [c.reseller.id, c.platform.id] {
        let err = store.tenant_settings(&sys(), id).unwrap_err();
        assert_eq!(field(&err), "tenant");
        assert!(err.to_string().contains("not") || err.to_string().contains("tenant kind"), "{err}");
        let err = refused_all(&store, "INVALID_ARGUMENT", || {
            store.update_tenant_settings(&sys(), id, &upd(serde_json::json!({"timezone": "UTC"})))
        });
        assert_eq!(field(&err), "tenant");
    }
    let missing: tenantree::NodeId = "01900000-0000-7000-8000-00000000abcd".parse().unwrap();
    assert_eq!(store.tenant_settings(&sys(), missing).unwrap_err().code(), "NOT_FOUND");
}

#[test]
fn tenant_admins_change_their_settings_but_not_their_entitlements() {
    let store = store();
    let c = chain(&store);
    let (_, admin) = account(&store, "admin@bakery", "tenant_admin", Some(c.tenant.id));
    let (_, user) = account(&store, "user@bakery", "tenant_user", Some(c.tenant.id));
    let (_, dealer) = account(&store, "ops@shop", "reseller_admin", Some(c.reseller.id));
    let t = c.tenant.id;
    store
        .update_tenant_settings(&admin, t, &upd(serde_json::json!({"timezone": "Asia/Shanghai", "name": "bakery-x"})))
        .unwrap();
    // The whole document it read can be sent back, masked secrets and all.
    let doc = store.tenant_settings(&admin, t).unwrap();
    let back: TenantSettingsUpdate = serde_json::from_value(serde_json::to_value(&doc).unwrap()).unwrap();
    assert_eq!(store.update_tenant_settings(&admin, t, &back).unwrap(), doc);
    for (json, permission) in [
        (serde_json::json!({"max_extensions": 5}), "tenant.instance.quotas.update"),
        (serde_json::json!({"disk_quota": "1GB"}), "tenant.instance.quotas.update"),
        (serde_json::json!({"enable_feature_trunks": false}), "tenant.instance.quotas.update"),
        (serde_json::json!({"im_disk_quota": "10GB"}), "tenant.instance.quotas.update"),
        (serde_json::json!({"enable_billing": true}), "tenant.instance.quotas.update"),
    ] {
        let err = refused_all(&store, "FORBIDDEN", || store.update_tenant_settings(&admin, t, &upd(json.clone())));
        assert!(err.to_string().contains(permission), "{json}: {err}");
    }
    // The dealer above sets them.
    let s = store
        .update_tenant_settings(
            &dealer,
            t,
            &upd(serde_json::json!({"max_extensions": 5, "enable_feature_trunks": false, "im_disk_quota": "10GB"})),
        )
        .unwrap();
    assert_eq!((s.max_extensions, s.enable_feature_trunks, s.im_disk_quota.as_str()), (Some(5), false, "10GB"));
    // A tenant user reads only.
    assert_eq!(store.tenant_settings(&user, t).unwrap().timezone, "Asia/Shanghai");
    let err = refused_all(&store, "FORBIDDEN", || {
        store.update_tenant_settings(&user, t, &upd(serde_json::json!({"timezone": "UTC"})))
    });
    assert!(err.to_string().contains("tenant.instance.settings.update"), "{err}");
    assert_clean(&store);
}

#[test]
fn scope_protection_and_service_status_apply() {
    let store = store();
    let c = chain(&store);
    let elsewhere = create(&store, "reseller", "elsewhere", Some(c.dist.id));
    let (_, stranger) = account(&store, "stranger", "reseller_admin", Some(elsewhere.id));
    let (_, sub_admin) = account(&store, "sub-admin", "sub_distributor_admin", Some(c.sub.id));
    let (_, dealer) = account(&store, "ops@shop", "reseller_admin", Some(c.reseller.id));
    let t = c.tenant.id;
    let tz = upd(serde_json::json!({"timezone": "Asia/Tokyo"}));
    assert_eq!(store.tenant_settings(&stranger, t).unwrap_err().code(), "NOT_FOUND");
    assert_eq!(store.tenant_status(&stranger, t).unwrap_err().code(), "NOT_FOUND");
    refused_all(&store, "NOT_FOUND", || store.update_tenant_settings(&stranger, t, &tz));
    // 001: tenant_full_access off at the sub-distributor makes the tenant read-only to it and
    // those above; the reseller below it still manages the tenant.
    store.update_node(&sys(), c.sub.id, &NodeUpdate { tenant_full_access: Some(false), ..Default::default() }).unwrap();
    store.tenant_settings(&sub_admin, t).unwrap();
    refused_all(&store, "FORBIDDEN", || store.update_tenant_settings(&sub_admin, t, &tz));
    store.update_tenant_settings(&dealer, t, &tz).unwrap();
    // 000: an account whose node is suspended reads but does not write.
    store.set_status(&sys(), c.reseller.id, Status::Suspended { profile: 1 }).unwrap();
    store.tenant_settings(&dealer, t).unwrap();
    refused_all(&store, "SERVICE_DISABLED", || store.update_tenant_settings(&dealer, t, &tz));
    // The system still writes to a suspended tenant's settings.
    store.update_tenant_settings(&sys(), t, &upd(serde_json::json!({"timezone": "UTC"}))).unwrap();
    assert_clean(&store);
}

const PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END PRIVATE KEY-----\n";

fn with_secrets(store: &Store, t: tenantree::NodeId) {
    let u = TenantSettingsUpdate {
        cdr_event: Some(EventHookUpdate {
            enabled: Some(true),
            auth: Some(HookAuth::Basic),
            username: Some("cdr-user".into()),
            password: Some("hunter2-cdr".into()),
            url: Some("https://hooks.example/cdr".into()),
            ..Default::default()
        }),
        extension_event: Some(EventHookUpdate {
            enabled: Some(true),
            auth: Some(HookAuth::Token),
            token: Some("tok-ext-123".into()),
            url: Some("https://hooks.example/ext".into()),
            ..Default::default()
        }),
        stir_shaken_key: Some(PRIVATE_KEY.into()),
        ..Default::default()
    };
    let s = store.update_tenant_settings(&sys(), t, &u).unwrap();
    assert_eq!((s.cdr_event.password.as_str(), s.extension_event.token.as_str()), (MASK, MASK), "the update's answer");
    assert_eq!(s.stir_shaken_key, MASK);
}

const SECRETS: [&str; 3] = ["hunter2-cdr", "tok-ext-123", "c2VjcmV0LWtleS1tYXRlcmlhbA"];

fn assert_masked(what: &str, json: &str) {
    for secret in SECRETS {
        assert!(!json.contains(secret), "{secret} leaked through {what}");
    }
}

#[test]
fn secrets_are_masked_on_every_read_path() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    with_secrets(&store, t);
    let (_, admin) = account(&store, "admin@bakery", "tenant_admin", Some(t));
    // Reads: the store shortcut, a read transaction, a write transaction, any actor.
    for actor in [sys(), admin.clone()] {
        let s = store.tenant_settings(&actor, t).unwrap();
        assert_eq!(s.cdr_event.password, MASK);
        assert_eq!(s.cdr_event.username, "cdr-user", "only secrets are masked");
        assert_eq!(s.cdr_event.token, "", "an unset secret reads empty");
        assert_eq!(s.extension_event.token, MASK);
        assert_masked("a read", &serde_json::to_string(&s).unwrap());
        let s = store.read(&actor, |tx| tx.tenant_settings(t)).unwrap();
        assert_masked("a read transaction", &serde_json::to_string(&s).unwrap());
        let s = store.write(&actor, |tx| tx.tenant_settings(t)).unwrap();
        assert_masked("a write transaction", &serde_json::to_string(&s).unwrap());
    }
    // Updates answer masked, alone or in a batch.
    let s = store.update_tenant_settings(&admin, t, &upd(serde_json::json!({"enable_night_mode": true}))).unwrap();
    assert_masked("an update", &serde_json::to_string(&s).unwrap());
    let ops: Vec<tenantree::Op> = serde_json::from_value(serde_json::json!([
        {"op": "updateTenantSettings", "tenant": t.to_string(), "log_retention": 60},
    ]))
    .unwrap();
    let out = store.batch(&sys(), &ops).unwrap();
    assert_masked("a batch", &serde_json::to_string(&out).unwrap());
    // The change feed never held them.
    let feed = serde_json::to_string(&store.read(&sys(), |tx| tx.changes(0, 1000)).unwrap()).unwrap();
    assert_masked("the change feed", &feed);
    assert!(feed.contains(MASK));
    // In clear only with the secrets permission, which no wildcard grants.
    let err = store.read(&admin, |tx| tx.tenant_settings_with_secrets(t)).unwrap_err();
    assert!(err.to_string().contains("tenant.instance.settings.secrets.read"), "{err}");
    let s = store.read(&sys(), |tx| tx.tenant_settings_with_secrets(t)).unwrap();
    assert_eq!((s.cdr_event.password.as_str(), s.stir_shaken_key.as_str()), ("hunter2-cdr", PRIVATE_KEY));
    // Writing the mask back keeps the secret; writing "" clears it.
    let doc = store.tenant_settings(&admin, t).unwrap();
    let back: TenantSettingsUpdate = serde_json::from_value(serde_json::to_value(&doc).unwrap()).unwrap();
    store.update_tenant_settings(&admin, t, &back).unwrap();
    let s = store.read(&sys(), |tx| tx.tenant_settings_with_secrets(t)).unwrap();
    assert_eq!((s.cdr_event.password.as_str(), s.extension_event.token.as_str()), ("hunter2-cdr", "tok-ext-123"));
    assert_eq!(s.stir_shaken_key, PRIVATE_KEY);
    store
        .update_tenant_settings(&sys(), t, &upd(serde_json::json!({"cdr_event": {"auth": "DISABLE", "password": ""}})))
        .unwrap();
    let s = store.read(&sys(), |tx| tx.tenant_settings_with_secrets(t)).unwrap();
    assert_eq!(s.cdr_event.password, "");
    assert_eq!(store.tenant_settings(&sys(), t).unwrap().cdr_event.password, "");
    assert_clean(&store);
}

#[test]
fn outbound_caller_ids_are_replaced_as_a_list() {
    let store = store();
    let c = chain(&store);
    let id =
        |p: &str, n: &str| OutboundCallerId { provider_id: p.into(), caller_id: n.into(), description: "main".into() };
    let u = TenantSettingsUpdate {
        outbound_caller_ids: Some(vec![id("NzAw", "+32 2 555 01 01"), id("NzAx", "100")]),
        ..Default::default()
    };
    let s = store.update_tenant_settings(&sys(), c.tenant.id, &u).unwrap();
    assert_eq!(s.outbound_caller_ids.len(), 2);
    let dup = TenantSettingsUpdate {
        outbound_caller_ids: Some(vec![id("NzAw", "100"), id("NzAw", "100")]),
        ..Default::default()
    };
    let err = refused_all(&store, "INVALID_ARGUMENT", || store.update_tenant_settings(&sys(), c.tenant.id, &dup));
    assert_eq!(field(&err), "outbound_caller_ids[1]");
    let s = store
        .update_tenant_settings(&sys(), c.tenant.id, &upd(serde_json::json!({"outbound_caller_ids": []})))
        .unwrap();
    assert!(s.outbound_caller_ids.is_empty());
    assert_clean(&store);
}

#[test]
fn the_status_reports_what_the_store_knows() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    store.set_limit(&sys(), t, "extensions", Some(25)).unwrap();
    for (resource, n) in [
        ("call_queues", 2),
        ("conference_rooms", 1),
        ("ring_groups", 3),
        ("virtual_receptionists", 4),
        ("concurrent_calls", 5),
    ] {
        store.allocate(&sys(), t, resource, n).unwrap();
    }
    account(&store, "a1", "tenant_admin", Some(t));
    let (_, user) = account(&store, "u1", "tenant_user", Some(t));
    account(&store, "dealer", "reseller_admin", Some(c.reseller.id));
    let s = store.tenant_status(&user, t).unwrap();
    assert_eq!(s.licensed_users, Some(25));
    assert_eq!(s.current_users, 2, "accounts bound to the tenant, not above it");
    assert_eq!(
        (s.current_queues, s.current_conference_rooms, s.current_ring_groups, s.current_ivrs, s.current_calls),
        (2, 1, 3, 4, 5)
    );
    assert_eq!((s.online_users, s.current_trunks), (0, 0));
    assert!(s.calls_in_24_hours.is_empty());
    assert!(!s.version.is_empty());
    let json = serde_json::to_value(&s).unwrap();
    for key in ["version", "licensed_users", "online_users", "current_trunks", "calls_in_24_hours"] {
        assert!(json.get(key).is_some(), "{key}");
    }
}

#[test]
fn schemas_without_tenant_kinds_have_no_settings() {
    // The clients preset has no tenant kind: nothing there has settings.
    let (store, _) = store_with(Preset::Clients);
    let client = store.create_node(&Actor::system(), NewNode::new("client", "c")).unwrap();
    assert_eq!(field(&store.tenant_settings(&sys(), client.id).unwrap_err()), "tenant");
}
