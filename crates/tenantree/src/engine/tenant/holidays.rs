//! 004's holidays of a tenant: create, get, update, delete, and the filtered, searched, sorted
//! and paged listing.

use std::cmp::Ordering;

use super::rules::{self, within};
use super::{node_key, row_key, tenant_chain};
use crate::engine::Ctx;
use crate::engine::access::{Action, Principal};
use crate::engine::feed::{self, Event};
use crate::error::{Error, Result};
use crate::ids::NodeId;
use crate::model::Direction;
use crate::schema::Schema;
use crate::store::{Blob, Flow, HolidayRecord, KeyRange, View, WriteView, decode, encode, keys};
use crate::tenant::{
    FilterOp, FilterValue, Holiday, HolidayField, HolidayFilter, HolidayId, HolidayPage, HolidayQuery, HolidayUpdate,
    NewHoliday,
};
use crate::validate;

/// The `meta` counter of holiday ids.
pub(crate) const COUNTER: &str = "next_holiday";
/// Holidays per tenant.
pub(crate) const MAX_PER_TENANT: u64 = 1000;
/// Filters per query.
pub(crate) const MAX_FILTERS: usize = 16;
/// `top` when none is given.
pub(crate) const DEFAULT_TOP: u32 = 100;
/// The largest `top`.
pub(crate) const MAX_TOP: u32 = 1000;

/// Checks a holiday against the rules documented on [`NewHoliday`] and gives its record.
pub(crate) fn validate(h: &NewHoliday) -> Result<HolidayRecord> {
    let name_chars = h.name.chars().count();
    if name_chars == 0 || name_chars > rules::MAX_HOLIDAY_NAME {
        return Err(Error::invalid("name", format!("must be 1 to {} characters", rules::MAX_HOLIDAY_NAME)));
    }
    validate::check_line("name", &h.name, rules::MAX_HOLIDAY_NAME)?;
    let region = rules::region("region", &h.region)?;
    let years = if h.every_year { (0, 9999) } else { (1, 9999) };
    let year_start = within("year_start", h.year_start, years)?;
    let year_end = within("year_end", h.year_end, years)?;
    let month_start = within("month_start", h.month_start, (1, 12))?;
    let month_end = within("month_end", h.month_end, (1, 12))?;
    let known = |y: u32| (!h.every_year).then_some(y);
    let day_start = within("day_start", h.day_start, (1, rules::days_in_month(month_start, known(year_start))))?;
    let day_end = within("day_end", h.day_end, (1, rules::days_in_month(month_end, known(year_end))))?;
    let hour_start = within("hour_start", h.hour_start, (0, 23))?;
    let hour_end = within("hour_end", h.hour_end, (0, 23))?;
    let minute_start = within("minute_start", h.minute_start, (0, 59))?;
    let minute_end = within("minute_end", h.minute_end, (0, 59))?;
    let (ys, ye) = if h.every_year { (0, 0) } else { (year_start, year_end) };
    let start = (ys, month_start, day_start, hour_start, minute_start);
    let end = (ye, month_end, day_end, hour_end, minute_end);
    if start > end {
        return Err(Error::invalid(
            "holiday",
            format!(
                "{:?} starts after it ends ({}-{month_start:02}-{day_start:02} {hour_start:02}:{minute_start:02} > \
                 {}-{month_end:02}-{day_end:02} {hour_end:02}:{minute_end:02})",
                h.name,
                if h.every_year { "*".to_owned() } else { year_start.to_string() },
                if h.every_year { "*".to_owned() } else { year_end.to_string() },
            ),
        ));
    }
    Ok(HolidayRecord {
        name: h.name.clone(),
        region: region.to_owned(),
        consecutive: h.consecutive,
        every_year: h.every_year,
        year_start,
        year_end,
        month_start,
        month_end,
        day_start,
        day_end,
        hour_start,
        hour_end,
        minute_start,
        minute_end,
    })
}

