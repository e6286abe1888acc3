//! Scope and 001's `tenant_full_access` on every tenant document: an account sees only the
//! tenants of its subtree; with `tenant_full_access = false` above a tenant, a dealer's admins
//! read every document of it but change none.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
mod tenant_common;

use common::*;
use tenant_common::*;
use tenantree::{
    Actor, CustomHeadersUpdate, Decimal, HolidayQuery, HolidayUpdate, LedgerQuery, NewHoliday, NodeId, NodeUpdate,
    PasswordPolicy, Store, TenantSettingsUpdate, VoicemailUpdate,
};

fn amount(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Every read of a tenant's documents, as `who`.
fn read_all(store: &Store, who: &Actor, t: NodeId) -> Result<(), tenantree::Error> {
    store.read(who, |tx| {
        tx.tenant_settings(t)?;
        tx.tenant_status(t)?;
        tx.holidays(t, &HolidayQuery::default())?;
        tx.balance(t, &LedgerQuery::default())?;
        tx.custom_headers(t)?;
        tx.voicemail(t)?;
        tx.password_policy(Some(t))?;
        Ok(())
    })
}

/// Every write of a tenant's documents, each refused with `code`, and nothing changes.
fn every_write_refused(store: &Store, who: &Actor, t: NodeId, code: &str) {
    let holiday = store.holidays(&sys(), t, &HolidayQuery::default()).unwrap().items[0].id;
    let tz: TenantSettingsUpdate = serde_json::from_value(serde_json::json!({"timezone": "Asia/Tokyo"})).unwrap();
    refused_all(store, code, || store.update_tenant_settings(who, t, &tz));
    refused_all(store, code, || store.create_holiday(who, t, &NewHoliday::yearly("May day", (5, 1), (5, 1))));
    refused_all(store, code, || {
        store.write(who, |tx| {
            tx.update_holiday(t, holiday, &HolidayUpdate { name: Some("X".into()), ..Default::default() })
        })
    });
    refused_all(store, code, || store.write(who, |tx| tx.delete_holiday(t, holiday)));
    refused_all(store, code, || store.recharge(who, t, amount("1")));
    refused_all(store, code, || store.set_custom_headers(who, t, &CustomHeadersUpdate::default()));
    refused_all(store, code, || {
        store.update_voicemail(who, t, &VoicemailUpdate { retain_days: Some(9), ..Default::default() })
    });
    refused_all(store, code, || {
        store.write(who, |tx| tx.set_password_policy(Some(t), Some(&PasswordPolicy::default())))
    });
}

#[test]
fn tenant_full_access_off_makes_every_tenant_document_read_only_to_the_dealer() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    let (_, dealer) = account(&store, "ops@shop", "reseller_admin", Some(c.reseller.id));
    let (_, admin) = account(&store, "admin@bakery", "tenant_admin", Some(t));
    store.create_holiday(&dealer, t, &NewHoliday::yearly("Christmas", (12, 25), (12, 26))).unwrap();
    store.recharge(&dealer, t, amount("2.5")).unwrap();
    store
        .update_node(&sys(), c.reseller.id, &NodeUpdate { tenant_full_access: Some(false), ..Default::default() })
        .unwrap();
    read_all(&store, &dealer, t).unwrap();
    every_write_refused(&store, &dealer, t, "FORBIDDEN");
    // The tenant's own admin still manages its settings and holidays.
    let tz: TenantSettingsUpdate = serde_json::from_value(serde_json::json!({"timezone": "Asia/Tokyo"})).unwrap();
    store.update_tenant_settings(&admin, t, &tz).unwrap();
    store.create_holiday(&admin, t, &NewHoliday::yearly("May day", (5, 1), (5, 1))).unwrap();
    // Turned back on, the dealer writes again.
    store
        .update_node(&sys(), c.reseller.id, &NodeUpdate { tenant_full_access: Some(true), ..Default::default() })
        .unwrap();
    store.recharge(&dealer, t, amount("1")).unwrap();
    assert_eq!(store.balance(&dealer, t, &LedgerQuery::default()).unwrap().balance, amount("3.5"));
    assert_clean(&store);
}

#[test]
fn an_account_outside_the_subtree_sees_no_tenant_document() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    store.create_holiday(&sys(), t, &NewHoliday::yearly("Christmas", (12, 25), (12, 26))).unwrap();
    let elsewhere = create(&store, "reseller", "elsewhere", Some(c.dist.id));
    let (_, stranger) = account(&store, "stranger", "reseller_admin", Some(elsewhere.id));
    let (_, sibling) =
        account(&store, "sibling@b", "tenant_admin", Some(create(&store, "tenant", "b", Some(c.reseller.id)).id));
    for who in [&stranger, &sibling] {
        assert_eq!(read_all(&store, who, t).unwrap_err().code(), "NOT_FOUND");
        every_write_refused(&store, who, t, "NOT_FOUND");
    }
    // Someone above the tenant sees it.
    let (_, dist) = account(&store, "north", "distributor_admin", Some(c.dist.id));
    read_all(&store, &dist, t).unwrap();
    assert_clean(&store);
}
