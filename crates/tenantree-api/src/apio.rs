//! 002: APIO's local resellers (see the crate docs).

use serde_json::{Value, json};
use tenantree::{Error, NewNode, Node, NodeUpdate};

use crate::Call;
use crate::error::{ApiError, not_found};
use crate::request::Response;
use crate::util::{Reads, all_descendants};

/// Every reseller the caller sees.
fn resellers(tx: &impl Reads) -> Result<Vec<Node>, Error> {
    all_descendants(tx, None, "reseller")
}

/// The reseller named `name` (names of resellers are unique in the store, ignoring case).
fn by_name(tx: &impl Reads, name: &str) -> Result<Node, Error> {
    let folded = name.to_lowercase();
    resellers(tx)?.into_iter().find(|n| n.name.folded() == folded).ok_or_else(|| not_found("reseller", name))
}

fn reseller_json(node: &Node) -> Value {
    json!({
        "name": node.name.as_str(),
        "externalName": node.profile.external_name,
        "extraData": node.profile.extra.clone().unwrap_or_else(|| json!({})),
    })
}

/// `extraData` must be a JSON object (or null to clear it on update).
fn extra_data(body: &crate::body::Body) -> Result<Option<Option<Value>>, Error> {
    match body.map().get("extraData") {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(v @ Value::Object(_)) => Ok(Some(Some(v.clone()))),
        Some(other) => Err(crate::body::wrong_type("extraData", "an object", other)),
    }
}

/// `GET /api/v1/local/resellers/` → `{"resellers": [...]}`.
pub(crate) fn list(call: &Call<'_>) -> Result<Response, ApiError> {
    let items: Vec<Value> = call.read(|tx| Ok(resellers(tx)?.iter().map(reseller_json).collect()))?;
    Ok(Response::json(200, json!({"resellers": items})))
}

/// `GET /api/v1/local/resellers/{name}/`.
pub(crate) fn get(call: &Call<'_>) -> Result<Response, ApiError> {
    let node = call.read(|tx| by_name(tx, call.param(0)))?;
    Ok(Response::json(200, reseller_json(&node)))
}

/// `POST /api/v1/local/resellers/` → 201 with the reseller.
pub(crate) fn create(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    let name = body.required_string("name")?;
    let mut new = NewNode::new("reseller", name).parent(call.home()?);
    new.profile.external_name = body.string("externalName")?.filter(|s| !s.is_empty());
    new.profile.extra = extra_data(&body)?.flatten();
    let node = call.write(|tx| tx.create_node(&new)).map_err(camel_fields)?;
    Ok(Response::json(201, reseller_json(&node)))
}

/// The core's field names are already 002's, but for `extra`.
fn camel_fields(e: ApiError) -> ApiError {
    match &e.error {
        Error::InvalidArgument { field, .. } if field == "extra" => {
            ApiError { status: e.status, error: crate::error::rename_field(e.error, "extraData") }
        }
        _ => e,
    }
}

/// `PUT /api/v1/local/resellers/{name}/` (and 002's `apio_users` path) → the reseller.
pub(crate) fn update(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    let update = NodeUpdate {
        name: body.string("name")?,
        external_name: body.nullable_string("externalName")?.map(|v| v.filter(|s| !s.is_empty())),
        extra: extra_data(&body)?,
        ..NodeUpdate::default()
    };
    let node = call
        .write(|tx| {
            let node = by_name(&*tx, call.param(0))?;
            if update.is_empty() { Ok(node) } else { tx.update_node(node.id, &update) }
        })
        .map_err(camel_fields)?;
    Ok(Response::json(200, reseller_json(&node)))
}

/// `DELETE /api/v1/local/resellers/{name}/` → `{}`; 400 (30) listing what still uses it.
pub(crate) fn delete(call: &Call<'_>) -> Result<Response, ApiError> {
    call.write(|tx| {
        let node = by_name(&*tx, call.param(0))?;
        if tx.delete_node(node.id)? { Ok(()) } else { Err(not_found("reseller", call.param(0))) }
    })?;
    Ok(Response::json(200, json!({})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_data_must_be_an_object() {
        let body = crate::body::object(br#"{"extraData": [1]}"#).unwrap();
        assert_eq!(extra_data(&body).unwrap_err().details()["field"], "extraData");
        let body = crate::body::object(br#"{"extraData": null}"#).unwrap();
        assert_eq!(extra_data(&body).unwrap(), Some(None));
    }
}
