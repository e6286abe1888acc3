//! tenantree's own resource API under `/v1` (see the crate docs' table).

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tenantree::{
    AccountId, AccountQuery, AccountUpdate, ChildQuery, DescendantQuery, Direction, Error, NewAccount, NewNode,
    NewToken, Node, NodeId, NodeUpdate, Op, PasswordPolicy, Profile, PropQuery, Properties, ReadTx, Role, SortBy,
    StatusFilter, Timestamp,
};

use crate::Call;
use crate::body::{Body, parse_id_path, uint_value};
use crate::error::{ApiError, invalid, not_found};
use crate::request::Response;
use crate::util::{MAX_PAGE, all_children, bool_param, page_size_param, to_json, uint_param};
use crate::voice::{self, Collection};

fn ok(value: Value) -> Result<Response, ApiError> {
    Ok(Response::json(200, value))
}

fn node_param(call: &Call<'_>) -> Result<NodeId, Error> {
    parse_id_path("node", call.param(0))
}

fn account_param(call: &Call<'_>) -> Result<AccountId, Error> {
    call.param(0).parse::<AccountId>().map_err(|_| not_found("account", call.param(0)))
}

/// `GET /v1/me`: who the token acts as.
pub(crate) fn me(call: &Call<'_>) -> Result<Response, ApiError> {
    let session = call.session()?;
    ok(json!({"account": to_json(&session.account)?, "readOnly": session.read_only, "home": call.home()?.to_string()}))
}

/// `GET /v1/schema`.
pub(crate) fn schema(call: &Call<'_>) -> Result<Response, ApiError> {
    ok(to_json(call.api.store.schema())?)
}

/// The profile fields of a node body, in the core's spelling.
fn profile(body: &Body) -> Result<Profile, Error> {
    Ok(Profile {
        display_name: body.string("displayName")?,
        email: body.string("email")?,
        website: body.string("website")?,
        phone: body.string("phone")?,
        address: body.string("address")?,
        description: body.string("description")?,
        external_name: body.string("externalName")?,
        billing_id: body.string("billingId")?,
        extra: match body.value("extra") {
            None => None,
            Some(v @ Value::Object(_)) => Some(v.clone()),
            Some(other) => return Err(crate::body::wrong_type("extra", "an object", other)),
        },
    })
}

/// `limits`: resource → count (or `null` where removing is meaningful).
fn limits(body: &Body, allow_null: bool) -> Result<BTreeMap<String, Option<u64>>, Error> {
    let mut out = BTreeMap::new();
    if let Some(map) = body.object("limits")? {
        for (resource, v) in map {
            let field = format!("limits.{resource}");
            let value = match v {
                Value::Null if allow_null => None,
                other => Some(uint_value(&field, other, u64::MAX)?),
            };
            out.insert(resource.clone(), value);
        }
    }
    Ok(out)
}

/// `POST /v1/nodes` → 201 node.
pub(crate) fn create_node(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    let mut new = NewNode::new(body.required_string("kind")?, body.required_string("name")?);
    new.id = body.node_id("id")?;
    new.parent = body.node_id("parent")?;
    new.status = body.status("status")?.unwrap_or_default();
    new.profile = profile(&body)?;
    new.tenant_full_access = body.boolean("tenantFullAccess")?;
    new.limits = limits(&body, false)?.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))).collect();
    let node = call.write(|tx| tx.create_node(&new))?;
    Ok(Response::json(201, to_json(&node)?))
}

/// `GET /v1/nodes/{id}`.
pub(crate) fn get_node(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    ok(to_json(&call.read(|tx| tx.get_node(id))?)?)
}

/// `PATCH /v1/nodes/{id}` with [`NodeUpdate`]'s fields.
pub(crate) fn update_node(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let body = call.body()?;
    let extra = match body.map().get("extra") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(v @ Value::Object(_)) => Some(Some(v.clone())),
        Some(other) => return Err(crate::body::wrong_type("extra", "an object or null", other).into()),
    };
    let update = NodeUpdate {
        name: body.string("name")?,
        display_name: body.nullable_string("displayName")?,
        email: body.nullable_string("email")?,
        website: body.nullable_string("website")?,
        phone: body.nullable_string("phone")?,
        address: body.nullable_string("address")?,
        description: body.nullable_string("description")?,
        external_name: body.nullable_string("externalName")?,
        billing_id: body.nullable_string("billingId")?,
        extra,
        tenant_full_access: body.boolean("tenantFullAccess")?,
        expected_version: body.uint("expectedVersion", u64::MAX)?,
    };
    ok(to_json(&call.write(|tx| tx.update_node(id, &update))?)?)
}

