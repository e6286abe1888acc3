//! 004's holidays: create, get, update, destroy, and the listing with filter, search, order by,
//! skip and top.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;
mod tenant_common;

use common::*;
use tenant_common::*;
use tenantree::{
    Direction, FilterOp, FilterValue, HolidayField, HolidayFilter, HolidayId, HolidayOrder, HolidayQuery,
    HolidayUpdate, NewHoliday, NodeId, Store,
};

fn list(store: &Store, t: NodeId, q: HolidayQuery) -> (u64, Vec<String>) {
    let page = store.holidays(&sys(), t, &q).unwrap();
    (page.count, page.items.into_iter().map(|h| h.name).collect())
}

fn seed(store: &Store, t: NodeId) {
    let mut h = vec![
        NewHoliday::yearly("New Year", (1, 1), (1, 1)),
        NewHoliday::yearly("Christmas", (12, 25), (12, 26)),
        NewHoliday::once("Company retreat", (2025, 6, 2), (2025, 6, 4)),
        NewHoliday::yearly("Fête nationale", (7, 21), (7, 21)),
        NewHoliday::yearly("national day", (10, 1), (10, 7)),
    ];
    h[3].region = "BEL".into();
    h[4].region = "CHN".into();
    h[2].consecutive = false;
    h[2].hour_start = 9;
    h[2].hour_end = 17;
    h[2].minute_end = 0;
    for new in h {
        store.create_holiday(&sys(), t, &new).unwrap();
    }
}

#[test]
fn holidays_are_created_read_updated_and_destroyed() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    let next = last_event(&store);
    let h = store.create_holiday(&sys(), t, &NewHoliday::yearly("Christmas", (12, 25), (12, 26))).unwrap();
    assert_eq!((h.month_start, h.day_start, h.month_end, h.day_end), (12, 25, 12, 26));
    let again = store.read(&sys(), |tx| tx.holiday(t, h.id)).unwrap();
    assert_eq!(again, h);
    let second = store.create_holiday(&sys(), t, &NewHoliday::yearly("Boxing day", (12, 26), (12, 26))).unwrap();
    assert!(second.id > h.id, "ids come from a store-wide counter");
    let changed = store
        .write(&sys(), |tx| {
            tx.update_holiday(
                t,
                h.id,
                &HolidayUpdate { name: Some("Xmas".into()), region: Some("gbr".into()), ..Default::default() },
            )
        })
        .unwrap();
    assert_eq!((changed.name.as_str(), changed.region.as_str(), changed.day_end), ("Xmas", "GBR", 26));
    // Refused updates change nothing.
    let err = refused_all(&store, "INVALID_ARGUMENT", || {
        store.write(&sys(), |tx| tx.update_holiday(t, h.id, &HolidayUpdate { day_end: Some(24), ..Default::default() }))
    });
    assert_eq!(field(&err), "holiday", "25 December to 24 December ends before it starts");
    refused_all(&store, "NOT_FOUND", || {
        store.write(&sys(), |tx| tx.update_holiday(t, HolidayId::new(999).unwrap(), &HolidayUpdate::default()))
    });
    assert!(store.write(&sys(), |tx| tx.delete_holiday(t, h.id)).unwrap());
    assert!(!store.write(&sys(), |tx| tx.delete_holiday(t, h.id)).unwrap(), "a repeated delete is done");
    assert_eq!(store.read(&sys(), |tx| tx.holiday(t, h.id)).unwrap_err().code(), "NOT_FOUND");
    let ops: Vec<String> =
        store.read(&sys(), |tx| tx.changes(next, 100)).unwrap().changes.into_iter().map(|c| c.op).collect();
    assert_eq!(ops, ["holiday.create", "holiday.create", "holiday.update", "holiday.delete"]);
    // A new holiday never reuses an id.
    let third = store.create_holiday(&sys(), t, &NewHoliday::yearly("Again", (1, 2), (1, 2))).unwrap();
    assert!(third.id > second.id);
    assert_clean(&store);
}

