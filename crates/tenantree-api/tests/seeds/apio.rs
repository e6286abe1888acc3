//! 002: APIO's local resellers. 002's examples carry trailing commas (not JSON); they are
//! replayed without them.

use serde_json::json;

use crate::support::*;

fn example() -> serde_json::Value {
    json!({"name": "ApioReseller", "externalName": "Best Reseller", "extraData": {}})
}

#[test]
fn the_documented_examples_create_list_retrieve_update_and_delete() {
    let h = harness();
    let created = h.expect(201, "POST", "/api/v1/local/resellers/", ADMIN, Some(example()));
    assert_eq!(created, example(), "similar to GET instance method response");

    let list = h.expect(200, "GET", "/api/v1/local/resellers/", ADMIN, None);
    assert_eq!(list, json!({"resellers": [example()]}));
    let got = h.expect(200, "GET", "/api/v1/local/resellers/ApioReseller/", ADMIN, None);
    assert_eq!(got, example());

    // 002's update example, at both paths.
    let mut changed = example();
    changed["externalName"] = json!("Better Reseller");
    changed["extraData"] = json!({"crm": 42});
    let updated = h.expect(200, "PUT", "/api/v1/local/apio_users/ApioReseller/", ADMIN, Some(changed.clone()));
    assert_eq!(updated, changed);
    let renamed =
        h.expect(200, "PUT", "/api/v1/local/resellers/ApioReseller/", ADMIN, Some(json!({"name": "Renamed"})));
    assert_eq!(renamed["name"], "Renamed");
    assert_eq!(renamed["extraData"], json!({"crm": 42}));

    // DELETE with 002's `{}` body → 200 `{}`; then it is gone (404).
    let deleted = h.expect(200, "DELETE", "/api/v1/local/resellers/Renamed/", ADMIN, Some(json!({})));
    assert_eq!(deleted, json!({}));
    let r = h.call("GET", "/api/v1/local/resellers/Renamed/", Some(ADMIN), None);
    assert_eq!(r.status, 404);
    assert_eq!(r.body.unwrap()["errors"][0]["code"], 5);
    let r = h.call("DELETE", "/api/v1/local/resellers/Renamed/", Some(ADMIN), None);
    assert_eq!(r.status, 404);
}

#[test]
fn a_taken_name_is_already_exists_11() {
    let h = harness();
    h.expect(201, "POST", "/api/v1/local/resellers/", ADMIN, Some(example()));
    let r = h.call("POST", "/api/v1/local/resellers/", Some(ADMIN), Some(example()));
    assert_eq!(r.status, 400);
    let b = r.body.unwrap();
    let e = &b["errors"][0];
    assert_eq!(e["code"], 11, "{b}");
    assert!(e["message"].is_string() && e["details"].is_object(), "{b}");
    // Bad input is a 400 in the same shape.
    let r = h.call("POST", "/api/v1/local/resellers/", Some(ADMIN), Some(json!({"name": "x", "extraData": [1]})));
    assert_eq!(r.status, 400);
    assert_eq!(r.body.unwrap()["errors"][0]["details"]["field"], "extraData");
    let r = h.call("GET", "/api/v1/local/resellers/", None, None);
    assert_eq!(r.status, 401);
    assert!(r.body.unwrap()["errors"].is_array());
}

#[test]
fn a_reseller_in_use_is_still_in_use_30_with_the_referencing_objects() {
    let h = harness();
    h.expect(201, "POST", "/api/v1/local/resellers/", ADMIN, Some(example()));
    let page = h.expect(200, "GET", &format!("/v1/nodes/{}/children?kind=reseller", h.platform()), ADMIN, None);
    assert_eq!(page["items"][0]["name"], "ApioReseller");
    let reseller = page["items"][0]["id"].as_str().unwrap().to_owned();
    h.node("tenant", "ApioSpTest", Some(&reseller));
    h.node("group", "ApioGrpTest", Some(&reseller));
    // A restricted user: bound to the reseller.
    let restricted = h.account("reseller@netaxis.be", &reseller, "reseller_admin");

    let r = h.call("DELETE", "/api/v1/local/resellers/ApioReseller/", Some(ADMIN), Some(json!({})));
    assert_eq!(r.status, 400, "{:?}", r.body);
    let b = r.body.unwrap();
    let e = &b["errors"][0];
    assert_eq!(e["code"], 30);
    assert_eq!(e["message"], "Can not delete Reseller object because referenced by other objects");
    assert_eq!(e["details"]["tenantDatas"], json!(["ApioSpTest"]), "{b}");
    assert_eq!(e["details"]["groupDatas"], json!(["ApioGrpTest"]), "{b}");
    assert_eq!(e["details"]["localUsers"], json!(["reseller@netaxis.be"]), "{b}");

    // The restricted user sees its reseller and nothing else.
    h.expect(201, "POST", "/api/v1/local/resellers/", ADMIN, Some(json!({"name": "Elsewhere"})));
    let mine = h.expect(200, "GET", "/api/v1/local/resellers/", &restricted, None);
    assert_eq!(mine["resellers"].as_array().unwrap().len(), 1);
    assert_eq!(mine["resellers"][0]["name"], "ApioReseller");
    let r = h.call("GET", "/api/v1/local/resellers/Elsewhere/", Some(&restricted), None);
    assert_eq!(r.status, 404);
    // A restricted tenant admin likewise.
    let tenant_admin = h.account("admin@apiosp.example", &reseller, "tenant_admin");
    let seen = h.expect(200, "GET", "/api/v1/local/resellers/", &tenant_admin, None);
    assert_eq!(seen["resellers"].as_array().unwrap().len(), 1);
    // The unrestricted administrator sees both.
    let all = h.expect(200, "GET", "/api/v1/local/resellers/", ADMIN, None);
    assert_eq!(all["resellers"].as_array().unwrap().len(), 2);
}
