//! Conversions between JS values and the core's records, and the core's errors as JS errors.
//!
//! - In: a JS value is turned into JSON with `JSON.stringify` and decoded with serde, exactly
//!   as the core documents its JSON. This gives JS callers TypeScript's meaning of optional
//!   fields: a property that is `undefined` is absent (left unchanged in an update), `null`
//!   clears it. A value that does not decode is `INVALID_ARGUMENT` naming the failing field.
//! - Out: records become plain JS objects (maps as objects, `None` as `null`). A number JS
//!   cannot hold exactly (above 2^53) is refused rather than rounded.
//! - The busiest calls (nodes, quotas, pages of nodes in and out; the crate `hot`, built for
//!   speed) take the same data through JSON text in both directions, with no
//!   serde_path_to_error unless the value fails to decode; ids, names and amounts skip the
//!   JSON text altogether when they are plain strings or safe integers ([`primitive_arg`]).
//! - Errors: a JS `Error` with `name = "TenantreeError"`, the core's stable `code`, the core's
//!   message, and `details`: the error's fields as a plain object.

use js_sys::{JSON, Reflect};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tenantree::{Actor, ChildQuery, NewNode, NodeId};
use tenantree_wasm_hot as hot;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};

/// The `name` of every error this package throws.
pub(crate) const ERROR_NAME: &str = "TenantreeError";

/// Decodes the argument `name` of an operation from a JS value.
///
/// `undefined` decodes as `null`, so optional arguments may be left out.
///
/// # Errors
///
/// `INVALID_ARGUMENT` with `field` set to the path of the failing field inside the argument
/// (`limits.tenants`), or to the argument's name when the argument itself is wrong.
pub(crate) fn arg<T: DeserializeOwned>(name: &str, value: &JsValue) -> Result<T, JsValue> {
    decode_with_path(name, &json_of(name, value)?)
}

/// [`arg`] for the busiest calls' records, first decoded by one of the crate `hot`'s decoders
/// (built for speed, and free of serde_path_to_error's bookkeeping). Decoding is
/// deterministic, so only a value that fails there is decoded again by [`arg`]'s way, for the
/// path of the failing field.
pub(crate) fn arg_with<T: DeserializeOwned>(
    name: &str,
    value: &JsValue,
    decode: fn(&str) -> Result<T, serde_json::Error>,
) -> Result<T, JsValue> {
    let json = json_of(name, value)?;
    match decode(&json) {
        Ok(value) => Ok(value),
        Err(_) => decode_with_path(name, &json),
    }
}

/// [`arg`] for an id, a name or an amount: a string, or an integer a JS number holds exactly,
/// is decoded from the JSON value `JSON.stringify` would have written for it, without the
/// round trip through JSON text. Anything else, or a value that does not decode so, goes
/// [`arg`]'s way, which gives the errors.
pub(crate) fn primitive_arg<T: DeserializeOwned>(name: &str, value: &JsValue) -> Result<T, JsValue> {
    if let Some(json) = primitive(value)
        && let Ok(value) = T::deserialize(json)
    {
        return Ok(value);
    }
    arg(name, value)
}

/// [`primitive_arg`] for a node id. A UUID in its hyphenated text form is read by `hot.js`
/// straight into its 16 bytes, without the string crossing into wasm; anything else (and the
/// nil UUID) goes [`primitive_arg`]'s way, which gives the errors.
pub(crate) fn id_arg(name: &str, value: &JsValue) -> Result<NodeId, JsValue> {
    match hyphenated_id(value) {
        Some(id) => Ok(id),
        None => primitive_arg(name, value),
    }
}

/// [`id_arg`] for an optional node id (`null` or `undefined` for none).
pub(crate) fn opt_id_arg(name: &str, value: &JsValue) -> Result<Option<NodeId>, JsValue> {
    match hyphenated_id(value) {
        Some(id) => Ok(Some(id)),
        None => primitive_arg(name, value),
    }
}

/// A non-nil UUID in its hyphenated text form, read by `hot.js`; `None` for anything else.
fn hyphenated_id(value: &JsValue) -> Option<NodeId> {
    let mut bytes = [0u8; 16];
    // `hot.js` writes the 16 bytes through the address, as wasm-bindgen's own `&mut [u8]`
    // imports do (the address is exposed by the cast, so the write is seen here).
    if id_bytes(value, bytes.as_mut_ptr() as usize) { NodeId::from_bytes(bytes).ok() } else { None }
}