/// The holiday a record describes, for re-validation and updates.
pub(crate) fn spec_of(r: &HolidayRecord) -> NewHoliday {
    NewHoliday {
        name: r.name.clone(),
        region: r.region.clone(),
        consecutive: r.consecutive,
        every_year: r.every_year,
        year_start: r.year_start,
        year_end: r.year_end,
        month_start: r.month_start,
        month_end: r.month_end,
        day_start: r.day_start,
        day_end: r.day_end,
        hour_start: r.hour_start,
        hour_end: r.hour_end,
        minute_start: r.minute_start,
        minute_end: r.minute_end,
    }
}

fn to_public(id: u64, r: &HolidayRecord) -> Result<Holiday> {
    Ok(Holiday {
        id: HolidayId::new(id)?,
        name: r.name.clone(),
        region: r.region.clone(),
        consecutive: r.consecutive,
        every_year: r.every_year,
        year_start: r.year_start,
        year_end: r.year_end,
        month_start: r.month_start,
        month_end: r.month_end,
        day_start: r.day_start,
        day_end: r.day_end,
        hour_start: r.hour_start,
        hour_end: r.hour_end,
        minute_start: r.minute_start,
        minute_end: r.minute_end,
    })
}

fn load(v: &impl View, seq: u64, id: HolidayId) -> Result<HolidayRecord> {
    match v.blob(Blob::Holidays, &row_key(seq, id.get()))? {
        Some(bytes) => decode(&bytes),
        None => Err(Error::not_found("holiday", id)),
    }
}

fn count(v: &impl View, seq: u64) -> Result<u64> {
    let mut n = 0u64;
    v.scan(Blob::Holidays, KeyRange::prefix(&node_key(seq)), false, &mut |_, _| {
        n += 1;
        Ok(Flow::Continue(()))
    })?;
    Ok(n)
}

/// Creates a holiday. O(depth + the tenant's holidays), for the per-tenant maximum.
pub(crate) fn create(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    tenant: NodeId,
    new: &NewHoliday,
) -> Result<Holiday> {
    let chain = tenant_chain(w, ctx.schema, who, tenant, Action::HolidaysCreate)?;
    let seq = chain.seq();
    let rec = validate(new)?;
    let used = count(w, seq)?;
    if used >= MAX_PER_TENANT {
        return Err(Error::QuotaExceeded {
            node: tenant.to_string(),
            resource: "holidays".to_owned(),
            limit: MAX_PER_TENANT,
            used,
            requested: 1,
        });
    }

    // Apply.
    let id = w.next_counter(COUNTER)?;
    w.put_blob(Blob::Holidays, &row_key(seq, id), &encode(&rec)?)?;
    let holiday = to_public(id, &rec)?;
    let changes = serde_json::to_value(spec_of(&rec)).unwrap_or_default();
    feed::emit(w, ctx, who, Event::on("holiday.create", "holiday", id, Some(&chain), Some(changes))?)?;
    Ok(holiday)
}

/// One holiday of a tenant. O(depth).
pub(crate) fn get(v: &impl View, schema: &Schema, who: &Principal, tenant: NodeId, id: HolidayId) -> Result<Holiday> {
    let chain = tenant_chain(v, schema, who, tenant, Action::HolidaysRead)?;
    to_public(id.get(), &load(v, chain.seq(), id)?)
}

/// Changes the fields given; the result must pass every rule. O(depth).
pub(crate) fn update(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    tenant: NodeId,
    id: HolidayId,
    u: &HolidayUpdate,
) -> Result<Holiday> {
    let chain = tenant_chain(w, ctx.schema, who, tenant, Action::HolidaysUpdate)?;
    let seq = chain.seq();
    let old = load(w, seq, id)?;
    let mut spec = spec_of(&old);
    if let Some(s) = &u.name {
        spec.name.clone_from(s);
    }
    if let Some(s) = &u.region {
        spec.region.clone_from(s);
    }
    macro_rules! copy {
        ($($f:ident),*) => {
            $(if let Some(v) = u.$f { spec.$f = v; })*
        };
    }
    copy!(
        consecutive,
        every_year,
        year_start,
        year_end,
        month_start,
        month_end,
        day_start,
        day_end,
        hour_start,
        hour_end,
        minute_start,
        minute_end
    );
    let rec = validate(&spec)?;
    if rec == old {
        return to_public(id.get(), &rec);
    }

    // Apply.
    w.put_blob(Blob::Holidays, &row_key(seq, id.get()), &encode(&rec)?)?;
    let changes = serde_json::to_value(u).unwrap_or_default();
    feed::emit(w, ctx, who, Event::on("holiday.update", "holiday", id, Some(&chain), Some(changes))?)?;
    to_public(id.get(), &rec)
}

