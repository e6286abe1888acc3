//! 003: Fusion DRaaS resellers (see the crate docs).

use std::cmp::Ordering;

use base64::Engine as _;
use serde_json::{Map, Value, json};
use tenantree::{
    AccountUpdate, ChildQuery, Direction, Email, Error, NewAccount, NewNode, Node, NodeId, NodeUpdate, PropQuery,
    Properties, ReadTx, SortBy, Status, namespaces,
};

use crate::Call;
use crate::body::{Body, parse_id_field, parse_id_path};
use crate::error::{ApiError, invalid, not_found, rename_field};
use crate::request::{Query, Response};
use crate::util::{
    Reads, all_accounts, all_children, bool_param, decimal_number, decimal_text, naive_time, page_size_param,
    uint_param,
};
use crate::voice::{self, Collection};

/// 003's default page size.
const DEFAULT_PAGE_SIZE: u32 = 10;

/// 404 unless the path names this server's instance.
fn check_instance(call: &Call<'_>) -> Result<(), Error> {
    if call.param(0) == call.api.instance { Ok(()) } else { Err(not_found("draas instance", call.param(0))) }
}

fn reseller(tx: &impl Reads, id: &str) -> Result<Node, Error> {
    let node = tx.get_node(parse_id_path("reseller", id)?)?;
    if node.kind == "reseller" { Ok(node) } else { Err(not_found("reseller", id)) }
}

/// The reseller of the path, after the instance check.
fn path_reseller(call: &Call<'_>, tx: &impl Reads) -> Result<Node, Error> {
    check_instance(call)?;
    reseller(tx, call.param(1))
}

/// 003's status, from the effective status.
fn status_text(node: &Node) -> &'static str {
    match node.effective_status.status {
        Status::Enabled => "active",
        Status::Disabled => "disabled",
        Status::Suspended { .. } => "suspended",
    }
}

/// 003's `billingId`: a string that is always present ("" when none is set).
fn billing_json(node: &Node) -> Value {
    json!(node.profile.billing_id.as_deref().unwrap_or_default())
}

fn owner_json(parent: &Node) -> Value {
    json!({"type": parent.kind, "uuid": parent.id.to_string(), "name": parent.name.as_str()})
}

/// A reseller as listed.
fn list_item(tx: &ReadTx<'_>, node: &Node, owner: Option<&Node>) -> Result<Value, Error> {
    let mut item = Map::new();
    item.insert("uuid".to_owned(), json!(node.id.to_string()));
    item.insert("name".to_owned(), json!(node.name.as_str()));
    item.insert("billingId".to_owned(), billing_json(node));
    if let Some(o) = owner {
        item.insert("owner".to_owned(), owner_json(o));
    }
    if let Some(m) = tx.markup_at(node.id, None)? {
        item.insert("markup".to_owned(), decimal_number(m.percent));
    }
    item.insert("status".to_owned(), json!(status_text(node)));
    Ok(Value::Object(item))
}

/// Encodes a listing's parameters as a `next` token: base64 of a query string.
fn encode_token(params: &Query) -> String {
    base64::engine::general_purpose::URL_SAFE.encode(params.encode())
}

/// Decodes a `next` token (either base64 alphabet; a `+` that became a space is restored).
fn decode_token(token: &str) -> Result<Query, Error> {
    let t = token.trim().replace(' ', "+");
    let bytes = base64::engine::general_purpose::URL_SAFE
        .decode(&t)
        .or_else(|_| base64::engine::general_purpose::STANDARD.decode(&t))
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(t.trim_end_matches('=')))
        .map_err(|_| invalid("next", "is not a token of this listing"))?;
    let text = String::from_utf8(bytes).map_err(|_| invalid("next", "is not a token of this listing"))?;
    Ok(Query::parse(&text))
}

