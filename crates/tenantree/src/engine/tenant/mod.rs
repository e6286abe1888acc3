//! 004's tenant document family, hung on nodes of a tenant kind: settings (with the store-wide
//! SIP-domain index), holidays, the balance ledger, custom SIP headers and voicemail settings.
//!
//! Every table here is keyed by the node's `var(seq)` first, so a tenant's data is one range
//! and [`forget_node`] removes it on delete. The SIP-domain index is keyed by the folded
//! domain. [`check`] verifies all of it against the node records.

pub(crate) mod balance;
pub(crate) mod holidays;
pub(crate) mod restore;
pub(crate) mod rules;
pub(crate) mod settings;
pub(crate) mod sip;

use std::collections::BTreeMap;

use crate::engine::access::{Action, Principal};
use crate::engine::{Chain, query};
use crate::error::{Error, Result};
use crate::ids::NodeId;
use crate::schema::Schema;
use crate::store::{
    BalanceRecord, Blob, Flow, HeadersRecord, HolidayRecord, KeyRange, LedgerRecord, SettingsRecord, View,
    VoicemailRecord, WriteView, decode, keys,
};

/// Loads a tenant node the principal may see and checks `action` on it: NOT_FOUND outside the
/// scope, INVALID_ARGUMENT for a node that is not of a tenant kind, then the access rules of
/// [`Principal::require`].
pub(crate) fn tenant_chain(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    id: NodeId,
    action: Action,
) -> Result<Chain> {
    let chain = query::visible_chain(v, who, id)?;
    let kind = chain.node()?.rec.kind;
    let def = schema.kind_at(kind)?;
    if !def.tenant {
        return Err(Error::invalid(
            "tenant",
            format!("node {id} is a {}: 004's tenant documents belong to nodes of a tenant kind", def.name),
        ));
    }
    who.require(schema, &chain, kind, action)?;
    Ok(chain)
}

/// The key of a node's single-row documents, and the prefix of its multi-row ones.
pub(crate) fn node_key(seq: u64) -> Vec<u8> {
    keys::parent_prefix(seq)
}

/// The key of one row of a node's multi-row documents (holidays, ledger).
pub(crate) fn row_key(seq: u64, id: u64) -> Vec<u8> {
    keys::by_parent(seq, id)
}

/// Reads a named counter of `meta` (the next id it hands out; 1 when never used).
fn counter(v: &impl View, name: &str) -> Result<u64> {
    Ok(v.meta(name)?.and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok()).map_or(1, u64::from_le_bytes))
}

/// Removes everything a deleted node owned here, its SIP domain included.
pub(crate) fn forget_node(w: &mut WriteView<'_>, seq: u64) -> Result<()> {
    let key = node_key(seq);
    if let Some(bytes) = w.blob(Blob::TenantSettings, &key)? {
        let rec: SettingsRecord = decode(&bytes)?;
        if !rec.domain.is_empty() {
            w.remove_blob(Blob::SipDomains, rec.domain.to_ascii_lowercase().as_bytes())?;
        }
        w.remove_blob(Blob::TenantSettings, &key)?;
    }
    w.remove_range(Blob::Holidays, KeyRange::prefix(&key))?;
    w.remove_blob(Blob::Balances, &key)?;
    w.remove_range(Blob::Ledger, KeyRange::prefix(&key))?;
    w.remove_blob(Blob::SipHeaders, &key)?;
    w.remove_blob(Blob::Voicemail, &key)?;
    Ok(())
}

