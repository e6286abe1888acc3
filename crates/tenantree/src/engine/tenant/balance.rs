//! 004's tenant balance: recharges recorded in a ledger, in fixed point with five decimal
//! places, and the stored running total that `check()` verifies against the ledger.

use std::ops::Bound;

use super::{node_key, row_key, tenant_chain};
use crate::account::AccountId;
use crate::decimal::Decimal;
use crate::engine::access::{Action, Actor, Principal};
use crate::engine::feed::{self, Event};
use crate::engine::{Ctx, query};
use crate::error::{Error, Result};
use crate::ids::{NodeId, Timestamp};
use crate::schema::Schema;
use crate::store::{BalanceRecord, Blob, Flow, KeyRange, LedgerRecord, View, WriteView, decode, encode, keys};
use crate::tenant::{Balance, LedgerEntry, LedgerQuery};

/// The `meta` counter of ledger entry ids.
pub(crate) const COUNTER: &str = "next_ledger";
/// Decimal places of amounts and balances (004: "Precision is five digits").
pub(crate) const SCALE: u32 = 5;
/// The largest balance, in units of 10^-5: 34 significant digits (what a [`Decimal`] holds),
/// so a balance stays below 10^29.
pub(crate) const MAX_UNITS: i128 = 10i128.pow(34) - 1;

fn load(v: &impl View, seq: u64) -> Result<BalanceRecord> {
    match v.blob(Blob::Balances, &node_key(seq))? {
        Some(bytes) => decode(&bytes),
        None => Ok(BalanceRecord::default()),
    }
}

fn amount(units: i128) -> Result<Decimal> {
    Decimal::from_parts(units, SCALE)
        .map_err(|_| Error::corrupted(format!("a stored amount ({units}) is out of range")))
}

fn to_entry(id: u64, r: &LedgerRecord) -> Result<LedgerEntry> {
    Ok(LedgerEntry {
        id,
        time: Timestamp::from_micros(r.time),
        actor: if r.actor == 0 { Actor::System } else { Actor::account(AccountId::new(r.actor)?) },
        amount: amount(r.amount)?,
        balance: amount(r.balance)?,
    })
}

/// Adds a recharge to a tenant's ledger: `value` must be positive with at most five decimal
/// places, and the new balance must stay within [`MAX_UNITS`]. O(depth).
pub(crate) fn recharge(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    tenant: NodeId,
    value: Decimal,
) -> Result<LedgerEntry> {
    let chain = tenant_chain(w, ctx.schema, who, tenant, Action::BalanceRecharge)?;
    let seq = chain.seq();
    if value.is_negative() || value.is_zero() {
        return Err(Error::invalid("balance", format!("{value} is not a positive amount")));
    }
    if value.scale() > SCALE {
        return Err(Error::invalid("balance", format!("{value} has more than {SCALE} decimal places")));
    }
    let too_large =
        || Error::invalid("balance", format!("adding {value} would exceed the largest balance the store keeps"));
    let units = value.to_fixed(SCALE).ok_or_else(too_large)?;
    let old = load(w, seq)?;
    let total = old.total.checked_add(units).filter(|t| *t <= MAX_UNITS).ok_or_else(too_large)?;
    let balance = Decimal::from_parts(total, SCALE).map_err(|_| too_large())?;
    let record = LedgerRecord {
        time: ctx.now().as_micros(),
        actor: who.account().map_or(0, |a| a.id),
        amount: units,
        balance: total,
    };

    // Apply.
    let id = w.next_counter(COUNTER)?;
    w.put_blob(Blob::Ledger, &row_key(seq, id), &encode(&record)?)?;
    w.put_blob(Blob::Balances, &node_key(seq), &encode(&BalanceRecord { total, entries: old.entries + 1 })?)?;
    let changes = serde_json::json!({"amount": value, "balance": balance});
    feed::emit(w, ctx, who, Event::on("balance.recharge", "balance", id, Some(&chain), Some(changes))?)?;
    to_entry(id, &record)
}

/// The balance and a page of the ledger, oldest first. O(depth + page).
pub(crate) fn read(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    tenant: NodeId,
    q: &LedgerQuery,
) -> Result<Balance> {
    let chain = tenant_chain(v, schema, who, tenant, Action::BalanceRead)?;
    let seq = chain.seq();
    let limit = query::page_limit(q.limit)? as usize;
    let stored = load(v, seq)?;
    let prefix = node_key(seq);
    let range = KeyRange {
        lo: match q.after {
            Some(after) => Bound::Excluded(row_key(seq, after)),
            None => Bound::Included(prefix.clone()),
        },
        hi: KeyRange::prefix(&prefix).hi,
    };
    let mut entries = Vec::new();
    let mut more = false;
    v.scan(Blob::Ledger, range, false, &mut |k, val| {
        if entries.len() >= limit {
            more = true;
            return Ok(Flow::Break(()));
        }
        let (_, id) = keys::split_by_parent(k).ok_or_else(|| Error::corrupted("malformed ledger key"))?;
        entries.push(to_entry(id, &decode(val)?)?);
        Ok(Flow::Continue(()))
    })?;
    let next = if more { entries.last().map(|e: &LedgerEntry| e.id) } else { None };
    Ok(Balance { balance: amount(stored.total)?, count: stored.entries, entries, next })
}