/// The listing's parameters: those of the `next` token, overridden by those given.
fn listing_params(call: &Call<'_>, names: &[&str]) -> Result<Query, Error> {
    let mut params = match call.query.non_empty("next") {
        Some(token) => decode_token(token)?,
        None => Query::default(),
    };
    for name in names {
        if let Some(v) = call.query.get(name) {
            params.set(name, v);
        }
    }
    Ok(params)
}

fn direction(params: &Query) -> Result<Direction, Error> {
    match params.non_empty("dir") {
        None => Ok(Direction::Asc),
        Some(d) if d.eq_ignore_ascii_case("asc") => Ok(Direction::Asc),
        Some(d) if d.eq_ignore_ascii_case("desc") => Ok(Direction::Desc),
        Some(d) => Err(invalid("dir", format!("{d:?} is not asc or desc"))),
    }
}

/// `GET .../resellers?search&sort&dir&parent&page_size&next`.
pub(crate) fn list(call: &Call<'_>) -> Result<Response, ApiError> {
    check_instance(call)?;
    let mut params = listing_params(call, &["parent", "search", "sort", "dir", "page_size"])?;
    let dir = direction(&params)?;
    let sort = params.non_empty("sort").unwrap_or("name").to_owned();
    if !matches!(sort.as_str(), "name" | "billingId" | "created") {
        return Err(invalid("sort", format!("{sort:?} is not name, billingId or created")).into());
    }
    let page_size = page_size_param("page_size", params.get("page_size"))?.unwrap_or(DEFAULT_PAGE_SIZE);
    let search = params.non_empty("search").map(str::to_owned);
    let parent_param = match params.non_empty("parent") {
        Some(p) => Some(parse_id_field("parent", p)?),
        None if call.store_wide() => {
            return Err(invalid("parent", "is required for a system administrator").into());
        }
        None => None,
    };
    let home = call.home()?;
    let schema = call.api.store.schema().clone();
    let body = call.read(|tx| {
        let parent = tx.get_node(parent_param.unwrap_or(home))?;
        // A caller bound to a reseller lists that reseller alone.
        if parent_param.is_none() && parent.kind == "reseller" {
            let item = list_item(tx, &parent, None)?;
            return Ok(json!({"results": 1, "pages": 1, "page": 1, "resellers": [item]}));
        }
        if !schema.may_parent(Some(&parent.kind), "reseller") {
            return Err(invalid("parent", format!("a {} has no resellers", parent.kind)));
        }
        let show_owner = parent_param.is_none() || parent.kind == "distributor";
        let owner = show_owner.then_some(parent.clone());
        let query = ChildQuery {
            kind: Some("reseller".to_owned()),
            search: search.clone(),
            sort: if sort == "created" { SortBy::Created } else { SortBy::Name },
            dir,
            ..ChildQuery::default()
        };
        // A group serves its own resellers and its distributors' (003's example lists both
        // under one `parent`): gathered from each, sorted together, paged by number, as a
        // sort by billingId is for any parent. Otherwise one range of the parent's children,
        // by the core's cursor.
        let (items, total, page, next) = if sort == "billingId" || parent.kind == "group" {
            let mut all: Vec<(Node, Option<Node>)> =
                all_children(tx, Some(parent.id), &query)?.into_iter().map(|n| (n, owner.clone())).collect();
            if parent.kind == "group" {
                let distributors = ChildQuery { kind: Some("distributor".to_owned()), ..ChildQuery::default() };
                for distributor in all_children(tx, Some(parent.id), &distributors)? {
                    let served = all_children(tx, Some(distributor.id), &query)?;
                    all.extend(served.into_iter().map(|n| (n, Some(distributor.clone()))));
                }
            }
            all.sort_by(|(a, _), (b, _)| listing_order(&sort, a, b, dir));
            let page = uint_param("page", params.get("page"), u64::MAX)?.unwrap_or(1).max(1);
            let start = usize::try_from((page - 1).saturating_mul(u64::from(page_size))).unwrap_or(usize::MAX);
            let total = all.len() as u64;
            let items: Vec<(Node, Option<Node>)> = all.into_iter().skip(start).take(page_size as usize).collect();
            let more = (start as u64).saturating_add(items.len() as u64) < total;
            (items, total, page, more.then(|| (page + 1).to_string()))
        } else {
            // A token of ours carries the core's cursor; one in 003's own form
            // (`parent=...&page=2`) names a page, read by offset.
            let cursor = params.non_empty("cursor").map(str::to_owned);
            let page = uint_param("page", params.get("page"), u64::MAX)?.unwrap_or(1).max(1);
            let offset = if cursor.is_some() { 0 } else { (page - 1).saturating_mul(u64::from(page_size)) };
            let q = ChildQuery { limit: Some(page_size), cursor, offset, ..query };
            let p = tx.children(Some(parent.id), &q)?;
            (p.items.into_iter().map(|n| (n, owner.clone())).collect(), p.total, p.page, p.next)
        };
        // 003: 200 is "one or more resellers found", 404 "no reseller found".
        if total == 0 {
            return Err(not_found("reseller", "(none matches the listing)"));
        }
        let resellers = items.iter().map(|(n, o)| list_item(tx, n, o.as_ref())).collect::<Result<Vec<_>, _>>()?;
        let mut out = json!({
            "results": total,
            "pages": total.div_ceil(u64::from(page_size)),
            "page": page,
            "resellers": resellers,
        });
        if let Some(next) = next {
            params.set("parent", &parent.id.to_string());
            params.set("page_size", &page_size.to_string());
            if sort == "billingId" || parent.kind == "group" {
                params.set("page", &next);
            } else {
                params.set("cursor", &next);
            }
            if let Some(map) = out.as_object_mut() {
                map.insert("next".to_owned(), json!(encode_token(&params)));
            }
        }
        Ok(out)
    })?;
    Ok(Response::json(200, body))
}

