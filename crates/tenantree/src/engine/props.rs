//! Configuration properties (003): namespaced JSON key/values per node, merged down the tree,
//! with secrets masked on every read.

use crate::config::{EffectiveProperties, PropQuery, Properties};
use crate::engine::access::{Principal, Rule};
use crate::engine::feed::{self, Event, MASK, is_secret_key, mask};
use crate::engine::{Chain, Ctx, load_chain, resolve};
use crate::error::{Error, Result};
use crate::ids::NodeId;
use crate::schema::Schema;
use crate::store::{Blob, Flow, KeyRange, View, WriteView, keys};
use crate::validate::{self, json_depth, limits};

/// Checks a namespace: 1–64 characters, dot-separated segments of lower-case letters, digits
/// and `_` (`general`, `branding.styling.font`).
pub(crate) fn check_namespace(ns: &str) -> Result<()> {
    let ok = !ns.is_empty()
        && ns.len() <= limits::NAMESPACE
        && ns.split('.').all(|seg| {
            !seg.is_empty() && seg.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "namespace",
            format!("{ns:?} must be dot-separated lower-case segments, at most 64 characters"),
        ))
    }
}

/// Checks a property key: 1–128 characters, no control characters.
pub(crate) fn check_key(key: &str) -> Result<()> {
    let chars = key.chars().count();
    if chars == 0 || chars > limits::PROPERTY_KEY || key.chars().any(char::is_control) {
        return Err(Error::invalid(
            "properties",
            format!("key {key:?} must be 1 to {} characters without control characters", limits::PROPERTY_KEY),
        ));
    }
    Ok(())
}

/// Checks a value and returns its compact JSON text: at most 64 KiB, nested at most 32 deep.
fn check_value(key: &str, value: &serde_json::Value) -> Result<String> {
    if json_depth(value) > limits::EXTRA_DEPTH {
        return Err(Error::invalid(
            "properties",
            format!("the value of {key:?} is nested deeper than {}", limits::EXTRA_DEPTH),
        ));
    }
    let text = serde_json::to_string(value).map_err(|e| Error::invalid("properties", e.to_string()))?;
    if text.len() > limits::PROPERTY_VALUE_BYTES {
        return Err(Error::invalid(
            "properties",
            format!("the value of {key:?} is {} bytes, the maximum is {}", text.len(), limits::PROPERTY_VALUE_BYTES),
        ));
    }
    Ok(text)
}

fn ns_prefix(node: u64, ns: &str) -> Vec<u8> {
    let mut k = keys::parent_prefix(node);
    k.extend_from_slice(ns.as_bytes());
    k.push(0);
    k
}

fn prop_key(node: u64, ns: &str, key: &str) -> Vec<u8> {
    let mut k = ns_prefix(node, ns);
    k.extend_from_slice(key.as_bytes());
    k
}

/// Every property of a namespace of a node, in key order.
fn load(v: &impl View, node: u64, ns: &str) -> Result<Properties> {
    let prefix = ns_prefix(node, ns);
    let mut out = Properties::new();
    v.scan(Blob::Props, KeyRange::prefix(&prefix), false, &mut |k, val| {
        let key = std::str::from_utf8(k.get(prefix.len()..).unwrap_or(&[]))
            .map_err(|_| Error::corrupted("a property key is not UTF-8"))?
            .to_owned();
        let value = serde_json::from_slice(val).map_err(|e| Error::corrupted(format!("property {key:?}: {e}")))?;
        out.insert(key, value);
        Ok(Flow::Continue(()))
    })?;
    Ok(out)
}

fn suffix(ns: &str, op: &str) -> String {
    format!("instance.configurations.{ns}.{op}")
}

fn node_chain(v: &impl View, who: &Principal, node: NodeId) -> Result<Chain> {
    let chain = load_chain(v, resolve(v, node)?)?;
    who.require_visible(&chain)?;
    Ok(chain)
}

/// Whether the caller may read the namespace's secrets in clear on this node.
fn clear_secrets(schema: &Schema, who: &Principal, chain: &Chain, ns: &str) -> Result<bool> {
    let kind = &schema.kind_at(chain.node()?.rec.kind)?.name;
    Ok(who.allows(&format!("{kind}.instance.configurations.{ns}.secrets.read")))
}

/// Masks what the reader may not see in clear: values of secret keys, and secret keys nested
/// inside values.
fn masked(mut props: Properties, clear: bool) -> Properties {
    if !clear {
        mask_properties(&mut props);
    }
    props
}

