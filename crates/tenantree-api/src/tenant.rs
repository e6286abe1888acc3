//! 004: the tenant API of the PBX, for the tenant of the caller's account (see the crate docs).
//!
//! The core's 004 records already speak 004's wire format (snake_case field names, the
//! documented defaults, secrets masked), so bodies are decoded into them and answers encoded
//! from them, but for what 004 shows otherwise (holiday ids as strings, the settings without
//! `avatar_file_id`, the password policy's defaults).

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tenantree::{
    CustomHeadersUpdate, Decimal, DescendantQuery, Direction, EffectivePolicy, Error, FilterOp, FilterValue,
    HolidayField, HolidayFilter, HolidayId, HolidayOrder, HolidayQuery, HolidayUpdate, NewHoliday, NodeId,
    PasswordPolicy, ReadTx, TenantSettingsUpdate, VoicemailUpdate, WriteTx,
};

use crate::Call;
use crate::error::{ApiError, invalid, not_found};
use crate::request::Response;
use crate::util::{Reads, to_json, uint_param};

/// The header naming the tenant for a caller bound to none.
const TENANT_HEADER: &str = "X-Tenant-Id";

/// The tenant 004's calls act on: the one the caller's account is bound to. 004 has no tenant in
/// its paths, so for a caller bound to no tenant (the administrator, a dealer) it is the tenant
/// the `X-Tenant-Id` header names, or else the only tenant in the caller's scope; 404 when
/// there are none or several (O(depth), the scope's tenants read two at most).
fn own_tenant(call: &Call<'_>, tx: &impl Reads) -> Result<NodeId, Error> {
    let session = call.session()?;
    if let Some(node) = session.account.node {
        let home = tx.get_node(node)?;
        if home.kind == "tenant" {
            return Ok(home.id);
        }
    }
    if let Some(named) = call.header(TENANT_HEADER).filter(|h| !h.trim().is_empty()) {
        let id = named.trim().parse::<NodeId>().map_err(|_| not_found("tenant", named))?;
        let tenant = tx.get_node(id)?;
        return if tenant.kind == "tenant" { Ok(tenant.id) } else { Err(not_found("tenant", named)) };
    }
    let query = DescendantQuery { kind: "tenant".to_owned(), offset: 0, limit: Some(2), cursor: None };
    match tx.descendants(None, &query)?.items.as_slice() {
        [only] => Ok(only.id),
        _ => Err(not_found("tenant", format!("(the caller is bound to no tenant and {TENANT_HEADER} names none)"))),
    }
}

/// Runs `f` on the caller's tenant in a read transaction.
fn read_tenant<R>(call: &Call<'_>, f: impl FnOnce(&ReadTx<'_>, NodeId) -> Result<R, Error>) -> Result<R, ApiError> {
    call.read(|tx| f(tx, own_tenant(call, tx)?))
}

/// Runs `f` on the caller's tenant in a write transaction: 200 without content.
fn write_tenant<R>(
    call: &Call<'_>,
    f: impl FnOnce(&mut WriteTx<'_, '_>, NodeId) -> Result<R, Error>,
) -> Result<Response, ApiError> {
    call.write(|tx| {
        let tenant = own_tenant(call, &*tx)?;
        f(tx, tenant).map(|_| ())
    })?;
    Ok(Response::empty(200))
}

/// The request body decoded into one of the core's 004 records; a field of the wrong type is
/// 400 `INVALID_ARGUMENT` naming it.
fn typed<T: DeserializeOwned>(call: &Call<'_>) -> Result<T, Error> {
    let text = if call.body.iter().all(u8::is_ascii_whitespace) { &b"{}"[..] } else { call.body };
    let mut de = serde_json::Deserializer::from_slice(text);
    serde_path_to_error::deserialize(&mut de).map_err(field_error)
}

/// [`typed`] for a body already read as JSON.
fn typed_value<T: DeserializeOwned>(body: Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(body).map_err(field_error)
}

fn field_error(e: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = e.path().to_string();
    let field = if path == "." { "body".to_owned() } else { path };
    invalid(&field, e.inner().to_string())
}

/// The settings' limits: 004 types them as integers and has no way to say "no limit".
const LIMIT_FIELDS: [&str; 6] = [
    "max_extensions",
    "max_concurrent_calls",
    "max_ring_groups",
    "max_virtual_receptionists",
    "max_call_queues",
    "max_conference_rooms",
];

/// A limit the tenant does not have (the core's `null`) reads 0, "no limit", so that every
/// field keeps 004's type (an integer).
fn unlimited_as_zero(map: &mut serde_json::Map<String, Value>, fields: &[&str]) {
    for f in fields {
        if let Some(v) = map.get_mut(*f)
            && v.is_null()
        {
            *v = json!(0);
        }
    }
}

