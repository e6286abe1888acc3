//! 004's tenant documents in snapshots and on disk: export → import round-trips every tenant
//! record (settings, SIP domains, holidays, the ledger, headers, voicemail) in both formats and
//! for a subtree; hostile tenant records are refused with the target left empty; the documents
//! survive closing and reopening a file.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
mod tenant_common;

use common::*;
use tenant_common::*;
use tenantree::{
    CustomHeadersUpdate, Durability, HolidayId, NewHoliday, NodeId, PasswordPolicy, Preset, SnapshotFormat, Store,
    TenantSettingsUpdate, VoicemailUpdate,
};

/// Gives a tenant one of every document, secrets included.
fn fill(store: &Store, t: NodeId, domain: &str) {
    let u: TenantSettingsUpdate = serde_json::from_value(serde_json::json!({
        "domain": domain, "timezone": "Europe/Brussels", "currency": "EUR", "region": "BEL",
        "enable_night_mode": true, "extension_im_disk_quota": "250MB", "log_retention": 90,
        "office_hours": {"monday": {"enabled": true, "ranges": [{"from": "08:00", "to": "12:00"}, {"from": "13:00", "to": "18:00"}]}},
        "outbound_caller_ids": [{"provider_id": "p1", "caller_id": "+3225550101", "description": "main"}],
        "cdr_event": {"enabled": true, "auth": "BASIC", "username": "u", "password": "p4ss", "url": "https://h.example/cdr"},
        "extension_event": {"enabled": true, "auth": "TOKEN", "token": "t0k", "url": "https://h.example/ext"},
        "contact_match_type": "MATCH_LENGTH", "contact_match_length": 7
    }))
    .unwrap();
    store.update_tenant_settings(&sys(), t, &u).unwrap();
    store.create_holiday(&sys(), t, &NewHoliday::yearly("Christmas", (12, 25), (12, 26))).unwrap();
    let gone = store.create_holiday(&sys(), t, &NewHoliday::yearly("Gone", (3, 1), (3, 1))).unwrap();
    store.create_holiday(&sys(), t, &NewHoliday::yearly("New year", (1, 1), (1, 1))).unwrap();
    store.write(&sys(), |tx| tx.delete_holiday(t, gone.id)).unwrap();
    for amount in ["10.5", "0.00001", "1234567.89012"] {
        store.recharge(&sys(), t, amount.parse().unwrap()).unwrap();
    }
    let h: CustomHeadersUpdate = serde_json::from_value(serde_json::json!({
        "add": [{"name": "X-T", "value": "1", "scope": "TRUNK"}],
        "relay": [{"name": "X-Relay", "scope": "TRUNK"}]
    }))
    .unwrap();
    store.set_custom_headers(&sys(), t, &h).unwrap();
    store
        .update_voicemail(
            &sys(),
            t,
            &VoicemailUpdate { extension_number: Some("800".into()), retain_days: Some(45), ..Default::default() },
        )
        .unwrap();
    store
        .write(&sys(), |tx| {
            tx.set_password_policy(Some(t), Some(&PasswordPolicy { min_length: 12, ..PasswordPolicy::default() }))
        })
        .unwrap();
}

/// Two tenants with every document, one tenant with none.
fn source() -> (Store, Vec<NodeId>) {
    let store = store();
    let c = chain(&store);
    let b = create(&store, "tenant", "b", Some(c.reseller.id));
    let bare = create(&store, "tenant", "bare", Some(c.reseller.id));
    fill(&store, c.tenant.id, "sip.bakery.example");
    fill(&store, b.id, "sip.b.example");
    (store, vec![c.tenant.id, b.id, bare.id, c.reseller.id])
}

fn export(store: &Store, root: Option<NodeId>, format: SnapshotFormat) -> Vec<u8> {
    let mut out = Vec::new();
    store.export_snapshot(&sys(), root, format, &mut out).unwrap();
    out
}

