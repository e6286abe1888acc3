//! 004: the tenant API, for the tenant of the caller's account. 004's examples fill every
//! string with the placeholder `text`; where the field has a form (time zone, country, SIP
//! domain, extension number) a real value stands in, and the placeholder itself is shown to
//! be refused.

use serde_json::{Value, json};
use tenantree_api::Request;

use crate::support::*;

/// The keys of 004's `GET /api/tenant` example.
const SETTINGS_KEYS: [&str; 50] = [
    "avatar_file_name",
    "avatar_file_size",
    "avatar_file_url",
    "call_report_retention",
    "cdr_event",
    "contact_append_type",
    "contact_match_length",
    "contact_match_type",
    "contact_update_interval",
    "currency",
    "custom_options",
    "disk_quota",
    "domain",
    "e164",
    "enable_audio_recording",
    "enable_billing",
    "enable_dual_track_recording",
    "enable_feature_billing",
    "enable_feature_call_statistics",
    "enable_feature_contact_center",
    "enable_feature_message_channels",
    "enable_feature_microsoft_teams",
    "enable_feature_trunks",
    "enable_feature_whats_app",
    "enable_night_mode",
    "enable_two_factor_authentication",
    "enable_video_recording",
    "extension_event",
    "extension_im_disk_quota",
    "id",
    "im_disk_quota",
    "log_retention",
    "max_call_queues",
    "max_concurrent_calls",
    "max_conference_rooms",
    "max_extensions",
    "max_ring_groups",
    "max_virtual_receptionists",
    "name",
    "office_hours",
    "outbound_caller_ids",
    "password_force_reset",
    "recording_retention",
    "region",
    "stir_shaken_cert",
    "stir_shaken_key",
    "temp_file_retention",
    "timezone",
    "used_disk_quota",
    "website",
];

/// A dealer, one of its tenants, and that tenant's admin and user; their tokens and the tenant id.
fn setup(h: &H) -> (String, String, String) {
    h.dealer(ADMIN, "DISTRIBUTOR", "pbx-dealer");
    let dealer = h.login("pbx-dealer", "pw");
    let tenant = h.expect(201, "POST", "/api/tenants", &dealer, Some(json!({"name": "acme", "max_extensions": 1000})));
    let tenant = tenant["id"].as_str().unwrap().to_owned();
    let admin = h.account("admin@acme.example", &tenant, "tenant_admin");
    let user = h.account("user@acme.example", &tenant, "tenant_user");
    (admin, user, tenant)
}

fn office_hours() -> Value {
    let day = json!({"enabled": true, "ranges": [{"from": "09:00", "to": "17:00"}]});
    let mut hours = json!({});
    for d in ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] {
        hours[d] = day.clone();
    }
    hours
}

fn settings_example() -> Value {
    json!({
      "name": "text",
      "domain": "pbx.acme.example",
      "website": "text",
      "timezone": "Europe/Brussels",
      "currency": "USD",
      "region": "BEL",
      "enable_video_recording": false,
      "enable_audio_recording": false,
      "enable_dual_track_recording": false,
      "enable_night_mode": false,
      "enable_two_factor_authentication": false,
      "custom_options": "{\"theme\": \"dark\"}",
      "recording_retention": 180,
      "call_report_retention": 30,
      "log_retention": 180,
      "temp_file_retention": 30,
      "extension_im_disk_quota": "1GB",
      "office_hours": office_hours(),
      "outbound_caller_ids": [{"provider_id": "NzAwNTUxOTA5NzczMTQ4MTYw", "caller_id": "+32 2 555 01 00", "description": "text"}],
      "e164": {"enabled": false, "international_code": "00", "country": "Angola(244)", "area_code": "2",
               "national_code": "0", "prefix": "9", "remove_special_chars": false,
               "remove_duplicate_countries": true, "remove_duplicate_area_codes": true},
      "cdr_event": {"enabled": false, "auth": "DISABLE", "username": "text", "password": "text", "token": "text", "url": "https://hooks.acme.example/cdr"},
      "extension_event": {"enabled": false, "auth": "DISABLE", "username": "text", "password": "text", "token": "text", "url": "https://hooks.acme.example/ext"},
      "contact_match_type": "MATCH_EXACTLY",
      "contact_match_length": 1,
      "contact_append_type": "APPEND",
      "contact_update_interval": 720,
      "password_force_reset": false,
      "avatar_file_id": "NzAwNTUxOTA5NzczMTQ4MTYw",
      "stir_shaken_cert": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
      "stir_shaken_key": "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"
    })
}