/// `GET /api/tenant`: the settings document, with exactly 004's fields. `avatar_file_id` is
/// what an update takes but not a field 004's answer has: it is left out, and an avatar set
/// by id with no URL of its own reads at `/api/blobs/{id}` (the form of 004's example URL).
pub(crate) fn get(call: &Call<'_>) -> Result<Response, ApiError> {
    let settings = read_tenant(call, |tx, t| tx.tenant_settings(t))?;
    let mut out = to_json(&settings)?;
    if let Some(map) = out.as_object_mut() {
        unlimited_as_zero(map, &LIMIT_FIELDS);
        let id = map.remove("avatar_file_id");
        let id = id.as_ref().and_then(Value::as_str).unwrap_or_default();
        let no_url = map.get("avatar_file_url").and_then(Value::as_str).is_none_or(str::is_empty);
        if !id.is_empty() && no_url {
            map.insert("avatar_file_url".to_owned(), Value::String(format!("/api/blobs/{id}")));
        }
    }
    Ok(Response::json(200, out))
}

/// `POST /api/tenant`: changes the fields given; 200 without content. [`get`] shows a limit the
/// tenant does not have as 0, so a `max_*` of 0 where the tenant has no limit is no change: the
/// document `GET` answers posts back as it is, and needs no right to change limits (secrets
/// read `********`, which an update leaves as they are). Where the tenant has a limit, 0 is a
/// limit of 0; `null` removes one.
pub(crate) fn update(call: &Call<'_>) -> Result<Response, ApiError> {
    let mut body: Value = typed(call)?;
    write_tenant(call, |tx, tenant| {
        if let Some(map) = body.as_object_mut()
            && LIMIT_FIELDS.iter().any(|f| map.get(*f).and_then(Value::as_u64) == Some(0))
        {
            let now = to_json(&tx.tenant_settings(tenant)?)?;
            for f in LIMIT_FIELDS {
                if map.get(f).and_then(Value::as_u64) == Some(0) && now.get(f).is_none_or(Value::is_null) {
                    map.remove(f);
                }
            }
        }
        let update: TenantSettingsUpdate = typed_value(body)?;
        tx.update_tenant_settings(tenant, &update)
    })
}

/// `GET /api/tenant/status`.
pub(crate) fn status(call: &Call<'_>) -> Result<Response, ApiError> {
    let status = read_tenant(call, |tx, t| tx.tenant_status(t))?;
    let mut out = to_json(&status)?;
    if let Some(map) = out.as_object_mut() {
        unlimited_as_zero(map, &["licensed_users"]);
    }
    Ok(Response::json(200, out))
}

/// `GET /api/tenant/password_policy`: the tenant's policy, or the nearest one set on a node
/// above it; a tenant under no policy of a node reports 004's documented defaults (6 to 32
/// characters, every rule on), not the harness's relaxed store-wide default, which exists
/// only because 001 documents no password rule for dealers.
pub(crate) fn password_policy(call: &Call<'_>) -> Result<Response, ApiError> {
    let policy = read_tenant(call, |tx, t| {
        let effective = tx.password_policy(Some(t))?;
        Ok(reported_policy(effective))
    })?;
    Ok(Response::json(200, to_json(&policy)?))
}

/// The policy 004's answer shows for what is in force at a tenant.
fn reported_policy(effective: EffectivePolicy) -> PasswordPolicy {
    if effective.source.is_some() { effective.policy } else { PasswordPolicy::default() }
}

/// `POST /api/tenant/password_policy`: sets the tenant's own policy to the one reported with
/// the fields given changed ("update", as `POST /api/tenant` changes only what it is given);
/// 200 without content.
pub(crate) fn set_password_policy(call: &Call<'_>) -> Result<Response, ApiError> {
    let Value::Object(fields) = typed::<Value>(call)? else {
        return Err(invalid("body", "must be a JSON object").into());
    };
    write_tenant(call, |tx, tenant| {
        let mut policy = to_json(&reported_policy(tx.password_policy(Some(tenant))?))?;
        if let Some(current) = policy.as_object_mut() {
            current.extend(fields);
        }
        let policy: PasswordPolicy = typed_value(policy)?;
        tx.set_password_policy(Some(tenant), Some(&policy))
    })
}

/// `POST /api/tenant/balance` `{"balance"}`: a recharge of that amount (at most five
/// decimals); 200 without content.
pub(crate) fn recharge(call: &Call<'_>) -> Result<Response, ApiError> {
    let body = call.body()?;
    let amount: Decimal = body.decimal("balance")?.ok_or_else(|| invalid("balance", "is required"))?;
    write_tenant(call, |tx, tenant| tx.recharge(tenant, amount))
}