#[test]
fn every_tenant_document_round_trips_in_both_formats() {
    let (source, ids) = source();
    let before = snapshot(&source);
    assert_eq!(before.tenants.len(), 3);
    for format in [SnapshotFormat::Binary, SnapshotFormat::Json] {
        let bytes = export(&source, None, format);
        let target = store();
        let sum = target.import_snapshot(&sys(), format, &mut bytes.as_slice()).unwrap();
        // Per filled tenant: settings, 2 holidays, 3 ledger entries, headers, voicemail.
        assert_eq!(sum.tenant_documents, 2 * 8, "{format:?}");
        assert_eq!(snapshot(&target).tenants, before.tenants, "{format:?}");
        assert_clean(&target);
        // The restored store goes on as the source would: the SIP domains are still taken,
        // the ids continue after the restored ones, the ledger continues from its balance.
        let taken: TenantSettingsUpdate =
            serde_json::from_value(serde_json::json!({"domain": "SIP.B.example"})).unwrap();
        assert_eq!(target.update_tenant_settings(&sys(), ids[2], &taken).unwrap_err().code(), "ALREADY_EXISTS");
        let h = target.create_holiday(&sys(), ids[0], &NewHoliday::yearly("Later", (5, 1), (5, 1))).unwrap();
        let max_before = before.tenants.values().flat_map(|d| d.holidays.items.iter().map(|h| h.id)).max().unwrap();
        assert!(h.id > max_before, "{format:?}: a new holiday id {} after {max_before}", h.id);
        let e = target.recharge(&sys(), ids[1], "1".parse().unwrap()).unwrap();
        assert_eq!(e.balance, "1234579.39013".parse().unwrap(), "{format:?}");
        assert_clean(&target);
        // The tenant's password policy came along too.
        let p = target.read(&sys(), |tx| tx.password_policy(Some(ids[0]))).unwrap();
        assert_eq!(p.policy.min_length, 12);
    }
}

#[test]
fn a_subtree_export_carries_its_tenants_documents_only() {
    let (source, ids) = source();
    let before = snapshot(&source);
    let bytes = export(&source, Some(ids[0]), SnapshotFormat::Binary);
    let target = store();
    let sum = target.import_snapshot(&sys(), SnapshotFormat::Binary, &mut bytes.as_slice()).unwrap();
    assert_eq!(sum.tenant_documents, 8);
    let after = snapshot(&target);
    assert_eq!(after.tenants.len(), 1);
    assert_eq!(after.tenants.get(&ids[0]), before.tenants.get(&ids[0]));
    assert_clean(&target);
}

/// The JSON lines of a snapshot of `source`, with the end record's checksum dropped so that
/// the lines may be edited.
fn json_lines(store: &Store) -> Vec<serde_json::Value> {
    let text = String::from_utf8(export(store, None, SnapshotFormat::Json)).unwrap();
    let mut lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let end = lines.last_mut().unwrap();
    end["end"]["sha256"] = serde_json::Value::Null;
    lines
}

fn import_lines(lines: &[serde_json::Value]) -> (Store, tenantree::Error) {
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    let target = store();
    let err = target.import_snapshot(&sys(), SnapshotFormat::Json, &mut text.join("\n").as_bytes()).unwrap_err();
    (target, err)
}

fn assert_empty(target: &Store) {
    assert!(snapshot(target).tenants.is_empty(), "the target kept tenant documents");
    let nodes: u64 = target.kind_counts(&sys(), None).unwrap().values().sum();
    assert_eq!(nodes, 0, "the target kept nodes");
    assert_clean(target);
}

fn position(lines: &[serde_json::Value], variant: &str) -> usize {
    lines.iter().position(|l| l.get(variant).is_some()).unwrap_or_else(|| panic!("no {variant} record"))
}

/// A change to the lines of a snapshot.
type Edit = dyn Fn(&mut Vec<serde_json::Value>);