/// Replaces with [`MASK`] the value of every key that names a secret ([`is_secret_key`]): the
/// properties' own keys, and keys at any depth in their values (where a null stays null). What
/// every read does for a caller who may not read the namespace's secrets, for a caller that
/// holds properties of its own to show (003's API masks them for everyone).
///
/// # Examples
///
/// ```
/// let mut props: tenantree::Properties = serde_json::from_value(serde_json::json!({
///     "api_token": "t0k", "sip": {"password": "hunter2", "port": 5060}, "host": "pbx",
/// }))?;
/// tenantree::mask_properties(&mut props);
/// assert_eq!(props["api_token"], "********");
/// assert_eq!(props["sip"], serde_json::json!({"password": "********", "port": 5060}));
/// assert_eq!(props["host"], "pbx");
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn mask_properties(props: &mut Properties) {
    for (k, v) in props.iter_mut() {
        if is_secret_key(k) {
            *v = serde_json::Value::String(MASK.to_owned());
        } else {
            mask(v);
        }
    }
}

fn select(props: Properties, q: &PropQuery) -> Result<Properties> {
    let needle = match &q.search {
        Some(s) if !s.trim().is_empty() => {
            validate::check_search("search", s)?;
            Some(s.trim().to_lowercase())
        }
        _ => None,
    };
    Ok(props
        .into_iter()
        .filter(|(k, _)| q.keys.as_ref().is_none_or(|ks| ks.iter().any(|x| x == k)))
        .filter(|(k, _)| needle.as_ref().is_none_or(|n| k.to_lowercase().contains(n.as_str())))
        .collect())
}

fn validate_all(props: &Properties) -> Result<Vec<(String, String)>> {
    props
        .iter()
        .map(|(k, v)| {
            check_key(k)?;
            Ok((k.clone(), check_value(k, v)?))
        })
        .collect()
}

fn too_many(count: usize) -> Result<()> {
    if count > limits::PROPERTIES_PER_NAMESPACE {
        return Err(Error::invalid(
            "properties",
            format!("a namespace holds at most {} keys, this would make {count}", limits::PROPERTIES_PER_NAMESPACE),
        ));
    }
    Ok(())
}

/// Adds or changes keys (003's POST: an upsert). O(depth + keys).
pub(crate) fn upsert(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    node: NodeId,
    ns: &str,
    props: &Properties,
) -> Result<Properties> {
    check_namespace(ns)?;
    let chain = node_chain(w, who, node)?;
    let head = chain.node()?.clone();
    who.require_suffix(ctx.schema, &chain, head.rec.kind, &suffix(ns, "create"), Rule::WRITE)?;
    let mut merged = load(w, head.seq, ns)?;
    let props = &unmasked(props, &merged);
    let encoded = validate_all(props)?;
    merged.extend(props.iter().map(|(k, v)| (k.clone(), v.clone())));
    too_many(merged.len())?;
    store_all(w, ctx, who, &chain, ns, props, &encoded, "props.upsert")?;
    Ok(masked(merged, clear_secrets(ctx.schema, who, &chain, ns)?))
}

/// `props` with every secret given as [`MASK`] (what a masked read shows) replaced by the
/// value `stored` holds for it, at any depth in objects, and left out where none is stored: a
/// document read masked and written back keeps its secrets instead of storing the mask.
fn unmasked(props: &Properties, stored: &Properties) -> Properties {
    let mut out = props.clone();
    out.retain(|k, v| restore_masked(k, v, stored.get(k)));
    out
}

/// [`unmasked`] for the entry `key: value`, whose stored counterpart is `old`: false when it
/// is to be left out.
fn restore_masked(key: &str, value: &mut serde_json::Value, old: Option<&serde_json::Value>) -> bool {
    if is_secret_key(key) && value.as_str() == Some(MASK) {
        return match old {
            Some(old) => {
                value.clone_from(old);
                true
            }
            None => false,
        };
    }
    if let serde_json::Value::Object(map) = value {
        let old = old.and_then(serde_json::Value::as_object);
        map.retain(|k, v| restore_masked(k, v, old.and_then(|o| o.get(k))));
    }
    true
}

/// Replaces the whole namespace (003's PUT). O(depth + keys).
pub(crate) fn replace(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    node: NodeId,
    ns: &str,
    props: &Properties,
) -> Result<Properties> {
    check_namespace(ns)?;
    let chain = node_chain(w, who, node)?;
    let head = chain.node()?.clone();
    who.require_suffix(ctx.schema, &chain, head.rec.kind, &suffix(ns, "update"), Rule::WRITE)?;
    let props = &unmasked(props, &load(w, head.seq, ns)?);
    let encoded = validate_all(props)?;
    too_many(props.len())?;
    w.remove_range(Blob::Props, KeyRange::prefix(&ns_prefix(head.seq, ns)))?;
    store_all(w, ctx, who, &chain, ns, props, &encoded, "props.replace")?;
    Ok(masked(props.clone(), clear_secrets(ctx.schema, who, &chain, ns)?))
}

/// Writes validated properties of a namespace and records the change. The namespace as it now
/// stands is known to the caller (stored values decode to what was given), so nothing is read
/// back.
#[allow(clippy::too_many_arguments)]
fn store_all(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    chain: &Chain,
    ns: &str,
    props: &Properties,
    encoded: &[(String, String)],
    op: &'static str,
) -> Result<()> {
    let seq = chain.node()?.seq;
    for (k, text) in encoded {
        w.put_blob(Blob::Props, &prop_key(seq, ns, k), text.as_bytes())?;
    }
    let changes = serde_json::json!({"namespace": ns, "properties": props});
    feed::emit(w, ctx, who, Event::on(op, "props", ns, Some(chain), Some(changes))?)
}

