//! 000: Horn's clients.

use serde_json::json;

use crate::support::*;

const LIST_FIELDS: [&str; 11] = [
    "dialIn",
    "dialOut",
    "disabled",
    "events",
    "friendlyURLs",
    "id",
    "midi",
    "name",
    "parent",
    "uniqueUsersHandle",
    "validator",
];

/// A client created with `POST /clients/create`; its id.
fn client(h: &H, token: &str, name: &str) -> String {
    let created = h.expect(200, "POST", "/clients/create", token, Some(json!({"name": name})));
    created["id"].as_str().unwrap().to_owned()
}

#[test]
fn create_get_and_list_clients_as_documented() {
    let h = harness();
    // POST /clients/create {"name"} -> {"id"}
    let created = h.expect(200, "POST", "/clients/create", ADMIN, Some(json!({"name": "Acme"})));
    assert_eq!(keys(&created), ["id"]);
    let id = created["id"].as_str().unwrap().to_owned();

    // GET /clients/{clientId}
    let got = h.expect(200, "GET", &format!("/clients/{id}"), ADMIN, None);
    assert_eq!(keys(&got), ["clientId", "details", "disabled", "name", "parentId"]);
    assert_eq!(got["name"], "Acme");
    assert_eq!(got["clientId"], id.as_str());
    assert_eq!(got["disabled"], false);
    assert_eq!(got["parentId"], h.platform().as_str());
    // The parent of a top client, the instance's root, reads as a client too: the chain ends
    // there.
    let root = h.expect(200, "GET", &format!("/clients/{}", h.platform()), ADMIN, None);
    assert_eq!((root["clientId"].clone(), root["parentId"].clone()), (json!(h.platform()), serde_json::Value::Null));
    assert_eq!(root["disabled"], false);
    // It is no child client: its service is not switched here.
    let r = h.call("POST", &format!("/clients/{}/service/disable", h.platform()), Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
    assert!(got["details"].is_object());

    // GET /clients -> {total, results} with every documented field; query, offset, limit.
    for name in ["Beta", "Gamma", "acme-two"] {
        h.expect(200, "POST", "/clients/create", ADMIN, Some(json!({"name": name})));
    }
    let list = h.expect(200, "GET", "/clients", ADMIN, None);
    assert_eq!(keys(&list), ["results", "total"]);
    assert_eq!(list["total"], 4);
    let first = &list["results"][0];
    assert_eq!(keys(first), LIST_FIELDS);
    assert_eq!(first["uniqueUsersHandle"], false);
    assert_eq!(first["validator"], serde_json::Value::Null);
    let acme = h.expect(200, "GET", "/clients?query=ACME", ADMIN, None);
    assert_eq!(acme["total"], 2, "substring, ignoring case: {acme}");
    let page = h.expect(200, "GET", "/clients?offset=1&limit=2", ADMIN, None);
    assert_eq!(page["total"], 4);
    assert_eq!(page["results"].as_array().unwrap().len(), 2);
    let bad = h.call("GET", "/clients?limit=lots", Some(ADMIN), None);
    error_code(&bad, 400, "INVALID_ARGUMENT");

    // Feature flags set at creation read back in the list.
    h.expect(
        200,
        "POST",
        "/clients/create",
        ADMIN,
        Some(json!({"name": "Flags", "dialOut": true, "validator": "ldap"})),
    );
    let flags = h.expect(200, "GET", "/clients?query=flags", ADMIN, None);
    assert_eq!(flags["results"][0]["dialOut"], true);
    assert_eq!(flags["results"][0]["validator"], "ldap");
}

#[test]
fn children_go_under_the_callers_client_and_only_children_are_listed() {
    let h = harness();
    let parent = client(&h, ADMIN, "Partner");
    let partner = h.account("partner@acme.example", &parent, "partner_admin");
    let child = h.expect(200, "POST", "/clients/create", &partner, Some(json!({"name": "Child"})));
    let child_id = child["id"].as_str().unwrap();
    let got = h.expect(200, "GET", &format!("/clients/{child_id}"), &partner, None);
    assert_eq!(got["parentId"], parent.as_str());
    let mine = h.expect(200, "GET", "/clients", &partner, None);
    assert_eq!(mine["total"], 1);
    assert_eq!(mine["results"][0]["parent"], parent.as_str());
    // A client outside the caller's tree is not found.
    let other = h.expect(200, "POST", "/clients/create", ADMIN, Some(json!({"name": "Other"})));
    let r = h.call("GET", &format!("/clients/{}", other["id"].as_str().unwrap()), Some(&partner), None);
    error_code(&r, 404, "NOT_FOUND");
    // Not a Partner Admin: 403.
    let user = h.account("user@acme.example", &parent, "tenant_user");
    let r = h.call("POST", "/clients/create", Some(&user), Some(json!({"name": "Nope"})));
    error_code(&r, 403, "FORBIDDEN");
}

#[test]
fn disabling_a_client_cascades_and_answers_403_to_management_actions() {
    let h = harness();
    let parent = client(&h, ADMIN, "Partner");
    let partner = h.account("partner@acme.example", &parent, "partner_admin");
    let child = h.expect(200, "POST", "/clients/create", &partner, Some(json!({"name": "Child"})))["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let off = h.expect(200, "POST", &format!("/clients/{parent}/service/disable"), ADMIN, None);
    assert_eq!(off["disabled"], true);
    let child_now = h.expect(200, "GET", &format!("/clients/{child}"), ADMIN, None);
    assert_eq!(child_now["disabled"], true, "the child is disabled with its parent");
    // While disabled, management actions answer 403.
    let r = h.call("POST", "/clients/create", Some(&partner), Some(json!({"name": "Another"})));
    error_code(&r, 403, "SERVICE_DISABLED");
    let list = h.expect(200, "GET", "/clients", &partner, None);
    assert_eq!(list["results"][0]["disabled"], true);

    let on = h.expect(200, "POST", &format!("/clients/{parent}/service/enable"), ADMIN, None);
    assert_eq!(on["disabled"], false);
    h.expect(200, "POST", "/clients/create", &partner, Some(json!({"name": "Another"})));

    // Bad state, unknown client, no token.
    let r = h.call("POST", &format!("/clients/{parent}/service/pause"), Some(ADMIN), None);
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call("POST", "/clients/00000000-0000-4000-8000-000000000000/service/enable", Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("GET", "/clients/not-a-uuid", Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("POST", "/clients/create", None, Some(json!({"name": "x"})));
    error_code(&r, 401, "UNAUTHENTICATED");
    let r = h.call("POST", "/clients/create", Some(ADMIN), Some(json!({})));
    error_code(&r, 400, "INVALID_ARGUMENT");
}

#[test]
fn a_list_limit_has_no_maximum_and_zero_answers_the_total_alone() {
    let h = harness();
    // 000 gives `limit` no maximum: more clients than one of the core's pages (1000).
    let platform: tenantree::NodeId = h.platform().parse().unwrap();
    let nodes: Vec<tenantree::NewNode> =
        (0..1003).map(|i| tenantree::NewNode::new("client", format!("c{i:04}")).parent(platform)).collect();
    h.api
        .store()
        .write(&tenantree::Actor::system(), |tx| nodes.iter().try_for_each(|n| tx.create_node(n).map(|_| ())))
        .unwrap();
    let names = |list: &serde_json::Value| -> Vec<String> {
        list["results"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
    };
    let all = h.expect(200, "GET", "/clients?limit=5000", ADMIN, None);
    assert_eq!(all["total"], 1003);
    let expected: Vec<String> = (0..1003).map(|i| format!("c{i:04}")).collect();
    assert_eq!(names(&all), expected);
    let page = h.expect(200, "GET", "/clients?offset=999&limit=1002", ADMIN, None);
    assert_eq!((page["total"].clone(), names(&page)), (json!(1003), expected[999..].to_vec()));
    let page = h.expect(200, "GET", "/clients?offset=2&limit=1000", ADMIN, None);
    assert_eq!(names(&page), expected[2..1002].to_vec());
    let none = h.expect(200, "GET", "/clients?limit=0", ADMIN, None);
    assert_eq!((none["total"].clone(), none["results"].clone()), (json!(1003), json!([])));
    let past = h.expect(200, "GET", "/clients?offset=2000&limit=10", ADMIN, None);
    assert_eq!((past["total"].clone(), past["results"].clone()), (json!(1003), json!([])));
}