/// `DELETE /v1/nodes/{id}` → `{"deleted"}` (false when there was none).
pub(crate) fn delete_node(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    // The core reports a missing node (or one outside the caller's scope) as nothing deleted:
    // here that is 404, as for every other `/v1/nodes/{id}` call.
    if call.write(|tx| tx.delete_node(id))? {
        ok(json!({"deleted": true}))
    } else {
        Err(not_found("node", id.to_string()).into())
    }
}

/// A children query from the query string.
fn child_query(call: &Call<'_>) -> Result<ChildQuery, Error> {
    let q = &call.query;
    let status = match q.non_empty("status") {
        None => None,
        Some("enabled") => Some(StatusFilter::Enabled),
        Some("disabled") => Some(StatusFilter::Disabled),
        Some("suspended") => Some(StatusFilter::Suspended),
        Some(other) => return Err(invalid("status", format!("{other:?} is not enabled, disabled or suspended"))),
    };
    let sort = match q.non_empty("sort") {
        None | Some("name") => SortBy::Name,
        Some("created") => SortBy::Created,
        Some(other) => return Err(invalid("sort", format!("{other:?} is not name or created"))),
    };
    let dir = match q.non_empty("dir") {
        None | Some("asc") => Direction::Asc,
        Some("desc") => Direction::Desc,
        Some(other) => return Err(invalid("dir", format!("{other:?} is not asc or desc"))),
    };
    Ok(ChildQuery {
        kind: q.non_empty("kind").map(str::to_owned),
        status,
        search: q.non_empty("search").map(str::to_owned),
        sort,
        dir,
        offset: uint_param("offset", q.get("offset"), u64::MAX)?.unwrap_or(0),
        limit: page_size_param("limit", q.get("limit"))?,
        cursor: q.non_empty("cursor").map(str::to_owned),
    })
}

/// `GET /v1/nodes`: the top level (a scoped account sees its own node there).
pub(crate) fn top_level(call: &Call<'_>) -> Result<Response, ApiError> {
    let query = child_query(call)?;
    ok(to_json(&call.read(|tx| tx.children(None, &query))?)?)
}

/// `GET /v1/nodes/{id}/children`.
pub(crate) fn children(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let query = child_query(call)?;
    ok(to_json(&call.read(|tx| tx.children(Some(id), &query))?)?)
}

/// `GET /v1/nodes/{id}/descendants?kind=`.
pub(crate) fn descendants(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let q = &call.query;
    let query = DescendantQuery {
        kind: q.non_empty("kind").ok_or_else(|| invalid("kind", "is required"))?.to_owned(),
        offset: uint_param("offset", q.get("offset"), u64::MAX)?.unwrap_or(0),
        limit: page_size_param("limit", q.get("limit"))?,
        cursor: q.non_empty("cursor").map(str::to_owned),
    };
    ok(to_json(&call.read(|tx| tx.descendants(Some(id), &query))?)?)
}

/// `GET /v1/nodes/{id}/ancestors` → `{"items"}`, top-down.
pub(crate) fn ancestors(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    ok(json!({"items": to_json(&call.read(|tx| tx.ancestors(id))?)?}))
}

/// `GET /v1/nodes/{id}/counts` → descendants per kind.
pub(crate) fn counts(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    ok(to_json(&call.read(|tx| tx.kind_counts(Some(id)))?)?)
}

/// `POST /v1/nodes/{id}/move` `{"parent", "expectedVersion"?}`.
pub(crate) fn move_node(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let body = call.body()?;
    if !body.has("parent") {
        return Err(invalid("parent", "is required (null for the top level)").into());
    }
    let parent = body.node_id("parent")?;
    let version = body.uint("expectedVersion", u64::MAX)?;
    ok(to_json(&call.write(|tx| tx.move_node(id, parent, version))?)?)
}

