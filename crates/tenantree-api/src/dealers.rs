//! 001: dealers, and the tenants a dealer creates (see the crate docs).

use std::collections::BTreeMap;

use serde_json::{Value, json};
use tenantree::{
    ChildQuery, DescendantQuery, Email, Error, LimitRule, NameRule, NewAccount, NewNode, Node, NodeName, NodeUpdate,
    Profile, PropQuery, Properties, Status,
};

use crate::Call;
use crate::body::{Body, parse_id_field, parse_id_path};
use crate::error::{ApiError, invalid, not_found, rename_field};
use crate::request::Response;
use crate::util::{Reads, all_children, page_size_param, uint_param};

/// 001's defaults.
const DEFAULT_MAX_TENANTS: u64 = 100;
const DEFAULT_MAX_EXTENSIONS: u64 = 50_000;
/// Default page size of the tenant list.
const DEFAULT_TENANT_LIMIT: u32 = 100;

/// A dealer level: its 001 name, its node kind and its admin role.
struct Level {
    name: &'static str,
    kind: &'static str,
    role: &'static str,
}

const LEVELS: [Level; 3] = [
    Level { name: "DISTRIBUTOR", kind: "distributor", role: "distributor_admin" },
    Level { name: "SUB_DISTRIBUTOR", kind: "sub_distributor", role: "sub_distributor_admin" },
    Level { name: "RESELLER", kind: "reseller", role: "reseller_admin" },
];

fn level_of_kind(kind: &str) -> Option<&'static Level> {
    LEVELS.iter().find(|l| l.kind == kind)
}

fn dealer(tx: &impl Reads, id: &str) -> Result<Node, Error> {
    let node = tx.get_node(parse_id_path("dealer", id)?)?;
    if level_of_kind(&node.kind).is_some() { Ok(node) } else { Err(not_found("dealer", id)) }
}

/// The namespace holding a dealer's `phone` or `email` when the core's profile does not take it.
const ASIDE_NS: &str = "dealer.profile";

/// 001's fields that it types as bare strings, with their lengths, where the core's profile
/// checks a form: `phone` a string of at most 32 characters (its examples say `text`), `email`
/// one of at most 128 (its example reads `[email protected]`, the e-mail address the published
/// page hid). A value the core's profile takes goes there (and, at creation, an e-mail to the
/// dealer's login account); any other one-line string is kept as the node's `dealer.profile` property of
/// the same name, and reads back as given.
const LOOSE: [(&str, usize); 2] = [("phone", 32), ("email", 128)];

/// Whether the core's profile takes `s` as a phone (digits, spaces and `+ - ( ) .`, with a
/// digit).
fn core_phone(s: &str) -> bool {
    s.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) && s.chars().any(|c| c.is_ascii_digit())
}

/// Checks a [`LOOSE`] field against 001's rule for it: `Ok(true)` when the core's profile takes
/// it as well.
fn check_loose(field: &str, max: usize, s: &str) -> Result<bool, Error> {
    let n = s.chars().count();
    if n > max {
        return Err(invalid(field, format!("is {n} characters long, the maximum is {max}")));
    }
    if s.chars().any(char::is_control) {
        return Err(invalid(field, "must be one line of text"));
    }
    Ok(if field == "email" { Email::parse(s).is_ok() } else { core_phone(s) })
}

/// The profile's slot of a [`LOOSE`] field.
fn profile_slot<'a>(profile: &'a mut Profile, field: &str) -> &'a mut Option<String> {
    if field == "email" { &mut profile.email } else { &mut profile.phone }
}

/// The update's slot of a [`LOOSE`] field.
fn update_slot<'a>(update: &'a mut NodeUpdate, field: &str) -> &'a mut Option<Option<String>> {
    if field == "email" { &mut update.email } else { &mut update.phone }
}

/// A dealer's fields kept outside the profile.
fn aside(tx: &impl Reads, node: &Node) -> Result<Properties, Error> {
    let query = PropQuery { keys: Some(LOOSE.iter().map(|(f, _)| (*f).to_owned()).collect()), search: None };
    tx.props(node.id, ASIDE_NS, &query)
}

