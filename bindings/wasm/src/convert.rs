//! Conversions between JS values and the core's records, and the core's errors as JS errors.
//!
//! - In: a JS value is turned into JSON with `JSON.stringify` and decoded with serde, exactly
//!   as the core documents its JSON. This gives JS callers TypeScript's meaning of optional
//!   fields: a property that is `undefined` is absent (left unchanged in an update), `null`
//!   clears it. A value that does not decode is `INVALID_ARGUMENT` naming the failing field.
//! - Out: records become plain JS objects (maps as objects, `None` as `null`). A number JS
//!   cannot hold exactly (above 2^53) is refused rather than rounded.
//! - Errors: a JS `Error` with `name = "TenantreeError"`, the core's stable `code`, the core's
//!   message, and `details`: the error's fields as a plain object.

use js_sys::{JSON, Reflect};
use serde::Serialize;
use serde::de::DeserializeOwned;
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
    let json = if value.is_undefined() {
        "null".to_owned()
    } else {
        JSON::stringify(value)
            .map_err(|e| invalid(name, &format!("cannot be turned into JSON: {}", js_message(&e))))?
            .as_string()
            // Functions and symbols have no JSON form; stringify answers `undefined` for them.
            .ok_or_else(|| invalid(name, "is not a JSON value (a function or a symbol?)"))?
    };
    let mut de = serde_json::Deserializer::from_str(&json);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { name.to_owned() } else { path };
        invalid(&field, &without_position(&e.into_inner()))
    })
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