/// `PUT /v1/nodes/{id}/status` `{"status", "expectedVersion"?}`.
pub(crate) fn set_status(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let body = call.body()?;
    let status = body.status("status")?.ok_or_else(|| invalid("status", "is required"))?;
    let version = body.uint("expectedVersion", u64::MAX)?;
    ok(to_json(&call.write(|tx| tx.set_status(id, status, version))?)?)
}

/// `GET /v1/nodes/{id}/quotas`.
pub(crate) fn quotas(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    ok(json!({"quotas": to_json(&call.read(|tx| tx.quotas(id))?)?}))
}

/// `PUT /v1/nodes/{id}/limits` `{"limits": {...}, "expectedVersion"?}`.
pub(crate) fn set_limits(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let body = call.body()?;
    if !body.has("limits") {
        return Err(invalid("limits", "is required").into());
    }
    let changes = limits(&body, true)?;
    let version = body.uint("expectedVersion", u64::MAX)?;
    ok(to_json(&call.write(|tx| tx.set_limits(id, &changes, version))?)?)
}

fn resource_amount(body: &Body) -> Result<(String, u64), Error> {
    let resource = body.required_string("resource")?;
    let amount = body.uint("amount", u64::MAX)?.ok_or_else(|| invalid("amount", "is required"))?;
    Ok((resource, amount))
}

/// `POST /v1/nodes/{id}/allocate` `{"resource", "amount"}` → the quota.
pub(crate) fn allocate(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let (resource, amount) = resource_amount(&call.body()?)?;
    ok(to_json(&call.write(|tx| tx.allocate(id, &resource, amount))?)?)
}

/// `POST /v1/nodes/{id}/release` `{"resource", "amount"}` → the quota.
pub(crate) fn release(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let (resource, amount) = resource_amount(&call.body()?)?;
    ok(to_json(&call.write(|tx| tx.release(id, &resource, amount))?)?)
}

/// `GET /v1/nodes/{id}/properties/{namespace}?keys&search&effective`.
pub(crate) fn props_get(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let ns = call.param(1);
    let q = &call.query;
    let query = PropQuery {
        keys: q.non_empty("keys").map(|k| k.split(',').map(str::trim).map(str::to_owned).collect()),
        search: q.non_empty("search").map(str::to_owned),
    };
    if bool_param("effective", q.get("effective"))? == Some(true) {
        ok(to_json(&call.read(|tx| tx.effective_props(id, ns, &query))?)?)
    } else {
        ok(json!({"properties": call.read(|tx| tx.props(id, ns, &query))?}))
    }
}

fn properties_body(call: &Call<'_>) -> Result<Properties, Error> {
    let body = call.body()?;
    let map = body.object("properties")?.ok_or_else(|| invalid("properties", "is required"))?;
    Ok(map.clone().into_iter().collect())
}

/// `POST /v1/nodes/{id}/properties/{namespace}` `{"properties"}`: upsert.
pub(crate) fn props_upsert(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let props = properties_body(call)?;
    ok(json!({"properties": call.write(|tx| tx.upsert_props(id, call.param(1), &props))?}))
}

/// `PUT /v1/nodes/{id}/properties/{namespace}` `{"properties"}`: replace.
pub(crate) fn props_replace(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let props = properties_body(call)?;
    ok(json!({"properties": call.write(|tx| tx.replace_props(id, call.param(1), &props))?}))
}

/// `DELETE /v1/nodes/{id}/properties/{namespace}` `{"keys"}` → `{"removed"}`.
pub(crate) fn props_delete(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let keys = call.body()?.string_array("keys")?.ok_or_else(|| invalid("keys", "is required"))?;
    ok(json!({"removed": call.write(|tx| tx.delete_props(id, call.param(1), &keys))?}))
}

/// `GET /v1/nodes/{id}/markups` → `{"markups"}`, newest first.
pub(crate) fn markups(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    ok(json!({"markups": to_json(&call.read(|tx| tx.markups(id))?)?}))
}

fn timestamp(field: &str, s: &str) -> Result<Timestamp, Error> {
    s.parse::<Timestamp>().map_err(|e| crate::error::rename_field(e, field))
}