/// The longest name [`short_str_arg`] reads through `hot.js`; longer ones take the general way.
pub(crate) const SHORT_STR: usize = 64;

/// [`primitive_arg`] for a string that is usually a short ASCII name (a resource's): written
/// by `hot.js` straight into `buf`, without a `String` made on either side; anything else
/// goes [`primitive_arg`]'s way, which gives the same string or the errors.
pub(crate) fn short_str_arg<'b>(
    name: &str,
    value: &JsValue,
    buf: &'b mut [u8; SHORT_STR],
) -> Result<std::borrow::Cow<'b, str>, JsValue> {
    let len = ascii_into(value, buf.as_mut_ptr() as usize, SHORT_STR);
    if let Ok(len) = usize::try_from(len)
        && let Some(bytes) = buf.get(..len)
        && let Ok(text) = std::str::from_utf8(bytes)
    {
        return Ok(std::borrow::Cow::Borrowed(text));
    }
    primitive_arg::<String>(name, value).map(std::borrow::Cow::Owned)
}

/// The longest text of a children query [`child_query_arg`] reads through `hot.js`.
const QUERY_TEXT: usize = 512;

/// The argument `query` of `children` and `childSummaries` (`undefined` and `null` for the
/// default query): a plain object of ASCII strings and whole numbers (a page by cursor) is
/// written by `hot.js` straight into two buffers here, without `JSON.stringify`, a string
/// crossing and serde_json; anything else, or a value the decoder leaves to the JSON way,
/// goes [`arg_with`]'s way, which gives the same query or the errors.
pub(crate) fn child_query_arg(value: &JsValue) -> Result<ChildQuery, JsValue> {
    let mut nums = [0.0; hot::CHILD_QUERY_SLOTS];
    let mut text = [0u8; QUERY_TEXT];
    // `hot.js` writes through the addresses, as for `id_bytes`.
    // A query whose getter throws goes the JSON way too, which reports it.
    let len = child_query_into(value, nums.as_mut_ptr() as usize, text.as_mut_ptr() as usize, QUERY_TEXT).unwrap_or(-1);
    if let Ok(len) = usize::try_from(len)
        && let Some(text) = text.get(..len)
        && let Some(query) = hot::child_query_wire(&nums, text)
    {
        return Ok(query);
    }
    Ok(arg_with("query", value, hot::child_query)?.unwrap_or_default())
}

/// [`primitive_arg`] for an amount: a number that is a non-negative integer a JS number holds
/// exactly is read by `hot.js` without the round trip through a JSON value; anything else goes
/// [`primitive_arg`]'s way, which gives the errors.
pub(crate) fn u64_arg(name: &str, value: &JsValue) -> Result<u64, JsValue> {
    match hot::whole(number_of(value), hot::MAX_SAFE_INTEGER) {
        Some(amount) => Ok(amount),
        None => primitive_arg(name, value),
    }
}

/// The argument `actor`: the system actor as a plain object is recognised by `hot.js` without
/// a round trip through JSON text (serde reads only its `type`); anything else is decoded by
/// [`arg_with`].
pub(crate) fn actor_arg(value: &JsValue) -> Result<Actor, JsValue> {
    // An actor whose getter or proxy trap throws goes the JSON way too, which reports it.
    if is_system_actor(value).unwrap_or(false) {
        return Ok(Actor::system());
    }
    arg_with("actor", value, hot::actor)
}

/// The JSON text of an argument; `undefined` is `null`.
fn json_of(name: &str, value: &JsValue) -> Result<String, JsValue> {
    if value.is_undefined() {
        return Ok("null".to_owned());
    }
    JSON::stringify(value)
        .map_err(|e| invalid(name, &format!("cannot be turned into JSON: {}", js_message(&e))))?
        .as_string()
        // Functions and symbols have no JSON form; stringify answers `undefined` for them.
        .ok_or_else(|| invalid(name, "is not a JSON value (a function or a symbol?)"))
}

/// Decodes an argument's JSON text; a failure names the path of the failing field.
fn decode_with_path<T: DeserializeOwned>(name: &str, json: &str) -> Result<T, JsValue> {
    let mut de = serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { name.to_owned() } else { path };
        invalid(&field, &without_position(&e.into_inner()))
    })
}