/// `GET /api/tenant/custom_headers`.
pub(crate) fn custom_headers(call: &Call<'_>) -> Result<Response, ApiError> {
    let headers = read_tenant(call, |tx, t| tx.custom_headers(t))?;
    Ok(Response::json(200, to_json(&headers)?))
}

/// `POST /api/tenant/custom_headers`: replaces the lists given; 200 without content.
pub(crate) fn set_custom_headers(call: &Call<'_>) -> Result<Response, ApiError> {
    let update: CustomHeadersUpdate = typed(call)?;
    write_tenant(call, |tx, tenant| tx.set_custom_headers(tenant, &update))
}

/// `POST /api/voicemail`: changes the voicemail fields given; 200 without content.
pub(crate) fn voicemail(call: &Call<'_>) -> Result<Response, ApiError> {
    let update: VoicemailUpdate = typed(call)?;
    write_tenant(call, |tx, tenant| tx.update_voicemail(tenant, &update))
}

fn field(name: &str, param: &str) -> Result<HolidayField, Error> {
    serde_json::from_value(Value::String(name.to_owned()))
        .map_err(|_| invalid(param, format!("{name:?} is not a holiday field")))
}

fn filter_value(text: &str) -> Result<FilterValue, Error> {
    let t = text.trim();
    if let Some(inner) = t.strip_prefix('\'').and_then(|s| s.strip_suffix('\'')) {
        return Ok(FilterValue::Text(inner.replace("''", "'")));
    }
    match t {
        "true" => Ok(FilterValue::Bool(true)),
        "false" => Ok(FilterValue::Bool(false)),
        _ => t
            .parse::<u64>()
            .map(FilterValue::Number)
            .map_err(|_| invalid("filter", format!("{t:?} is not 'text', true, false or a whole number"))),
    }
}

/// 004's `filter`: conditions `field op value` joined by `and` (OData style), with `op` one
/// of `eq`, `ne`, `gt`, `ge`, `lt`, `le` and `contains`; text values in single quotes (`''`
/// for a quote), e.g. `region eq 'BEL' and year_start ge 2025`.
fn parse_filter(text: &str) -> Result<Vec<HolidayFilter>, Error> {
    let mut out = Vec::new();
    for part in split_and(text) {
        let part = part.trim();
        let mut words = part.splitn(3, ' ');
        let (Some(f), Some(op), Some(value)) = (words.next(), words.next(), words.next()) else {
            return Err(invalid("filter", format!("{part:?} is not `field op value`")));
        };
        let op: FilterOp = serde_json::from_value(Value::String(op.to_ascii_lowercase()))
            .map_err(|_| invalid("filter", format!("{op:?} is not eq, ne, gt, ge, lt, le or contains")))?;
        out.push(HolidayFilter { field: field(f, "filter")?, op, value: filter_value(value)? });
    }
    Ok(out)
}

