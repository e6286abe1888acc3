//! Reading JSON bodies field by field, so that every wrong input is an `INVALID_ARGUMENT` that
//! names its field.

use serde_json::{Map, Value};
use tenantree::{Decimal, Error, NodeId, Status};

use crate::error::{invalid, not_found};

/// A JSON object body.
#[derive(Debug, Clone, Default)]
pub(crate) struct Body(Map<String, Value>);

/// Parses a body that must be a JSON object; an empty body is `{}`.
pub(crate) fn object(bytes: &[u8]) -> Result<Body, Error> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Body::default());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(Body(map)),
        Ok(_) => Err(invalid("body", "must be a JSON object")),
        Err(e) => Err(invalid("body", format!("is not valid JSON: {e}"))),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

pub(crate) fn wrong_type(field: &str, expected: &str, got: &Value) -> Error {
    invalid(field, format!("must be {expected}, not {}", type_name(got)))
}

impl Body {
    pub(crate) fn from_map(map: Map<String, Value>) -> Body {
        Body(map)
    }

    pub(crate) fn map(&self) -> &Map<String, Value> {
        &self.0
    }

    pub(crate) fn into_map(self) -> Map<String, Value> {
        self.0
    }

    /// Whether the field is present (even as `null`).
    pub(crate) fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// The field's value unless absent or `null`.
    pub(crate) fn value(&self, field: &str) -> Option<&Value> {
        self.0.get(field).filter(|v| !v.is_null())
    }

    pub(crate) fn string(&self, field: &str) -> Result<Option<String>, Error> {
        match self.value(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(wrong_type(field, "a string", other)),
        }
    }

    pub(crate) fn required_string(&self, field: &str) -> Result<String, Error> {
        self.string(field)?.ok_or_else(|| invalid(field, "is required"))
    }

    /// Absent: `None`; `null`: `Some(None)` (clear it); a string: `Some(Some(s))`.
    pub(crate) fn nullable_string(&self, field: &str) -> Result<Option<Option<String>>, Error> {
        match self.0.get(field) {
            None => Ok(None),
            Some(Value::Null) => Ok(Some(None)),
            Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
            Some(other) => Err(wrong_type(field, "a string or null", other)),
        }
    }

    pub(crate) fn boolean(&self, field: &str) -> Result<Option<bool>, Error> {
        match self.value(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong_type(field, "a boolean", other)),
        }
    }

    /// A non-negative integer no larger than `max`.
    pub(crate) fn uint(&self, field: &str, max: u64) -> Result<Option<u64>, Error> {
        match self.value(field) {
            None => Ok(None),
            Some(v) => uint_value(field, v, max).map(Some),
        }
    }

    /// 001's `integer · int32` counts: 0 to 2 147 483 647.
    pub(crate) fn int32_count(&self, field: &str) -> Result<Option<u64>, Error> {
        self.uint(field, i32::MAX.unsigned_abs().into())
    }

    pub(crate) fn object(&self, field: &str) -> Result<Option<&Map<String, Value>>, Error> {
        match self.value(field) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(other) => Err(wrong_type(field, "an object", other)),
        }
    }

    pub(crate) fn string_array(&self, field: &str) -> Result<Option<Vec<String>>, Error> {
        match self.value(field) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(wrong_type(field, "an array of strings", other)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(other) => Err(wrong_type(field, "an array of strings", other)),
        }
    }

    /// A number (or a numeric string) as an exact decimal.
    pub(crate) fn decimal(&self, field: &str) -> Result<Option<Decimal>, Error> {
        match self.value(field) {
            None => Ok(None),
            Some(v) => decimal_value(field, v).map(Some),
        }
    }

    pub(crate) fn node_id(&self, field: &str) -> Result<Option<NodeId>, Error> {
        match self.string(field)? {
            None => Ok(None),
            Some(s) => parse_id_field(field, &s).map(Some),
        }
    }

    /// A status: `"enabled"`, `"disabled"`, `"suspended"`, `"suspended:N"`, or the core's
    /// object form `{"state": "suspended", "profile": N}`.
    pub(crate) fn status(&self, field: &str) -> Result<Option<Status>, Error> {
        match self.value(field) {
            None => Ok(None),
            Some(v) => status_value(field, v).map(Some),
        }
    }
}