#[test]
fn hostile_tenant_records_are_refused_and_leave_the_target_empty() {
    let (source, ids) = source();
    let lines = json_lines(&source);
    let edits: Vec<(&str, Box<Edit>)> = vec![
        (
            "an invalid timezone",
            Box::new(|l| {
                let i = position(l, "tenantSettings");
                l[i]["tenantSettings"]["settings"]["timezone"] = "Mars/Olympus".into();
            }),
        ),
        (
            "a SIP domain taken by another tenant",
            Box::new(|l| {
                let i = position(l, "tenantSettings");
                let j = l.iter().rposition(|r| r.get("tenantSettings").is_some()).unwrap();
                assert_ne!(i, j);
                l[j]["tenantSettings"]["settings"]["domain"] = "SIP.bakery.example".into();
            }),
        ),
        (
            "settings twice",
            Box::new(|l| {
                let i = position(l, "tenantSettings");
                let dup = l[i].clone();
                l.insert(i + 1, dup);
            }),
        ),
        (
            "settings on a reseller",
            Box::new(move |l| {
                let i = position(l, "tenantSettings");
                l[i]["tenantSettings"]["node"] = serde_json::to_value(ids[3]).unwrap();
            }),
        ),
        (
            "an unknown contact match type",
            Box::new(|l| {
                let i = position(l, "tenantSettings");
                l[i]["tenantSettings"]["settings"]["contact_match_type"] = 7.into();
            }),
        ),
        (
            "an unknown hook authentication",
            Box::new(|l| {
                let i = position(l, "tenantSettings");
                l[i]["tenantSettings"]["settings"]["cdr_event"]["auth"] = 9.into();
            }),
        ),
        (
            "a holiday ending before it starts",
            Box::new(|l| {
                let i = position(l, "holiday");
                l[i]["holiday"]["holiday"]["month_start"] = 12.into();
                l[i]["holiday"]["holiday"]["month_end"] = 1.into();
            }),
        ),
        (
            "a holiday on the 31st of April",
            Box::new(|l| {
                let i = position(l, "holiday");
                l[i]["holiday"]["holiday"]["month_start"] = 4.into();
                l[i]["holiday"]["holiday"]["day_start"] = 31.into();
                l[i]["holiday"]["holiday"]["month_end"] = 4.into();
                l[i]["holiday"]["holiday"]["day_end"] = 31.into();
            }),
        ),
        (
            "a holiday id used twice",
            Box::new(|l| {
                let i = position(l, "holiday");
                let id = l[i]["holiday"]["id"].clone();
                l[i + 1]["holiday"]["id"] = id;
            }),
        ),
        (
            "holiday id 0",
            Box::new(|l| {
                let i = position(l, "holiday");
                l[i]["holiday"]["id"] = 0.into();
            }),
        ),
        (
            "a negative recharge",
            Box::new(|l| {
                let i = position(l, "ledgerEntry");
                l[i]["ledgerEntry"]["entry"]["amount"] = (-1_050_000).into();
            }),
        ),
        (
            "a running balance that is not the sum",
            Box::new(|l| {
                let i = position(l, "ledgerEntry");
                l[i]["ledgerEntry"]["entry"]["balance"] = 1.into();
            }),
        ),
        (
            "ledger entries out of order",
            Box::new(|l| {
                let i = position(l, "ledgerEntry");
                l.swap(i, i + 1);
            }),
        ),
        (
            "a dialog header added",
            Box::new(|l| {
                let i = position(l, "sipHeaders");
                l[i]["sipHeaders"]["headers"]["add"][0][0] = "Call-ID".into();
            }),
        ),
        (
            "a voicemail extension with letters",
            Box::new(|l| {
                let i = position(l, "voicemail");
                l[i]["voicemail"]["voicemail"]["extension_number"] = "8a0".into();
            }),
        ),
        (
            "a tenant document before its node",
            Box::new(|l| {
                let i = position(l, "voicemail");
                let rec = l.remove(i);
                l.insert(1, rec);
            }),
        ),
    ];
    for (what, edit) in edits {
        let mut edited = lines.clone();
        edit(&mut edited);
        let (target, err) = import_lines(&edited);
        // A clear refusal of the input, never "damaged storage".
        assert!(matches!(err.code(), "INVALID_ARGUMENT" | "ALREADY_EXISTS" | "NOT_FOUND"), "{what}: {err}");
        assert_empty(&target);
    }
    // The unedited lines import.
    let text: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    store().import_snapshot(&sys(), SnapshotFormat::Json, &mut text.join("\n").as_bytes()).unwrap();
}

#[test]
fn a_truncated_binary_snapshot_with_tenant_records_is_refused() {
    let (source, _) = source();
    let bytes = export(&source, None, SnapshotFormat::Binary);
    for cut in [bytes.len() - 1, bytes.len() / 2, bytes.len() * 9 / 10] {
        let target = store();
        let err = target.import_snapshot(&sys(), SnapshotFormat::Binary, &mut &bytes[..cut]).unwrap_err();
        assert_eq!(err.code(), "INVALID_ARGUMENT", "cut at {cut}: {err}");
        assert_empty(&target);
    }
}

#[test]
fn tenant_documents_survive_closing_and_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tenants.redb");
    let open = || Store::builder().preset(Preset::Channel).durability(Durability::Immediate).open(&path).unwrap();
    let (before, ids) = {
        let store = open();
        let c = chain(&store);
        let b = create(&store, "tenant", "b", Some(c.reseller.id));
        fill(&store, c.tenant.id, "sip.bakery.example");
        fill(&store, b.id, "sip.b.example");
        (snapshot(&store), vec![c.tenant.id, b.id])
    };
    let store = open();
    assert_eq!(snapshot(&store), before);
    assert_clean(&store);
    // The counters and the SIP-domain index were persisted too.
    let h = store.create_holiday(&sys(), ids[0], &NewHoliday::yearly("Later", (5, 1), (5, 1))).unwrap();
    assert_eq!(h.id, HolidayId::new(7).unwrap(), "3 holidays per tenant were created before");
    let taken: TenantSettingsUpdate = serde_json::from_value(serde_json::json!({"domain": "sip.B.example"})).unwrap();
    assert_eq!(store.update_tenant_settings(&sys(), ids[0], &taken).unwrap_err().code(), "ALREADY_EXISTS");
    let e = store.recharge(&sys(), ids[0], "0.00009".parse().unwrap()).unwrap();
    assert_eq!(e.balance, "1234578.39022".parse().unwrap());
    assert_eq!(e.id, 7, "3 ledger entries per tenant were made before");
}
