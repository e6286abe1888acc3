//! 000: Horn's clients (see the crate docs).

use serde_json::{Map, Value, json};
use tenantree::{ChildQuery, Error, NewNode, Node, PropQuery, Properties, Status};

use crate::Call;
use crate::body::parse_id_path;
use crate::error::{ApiError, invalid, not_found};
use crate::request::Response;
use crate::util::{Reads, children_up_to, to_json, uint_param};

/// The namespace of a client's feature flags.
pub(crate) const FEATURES: &str = "client.features";

/// The boolean feature flags, all false by default.
const FLAGS: [&str; 6] = ["uniqueUsersHandle", "dialOut", "friendlyURLs", "midi", "dialIn", "events"];

/// Default page size of the client list.
const DEFAULT_LIMIT: u64 = 100;

fn client(tx: &impl Reads, id: &str) -> Result<Node, Error> {
    let node = tx.get_node(parse_id_path("client", id)?)?;
    if node.kind == "client" { Ok(node) } else { Err(not_found("client", id)) }
}

/// The feature flags from a create body, checked.
fn flags_from(body: &crate::body::Body) -> Result<Properties, Error> {
    let mut props = Properties::new();
    for flag in FLAGS {
        if let Some(v) = body.boolean(flag)? {
            props.insert(flag.to_owned(), Value::Bool(v));
        }
    }
    if let Some(v) = body.string("validator")? {
        props.insert("validator".to_owned(), Value::String(v));
    }
    Ok(props)
}

/// `POST /clients/create` `{"name"}` → `{"id"}`.
pub(crate) fn create(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    let name = body.required_string("name")?;
    let flags = flags_from(&body)?;
    let home = call.home()?;
    let id = call.write(|tx| {
        let node = tx.create_node(&NewNode::new("client", name).parent(home))?;
        if !flags.is_empty() {
            tx.upsert_props(node.id, FEATURES, &flags)?;
        }
        Ok(node.id)
    })?;
    Ok(Response::json(200, json!({"id": id.to_string()})))
}

fn details(node: &Node) -> Result<Value, Error> {
    let mut details = match to_json(&node.profile)? {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    details.insert("created".to_owned(), Value::String(node.created.to_string()));
    details.insert("updated".to_owned(), Value::String(node.updated.to_string()));
    Ok(Value::Object(details))
}

fn client_json(node: &Node) -> Result<Value, Error> {
    Ok(json!({
        "name": node.name.as_str(),
        "clientId": node.id.to_string(),
        "details": details(node)?,
        "disabled": !node.effective_status.is_enabled(),
        "parentId": node.parent.map(|p| p.to_string()),
    }))
}

/// `POST /clients/{clientId}/service/{enable|disable}` → the client's details.
pub(crate) fn service(call: &Call<'_>) -> Result<Response, ApiError> {
    let status = match call.param(1) {
        "enable" => Status::Enabled,
        "disable" => Status::Disabled,
        other => return Err(invalid("state", format!("{other:?} is not \"enable\" or \"disable\"")).into()),
    };
    let node = call.write(|tx| {
        let node = client(tx, call.param(0))?;
        tx.set_status(node.id, status, None)
    })?;
    Ok(Response::json(200, client_json(&node)?))
}

/// `GET /clients/{clientId}`: a client, or the instance's root, the client of the top clients
/// (their `parentId`), so that a chain of `parentId`s can be followed to its end.
pub(crate) fn get(call: &Call<'_>) -> Result<Response, ApiError> {
    let node = call.read(|tx| {
        let node = tx.get_node(parse_id_path("client", call.param(0))?)?;
        if node.kind == "client" || node.id == call.api.platform {
            Ok(node)
        } else {
            Err(not_found("client", call.param(0)))
        }
    })?;
    Ok(Response::json(200, client_json(&node)?))
}

/// `GET /clients?query=&offset=&limit=` → `{"total", "results"}`. 000 gives `limit` ("number
/// of items returned") no maximum: any count is served, read from the core a page of at most
/// 1000 at a time, and `limit=0` answers the total with no results.
pub(crate) fn list(call: &Call<'_>) -> Result<Response, ApiError> {
    let offset = uint_param("offset", call.query.get("offset"), u64::MAX)?.unwrap_or(0);
    let limit = uint_param("limit", call.query.get("limit"), u64::MAX)?.unwrap_or(DEFAULT_LIMIT);
    let query = ChildQuery {
        kind: Some("client".to_owned()),
        search: call.query.non_empty("query").map(str::to_owned),
        offset,
        ..ChildQuery::default()
    };
    let home = call.home()?;
    let (total, results) = call.read(|tx| {
        let (nodes, total) = children_up_to(tx, Some(home), &query, limit)?;
        let mut results = Vec::with_capacity(nodes.len());
        for node in &nodes {
            let flags = tx.props(node.id, FEATURES, &PropQuery::default())?;
            let mut item = json!({
                "parent": node.parent.map(|p| p.to_string()),
                "name": node.name.as_str(),
                "id": node.id.to_string(),
                "disabled": !node.effective_status.is_enabled(),
                "validator": flags.get("validator").cloned().unwrap_or(Value::Null),
            });
            if let Some(map) = item.as_object_mut() {
                for flag in FLAGS {
                    map.insert(flag.to_owned(), Value::Bool(flags.get(flag).and_then(Value::as_bool).unwrap_or(false)));
                }
            }
            results.push(item);
        }
        Ok((total, results))
    })?;
    Ok(Response::json(200, json!({"total": total, "results": results})))
}