/// Deletes a holiday; false when the tenant has no such holiday. O(depth).
pub(crate) fn delete(
    w: &mut WriteView<'_>,
    ctx: &Ctx<'_>,
    who: &Principal,
    tenant: NodeId,
    id: HolidayId,
) -> Result<bool> {
    let chain = tenant_chain(w, ctx.schema, who, tenant, Action::HolidaysDelete)?;
    if !w.remove_blob(Blob::Holidays, &row_key(chain.seq(), id.get()))? {
        return Ok(false);
    }
    feed::emit(w, ctx, who, Event::on("holiday.delete", "holiday", id, Some(&chain), None)?)?;
    Ok(true)
}

/// A field's value on one holiday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Val<'a> {
    Bool(bool),
    Num(u64),
    Text(&'a str),
}

fn value_of(field: HolidayField, id: u64, r: &HolidayRecord) -> Val<'_> {
    let n = |x: u32| Val::Num(u64::from(x));
    match field {
        HolidayField::Id => Val::Num(id),
        HolidayField::Name => Val::Text(&r.name),
        HolidayField::Region => Val::Text(&r.region),
        HolidayField::Consecutive => Val::Bool(r.consecutive),
        HolidayField::EveryYear => Val::Bool(r.every_year),
        HolidayField::YearStart => n(r.year_start),
        HolidayField::YearEnd => n(r.year_end),
        HolidayField::MonthStart => n(r.month_start),
        HolidayField::MonthEnd => n(r.month_end),
        HolidayField::DayStart => n(r.day_start),
        HolidayField::DayEnd => n(r.day_end),
        HolidayField::HourStart => n(r.hour_start),
        HolidayField::HourEnd => n(r.hour_end),
        HolidayField::MinuteStart => n(r.minute_start),
        HolidayField::MinuteEnd => n(r.minute_end),
    }
}

/// Refuses a filter whose value or comparison does not suit its field.
fn check_filter(i: usize, f: &HolidayFilter) -> Result<()> {
    let text = matches!(f.field, HolidayField::Name | HolidayField::Region);
    let boolean = matches!(f.field, HolidayField::Consecutive | HolidayField::EveryYear);
    let field = format!("filter[{i}]");
    let fits = match &f.value {
        FilterValue::Text(s) => {
            validate::check_search(&format!("{field}.value"), s)?;
            text
        }
        FilterValue::Bool(_) => boolean,
        FilterValue::Number(_) => !text && !boolean,
    };
    if !fits {
        return Err(Error::invalid(
            format!("{field}.value"),
            format!("{:?} does not suit the field {:?}", f.value, f.field),
        ));
    }
    let op_ok = match f.op {
        FilterOp::Contains => text,
        FilterOp::Eq | FilterOp::Ne => true,
        FilterOp::Gt | FilterOp::Ge | FilterOp::Lt | FilterOp::Le => !boolean,
    };
    if !op_ok {
        return Err(Error::invalid(
            format!("{field}.op"),
            format!("{:?} does not apply to the field {:?}", f.op, f.field),
        ));
    }
    Ok(())
}