/// A dealer with its fields, wherever they are kept.
fn read_dealer(tx: &impl Reads, node: &Node) -> Result<Value, Error> {
    let mut v = dealer_json(node);
    if let Some(map) = v.as_object_mut() {
        for (field, value) in aside(tx, node)? {
            if value.is_string() {
                map.insert(field, value);
            }
        }
    }
    Ok(v)
}

fn dealer_json(node: &Node) -> Value {
    let p = &node.profile;
    json!({
        "id": node.id.to_string(),
        "enabled": node.status == Status::Enabled,
        "level": level_of_kind(&node.kind).map_or("", |l| l.name),
        "name": node.name.as_str(),
        // 001 shows these as strings (and 004, the same PBX, shows an unset one as ""): an
        // unset field reads "", never null.
        "email": p.email.as_deref().unwrap_or_default(),
        "display_name": p.display_name.as_deref().unwrap_or_default(),
        "website": p.website.as_deref().unwrap_or_default(),
        "phone": p.phone.as_deref().unwrap_or_default(),
        "address": p.address.as_deref().unwrap_or_default(),
        "description": p.description.as_deref().unwrap_or_default(),
        "max_tenants": node.limits.get("tenants"),
        "max_extensions": node.limits.get("extensions"),
        "tenant_full_access": node.tenant_full_access,
    })
}

/// The profile fields 001 names, in 001's spelling; the core checks their lengths and forms.
const PROFILE_FIELDS: [&str; 6] = ["email", "display_name", "website", "phone", "address", "description"];

fn profile_from(body: &Body) -> Result<Profile, Error> {
    Ok(Profile {
        email: body.string("email")?,
        display_name: body.string("display_name")?,
        website: body.string("website")?,
        phone: body.string("phone")?,
        address: body.string("address")?,
        description: body.string("description")?,
        ..Profile::default()
    })
}

/// Reports the core's camelCase field names in 001's snake_case.
fn snake_fields(e: Error) -> Error {
    match &e {
        Error::InvalidArgument { field, .. } if field == "displayName" => rename_field(e, "display_name"),
        Error::InvalidArgument { field, .. } if field == "limits.tenants" => rename_field(e, "max_tenants"),
        Error::InvalidArgument { field, .. } if field == "limits.extensions" => rename_field(e, "max_extensions"),
        _ => e,
    }
}

/// Whether the caller may set `tenant_full_access`: 001 says the attribute "is not valid if
/// not modified by first level dealer", so it is taken from a store-wide caller or one whose
/// home is the platform root or a DISTRIBUTOR, and ignored from anyone else (a new dealer then
/// gets the default, true; an update leaves the flag as it is).
fn first_level(call: &Call<'_>) -> Result<bool, ApiError> {
    if call.store_wide() {
        return Ok(true);
    }
    let home = call.home()?;
    let kind = call.read(|tx| Ok(tx.get_node(home)?.kind))?;
    Ok(matches!(kind.as_str(), "platform" | "distributor"))
}

/// `GET /api/dealers` → `{"count", "items"}`: the dealers directly under the caller's home.
pub(crate) fn list(call: &Call<'_>) -> Result<Response, ApiError> {
    let home = call.home()?;
    let items: Vec<Value> = call.read(|tx| {
        let children = all_children(tx, Some(home), &ChildQuery::default())?;
        children.iter().filter(|n| level_of_kind(&n.kind).is_some()).map(|n| read_dealer(tx, n)).collect()
    })?;
    Ok(Response::json(200, json!({"count": items.len(), "items": items})))
}

/// `GET /api/dealers/{id}`.
pub(crate) fn get(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.read(|tx| read_dealer(tx, &dealer(tx, call.param(0))?))?;
    Ok(Response::json(200, body))
}

