//! tenantree's own `/v1` API.

use serde_json::json;

use crate::support::*;

#[test]
fn nodes_accounts_and_the_issue_examples() {
    let h = harness();
    let platform = h.platform();
    // The issue's example: POST /v1/nodes {"kind", "parent", "name", "limits"} -> 201 with "id".
    let dist = h.expect(
        201,
        "POST",
        "/v1/nodes",
        ADMIN,
        Some(json!({"kind": "distributor", "parent": platform, "name": "north", "limits": {"tenants": 10}})),
    );
    let id = dist["id"].as_str().unwrap().to_owned();
    assert_eq!(dist["kind"], "distributor");
    assert_eq!(h.expect(200, "GET", &format!("/v1/nodes/{id}"), ADMIN, None)["name"], "north");
    let res = h.node("reseller", "shop", Some(&id));
    let children = h.expect(200, "GET", &format!("/v1/nodes/{id}/children"), ADMIN, None);
    assert_eq!(children["total"], 1);
    assert_eq!(children["items"][0]["id"], res.as_str());
    // POST /v1/accounts {"username", "node", "role", "password"} -> 201.
    let account = h.expect(
        201,
        "POST",
        "/v1/accounts",
        ADMIN,
        Some(
            json!({"username": "ops@north.example", "node": id, "role": "distributor_admin", "password": "pw-north-1"}),
        ),
    );
    assert_eq!(account["username"], "ops@north.example");
    let token = h.login("ops@north.example", "pw-north-1");
    let me = h.expect(200, "GET", "/v1/me", &token, None);
    assert_eq!(me["home"]["id"].as_str().or(me["home"].as_str()), Some(id.as_str()), "{me}");

    // update, status, move, quotas, delete.
    let updated =
        h.expect(200, "PATCH", &format!("/v1/nodes/{res}"), ADMIN, Some(json!({"description": "corner shop"})));
    let version = updated["version"].clone();
    let r = h.call(
        "PATCH",
        &format!("/v1/nodes/{res}"),
        Some(ADMIN),
        Some(json!({"description": "x", "expectedVersion": 0})),
    );
    error_code(&r, 409, "CONFLICT");
    let off = h.expect(
        200,
        "PUT",
        &format!("/v1/nodes/{res}/status"),
        ADMIN,
        Some(json!({"status": "disabled", "expectedVersion": version})),
    );
    assert_eq!(off["status"]["state"], "disabled");
    let other = h.node("distributor", "south", Some(&platform));
    let moved = h.expect(200, "POST", &format!("/v1/nodes/{res}/move"), ADMIN, Some(json!({"parent": other})));
    assert_eq!(moved["parent"], other.as_str());
    let r = h.call("POST", "/v1/nodes", Some(ADMIN), Some(json!({"kind": "tenant", "name": "t0", "parent": res})));
    error_code(&r, 403, "SERVICE_DISABLED");
    h.expect(200, "PUT", &format!("/v1/nodes/{res}/status"), ADMIN, Some(json!({"status": "enabled"})));
    h.expect(200, "PUT", &format!("/v1/nodes/{other}/limits"), ADMIN, Some(json!({"limits": {"tenants": 1}})));
    h.node("tenant", "t1", Some(&res));
    let quotas = h.expect(200, "GET", &format!("/v1/nodes/{other}/quotas"), ADMIN, None);
    assert!(quotas["quotas"].to_string().contains("tenants"), "{quotas}");
    let r = h.call("POST", "/v1/nodes", Some(ADMIN), Some(json!({"kind": "tenant", "name": "t2", "parent": res})));
    error_code(&r, 400, "QUOTA_EXCEEDED");
    let r = h.call("DELETE", &format!("/v1/nodes/{res}"), Some(ADMIN), None);
    error_code(&r, 400, "STILL_IN_USE");
    let r = h.call("POST", "/v1/nodes", Some(ADMIN), Some(json!({"kind": "planet", "name": "x"})));
    assert_eq!(r.status, 400);
    let r = h.call("GET", "/v1/nodes/00000000-0000-4000-8000-000000000000", Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("GET", "/v1/nowhere", Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("POST", "/v1/nodes", Some(ADMIN), None);
    error_code(&r, 400, "INVALID_ARGUMENT");
}

#[test]
fn properties_markups_changes_and_snapshot() {
    let h = harness();
    let group = h.node("group", "g", None);
    let res = h.node("reseller", "r", Some(&group));
    let url = format!("/v1/nodes/{res}/properties/general");
    h.expect(200, "POST", &url, ADMIN, Some(json!({"properties": {"a": 1, "b": 2}})));
    h.expect(
        200,
        "POST",
        &format!("/v1/nodes/{group}/properties/general"),
        ADMIN,
        Some(json!({"properties": {"c": 3}})),
    );
    assert_eq!(h.expect(200, "GET", &url, ADMIN, None)["properties"], json!({"a": 1, "b": 2}));
    assert_eq!(
        h.expect(200, "GET", &format!("{url}?effective=true"), ADMIN, None)["properties"],
        json!({"a": 1, "b": 2, "c": 3})
    );
    h.expect(200, "DELETE", &url, ADMIN, Some(json!({"keys": ["a"]})));
    assert_eq!(h.expect(200, "GET", &url, ADMIN, None)["properties"], json!({"b": 2}));

    let m = h.expect(201, "POST", &format!("/v1/nodes/{res}/markups"), ADMIN, Some(json!({"percent": "10"})));
    assert!(m.is_object());
    let list = h.expect(200, "GET", &format!("/v1/nodes/{res}/markups"), ADMIN, None);
    assert_eq!(list["markups"].as_array().unwrap().len(), 1);
    let price = h.expect(200, "GET", &format!("/v1/nodes/{res}/price?base=100"), ADMIN, None);
    assert!(price.to_string().contains("110"), "{price}");

    let changes = h.expect(200, "GET", "/v1/changes", ADMIN, None);
    assert!(changes["changes"].as_array().unwrap().len() >= 4);
    let next = changes["next"].clone();
    let later = h.expect(200, "GET", &format!("/v1/changes?after={next}"), ADMIN, None);
    assert_eq!(later["changes"].as_array().unwrap().len(), 0);

    let snapshot = h.expect(200, "GET", "/v1/snapshot", ADMIN, None);
    let ops = snapshot["ops"].as_array().unwrap();
    assert!(ops.len() >= 3, "{snapshot}");
    // Replayed into an empty store it rebuilds the tree. The snapshot holds the instance's
    // platform root, so the new dispatcher serves another instance name.
    let fresh = harness_for("other");
    let replay = fresh.expect(200, "POST", "/v1/batch", ADMIN, Some(json!({"ops": ops})));
    assert!(replay["results"].is_array());
    assert_eq!(fresh.expect(200, "GET", &format!("/v1/nodes/{res}"), ADMIN, None)["name"], "r");
    assert_eq!(fresh.expect(200, "GET", &url, ADMIN, None)["properties"], json!({"b": 2}));
}