fn holds(f: &HolidayFilter, id: u64, r: &HolidayRecord) -> bool {
    let have = value_of(f.field, id, r);
    let want = match &f.value {
        FilterValue::Bool(b) => Val::Bool(*b),
        FilterValue::Number(n) => Val::Num(*n),
        FilterValue::Text(s) => Val::Text(s),
    };
    if f.op == FilterOp::Contains {
        return match (have, want) {
            (Val::Text(h), Val::Text(w)) => h.to_lowercase().contains(&w.to_lowercase()),
            _ => false,
        };
    }
    let ord = have.cmp(&want);
    match f.op {
        FilterOp::Eq => ord == Ordering::Equal,
        FilterOp::Ne => ord != Ordering::Equal,
        FilterOp::Gt => ord == Ordering::Greater,
        FilterOp::Ge => ord != Ordering::Less,
        FilterOp::Lt => ord == Ordering::Less,
        FilterOp::Le => ord != Ordering::Greater,
        FilterOp::Contains => false,
    }
}

/// Orders two holidays by a field (text ignoring case, then as written).
fn compare(field: HolidayField, a: &(u64, HolidayRecord), b: &(u64, HolidayRecord)) -> Ordering {
    let (va, vb) = (value_of(field, a.0, &a.1), value_of(field, b.0, &b.1));
    match (va, vb) {
        (Val::Text(x), Val::Text(y)) => x.to_lowercase().cmp(&y.to_lowercase()).then_with(|| x.cmp(y)),
        _ => va.cmp(&vb),
    }
}

