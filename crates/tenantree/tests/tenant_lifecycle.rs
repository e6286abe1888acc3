//! The tenant documents through a tenant's life: batches, deletion of everything a tenant owned,
//! and the integrity check finding damage done to them behind the store's back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
mod tenant_common;

use common::*;
use redb::ReadableTable;
use tenant_common::*;
use tenantree::{
    CustomHeadersUpdate, Decimal, HolidayQuery, LedgerQuery, NewHoliday, NodeId, Op, OpOutput, Store,
    TenantSettingsUpdate, VoicemailUpdate,
};

/// Gives a tenant one of every document.
fn fill(store: &Store, t: NodeId, domain: &str) {
    let u: TenantSettingsUpdate = serde_json::from_value(serde_json::json!({
        "domain": domain, "timezone": "Europe/Brussels",
        "cdr_event": {"enabled": true, "auth": "BASIC", "username": "u", "password": "p", "url": "https://h.example/"}
    }))
    .unwrap();
    store.update_tenant_settings(&sys(), t, &u).unwrap();
    store.create_holiday(&sys(), t, &NewHoliday::yearly("Christmas", (12, 25), (12, 26))).unwrap();
    store.create_holiday(&sys(), t, &NewHoliday::yearly("New year", (1, 1), (1, 1))).unwrap();
    store.recharge(&sys(), t, "10.5".parse().unwrap()).unwrap();
    store.recharge(&sys(), t, "0.25".parse().unwrap()).unwrap();
    let h: CustomHeadersUpdate =
        serde_json::from_value(serde_json::json!({"add": [{"name": "X-T", "value": "1", "scope": "TRUNK"}]})).unwrap();
    store.set_custom_headers(&sys(), t, &h).unwrap();
    store
        .update_voicemail(&sys(), t, &VoicemailUpdate { extension_number: Some("800".into()), ..Default::default() })
        .unwrap();
}

#[test]
fn deleting_a_tenant_removes_everything_it_owned() {
    let store = store();
    let c = chain(&store);
    let b = create(&store, "tenant", "b", Some(c.reseller.id));
    fill(&store, c.tenant.id, "a.example");
    fill(&store, b.id, "b.example");
    let b_docs = docs(&store, b.id);
    assert_clean(&store);
    // Settings, holidays and a balance do not block the delete.
    assert!(store.delete_node(&sys(), c.tenant.id).unwrap());
    assert_clean(&store);
    assert_eq!(docs(&store, b.id), b_docs, "the other tenant keeps its documents");
    assert_eq!(store.tenant_settings(&sys(), c.tenant.id).unwrap_err().code(), "NOT_FOUND");
    // The recharges stay in the change feed (as documented on `delete_node`).
    let feed = store.read(&sys(), |tx| tx.changes(0, 1000)).unwrap();
    let recharges = feed.changes.iter().filter(|e| e.op == "balance.recharge" && e.node == Some(c.tenant.id)).count();
    assert_eq!(recharges, 2);
    // Its domain is free again; a new tenant starts from the defaults.
    let again = create(&store, "tenant", "bakery", Some(c.reseller.id));
    let fresh = docs(&store, again.id);
    assert_eq!(fresh.settings.timezone, "UTC");
    assert_eq!((fresh.holidays.count, fresh.balance.count), (0, 0));
    assert!(fresh.headers.add.is_empty());
    assert_eq!(fresh.voicemail.extension_number, "");
    let u: TenantSettingsUpdate = serde_json::from_value(serde_json::json!({"domain": "A.example"})).unwrap();
    store.update_tenant_settings(&sys(), again.id, &u).unwrap();
    assert_clean(&store);
}

#[test]
fn batches_apply_tenant_operations_all_or_nothing() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id.to_string();
    let ops: Vec<Op> = serde_json::from_value(serde_json::json!([
        {"op": "updateTenantSettings", "tenant": t, "domain": "bakery.example", "max_extensions": 20},
        {"op": "createHoliday", "tenant": t, "name": "Christmas", "every_year": true, "consecutive": true,
         "month_start": 12, "day_start": 25, "month_end": 12, "day_end": 26},
        {"op": "recharge", "tenant": t, "balance": "12.5"},
        {"op": "setCustomHeaders", "tenant": t, "relay": [{"name": "X-R", "scope": "TRUNK"}]},
        {"op": "updateVoicemail", "tenant": t, "retain_days": 7},
    ]))
    .unwrap();
    let out = store.batch(&sys(), &ops).unwrap();
    assert!(matches!(&out[0], OpOutput::TenantSettings(s) if s.max_extensions == Some(20)));
    let holiday = match &out[1] {
        OpOutput::Holiday(h) => h.id,
        other => panic!("{other:?}"),
    };
    assert!(matches!(&out[2], OpOutput::LedgerEntry(e) if e.balance == "12.5".parse::<Decimal>().unwrap()));
    assert!(matches!(&out[3], OpOutput::CustomHeaders(h) if h.relay.len() == 1));
    assert!(matches!(&out[4], OpOutput::Voicemail(v) if v.retain_days == 7));
    assert_clean(&store);
    // The last operation fails: none of the batch is kept.
    let ops: Vec<Op> = serde_json::from_value(serde_json::json!([
        {"op": "updateHoliday", "tenant": t, "id": holiday.get(), "name": "Xmas"},
        {"op": "recharge", "tenant": t, "balance": "1"},
        {"op": "deleteHoliday", "tenant": t, "id": holiday.get()},
        {"op": "updateTenantSettings", "tenant": t, "timezone": "Asia/Tokyo"},
        {"op": "updateVoicemail", "tenant": t, "retain_days": 0},
    ]))
    .unwrap();
    let err = refused_all(&store, "INVALID_ARGUMENT", || store.batch(&sys(), &ops));
    assert!(matches!(err, tenantree::Error::Batch { index: 4, .. }), "{err:?}");
    assert_eq!(store.holidays(&sys(), c.tenant.id, &HolidayQuery::default()).unwrap().items[0].name, "Christmas");
    assert_eq!(store.balance(&sys(), c.tenant.id, &LedgerQuery::default()).unwrap().count, 1);
}

