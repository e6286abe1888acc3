//! The change feed: every committed change appends an event in the same transaction.
//!
//! An event records when, who, what (`node.create`, `account.update`, ...), on which entity and
//! node, and the changed fields with their new values, secrets masked. Readers see the events
//! whose node lies in their scope (for a move: before or after it); store-level events (roles,
//! store-wide accounts) only reach readers who see the whole store.

use std::ops::Bound;

use serde::{Deserialize, Serialize};

use crate::engine::access::{Actor, Principal};
use crate::engine::{Chain, Ctx, load_chain};
use crate::error::{Error, Result};
use crate::ids::{NodeId, Timestamp};
use crate::schema::Schema;
use crate::store::{Blob, EventRecord, Flow, KeyRange, View, WriteView, decode, encode_in};

/// The text every secret value reads as.
pub const MASK: &str = "********";

/// Whether a key names a secret: it contains `password` or `token`, in any case (003).
#[must_use]
pub fn is_secret_key(key: &str) -> bool {
    // Called for every key of every recorded change: compares in place, without lowercasing a
    // copy of the key.
    let contains = |needle: &[u8]| key.as_bytes().windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
    contains(b"password") || contains(b"token")
}

/// Replaces, at any depth, every value whose key names a secret with [`MASK`].
pub(crate) fn mask(value: &mut serde_json::Value) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            serde_json::Value::Object(map) => {
                for (k, inner) in map.iter_mut() {
                    if is_secret_key(k) && !inner.is_null() {
                        *inner = serde_json::Value::String(MASK.to_owned());
                    } else {
                        stack.push(inner);
                    }
                }
            }
            serde_json::Value::Array(items) => stack.extend(items.iter_mut()),
            _ => {}
        }
    }
}

/// One change, as read from the feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// Increasing sequence number: read again with `after = seq` to continue.
    pub seq: u64,
    /// When it was committed.
    pub time: Timestamp,
    /// Who made it.
    pub actor: Actor,
    /// What happened: `node.create`, `node.update`, `node.status`, `node.move`, `node.delete`,
    /// `node.limits`, `node.allocate`, `node.release`, `account.create`, `account.update`,
    /// `account.delete`, `account.password`, `account.welcome`, `token.issue`, `token.revoke`,
    /// `role.define`, `role.delete`, `policy.set`, and those of the modules that hang data on
    /// nodes (`props.*`, `markup.*`, ...).
    pub op: String,
    /// The kind of entity changed: `node`, `account`, `token`, `role`, `policy`, ...
    pub entity: String,
    /// The entity's id when it is not the node.
    pub id: Option<String>,
    /// The node the change concerns.
    pub node: Option<NodeId>,
    /// The changed fields with their new values; secrets read `********`.
    pub changes: Option<serde_json::Value>,
}

/// A page of the feed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "typescript", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ChangePage {
    /// The changes visible to the reader, oldest first.
    pub changes: Vec<Change>,
    /// Where to continue: pass it as `after` next time. It moves past events the reader may
    /// not see, so paging never stalls.
    pub next: u64,
}

/// A change to record.
pub(crate) struct Event {
    pub(crate) op: &'static str,
    pub(crate) entity: &'static str,
    pub(crate) id: Option<String>,
    pub(crate) node: Option<NodeId>,
    pub(crate) path: Vec<u64>,
    pub(crate) old_path: Vec<u64>,
    pub(crate) changes: Option<serde_json::Value>,
}

impl Event {
    /// A change of the node at the head of `chain`.
    pub(crate) fn node(op: &'static str, chain: &Chain, changes: Option<serde_json::Value>) -> Result<Event> {
        Ok(Event {
            op,
            entity: "node",
            id: None,
            node: Some(chain.node()?.id()),
            path: chain.path(),
            old_path: Vec::new(),
            changes,
        })
    }

    /// A change of something attached to the node at the head of `chain` (or to the store).
    pub(crate) fn on(
        op: &'static str,
        entity: &'static str,
        id: impl ToString,
        chain: Option<&Chain>,
        changes: Option<serde_json::Value>,
    ) -> Result<Event> {
        let (node, path) = match chain {
            Some(c) => (Some(c.node()?.id()), c.path()),
            None => (None, Vec::new()),
        };
        Ok(Event { op, entity, id: Some(id.to_string()), node, path, old_path: Vec::new(), changes })
    }
}

/// Appends an event, unless the store runs without a feed.
pub(crate) fn emit(w: &mut WriteView<'_>, ctx: &Ctx<'_>, who: &Principal, event: Event) -> Result<()> {
    if !ctx.feed {
        return Ok(());
    }
    let changes = match event.changes {
        Some(mut v) => {
            mask(&mut v);
            Some(serde_json::to_string(&v).map_err(|e| Error::corrupted(format!("change does not encode: {e}")))?)
        }
        None => None,
    };
    // The stored form of EventRecord, borrowed: no copies of the op, entity or path, and the
    // bytes go to a stack buffer unless the changes are large.
    #[derive(Serialize)]
    struct EventOut<'a> {
        time: i64,
        actor: u64,
        op: &'a str,
        entity: &'a str,
        id: &'a Option<String>,
        node: Option<[u8; 16]>,
        path: &'a [u64],
        old_path: &'a [u64],
        changes: &'a Option<String>,
    }
    let out = EventOut {
        time: ctx.now().as_micros(),
        actor: who.account().map_or(0, |a| a.id),
        op: event.op,
        entity: event.entity,
        id: &event.id,
        node: event.node.map(NodeId::to_bytes),
        path: &event.path,
        old_path: &event.old_path,
        changes: &changes,
    };
    let seq = w.next_counter("next_event")?;
    let mut buf = [0u8; 1024];
    w.put_blob(Blob::Events, &seq.to_be_bytes(), &encode_in(&out, &mut buf)?)
}