/// A string, or an integer a JS number holds exactly, as the JSON value `JSON.stringify` would
/// have written for it, without the round trip through JSON text (ids, names, amounts). Other
/// values (and values of these that do not decode) take the JSON path, which gives the errors.
fn primitive(value: &JsValue) -> Option<serde_json::Value> {
    if let Some(text) = value.as_string() {
        // A lone surrogate arrives as U+FFFD here, where JSON.stringify keeps it (and serde_json
        // refuses it): such strings take the JSON path.
        return (!text.contains('\u{FFFD}')).then_some(serde_json::Value::String(text));
    }
    let number = value.as_f64()?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    if number.fract() == 0.0 && number.abs() <= hot::MAX_SAFE_INTEGER as f64 {
        // `-0` is written `0` by JSON.stringify, as here.
        return Some(if number >= 0.0 { (number as u64).into() } else { (number as i64).into() });
    }
    None
}

/// Encodes a record as a plain JS object.
///
/// # Errors
///
/// `STORAGE` when a number cannot be represented exactly in JS (above 2^53).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| {
        error(&tenantree::Error::Storage { message: format!("a result cannot be passed to JavaScript: {e}") })
    })
}

/// One of the busiest calls' records, put on the wire by the crate `hot` (built for speed), as
/// the plain JS object `hot.js` builds from it: the same plain data as [`to_js`] gives,
/// without a call across the boundary per field and without JSON text.
///
/// # Errors
///
/// `STORAGE` when a number cannot be represented exactly in JS (above 2^53).
pub(crate) fn wire_to_js(wire: Result<hot::Wire, hot::Unrepresentable>) -> Result<JsValue, JsValue> {
    let wire = wire.map_err(|e| {
        error(&tenantree::Error::Storage { message: format!("a result cannot be passed to JavaScript: {e}") })
    })?;
    // The same text as the last record's of the same shape (every list of quotas, every
    // allocation's quota: the resources' names) is not decoded again: `hot.js` keeps the
    // string it made of it. Nodes and pages, whose text is ids and names, rarely repeat: they
    // are not compared nor kept.
    let remembered = matches!(wire.shape, hot::Shape::Quota | hot::Shape::Quotas);
    let same = remembered
        && LAST_TEXT.with_borrow_mut(|texts| {
            let Some(last) = texts.get_mut(wire.shape as usize) else { return false };
            if *last == wire.text {
                return true;
            }
            last.clear();
            last.extend_from_slice(&wire.text);
            false
        });
    // `hot.js` reads the slots and the text where they lie in wasm memory; `wire` outlives
    // the call.
    Ok(from_wire(wire.shape as u32, wire.nums.as_ptr() as usize, wire.text.as_ptr() as usize, wire.text.len(), same))
}

thread_local! {
    /// The text of the last record of each shape given to `hot.js`'s `fromWire`.
    static LAST_TEXT: std::cell::RefCell<[Vec<u8>; hot::Shape::COUNT]> =
        const { std::cell::RefCell::new([const { Vec::new() }; hot::Shape::COUNT]) };
}

/// A list of node ids as a JS array of their hyphenated texts: written one after the other
/// into one text that `hot.js` decodes once and cuts (a string made, decoded and stored into
/// the array by a call across the boundary per id cost more than the ids' share of a bulk
/// create).
#[must_use]
pub(crate) fn ids_to_js(ids: &[NodeId]) -> JsValue {
    let text = hot::ids_text(ids);
    // `text` outlives the call.
    ids_from_text(text.as_ptr() as usize, ids.len(), hot::ID_TEXT)
}

/// Gives `hot.js` the wasm instance's memory, which [`id_bytes`], [`from_wire`] and
/// [`short_str_arg`] read and write, and where the [`AdjustSlots`] lie in it; every new store
/// calls it, before any of them can run.
pub(crate) fn give_memory() {
    ADJUST.with(|s| {
        use_memory(
            &wasm_bindgen::memory(),
            s.nums.as_ptr() as usize,
            s.id.as_ptr() as usize,
            s.resource.as_ptr() as usize,
            SHORT_STR,
        );
    });
}

