//! Markups (003): a history of percentages per node, and prices carried through a chain.

use crate::config::{EffectivePrice, Markup, PriceStep};
use crate::decimal::Decimal;
use crate::engine::access::{Principal, Rule};
use crate::engine::feed::{self, Event};
use crate::engine::{Chain, Ctx, load_chain, resolve};
use crate::error::{Error, Result};
use crate::ids::{NodeId, Timestamp};
use crate::schema::Schema;
use crate::store::{Blob, Flow, KeyRange, View, WriteView, decode, encode, keys};

/// The most decimal places a markup percentage has.
const PERCENT_SCALE: u32 = 6;
/// The most entries a node's markup history keeps.
pub(crate) const MAX_HISTORY: usize = 1000;

/// Checks a markup: above -100 % (a price never reaches zero), at most 100 000 %, at most six
/// decimal places.
pub(crate) fn check_percent(p: Decimal) -> Result<()> {
    if p <= Decimal::from_int(-100) || p > Decimal::from_int(100_000) || p.scale() > PERCENT_SCALE {
        return Err(Error::invalid(
            "markup",
            format!("{p} must be above -100 and at most 100000, with at most {PERCENT_SCALE} decimal places"),
        ));
    }
    Ok(())
}

/// The order-preserving bytes of a time: big-endian with the sign bit flipped.
fn time_bytes(t: Timestamp) -> [u8; 8] {
    ((t.as_micros() as u64) ^ (1 << 63)).to_be_bytes()
}

fn time_from(bytes: &[u8]) -> Option<Timestamp> {
    let arr: [u8; 8] = bytes.try_into().ok()?;
    Some(Timestamp::from_micros((u64::from_be_bytes(arr) ^ (1 << 63)) as i64))
}

fn markup_key(node: u64, start: Timestamp) -> Vec<u8> {
    let mut k = keys::parent_prefix(node);
    k.extend_from_slice(&time_bytes(start));
    k
}

fn decode_entry(prefix_len: usize, k: &[u8], v: &[u8]) -> Result<Markup> {
    let start = time_from(k.get(prefix_len..).unwrap_or(&[])).ok_or_else(|| Error::corrupted("a markup key"))?;
    Ok(Markup { percent: decode(v)?, start })
}

/// The markup of a node in force at `at`: the latest that started at or before it.
pub(crate) fn at(v: &impl View, seq: u64, at: Timestamp) -> Result<Option<Markup>> {
    let prefix = keys::parent_prefix(seq);
    let range =
        KeyRange { lo: std::ops::Bound::Included(prefix.clone()), hi: std::ops::Bound::Included(markup_key(seq, at)) };
    let mut found = None;
    v.scan(Blob::Markups, range, true, &mut |k, val| {
        found = Some(decode_entry(prefix.len(), k, val)?);
        Ok(Flow::Break(()))
    })?;
    Ok(found)
}

/// A node's whole history, newest first.
pub(crate) fn history_of(v: &impl View, seq: u64) -> Result<Vec<Markup>> {
    let prefix = keys::parent_prefix(seq);
    let mut out = Vec::new();
    v.scan(Blob::Markups, KeyRange::prefix(&prefix), true, &mut |k, val| {
        out.push(decode_entry(prefix.len(), k, val)?);
        Ok(Flow::Continue(()))
    })?;
    Ok(out)
}

fn chain_for(v: &impl View, who: &Principal, node: NodeId) -> Result<Chain> {
    let chain = load_chain(v, resolve(v, node)?)?;
    who.require_visible(&chain)?;
    Ok(chain)
}

/// Adds a markup starting at `start` (now when not given); one starting at the same time is
/// replaced. O(depth).
pub(crate) fn add(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    node: NodeId,
    percent: Decimal,
    start: Option<Timestamp>,
) -> Result<Markup> {
    let chain = chain_for(w, who, node)?;
    let head = chain.node()?.clone();
    who.require_suffix(ctx.schema, &chain, head.rec.kind, "instance.markups.update", Rule::WRITE)?;
    check_percent(percent)?;
    let start = start.unwrap_or_else(|| ctx.now());
    let key = markup_key(head.seq, start);
    if w.blob(Blob::Markups, &key)?.is_none() && history_of(w, head.seq)?.len() >= MAX_HISTORY {
        return Err(Error::invalid("markup", format!("a node keeps at most {MAX_HISTORY} markups")));
    }
    w.put_blob(Blob::Markups, &key, &encode(&percent)?)?;
    let changes = serde_json::json!({"percent": percent, "start": start.to_string()});
    feed::emit(w, ctx, who, Event::on("markup.add", "markup", start, Some(&chain), Some(changes))?)?;
    Ok(Markup { percent, start })
}