/// Splits on ` and ` outside single quotes.
fn split_and(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let lower = text.to_ascii_lowercase();
    let mut i = 0;
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(i) {
        if b == b'\'' {
            quoted = !quoted;
        }
        if !quoted && lower.get(i..i + 5) == Some(" and ") {
            parts.push(std::mem::take(&mut current));
            i += 5;
            continue;
        }
        current.push(char::from(b));
        i += 1;
    }
    parts.push(current);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// 004's `orderby`: `field` or `field asc|desc`.
fn parse_order(text: &str) -> Result<HolidayOrder, Error> {
    let mut words = text.split_whitespace();
    let name = words.next().ok_or_else(|| invalid("orderby", "names no field"))?;
    let direction = match words.next().map(str::to_ascii_lowercase).as_deref() {
        None | Some("asc") => Direction::Asc,
        Some("desc") => Direction::Desc,
        Some(other) => return Err(invalid("orderby", format!("{other:?} is not asc or desc"))),
    };
    if words.next().is_some() {
        return Err(invalid("orderby", "is `field` or `field asc|desc`"));
    }
    Ok(HolidayOrder { field: field(name, "orderby")?, direction })
}

/// A holiday as 004 shows it: its `id` a string, as every id of 004 is ("The unique ID of the
/// resource", `"NzAwNTUxOTA5NzczMTQ4MTYw"`), holding the core's holiday number.
fn holiday_json(mut v: Value) -> Value {
    if let Some(map) = v.as_object_mut()
        && let Some(id) = map.get("id").and_then(Value::as_u64)
    {
        map.insert("id".to_owned(), Value::String(id.to_string()));
    }
    v
}

/// `GET /api/holidays?filter&search&orderby&skip&top` → `{"count", "items"}`.
pub(crate) fn holidays(call: &Call<'_>) -> Result<Response, ApiError> {
    let q = &call.query;
    // A non-UTF-8 filter cannot hold a valid condition; the query is already decoded text.
    let text_filter = q.non_empty("filter");
    if text_filter.is_some_and(|f| !f.is_ascii()) {
        return Err(invalid("filter", "must be ASCII (quote text values)").into());
    }
    let query = HolidayQuery {
        filter: text_filter.map(parse_filter).transpose()?.unwrap_or_default(),
        search: q.non_empty("search").map(str::to_owned),
        order_by: q.non_empty("orderby").map(parse_order).transpose()?,
        skip: uint_param("skip", q.get("skip"), u64::MAX)?.unwrap_or(0),
        top: uint_param("top", q.get("top"), u64::from(u32::MAX))?.map(|t| u32::try_from(t).unwrap_or(u32::MAX)),
    };
    let page = read_tenant(call, |tx, t| tx.holidays(t, &query))?;
    let mut out = to_json(&page)?;
    if let Some(Value::Array(items)) = out.get_mut("items") {
        for item in items.iter_mut() {
            *item = holiday_json(std::mem::take(item));
        }
    }
    Ok(Response::json(200, out))
}

/// The path's holiday id; a malformed one is 400 (`/destroy`: 004's "Invalid rule ID
/// supplied").
fn holiday_id(call: &Call<'_>) -> Result<HolidayId, Error> {
    call.param(0).parse::<HolidayId>()
}

/// The path's holiday id where 004 documents no malformed-id answer (a read, an update): one
/// that is not a holiday id names no holiday, 404, as an unknown one does (004's own example id,
/// `NzAwNTUxOTA5NzczMTQ4MTYw`, is not of the form this harness gives).
fn existing_holiday_id(call: &Call<'_>) -> Result<HolidayId, Error> {
    call.param(0).parse::<HolidayId>().map_err(|_| not_found("holiday", call.param(0)))
}

/// `POST /api/holidays` → 201 `{"id"}`.
pub(crate) fn create_holiday(call: &Call<'_>) -> Result<Response, ApiError> {
    let new: NewHoliday = typed(call)?;
    let holiday = call.write(|tx| {
        let tenant = own_tenant(call, &*tx)?;
        tx.create_holiday(tenant, &new)
    })?;
    Ok(Response::json(201, json!({"id": holiday.id.to_string()})))
}

/// `GET /api/holidays/{id}`.
pub(crate) fn holiday(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = existing_holiday_id(call)?;
    let holiday = read_tenant(call, |tx, t| tx.holiday(t, id))?;
    Ok(Response::json(200, holiday_json(to_json(&holiday)?)))
}

/// `POST /api/holidays/{id}`: changes the fields given; 200 without content.
pub(crate) fn update_holiday(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = existing_holiday_id(call)?;
    let update: HolidayUpdate = typed(call)?;
    write_tenant(call, |tx, tenant| tx.update_holiday(tenant, id, &update))
}

/// `POST /api/holidays/{id}/destroy` → 204; a malformed id is 400 ("Invalid rule ID
/// supplied"), a missing holiday 404.
pub(crate) fn destroy_holiday(call: &Call<'_>) -> Result<Response, ApiError> {
    let id = holiday_id(call)?;
    let deleted = call.write(|tx| {
        let tenant = own_tenant(call, &*tx)?;
        tx.delete_holiday(tenant, id)
    })?;
    if deleted { Ok(Response::empty(204)) } else { Err(not_found("holiday", id.to_string()).into()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_and_orders_parse_in_odata_style() {
        let f = parse_filter("region eq 'BEL' and year_start ge 2025 AND name contains 'rock and roll'").unwrap();
        assert_eq!(f.len(), 3);
        assert_eq!(f[0].value, FilterValue::Text("BEL".into()));
        assert_eq!(
            (f[1].field, f[1].op, &f[1].value),
            (HolidayField::YearStart, FilterOp::Ge, &FilterValue::Number(2025))
        );
        assert_eq!(f[2].value, FilterValue::Text("rock and roll".into()));
        assert_eq!(parse_filter("every_year eq true").unwrap()[0].value, FilterValue::Bool(true));
        for bad in ["name", "name eq", "colour eq 'x'", "name like 'x'", "year_start gt x"] {
            assert_eq!(parse_filter(bad).unwrap_err().details()["field"], "filter", "{bad}");
        }
        assert_eq!(parse_order("month_start desc").unwrap().direction, Direction::Desc);
        assert_eq!(parse_order("name").unwrap().field, HolidayField::Name);
        assert!(parse_order("name sideways").is_err());
        assert!(parse_order("name asc more").is_err());
    }
}