/// `POST /api/dealers` → 201 `{"id"}`: the dealer's node and its login account, together.
pub(crate) fn create(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    let level_name = body.required_string("level")?;
    let level = LEVELS.iter().find(|l| l.name == level_name).ok_or_else(|| {
        invalid("level", format!("{level_name:?} is not one of DISTRIBUTOR, SUB_DISTRIBUTOR, RESELLER"))
    })?;
    let name = body.required_string("name")?;
    NodeName::new(&name, NameRule::Login)?;
    let password = body.required_string("password")?;
    if password.is_empty() {
        return Err(invalid("password", "must not be empty").into());
    }
    let mut profile = profile_from(&body)?;
    let mut odd = Properties::new();
    for (field, max) in LOOSE {
        let slot = profile_slot(&mut profile, field);
        let Some(v) = slot.as_deref() else { continue };
        // "" is no value, as an update reads it.
        if v.is_empty() {
            *slot = None;
        } else if !check_loose(field, max, v)?
            && let Some(v) = slot.take()
        {
            odd.insert(field.to_owned(), Value::String(v));
        }
    }
    let max_tenants = body.int32_count("max_tenants")?;
    let max_extensions = body.int32_count("max_extensions")?;
    let enabled = body.boolean("enabled")?.unwrap_or(true);
    let tenant_full_access = body.boolean("tenant_full_access")?;
    let tenant_full_access = if first_level(call)? { tenant_full_access.unwrap_or(true) } else { true };
    let home = call.home()?;
    let email = profile.email.clone();
    let base = NewNode::new(level.kind, name.as_str())
        .parent(home)
        .profile(profile)
        .tenant_full_access(tenant_full_access)
        .status(if enabled { Status::Enabled } else { Status::Disabled });
    // 001's defaults, lowered to the limit above the new dealer when that one is smaller (a
    // limit may not exceed one above it): a dealer created without limits under one with
    // smaller ones is not refused for numbers its creator never gave. The binding limit is the
    // nearest one above, which may be outside the caller's scope: the core names it when it
    // refuses the default, and the create is tried again with it, at most once per resource.
    let mut tenants = max_tenants.unwrap_or(DEFAULT_MAX_TENANTS);
    let mut extensions = max_extensions.unwrap_or(DEFAULT_MAX_EXTENSIONS);
    loop {
        let new = base.clone().limit("tenants", tenants).limit("extensions", extensions);
        let created = call.write(|tx| {
            let node = tx.create_node(&new)?;
            if !odd.is_empty() {
                tx.upsert_props(node.id, ASIDE_NS, &odd)?;
            }
            let mut account = NewAccount::new(name.as_str(), level.role).node(node.id).password(password.as_str());
            account.email = email.clone();
            tx.create_account(&account).map_err(|e| match e {
                Error::InvalidArgument { field, reason } if field == "username" => {
                    Error::InvalidArgument { field: "name".to_owned(), reason }
                }
                other => other,
            })?;
            Ok(node.id)
        });
        let e = match created {
            Ok(id) => return Ok(Response::json(201, json!({"id": id.to_string()}))),
            Err(e) => e,
        };
        if let Error::InvalidLimit { resource, reason: LimitRule::AboveAncestor { ancestor_limit, .. }, .. } = &e.error
        {
            let defaulted = match resource.as_str() {
                "tenants" if max_tenants.is_none() && tenants > *ancestor_limit => Some(&mut tenants),
                "extensions" if max_extensions.is_none() && extensions > *ancestor_limit => Some(&mut extensions),
                _ => None,
            };
            if let Some(limit) = defaulted {
                *limit = *ancestor_limit;
                continue;
            }
        }
        return Err(ApiError { status: e.status, error: snake_fields(e.error) });
    }
}