pub(crate) fn uint_value(field: &str, v: &Value, max: u64) -> Result<u64, Error> {
    match v.as_u64() {
        Some(n) if n <= max => Ok(n),
        Some(_) => Err(invalid(field, format!("must be at most {max}"))),
        None if v.is_number() => Err(invalid(field, format!("must be an integer from 0 to {max}"))),
        None => Err(wrong_type(field, "an integer", v)),
    }
}

pub(crate) fn decimal_value(field: &str, v: &Value) -> Result<Decimal, Error> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_owned(),
        other => return Err(wrong_type(field, "a number", other)),
    };
    text.parse::<Decimal>().map_err(|_| invalid(field, format!("{text:?} is not a decimal number")))
}

pub(crate) fn status_value(field: &str, v: &Value) -> Result<Status, Error> {
    match v {
        Value::String(s) => s.parse::<Status>().map_err(|e| crate::error::rename_field(e, field)),
        Value::Object(_) => serde_json::from_value::<Status>(v.clone()).map_err(|e| {
            invalid(
                field,
                format!("{e}: expected {{\"state\": \"enabled\"|\"disabled\"|\"suspended\", \"profile\": n}}"),
            )
        }),
        other => Err(wrong_type(field, "a status", other)),
    }
}

/// A node id in a body field: malformed is `INVALID_ARGUMENT`.
pub(crate) fn parse_id_field(field: &str, s: &str) -> Result<NodeId, Error> {
    s.trim().parse::<NodeId>().map_err(|_| invalid(field, format!("{s:?} is not a UUID")))
}

/// A node id in a path: malformed names nothing, so it is `NOT_FOUND`.
pub(crate) fn parse_id_path(entity: &'static str, s: &str) -> Result<NodeId, Error> {
    s.trim().parse::<NodeId>().map_err(|_| not_found(entity, s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(v: Value) -> Body {
        object(v.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn bodies_must_be_objects() {
        assert!(object(b"").unwrap().map().is_empty());
        assert!(object(b"  \n").unwrap().map().is_empty());
        for bad in [&b"[1]"[..], b"{", b"\"x\"", b"{\"a\":1,}"] {
            let e = object(bad).unwrap_err();
            assert_eq!(e.code(), "INVALID_ARGUMENT");
            assert_eq!(e.details()["field"], "body");
        }
    }

    #[test]
    fn fields_are_typed_and_named_in_errors() {
        let b = body(json!({"s": "x", "n": 5, "neg": -1, "big": 3_000_000_000_u64, "f": 1.5, "b": true, "z": null}));
        assert_eq!(b.string("s").unwrap().as_deref(), Some("x"));
        assert_eq!(b.string("z").unwrap(), None);
        assert_eq!(b.nullable_string("z").unwrap(), Some(None));
        assert_eq!(b.nullable_string("absent").unwrap(), None);
        let e = b.string("n").unwrap_err();
        assert_eq!(e.details()["field"], "n");
        assert_eq!(b.int32_count("n").unwrap(), Some(5));
        assert_eq!(b.int32_count("neg").unwrap_err().details()["field"], "neg");
        assert_eq!(b.int32_count("big").unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(b.int32_count("f").unwrap_err().code(), "INVALID_ARGUMENT");
        assert_eq!(b.boolean("b").unwrap(), Some(true));
        assert!(b.boolean("s").is_err());
        assert_eq!(b.required_string("absent").unwrap_err().details()["field"], "absent");
        assert_eq!(b.decimal("f").unwrap().unwrap().to_string(), "1.5");
        assert!(b.decimal("b").is_err());
    }

    #[test]
    fn statuses_parse_in_both_forms() {
        let b = body(json!({"a": "suspended:3", "b": {"state": "disabled"}, "c": "sleeping", "d": 4}));
        assert_eq!(b.status("a").unwrap(), Some(Status::Suspended { profile: 3 }));
        assert_eq!(b.status("b").unwrap(), Some(Status::Disabled));
        assert_eq!(b.status("c").unwrap_err().details()["field"], "c");
        assert!(b.status("d").is_err());
    }
}