/// Findings of the integrity check, as (area, message).
type Findings = Vec<(&'static str, String)>;

/// What the integrity check needs to know about nodes: the kind of an existing node.
pub(crate) type KindOf<'a> = &'a dyn Fn(u64) -> Option<u8>;

/// The node of a single-row key, if the key is well formed and the node exists and is a
/// tenant; records a finding otherwise.
fn owner(key: &[u8], schema: &Schema, kind_of: KindOf<'_>, area: &'static str, out: &mut Findings) -> Option<u64> {
    match keys::take_var(key) {
        Some((seq, [])) => tenant_owner(seq, schema, kind_of, area, out),
        _ => {
            out.push((area, format!("malformed key {key:?}")));
            None
        }
    }
}

fn tenant_owner(seq: u64, schema: &Schema, kind_of: KindOf<'_>, area: &'static str, out: &mut Findings) -> Option<u64> {
    match kind_of(seq) {
        None => {
            out.push((area, format!("a row of missing node #{seq} is left over")));
            None
        }
        Some(kind) if !schema.kinds.get(usize::from(kind)).is_some_and(|k| k.tenant) => {
            out.push((area, format!("node #{seq} holds a tenant document but is not of a tenant kind")));
            None
        }
        Some(_) => Some(seq),
    }
}

/// Verifies the tenant documents: every row belongs to an existing tenant node and re-validates;
/// the SIP-domain index matches the settings both ways; holiday and ledger ids are below their
/// counters; every stored balance is its ledger's sum and count, and every entry's running
/// balance is right.
pub(crate) fn check(v: &impl View, schema: &Schema, kind_of: KindOf<'_>) -> Result<Findings> {
    let mut out: Findings = Vec::new();

    // Settings, and the domains they claim.
    let mut claimed: BTreeMap<String, u64> = BTreeMap::new();
    let mut rows: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    v.scan(Blob::TenantSettings, KeyRange::all(), false, &mut |k, val| {
        rows.push((k.to_vec(), val.to_vec()));
        Ok(Flow::Continue(()))
    })?;
    for (k, val) in rows {
        let Some(seq) = owner(&k, schema, kind_of, "tenant.settings", &mut out) else { continue };
        match decode::<SettingsRecord>(&val) {
            Ok(rec) => {
                if let Err(e) = settings::validate_record(&rec) {
                    out.push(("tenant.settings", format!("node #{seq}: {e}")));
                }
                if !rec.domain.is_empty() {
                    let folded = rec.domain.to_ascii_lowercase();
                    if let Some(other) = claimed.insert(folded.clone(), seq) {
                        out.push(("index.sipDomains", format!("nodes #{other} and #{seq} share domain {folded:?}")));
                    }
                }
            }
            Err(e) => out.push(("tenant.settings", format!("node #{seq}: the settings do not decode: {e}"))),
        }
    }
    let mut indexed: BTreeMap<String, u64> = BTreeMap::new();
    v.scan(Blob::SipDomains, KeyRange::all(), false, &mut |k, val| {
        let domain = String::from_utf8_lossy(k).into_owned();
        match <[u8; 8]>::try_from(val) {
            Ok(b) => {
                indexed.insert(domain, u64::from_be_bytes(b));
            }
            Err(_) => out.push(("index.sipDomains", format!("the entry of {domain:?} is malformed"))),
        }
        Ok(Flow::Continue(()))
    })?;
    for (domain, seq) in &claimed {
        if indexed.get(domain) != Some(seq) {
            out.push(("index.sipDomains", format!("node #{seq} does not own its domain {domain:?} in the index")));
        }
    }
    for (domain, seq) in &indexed {
        if claimed.get(domain) != Some(seq) {
            out.push(("index.sipDomains", format!("stale entry {domain:?} for node #{seq}")));
        }
    }

    // Holidays.
    let next_holiday = counter(v, holidays::COUNTER)?;
    v.scan(Blob::Holidays, KeyRange::all(), false, &mut |k, val| {
        let Some((seq, id)) = keys::split_by_parent(k) else {
            out.push(("tenant.holidays", format!("malformed key {k:?}")));
            return Ok(Flow::Continue(()));
        };
        if tenant_owner(seq, schema, kind_of, "tenant.holidays", &mut out).is_none() {
            return Ok(Flow::Continue(()));
        }
        if id == 0 || id >= next_holiday {
            out.push((
                "tenant.holidays",
                format!("holiday {id} of node #{seq} is not below the counter {next_holiday}"),
            ));
        }
        match decode::<HolidayRecord>(val) {
            Ok(rec) => {
                if let Err(e) = holidays::validate(&holidays::spec_of(&rec)) {
                    out.push(("tenant.holidays", format!("holiday {id} of node #{seq}: {e}")));
                }
            }
            Err(e) => out.push(("tenant.holidays", format!("holiday {id} of node #{seq} does not decode: {e}"))),
        }
        Ok(Flow::Continue(()))
    })?;

    // The ledger, summed per node, against the stored balances.
    let next_entry = counter(v, balance::COUNTER)?;
    let mut sums: BTreeMap<u64, (i128, u64)> = BTreeMap::new();
    v.scan(Blob::Ledger, KeyRange::all(), false, &mut |k, val| {
        let Some((seq, id)) = keys::split_by_parent(k) else {
            out.push(("tenant.ledger", format!("malformed key {k:?}")));
            return Ok(Flow::Continue(()));
        };
        if tenant_owner(seq, schema, kind_of, "tenant.ledger", &mut out).is_none() {
            return Ok(Flow::Continue(()));
        }
        if id == 0 || id >= next_entry {
            out.push(("tenant.ledger", format!("entry {id} of node #{seq} is not below the counter {next_entry}")));
        }
        match decode::<LedgerRecord>(val) {
            Ok(e) => {
                let sum = sums.entry(seq).or_default();
                sum.0 = sum.0.saturating_add(e.amount);
                sum.1 += 1;
                if e.amount <= 0 {
                    out.push(("tenant.ledger", format!("entry {id} of node #{seq} has a non-positive amount")));
                }
                if e.balance != sum.0 {
                    out.push((
                        "tenant.ledger",
                        format!("entry {id} of node #{seq} says the balance is {}, the sum is {}", e.balance, sum.0),
                    ));
                }
            }
            Err(e) => out.push(("tenant.ledger", format!("entry {id} of node #{seq} does not decode: {e}"))),
        }
        Ok(Flow::Continue(()))
    })?;
    let mut stored: BTreeMap<u64, BalanceRecord> = BTreeMap::new();
    v.scan(Blob::Balances, KeyRange::all(), false, &mut |k, val| {
        if let Some(seq) = owner(k, schema, kind_of, "tenant.balance", &mut out) {
            match decode::<BalanceRecord>(val) {
                Ok(b) => {
                    stored.insert(seq, b);
                }
                Err(e) => out.push(("tenant.balance", format!("node #{seq}: the balance does not decode: {e}"))),
            }
        }
        Ok(Flow::Continue(()))
    })?;
    for (seq, b) in &stored {
        let (sum, count) = sums.get(seq).copied().unwrap_or_default();
        if b.total != sum || b.entries != count {
            out.push((
                "tenant.balance",
                format!("node #{seq} stores {} in {} entries, its ledger holds {sum} in {count}", b.total, b.entries),
            ));
        }
        if b.total < 0 || b.total > balance::MAX_UNITS {
            out.push(("tenant.balance", format!("node #{seq} has a balance out of range")));
        }
    }
    for seq in sums.keys() {
        if !stored.contains_key(seq) {
            out.push(("tenant.balance", format!("node #{seq} has ledger entries but no stored balance")));
        }
    }

    // Headers and voicemail.
    v.scan(Blob::SipHeaders, KeyRange::all(), false, &mut |k, val| {
        if let Some(seq) = owner(k, schema, kind_of, "tenant.headers", &mut out) {
            let problem = match decode::<HeadersRecord>(val) {
                Ok(rec) => sip::validate_headers(&sip::headers_of(&rec)).err().map(|e| e.to_string()),
                Err(e) => Some(format!("does not decode: {e}")),
            };
            if let Some(p) = problem {
                out.push(("tenant.headers", format!("node #{seq}: {p}")));
            }
        }
        Ok(Flow::Continue(()))
    })?;
    v.scan(Blob::Voicemail, KeyRange::all(), false, &mut |k, val| {
        if let Some(seq) = owner(k, schema, kind_of, "tenant.voicemail", &mut out) {
            let problem = match decode::<VoicemailRecord>(val) {
                Ok(rec) => sip::validate_voicemail(&sip::voicemail_of(&rec)).err().map(|e| e.to_string()),
                Err(e) => Some(format!("does not decode: {e}")),
            };
            if let Some(p) = problem {
                out.push(("tenant.voicemail", format!("node #{seq}: {p}")));
            }
        }
        Ok(Flow::Continue(()))
    })?;
    Ok(out)
}