/// `POST /api/dealers/{id}`: a partial update; 200 without content.
pub(crate) fn update(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    if body.has("password") {
        return Err(invalid("password", "cannot be changed by an update").into());
    }
    // A dealer's own document may be posted back as it was read: its `level` and `name` are
    // taken when they are the dealer's, and refused when they would change it (its `id`, like
    // any field 001's update does not name, is not read).
    let level = body.string("level")?;
    let name = body.string("name")?;
    let mut update = NodeUpdate::default();
    for field in PROFILE_FIELDS {
        let value = body.nullable_string(field)?;
        match field {
            "email" => update.email = value,
            "display_name" => update.display_name = value,
            "website" => update.website = value,
            "phone" => update.phone = value,
            "address" => update.address = value,
            _ => update.description = value,
        }
    }
    // A value the core's profile does not take is kept aside; setting either clears the other.
    let mut odd = Properties::new();
    let mut cleared = Vec::new();
    for (field, max) in LOOSE {
        let slot = update_slot(&mut update, field);
        match slot.clone() {
            Some(Some(v)) if !v.is_empty() && !check_loose(field, max, &v)? => {
                *slot = Some(None);
                odd.insert(field.to_owned(), Value::String(v));
            }
            Some(_) => cleared.push(field.to_owned()),
            None => {}
        }
    }
    let tenant_full_access = body.boolean("tenant_full_access")?;
    update.tenant_full_access =
        if tenant_full_access.is_some() && first_level(call)? { tenant_full_access } else { None };
    let mut limits = BTreeMap::new();
    if let Some(n) = body.int32_count("max_tenants")? {
        limits.insert("tenants".to_owned(), Some(n));
    }
    if let Some(n) = body.int32_count("max_extensions")? {
        limits.insert("extensions".to_owned(), Some(n));
    }
    let status = body.boolean("enabled")?.map(|e| if e { Status::Enabled } else { Status::Disabled });
    call.write(|tx| {
        let node = dealer(&*tx, call.param(0))?;
        if level.as_deref().is_some_and(|l| level_of_kind(&node.kind).is_none_or(|own| own.name != l)) {
            return Err(invalid("level", "cannot be changed by an update"));
        }
        if name.as_deref().is_some_and(|n| n != node.name.as_str()) {
            return Err(invalid("name", "cannot be changed by an update"));
        }
        // A limit asked as it already is changes nothing, and needs no right to change it (the
        // core's node update already skips fields that do not change).
        let mut limits = limits.clone();
        limits.retain(|resource, n| node.limits.get(resource) != n.as_ref());
        if !update.is_empty() {
            tx.update_node(node.id, &update)?;
        }
        if !odd.is_empty() {
            tx.upsert_props(node.id, ASIDE_NS, &odd)?;
        }
        if !cleared.is_empty() {
            let kept = aside(&*tx, &node)?;
            let stale: Vec<String> = cleared.iter().filter(|f| kept.contains_key(*f)).cloned().collect();
            if !stale.is_empty() {
                tx.delete_props(node.id, ASIDE_NS, &stale)?;
            }
        }
        if !limits.is_empty() {
            tx.set_limits(node.id, &limits, None)?;
        }
        if let Some(status) = status
            && status != node.status
        {
            tx.set_status(node.id, status, None)?;
        }
        Ok(())
    })
    .map_err(|e| ApiError { status: e.status, error: snake_fields(e.error) })?;
    Ok(Response::empty(200))
}

fn tenant_json(node: &Node) -> Value {
    json!({
        "id": node.id.to_string(),
        "name": node.name.as_str(),
        "enabled": node.status == Status::Enabled,
        "dealer_id": node.parent.map(|p| p.to_string()),
        "max_extensions": node.limits.get("extensions"),
    })
}

/// `POST /api/tenants` `{"name", "max_extensions"?, "dealer_id"?}` → 201 `{"id"}`.
pub(crate) fn create_tenant(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    let name = body.required_string("name")?;
    let dealer_id = match body.string("dealer_id")? {
        Some(s) => parse_id_field("dealer_id", &s)?,
        None => call.home()?,
    };
    let mut new = NewNode::new("tenant", name).parent(dealer_id);
    if let Some(n) = body.int32_count("max_extensions")? {
        new = new.limit("extensions", n);
    }
    let id = call
        .write(|tx| Ok(tx.create_node(&new)?.id))
        .map_err(|e| ApiError { status: e.status, error: snake_fields(e.error) })?;
    Ok(Response::json(201, json!({"id": id.to_string()})))
}

/// `GET /api/tenants?offset=&limit=` → `{"count", "items"}`: every tenant in the caller's
/// scope.
pub(crate) fn list_tenants(call: &Call<'_>) -> Result<Response, ApiError> {
    let offset = uint_param("offset", call.query.get("offset"), u64::MAX)?.unwrap_or(0);
    let limit = page_size_param("limit", call.query.get("limit"))?.unwrap_or(DEFAULT_TENANT_LIMIT);
    let query = DescendantQuery { kind: "tenant".to_owned(), offset, limit: Some(limit), cursor: None };
    let page = call.read(|tx| tx.descendants(None, &query))?;
    let items: Vec<Value> = page.items.iter().map(tenant_json).collect();
    Ok(Response::json(200, json!({"count": page.total, "items": items})))
}