/// `POST /v1/nodes/{id}/markups` `{"percent", "start"?}` → 201 markup.
pub(crate) fn markup_add(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let body = call.body()?;
    let percent = body.decimal("percent")?.ok_or_else(|| invalid("percent", "is required"))?;
    let start = body.string("start")?.map(|s| timestamp("start", &s)).transpose()?;
    let markup = call.write(|tx| tx.add_markup(id, percent, start))?;
    Ok(Response::json(201, to_json(&markup)?))
}

/// `DELETE /v1/nodes/{id}/markups/{start}` → `{"deleted"}`.
pub(crate) fn markup_remove(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let start = timestamp("start", call.param(1))?;
    ok(json!({"deleted": call.write(|tx| tx.remove_markup(id, start))?}))
}

/// `GET /v1/nodes/{id}/price?base=&at=`.
pub(crate) fn price(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let base = call.query.non_empty("base").ok_or_else(|| invalid("base", "is required"))?;
    let base = base.parse().map_err(|_| invalid("base", format!("{base:?} is not a decimal number")))?;
    let at = call.query.non_empty("at").map(|s| timestamp("at", s)).transpose()?;
    ok(to_json(&call.read(|tx| tx.effective_price(id, base, at))?)?)
}

fn account_query(call: &Call<'_>) -> Result<AccountQuery, Error> {
    let q = &call.query;
    Ok(AccountQuery {
        search: q.non_empty("search").map(str::to_owned),
        offset: uint_param("offset", q.get("offset"), u64::MAX)?.unwrap_or(0),
        limit: page_size_param("limit", q.get("limit"))?,
        cursor: q.non_empty("cursor").map(str::to_owned),
    })
}

/// `GET /v1/nodes/{id}/accounts`.
pub(crate) fn node_accounts(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let query = account_query(call)?;
    ok(to_json(&call.read(|tx| tx.accounts(Some(id), &query))?)?)
}

fn policy_body(call: &Call<'_>) -> Result<PasswordPolicy, Error> {
    let body = call.body()?;
    let mut policy = PasswordPolicy::default();
    let count = |field: &str| body.uint(field, u64::from(u32::MAX)).map(|v| v.and_then(|n| u32::try_from(n).ok()));
    if let Some(n) = count("min_length")? {
        policy.min_length = n;
    }
    if let Some(n) = count("max_length")? {
        policy.max_length = n;
    }
    let flags: [(&str, &mut bool); 6] = [
        ("contains_letters", &mut policy.contains_letters),
        ("contains_numbers", &mut policy.contains_numbers),
        ("contains_special_letters", &mut policy.contains_special_letters),
        ("disable_sequential_characters", &mut policy.disable_sequential_characters),
        ("disable_repeating_characters", &mut policy.disable_repeating_characters),
        ("disable_account_information", &mut policy.disable_account_information),
    ];
    for (field, slot) in flags {
        if let Some(b) = body.boolean(field)? {
            *slot = b;
        }
    }
    Ok(policy)
}

/// `GET /v1/nodes/{id}/password-policy`.
pub(crate) fn policy_get(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    ok(to_json(&call.read(|tx| tx.password_policy(Some(id)))?)?)
}

/// `PUT /v1/nodes/{id}/password-policy` (004's field names; unset fields take 004's defaults).
pub(crate) fn policy_put(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let policy = policy_body(call)?;
    ok(to_json(&call.write(|tx| tx.set_password_policy(Some(id), Some(&policy)))?)?)
}

/// `DELETE /v1/nodes/{id}/password-policy`: the node inherits again.
pub(crate) fn policy_delete(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    ok(to_json(&call.write(|tx| tx.set_password_policy(Some(id), None))?)?)
}

/// `GET /v1/password-policy`: the store default.
pub(crate) fn store_policy_get(call: &Call<'_>) -> Result<Response, ApiError> {
    ok(to_json(&call.read(|tx| tx.password_policy(None))?)?)
}

/// `PUT /v1/password-policy`.
pub(crate) fn store_policy_put(call: &Call<'_>) -> Result<Response, ApiError> {
    let policy = policy_body(call)?;
    ok(to_json(&call.write(|tx| tx.set_password_policy(None, Some(&policy)))?)?)
}

