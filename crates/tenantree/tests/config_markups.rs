//! Markups (003): history per node, the markup at a time, prices through the chain.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use tenantree::{Decimal, Preset, Timestamp};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

#[test]
fn history_is_newest_first_and_the_markup_at_a_time_is_the_latest_started() {
    let (store, clock) = store_with(Preset::Channel);
    let c = chain(&store);
    store.write(&sys(), |tx| tx.add_markup(c.reseller.id, d("10.0"), Some(t("2022-01-01T21:42:07.234119")))).unwrap();
    store.write(&sys(), |tx| tx.add_markup(c.reseller.id, d("0.0"), Some(t("2022-05-23T14:35:02.705016")))).unwrap();
    let history = store.read(&sys(), |tx| tx.markups(c.reseller.id)).unwrap();
    assert_eq!(history.iter().map(|m| m.percent.to_string()).collect::<Vec<_>>(), ["0", "10"]);
    assert_eq!(history[0].start.to_string(), "2022-05-23T14:35:02.705016Z");
    let at = |s: &str| store.read(&sys(), |tx| tx.markup_at(c.reseller.id, Some(t(s)))).unwrap().map(|m| m.percent);
    assert_eq!(at("2021-12-31T00:00:00"), None);
    assert_eq!(at("2022-01-01T21:42:07.234119"), Some(d("10")));
    assert_eq!(at("2022-03-01T00:00:00"), Some(d("10")));
    assert_eq!(at("2023-01-01T00:00:00"), Some(d("0")));
    // Without a start, a markup starts now and becomes the current one.
    clock.set(t("2024-06-01T00:00:00"));
    store.write(&sys(), |tx| tx.add_markup(c.reseller.id, d("12.3"), None)).unwrap();
    assert_eq!(store.read(&sys(), |tx| tx.markup_at(c.reseller.id, None)).unwrap().unwrap().percent, d("12.3"));
    // The same start replaces.
    store.write(&sys(), |tx| tx.add_markup(c.reseller.id, d("12.5"), None)).unwrap();
    assert_eq!(store.read(&sys(), |tx| tx.markups(c.reseller.id)).unwrap().len(), 3);
    assert!(store.write(&sys(), |tx| tx.remove_markup(c.reseller.id, t("2024-06-01T00:00:00"))).unwrap());
    assert_eq!(store.read(&sys(), |tx| tx.markup_at(c.reseller.id, None)).unwrap().unwrap().percent, d("0"));
}

#[test]
fn prices_carry_every_markup_of_the_chain_exactly() {
    let (store, clock) = store_with(Preset::Channel);
    let c = chain(&store);
    clock.set(t("2024-01-01T00:00:00"));
    store.write(&sys(), |tx| tx.add_markup(c.dist.id, d("10"), None)).unwrap();
    store.write(&sys(), |tx| tx.add_markup(c.reseller.id, d("20"), None)).unwrap();
    store.write(&sys(), |tx| tx.add_markup(c.tenant.id, d("-5"), None)).unwrap();
    clock.set(t("2024-06-01T00:00:00"));
    store.write(&sys(), |tx| tx.add_markup(c.reseller.id, d("25"), None)).unwrap();
    let price = |at: &str| store.read(&sys(), |tx| tx.effective_price(c.tenant.id, d("0.1"), Some(t(at)))).unwrap();
    // 0.1 × 1.10 × 1.20 × 0.95, exactly.
    let march = price("2024-03-01T00:00:00");
    assert_eq!(march.price, d("0.1254"));
    assert_eq!(march.steps.iter().map(|s| s.percent.to_string()).collect::<Vec<_>>(), ["10", "20", "-5"]);
    assert_eq!(march.steps[0].node, c.dist.id);
    assert_eq!(march.steps[1].price, d("0.132"));
    let july = price("2024-07-01T00:00:00");
    assert_eq!(july.price, d("0.130625"));
    let before = price("2023-01-01T00:00:00");
    assert_eq!((before.price, before.steps.len()), (d("0.1"), 0));
    // A scoped caller sees the price entering its scope, not the markups above it.
    let (_, dealer) = account(&store, "res", "reseller_admin", Some(c.reseller.id));
    let scoped =
        store.read(&dealer, |tx| tx.effective_price(c.tenant.id, d("0.1"), Some(t("2024-03-01T00:00:00")))).unwrap();
    assert_eq!(scoped.price, march.price);
    assert_eq!(scoped.inherited, d("0.11"));
    assert_eq!(scoped.steps.iter().map(|s| s.node).collect::<Vec<_>>(), [c.reseller.id, c.tenant.id]);
}

#[test]
fn markups_are_validated_permissioned_and_deleted_with_the_node() {
    let store = store();
    let c = chain(&store);
    for bad in ["-100", "100000.5", "1.0000001"] {
        refused(&store, "INVALID_ARGUMENT", || store.write(&sys(), |tx| tx.add_markup(c.reseller.id, d(bad), None)));
    }
    let (_, user) = account(&store, "u", "tenant_user", Some(c.tenant.id));
    refused(&store, "FORBIDDEN", || store.write(&user, |tx| tx.add_markup(c.tenant.id, d("1"), None)));
    assert_eq!(store.read(&user, |tx| tx.markups(c.tenant.id)).unwrap_err().code(), "FORBIDDEN");
    let (_, tadmin) = account(&store, "ta", "tenant_admin", Some(c.tenant.id));
    store.read(&tadmin, |tx| tx.markups(c.tenant.id)).unwrap();
    store.write(&sys(), |tx| tx.add_markup(c.tenant.id, d("3"), None)).unwrap();
    store.write(&sys(), |tx| tx.delete_account(tenantree::AccountId::new(1)?)).unwrap();
    store.write(&sys(), |tx| tx.delete_account(tenantree::AccountId::new(2)?)).unwrap();
    store.delete_node(&sys(), c.tenant.id).unwrap();
    assert_clean(&store);
}