#[test]
fn dates_and_times_are_validated() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    let mut cases: Vec<(NewHoliday, &str)> = vec![
        (NewHoliday::yearly("", (1, 1), (1, 1)), "name"),
        (NewHoliday::yearly(&"x".repeat(65), (1, 1), (1, 1)), "name"),
        (NewHoliday::yearly("M", (13, 1), (13, 1)), "month_start"),
        (NewHoliday::yearly("M", (1, 1), (0, 1)), "month_end"),
        (NewHoliday::yearly("D", (4, 31), (5, 1)), "day_start"),
        (NewHoliday::yearly("D", (1, 1), (2, 30)), "day_end"),
        (NewHoliday::once("Not leap", (2023, 2, 29), (2023, 3, 1)), "day_start"),
        (NewHoliday::once("Year 0", (0, 1, 1), (0, 1, 1)), "year_start"),
        (NewHoliday::once("Backwards", (2026, 1, 1), (2025, 12, 31)), "holiday"),
        (NewHoliday::yearly("Wraps the year", (12, 31), (1, 1)), "holiday"),
    ];
    let mut bad_region = NewHoliday::yearly("R", (1, 1), (1, 1));
    bad_region.region = "BE".into();
    cases.push((bad_region, "region"));
    let mut bad_hour = NewHoliday::yearly("H", (1, 1), (1, 1));
    bad_hour.hour_end = 24;
    cases.push((bad_hour, "hour_end"));
    let mut bad_minute = NewHoliday::yearly("Mi", (1, 1), (1, 1));
    bad_minute.minute_start = 60;
    cases.push((bad_minute, "minute_start"));
    let mut late_start = NewHoliday::yearly("Late", (1, 1), (1, 1));
    late_start.hour_start = 23;
    late_start.hour_end = 22;
    cases.push((late_start, "holiday"));
    for (h, expected) in cases {
        let err = refused_all(&store, "INVALID_ARGUMENT", || store.create_holiday(&sys(), t, &h));
        assert_eq!(field(&err), expected, "{h:?}");
    }
    // The edges that are fine.
    store.create_holiday(&sys(), t, &NewHoliday::yearly("Leap day", (2, 29), (2, 29))).unwrap();
    store.create_holiday(&sys(), t, &NewHoliday::once("Leap day 2024", (2024, 2, 29), (2024, 2, 29))).unwrap();
    store.create_holiday(&sys(), t, &NewHoliday::once("New year's eve", (2025, 12, 31), (2026, 1, 1))).unwrap();
    // 004's JSON, as sent to POST /api/holidays.
    let doc: NewHoliday = serde_json::from_value(serde_json::json!({
        "name": "text", "region": "", "consecutive": true, "every_year": true,
        "year_start": 1, "year_end": 1, "month_start": 1, "month_end": 1, "day_start": 1, "day_end": 1,
        "hour_start": 1, "hour_end": 1, "minute_start": 1, "minute_end": 1
    }))
    .unwrap();
    let h = store.create_holiday(&sys(), t, &doc).unwrap();
    let json = serde_json::to_value(&h).unwrap();
    assert_eq!(json["every_year"], true);
    assert!(json["id"].is_u64());
    assert_clean(&store);
}