/// The order of a gathered listing: by billing id (then name), creation or name, as the core
/// orders one parent's children (names folded, ties by id).
fn listing_order(sort: &str, a: &Node, b: &Node, dir: Direction) -> Ordering {
    let o = match sort {
        "billingId" => {
            let key = |n: &Node| (n.profile.billing_id.as_deref().map(str::to_lowercase), n.name.folded());
            key(a).cmp(&key(b))
        }
        "created" => (a.created, a.id).cmp(&(b.created, b.id)),
        _ => (a.name.folded(), a.id).cmp(&(b.name.folded(), b.id)),
    };
    if dir == Direction::Desc { o.reverse() } else { o }
}

/// `GET .../resellers/{uuid}`.
pub(crate) fn get(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.read(|tx| {
        let node = path_reseller(call, tx)?;
        let mut out = Map::new();
        out.insert("uuid".to_owned(), json!(node.id.to_string()));
        out.insert("name".to_owned(), json!(node.name.as_str()));
        out.insert("billingId".to_owned(), billing_json(&node));
        if let Some(parent) = node.parent {
            match tx.get_node(parent) {
                Ok(p) if p.kind == "distributor" => {
                    out.insert("owner".to_owned(), owner_json(&p));
                }
                Ok(_) | Err(Error::NotFound { .. } | Error::Forbidden { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        out.insert("status".to_owned(), json!(status_text(&node)));
        let markups: Vec<Value> = tx
            .markups(node.id)?
            .iter()
            .map(|m| json!({"markup": decimal_text(m.percent), "startDate": naive_time(m.start)}))
            .collect();
        out.insert("markups".to_owned(), Value::Array(markups));
        let tenants = tx.kind_counts(Some(node.id))?.get("tenant").copied().unwrap_or(0);
        out.insert("nbOfTenants".to_owned(), json!(tenants));
        Ok(Value::Object(out))
    })?;
    Ok(Response::json(200, body))
}

fn email_field(field: &str, s: &str) -> Result<String, Error> {
    Email::parse(s).map(|e| e.as_str().to_owned()).map_err(|e| rename_field(e, field))
}

/// `POST .../resellers` → 200 `{"uuid"}`.
pub(crate) fn create(call: &Call<'_>) -> Result<Response, ApiError> {
    check_instance(call)?;
    let body = call.body()?;
    let name = body.required_string("name")?;
    let owner = match body.object("owner")? {
        Some(o) => {
            let o = Body::from_map(o.clone());
            let kind = o.required_string("type").map_err(|e| rename_field(e, "owner.type"))?;
            if !matches!(kind.as_str(), "group" | "distributor" | "reseller") {
                return Err(invalid("owner.type", format!("{kind:?} is not group, distributor or reseller")).into());
            }
            let uuid = o.required_string("uuid").map_err(|e| rename_field(e, "owner.uuid"))?;
            Some((kind, parse_id_field("owner.uuid", &uuid)?))
        }
        None if call.store_wide() => {
            return Err(invalid("owner", "is required for a system administrator").into());
        }
        None => None,
    };
    let billing_id = body.string("billingId")?;
    let markup = body.decimal("markup")?;
    let admin = body.string("adminEmail")?.map(|e| email_field("adminEmail", &e)).transpose()?;
    let home = call.home()?;
    let id = call.write(|tx| {
        let parent = match &owner {
            Some((kind, id)) => {
                let node = tx.get_node(*id).map_err(|e| match e {
                    Error::NotFound { .. } => invalid("owner.uuid", format!("no {kind} {id}")),
                    other => other,
                })?;
                match (kind.as_str(), node.kind.as_str()) {
                    // 003's example owner is a reseller: the new one is served by the same
                    // group or distributor (resellers do not nest).
                    ("reseller", "reseller") => node.parent.ok_or_else(|| invalid("owner.uuid", "has no owner"))?,
                    // 003 calls the first-level partner a reseller too.
                    ("reseller", "distributor") => node.id,
                    (k, n) if k == n => node.id,
                    _ => return Err(invalid("owner.type", format!("{id} is a {}, not a {kind}", node.kind))),
                }
            }
            None => home,
        };
        let mut new = NewNode::new("reseller", name.as_str()).parent(parent);
        new.profile.billing_id = billing_id.clone();
        let node = tx.create_node(&new)?;
        if let Some(m) = markup {
            tx.add_markup(node.id, m, None)?;
        }
        if let Some(email) = &admin {
            tx.create_account(&admin_account(node.id, email, &Body::default())?)
                .map_err(|e| rename_field(e, "adminEmail"))?;
        }
        Ok(node.id)
    })?;
    Ok(Response::json(200, json!({"uuid": id.to_string()})))
}

/// A reseller admin: the e-mail is the username, no password, a welcome message queued.
fn admin_account(node: NodeId, email: &str, body: &Body) -> Result<NewAccount, Error> {
    let mut account = NewAccount::new(email, "reseller_admin").node(node).email(email).welcome();
    account.first_name = body.string("firstName")?;
    account.last_name = body.string("lastName")?;
    account.mobile = body.string("mobile")?;
    Ok(account)
}

/// `PUT .../resellers/{uuid}` → 200 `{"uuid"}`.
pub(crate) fn update(call: &Call<'_>) -> Result<Response, ApiError> {
    check_instance(call)?;
    let body = call.body()?;
    if body.has("owner") {
        return Err(invalid("owner", "cannot be changed through the API").into());
    }
    let update = NodeUpdate {
        name: body.string("name")?,
        billing_id: body.nullable_string("billingId")?,
        ..NodeUpdate::default()
    };
    let markup = body.decimal("markup")?;
    let id = call.write(|tx| {
        let node = reseller(&*tx, call.param(1))?;
        if !update.is_empty() {
            tx.update_node(node.id, &update)?;
        }
        if let Some(m) = markup {
            tx.add_markup(node.id, m, None)?;
        }
        Ok(node.id)
    })?;
    Ok(Response::json(200, json!({"uuid": id.to_string()})))
}

/// `DELETE .../resellers/{uuid}` → 200 `{"uuid"}`, also when there is no such reseller.
pub(crate) fn delete(call: &Call<'_>) -> Result<Response, ApiError> {
    check_instance(call)?;
    let id = parse_id_field("uuid", call.param(1))?;
    call.write(|tx| {
        let node = match tx.get_node(id) {
            Ok(n) if n.kind == "reseller" => n,
            Ok(_) | Err(Error::NotFound { .. }) => return Ok(()),
            Err(e) => return Err(e),
        };
        match tx.delete_node(node.id) {
            Ok(_) => Ok(()),
            // Only its admins are left: they go with it.
            Err(Error::StillInUse { blockers, .. }) if blockers.iter().all(|b| b.kind == "account") => {
                for account in all_accounts(&*tx, node.id)? {
                    tx.delete_account(account.id)?;
                }
                tx.delete_node(node.id).map(|_| ())
            }
            Err(e) => Err(e),
        }
    })?;
    Ok(Response::json(200, json!({"uuid": id.to_string()})))
}

/// `PUT .../resellers/{uuid}/suspension_profile` `{"suspensionProfileId": n|null}`.
pub(crate) fn suspension(call: &Call<'_>) -> Result<Response, ApiError> {
    check_instance(call)?;
    let body = call.body()?;
    if !body.has("suspensionProfileId") {
        return Err(invalid("suspensionProfileId", "is required (null removes the suspension)").into());
    }
    let status = match body.uint("suspensionProfileId", u64::from(u32::MAX))? {
        None => Status::Enabled,
        Some(n) => Status::Suspended { profile: u32::try_from(n).unwrap_or(u32::MAX) },
    };
    let id = call.write(|tx| {
        let node = reseller(&*tx, call.param(1))?;
        Ok(tx.set_status(node.id, status, None)?.id)
    })?;
    Ok(Response::json(200, json!({"uuid": id.to_string()})))
}

/// `POST .../resellers/{uuid}/admins` → 200 `{"id"}`.
pub(crate) fn admin_create(call: &Call<'_>) -> Result<Response, ApiError> {
    check_instance(call)?;
    let body = call.body()?;
    let email = email_field("adminEmail", &body.required_string("adminEmail")?)?;
    let account = call.write(|tx| {
        let node = reseller(&*tx, call.param(1))?;
        tx.create_account(&admin_account(node.id, &email, &body)?).map_err(|e| rename_field(e, "adminEmail"))
    })?;
    Ok(Response::json(200, json!({"id": account.id.get()})))
}

/// The admin `username` of the reseller; 404 for an account of another node.
fn reseller_admin(tx: &impl Reads, reseller: &Node, username: &str) -> Result<tenantree::Account, Error> {
    match tx.account_by_username(username) {
        Ok(a) if a.node == Some(reseller.id) => Ok(a),
        Ok(_) | Err(Error::NotFound { .. }) => Err(not_found("admin", username)),
        Err(e) => Err(e),
    }
}

/// An admin that is not there, where 003 answers 400 (the welcome and the modification list
/// 400 "error while sending" / "while modifying", and no 404): `INVALID_ARGUMENT` on `field`.
fn unknown_admin_is_invalid(field: &'static str) -> impl Fn(Error) -> Error {
    move |e| match e {
        Error::NotFound { entity: "admin", id } => {
            invalid(field, format!("{id} is not an administrator of this reseller"))
        }
        other => other,
    }
}

/// `PUT .../resellers/{uuid}/admins/{username}` → 200 `{"id"}`.
pub(crate) fn admin_update(call: &Call<'_>) -> Result<Response, ApiError> {
    check_instance(call)?;
    let body = call.body()?;
    let username = call.param(2);
    let email = body.required_string("adminEmail")?;
    if !email.eq_ignore_ascii_case(username) {
        return Err(invalid("adminEmail", "the e-mail is the administrator's reference and cannot change").into());
    }
    let update = AccountUpdate {
        first_name: body.nullable_string("firstName")?,
        last_name: body.nullable_string("lastName")?,
        mobile: body.nullable_string("mobile")?,
        force_password_reset: body.boolean("force_reset")?,
        ..AccountUpdate::default()
    };
    let id = call.write(|tx| {
        let node = reseller(&*tx, call.param(1))?;
        let account = reseller_admin(&*tx, &node, username).map_err(unknown_admin_is_invalid("adminEmail"))?;
        if update == AccountUpdate::default() { Ok(account.id) } else { Ok(tx.update_account(account.id, &update)?.id) }
    })?;
    Ok(Response::json(200, json!({"id": id.get()})))
}

/// `DELETE .../resellers/{uuid}/admins/{username}` → 204.
pub(crate) fn admin_delete(call: &Call<'_>) -> Result<Response, ApiError> {
    check_instance(call)?;
    call.write(|tx| {
        let node = reseller(&*tx, call.param(1))?;
        let account = reseller_admin(&*tx, &node, call.param(2))?;
        tx.delete_account(account.id).map(|_| ())
    })?;
    Ok(Response::empty(204))
}

/// `POST .../resellers/{uuid}/admins/welcome` `{"adminEmail"}` → 200 without content.
pub(crate) fn admin_welcome(call: &Call<'_>) -> Result<Response, ApiError> {
    check_instance(call)?;
    let body = call.body()?;
    let email = body.required_string("adminEmail")?;
    call.write(|tx| {
        let node = reseller(&*tx, call.param(1))?;
        let account = reseller_admin(&*tx, &node, &email).map_err(unknown_admin_is_invalid("adminEmail"))?;
        tx.send_welcome(account.id).map(|_| ())
    })?;
    Ok(Response::empty(200))
}

/// `GET .../configurations/voice_routing/{collection}`.
pub(crate) fn voice_routing(call: &Call<'_>) -> Result<Response, ApiError> {
    check_instance(call)?;
    let collection = Collection::parse(call.param(2))?;
    let mut params = listing_params(call, &["search", "sort", "dir", "page", "page_size"])?;
    let dir = direction(&params)?;
    // By name unless asked: 003's only searchable property, and the order of its examples
    // (its pstn usages list id 21 "PSTN Test name" before id 8 "PSTN-Usage-DRAAS").
    let sort = params.non_empty("sort").unwrap_or("name").to_owned();
    if !matches!(sort.as_str(), "id" | "name") {
        return Err(invalid("sort", format!("{sort:?} is not id or name")).into());
    }
    let page_size = page_size_param("page_size", params.get("page_size"))?.unwrap_or(DEFAULT_PAGE_SIZE);
    let page = uint_param("page", params.get("page"), u64::MAX)?.unwrap_or(1).max(1);
    let search = params.non_empty("search").map(str::to_lowercase);
    let (items, usages) = call.read(|tx| {
        let node = path_reseller(call, tx)?;
        let items = voice::effective(tx, node.id, collection)?;
        let usages = if collection == Collection::PstnUsages {
            Vec::new()
        } else {
            voice::effective(tx, node.id, Collection::PstnUsages)?
        };
        Ok((items, usages))
    })?;
    let name_of = |v: &Value| v.get("name").and_then(Value::as_str).unwrap_or_default().to_lowercase();
    let mut items: Vec<Value> =
        items.into_iter().filter(|v| search.as_ref().is_none_or(|s| name_of(v).contains(s.as_str()))).collect();
    if sort == "name" {
        items.sort_by_key(|v| name_of(v));
    }
    if dir == Direction::Desc {
        items.reverse();
    }
    let total = items.len() as u64;
    // 003: 200 is "one or more ... found", 404 "no ... found".
    if total == 0 {
        return Err(voice::missing_any(collection).into());
    }
    let pages = total.div_ceil(u64::from(page_size));
    let start = usize::try_from((page - 1).saturating_mul(u64::from(page_size))).unwrap_or(usize::MAX);
    let shown: Vec<Value> =
        items.iter().skip(start).take(page_size as usize).map(|v| voice::present(v, &usages)).collect();
    let mut out = json!({
        "page": page,
        "pageSize": page_size,
        "pages": pages,
        "results": total,
        collection.list_key(): shown,
    });
    if page < pages {
        params.set("page", &(page + 1).to_string());
        params.set("page_size", &page_size.to_string());
        if let Some(map) = out.as_object_mut() {
            map.insert("next".to_owned(), json!(encode_token(&params)));
        }
    }
    Ok(Response::json(200, out))
}

/// The `keys`, `search` and `full` parameters of a configuration read.
fn prop_query(call: &Call<'_>, with_full: bool) -> Result<PropQuery, Error> {
    if with_full && bool_param("full", call.query.get("full"))? == Some(true) {
        return Ok(PropQuery::default());
    }
    let keys = call
        .query
        .non_empty("keys")
        .map(|k| k.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>());
    Ok(PropQuery { keys, search: call.query.non_empty("search").map(str::to_owned) })
}

/// The reseller's properties of `namespace`, secrets masked for every caller: 003 says "all
/// property names containing password or token will be returned masked", with no exception for
/// a role, where the core shows them in clear to whoever may read the namespace's secrets (the
/// system administrator among them).
fn read_props(call: &Call<'_>, namespace: &str, with_full: bool) -> Result<Properties, ApiError> {
    let query = prop_query(call, with_full)?;
    let mut props = call.read(|tx| {
        let node = path_reseller(call, tx)?;
        tx.props(node.id, namespace, &query)
    })?;
    tenantree::mask_properties(&mut props);
    Ok(props)
}

enum Write {
    Upsert,
    Replace,
}

fn write_props(call: &Call<'_>, namespace: &str, props: &Properties, how: Write) -> Result<Response, ApiError> {
    call.write(|tx| {
        let node = path_reseller(call, &*tx)?;
        match how {
            Write::Upsert => tx.upsert_props(node.id, namespace, props),
            Write::Replace => tx.replace_props(node.id, namespace, props),
        }
        .map(|_| ())
    })?;
    Ok(Response::empty(204))
}

/// The `properties` object of a general configuration body.
fn properties_field(body: &Body) -> Result<Properties, Error> {
    let map = body.object("properties")?.ok_or_else(|| invalid("properties", "is required"))?;
    Ok(map.clone().into_iter().collect())
}

/// `GET .../configurations/general?keys&search` → `{"properties"}`.
pub(crate) fn general_get(call: &Call<'_>) -> Result<Response, ApiError> {
    let props = read_props(call, namespaces::GENERAL, false)?;
    Ok(Response::json(200, json!({"properties": props})))
}

/// `POST .../configurations/general` `{"properties"}`: upsert → 204.
pub(crate) fn general_upsert(call: &Call<'_>) -> Result<Response, ApiError> {
    let props = properties_field(&call.body()?)?;
    write_props(call, namespaces::GENERAL, &props, Write::Upsert)
}

/// `PUT .../configurations/general` `{"properties"}`: replace → 204.
///
/// 003 documents two updates at this path: the general configuration, `{"properties": {...}}`,
/// and the branding-general dictionary (its example: `{}`). A body with a `properties` key is
/// the first; any other body is the second, as at `.../configurations/branding/general`.
pub(crate) fn general_replace(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    if !body.has("properties") {
        return put_dictionary(call, namespaces::BRANDING_GENERAL, body.into_map());
    }
    let props = properties_field(&body)?;
    write_props(call, namespaces::GENERAL, &props, Write::Replace)
}

/// `DELETE .../configurations/general` `{"keys"}` → 204.
pub(crate) fn general_delete(call: &Call<'_>) -> Result<Response, ApiError> {
    let keys = call.body()?.string_array("keys")?.ok_or_else(|| invalid("keys", "is required"))?;
    call.write(|tx| {
        let node = path_reseller(call, &*tx)?;
        tx.delete_props(node.id, namespaces::GENERAL, &keys).map(|_| ())
    })?;
    Ok(Response::empty(204))
}

fn dictionary(call: &Call<'_>, namespace: &str) -> Result<Response, ApiError> {
    let props = read_props(call, namespace, true)?;
    Ok(Response::json(200, Value::Object(props.into_iter().collect())))
}

fn put_dictionary(call: &Call<'_>, namespace: &str, mut map: Map<String, Value>) -> Result<Response, ApiError> {
    map.remove("type");
    let props: Properties = map.into_iter().collect();
    write_props(call, namespace, &props, Write::Replace)
}

/// `GET .../configurations/branding/general`.
pub(crate) fn branding_general_get(call: &Call<'_>) -> Result<Response, ApiError> {
    dictionary(call, namespaces::BRANDING_GENERAL)
}

/// `PUT .../configurations/branding/general` → 204.
pub(crate) fn branding_general_put(call: &Call<'_>) -> Result<Response, ApiError> {
    put_dictionary(call, namespaces::BRANDING_GENERAL, call.body()?.into_map())
}

/// `GET .../configurations/branding/pages`.
pub(crate) fn branding_pages_get(call: &Call<'_>) -> Result<Response, ApiError> {
    dictionary(call, namespaces::BRANDING_PAGES)
}

/// `PUT .../configurations/branding/pages` → 204.
pub(crate) fn branding_pages_put(call: &Call<'_>) -> Result<Response, ApiError> {
    put_dictionary(call, namespaces::BRANDING_PAGES, call.body()?.into_map())
}

/// The styling namespace of a `type`.
fn styling_namespace(kind: Option<&str>) -> Result<&'static str, Error> {
    match kind {
        Some("font") => Ok(namespaces::STYLING_FONT),
        Some("image") => Ok(namespaces::STYLING_IMAGE),
        Some("theme") => Ok(namespaces::STYLING_THEME),
        Some(other) => Err(invalid("type", format!("{other:?} is not font, image or theme"))),
        None => Err(invalid("type", "is required: font, image or theme")),
    }
}

/// `GET .../configurations/branding/styling?type=font|image|theme`.
pub(crate) fn styling_get(call: &Call<'_>) -> Result<Response, ApiError> {
    let namespace = styling_namespace(call.query.non_empty("type"))?;
    dictionary(call, namespace)
}

/// `PUT .../configurations/branding/styling` `{"type", ...}` → 204.
pub(crate) fn styling_put(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    let namespace = styling_namespace(body.string("type")?.as_deref())?;
    put_dictionary(call, namespace, body.into_map())
}

/// `PUT .../configurations/pages`: styling when the body has a `type`, pages otherwise.
pub(crate) fn pages_or_styling_put(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    if body.has("type") {
        let namespace = styling_namespace(body.string("type")?.as_deref())?;
        put_dictionary(call, namespace, body.into_map())
    } else {
        put_dictionary(call, namespaces::BRANDING_PAGES, body.into_map())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_tokens_round_trip_and_tolerate_both_alphabets() {
        let mut q = Query::default();
        q.set("parent", "3a4afbd3-f1d7-4f85-bd59-a40567f20639");
        q.set("page", "2");
        let token = encode_token(&q);
        assert_eq!(decode_token(&token).unwrap().get("page"), Some("2"));
        // 003's own example token decodes too.
        let example = decode_token("cGFyZW50PTNhNGFmYmQzLWYxZDctNGY4NS1iZDU5LWE0MDU2N2YyMDYzOSZwYWdlPTI=").unwrap();
        assert_eq!(example.get("parent"), Some("3a4afbd3-f1d7-4f85-bd59-a40567f20639"));
        assert_eq!(example.get("page"), Some("2"));
        assert_eq!(decode_token("!!!").unwrap_err().details()["field"], "next");
    }

    #[test]
    fn styling_types_are_checked() {
        assert_eq!(styling_namespace(Some("font")).unwrap(), "branding.styling.font");
        assert_eq!(styling_namespace(Some("nope")).unwrap_err().details()["field"], "type");
        assert!(styling_namespace(None).is_err());
    }
}