/// Where the transaction view's `allocate` and `release` (`hot.js`) put their arguments for
/// [`adjust_in_place`] and find the quota's numbers: calls that cross with numbers only, no
/// JS value handed over in either direction when they succeed. One place serves every store
/// of the instance because [`adjust_in_place`] copies the arguments out before the operation
/// runs and writes the numbers after it: JS can run in between (the clock, a hook) and even
/// make such a call of its own.
pub(crate) struct AdjustSlots {
    /// The quota's `limit`, `used`, `allocated` and `available` (NaN for none), written by
    /// the binding.
    nums: std::cell::Cell<[f64; 4]>,
    /// The node's id, its 16 bytes, written by `hot.js`.
    id: std::cell::Cell<[u8; 16]>,
    /// The resource's name, ASCII, written by `hot.js` only; its length is the call's argument.
    resource: std::cell::Cell<[u8; SHORT_STR]>,
}

thread_local! {
    // wasm32-unknown-unknown has one thread: this is a static, whose address never changes.
    static ADJUST: AdjustSlots = const {
        AdjustSlots {
            nums: std::cell::Cell::new([0.0; 4]),
            id: std::cell::Cell::new([0; 16]),
            resource: std::cell::Cell::new([0; SHORT_STR]),
        }
    };
    /// The resource's name of the last quota [`adjust_in_place`] answered [`ADJUSTED_RENAMED`]
    /// for, until `hot.js` takes it ([`take_renamed`]).
    static RENAMED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// What [`adjust_in_place`] answers `hot.js`: the quota's numbers are in the slots, its
/// resource is the one named.
const ADJUSTED: u32 = 0;
/// What [`adjust_in_place`] answers `hot.js`: nothing was done, the arguments are not ones the
/// binding takes this way (the nil id, an amount that is not a safe whole number); the general
/// way then gives the answer or the error.
const NOT_ADJUSTED: u32 = 1;
/// What [`adjust_in_place`] answers `hot.js`: as [`ADJUSTED`], and the quota's resource differs
/// from the name given; [`take_renamed`] gives it.
const ADJUSTED_RENAMED: u32 = 2;

/// `allocate` or `release` (`run`) of the id and resource `hot.js` wrote into the
/// [`AdjustSlots`], the resource's name `resource_len` long, `amount` as a JS number.
///
/// # Errors
///
/// The operation's, or a quota's number above 2^53.
pub(crate) fn adjust_in_place(
    resource_len: usize,
    amount: f64,
    run: impl FnOnce(NodeId, &str, u64) -> Result<tenantree::Quota, JsValue>,
) -> Result<u32, JsValue> {
    let (id, name) = ADJUST.with(|s| (s.id.get(), s.resource.get()));
    let (Ok(id), Some(amount), Some(Ok(resource))) = (
        NodeId::from_bytes(id),
        hot::whole(amount, hot::MAX_SAFE_INTEGER),
        name.get(..resource_len).map(std::str::from_utf8),
    ) else {
        return Ok(NOT_ADJUSTED);
    };
    let quota = run(id, resource, amount)?;
    let nums = hot::Wire::quota_nums(&quota).map_err(|e| {
        error(&tenantree::Error::Storage { message: format!("a result cannot be passed to JavaScript: {e}") })
    })?;
    ADJUST.with(|s| s.nums.set(nums));
    if quota.resource == resource {
        return Ok(ADJUSTED);
    }
    // The core names the quota as it was asked (resources are looked up by their exact name);
    // should that change, the name the core gave still reaches the caller, by a way that
    // cannot fail: the operation is done, and an error now would tell the caller otherwise.
    RENAMED.with_borrow_mut(|name| *name = quota.resource);
    Ok(ADJUSTED_RENAMED)
}

/// The resource's name [`adjust_in_place`] kept when it answered [`ADJUSTED_RENAMED`].
pub(crate) fn take_renamed() -> String {
    RENAMED.with_borrow_mut(std::mem::take)
}

#[wasm_bindgen(module = "/src/hot.js")]
extern "C" {
    #[wasm_bindgen(js_name = useMemory)]
    fn use_memory(memory: &JsValue, nums_at: usize, id_at: usize, resource_at: usize, resource_cap: usize);

    #[wasm_bindgen(js_name = fromWire)]
    fn from_wire(shape: u32, nums_at: usize, text_at: usize, text_len: usize, same: bool) -> JsValue;

    #[wasm_bindgen(js_name = idBytes)]
    fn id_bytes(value: &JsValue, out: usize) -> bool;

    #[wasm_bindgen(js_name = asciiInto)]
    fn ascii_into(value: &JsValue, out: usize, cap: usize) -> i32;

    #[wasm_bindgen(js_name = numberOf)]
    fn number_of(value: &JsValue) -> f64;

    #[wasm_bindgen(js_name = idsFromText)]
    fn ids_from_text(text_at: usize, count: usize, len: usize) -> JsValue;

    // `catch` on the functions that read a caller's object (its getters or proxy traps may
    // throw): an exception must not unwind through the binding, which would leave the store
    // marked busy for good.
    #[wasm_bindgen(catch, js_name = childQueryInto)]
    fn child_query_into(query: &JsValue, nums: usize, text: usize, cap: usize) -> Result<i32, JsValue>;

    #[wasm_bindgen(catch, js_name = isSystemActor)]
    fn is_system_actor(actor: &JsValue) -> Result<bool, JsValue>;

    #[wasm_bindgen(catch, js_name = newNodesWire)]
    fn new_nodes_wire(recs: &JsValue) -> Result<Option<String>, JsValue>;

    #[wasm_bindgen(js_name = newNodesNums)]
    fn new_nodes_nums() -> Vec<f64>;
}

/// The argument of `createNodes`, handed to `f` one node at a time: a batch of simple records
/// (kind, name, parent, limits) is read off `hot.js`'s input wire, checked whole first, and
/// built in one reused `NewNode` ([`hot::NewNodesWire`]), without `JSON.stringify` and serde's
/// flattened `NewNode`; anything else, or a wire the decoder cannot take exactly, goes
/// [`arg_with`]'s way, which gives the same nodes or the errors (before any call of `f`).
pub(crate) fn each_new_node(
    value: &JsValue,
    mut f: impl FnMut(&NewNode) -> Result<(), JsValue>,
) -> Result<(), JsValue> {
    // Records whose getter throws go the JSON way too, which reports it.
    if let Some(text) = new_nodes_wire(value).ok().flatten() {
        let nums = new_nodes_nums();
        if let Some(batch) = hot::NewNodesWire::read(&nums, &text) {
            return batch.each(&mut f);
        }
    }
    let nodes: Vec<NewNode> = arg_with("nodes", value, hot::new_nodes)?;
    nodes.iter().try_for_each(f)
}

/// A core result as a JS result: the record as a plain object, or the error as a JS `Error`.
///
/// # Errors
///
/// The core's error, converted by [`error`].
pub(crate) fn ret<T: Serialize>(result: tenantree::Result<T>) -> Result<JsValue, JsValue> {
    match result {
        Ok(value) => to_js(&value),
        Err(e) => Err(error(&e)),
    }
}

/// [`ret`] with the record written by one of the crate `hot`'s encoders.
///
/// # Errors
///
/// The core's error, converted by [`error`].
pub(crate) fn hot_ret<T>(
    result: tenantree::Result<T>,
    encode: fn(T) -> Result<hot::Wire, hot::Unrepresentable>,
) -> Result<JsValue, JsValue> {
    match result {
        Ok(value) => wire_to_js(encode(value)),
        Err(e) => Err(error(&e)),
    }
}

/// A core error as a JS `Error` named `TenantreeError`, with `code`, `message` and `details`.
#[must_use]
pub(crate) fn error(err: &tenantree::Error) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    js.set_name(ERROR_NAME);
    let details = to_js_details(&err.details());
    // Setting a property of a fresh, extensible Error object cannot fail.
    let _ = Reflect::set(&js, &"code".into(), &err.code().into());
    let _ = Reflect::set(&js, &"details".into(), &details);
    js.into()
}