/// Builds a store in a file with two filled tenants (sequence numbers 5 and 6, under reseller
/// 4), damages it with `tamper`, and returns what the check finds.
fn tamper(damage: impl FnOnce(&redb::WriteTransaction)) -> Vec<tenantree::Finding> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.redb");
    {
        let store = Store::open(&path).unwrap();
        let c = chain(&store);
        let b = create(&store, "tenant", "b", Some(c.reseller.id));
        fill(&store, c.tenant.id, "a.example");
        fill(&store, b.id, "b.example");
        assert_clean(&store);
    }
    {
        let db = redb::Database::open(&path).unwrap();
        let txn = db.begin_write().unwrap();
        damage(&txn);
        txn.commit().unwrap();
    }
    Store::open(&path).unwrap().check().unwrap().findings
}

fn table(name: &str) -> redb::TableDefinition<'_, &'static [u8], &'static [u8]> {
    redb::TableDefinition::new(name)
}

/// `var(seq)` for small sequence numbers.
fn var(seq: u8) -> Vec<u8> {
    vec![1, seq]
}

fn first_row(txn: &redb::WriteTransaction, name: &str) -> (Vec<u8>, Vec<u8>) {
    let t = txn.open_table(table(name)).unwrap();
    let mut it = t.iter().unwrap();
    let (k, v) = it.next().unwrap().unwrap();
    (k.value().to_vec(), v.value().to_vec())
}

#[track_caller]
fn assert_found(findings: &[tenantree::Finding], area: &str, text: &str) {
    assert!(findings.iter().any(|f| f.area == area && f.message.contains(text)), "{area} {text:?}: {findings:#?}");
}

#[test]
fn the_check_verifies_the_sip_domain_index_both_ways() {
    let findings = tamper(|txn| {
        let mut t = txn.open_table(table("sip_domains")).unwrap();
        t.remove("a.example".as_bytes()).unwrap();
        t.insert("ghost.example".as_bytes(), 5u64.to_be_bytes().as_slice()).unwrap();
    });
    assert_found(&findings, "index.sipDomains", "does not own its domain \"a.example\"");
    assert_found(&findings, "index.sipDomains", "stale entry \"ghost.example\"");
    // Tenant 6 gets tenant 5's settings, domain included.
    let findings = tamper(|txn| {
        let mut t = txn.open_table(table("tenant_settings")).unwrap();
        let row = t.get(var(5).as_slice()).unwrap().unwrap().value().to_vec();
        t.insert(var(6).as_slice(), row.as_slice()).unwrap();
    });
    assert_found(&findings, "index.sipDomains", "nodes #5 and #6 share domain \"a.example\"");
    assert_found(&findings, "index.sipDomains", "stale entry \"b.example\"");
}

#[test]
fn the_check_finds_rows_of_deleted_or_wrong_nodes() {
    let findings = tamper(|txn| {
        let (_, settings) = first_row(txn, "tenant_settings");
        txn.open_table(table("tenant_settings"))
            .unwrap()
            .insert([2u8, 3, 231].as_slice(), settings.as_slice())
            .unwrap();
        let (key, holiday) = first_row(txn, "holidays");
        let mut on_reseller = var(4);
        on_reseller.extend_from_slice(&key[2..]);
        txn.open_table(table("holidays")).unwrap().insert(on_reseller.as_slice(), holiday.as_slice()).unwrap();
        txn.open_table(table("voicemail")).unwrap().insert(var(99).as_slice(), [1u8].as_slice()).unwrap();
    });
    assert_found(&findings, "tenant.settings", "missing node #999");
    assert_found(&findings, "tenant.holidays", "not of a tenant kind");
    assert_found(&findings, "tenant.voicemail", "missing node #99");
}

#[test]
fn the_check_verifies_balances_against_their_ledger() {
    // An entry disappears: the total no longer matches, nor does the next running balance.
    let findings = tamper(|txn| {
        let (key, _) = first_row(txn, "ledger");
        txn.open_table(table("ledger")).unwrap().remove(key.as_slice()).unwrap();
    });
    assert_found(&findings, "tenant.balance", "node #5 stores 1075000 in 2 entries, its ledger holds 25000 in 1");
    assert_found(&findings, "tenant.ledger", "says the balance is 1075000, the sum is 25000");
    // A balance row moves to another tenant, and one tenant loses its own.
    let findings = tamper(|txn| {
        let mut t = txn.open_table(table("balances")).unwrap();
        let row = t.remove(var(5).as_slice()).unwrap().unwrap().value().to_vec();
        t.insert(var(6).as_slice(), row.as_slice()).unwrap();
    });
    assert_found(&findings, "tenant.balance", "node #5 has ledger entries but no stored balance");
    // An undecodable record.
    let findings = tamper(|txn| {
        txn.open_table(table("sip_headers")).unwrap().insert(var(6).as_slice(), [0xFFu8; 3].as_slice()).unwrap();
    });
    assert_found(&findings, "tenant.headers", "node #6");
}