/// Removes keys (003's DELETE); how many existed.
pub(crate) fn delete(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    node: NodeId,
    ns: &str,
    keys_to_remove: &[String],
) -> Result<u64> {
    check_namespace(ns)?;
    let chain = node_chain(w, who, node)?;
    let head = chain.node()?.clone();
    who.require_suffix(ctx.schema, &chain, head.rec.kind, &suffix(ns, "delete"), Rule::WRITE)?;
    for k in keys_to_remove {
        check_key(k)?;
    }
    let mut removed = 0;
    for k in keys_to_remove {
        if w.remove_blob(Blob::Props, &prop_key(head.seq, ns, k))? {
            removed += 1;
        }
    }
    if removed > 0 {
        let changes = serde_json::json!({"namespace": ns, "keys": keys_to_remove});
        feed::emit(w, ctx, who, Event::on("props.delete", "props", ns, Some(&chain), Some(changes))?)?;
    }
    Ok(removed)
}

/// A node's own properties of a namespace, secrets masked unless the caller holds
/// `<kind>.instance.configurations.<ns>.secrets.read`. O(depth + keys).
pub(crate) fn get(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    node: NodeId,
    ns: &str,
    q: &PropQuery,
) -> Result<Properties> {
    check_namespace(ns)?;
    let chain = node_chain(v, who, node)?;
    let head = chain.node()?;
    who.require_suffix(schema, &chain, head.rec.kind, &suffix(ns, "list"), Rule::READ)?;
    let props = select(load(v, head.seq, ns)?, q)?;
    Ok(masked(props, clear_secrets(schema, who, &chain, ns)?))
}

/// The properties in force at a node: its ancestors' merged top-down, nearest value wins.
/// Values from above the caller's scope are always masked where secret. O(depth × keys).
pub(crate) fn effective(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    node: NodeId,
    ns: &str,
    q: &PropQuery,
) -> Result<EffectiveProperties> {
    check_namespace(ns)?;
    let chain = node_chain(v, who, node)?;
    let head = chain.node()?;
    who.require_suffix(schema, &chain, head.rec.kind, &suffix(ns, "list"), Rule::READ)?;
    let clear = clear_secrets(schema, who, &chain, ns)?;
    let mut out = EffectiveProperties::default();
    for i in (0..chain.links.len()).rev() {
        let Some(link) = chain.links.get(i) else { continue };
        let sub = Chain { links: chain.links.get(i..).map(<[_]>::to_vec).unwrap_or_default() };
        let own = select(load(v, link.seq, ns)?, q)?;
        let own = masked(own, clear && who.sees(&sub));
        for (k, val) in own {
            out.sources.insert(k.clone(), link.id());
            out.properties.insert(k, val);
        }
    }
    Ok(out)
}

/// Removes a deleted node's properties.
pub(crate) fn forget_node(w: &mut WriteView<'_>, seq: u64) -> Result<()> {
    w.remove_range(Blob::Props, KeyRange::prefix(&keys::parent_prefix(seq)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_and_keys_follow_their_rules() {
        for ok in ["general", "branding.general", "branding.styling.font", "a1_b"] {
            check_namespace(ok).unwrap();
        }
        for bad in ["", "General", "a..b", ".a", "a.", "a b", &"a".repeat(65)] {
            assert!(check_namespace(bad).is_err(), "{bad:?}");
        }
        check_key("max_calls").unwrap();
        check_key("Any Key: with punctuation!").unwrap();
        for bad in ["", "a\u{0}b", "tab\t", &"k".repeat(129)] {
            assert!(check_key(bad).is_err(), "{bad:?}");
        }
        assert!(check_value("k", &serde_json::json!("x".repeat(limits::PROPERTY_VALUE_BYTES))).is_err());
        assert!(check_value("k", &serde_json::json!({"a": [1, 2, {"b": null}]})).is_ok());
    }

    #[test]
    fn masking_hides_secret_keys_and_nested_secrets() {
        let props: Properties = serde_json::from_value(serde_json::json!({
            "smtp_password": "p",
            "api_TOKEN": {"a": 1},
            "smtp": {"host": "h", "password": "q"},
            "max_calls": 30,
        }))
        .unwrap();
        let m = masked(props.clone(), false);
        assert_eq!(m["smtp_password"], MASK);
        assert_eq!(m["api_TOKEN"], MASK);
        assert_eq!(m["smtp"]["password"], MASK);
        assert_eq!(m["smtp"]["host"], "h");
        assert_eq!(m["max_calls"], 30);
        assert_eq!(masked(props.clone(), true), props);
    }
}