/// `DELETE /v1/password-policy`: back to the built-in default.
pub(crate) fn store_policy_delete(call: &Call<'_>) -> Result<Response, ApiError> {
    ok(to_json(&call.write(|tx| tx.set_password_policy(None, None))?)?)
}

/// `GET /v1/nodes/{id}/voice-routing/{collection}` → the node's own objects.
pub(crate) fn voice_list(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let collection = Collection::parse(call.param(1))?;
    ok(json!({"items": call.read(|tx| voice::own(tx, id, collection))?}))
}

/// `POST /v1/nodes/{id}/voice-routing/{collection}` → 201 object.
pub(crate) fn voice_create(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let collection = Collection::parse(call.param(1))?;
    let body = call.body()?;
    let wanted = voice::body_id(&body)?;
    let object = call.write(|tx| {
        let existing = voice::own(&*tx, id, collection)?;
        let item = wanted.unwrap_or_else(|| voice::next_id(&existing));
        if existing.iter().any(|o| o.get("id").and_then(Value::as_u64) == Some(item)) {
            return Err(Error::AlreadyExists {
                entity: "node",
                field: "id",
                value: item.to_string(),
                existing: Some(item.to_string()),
            });
        }
        let object = voice::normalize(collection, item, &body)?;
        voice::check_refs(&*tx, id, &object)?;
        tx.upsert_props(id, collection.namespace(), &voice::entry(item, object.clone()))?;
        Ok(object)
    })?;
    Ok(Response::json(201, object))
}

/// `PUT /v1/nodes/{id}/voice-routing/{collection}/{item}` → the object.
pub(crate) fn voice_update(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let collection = Collection::parse(call.param(1))?;
    let item = voice::parse_item(collection, call.param(2))?;
    let body = call.body()?;
    let object = call.write(|tx| {
        let existing = voice::own(&*tx, id, collection)?;
        if !existing.iter().any(|o| o.get("id").and_then(Value::as_u64) == Some(item)) {
            return Err(voice::missing(collection, item));
        }
        let object = voice::normalize(collection, item, &body)?;
        voice::check_refs(&*tx, id, &object)?;
        tx.upsert_props(id, collection.namespace(), &voice::entry(item, object.clone()))?;
        Ok(object)
    })?;
    ok(object)
}

/// `DELETE /v1/nodes/{id}/voice-routing/{collection}/{item}` → `{"deleted"}`.
pub(crate) fn voice_delete(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = node_param(call)?;
    let collection = Collection::parse(call.param(1))?;
    let item = voice::parse_item(collection, call.param(2))?;
    let removed = call.write(|tx| {
        voice::check_unused(&*tx, id, collection, item)?;
        tx.delete_props(id, collection.namespace(), &[item.to_string()])
    })?;
    ok(json!({"deleted": removed > 0}))
}

/// `GET /v1/accounts?username=` (one account) or the store-wide accounts.
pub(crate) fn accounts(call: &Call<'_>) -> Result<Response, ApiError> {
    if let Some(username) = call.query.non_empty("username") {
        return ok(to_json(&call.read(|tx| tx.account_by_username(username))?)?);
    }
    let query = account_query(call)?;
    ok(to_json(&call.read(|tx| tx.accounts(None, &query))?)?)
}

/// `POST /v1/accounts` → 201 account.
pub(crate) fn create_account(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    let new = NewAccount {
        username: body.required_string("username")?,
        node: body.node_id("node")?,
        role: body.required_string("role")?,
        password: body.string("password")?,
        first_name: body.string("firstName")?,
        last_name: body.string("lastName")?,
        mobile: body.string("mobile")?,
        email: body.string("email")?,
        force_password_reset: body.boolean("forcePasswordReset")?.unwrap_or(false),
        enabled: body.boolean("enabled")?,
        send_welcome: body.boolean("sendWelcome")?.unwrap_or(false),
    };
    let account = call.write(|tx| tx.create_account(&new))?;
    Ok(Response::json(201, to_json(&account)?))
}

/// `GET /v1/accounts/{id}`.
pub(crate) fn get_account(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = account_param(call)?;
    ok(to_json(&call.read(|tx| tx.get_account(id))?)?)
}