#[test]
fn the_listing_filters_searches_orders_and_pages() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    seed(&store, t);
    // Default: every holiday in creation order.
    let (count, names) = list(&store, t, HolidayQuery::default());
    assert_eq!(count, 5);
    assert_eq!(names, ["New Year", "Christmas", "Company retreat", "Fête nationale", "national day"]);
    // Search: name or region, ignoring case.
    assert_eq!(
        list(&store, t, HolidayQuery { search: Some("NATIONAL".into()), ..Default::default() }).1,
        ["Fête nationale", "national day"]
    );
    assert_eq!(list(&store, t, HolidayQuery { search: Some("chn".into()), ..Default::default() }).1, ["national day"]);
    // Filters.
    let f = |field, op, value| HolidayFilter { field, op, value };
    let q = HolidayQuery {
        filter: vec![
            f(HolidayField::EveryYear, FilterOp::Eq, FilterValue::Bool(true)),
            f(HolidayField::MonthStart, FilterOp::Ge, FilterValue::Number(7)),
        ],
        ..Default::default()
    };
    assert_eq!(list(&store, t, q).1, ["Christmas", "Fête nationale", "national day"]);
    let q = HolidayQuery {
        filter: vec![f(HolidayField::Region, FilterOp::Ne, FilterValue::Text(String::new()))],
        ..Default::default()
    };
    assert_eq!(list(&store, t, q).1, ["Fête nationale", "national day"]);
    let q = HolidayQuery {
        filter: vec![f(HolidayField::Name, FilterOp::Contains, FilterValue::Text("YEAR".into()))],
        ..Default::default()
    };
    assert_eq!(list(&store, t, q).1, ["New Year"]);
    let q = HolidayQuery {
        filter: vec![f(HolidayField::Consecutive, FilterOp::Eq, FilterValue::Bool(false))],
        ..Default::default()
    };
    assert_eq!(list(&store, t, q).1, ["Company retreat"]);
    // Order by, both directions; text ignores case.
    let by =
        |field, direction| HolidayQuery { order_by: Some(HolidayOrder { field, direction }), ..Default::default() };
    assert_eq!(
        list(&store, t, by(HolidayField::Name, Direction::Asc)).1,
        ["Christmas", "Company retreat", "Fête nationale", "national day", "New Year"]
    );
    assert_eq!(
        list(&store, t, by(HolidayField::MonthStart, Direction::Desc)).1,
        ["Christmas", "national day", "Fête nationale", "Company retreat", "New Year"]
    );
    // Skip and top; count stays the number of matches.
    let q = HolidayQuery { skip: 1, top: Some(2), ..by(HolidayField::Name, Direction::Asc) };
    assert_eq!(list(&store, t, q), (5, vec!["Company retreat".to_owned(), "Fête nationale".to_owned()]));
    let q = HolidayQuery { skip: 10, ..Default::default() };
    assert_eq!(list(&store, t, q), (5, vec![]));
    // 004's query, as JSON.
    let q: HolidayQuery = serde_json::from_value(serde_json::json!({
        "filter": [{"field": "every_year", "op": "eq", "value": true}],
        "search": "a",
        "order_by": {"field": "day_start", "direction": "desc"},
        "skip": 0, "top": 2
    }))
    .unwrap();
    assert_eq!(list(&store, t, q), (4, vec!["Christmas".to_owned(), "Fête nationale".to_owned()]));
}

#[test]
fn bad_queries_are_refused() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    seed(&store, t);
    let f = |field, op, value| HolidayFilter { field, op, value };
    let bad = [
        (HolidayQuery { top: Some(0), ..Default::default() }, "top"),
        (HolidayQuery { top: Some(1001), ..Default::default() }, "top"),
        (HolidayQuery { search: Some("x".repeat(257)), ..Default::default() }, "search"),
        (
            HolidayQuery {
                filter: vec![f(HolidayField::Name, FilterOp::Eq, FilterValue::Number(1))],
                ..Default::default()
            },
            "filter[0].value",
        ),
        (
            HolidayQuery {
                filter: vec![
                    f(HolidayField::Name, FilterOp::Eq, FilterValue::Text("x".into())),
                    f(HolidayField::DayStart, FilterOp::Contains, FilterValue::Number(1)),
                ],
                ..Default::default()
            },
            "filter[1].op",
        ),
        (
            HolidayQuery {
                filter: vec![f(HolidayField::EveryYear, FilterOp::Lt, FilterValue::Bool(true))],
                ..Default::default()
            },
            "filter[0].op",
        ),
        (
            HolidayQuery {
                filter: vec![f(HolidayField::Id, FilterOp::Gt, FilterValue::Number(0)); 17],
                ..Default::default()
            },
            "filter",
        ),
    ];
    for (q, expected) in bad {
        let err = store.holidays(&sys(), t, &q).unwrap_err();
        assert_eq!(field(&err), expected, "{q:?}");
    }
    assert_eq!(store.holidays(&sys(), t, &HolidayQuery { top: Some(1000), ..Default::default() }).unwrap().count, 5);
}

