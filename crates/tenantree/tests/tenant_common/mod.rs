//! Helpers of the tenant-document tests: a snapshot of every tenant document of the store, and
//! a stricter `refused` that also compares those documents and the change feed.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;

use tenantree::{
    Balance, CustomHeaders, DescendantQuery, Error, HolidayPage, HolidayQuery, LedgerQuery, NodeId, Store,
    TenantSettings, VoicemailSettings,
};

use crate::common::{refused, sys};

/// Every document of one tenant, secrets in clear.
#[derive(Debug, PartialEq)]
pub struct Docs {
    pub settings: TenantSettings,
    pub holidays: HolidayPage,
    pub balance: Balance,
    pub headers: CustomHeaders,
    pub voicemail: VoicemailSettings,
}

/// The documents of every tenant node, and the last change-feed event.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    pub tenants: BTreeMap<NodeId, Docs>,
    pub last_event: u64,
}

pub fn last_event(store: &Store) -> u64 {
    let mut after = 0;
    loop {
        let page = store.read(&sys(), |tx| tx.changes(after, 1000)).unwrap();
        if page.changes.is_empty() {
            return after;
        }
        after = page.next;
    }
}

pub fn docs(store: &Store, id: NodeId) -> Docs {
    store
        .read(&sys(), |tx| {
            Ok(Docs {
                settings: tx.tenant_settings_with_secrets(id)?,
                holidays: tx.holidays(id, &HolidayQuery { top: Some(1000), ..Default::default() })?,
                balance: tx.balance(id, &LedgerQuery { after: None, limit: Some(1000) })?,
                headers: tx.custom_headers(id)?,
                voicemail: tx.voicemail(id)?,
            })
        })
        .unwrap()
}

pub fn snapshot(store: &Store) -> Snapshot {
    let mut tenants = BTreeMap::new();
    for kind in store.schema().kinds.iter().filter(|k| k.tenant) {
        let q = DescendantQuery { kind: kind.name.clone(), limit: Some(1000), ..Default::default() };
        for n in store.descendants(&sys(), None, &q).unwrap().items {
            tenants.insert(n.id, docs(store, n.id));
        }
    }
    Snapshot { tenants, last_event: last_event(store) }
}

/// [`refused`], plus: every tenant document and the change feed are as before.
#[track_caller]
pub fn refused_all<T: std::fmt::Debug>(store: &Store, code: &str, op: impl FnOnce() -> Result<T, Error>) -> Error {
    let before = snapshot(store);
    let err = refused(store, code, op);
    assert_eq!(snapshot(store), before, "a refused operation changed a tenant document or the feed");
    err
}

/// The field an INVALID_ARGUMENT names.
pub fn field(err: &Error) -> String {
    match err {
        Error::InvalidArgument { field, .. } => field.clone(),
        other => panic!("not an INVALID_ARGUMENT: {other}"),
    }
}