fn to_change(seq: u64, rec: EventRecord) -> Result<Change> {
    Ok(Change {
        seq,
        time: Timestamp::from_micros(rec.time),
        actor: if rec.actor == 0 { Actor::System } else { Actor::account(crate::account::AccountId::new(rec.actor)?) },
        op: rec.op,
        entity: rec.entity,
        id: rec.id,
        node: rec.node.map(NodeId::from_bytes).transpose()?,
        changes: match rec.changes {
            Some(text) => {
                Some(serde_json::from_str(&text).map_err(|e| Error::corrupted(format!("stored change: {e}")))?)
            }
            None => None,
        },
    })
}

/// How many events a read examines at most per page asked, so that a reader with a small
/// scope does not scan the whole feed in one call.
const SCAN_FACTOR: usize = 50;

/// The changes after `after` that the reader may see, at most `limit`.
pub(crate) fn read(v: &impl View, schema: &Schema, who: &Principal, after: u64, limit: u32) -> Result<ChangePage> {
    let limit = crate::engine::query::page_limit(Some(limit))? as usize;
    if let Some(scope) = who.scope() {
        let chain = load_chain(v, scope)?;
        let kind = schema.kind_at(chain.node()?.rec.kind)?;
        who.require_permission(&format!("{}.instance.changes.read", kind.name), chain.node()?.id())?;
    }
    let scope = who.scope();
    let mut out = Vec::new();
    let mut next = after;
    let mut examined = 0usize;
    let budget = limit.saturating_mul(SCAN_FACTOR);
    let range = KeyRange { lo: Bound::Excluded(after.to_be_bytes().to_vec()), hi: Bound::Unbounded };
    v.scan(Blob::Events, range, false, &mut |k, val| {
        let seq = k.try_into().map(u64::from_be_bytes).map_err(|_| Error::corrupted("event key"))?;
        next = seq;
        examined += 1;
        let rec: EventRecord = decode(val)?;
        let visible = match scope {
            None => true,
            Some(s) => rec.path.contains(&s) || rec.old_path.contains(&s),
        };
        if visible {
            out.push(to_change(seq, rec)?);
        }
        Ok(if out.len() >= limit || examined >= budget { Flow::Break(()) } else { Flow::Continue(()) })
    })?;
    Ok(ChangePage { changes: out, next })
}

/// Removes the events committed before `before`; how many went. Store-level: the system or a
/// store-wide account allowed `store.changes.prune`.
pub(crate) fn prune(w: &mut WriteView<'_>, who: &Principal, before: Timestamp) -> Result<u64> {
    if !who.sees_everything() {
        return Err(Error::Forbidden { action: "store.changes.prune".into(), target: "the change feed".into() });
    }
    who.require_permission("store.changes.prune", "the change feed")?;
    let mut last: Option<u64> = None;
    w.scan(Blob::Events, KeyRange::all(), false, &mut |k, val| {
        let rec: EventRecord = decode(val)?;
        if rec.time >= before.as_micros() {
            return Ok(Flow::Break(()));
        }
        last = k.try_into().ok().map(u64::from_be_bytes);
        Ok(Flow::Continue(()))
    })?;
    match last {
        Some(up_to) => w.remove_range(
            Blob::Events,
            KeyRange { lo: Bound::Unbounded, hi: Bound::Included(up_to.to_be_bytes().to_vec()) },
        ),
        None => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_at_any_depth() {
        let mut v = serde_json::json!({
            "name": "x",
            "password": "hunter2",
            "cdr_event": {"username": "u", "Password": "p", "token": "t", "url": "https://x"},
            "list": [{"api_token": "a"}],
            "token_cleared": null,
        });
        mask(&mut v);
        assert_eq!(v["password"], MASK);
        assert_eq!(v["cdr_event"]["Password"], MASK);
        assert_eq!(v["cdr_event"]["token"], MASK);
        assert_eq!(v["cdr_event"]["username"], "u");
        assert_eq!(v["list"][0]["api_token"], MASK);
        assert_eq!(v["token_cleared"], serde_json::Value::Null, "nothing to hide in a cleared secret");
        assert!(is_secret_key("smtp_PASSWORD") && !is_secret_key("pass"));
        for key in ["token", "TOKEN", "apiToken", "x_passWord_y", "passwordtoken"] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in ["", "tok", "toke", "passwor", "Pässword", "name"] {
            assert!(!is_secret_key(key), "{key}");
        }
    }
}
