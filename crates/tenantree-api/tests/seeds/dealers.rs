//! 001: dealers, and the tenants they create.

use serde_json::{Value, json};

use crate::support::*;

const DEALER_FIELDS: [&str; 13] = [
    "address",
    "description",
    "display_name",
    "email",
    "enabled",
    "id",
    "level",
    "max_extensions",
    "max_tenants",
    "name",
    "phone",
    "tenant_full_access",
    "website",
];

/// 001's create example with a real e-mail address and phone number. The document's e-mail
/// reads `[email protected]` (an address hidden by the page it was copied from) and its phone is
/// the placeholder `text`; 001's types (strings of at most 128 and 32 characters) allow both:
/// see `the_placeholder_phone_is_a_phone_as_001_types_it` and
/// `the_documented_email_is_a_string_of_at_most_128_as_001_types_it`.
fn example_create() -> Value {
    json!({
      "enabled": true,
      "level": "DISTRIBUTOR",
      "name": "text",
      "password": "text",
      "email": "dealer@example.com",
      "display_name": "text",
      "website": "text",
      "phone": "+32 2 555 01 23",
      "address": "text",
      "description": "text",
      "max_tenants": 100,
      "max_extensions": 50000,
      "tenant_full_access": true
    })
}

#[test]
fn the_placeholder_phone_is_a_phone_as_001_types_it() {
    // 001 types `phone` as a string of at most 32 characters: its placeholder `text` is one.
    let h = harness();
    let mut body = example_create();
    body["phone"] = json!("text");
    let id = h.expect(201, "POST", "/api/dealers", ADMIN, Some(body))["id"].as_str().unwrap().to_owned();
    let path = format!("/api/dealers/{id}");
    assert_eq!(h.expect(200, "GET", &path, ADMIN, None)["phone"], "text");
    let list = h.expect(200, "GET", "/api/dealers", ADMIN, None);
    assert_eq!(list["items"][0]["phone"], "text");
    // Updates between a number and any other text, and clearing it.
    h.expect(200, "POST", &path, ADMIN, Some(json!({"phone": "+32 2 555 01 23"})));
    assert_eq!(h.expect(200, "GET", &path, ADMIN, None)["phone"], "+32 2 555 01 23");
    h.expect(200, "POST", &path, ADMIN, Some(json!({"phone": "ask at the desk"})));
    assert_eq!(h.expect(200, "GET", &path, ADMIN, None)["phone"], "ask at the desk");
    h.expect(200, "POST", &path, ADMIN, Some(json!({"phone": null})));
    assert_eq!(h.expect(200, "GET", &path, ADMIN, None)["phone"], "");
    // Its documented limit still holds.
    let r = h.call("POST", &path, Some(ADMIN), Some(json!({"phone": "x".repeat(33)})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    assert_eq!(r.body.unwrap()["details"]["field"], "phone");
    let mut body = example_create();
    body["name"] = json!("other");
    body["phone"] = json!("y".repeat(33));
    let r = h.call("POST", "/api/dealers", Some(ADMIN), Some(body));
    error_code(&r, 400, "INVALID_ARGUMENT");
    assert_eq!(r.body.unwrap()["details"]["field"], "phone");
    // A dealer does the same for the dealers it creates.
    let distributor = h.login("text", "text");
    let body = json!({"level": "RESELLER", "name": "sub", "password": "pw", "phone": "text"});
    let sub = h.expect(201, "POST", "/api/dealers", &distributor, Some(body))["id"].as_str().unwrap().to_owned();
    let sub_path = format!("/api/dealers/{sub}");
    assert_eq!(h.expect(200, "GET", &sub_path, &distributor, None)["phone"], "text");
    h.expect(200, "POST", &sub_path, &distributor, Some(json!({"phone": "+32 2 555 01 23"})));
    assert_eq!(h.expect(200, "GET", &sub_path, &distributor, None)["phone"], "+32 2 555 01 23");
}

#[test]
fn the_documented_email_is_a_string_of_at_most_128_as_001_types_it() {
    // 001 types `email` as a string of at most 128 characters: its example as published is one.
    let h = harness();
    let mut body = example_create();
    body["email"] = json!("[email protected]");
    let id = h.expect(201, "POST", "/api/dealers", ADMIN, Some(body))["id"].as_str().unwrap().to_owned();
    let path = format!("/api/dealers/{id}");
    assert_eq!(h.expect(200, "GET", &path, ADMIN, None)["email"], "[email protected]");
    assert_eq!(h.expect(200, "GET", "/api/dealers", ADMIN, None)["items"][0]["email"], "[email protected]");
    // Updates between an address and any other text, and clearing it; the phone is untouched.
    h.expect(200, "POST", &path, ADMIN, Some(json!({"email": "sales@example.com"})));
    assert_eq!(h.expect(200, "GET", &path, ADMIN, None)["email"], "sales@example.com");
    h.expect(200, "POST", &path, ADMIN, Some(json!({"email": "not-an-address", "phone": "text"})));
    let got = h.expect(200, "GET", &path, ADMIN, None);
    assert_eq!((got["email"].clone(), got["phone"].clone()), (json!("not-an-address"), json!("text")));
    h.expect(200, "POST", &path, ADMIN, Some(json!({"email": null})));
    let got = h.expect(200, "GET", &path, ADMIN, None);
    assert_eq!((got["email"].clone(), got["phone"].clone()), (json!(""), json!("text")));
    // "" is no value, at creation as in an update.
    let mut body = example_create();
    body["name"] = json!("blank");
    body["email"] = json!("");
    body["phone"] = json!("");
    let blank = h.expect(201, "POST", "/api/dealers", ADMIN, Some(body))["id"].as_str().unwrap().to_owned();
    let got = h.expect(200, "GET", &format!("/api/dealers/{blank}"), ADMIN, None);
    assert_eq!((got["email"].clone(), got["phone"].clone()), (json!(""), json!("")));
    let aside = h.expect(200, "GET", &format!("/v1/nodes/{blank}/properties/dealer.profile"), ADMIN, None);
    assert_eq!(aside, json!({"properties": {}}));
    // 128 characters, whatever their form, and no more.
    let longest = format!("{}@example.com", "a".repeat(116));
    h.expect(200, "POST", &path, ADMIN, Some(json!({"email": longest})));
    assert_eq!(h.expect(200, "GET", &path, ADMIN, None)["email"], json!(longest));
    let r = h.call("POST", &path, Some(ADMIN), Some(json!({"email": format!("a{longest}")})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    assert_eq!(r.body.unwrap()["details"]["field"], "email");
    let r = h.call("POST", &path, Some(ADMIN), Some(json!({"email": "two\nlines"})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    assert_eq!(h.expect(200, "GET", &path, ADMIN, None)["email"], json!(longest));
}

#[test]
fn the_documented_examples_create_list_retrieve_and_update() {
    let h = harness();
    let created = h.expect(201, "POST", "/api/dealers", ADMIN, Some(example_create()));
    assert_eq!(keys(&created), ["id"]);
    let id = created["id"].as_str().unwrap().to_owned();

    let list = h.expect(200, "GET", "/api/dealers", ADMIN, None);
    assert_eq!(keys(&list), ["count", "items"]);
    assert_eq!(list["count"], 1);
    assert_eq!(keys(&list["items"][0]), DEALER_FIELDS);

    let got = h.expect(200, "GET", &format!("/api/dealers/{id}"), ADMIN, None);
    assert_eq!(keys(&got), DEALER_FIELDS);
    let mut expected = example_create();
    expected.as_object_mut().unwrap().remove("password");
    expected["id"] = json!(id);
    assert_eq!(got, expected);

    let update = json!({
      "enabled": true,
      "email": "other@example.com",
      "display_name": "text",
      "website": "text",
      "phone": "+32 2 555 01 24",
      "address": "text",
      "description": "new text",
      "max_tenants": 100,
      "max_extensions": 50000,
      "tenant_full_access": true
    });
    let r = h.call("POST", &format!("/api/dealers/{id}"), Some(ADMIN), Some(update));
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body, None, "001: no content");
    let got = h.expect(200, "GET", &format!("/api/dealers/{id}"), ADMIN, None);
    assert_eq!(got["description"], "new text");
    assert_eq!(got["email"], "other@example.com");
    let r =
        h.call("POST", &format!("/api/dealers/{id}"), Some(ADMIN), Some(json!({"enabled": false, "max_tenants": 7})));
    assert_eq!(r.status, 200);
    let got = h.expect(200, "GET", &format!("/api/dealers/{id}"), ADMIN, None);
    assert_eq!((got["enabled"].clone(), got["max_tenants"].clone()), (json!(false), json!(7)));

    // The dealer logs in with its name and password.
    let token = h.login("text", "text");
    h.expect(200, "GET", "/api/tenants", &token, None);
}

#[test]
fn defaults_apply_when_fields_are_left_out() {
    let h = harness();
    let id = h.expect(
        201,
        "POST",
        "/api/dealers",
        ADMIN,
        Some(json!({"level": "DISTRIBUTOR", "name": "north", "password": "pw"})),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let got = h.expect(200, "GET", &format!("/api/dealers/{id}"), ADMIN, None);
    assert_eq!(got["enabled"], true);
    assert_eq!(got["max_tenants"], 100);
    assert_eq!(got["max_extensions"], 50000);
    assert_eq!(got["tenant_full_access"], true);
    assert_eq!(got["level"], "DISTRIBUTOR");
}

#[test]
fn every_documented_rule_is_checked() {
    let h = harness();
    let base = json!({"level": "DISTRIBUTOR", "name": "valid", "password": "pw"});
    let with = |field: &str, value: Value| {
        let mut b = base.clone();
        if value.is_null() {
            b.as_object_mut().unwrap().remove(field);
        } else {
            b[field] = value;
        }
        b
    };
    let cases: Vec<(&str, Value, &str)> = vec![
        ("level", json!("RESELLER_PLUS"), "level"),
        ("level", Value::Null, "level"),
        ("name", Value::Null, "name"),
        ("name", json!(""), "name"),
        ("name", json!("x".repeat(65)), "name"),
        ("name", json!("has space"), "name"),
        ("name", json!("semi;colon"), "name"),
        ("name", json!(".dot"), "name"),
        ("name", json!("dot."), "name"),
        ("name", json!("Admin"), "name"),
        ("name", json!("SYSTEM"), "name"),
        ("name", json!("administrator"), "name"),
        ("name", json!("root"), "name"),
        ("password", Value::Null, "password"),
        ("password", json!(""), "password"),
        ("email", json!(format!("{}@example.com", "a".repeat(120))), "email"),
        ("display_name", json!("d".repeat(1025)), "display_name"),
        ("phone", json!("1".repeat(33)), "phone"),
        ("address", json!("a".repeat(129)), "address"),
        ("max_tenants", json!(-1), "max_tenants"),
        ("max_tenants", json!(2_147_483_648_i64), "max_tenants"),
        ("max_extensions", json!("many"), "max_extensions"),
        ("enabled", json!("yes"), "enabled"),
        ("tenant_full_access", json!(1), "tenant_full_access"),
    ];
    for (field, value, named) in cases {
        let r = h.call("POST", "/api/dealers", Some(ADMIN), Some(with(field, value.clone())));
        assert_eq!(r.status, 400, "{field}={value}: {:?}", r.body);
        let b = r.body.unwrap();
        assert_eq!(b["code"], "INVALID_ARGUMENT", "{field}={value}: {b}");
        assert_eq!(b["details"]["field"], named, "{field}={value}: {b}");
    }
    // The allowed special characters and the limits themselves are accepted.
    for name in ["o'brien_x-y.z", &"n".repeat(64)] {
        h.expect(201, "POST", "/api/dealers", ADMIN, Some(with("name", json!(name))));
    }
    let edge = json!({"level": "DISTRIBUTOR", "name": "edge", "password": "pw", "phone": "1".repeat(32),
        "address": "a".repeat(128), "display_name": "d".repeat(1024), "max_tenants": 0, "max_extensions": 2_147_483_647});
    h.expect(201, "POST", "/api/dealers", ADMIN, Some(edge));
    // A taken name is refused.
    let r = h.call("POST", "/api/dealers", Some(ADMIN), Some(with("name", json!("VALID"))));
    assert_eq!(r.status, 201, "case differs from 'valid'? {:?}", r.body);
    let r = h.call("POST", "/api/dealers", Some(ADMIN), Some(base.clone()));
    assert_eq!(r.status, 400, "{:?}", r.body);
    // The update refuses fields it cannot change, and unknown dealers are 404.
    let id = h.expect(201, "POST", "/api/dealers", ADMIN, Some(with("name", json!("upd"))))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for field in ["level", "name", "password"] {
        let r = h.call("POST", &format!("/api/dealers/{id}"), Some(ADMIN), Some(json!({field: "x"})));
        error_code(&r, 400, "INVALID_ARGUMENT");
        assert_eq!(r.body.unwrap()["details"]["field"], field);
    }
    let r = h.call("POST", &format!("/api/dealers/{id}"), Some(ADMIN), Some(json!({"level": "RESELLER"})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    // The same level and name are the dealer's own, not a change: a read document posts back.
    let own = h.expect(200, "GET", &format!("/api/dealers/{id}"), ADMIN, None);
    assert_eq!((own["level"].clone(), own["name"].clone()), (json!("DISTRIBUTOR"), json!("upd")));
    let mut changed = own.clone();
    changed["description"] = json!("changed");
    h.expect(200, "POST", &format!("/api/dealers/{id}"), ADMIN, Some(changed.clone()));
    assert_eq!(h.expect(200, "GET", &format!("/api/dealers/{id}"), ADMIN, None), changed);
    let r = h.call("POST", &format!("/api/dealers/{id}"), Some(ADMIN), Some(json!({"phone": "9".repeat(33)})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call("GET", "/api/dealers/00000000-0000-4000-8000-000000000000", Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("GET", "/api/dealers", None, None);
    error_code(&r, 401, "UNAUTHENTICATED");
}

#[test]
fn the_administrator_creates_every_level_and_defaults_fit_under_smaller_limits() {
    let h = harness();
    // 001's create names no parent: the administrator's dealers of every level go to the top.
    for level in ["SUB_DISTRIBUTOR", "RESELLER"] {
        let id = h.dealer(ADMIN, level, &format!("top-{}", level.to_lowercase()));
        assert_eq!(h.expect(200, "GET", &format!("/api/dealers/{id}"), ADMIN, None)["level"], level);
    }
    assert_eq!(h.expect(200, "GET", "/api/dealers", ADMIN, None)["count"], 2);
    // A dealer created without limits under one with limits below 001's defaults gets its
    // creator's limits; one given larger limits is refused.
    let small =
        json!({"level": "DISTRIBUTOR", "name": "small", "password": "pw", "max_tenants": 10, "max_extensions": 1000});
    h.expect(201, "POST", "/api/dealers", ADMIN, Some(small));
    let small = h.login("small", "pw");
    let id = h.expect(
        201,
        "POST",
        "/api/dealers",
        &small,
        Some(json!({"level": "SUB_DISTRIBUTOR", "name": "small-sub", "password": "pw", "max_extensions": 200})),
    )["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let got = h.expect(200, "GET", &format!("/api/dealers/{id}"), &small, None);
    assert_eq!((got["max_tenants"].clone(), got["max_extensions"].clone()), (json!(10), json!(200)));
    let sub = h.login("small-sub", "pw");
    let id = h.dealer(&sub, "RESELLER", "small-res");
    let got = h.expect(200, "GET", &format!("/api/dealers/{id}"), &sub, None);
    assert_eq!((got["max_tenants"].clone(), got["max_extensions"].clone()), (json!(10), json!(200)));
    let r = h.call(
        "POST",
        "/api/dealers",
        Some(&small),
        Some(json!({"level": "RESELLER", "name": "big-res", "password": "pw", "max_tenants": 11})),
    );
    error_code(&r, 400, "INVALID_LIMIT");

    // The binding limit may be above the caller's scope: a distributor with no limits of its
    // own (made through /v1) under a platform limited to 50 tenants.
    let h = harness();
    h.expect(
        200,
        "PUT",
        &format!("/v1/nodes/{}/limits", h.platform()),
        ADMIN,
        Some(json!({"limits": {"tenants": 50}})),
    );
    let bare = h.node("distributor", "bare", Some(&h.platform()));
    let admin = h.account("ops@bare.example", &bare, "distributor_admin");
    let id = h.dealer(&admin, "RESELLER", "under-bare");
    let got = h.expect(200, "GET", &format!("/api/dealers/{id}"), &admin, None);
    assert_eq!((got["max_tenants"].clone(), got["max_extensions"].clone()), (json!(50), json!(50000)));
}

#[test]
fn dealer_levels_nest_and_a_dealer_cannot_raise_its_own_limits() {
    let h = harness();
    h.dealer(ADMIN, "DISTRIBUTOR", "dist");
    let dist = h.login("dist", "pw");
    let sub_id = h.dealer(&dist, "SUB_DISTRIBUTOR", "sub");
    let list = h.expect(200, "GET", "/api/dealers", &dist, None);
    assert_eq!(list["count"], 1);
    assert_eq!(list["items"][0]["level"], "SUB_DISTRIBUTOR");
    let subtoken = h.login("sub", "pw");
    h.expect(
        201,
        "POST",
        "/api/dealers",
        &subtoken,
        Some(json!({"level": "RESELLER", "name": "res", "password": "pw", "max_tenants": 10})),
    );
    // A sub-distributor cannot create a distributor under itself.
    let r = h.call(
        "POST",
        "/api/dealers",
        Some(&subtoken),
        Some(json!({"level": "DISTRIBUTOR", "name": "d2", "password": "pw"})),
    );
    assert_eq!(r.status, 400, "{:?}", r.body);
    // Its own limits are not its to change.
    let r = h.call("POST", &format!("/api/dealers/{sub_id}"), Some(&subtoken), Some(json!({"max_tenants": 1000})));
    error_code(&r, 403, "FORBIDDEN");
    // Its own document posted back as read changes nothing, and so is not refused; by its
    // creator too.
    for token in [&subtoken, &dist] {
        let own = h.expect(200, "GET", &format!("/api/dealers/{sub_id}"), token, None);
        let r = h.call("POST", &format!("/api/dealers/{sub_id}"), Some(token), Some(own.clone()));
        assert_eq!((r.status, r.body.clone()), (200, None), "{:?}", r.body);
        assert_eq!(h.expect(200, "GET", &format!("/api/dealers/{sub_id}"), token, None), own);
    }
    // tenant_full_access counts only from a first-level dealer: the sub-distributor's is ignored.
    let r = h.call("POST", "/api/dealers", Some(&subtoken), Some(json!({"level": "RESELLER", "name": "res2", "password": "pw", "max_tenants": 1, "tenant_full_access": false})));
    assert_eq!(r.status, 201, "{:?}", r.body);
    let res2 = r.body.unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(h.expect(200, "GET", &format!("/api/dealers/{res2}"), &subtoken, None)["tenant_full_access"], true);
    h.expect(200, "POST", &format!("/api/dealers/{res2}"), &subtoken, Some(json!({"tenant_full_access": false})));
    assert_eq!(h.expect(200, "GET", &format!("/api/dealers/{res2}"), &subtoken, None)["tenant_full_access"], true);
    h.expect(200, "POST", &format!("/api/dealers/{res2}"), &dist, Some(json!({"tenant_full_access": false})));
    assert_eq!(h.expect(200, "GET", &format!("/api/dealers/{res2}"), &dist, None)["tenant_full_access"], false);
    // Its parent may, within its own limit (100 by default).
    let r = h.call("POST", &format!("/api/dealers/{sub_id}"), Some(&dist), Some(json!({"max_tenants": 1000})));
    error_code(&r, 400, "INVALID_LIMIT");
    let r = h.call("POST", &format!("/api/dealers/{sub_id}"), Some(&dist), Some(json!({"max_tenants": 50})));
    assert_eq!(r.status, 200, "{:?}", r.body);
}

#[test]
fn max_tenants_and_max_extensions_are_enforced_by_the_core() {
    let h = harness();
    let dealer =
        json!({"level": "DISTRIBUTOR", "name": "small", "password": "pw", "max_tenants": 2, "max_extensions": 10});
    h.expect(201, "POST", "/api/dealers", ADMIN, Some(dealer));
    let token = h.login("small", "pw");
    let t1 = h.expect(201, "POST", "/api/tenants", &token, Some(json!({"name": "t1", "max_extensions": 6})));
    assert_eq!(keys(&t1), ["id"]);
    h.expect(201, "POST", "/api/tenants", &token, Some(json!({"name": "t2"})));
    let r = h.call("POST", "/api/tenants", Some(&token), Some(json!({"name": "t3"})));
    error_code(&r, 400, "QUOTA_EXCEEDED");
    assert_eq!(r.body.unwrap()["details"]["limit"], 2);
    let list = h.expect(200, "GET", "/api/tenants", &token, None);
    assert_eq!(list["count"], 2);
    assert_eq!(list["items"].as_array().unwrap().len(), 2);

    // Extensions allocated on a tenant count against the dealer's max_extensions.
    let t1 = t1["id"].as_str().unwrap();
    h.expect(
        200,
        "POST",
        &format!("/v1/nodes/{t1}/allocate"),
        &token,
        Some(json!({"resource": "extensions", "amount": 6})),
    );
    let t2 = list["items"].as_array().unwrap().iter().find(|t| t["name"] == "t2").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    h.expect(
        200,
        "POST",
        &format!("/v1/nodes/{t2}/allocate"),
        &token,
        Some(json!({"resource": "extensions", "amount": 4})),
    );
    let r = h.call(
        "POST",
        &format!("/v1/nodes/{t2}/allocate"),
        Some(&token),
        Some(json!({"resource": "extensions", "amount": 1})),
    );
    error_code(&r, 400, "QUOTA_EXCEEDED");
    // A tenant's own max_extensions may not exceed its dealer's.
    h.expect(
        200,
        "POST",
        &format!(
            "/api/dealers/{}",
            h.expect(200, "GET", "/api/dealers", ADMIN, None)["items"][0]["id"].as_str().unwrap()
        ),
        ADMIN,
        Some(json!({"max_tenants": 5})),
    );
    let r = h.call("POST", "/api/tenants", Some(&token), Some(json!({"name": "t3", "max_extensions": 11})));
    assert_eq!(r.status, 400, "{:?}", r.body);
}

#[test]
fn a_minimal_dealer_reads_with_the_documented_defaults_and_string_fields() {
    let h = harness();
    let id = h.dealer(ADMIN, "RESELLER", "minimal");
    let got = h.expect(200, "GET", &format!("/api/dealers/{id}"), ADMIN, None);
    assert_eq!(got["enabled"], true);
    assert_eq!((got["max_tenants"].clone(), got["max_extensions"].clone()), (json!(100), json!(50000)));
    assert_eq!(got["tenant_full_access"], true);
    for field in ["email", "display_name", "website", "phone", "address", "description"] {
        assert_eq!(got[field], "", "{field} is a string");
    }
    // Cleared with null on update, it reads "" again.
    h.expect(200, "POST", &format!("/api/dealers/{id}"), ADMIN, Some(json!({"website": "w"})));
    h.expect(200, "POST", &format!("/api/dealers/{id}"), ADMIN, Some(json!({"website": null})));
    assert_eq!(h.expect(200, "GET", &format!("/api/dealers/{id}"), ADMIN, None)["website"], "");
}
