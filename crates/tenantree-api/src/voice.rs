//! 003's voice routing objects (pstn usages, voice routes, voice routing policies), kept as
//! configuration properties of a node (a group, usually): one namespace per collection, one key
//! per object id, the object as the value.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tenantree::{Blocker, Error, NodeId, PropQuery, Properties};

use crate::body::{Body, uint_value, wrong_type};
use crate::error::{invalid, not_found};
use crate::util::Reads;

/// One collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Collection {
    PstnUsages,
    VoiceRoutes,
    Policies,
}

impl Collection {
    /// The collection named in a path (`pstn_usages`, `voice_routes`, `voice_routing_policies`).
    pub(crate) fn parse(s: &str) -> Result<Collection, Error> {
        match s {
            "pstn_usages" => Ok(Collection::PstnUsages),
            "voice_routes" => Ok(Collection::VoiceRoutes),
            "voice_routing_policies" => Ok(Collection::Policies),
            other => Err(not_found("voice routing collection", other)),
        }
    }

    /// Its configuration namespace.
    pub(crate) fn namespace(self) -> &'static str {
        match self {
            Collection::PstnUsages => "voice_routing.pstn_usages",
            Collection::VoiceRoutes => "voice_routing.voice_routes",
            Collection::Policies => "voice_routing.voice_routing_policies",
        }
    }

    /// The key of its list in 003's answers.
    pub(crate) fn list_key(self) -> &'static str {
        match self {
            Collection::PstnUsages => "pstnUsages",
            Collection::VoiceRoutes => "voiceRoutes",
            Collection::Policies => "voiceRoutingPolicies",
        }
    }

    fn entity(self) -> &'static str {
        match self {
            Collection::PstnUsages => "pstn usage",
            Collection::VoiceRoutes => "voice route",
            Collection::Policies => "voice routing policy",
        }
    }
}

/// Largest object id.
const MAX_ID: u64 = i32::MAX.unsigned_abs() as u64;

/// The ids of the pstn usages a route or policy references: `[8, 21]` or `[{"id": 8}, ...]`.
fn usage_refs(body: &Body) -> Result<Vec<u64>, Error> {
    let field = "pstnUsages";
    match body.value(field) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::Object(m) => m
                    .get("id")
                    .ok_or_else(|| invalid(field, "each pstn usage needs an id"))
                    .and_then(|id| uint_value(field, id, MAX_ID)),
                other => uint_value(field, other, MAX_ID),
            })
            .collect(),
        Some(other) => Err(wrong_type(field, "an array of pstn usage ids", other)),
    }
}

/// Checks an object of the collection and returns it as stored (`id` set by the caller).
pub(crate) fn normalize(collection: Collection, id: u64, body: &Body) -> Result<Value, Error> {
    let name = body.required_string("name")?;
    if name.trim().is_empty() || name.chars().count() > 128 {
        return Err(invalid("name", "must be 1 to 128 characters"));
    }
    Ok(match collection {
        Collection::PstnUsages => json!({"id": id, "name": name}),
        Collection::VoiceRoutes => json!({
            "id": id,
            "name": name,
            "pattern": body.required_string("pattern")?,
            "priority": body.uint("priority", MAX_ID)?.ok_or_else(|| invalid("priority", "is required"))?,
            "pstnUsages": usage_refs(body)?,
        }),
        Collection::Policies => json!({"id": id, "name": name, "pstnUsages": usage_refs(body)?}),
    })
}

/// The objects of a collection in force at a node (its own and those above it), by id.
pub(crate) fn effective(tx: &impl Reads, node: NodeId, collection: Collection) -> Result<Vec<Value>, Error> {
    let props = tx.effective_props(node, collection.namespace(), &PropQuery::default())?.properties;
    Ok(objects(props))
}

/// The node's own objects of a collection.
pub(crate) fn own(tx: &impl Reads, node: NodeId, collection: Collection) -> Result<Vec<Value>, Error> {
    Ok(objects(tx.props(node, collection.namespace(), &PropQuery::default())?))
}

fn id_of(v: &Value) -> u64 {
    v.get("id").and_then(Value::as_u64).unwrap_or(0)
}

fn objects(props: Properties) -> Vec<Value> {
    let mut items: Vec<Value> = props.into_values().filter(Value::is_object).collect();
    items.sort_by_key(id_of);
    items
}

/// Checks that every pstn usage an object references exists at the node or above.
pub(crate) fn check_refs(tx: &impl Reads, node: NodeId, object: &Value) -> Result<(), Error> {
    let Some(refs) = object.get("pstnUsages").and_then(Value::as_array) else { return Ok(()) };
    let known: BTreeSet<u64> = effective(tx, node, Collection::PstnUsages)?.iter().map(id_of).collect();
    for r in refs {
        let id = r.as_u64().unwrap_or(0);
        if !known.contains(&id) {
            return Err(invalid("pstnUsages", format!("pstn usage {id} does not exist")));
        }
    }
    Ok(())
}