/// Removes the markup that starts at `start`; whether there was one.
pub(crate) fn remove(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    node: NodeId,
    start: Timestamp,
) -> Result<bool> {
    let chain = chain_for(w, who, node)?;
    let head = chain.node()?.clone();
    who.require_suffix(ctx.schema, &chain, head.rec.kind, "instance.markups.update", Rule::WRITE)?;
    let removed = w.remove_blob(Blob::Markups, &markup_key(head.seq, start))?;
    if removed {
        feed::emit(w, ctx, who, Event::on("markup.remove", "markup", start, Some(&chain), None)?)?;
    }
    Ok(removed)
}

/// A node's markup history, newest first (003's `markups`). O(depth + history).
pub(crate) fn history(v: &impl View, schema: &Schema, who: &Principal, node: NodeId) -> Result<Vec<Markup>> {
    let chain = chain_for(v, who, node)?;
    let head = chain.node()?;
    who.require_suffix(schema, &chain, head.rec.kind, "instance.markups.read", Rule::READ)?;
    history_of(v, head.seq)
}

/// The markup in force at a time (now when not given). O(depth).
pub(crate) fn current(
    v: &impl View,
    ctx: &Ctx<'_>,
    who: &Principal,
    node: NodeId,
    when: Option<Timestamp>,
) -> Result<Option<Markup>> {
    let chain = chain_for(v, who, node)?;
    let head = chain.node()?;
    who.require_suffix(ctx.schema, &chain, head.rec.kind, "instance.markups.read", Rule::READ)?;
    at(v, head.seq, when.unwrap_or_else(|| ctx.now()))
}

/// A base price with every markup of the chain in force at `when` applied top-down, exactly.
/// Markups above the caller's scope are folded into `inherited`. O(depth).
pub(crate) fn effective_price(
    v: &impl View,
    ctx: &Ctx<'_>,
    who: &Principal,
    node: NodeId,
    base: Decimal,
    when: Option<Timestamp>,
) -> Result<EffectivePrice> {
    let chain = chain_for(v, who, node)?;
    let head = chain.node()?;
    who.require_suffix(ctx.schema, &chain, head.rec.kind, "instance.markups.read", Rule::READ)?;
    let when = when.unwrap_or_else(|| ctx.now());
    let mut price = base;
    let mut inherited = base;
    let mut steps = Vec::new();
    for i in (0..chain.links.len()).rev() {
        let Some(link) = chain.links.get(i) else { continue };
        let Some(m) = at(v, link.seq, when)? else { continue };
        price = price.apply_percent(m.percent)?;
        let sub = Chain { links: chain.links.get(i..).map(<[_]>::to_vec).unwrap_or_default() };
        if who.sees(&sub) {
            steps.push(PriceStep { node: link.id(), percent: m.percent, price });
        } else {
            inherited = price;
        }
    }
    Ok(EffectivePrice { base, at: when, inherited, steps, price })
}

/// Removes a deleted node's markups (003: deleting a reseller deletes its markups).
pub(crate) fn forget_node(w: &mut WriteView<'_>, seq: u64) -> Result<()> {
    w.remove_range(Blob::Markups, KeyRange::prefix(&keys::parent_prefix(seq)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_are_bounded() {
        for ok in ["0", "12.3", "-99.999999", "100000", "0.000001"] {
            check_percent(ok.parse().unwrap()).unwrap();
        }
        for bad in ["-100", "-150", "100000.1", "0.0000001"] {
            assert!(check_percent(bad.parse().unwrap()).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_keys_sort_like_times() {
        let times = [i64::MIN, -5, 0, 1, 1_653_316_502_705_016, i64::MAX];
        for pair in times.windows(2) {
            let (a, b) = (Timestamp::from_micros(pair[0]), Timestamp::from_micros(pair[1]));
            assert!(time_bytes(a) < time_bytes(b));
            assert_eq!(time_from(&time_bytes(a)), Some(a));
        }
    }
}
