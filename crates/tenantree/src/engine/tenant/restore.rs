//! Snapshot support for 004's tenant documents: reading a tenant's rows for export, and
//! restoring them on import with every rule of a live write (validation, the store-wide
//! SIP-domain index, the per-tenant holiday maximum, the ledger's running balance, the id
//! counters).
//!
//! Restoring is for the snapshot importer only (the system actor, into an empty store): it
//! emits no feed events and keeps the ids the snapshot carries.

use super::{balance, holidays, node_key, row_key, settings, sip};
use crate::engine::access::Principal;
use crate::engine::{Ctx, load_chain, resolve};
use crate::error::{Error, Result};
use crate::ids::NodeId;
use crate::store::{
    BalanceRecord, Blob, Flow, HeadersRecord, HolidayRecord, KeyRange, LedgerRecord, SettingsRecord, View,
    VoicemailRecord, WriteView, decode, encode, keys,
};

/// One row of a tenant's documents, as a snapshot carries it.
#[derive(Debug)]
pub(crate) enum TenantRow {
    Settings(Box<SettingsRecord>),
    Holiday(u64, HolidayRecord),
    Ledger(u64, LedgerRecord),
    Headers(HeadersRecord),
    Voicemail(VoicemailRecord),
}

fn bad(reason: impl Into<String>) -> Error {
    Error::invalid("snapshot", reason)
}

/// A snapshot is untrusted input: a rule that reads a stored code it does not know (and so
/// calls it damaged storage) is a refusal of the snapshot here.
fn untrusted<T>(r: Result<T>) -> Result<T> {
    r.map_err(|e| if e.code() == "CORRUPTED" { bad(e.to_string()) } else { e })
}

/// Calls `f` with every stored row of node `seq`'s tenant documents: settings, holidays (by
/// id), ledger entries (by id), headers, voicemail. Streams: memory does not grow with the
/// ledger.
pub(crate) fn rows(v: &impl View, seq: u64, f: &mut dyn FnMut(TenantRow) -> Result<()>) -> Result<()> {
    let key = node_key(seq);
    if let Some(bytes) = v.blob(Blob::TenantSettings, &key)? {
        f(TenantRow::Settings(Box::new(decode(&bytes)?)))?;
    }
    for (table, holiday) in [(Blob::Holidays, true), (Blob::Ledger, false)] {
        v.scan(table, KeyRange::prefix(&key), false, &mut |k, val| {
            let (_, id) = keys::split_by_parent(k).ok_or_else(|| Error::corrupted("malformed tenant row key"))?;
            f(if holiday { TenantRow::Holiday(id, decode(val)?) } else { TenantRow::Ledger(id, decode(val)?) })?;
            Ok(Flow::Continue(()))
        })?;
    }
    if let Some(bytes) = v.blob(Blob::SipHeaders, &key)? {
        f(TenantRow::Headers(decode(&bytes)?))?;
    }
    if let Some(bytes) = v.blob(Blob::Voicemail, &key)? {
        f(TenantRow::Voicemail(decode(&bytes)?))?;
    }
    Ok(())
}

/// The sequence number of an existing node of a tenant kind.
fn tenant_seq(w: &WriteView<'_>, ctx: &Ctx<'_>, node: NodeId) -> Result<u64> {
    let chain = load_chain(w, resolve(w, node)?)?;
    let def = ctx.schema.kind_at(chain.node()?.rec.kind)?;
    if !def.tenant {
        return Err(bad(format!("node {node} is a {}: tenant documents belong to nodes of a tenant kind", def.name)));
    }
    Ok(chain.seq())
}