/// The next free id of a collection at a node.
pub(crate) fn next_id(existing: &[Value]) -> u64 {
    existing.iter().map(id_of).max().unwrap_or(0) + 1
}

/// Refuses to delete a pstn usage that a route or policy of the node references.
pub(crate) fn check_unused(tx: &impl Reads, node: NodeId, collection: Collection, id: u64) -> Result<(), Error> {
    if collection != Collection::PstnUsages {
        return Ok(());
    }
    let mut blockers = Vec::new();
    for (other, kind) in [(Collection::VoiceRoutes, "voice_route"), (Collection::Policies, "voice_routing_policy")] {
        let names: Vec<String> = own(tx, node, other)?
            .iter()
            .filter(|o| {
                o.get("pstnUsages").and_then(Value::as_array).is_some_and(|a| a.iter().any(|r| r.as_u64() == Some(id)))
            })
            .map(|o| o.get("name").and_then(Value::as_str).unwrap_or_default().to_owned())
            .collect();
        if !names.is_empty() {
            blockers.push(Blocker { kind: kind.to_owned(), count: names.len() as u64, names });
        }
    }
    if blockers.is_empty() {
        Ok(())
    } else {
        Err(Error::StillInUse { node: format!("{} {id} of {node}", collection.entity()), blockers })
    }
}

/// An object as 003 shows it: references to pstn usages as `{"id", "name"}`.
pub(crate) fn present(object: &Value, usages: &[Value]) -> Value {
    let mut out = object.clone();
    if let Some(refs) = object.get("pstnUsages").and_then(Value::as_array) {
        let resolved: Vec<Value> = refs
            .iter()
            .map(|r| {
                let id = r.as_u64().unwrap_or(0);
                let name = usages.iter().find(|u| id_of(u) == id).and_then(|u| u.get("name")).cloned();
                json!({"id": id, "name": name.unwrap_or(Value::Null)})
            })
            .collect();
        if let Some(map) = out.as_object_mut() {
            map.insert("pstnUsages".to_owned(), Value::Array(resolved));
        }
    }
    out
}

/// The object of a collection with this id, for error messages.
pub(crate) fn missing(collection: Collection, id: u64) -> Error {
    not_found(collection.entity(), id.to_string())
}

/// None of a collection matches a listing (003 answers 404 "no ... found").
pub(crate) fn missing_any(collection: Collection) -> Error {
    not_found(collection.entity(), "(none matches the listing)")
}

/// One object as a property map entry.
pub(crate) fn entry(id: u64, object: Value) -> Properties {
    Properties::from([(id.to_string(), object)])
}

/// An item id from a path.
pub(crate) fn parse_item(collection: Collection, s: &str) -> Result<u64, Error> {
    s.parse::<u64>().ok().filter(|n| (1..=MAX_ID).contains(n)).ok_or_else(|| not_found(collection.entity(), s))
}

/// A body object's `id`, if it names one.
pub(crate) fn body_id(body: &Body) -> Result<Option<u64>, Error> {
    match body.uint("id", MAX_ID)? {
        Some(0) => Err(invalid("id", "must be at least 1")),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_are_checked_per_collection() {
        let b =
            crate::body::object(br#"{"name": "VR", "pattern": ".*", "priority": 1, "pstnUsages": [8, {"id": 21}]}"#)
                .unwrap();
        let v = normalize(Collection::VoiceRoutes, 7, &b).unwrap();
        assert_eq!(v, json!({"id": 7, "name": "VR", "pattern": ".*", "priority": 1, "pstnUsages": [8, 21]}));
        let b = crate::body::object(br#"{"name": "VR"}"#).unwrap();
        assert_eq!(normalize(Collection::VoiceRoutes, 1, &b).unwrap_err().details()["field"], "pattern");
        let b = crate::body::object(br#"{"name": "P", "pstnUsages": "x"}"#).unwrap();
        assert_eq!(normalize(Collection::Policies, 1, &b).unwrap_err().details()["field"], "pstnUsages");
        assert!(Collection::parse("nope").is_err());
        assert_eq!(next_id(&[json!({"id": 3}), json!({"id": 9})]), 10);
        let shown = present(&json!({"id": 1, "pstnUsages": [8, 9]}), &[json!({"id": 8, "name": "A"})]);
        assert_eq!(shown["pstnUsages"], json!([{"id": 8, "name": "A"}, {"id": 9, "name": null}]));
    }
}