/// The tenant's holidays matching the query: filtered, searched, sorted, then skip and top.
/// O(the tenant's holidays), at most 1000.
pub(crate) fn list(
    v: &impl View,
    schema: &Schema,
    who: &Principal,
    tenant: NodeId,
    q: &HolidayQuery,
) -> Result<HolidayPage> {
    let chain = tenant_chain(v, schema, who, tenant, Action::HolidaysList)?;
    if q.filter.len() > MAX_FILTERS {
        return Err(Error::invalid(
            "filter",
            format!("has {} conditions, the maximum is {MAX_FILTERS}", q.filter.len()),
        ));
    }
    for (i, f) in q.filter.iter().enumerate() {
        check_filter(i, f)?;
    }
    let top = match q.top {
        None => DEFAULT_TOP,
        Some(n) if (1..=MAX_TOP).contains(&n) => n,
        Some(n) => return Err(Error::invalid("top", format!("is {n}, it must be 1 to {MAX_TOP}"))),
    };
    let search = match &q.search {
        Some(s) if !s.trim().is_empty() => {
            validate::check_search("search", s)?;
            Some(s.trim().to_lowercase())
        }
        _ => None,
    };
    let mut matches: Vec<(u64, HolidayRecord)> = Vec::new();
    let mut failure: Option<Error> = None;
    v.scan(Blob::Holidays, KeyRange::prefix(&node_key(chain.seq())), false, &mut |k, val| {
        let Some((_, id)) = keys::split_by_parent(k) else {
            failure = Some(Error::corrupted("malformed holiday key"));
            return Ok(Flow::Break(()));
        };
        let rec: HolidayRecord = decode(val)?;
        let searched = search.as_ref().is_none_or(|s| {
            rec.name.to_lowercase().contains(s.as_str()) || rec.region.to_lowercase().contains(s.as_str())
        });
        if searched && q.filter.iter().all(|f| holds(f, id, &rec)) {
            matches.push((id, rec));
        }
        Ok(Flow::Continue(()))
    })?;
    if let Some(e) = failure {
        return Err(e);
    }
    if let Some(order) = q.order_by {
        // Stable: ties keep the id order of the scan in both directions.
        matches.sort_by(|a, b| {
            let o = compare(order.field, a, b);
            if order.direction == Direction::Desc { o.reverse() } else { o }
        });
    }
    let count = matches.len() as u64;
    let skip = usize::try_from(q.skip).unwrap_or(usize::MAX);
    let items = matches
        .iter()
        .skip(skip)
        .take(top as usize)
        .map(|(id, rec)| to_public(*id, rec))
        .collect::<Result<Vec<Holiday>>>()?;
    Ok(HolidayPage { count, items })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(h: &NewHoliday) -> &'static str {
        validate(h).err().map_or("OK", |e| e.code())
    }

    #[test]
    fn dates_follow_the_documented_rules() {
        assert_eq!(code(&NewHoliday::yearly("New year", (1, 1), (1, 1))), "OK");
        assert_eq!(code(&NewHoliday::yearly("Leap", (2, 29), (2, 29))), "OK", "every_year allows 29 February");
        assert_eq!(code(&NewHoliday::once("Leap", (2024, 2, 29), (2024, 2, 29))), "OK");
        assert_eq!(code(&NewHoliday::once("Leap", (2023, 2, 29), (2023, 3, 1))), "INVALID_ARGUMENT");
        assert_eq!(code(&NewHoliday::once("Y", (2023, 12, 31), (2024, 1, 1))), "OK", "years order first");
        assert_eq!(code(&NewHoliday::once("Y", (2024, 1, 1), (2023, 12, 31))), "INVALID_ARGUMENT");
        assert_eq!(code(&NewHoliday::yearly("Wrap", (12, 31), (1, 1))), "INVALID_ARGUMENT");
        assert_eq!(code(&NewHoliday::yearly("April", (4, 31), (4, 31))), "INVALID_ARGUMENT");
        assert_eq!(code(&NewHoliday::yearly("M", (13, 1), (13, 1))), "INVALID_ARGUMENT");
        assert_eq!(code(&NewHoliday::yearly("M", (0, 1), (1, 1))), "INVALID_ARGUMENT");
        assert_eq!(code(&NewHoliday::yearly("D", (1, 0), (1, 1))), "INVALID_ARGUMENT");
        assert_eq!(code(&NewHoliday::once("Year zero", (0, 1, 1), (0, 1, 2))), "INVALID_ARGUMENT");
        let mut h = NewHoliday::yearly("Time", (5, 1), (5, 1));
        h.hour_start = 24;
        assert_eq!(code(&h), "INVALID_ARGUMENT");
        h.hour_start = 12;
        h.minute_start = 60;
        assert_eq!(code(&h), "INVALID_ARGUMENT");
        h.minute_start = 0;
        h.hour_end = 11;
        assert_eq!(code(&h), "INVALID_ARGUMENT", "same day, start hour after end hour");
        h.hour_end = 12;
        assert_eq!(code(&h), "OK", "start equal to end");
    }

    #[test]
    fn names_and_regions() {
        let mut h = NewHoliday::yearly("", (1, 1), (1, 1));
        assert_eq!(code(&h), "INVALID_ARGUMENT");
        h.name = "x".repeat(65);
        assert_eq!(code(&h), "INVALID_ARGUMENT");
        h.name = "x".repeat(64);
        assert_eq!(code(&h), "OK");
        h.name = "tab\there".into();
        assert_eq!(code(&h), "INVALID_ARGUMENT");
        h.name = "Fête nationale".into();
        h.region = "bel".into();
        assert_eq!(validate(&h).unwrap().region, "BEL");
        h.region = "BE".into();
        assert_eq!(code(&h), "INVALID_ARGUMENT");
    }

    #[test]
    fn filters_must_suit_their_fields() {
        let f = |field, op, value| HolidayFilter { field, op, value };
        assert!(check_filter(0, &f(HolidayField::Name, FilterOp::Contains, FilterValue::Text("x".into()))).is_ok());
        assert!(check_filter(0, &f(HolidayField::MonthStart, FilterOp::Ge, FilterValue::Number(3))).is_ok());
        assert!(check_filter(0, &f(HolidayField::EveryYear, FilterOp::Eq, FilterValue::Bool(true))).is_ok());
        assert!(check_filter(0, &f(HolidayField::Name, FilterOp::Eq, FilterValue::Number(3))).is_err());
        assert!(check_filter(0, &f(HolidayField::MonthStart, FilterOp::Contains, FilterValue::Number(3))).is_err());
        assert!(check_filter(0, &f(HolidayField::EveryYear, FilterOp::Gt, FilterValue::Bool(true))).is_err());
        assert!(check_filter(0, &f(HolidayField::Id, FilterOp::Eq, FilterValue::Text("1".into()))).is_err());
    }
}