#[test]
fn tenant_settings_read_and_update_as_documented() {
    let h = harness();
    let (admin, user, tenant) = setup(&h);
    let got = h.expect(200, "GET", "/api/tenant", &admin, None);
    // Exactly the documented fields (not `avatar_file_id`, which only the update takes).
    let mut expected: Vec<String> = SETTINGS_KEYS.iter().map(|k| (*k).to_owned()).collect();
    expected.sort();
    assert_eq!(keys(&got), expected);
    assert_eq!(got["avatar_file_url"], "");
    assert_eq!(got["id"], tenant.as_str());
    assert_eq!(got["name"], "acme");
    assert_eq!(got["max_extensions"], 1000);
    assert_eq!(got["office_hours"], office_hours(), "004's default office hours");

    let r = h.call("POST", "/api/tenant", Some(&admin), Some(settings_example()));
    assert_eq!((r.status, r.body.clone()), (200, None), "{:?}", r.body);
    let got = h.expect(200, "GET", "/api/tenant", &user, None);
    assert_eq!(got["name"], "text");
    assert_eq!(got["domain"], "pbx.acme.example");
    assert_eq!(got["timezone"], "Europe/Brussels");
    assert_eq!(got["region"], "BEL");
    assert_eq!(got["cdr_event"]["password"], "********", "secrets read masked");
    assert_eq!(got["stir_shaken_key"], "********");
    assert_eq!(got["outbound_caller_ids"][0]["caller_id"], "+32 2 555 01 00");
    assert_eq!(keys(&got).len(), SETTINGS_KEYS.len());
    assert_eq!(got["avatar_file_url"], "/api/blobs/NzAwNTUxOTA5NzczMTQ4MTYw", "the avatar set by id");

    // Placeholders where a form is required, and fields of the wrong type, are 400 naming the field.
    for (field, value, named) in [
        ("timezone", json!("text"), "timezone"),
        ("region", json!("text"), "region"),
        ("currency", json!("XYZ"), "currency"),
        ("custom_options", json!("text"), "custom_options"),
        ("recording_retention", json!("long"), "recording_retention"),
        ("contact_match_type", json!("SOMETIMES"), "contact_match_type"),
        ("office_hours", json!({"monday": {"enabled": "yes"}}), "office_hours.monday.enabled"),
    ] {
        let r = h.call("POST", "/api/tenant", Some(&admin), Some(json!({field: value})));
        assert_eq!(r.status, 400, "{field}={value}: {:?}", r.body);
        let b = r.body.unwrap();
        assert_eq!(b["code"], "INVALID_ARGUMENT", "{b}");
        assert_eq!(b["details"]["field"], named, "{field}={value}: {b}");
    }
    // A tenant user reads but may not write.
    let r = h.call("POST", "/api/tenant", Some(&user), Some(json!({"website": "x"})));
    error_code(&r, 403, "FORBIDDEN");
    let r = h.call("GET", "/api/tenant", None, None);
    error_code(&r, 401, "UNAUTHENTICATED");
}