/// The details object; an error that has no fields gets an empty object, never `null`.
fn to_js_details(details: &serde_json::Value) -> JsValue {
    match details {
        serde_json::Value::Object(_) => {
            details.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or_else(|_| empty())
        }
        _ => empty(),
    }
}

fn empty() -> JsValue {
    js_sys::Object::new().into()
}

/// `INVALID_ARGUMENT` for `field`, as a JS error.
#[must_use]
pub(crate) fn invalid(field: &str, reason: &str) -> JsValue {
    error(&tenantree::Error::InvalidArgument { field: field.to_owned(), reason: reason.to_owned() })
}

/// The message of a thrown JS value: an `Error`'s `message`, or the value as text.
#[must_use]
pub(crate) fn js_message(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        let name = String::from(e.name());
        let message = String::from(e.message());
        return if name.is_empty() || name == "Error" { message } else { format!("{name}: {message}") };
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

/// serde_json's message without its " at line 1 column 7": the JSON is ours, not the caller's.
fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(at) => text.get(..at).unwrap_or(&text).to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Writes the slots as hot.js does.
    fn put_args(id: [u8; 16], resource: &str) -> usize {
        let mut name = [0; SHORT_STR];
        name.get_mut(..resource.len()).unwrap().copy_from_slice(resource.as_bytes());
        ADJUST.with(|s| {
            s.id.set(id);
            s.resource.set(name);
        });
        resource.len()
    }

    fn quota(resource: &str, limit: Option<u64>, available: Option<u64>) -> tenantree::Quota {
        tenantree::Quota { resource: resource.to_owned(), limit, used: 7, allocated: 3, available }
    }

    const ID: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];

    #[test]
    fn adjust_in_place_reads_the_slots_and_leaves_the_quota_there() {
        let len = put_args(ID, "extensions");
        let mut seen = None;
        let done = adjust_in_place(len, 5.0, |id, resource, amount| {
            seen = Some((id, resource.to_owned(), amount));
            Ok(quota(resource, Some(10), None))
        });
        assert_eq!(done.ok(), Some(ADJUSTED));
        assert_eq!(seen, Some((NodeId::from_bytes(ID).unwrap(), "extensions".to_owned(), 5)));
        let nums = ADJUST.with(|s| s.nums.get());
        assert_eq!(nums[..3], [10.0, 7.0, 3.0]);
        assert!(nums[3].is_nan(), "no limit above: available is none");
    }

    #[test]
    fn adjust_in_place_hands_back_a_resource_named_otherwise() {
        // Any name, however long and whatever its characters: the operation is done by then.
        let long = format!("ext-{}", "é".repeat(SHORT_STR));
        for name in ["exts", long.as_str()] {
            let len = put_args(ID, "extensions");
            let done = adjust_in_place(len, 1.0, |_, _, _| Ok(quota(name, None, Some(4))));
            assert_eq!(done.ok(), Some(ADJUSTED_RENAMED));
            assert_eq!(take_renamed(), name);
            assert_eq!(take_renamed(), "", "taken once");
            assert!(ADJUST.with(|s| s.nums.get())[0].is_nan());
            let slot = ADJUST.with(|s| s.resource.get());
            assert_eq!(slot.get(..len), Some(&b"extensions"[..]), "the slot is written by hot.js only");
        }
    }

    #[test]
    fn a_call_made_while_the_operation_runs_leaves_the_outer_one_its_arguments_and_answer() {
        let len = put_args(ID, "extensions");
        let done = adjust_in_place(len, 5.0, |id, resource, amount| {
            // JS runs during the operation (the clock) and may make a call of its own.
            let inner = put_args([9; 16], "concurrent_calls");
            let inner_done = adjust_in_place(inner, 1.0, |_, r, _| Ok(quota(r, Some(1), Some(0))));
            assert_eq!(inner_done.ok(), Some(ADJUSTED));
            assert_eq!((id, resource, amount), (NodeId::from_bytes(ID).unwrap(), "extensions", 5));
            Ok(quota(resource, Some(10), None))
        });
        assert_eq!(done.ok(), Some(ADJUSTED));
        assert_eq!(ADJUST.with(|s| s.nums.get())[0], 10.0, "the outer call's numbers are written last");
    }

    #[test]
    fn adjust_in_place_does_nothing_with_arguments_it_does_not_take() {
        let cases: [(&dyn Fn() -> usize, f64); 5] = [
            // The nil id, refused by NodeId.
            (&|| put_args([0; 16], "extensions"), 1.0),
            // A length past the slot.
            (&|| put_args(ID, "extensions") + SHORT_STR, 1.0),
            // An amount that is not a safe whole number.
            (&|| put_args(ID, "extensions"), 1.5),
            (&|| put_args(ID, "extensions"), -1.0),
            (&|| put_args(ID, "extensions"), 2f64.powi(53)),
        ];
        for (args, amount) in cases {
            let len = args();
            let done = adjust_in_place(len, amount, |_, _, _| panic!("called with arguments it does not take"));
            assert_eq!(done.ok(), Some(NOT_ADJUSTED), "{amount}");
        }
        // Bytes that are not UTF-8.
        let len = put_args(ID, "ab");
        ADJUST.with(|s| {
            let mut name = s.resource.get();
            name[0] = 0xff;
            s.resource.set(name);
        });
        assert_eq!(adjust_in_place(len, 1.0, |_, _, _| panic!("not UTF-8")).ok(), Some(NOT_ADJUSTED));
    }
}