#[test]
fn holidays_belong_to_their_tenant_and_its_scope() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    let other = create(&store, "tenant", "other", Some(c.reseller.id));
    let h = store.create_holiday(&sys(), t, &NewHoliday::yearly("Mine", (5, 1), (5, 1))).unwrap();
    // Another tenant does not see it through its own id.
    assert_eq!(store.read(&sys(), |tx| tx.holiday(other.id, h.id)).unwrap_err().code(), "NOT_FOUND");
    assert!(!store.write(&sys(), |tx| tx.delete_holiday(other.id, h.id)).unwrap());
    assert_eq!(store.holidays(&sys(), other.id, &HolidayQuery::default()).unwrap().count, 0);
    // Roles: the tenant user reads, the tenant admin writes, strangers see nothing.
    let (_, admin) = account(&store, "admin@bakery", "tenant_admin", Some(t));
    let (_, user) = account(&store, "user@bakery", "tenant_user", Some(t));
    let (_, other_admin) = account(&store, "admin@other", "tenant_admin", Some(other.id));
    assert_eq!(store.holidays(&user, t, &HolidayQuery::default()).unwrap().count, 1);
    store.read(&user, |tx| tx.holiday(t, h.id)).unwrap();
    let new = NewHoliday::yearly("Another", (6, 1), (6, 1));
    let err = refused_all(&store, "FORBIDDEN", || store.create_holiday(&user, t, &new));
    assert!(err.to_string().contains("tenant.instance.holidays.create"), "{err}");
    refused_all(&store, "FORBIDDEN", || store.write(&user, |tx| tx.delete_holiday(t, h.id)));
    store.create_holiday(&admin, t, &new).unwrap();
    refused_all(&store, "NOT_FOUND", || store.create_holiday(&other_admin, t, &new));
    assert_eq!(store.holidays(&other_admin, t, &HolidayQuery::default()).unwrap_err().code(), "NOT_FOUND");
    // Only tenants have holidays.
    let err = refused_all(&store, "INVALID_ARGUMENT", || store.create_holiday(&sys(), c.reseller.id, &new));
    assert_eq!(field(&err), "tenant");
    assert_clean(&store);
}

#[test]
fn a_tenant_holds_at_most_a_thousand_holidays() {
    let store = store();
    let c = chain(&store);
    let t = c.tenant.id;
    store
        .write(&sys(), |tx| {
            for i in 0..1000u32 {
                tx.create_holiday(
                    t,
                    &NewHoliday::once(&format!("h{i}"), (2000 + i % 100, 1, 1), (2000 + i % 100, 1, 1)),
                )?;
            }
            Ok(())
        })
        .unwrap();
    let new = NewHoliday::yearly("One too many", (1, 1), (1, 1));
    let err = refused_all(&store, "QUOTA_EXCEEDED", || store.create_holiday(&sys(), t, &new));
    assert!(err.to_string().contains("holidays"), "{err}");
    let page = store.holidays(&sys(), t, &HolidayQuery { top: Some(1000), ..Default::default() }).unwrap();
    assert_eq!((page.count, page.items.len()), (1000, 1000));
    assert_eq!(store.holidays(&sys(), t, &HolidayQuery::default()).unwrap().items.len(), 100, "top defaults to 100");
}