/// `PATCH /v1/accounts/{id}` with [`AccountUpdate`]'s fields.
pub(crate) fn update_account(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = account_param(call)?;
    let body = call.body()?;
    let update = AccountUpdate {
        first_name: body.nullable_string("firstName")?,
        last_name: body.nullable_string("lastName")?,
        mobile: body.nullable_string("mobile")?,
        email: body.nullable_string("email")?,
        role: body.string("role")?,
        enabled: body.boolean("enabled")?,
        force_password_reset: body.boolean("forcePasswordReset")?,
        expected_version: body.uint("expectedVersion", u64::MAX)?,
    };
    ok(to_json(&call.write(|tx| tx.update_account(id, &update))?)?)
}

/// `DELETE /v1/accounts/{id}` → `{"deleted"}`.
pub(crate) fn delete_account(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = account_param(call)?;
    ok(json!({"deleted": call.write(|tx| tx.delete_account(id))?}))
}

/// `PUT /v1/accounts/{id}/password` `{"password", "current"?}`.
pub(crate) fn set_password(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = account_param(call)?;
    let body = call.body()?;
    let password = body.required_string("password")?;
    let current = body.string("current")?;
    ok(to_json(&call.write(|tx| tx.set_password(id, &password, current.as_deref()))?)?)
}

/// `POST /v1/accounts/{id}/welcome` → the queued message.
pub(crate) fn welcome(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = account_param(call)?;
    ok(to_json(&call.write(|tx| tx.send_welcome(id))?)?)
}

/// `GET /v1/accounts/{id}/tokens` → `{"tokens"}` (never their secrets).
pub(crate) fn tokens(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = account_param(call)?;
    ok(json!({"tokens": to_json(&call.read(|tx| tx.tokens(id))?)?}))
}

/// `POST /v1/accounts/{id}/tokens` `{"name", "expiresIn"?}` → 201 `{"info", "secret"}`.
pub(crate) fn issue_token(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = account_param(call)?;
    let body = call.body()?;
    let new = NewToken { name: body.required_string("name")?, expires_in: body.uint("expiresIn", u64::MAX)? };
    let issued = call.write(|tx| tx.issue_token(id, &new))?;
    Ok(Response::json(201, to_json(&issued)?))
}

/// `DELETE /v1/tokens/{id}` → `{"deleted"}`.
pub(crate) fn revoke_token(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = call.param(0).parse::<u64>().map_err(|_| not_found("token", call.param(0)))?;
    ok(json!({"deleted": call.write(|tx| tx.revoke_token(id))?}))
}

/// `GET /v1/roles` → `{"roles"}`.
pub(crate) fn roles(call: &Call<'_>) -> Result<Response, ApiError> {
    ok(json!({"roles": to_json(&call.read(|tx| tx.roles())?)?}))
}

/// `PUT /v1/roles/{name}` `{"permissions"}` → the role.
pub(crate) fn define_role(call: &Call<'_>) -> Result<Response, ApiError> {
    let permissions = call.body()?.string_array("permissions")?.ok_or_else(|| invalid("permissions", "is required"))?;
    let role = Role::new(call.param(0), permissions);
    ok(to_json(&call.write(|tx| tx.define_role(&role))?)?)
}

/// `DELETE /v1/roles/{name}` → `{"deleted"}`.
pub(crate) fn delete_role(call: &Call<'_>) -> Result<Response, ApiError> {
    ok(json!({"deleted": call.write(|tx| tx.delete_role(call.param(0)))?}))
}

fn feed_limit(call: &Call<'_>) -> Result<u32, Error> {
    Ok(page_size_param("limit", call.query.get("limit"))?.unwrap_or(100))
}

/// `GET /v1/changes?after=&limit=`.
pub(crate) fn changes(call: &Call<'_>) -> Result<Response, ApiError> {
    let after = uint_param("after", call.query.get("after"), u64::MAX)?.unwrap_or(0);
    let limit = feed_limit(call)?;
    ok(to_json(&call.read(|tx| tx.changes(after, limit))?)?)
}

