//! Scope across dialects: a dealer's token never sees another dealer's tenants, resellers or
//! clients, whichever dialect asks.

use serde_json::json;

use crate::support::*;

#[test]
fn a_dealer_never_sees_another_dealers_tenants_in_any_dialect() {
    let h = harness();
    for name in ["north", "south"] {
        h.dealer(ADMIN, "DISTRIBUTOR", name);
    }
    let north = h.login("north", "pw");
    let south = h.login("south", "pw");
    let n_tenant = h.expect(201, "POST", "/api/tenants", &north, Some(json!({"name": "n-tenant"})))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let s_tenant = h.expect(201, "POST", "/api/tenants", &south, Some(json!({"name": "s-tenant"})))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let n_res =
        h.expect(200, "POST", "/api/v01/draas/default/resellers", &north, Some(json!({"name": "n-res"})))["uuid"]
            .as_str()
            .unwrap()
            .to_owned();
    let s_res =
        h.expect(200, "POST", "/api/v01/draas/default/resellers", &south, Some(json!({"name": "s-res"})))["uuid"]
            .as_str()
            .unwrap()
            .to_owned();
    h.expect(201, "POST", "/api/v1/local/resellers/", &south, Some(json!({"name": "s-apio"})));

    // 001
    let mine = h.expect(200, "GET", "/api/tenants", &north, None);
    assert_eq!(mine["count"], 1);
    assert_eq!(mine["items"][0]["id"], n_tenant.as_str());
    assert_eq!(h.expect(200, "GET", "/api/tenants", ADMIN, None)["count"], 2);
    let s_dealer = h.expect(200, "GET", "/api/dealers", ADMIN, None)["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "south")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(h.call("GET", &format!("/api/dealers/{s_dealer}"), Some(&north), None).status, 404);
    assert_eq!(
        h.call("POST", &format!("/api/dealers/{s_dealer}"), Some(&north), Some(json!({"description": "x"}))).status,
        404
    );
    let r = h.call("POST", "/api/tenants", Some(&north), Some(json!({"name": "sneaky", "dealer_id": s_dealer})));
    assert_eq!(r.status, 404, "{:?}", r.body);
    // /v1
    assert_eq!(h.call("GET", &format!("/v1/nodes/{s_tenant}"), Some(&north), None).status, 404);
    assert_eq!(h.call("DELETE", &format!("/v1/nodes/{s_tenant}"), Some(&north), None).status, 404);
    assert_eq!(h.call("GET", &format!("/v1/nodes/{s_tenant}"), Some(&south), None).status, 200, "still there");
    assert_eq!(h.call("GET", &format!("/v1/nodes/{s_dealer}/children"), Some(&north), None).status, 404);
    let snapshot = h.expect(200, "GET", "/v1/snapshot", &north, None).to_string();
    assert!(!snapshot.contains("s-tenant") && !snapshot.contains(&s_tenant) && snapshot.contains("n-tenant"));
    // 002
    let apio = h.expect(200, "GET", "/api/v1/local/resellers/", &north, None);
    assert_eq!(apio["resellers"].as_array().unwrap().len(), 1);
    assert_eq!(apio["resellers"][0]["name"], "n-res");
    assert_eq!(h.call("GET", "/api/v1/local/resellers/s-apio/", Some(&north), None).status, 404);
    assert_eq!(h.call("DELETE", "/api/v1/local/resellers/s-res/", Some(&north), None).status, 404);
    // 003
    let base = "/api/v01/draas/default/resellers";
    assert_eq!(h.call("GET", &format!("{base}/{s_res}"), Some(&north), None).status, 404);
    assert_eq!(h.call("GET", &format!("{base}?parent={s_dealer}"), Some(&north), None).status, 404);
    assert_eq!(h.call("PUT", &format!("{base}/{s_res}"), Some(&north), Some(json!({"markup": 1}))).status, 404);
    assert_eq!(h.call("GET", &format!("{base}/{n_res}"), Some(&north), None).status, 200);
    let list = h.expect(200, "GET", base, &north, None);
    assert_eq!(list["results"], 1);
    // 003's delete of a reseller out of scope must not delete it (it answers as for a missing one).
    let r = h.call("DELETE", &format!("{base}/{s_res}"), Some(&north), None);
    assert!(r.status == 200 || r.status == 404, "{:?}", r.body);
    assert_eq!(h.call("GET", &format!("{base}/{s_res}"), Some(&south), None).status, 200);
    // 000
    assert_eq!(h.expect(200, "GET", "/clients", &north, None)["total"], 0);
    assert_eq!(h.call("GET", &format!("/clients/{s_tenant}"), Some(&north), None).status, 404);
}

#[test]
fn authentication_is_the_same_401_whatever_was_wrong() {
    let h = harness();
    h.dealer(ADMIN, "DISTRIBUTOR", "north");
    let login = |body: serde_json::Value| h.call("POST", "/api/login", None, Some(body));
    let wrong_password = login(json!({"name": "north", "password": "nope"}));
    let no_user = login(json!({"name": "nobody", "password": "pw"}));
    let malformed = login(json!({"name": 5}));
    for r in [&wrong_password, &no_user, &malformed] {
        assert_eq!(r.status, 401);
    }
    assert_eq!(wrong_password.body, no_user.body, "does not say which part was wrong");
    let ok = login(json!({"name": "north", "password": "pw"}));
    assert_eq!(ok.status, 200);
    assert_eq!(keys(ok.body.as_ref().unwrap()), ["access_token", "expires_in"]);
    for header in ["Bearer nope-nope-nope-nope", "Basic abc", ""] {
        let r = h.api.handle(&tenantree_api::Request::new("GET", "/v1/me").with_header("Authorization", header));
        error_code(&r, 401, "UNAUTHENTICATED");
        assert_eq!(r.header("WWW-Authenticate"), Some("Bearer"));
    }
    // A revoked token stops working.
    let token = ok.body.unwrap()["access_token"].as_str().unwrap().to_owned();
    let me = h.expect(200, "GET", "/v1/me", &token, None);
    let account = me["account"]["id"].clone();
    let tokens = h.expect(200, "GET", &format!("/v1/accounts/{account}/tokens"), ADMIN, None);
    let id = tokens["tokens"][0]["id"].clone();
    h.expect(200, "DELETE", &format!("/v1/tokens/{}", id.as_str().map_or(id.to_string(), str::to_owned)), ADMIN, None);
    assert_eq!(h.call("GET", "/v1/me", Some(&token), None).status, 401);
}