#[test]
fn a_caller_bound_to_no_tenant_acts_on_the_one_it_names_or_its_only_one() {
    let h = harness();
    let (admin, _, acme) = setup(&h);
    let with_tenant = |method: &str, path: &str, token: &str, tenant: &str, body: Option<Value>| {
        let mut req = Request::new(method, path).bearer(token).with_header("x-tenant-id", tenant);
        if let Some(b) = body {
            req = req.json(&b);
        }
        h.api.handle(&req)
    };
    // The only tenant in the caller's scope: the administrator's and the dealer's alike.
    let dealer = h.login("pbx-dealer", "pw");
    for token in [ADMIN, &dealer] {
        assert_eq!(h.expect(200, "GET", "/api/tenant", token, None)["id"], acme.as_str());
    }
    h.expect(200, "POST", "/api/tenant", ADMIN, Some(json!({"website": "https://acme.example"})));
    assert_eq!(h.expect(200, "GET", "/api/tenant", &admin, None)["website"], "https://acme.example");
    let holiday = h.expect(201, "POST", "/api/holidays", ADMIN, Some(holiday("Labour Day", "BEL", 2026, 5)));
    let path = format!("/api/holidays/{}", holiday["id"].as_str().unwrap());
    assert_eq!(h.expect(200, "GET", &path, &admin, None)["name"], "Labour Day");

    // With a second tenant, it must be named: X-Tenant-Id.
    let other = h.expect(201, "POST", "/api/tenants", &dealer, Some(json!({"name": "other"})))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for token in [ADMIN, &dealer] {
        let r = h.call("GET", "/api/tenant", Some(token), None);
        error_code(&r, 404, "NOT_FOUND");
        for (tenant, name) in [(&acme, "acme"), (&other, "other")] {
            let r = with_tenant("GET", "/api/tenant", token, tenant, None);
            assert_eq!((r.status, r.body.unwrap()["name"].clone()), (200, json!(name)));
        }
    }
    let r = with_tenant("POST", "/api/tenant", ADMIN, &other, Some(json!({"website": "https://other.example"})));
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(h.expect(200, "GET", "/api/tenant", &admin, None)["website"], "https://acme.example");
    // A header naming no tenant, or one out of the caller's scope, names none; a caller bound to
    // a tenant keeps its own.
    let dealer_node =
        h.expect(200, "GET", &format!("/v1/nodes/{acme}"), ADMIN, None)["parent"].as_str().unwrap().to_owned();
    for named in [dealer_node.as_str(), "not-an-id"] {
        let r = with_tenant("GET", "/api/tenant", ADMIN, named, None);
        error_code(&r, 404, "NOT_FOUND");
    }
    h.dealer(ADMIN, "DISTRIBUTOR", "elsewhere");
    let elsewhere = h.login("elsewhere", "pw");
    let r = with_tenant("GET", "/api/tenant", &elsewhere, &acme, None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("GET", "/api/tenant", Some(&elsewhere), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = with_tenant("GET", "/api/tenant", &admin, &other, None);
    assert_eq!(r.body.unwrap()["name"], "acme");
    // An empty header names nothing: the caller's only tenant, if any.
    let r = with_tenant("GET", "/api/tenant", &dealer, " ", None);
    error_code(&r, 404, "NOT_FOUND");
}

#[test]
fn status_password_policy_balance_headers_and_voicemail_as_documented() {
    let h = harness();
    let (admin, user, _) = setup(&h);
    let status = h.expect(200, "GET", "/api/tenant/status", &admin, None);
    assert_eq!(
        keys(&status),
        [
            "calls_in_24_hours",
            "current_calls",
            "current_conference_rooms",
            "current_ivrs",
            "current_queues",
            "current_ring_groups",
            "current_trunks",
            "current_users",
            "licensed_users",
            "online_users",
            "version"
        ]
    );

    let policy = json!({"min_length": 6, "max_length": 32, "contains_letters": true, "contains_numbers": true,
        "contains_special_letters": true, "disable_sequential_characters": true, "disable_repeating_characters": true,
        "disable_account_information": true});
    let before = h.expect(200, "GET", "/api/tenant/password_policy", &admin, None);
    assert_eq!(before, policy, "a tenant with no policy of its own reports 004's defaults");
    let r = h.call("POST", "/api/tenant/password_policy", Some(&admin), Some(policy.clone()));
    assert_eq!((r.status, r.body.clone()), (200, None), "{:?}", r.body);
    assert_eq!(h.expect(200, "GET", "/api/tenant/password_policy", &user, None), policy);
    let r =
        h.call("POST", "/api/tenant/password_policy", Some(&admin), Some(json!({"min_length": 40, "max_length": 32})));
    assert_eq!(r.status, 400, "{:?}", r.body);
    // An update changes the fields given and keeps the others.
    let mut changed = policy.clone();
    changed["min_length"] = json!(8);
    changed["contains_special_letters"] = json!(false);
    let r = h.call("POST", "/api/tenant/password_policy", Some(&admin), Some(changed.clone()));
    assert_eq!(r.status, 200, "{:?}", r.body);
    let r = h.call("POST", "/api/tenant/password_policy", Some(&admin), Some(json!({"max_length": 24})));
    assert_eq!(r.status, 200, "{:?}", r.body);
    changed["max_length"] = json!(24);
    assert_eq!(h.expect(200, "GET", "/api/tenant/password_policy", &user, None), changed);
    let r = h.call("POST", "/api/tenant/password_policy", Some(&admin), Some(json!({"min_length": 30})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call("POST", "/api/tenant/password_policy", Some(&admin), Some(json!([1])));
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call("POST", "/api/tenant/password_policy", Some(&admin), Some(policy.clone()));
    assert_eq!(r.status, 200, "{:?}", r.body);
    // The policy now applies to the tenant's accounts.
    let tenant = h.expect(200, "GET", "/api/tenant", &admin, None)["id"].as_str().unwrap().to_owned();
    let weak = json!({"username": "weak@acme.example", "node": tenant, "role": "tenant_user", "password": "abc"});
    let r = h.call("POST", "/v1/accounts", Some(ADMIN), Some(weak));
    error_code(&r, 400, "WEAK_PASSWORD");

    let r = h.call("POST", "/api/tenant/balance", Some(&admin), Some(json!({"balance": 1})));
    assert_eq!((r.status, r.body.clone()), (200, None), "{:?}", r.body);
    h.expect(200, "POST", "/api/tenant/balance", &admin, Some(json!({"balance": 0.12345})));
    let r = h.call("POST", "/api/tenant/balance", Some(&admin), Some(json!({"balance": 0.123456})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call("POST", "/api/tenant/balance", Some(&admin), Some(json!({})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call("POST", "/api/tenant/balance", Some(&user), Some(json!({"balance": 1})));
    error_code(&r, 403, "FORBIDDEN");

    let headers = json!({"add": [{"name": "text", "value": "text", "scope": "TRUNK"}], "relay": [{"name": "text", "scope": "TRUNK"}]});
    assert_eq!(h.expect(200, "GET", "/api/tenant/custom_headers", &admin, None), json!({"add": [], "relay": []}));
    let r = h.call("POST", "/api/tenant/custom_headers", Some(&admin), Some(headers.clone()));
    assert_eq!((r.status, r.body.clone()), (200, None), "{:?}", r.body);
    assert_eq!(h.expect(200, "GET", "/api/tenant/custom_headers", &user, None), headers);
    let r = h.call(
        "POST",
        "/api/tenant/custom_headers",
        Some(&admin),
        Some(json!({"add": [{"name": "x", "value": "y", "scope": "GALAXY"}]})),
    );
    assert_eq!(r.status, 400, "{:?}", r.body);

    // 004's voicemail example, with a number where it says `text` ([0-9]{3,64}).
    let r = h.call(
        "POST",
        "/api/voicemail",
        Some(&admin),
        Some(json!({"extension_number": "888", "retain_days": 30, "min_seconds": 1})),
    );
    assert_eq!((r.status, r.body.clone()), (200, None), "{:?}", r.body);
    let r = h.call(
        "POST",
        "/api/voicemail",
        Some(&admin),
        Some(json!({"extension_number": "text", "retain_days": 30, "min_seconds": 1})),
    );
    assert_eq!(r.status, 400, "{:?}", r.body);
    assert_eq!(r.body.unwrap()["details"]["field"], "extension_number");
}

fn holiday(name: &str, region: &str, year: u32, month: u32) -> Value {
    json!({"name": name, "region": region, "consecutive": true, "every_year": false, "year_start": year,
           "year_end": year, "month_start": month, "month_end": month, "day_start": 1, "day_end": 2,
           "hour_start": 0, "hour_end": 23, "minute_start": 0, "minute_end": 59})
}

#[test]
fn holidays_create_list_get_update_and_destroy_as_documented() {
    let h = harness();
    let (admin, user, _) = setup(&h);
    let fields = [
        "consecutive",
        "day_end",
        "day_start",
        "every_year",
        "hour_end",
        "hour_start",
        "id",
        "minute_end",
        "minute_start",
        "month_end",
        "month_start",
        "name",
        "region",
        "year_end",
        "year_start",
    ];
    let created = h.expect(201, "POST", "/api/holidays", &admin, Some(holiday("New Year", "BEL", 2026, 1)));
    assert_eq!(keys(&created), ["id"]);
    // Ids are strings, as 004 shows them.
    let id = created["id"].as_str().expect("a string id").to_owned();
    for (name, region, year, month) in
        [("Labour Day", "BEL", 2026, 5), ("Kings Day", "NLD", 2026, 4), ("Fete", "FRA", 2027, 7)]
    {
        h.expect(201, "POST", "/api/holidays", &admin, Some(holiday(name, region, year, month)));
    }

    let got = h.expect(200, "GET", &format!("/api/holidays/{id}"), &user, None);
    assert_eq!(keys(&got), fields);
    assert_eq!(got["name"], "New Year");
    assert_eq!(got["id"], id.as_str());

    let list = h.expect(200, "GET", "/api/holidays", &user, None);
    assert_eq!(keys(&list), ["count", "items"]);
    assert_eq!(list["count"], 4);
    assert_eq!(keys(&list["items"][0]), fields);
    assert!(list["items"].as_array().unwrap().iter().all(|i| i["id"].is_string()), "{list}");
    let bel = h.expect(200, "GET", "/api/holidays?filter=region%20eq%20'BEL'", &user, None);
    assert_eq!(bel["count"], 2);
    let later =
        h.expect(200, "GET", "/api/holidays?filter=year_start%20ge%202027%20and%20month_start%20gt%201", &user, None);
    assert_eq!(later["count"], 1);
    assert_eq!(later["items"][0]["name"], "Fete");
    let s = h.expect(200, "GET", "/api/holidays?search=day", &user, None);
    assert_eq!(s["count"], 2);
    let ordered = h.expect(200, "GET", "/api/holidays?orderby=month_start%20desc&skip=1&top=2", &user, None);
    assert_eq!(ordered["count"], 4);
    let names: Vec<&str> = ordered["items"].as_array().unwrap().iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Labour Day", "Kings Day"]);
    for q in ["filter=colour%20eq%201", "orderby=name%20up", "skip=-1", "top=0", "top=1001"] {
        let r = h.call("GET", &format!("/api/holidays?{q}"), Some(&user), None);
        error_code(&r, 400, "INVALID_ARGUMENT");
    }

    // Update (004's example shape) → 200 without content.
    let mut changed = holiday("New Year's Day", "BEL", 2026, 1);
    changed["every_year"] = json!(true);
    let r = h.call("POST", &format!("/api/holidays/{id}"), Some(&admin), Some(changed));
    assert_eq!((r.status, r.body.clone()), (200, None), "{:?}", r.body);
    assert_eq!(h.expect(200, "GET", &format!("/api/holidays/{id}"), &admin, None)["name"], "New Year's Day");
    let r = h.call("POST", &format!("/api/holidays/{id}"), Some(&admin), Some(json!({"month_start": 13})));
    assert_eq!(r.status, 400, "{:?}", r.body);
    let r = h.call("POST", "/api/holidays", Some(&admin), Some(json!({"name": "x", "region": "text"})));
    assert_eq!(r.status, 400, "{:?}", r.body);
    let r = h.call("POST", "/api/holidays", Some(&user), Some(holiday("Nope", "BEL", 2026, 3)));
    error_code(&r, 403, "FORBIDDEN");

    // Destroy → 204; then 404; an id that is no id is 400.
    let r = h.call("POST", &format!("/api/holidays/{id}/destroy"), Some(&admin), None);
    assert_eq!((r.status, r.body), (204, None));
    let r = h.call("POST", &format!("/api/holidays/{id}/destroy"), Some(&admin), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("GET", &format!("/api/holidays/{id}"), Some(&admin), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("POST", "/api/holidays/NzAwNTUxOTA5NzczMTQ4MTYw/destroy", Some(&admin), None);
    error_code(&r, 400, "INVALID_ARGUMENT");
    // Read or updated, an id of another form (004's example) names no holiday.
    let r = h.call("GET", "/api/holidays/NzAwNTUxOTA5NzczMTQ4MTYw", Some(&admin), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("POST", "/api/holidays/NzAwNTUxOTA5NzczMTQ4MTYw", Some(&admin), Some(json!({"name": "x"})));
    error_code(&r, 404, "NOT_FOUND");
}

#[test]
fn another_tenants_holidays_are_out_of_reach() {
    let h = harness();
    let (admin, _, _) = setup(&h);
    let id = h.expect(201, "POST", "/api/holidays", &admin, Some(holiday("Mine", "BEL", 2026, 1)))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let dealer = h.login("pbx-dealer", "pw");
    let other = h.expect(201, "POST", "/api/tenants", &dealer, Some(json!({"name": "other"})))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stranger = h.account("admin@other.example", &other, "tenant_admin");
    assert_eq!(h.expect(200, "GET", "/api/holidays", &stranger, None)["count"], 0);
    let r = h.call("GET", &format!("/api/holidays/{id}"), Some(&stranger), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("POST", &format!("/api/holidays/{id}/destroy"), Some(&stranger), None);
    error_code(&r, 404, "NOT_FOUND");
    assert_eq!(h.expect(200, "GET", "/api/tenant", &stranger, None)["name"], "other");
}

#[test]
fn limits_the_tenant_does_not_have_read_0_keeping_004s_integer_type() {
    let h = harness();
    let (with_limit, _, _) = setup(&h);
    let dealer = h.login("pbx-dealer", "pw");
    let tenant = h.expect(201, "POST", "/api/tenants", &dealer, Some(json!({"name": "bare"})))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = h.account("admin@bare.example", &tenant, "tenant_admin");
    let got = h.expect(200, "GET", "/api/tenant", &admin, None);
    for f in [
        "max_extensions",
        "max_concurrent_calls",
        "max_ring_groups",
        "max_virtual_receptionists",
        "max_call_queues",
        "max_conference_rooms",
    ] {
        assert_eq!(got[f], 0, "{f}");
    }
    let status = h.expect(200, "GET", "/api/tenant/status", &admin, None);
    assert_eq!(status["licensed_users"], 0);
    // A limit it has reads as set.
    assert_eq!(h.expect(200, "GET", "/api/tenant", &with_limit, None)["max_extensions"], 1000);
    assert_eq!(h.expect(200, "GET", "/api/tenant/status", &with_limit, None)["licensed_users"], 1000);

    // The document GET answers posts back as it is, by a tenant admin who may not change limits:
    // its 0s are "no limit", as read, and its limits and masked secrets unchanged.
    for (who, doc) in [(&admin, got), (&with_limit, h.expect(200, "GET", "/api/tenant", &with_limit, None))] {
        let r = h.call("POST", "/api/tenant", Some(who), Some(doc.clone()));
        assert_eq!((r.status, r.body.clone()), (200, None), "{:?}", r.body);
        assert_eq!(h.expect(200, "GET", "/api/tenant", who, None), doc);
    }
    let r = h.call("POST", "/api/tenant", Some(&admin), Some(json!({"max_call_queues": 0})));
    assert_eq!(r.status, 200, "{:?}", r.body);
    // A real change of a limit still needs the right to change limits.
    let r = h.call("POST", "/api/tenant", Some(&admin), Some(json!({"max_call_queues": 5})));
    error_code(&r, 403, "FORBIDDEN");
    let r = h.call("POST", "/api/tenant", Some(&with_limit), Some(json!({"max_extensions": 0})));
    error_code(&r, 403, "FORBIDDEN");

    // Where the tenant has a limit, 0 is a limit of 0 (a dealer may set it), and the document
    // with it posts back too; null removes a limit.
    let dealer = h.login("pbx-dealer", "pw");
    let bare = h.expect(200, "GET", "/api/tenant", &admin, None)["id"].as_str().unwrap().to_owned();
    let by_dealer = |body: Value| {
        let req = Request::new("POST", "/api/tenant").bearer(&dealer).with_header("X-Tenant-Id", &bare).json(&body);
        h.api.handle(&req)
    };
    assert_eq!(by_dealer(json!({"max_call_queues": 10})).status, 200);
    assert_eq!(by_dealer(json!({"max_call_queues": 0})).status, 200);
    let doc = h.expect(200, "GET", "/api/tenant", &admin, None);
    assert_eq!(doc["max_call_queues"], 0);
    let r = h.call("POST", "/api/tenant", Some(&admin), Some(json!({"max_call_queues": 1})));
    error_code(&r, 403, "FORBIDDEN");
    let r = h.call("POST", "/api/tenant", Some(&admin), Some(doc.clone()));
    assert_eq!(r.status, 200, "{:?}", r.body);
    let limits = h.expect(200, "GET", &format!("/v1/nodes/{bare}"), ADMIN, None)["limits"].clone();
    assert_eq!(limits["call_queues"], 0, "a real limit of 0: {limits}");
    assert_eq!(by_dealer(json!({"max_call_queues": null})).status, 200);
    let limits = h.expect(200, "GET", &format!("/v1/nodes/{bare}"), ADMIN, None)["limits"].clone();
    assert!(limits.get("call_queues").is_none(), "{limits}");
}

#[test]
fn password_policy_defaults_to_004s_and_follows_a_policy_set_above() {
    let h = harness();
    let (admin, _, tenant) = setup(&h);
    let defaults = h.expect(200, "GET", "/api/tenant/password_policy", &admin, None);
    assert_eq!((defaults["min_length"].clone(), defaults["max_length"].clone()), (json!(6), json!(32)));
    assert_eq!(defaults["disable_account_information"], true);
    // A policy set on the tenant's dealer applies to it, and is what it reports.
    let dealer =
        h.expect(200, "GET", &format!("/v1/nodes/{tenant}"), ADMIN, None)["parent"].as_str().unwrap().to_owned();
    let above = json!({"min_length": 8, "max_length": 64, "contains_letters": true, "contains_numbers": false,
        "contains_special_letters": false, "disable_sequential_characters": false,
        "disable_repeating_characters": false, "disable_account_information": false});
    h.expect(200, "PUT", &format!("/v1/nodes/{dealer}/password-policy"), ADMIN, Some(above.clone()));
    assert_eq!(h.expect(200, "GET", "/api/tenant/password_policy", &admin, None), above);
}