/// `GET /v1/outbox?after=&limit=` → `{"messages"}`.
pub(crate) fn outbox(call: &Call<'_>) -> Result<Response, ApiError> {
    let after = uint_param("after", call.query.get("after"), u64::MAX)?.unwrap_or(0);
    let limit = feed_limit(call)?;
    ok(json!({"messages": to_json(&call.read(|tx| tx.outbox(after, limit))?)?}))
}

/// `POST /v1/outbox/ack` `{"upTo"}` → `{"removed"}`.
pub(crate) fn outbox_ack(call: &Call<'_>) -> Result<Response, ApiError> {
    let up_to = call.body()?.uint("upTo", u64::MAX)?.ok_or_else(|| invalid("upTo", "is required"))?;
    ok(json!({"removed": call.write(|tx| tx.ack_outbox(up_to))?}))
}

/// The namespaces a snapshot carries: those the seed dialects use.
const SNAPSHOT_NAMESPACES: [&str; 10] = [
    "general",
    "branding.general",
    "branding.pages",
    "branding.styling.font",
    "branding.styling.image",
    "branding.styling.theme",
    "voice_routing.pstn_usages",
    "voice_routing.voice_routes",
    "voice_routing.voice_routing_policies",
    crate::horn::FEATURES,
];

/// Appends the operations that rebuild `node` (without its children).
fn snapshot_node(tx: &ReadTx<'_>, node: &Node, ops: &mut Vec<Op>) -> Result<(), Error> {
    let mut new = NewNode::new(node.kind.as_str(), node.name.as_str()).id(node.id).profile(node.profile.clone());
    new.parent = node.parent;
    new.status = node.status;
    new.tenant_full_access = Some(node.tenant_full_access);
    new.limits = node.limits.clone();
    ops.push(Op::CreateNode(new));
    for m in tx.markups(node.id)?.into_iter().rev() {
        ops.push(Op::AddMarkup { node: node.id, percent: m.percent, start: Some(m.start) });
    }
    for ns in SNAPSHOT_NAMESPACES {
        let properties = match tx.props(node.id, ns, &PropQuery::default()) {
            Ok(p) => p,
            Err(Error::Forbidden { .. }) => continue,
            Err(e) => return Err(e),
        };
        if !properties.is_empty() {
            ops.push(Op::UpsertProps { node: node.id, namespace: ns.to_owned(), properties });
        }
    }
    for a in crate::util::all_accounts(tx, node.id)? {
        let new = NewAccount {
            username: a.username,
            node: a.node,
            role: a.role,
            password: None,
            first_name: a.first_name,
            last_name: a.last_name,
            mobile: a.mobile,
            email: a.email,
            force_password_reset: a.force_password_reset,
            enabled: Some(a.enabled),
            send_welcome: false,
        };
        ops.push(Op::CreateAccount(new));
    }
    Ok(())
}

/// `GET /v1/snapshot?root=`: the caller's visible tree (or the subtree of `root`) as batch
/// operations, parents first.
pub(crate) fn snapshot(call: &Call<'_>) -> Result<Response, ApiError> {
    let root = call.query.non_empty("root").map(|r| crate::body::parse_id_field("root", r)).transpose()?;
    let ops = call.read(|tx| {
        let mut ops = Vec::new();
        let mut queue: Vec<Node> = match root {
            Some(id) => vec![tx.get_node(id)?],
            None => all_children(tx, None, &ChildQuery::default())?,
        };
        let mut next = 0;
        while let Some(node) = queue.get(next).cloned() {
            next += 1;
            snapshot_node(tx, &node, &mut ops)?;
            let query = ChildQuery { sort: SortBy::Created, limit: Some(MAX_PAGE), ..ChildQuery::default() };
            queue.extend(all_children(tx, Some(node.id), &query)?);
        }
        Ok(ops)
    })?;
    ok(json!({"ops": to_json(&ops)?}))
}

/// `POST /v1/batch` `{"ops"}`: all of them in one transaction, or none.
pub(crate) fn batch(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    let ops = body.value("ops").ok_or_else(|| invalid("ops", "is required"))?;
    let ops: Vec<Op> =
        serde_json::from_value(ops.clone()).map_err(|e| invalid("ops", format!("not a list of operations: {e}")))?;
    let results = call.api.store.batch(&call.actor()?, &ops)?;
    ok(json!({"results": to_json(&results)?}))
}
