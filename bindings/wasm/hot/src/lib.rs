//! The hot paths of the wasm binding (`bindings/wasm`): the records that its busiest calls
//! take and return (`createNode`, `getNode`, `quotas`, `getNodeWithQuotas`,
//! `allocate`/`release`, `children`): in from JSON, out on the [`Wire`] (numbers and one text,
//! for the binding's `src/hot.js`).
//!
//! Generic code is compiled in the crate that instantiates it, with that crate's `opt-level`.
//! The package is built for size (`opt-level = "z"`, root `Cargo.toml`, profile
//! `wasm-release`); the functions here are not generic, so their serde code is compiled here,
//! at the `opt-level = 3` that the profile gives this crate alone. Every other record keeps the
//! binding's generic conversions, compiled there, for size.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::ser::{CompactFormatter, Formatter};
use tenantree::{Actor, ChildQuery, NewNode};

mod child_query;
mod new_nodes;
mod wire;
pub use child_query::{CHILD_QUERY_SLOTS, child_query_wire};
pub use new_nodes::NewNodesWire;
pub use wire::{ID_TEXT, Shape, SummaryPageWire, Unrepresentable, Wire, ids_text};

/// The largest integer a JS number holds exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

/// A JS number that is a whole number from 0 to `max` (at most [`MAX_SAFE_INTEGER`]), as
/// JSON's integers decode into Rust's (`-0` is 0); `None` for anything else.
#[must_use]
pub fn whole(n: f64, max: u64) -> Option<u64> {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    (n >= 0.0 && n.fract() == 0.0 && n <= max as f64).then_some(n as u64)
}

/// A value as compact JSON for `JSON.parse`, refusing integers that a JS number cannot hold
/// exactly (above 2^53 in magnitude) instead of letting the parse round them.
///
/// # Errors
///
/// Such an integer, or the value's own serialization error.
fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::with_capacity(512);
    value.serialize(&mut serde_json::Serializer::with_formatter(&mut out, SafeIntegers))?;
    // serde_json writes UTF-8 only.
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// A value from JSON text, without the check for trailing characters (the text comes from
/// `JSON.stringify`).
///
/// # Errors
///
/// serde_json's error when the text does not decode as `T`.
fn from_json<T: DeserializeOwned>(json: &str) -> Result<T, serde_json::Error> {
    T::deserialize(&mut serde_json::Deserializer::from_str(json))
}

/// [`from_json`] for a new node.
///
/// # Errors
///
/// As [`from_json`].
pub fn new_node(json: &str) -> Result<NewNode, serde_json::Error> {
    from_json(json)
}

/// [`from_json`] for a list of new nodes.
///
/// # Errors
///
/// As [`from_json`].
pub fn new_nodes(json: &str) -> Result<Vec<NewNode>, serde_json::Error> {
    from_json(json)
}

/// [`from_json`] for an actor.
///
/// # Errors
///
/// As [`from_json`].
pub fn actor(json: &str) -> Result<Actor, serde_json::Error> {
    from_json(json)
}

/// [`from_json`] for an optional children query.
///
/// # Errors
///
/// As [`from_json`].
pub fn child_query(json: &str) -> Result<Option<ChildQuery>, serde_json::Error> {
    from_json(json)
}

/// serde_json's compact formatter, refusing integers that a JS number cannot hold exactly (as
/// serde-wasm-bindgen's JSON-compatible serializer does).
#[derive(Debug)]
struct SafeIntegers;

fn unsafe_integer(value: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::other(format!("{value} can't be represented as a JavaScript number"))
}

impl Formatter for SafeIntegers {
    fn write_u64<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, value: u64) -> std::io::Result<()> {
        if value > MAX_SAFE_INTEGER {
            return Err(unsafe_integer(value));
        }
        CompactFormatter.write_u64(writer, value)
    }

    fn write_i64<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, value: i64) -> std::io::Result<()> {
        if value.unsigned_abs() > MAX_SAFE_INTEGER {
            return Err(unsafe_integer(value));
        }
        CompactFormatter.write_i64(writer, value)
    }

    fn write_u128<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, value: u128) -> std::io::Result<()> {
        match u64::try_from(value) {
            Ok(value) => self.write_u64(writer, value),
            Err(_) => Err(unsafe_integer(value)),
        }
    }

    fn write_i128<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, value: i128) -> std::io::Result<()> {
        match i64::try_from(value) {
            Ok(value) => self.write_i64(writer, value),
            Err(_) => Err(unsafe_integer(value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_beyond_2_pow_53_are_refused() {
        assert_eq!(to_json(&MAX_SAFE_INTEGER).ok().as_deref(), Some("9007199254740991"));
        assert_eq!(to_json(&-(MAX_SAFE_INTEGER as i64)).ok().as_deref(), Some("-9007199254740991"));
        assert!(to_json(&(MAX_SAFE_INTEGER + 1)).is_err());
        assert!(to_json(&(-(MAX_SAFE_INTEGER as i64) - 1)).is_err());
        assert!(to_json(&u128::from(u64::MAX)).is_err());
        assert_eq!(to_json(&[1u8, 2]).ok().as_deref(), Some("[1,2]"));
    }
}