/// Restores one row on `node`, checked as a live write would be. O(depth) (holidays: plus
/// the tenant's holidays, for the maximum).
pub(crate) fn restore(w: &mut WriteView<'_>, ctx: &Ctx<'_>, node: NodeId, row: TenantRow) -> Result<()> {
    let seq = tenant_seq(w, ctx, node)?;
    let key = node_key(seq);
    match row {
        TenantRow::Settings(rec) => {
            if w.blob(Blob::TenantSettings, &key)?.is_some() {
                return Err(bad(format!("node {node} has its settings twice")));
            }
            untrusted(settings::validate_record(&rec))?;
            if !rec.domain.is_empty() {
                settings::check_domain_free(w, &Principal::System, &rec.domain, seq)?;
                w.put_blob(Blob::SipDomains, rec.domain.to_ascii_lowercase().as_bytes(), &seq.to_be_bytes())?;
            }
            w.put_blob(Blob::TenantSettings, &key, &encode(&rec)?)?;
        }
        TenantRow::Holiday(id, rec) => {
            // The id counter must be able to move past every restored id.
            if id == 0 || id == u64::MAX || w.blob(Blob::Holidays, &row_key(seq, id))?.is_some() {
                return Err(bad(format!("holiday {id} of node {node} is not a new id")));
            }
            if untrusted(holidays::validate(&holidays::spec_of(&rec)))? != rec {
                return Err(bad(format!("holiday {id} of node {node} is not in its stored form")));
            }
            let mut used = 0u64;
            w.scan(Blob::Holidays, KeyRange::prefix(&key), false, &mut |_, _| {
                used += 1;
                Ok(Flow::Continue(()))
            })?;
            if used >= holidays::MAX_PER_TENANT {
                return Err(bad(format!("node {node} has more than {} holidays", holidays::MAX_PER_TENANT)));
            }
            w.put_blob(Blob::Holidays, &row_key(seq, id), &encode(&rec)?)?;
            w.raise_counter(holidays::COUNTER, id.saturating_add(1))?;
        }
        TenantRow::Ledger(id, rec) => {
            // Entries come in id order: each one after the node's last.
            let mut last = 0u64;
            w.scan(Blob::Ledger, KeyRange::prefix(&key), true, &mut |k, _| {
                last = keys::split_by_parent(k).map_or(0, |(_, id)| id);
                Ok(Flow::Break(()))
            })?;
            if id == 0 || id <= last {
                return Err(bad(format!("ledger entry {id} of node {node} does not follow entry {last}")));
            }
            // The id counter must be able to move past every restored id.
            if id == u64::MAX {
                return Err(bad(format!("ledger entry {id} of node {node} has an id the store cannot follow")));
            }
            let old: BalanceRecord = match w.blob(Blob::Balances, &key)? {
                Some(bytes) => decode(&bytes)?,
                None => BalanceRecord::default(),
            };
            if rec.amount <= 0 {
                return Err(bad(format!("ledger entry {id} of node {node} is not a positive amount")));
            }
            let total = old
                .total
                .checked_add(rec.amount)
                .filter(|t| *t <= balance::MAX_UNITS)
                .ok_or_else(|| bad(format!("ledger entry {id} of node {node} takes the balance out of range")))?;
            if rec.balance != total {
                return Err(bad(format!(
                    "ledger entry {id} of node {node} says the balance is {}, the entries sum to {total}",
                    rec.balance
                )));
            }
            w.put_blob(Blob::Ledger, &row_key(seq, id), &encode(&rec)?)?;
            w.put_blob(Blob::Balances, &key, &encode(&BalanceRecord { total, entries: old.entries + 1 })?)?;
            w.raise_counter(balance::COUNTER, id.saturating_add(1))?;
        }
        TenantRow::Headers(rec) => {
            if w.blob(Blob::SipHeaders, &key)?.is_some() {
                return Err(bad(format!("node {node} has its custom headers twice")));
            }
            if untrusted(sip::validate_headers(&sip::headers_of(&rec)))? != rec {
                return Err(bad(format!("the custom headers of node {node} are not in their stored form")));
            }
            w.put_blob(Blob::SipHeaders, &key, &encode(&rec)?)?;
        }
        TenantRow::Voicemail(rec) => {
            if w.blob(Blob::Voicemail, &key)?.is_some() {
                return Err(bad(format!("node {node} has its voicemail settings twice")));
            }
            if untrusted(sip::validate_voicemail(&sip::voicemail_of(&rec)))? != rec {
                return Err(bad(format!("the voicemail settings of node {node} are not in their stored form")));
            }
            w.put_blob(Blob::Voicemail, &key, &encode(&rec)?)?;
        }
    }
    Ok(())
}
