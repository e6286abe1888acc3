//! 004's tenant balance: recharges in a fixed-point ledger, the balance as its exact sum.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
mod tenant_common;

use common::*;
use tenant_common::*;
use tenantree::{Actor, Decimal, LedgerQuery};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

#[test]
fn the_balance_is_the_exact_sum_of_the_ledger() {
    let (store, clock) = store_with(tenantree::Preset::Channel);
    let c = chain(&store);
    let t = c.tenant.id;
    let empty = store.balance(&sys(), t, &LedgerQuery::default()).unwrap();
    assert_eq!((empty.balance, empty.count, empty.entries.len(), empty.next), (Decimal::ZERO, 0, 0, None));
    let next = last_event(&store);
    let first = store.recharge(&sys(), t, d("0.1")).unwrap();
    clock.advance(1_000_000);
    let (_, admin) = account(&store, "admin@bakery", "tenant_admin", Some(t));
    let second = store.recharge(&admin, t, d("0.2")).unwrap();
    let third = store.recharge(&sys(), t, d("12.34567")).unwrap();
    assert_eq!(first.balance, d("0.1"));
    assert_eq!(second.balance, d("0.3"), "no floating point: 0.1 + 0.2 is 0.3");
    assert_eq!(third.balance, d("12.64567"));
    assert_eq!(second.actor, admin);
    assert_eq!(first.actor, Actor::System);
    assert!(second.time > first.time);
    let b = store.balance(&sys(), t, &LedgerQuery::default()).unwrap();
    assert_eq!((b.balance, b.count), (d("12.64567"), 3));
    assert_eq!(b.entries, vec![first.clone(), second.clone(), third.clone()]);
    assert_eq!(serde_json::to_value(&b).unwrap()["balance"], "12.64567");
    // 004's request body.
    let body: serde_json::Value = serde_json::json!({"balance": 1});
    let amount: Decimal = serde_json::from_value(body["balance"].clone()).unwrap();
    assert_eq!(store.recharge(&sys(), t, amount).unwrap().balance, d("13.64567"));
    let changes = store.read(&sys(), |tx| tx.changes(next, 100)).unwrap().changes;
    assert_eq!(changes.iter().filter(|c| c.op == "balance.recharge").count(), 4);
    assert_eq!(changes[0].changes.as_ref().unwrap()["amount"], "0.1");
    assert_clean(&store);
}

#[test]
fn amounts_must_be_positive_and_within_five_decimals() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    store.recharge(&sys(), t, d("5")).unwrap();
    for bad in ["0", "-1", "-0.00001", "0.000001", "1.123456"] {
        let err = refused_all(&store, "INVALID_ARGUMENT", || store.recharge(&sys(), t, d(bad)));
        assert_eq!(field(&err), "balance", "{bad}");
    }
    // Trailing zeros are not precision: 1.500000 is 1.5.
    assert_eq!(store.recharge(&sys(), t, d("1.500000")).unwrap().amount, d("1.5"));
    assert_eq!(store.recharge(&sys(), t, d("0.00001")).unwrap().balance, d("6.50001"));
    assert_clean(&store);
}

#[test]
fn a_balance_never_overflows() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    // 29 integer digits and 5 decimals: 34 digits, the most a decimal holds.
    let big = d("99999999999999999999999999999");
    store.recharge(&sys(), t, big).unwrap();
    let err = refused_all(&store, "INVALID_ARGUMENT", || store.recharge(&sys(), t, big));
    assert_eq!(field(&err), "balance");
    // Up to the last unit below 10^29, and not one more.
    let top = store.recharge(&sys(), t, d("0.99999")).unwrap().balance;
    assert_eq!(top, d("99999999999999999999999999999.99999"));
    let err = refused_all(&store, "INVALID_ARGUMENT", || store.recharge(&sys(), t, d("0.00001")));
    assert_eq!(field(&err), "balance");
    assert_eq!(store.balance(&sys(), t, &LedgerQuery::default()).unwrap().balance, top);
    assert_clean(&store);
}

#[test]
fn the_ledger_pages_oldest_first() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    let other = create(&store, "tenant", "other", Some(c.reseller.id));
    store
        .write(&sys(), |tx| {
            for i in 1..=25 {
                tx.recharge(t, Decimal::from_int(i))?;
                tx.recharge(other.id, Decimal::from_int(100))?;
            }
            Ok(())
        })
        .unwrap();
    let mut seen = Vec::new();
    let mut q = LedgerQuery { after: None, limit: Some(10) };
    loop {
        let page = store.balance(&sys(), t, &q).unwrap();
        assert_eq!((page.count, page.balance), (25, Decimal::from_int(325)));
        seen.extend(page.entries.iter().map(|e| e.amount));
        match page.next {
            Some(n) => q.after = Some(n),
            None => break,
        }
    }
    assert_eq!(seen, (1..=25).map(Decimal::from_int).collect::<Vec<_>>(), "only this tenant's entries, in order");
    for bad in [Some(0), Some(1001)] {
        let err = store.balance(&sys(), t, &LedgerQuery { after: None, limit: bad }).unwrap_err();
        assert_eq!(field(&err), "limit");
    }
    assert_eq!(store.balance(&sys(), other.id, &LedgerQuery::default()).unwrap().balance, Decimal::from_int(2500));
}

#[test]
fn balance_access_follows_the_roles() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    let (_, user) = account(&store, "user@bakery", "tenant_user", Some(t));
    let elsewhere = create(&store, "reseller", "elsewhere", Some(c.dist.id));
    let (_, stranger) = account(&store, "stranger", "reseller_admin", Some(elsewhere.id));
    let (_, dealer) = account(&store, "ops@shop", "reseller_admin", Some(c.reseller.id));
    store.recharge(&dealer, t, d("10")).unwrap();
    assert_eq!(store.balance(&user, t, &LedgerQuery::default()).unwrap().balance, d("10"));
    let err = refused_all(&store, "FORBIDDEN", || store.recharge(&user, t, d("1")));
    assert!(err.to_string().contains("tenant.instance.balance.recharge"), "{err}");
    refused_all(&store, "NOT_FOUND", || store.recharge(&stranger, t, d("1")));
    assert_eq!(store.balance(&stranger, t, &LedgerQuery::default()).unwrap_err().code(), "NOT_FOUND");
    let err = refused_all(&store, "INVALID_ARGUMENT", || store.recharge(&sys(), c.reseller.id, d("1")));
    assert_eq!(field(&err), "tenant");
    // A suspended tenant can still be recharged (by someone in service).
    store.set_status(&sys(), t, tenantree::Status::Suspended { profile: 1 }).unwrap();
    store.recharge(&dealer, t, d("5")).unwrap();
    assert_eq!(store.balance(&sys(), t, &LedgerQuery::default()).unwrap().balance, d("15"));
    assert_clean(&store);
}
