//! 003: Fusion DRaaS resellers, every endpoint with its documented example.

use serde_json::{Value, json};

use crate::support::*;

const BASE: &str = "/api/v01/draas/default/resellers";

/// A top-level group and a distributor under the platform root; their ids.
fn owners(h: &H) -> (String, String) {
    let group = h.node("group", "Netaxis Group", None);
    let dist = h.node("distributor", "Netaxis NL Distributor", Some(&h.platform()));
    (group, dist)
}

fn create(h: &H, token: &str, body: Value) -> String {
    let r = h.expect(200, "POST", BASE, token, Some(body));
    assert_eq!(keys(&r), ["uuid"]);
    r["uuid"].as_str().unwrap().to_owned()
}

#[test]
fn create_get_update_and_delete_as_documented() {
    let h = harness();
    let (group, dist) = owners(&h);
    // 003's create example names an owner of type "reseller" (its uuid is the
    // "Distributor-less reseller NL 1" of the list example) and answers 200 {"uuid"}: the new
    // reseller is served by that reseller's own owner, resellers do not nest.
    let nl1 =
        create(&h, ADMIN, json!({"name": "Distributor-less reseller NL 1", "owner": {"type": "group", "uuid": group}}));
    let example = json!({
      "name": "Reseller Test",
      "owner": {"type": "reseller", "uuid": nl1},
      "billingId": "cloudblue::distributor::28",
      "markup": 5.0,
      "adminEmail": "john.doe@netaxis.be"
    });
    let via = create(&h, ADMIN, example.clone());
    let node = h.expect(200, "GET", &format!("/v1/nodes/{via}"), ADMIN, None);
    assert_eq!(node["parent"], json!(group));
    let got = h.expect(200, "GET", &format!("{BASE}/{via}"), ADMIN, None);
    assert_eq!(
        (got["name"].as_str(), got["billingId"].as_str()),
        (Some("Reseller Test"), Some("cloudblue::distributor::28"))
    );
    h.expect(204, "DELETE", &format!("{BASE}/{via}/admins/john.doe@netaxis.be"), ADMIN, None);
    h.expect(200, "DELETE", &format!("{BASE}/{via}"), ADMIN, None);
    // A first-level partner is a reseller to 003 too: type "reseller" with a distributor's uuid.
    let first = create(&h, ADMIN, json!({"name": "Under dist", "owner": {"type": "reseller", "uuid": dist}}));
    assert_eq!(h.expect(200, "GET", &format!("/v1/nodes/{first}"), ADMIN, None)["parent"], json!(dist));
    // Other types, and a uuid of another kind, are refused naming the field.
    for owner in [json!({"type": "tenant", "uuid": dist}), json!({"type": "reseller", "uuid": group})] {
        let r = h.call("POST", BASE, Some(ADMIN), Some(json!({"name": "Refused", "owner": owner})));
        error_code(&r, 400, "INVALID_ARGUMENT");
        assert_eq!(r.body.unwrap()["details"]["field"], "owner.type");
    }
    // With a distributor owner it creates the reseller, its markup and its admin.
    let mut example = example;
    example["owner"] = json!({"type": "distributor", "uuid": dist});
    let uuid = create(&h, ADMIN, example);

    let got = h.expect(200, "GET", &format!("{BASE}/{uuid}"), ADMIN, None);
    assert_eq!(keys(&got), ["billingId", "markups", "name", "nbOfTenants", "owner", "status", "uuid"]);
    assert_eq!(got["name"], "Reseller Test");
    assert_eq!(got["billingId"], "cloudblue::distributor::28");
    assert_eq!(got["owner"], json!({"type": "distributor", "uuid": dist, "name": "Netaxis NL Distributor"}));
    assert_eq!(got["nbOfTenants"], 0);
    assert_eq!(got["status"], "active");
    assert_eq!(got["markups"].as_array().unwrap().len(), 1);
    assert_eq!(keys(&got["markups"][0]), ["markup", "startDate"]);
    let start = got["markups"][0]["startDate"].as_str().unwrap();
    assert!(start.len() >= 19 && !start.ends_with('Z') && start.contains('T'), "{start}");
    // The admin exists: its e-mail is its username; a welcome message is queued.
    let outbox = h.expect(200, "GET", "/v1/outbox", ADMIN, None);
    assert!(outbox.to_string().contains("john.doe@netaxis.be"), "{outbox}");

    // PUT example: {"markup": 12.3} -> {"uuid"}; the history grows, newest first.
    let r = h.expect(200, "PUT", &format!("{BASE}/{uuid}"), ADMIN, Some(json!({"markup": 12.3})));
    assert_eq!(r, json!({"uuid": uuid}));
    let got = h.expect(200, "GET", &format!("{BASE}/{uuid}"), ADMIN, None);
    let markups = got["markups"].as_array().unwrap();
    assert_eq!(markups.len(), 2);
    assert_eq!(markups[0]["markup"], "12.3");
    assert_eq!(markups[1]["markup"], "5.0");
    h.expect(200, "PUT", &format!("{BASE}/{uuid}"), ADMIN, Some(json!({"name": "Renamed", "billingId": "b-2"})));
    let got = h.expect(200, "GET", &format!("{BASE}/{uuid}"), ADMIN, None);
    assert_eq!((got["name"].as_str(), got["billingId"].as_str()), (Some("Renamed"), Some("b-2")));
    let r =
        h.call("PUT", &format!("{BASE}/{uuid}"), Some(ADMIN), Some(json!({"owner": {"type": "group", "uuid": group}})));
    error_code(&r, 400, "INVALID_ARGUMENT");

    // A reseller owned by a group has no owner in its details.
    let in_group = create(&h, ADMIN, json!({"name": "Grouped", "owner": {"type": "group", "uuid": group}}));
    let got = h.expect(200, "GET", &format!("{BASE}/{in_group}"), ADMIN, None);
    assert!(got.get("owner").is_none(), "{got}");
    // No billing id set: it reads "", a string as 003 types it, in the details and the list.
    assert_eq!(got["billingId"], "");
    let list = h.expect(200, "GET", &format!("{BASE}?parent={group}"), ADMIN, None);
    let item = list["resellers"].as_array().unwrap().iter().find(|r| r["uuid"] == json!(in_group)).unwrap().clone();
    assert_eq!(item["billingId"], "");

    // Delete: not while it has tenants; then 200 {"uuid"}; a missing one is 200 too.
    let tenant = h.node("tenant", "T1", Some(&uuid));
    let got = h.expect(200, "GET", &format!("{BASE}/{uuid}"), ADMIN, None);
    assert_eq!(got["nbOfTenants"], 1);
    let r = h.call("DELETE", &format!("{BASE}/{uuid}"), Some(ADMIN), None);
    error_code(&r, 400, "STILL_IN_USE");
    h.expect(200, "DELETE", &format!("/v1/nodes/{tenant}"), ADMIN, None);
    let r = h.expect(200, "DELETE", &format!("{BASE}/{uuid}"), ADMIN, None);
    assert_eq!(r, json!({"uuid": uuid}));
    let r = h.call("GET", &format!("{BASE}/{uuid}"), Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.expect(200, "DELETE", &format!("{BASE}/{uuid}"), ADMIN, None);
    assert_eq!(r, json!({"uuid": uuid}));

    // Creation errors: no name; no owner from a system administrator; an unknown owner.
    let r = h.call("POST", BASE, Some(ADMIN), Some(json!({"owner": {"type": "group", "uuid": group}})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call("POST", BASE, Some(ADMIN), Some(json!({"name": "No owner"})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call(
        "POST",
        BASE,
        Some(ADMIN),
        Some(json!({"name": "x", "owner": {"type": "group", "uuid": "00000000-0000-4000-8000-000000000000"}})),
    );
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call(
        "POST",
        BASE,
        Some(ADMIN),
        Some(json!({"name": "x", "owner": {"type": "group", "uuid": group}, "markup": "lots"})),
    );
    error_code(&r, 400, "INVALID_ARGUMENT");
}

#[test]
fn list_with_parent_search_sort_and_cursor_paging() {
    let h = harness();
    let (group, dist) = owners(&h);
    for (name, billing) in [("Alpha", "b-3"), ("bravo", "b-1"), ("Charlie", "b-2")] {
        create(
            &h,
            ADMIN,
            json!({"name": name, "billingId": billing, "markup": 20.0, "owner": {"type": "distributor", "uuid": dist}}),
        );
    }
    create(&h, ADMIN, json!({"name": "Delta", "owner": {"type": "group", "uuid": group}}));

    // A system administrator must give the parent.
    let r = h.call("GET", BASE, Some(ADMIN), None);
    error_code(&r, 400, "INVALID_ARGUMENT");
    assert_eq!(r.body.unwrap()["details"]["field"], "parent");

    let list = h.expect(200, "GET", &format!("{BASE}?parent={dist}"), ADMIN, None);
    assert_eq!(keys(&list), ["page", "pages", "resellers", "results"]);
    assert_eq!((list["results"].clone(), list["pages"].clone(), list["page"].clone()), (json!(3), json!(1), json!(1)));
    let first = &list["resellers"][0];
    assert_eq!(keys(first), ["billingId", "markup", "name", "owner", "status", "uuid"]);
    assert_eq!(first["markup"], 20.0);
    assert_eq!(first["owner"]["type"], "distributor");
    let names: Vec<&str> = list["resellers"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Alpha", "bravo", "Charlie"], "sorted by name, ignoring case");

    // A listing that finds no reseller is 404, "no reseller found" (so is a search that matches none).
    let empty = h.node("distributor", "Empty", Some(&h.platform()));
    let r = h.call("GET", &format!("{BASE}?parent={empty}"), Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("GET", &format!("{BASE}?parent={group}&search=nothing-like-it"), Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");

    // Under a group: no owner in the items.
    let grouped = h.expect(200, "GET", &format!("{BASE}?parent={group}"), ADMIN, None);
    assert_eq!(grouped["results"], 1);
    assert!(grouped["resellers"][0].get("owner").is_none());

    // search (name or billingId), sort, dir.
    let s = h.expect(200, "GET", &format!("{BASE}?parent={dist}&search=RAV"), ADMIN, None);
    assert_eq!(s["results"], 1);
    let s = h.expect(200, "GET", &format!("{BASE}?parent={dist}&search=b-2"), ADMIN, None);
    assert_eq!(s["resellers"][0]["name"], "Charlie");
    let s = h.expect(200, "GET", &format!("{BASE}?parent={dist}&sort=billingId&dir=desc"), ADMIN, None);
    let billing: Vec<&str> =
        s["resellers"].as_array().unwrap().iter().map(|r| r["billingId"].as_str().unwrap()).collect();
    assert_eq!(billing, ["b-3", "b-2", "b-1"]);

    // page_size and next: the token carries the query, so it may be passed alone.
    let p1 = h.expect(200, "GET", &format!("{BASE}?parent={dist}&page_size=2"), ADMIN, None);
    assert_eq!((p1["pages"].clone(), p1["page"].clone()), (json!(2), json!(1)));
    assert_eq!(p1["resellers"].as_array().unwrap().len(), 2);
    let next = p1["next"].as_str().unwrap();
    let p2 = h.expect(200, "GET", &format!("{BASE}?next={next}"), ADMIN, None);
    assert_eq!(p2["page"], 2);
    assert_eq!(p2["resellers"].as_array().unwrap().len(), 1);
    assert_eq!(p2["resellers"][0]["name"], "Charlie");
    assert!(p2.get("next").is_none(), "the last page has no next");

    // A token in 003's own form (its example decodes to `parent=...&page=2`) works too.
    use base64::Engine as _;
    let doc_token = base64::engine::general_purpose::STANDARD.encode(format!("parent={dist}&page=2&page_size=2"));
    let p2 = h.expect(200, "GET", &format!("{BASE}?next={doc_token}"), ADMIN, None);
    assert_eq!(p2["page"], 2);
    assert_eq!(p2["resellers"][0]["name"], "Charlie");

    // Bad parameters.
    for q in ["sort=colour", "dir=up", "page_size=0", "page_size=x", "next=%%%"] {
        let r = h.call("GET", &format!("{BASE}?parent={dist}&{q}"), Some(ADMIN), None);
        error_code(&r, 400, "INVALID_ARGUMENT");
    }
    let r = h.call("GET", &format!("{BASE}?parent=00000000-0000-4000-8000-000000000000"), Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
    // Another instance is 404.
    let r = h.call("GET", &format!("/api/v01/draas/other/resellers?parent={dist}"), Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
}

#[test]
fn a_group_serves_its_own_resellers_and_its_distributors() {
    // 003's list example: one `parent`, a distributor-less reseller and one whose owner is a
    // distributor.
    let h = harness();
    let group = h.node("group", "Netaxis Group", None);
    let dist = h.node("distributor", "Netaxis NL Distributor", Some(&group));
    let other = h.node("distributor", "Elsewhere", Some(&h.platform()));
    create(
        &h,
        ADMIN,
        json!({"name": "Distributor-less reseller NL 1", "billingId": "b-2", "owner": {"type": "group", "uuid": group}}),
    );
    create(
        &h,
        ADMIN,
        json!({"name": "Netaxis NL Reseller 1", "billingId": "b-1", "owner": {"type": "distributor", "uuid": dist}}),
    );
    create(&h, ADMIN, json!({"name": "another", "billingId": "b-3", "owner": {"type": "distributor", "uuid": dist}}));
    create(&h, ADMIN, json!({"name": "Not served", "owner": {"type": "distributor", "uuid": other}}));
    let names = |list: &Value| -> Vec<String> {
        list["resellers"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect()
    };
    let list = h.expect(200, "GET", &format!("{BASE}?parent={group}"), ADMIN, None);
    assert_eq!(list["results"], 3);
    assert_eq!(names(&list), ["another", "Distributor-less reseller NL 1", "Netaxis NL Reseller 1"]);
    assert!(list["resellers"][1].get("owner").is_none(), "{list}");
    for i in [0, 2] {
        assert_eq!(
            list["resellers"][i]["owner"],
            json!({"type": "distributor", "uuid": dist, "name": "Netaxis NL Distributor"})
        );
    }
    // Sorted and paged across them, the token carrying the query.
    let desc = h.expect(200, "GET", &format!("{BASE}?parent={group}&dir=desc&page_size=2"), ADMIN, None);
    assert_eq!(
        (desc["pages"].clone(), names(&desc)),
        (json!(2), vec!["Netaxis NL Reseller 1".to_owned(), "Distributor-less reseller NL 1".to_owned()])
    );
    let next = desc["next"].as_str().unwrap();
    let rest = h.expect(200, "GET", &format!("{BASE}?next={next}"), ADMIN, None);
    assert_eq!((rest["page"].clone(), names(&rest)), (json!(2), vec!["another".to_owned()]));
    assert!(rest.get("next").is_none());
    let found = h.expect(200, "GET", &format!("{BASE}?parent={group}&search=netaxis"), ADMIN, None);
    assert_eq!(names(&found), ["Netaxis NL Reseller 1"]);
    // By creation (the order they were made above) and by billing id, across them too.
    let created = h.expect(200, "GET", &format!("{BASE}?parent={group}&sort=created&dir=desc"), ADMIN, None);
    assert_eq!(names(&created), ["another", "Netaxis NL Reseller 1", "Distributor-less reseller NL 1"]);
    let billed = h.expect(200, "GET", &format!("{BASE}?parent={group}&sort=billingId"), ADMIN, None);
    assert_eq!(names(&billed), ["Netaxis NL Reseller 1", "Distributor-less reseller NL 1", "another"]);
    // A distributor still serves its own alone; an account bound to the group sees all three.
    assert_eq!(h.expect(200, "GET", &format!("{BASE}?parent={dist}"), ADMIN, None)["results"], 2);
    let group_admin = h.account("ops@group.example", &group, "distributor_admin");
    assert_eq!(names(&h.expect(200, "GET", BASE, &group_admin, None)), names(&list));
}

#[test]
fn a_distributor_admin_creates_under_its_home_and_a_reseller_sees_itself() {
    let h = harness();
    let (_, dist) = owners(&h);
    let dist_admin = h.account("ops@dist.example", &dist, "distributor_admin");
    // No owner: under the caller's own level.
    let uuid = create(&h, &dist_admin, json!({"name": "Mine"}));
    let list = h.expect(200, "GET", BASE, &dist_admin, None);
    assert_eq!(list["results"], 1);
    assert_eq!(list["resellers"][0]["owner"]["uuid"], dist.as_str());
    // A reseller's admin lists its reseller alone.
    let res_admin = h.account("ops@mine.example", &uuid, "reseller_admin");
    let own = h.expect(200, "GET", BASE, &res_admin, None);
    assert_eq!(own["results"], 1);
    assert_eq!(own["resellers"][0]["uuid"], uuid.as_str());
    // Roles: a tenant user may not create resellers (403).
    let tenant = h.node("tenant", "T", Some(&uuid));
    let user = h.account("user@t.example", &tenant, "tenant_user");
    let r = h.call("POST", BASE, Some(&user), Some(json!({"name": "Nope"})));
    assert_eq!(r.status, 403, "{:?}", r.body);
    // A reseller admin may not delete its own reseller.
    let r = h.call("DELETE", &format!("{BASE}/{uuid}"), Some(&res_admin), None);
    error_code(&r, 403, "FORBIDDEN");
}

#[test]
fn suspension_profile_and_admins_as_documented() {
    let h = harness();
    let (group, _) = owners(&h);
    let uuid = create(&h, ADMIN, json!({"name": "R", "owner": {"type": "group", "uuid": group}}));

    // Suspension: a profile index suspends, null (003's example) removes it.
    let r = h.expect(
        200,
        "PUT",
        &format!("{BASE}/{uuid}/suspension_profile"),
        ADMIN,
        Some(json!({"suspensionProfileId": 2})),
    );
    assert_eq!(r, json!({"uuid": uuid}));
    assert_eq!(h.expect(200, "GET", &format!("{BASE}/{uuid}"), ADMIN, None)["status"], "suspended");
    h.expect(
        200,
        "PUT",
        &format!("{BASE}/{uuid}/suspension_profile"),
        ADMIN,
        Some(json!({"suspensionProfileId": null})),
    );
    assert_eq!(h.expect(200, "GET", &format!("{BASE}/{uuid}"), ADMIN, None)["status"], "active");
    let r = h.call("PUT", &format!("{BASE}/{uuid}/suspension_profile"), Some(ADMIN), Some(json!({})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call(
        "PUT",
        &format!("{BASE}/{uuid}/suspension_profile"),
        Some(ADMIN),
        Some(json!({"suspensionProfileId": "x"})),
    );
    error_code(&r, 400, "INVALID_ARGUMENT");

    // Admins: create (example), duplicate e-mail 400, modify (example), welcome (example), delete 204.
    let example =
        json!({"adminEmail": "john.doe@netaxis.be", "firstName": "John", "lastName": "Doe", "mobile": "+33613575607"});
    let created = h.expect(200, "POST", &format!("{BASE}/{uuid}/admins"), ADMIN, Some(example.clone()));
    assert_eq!(keys(&created), ["id"]);
    assert!(created["id"].is_u64(), "{created}");
    let r = h.call("POST", &format!("{BASE}/{uuid}/admins"), Some(ADMIN), Some(example.clone()));
    assert_eq!(r.status, 400, "the e-mail already exists: {:?}", r.body);
    let r = h.call("POST", &format!("{BASE}/{uuid}/admins"), Some(ADMIN), Some(json!({"adminEmail": "not-mail"})));
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call("POST", &format!("{BASE}/{uuid}/admins"), Some(ADMIN), Some(json!({})));
    error_code(&r, 400, "INVALID_ARGUMENT");

    let modified =
        h.expect(200, "PUT", &format!("{BASE}/{uuid}/admins/john.doe@netaxis.be"), ADMIN, Some(example.clone()));
    assert_eq!(modified, created);
    let with_reset = json!({"adminEmail": "john.doe@netaxis.be", "lastName": "Dough", "force_reset": true});
    h.expect(200, "PUT", &format!("{BASE}/{uuid}/admins/john.doe@netaxis.be"), ADMIN, Some(with_reset));
    let r = h.call(
        "PUT",
        &format!("{BASE}/{uuid}/admins/john.doe@netaxis.be"),
        Some(ADMIN),
        Some(json!({"adminEmail": "x@y.example"})),
    );
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call(
        "PUT",
        &format!("{BASE}/{uuid}/admins/nobody@netaxis.be"),
        Some(ADMIN),
        Some(json!({"adminEmail": "nobody@netaxis.be"})),
    );
    // 003 lists 400 "error while modifying the administrator account", and no 404.
    error_code(&r, 400, "INVALID_ARGUMENT");
    assert_eq!(r.body.unwrap()["details"]["field"], "adminEmail");

    let before = h.expect(200, "GET", "/v1/outbox", ADMIN, None)["messages"].as_array().unwrap().len();
    let r = h.call(
        "POST",
        &format!("{BASE}/{uuid}/admins/welcome"),
        Some(ADMIN),
        Some(json!({"adminEmail": "john.doe@netaxis.be"})),
    );
    assert_eq!((r.status, r.body), (200, None));
    let after = h.expect(200, "GET", "/v1/outbox", ADMIN, None)["messages"].as_array().unwrap().len();
    assert_eq!(after, before + 1);
    let r = h.call(
        "POST",
        &format!("{BASE}/{uuid}/admins/welcome"),
        Some(ADMIN),
        Some(json!({"adminEmail": "nobody@netaxis.be"})),
    );
    // 003 lists 400 "error while sending the welcome email", and no 404.
    error_code(&r, 400, "INVALID_ARGUMENT");
    assert_eq!(r.body.unwrap()["details"]["field"], "adminEmail");

    let r = h.call("DELETE", &format!("{BASE}/{uuid}/admins/john.doe@netaxis.be"), Some(ADMIN), None);
    assert_eq!((r.status, r.body), (204, None));
    let r = h.call("DELETE", &format!("{BASE}/{uuid}/admins/john.doe@netaxis.be"), Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
    let r = h.call("POST", &format!("{BASE}/00000000-0000-4000-8000-000000000000/admins"), Some(ADMIN), Some(example));
    error_code(&r, 404, "NOT_FOUND");
}

#[test]
fn voice_routing_lists_of_the_owner_group() {
    let h = harness();
    let (group, _) = owners(&h);
    let uuid = create(&h, ADMIN, json!({"name": "R", "owner": {"type": "group", "uuid": group}}));
    let vr = |c: &str| format!("/v1/nodes/{group}/voice-routing/{c}");
    h.expect(201, "POST", &vr("pstn_usages"), ADMIN, Some(json!({"id": 21, "name": "PSTN Test name"})));
    h.expect(201, "POST", &vr("pstn_usages"), ADMIN, Some(json!({"id": 8, "name": "PSTN-Usage-DRAAS"})));
    h.expect(
        201,
        "POST",
        &vr("voice_routes"),
        ADMIN,
        Some(json!({"id": 7, "name": "VR-DRaaS", "pattern": ".*", "priority": 1, "pstnUsages": []})),
    );
    h.expect(
        201,
        "POST",
        &vr("voice_routes"),
        ADMIN,
        Some(json!({"id": 21, "name": "VR-DRaaS New", "pattern": ".*", "priority": 5, "pstnUsages": [8, 21]})),
    );
    h.expect(
        201,
        "POST",
        &vr("voice_routing_policies"),
        ADMIN,
        Some(json!({"id": 7, "name": "World-DRaaS", "pstnUsages": [8, 21]})),
    );
    let r = h.call(
        "POST",
        &vr("voice_routes"),
        Some(ADMIN),
        Some(json!({"name": "bad", "pattern": ".*", "priority": 1, "pstnUsages": [99]})),
    );
    assert_eq!(r.status, 400, "{:?}", r.body);
    let r = h.call("DELETE", &format!("{}/8", vr("pstn_usages")), Some(ADMIN), None);
    error_code(&r, 400, "STILL_IN_USE");

    let base = format!("{BASE}/{uuid}/configurations/voice_routing");
    // 003's example, in its order: by name, the default.
    let usages = h.expect(200, "GET", &format!("{base}/pstn_usages"), ADMIN, None);
    assert_eq!(
        usages,
        json!({"page": 1, "pageSize": 10, "pages": 1, "results": 2,
               "pstnUsages": [{"id": 21, "name": "PSTN Test name"}, {"id": 8, "name": "PSTN-Usage-DRAAS"}]})
    );
    let by_id = h.expect(200, "GET", &format!("{base}/pstn_usages?sort=id"), ADMIN, None);
    assert_eq!((by_id["pstnUsages"][0]["id"].clone(), by_id["pstnUsages"][1]["id"].clone()), (json!(8), json!(21)));
    assert_eq!(h.expect(200, "GET", &format!("{base}/pstn_usages?sort=id&dir=desc"), ADMIN, None), usages);
    let routes = h.expect(200, "GET", &format!("{base}/voice_routes"), ADMIN, None);
    assert_eq!(keys(&routes), ["page", "pageSize", "pages", "results", "voiceRoutes"]);
    assert_eq!(
        routes["voiceRoutes"][0],
        json!({"id": 7, "name": "VR-DRaaS", "pattern": ".*", "priority": 1, "pstnUsages": []})
    );
    assert_eq!(
        routes["voiceRoutes"][1]["pstnUsages"],
        json!([{"id": 8, "name": "PSTN-Usage-DRAAS"}, {"id": 21, "name": "PSTN Test name"}])
    );
    let policies = h.expect(200, "GET", &format!("{base}/voice_routing_policies"), ADMIN, None);
    assert_eq!(keys(&policies), ["page", "pageSize", "pages", "results", "voiceRoutingPolicies"]);
    assert_eq!(policies["results"], 1);
    assert_eq!(policies["voiceRoutingPolicies"][0]["name"], "World-DRaaS");

    // search, page, page_size and next.
    let s = h.expect(200, "GET", &format!("{base}/pstn_usages?search=draas"), ADMIN, None);
    assert_eq!(s["results"], 1);
    let p1 = h.expect(200, "GET", &format!("{base}/pstn_usages?page_size=1"), ADMIN, None);
    assert_eq!((p1["pages"].clone(), p1["pstnUsages"][0]["id"].clone()), (json!(2), json!(21)));
    let p2 = h.expect(200, "GET", &format!("{base}/pstn_usages?next={}", p1["next"].as_str().unwrap()), ADMIN, None);
    assert_eq!((p2["page"].clone(), p2["pstnUsages"][0]["id"].clone()), (json!(2), json!(8)));
    let p2 = h.expect(200, "GET", &format!("{base}/pstn_usages?page=2&page_size=1"), ADMIN, None);
    assert_eq!(p2["pstnUsages"][0]["id"], 8);
    let r = h.call("GET", &format!("{base}/trunks"), Some(ADMIN), None);
    assert!(r.status == 400 || r.status == 404, "{:?}", r.body);
    let r = h.call("GET", &format!("{base}/pstn_usages?sort=priority"), Some(ADMIN), None);
    error_code(&r, 400, "INVALID_ARGUMENT");
    // No match: 404, "no pstn usage found".
    let r = h.call("GET", &format!("{base}/pstn_usages?search=nothing-like-it"), Some(ADMIN), None);
    error_code(&r, 404, "NOT_FOUND");
}

#[test]
fn general_configuration_with_upsert_replace_delete_and_masking() {
    let h = harness();
    let (group, _) = owners(&h);
    let uuid = create(&h, ADMIN, json!({"name": "R", "owner": {"type": "group", "uuid": group}}));
    let url = format!("{BASE}/{uuid}/configurations/general");

    let r = h.call("POST", &url, Some(ADMIN), Some(json!({"properties": {"max_calls": 30}})));
    assert_eq!((r.status, r.body), (204, None));
    assert_eq!(h.expect(200, "GET", &url, ADMIN, None), json!({"properties": {"max_calls": 30}}));
    let r = h.call("PUT", &url, Some(ADMIN), Some(json!({"properties": {"max_calls": 25}})));
    assert_eq!(r.status, 204);
    assert_eq!(h.expect(200, "GET", &url, ADMIN, None), json!({"properties": {"max_calls": 25}}));

    h.expect(
        204,
        "POST",
        &url,
        ADMIN,
        Some(json!({"properties": {
            "prop_1": "a", "prop_2": "b", "sip_password": "hunter2", "api_token": "t0k",
            "smtp": {"host": "mail.example", "Password": "pw"},
        }})),
    );
    let some = h.expect(200, "GET", &format!("{url}?keys=prop_1,max_calls"), ADMIN, None);
    assert_eq!(some, json!({"properties": {"max_calls": 25, "prop_1": "a"}}));
    let found = h.expect(200, "GET", &format!("{url}?search=prop"), ADMIN, None);
    assert_eq!(keys(&found["properties"]), ["prop_1", "prop_2"]);

    // Keys containing password or token read masked to every caller: the system administrator
    // (who may read secrets in clear through /v1) ...
    let masked = h.expect(200, "GET", &url, ADMIN, None);
    assert_eq!(masked["properties"]["sip_password"], "********");
    assert_eq!(masked["properties"]["api_token"], "********");
    assert_eq!(masked["properties"]["smtp"], json!({"host": "mail.example", "Password": "********"}));
    assert_eq!(masked["properties"]["prop_1"], "a");
    // The masked document written back keeps the secrets (the system reads them in clear
    // through /v1).
    h.expect(204, "PUT", &url, ADMIN, Some(json!({"properties": masked["properties"].clone()})));
    let clear = h.expect(200, "GET", &format!("/v1/nodes/{uuid}/properties/general"), ADMIN, None);
    assert_eq!(clear["properties"]["sip_password"], "hunter2");
    assert_eq!(clear["properties"]["smtp"]["Password"], "pw");
    // ... and a reseller admin.
    let admin = h.account("ops@r.example", &uuid, "reseller_admin");
    let masked = h.expect(200, "GET", &url, &admin, None);
    assert_eq!(masked["properties"]["sip_password"], "********");
    assert_eq!(masked["properties"]["api_token"], "********");
    assert_eq!(masked["properties"]["prop_1"], "a");

    let r = h.call("DELETE", &url, Some(ADMIN), Some(json!({"keys": ["prop_1", "prop_2", "prop_x", "smtp"]})));
    assert_eq!((r.status, r.body), (204, None));
    let left = h.expect(200, "GET", &url, ADMIN, None);
    assert_eq!(keys(&left["properties"]), ["api_token", "max_calls", "sip_password"]);

    for (method, body) in [
        ("POST", json!({})),
        ("POST", json!({"properties": [1]})),
        ("PUT", json!({"properties": "x"})),
        ("DELETE", json!({"keys": "prop_1"})),
    ] {
        let r = h.call(method, &url, Some(ADMIN), Some(body));
        error_code(&r, 400, "INVALID_ARGUMENT");
    }
    let r = h.call(
        "GET",
        &format!("{BASE}/00000000-0000-4000-8000-000000000000/configurations/general"),
        Some(ADMIN),
        None,
    );
    error_code(&r, 404, "NOT_FOUND");
}

#[test]
fn branding_general_pages_and_styling_as_documented() {
    let h = harness();
    let (group, _) = owners(&h);
    let uuid = create(&h, ADMIN, json!({"name": "R", "owner": {"type": "group", "uuid": group}}));
    let conf = format!("{BASE}/{uuid}/configurations");

    // Branding general: `{}` until set.
    assert_eq!(h.expect(200, "GET", &format!("{conf}/branding/general"), ADMIN, None), json!({}));
    h.expect(204, "PUT", &format!("{conf}/branding/general"), ADMIN, Some(json!({"title": "Acme", "color": "blue"})));
    assert_eq!(
        h.expect(200, "GET", &format!("{conf}/branding/general?keys=title"), ADMIN, None),
        json!({"title": "Acme"})
    );
    assert_eq!(
        h.expect(200, "GET", &format!("{conf}/branding/general?keys=title&full=true"), ADMIN, None)["color"],
        "blue"
    );

    // 003's branding-general update example: `{}` at `/configurations/general`.
    let r = h.call("PUT", &format!("{conf}/general"), Some(ADMIN), Some(json!({})));
    assert_eq!((r.status, r.body), (204, None));
    assert_eq!(h.expect(200, "GET", &format!("{conf}/branding/general"), ADMIN, None), json!({}));
    h.expect(204, "PUT", &format!("{conf}/general"), ADMIN, Some(json!({"title": "Again"})));
    assert_eq!(h.expect(200, "GET", &format!("{conf}/branding/general"), ADMIN, None), json!({"title": "Again"}));
    assert_eq!(h.expect(200, "GET", &format!("{conf}/general"), ADMIN, None), json!({"properties": {}}));

    // Pages: 003's example, at the documented update path.
    let pages = json!({
        "reseller": {"resellerAdmins": {"enabled": true}, "resellerLicenseConsumption": {"enabled": false},
                     "resellerProfile": {"enabled": false}, "resellerRatePlan": {"enabled": true},
                     "resellerTenants": {"enabled": true}},
        "subscription": {"subscriptionNumbers": {"tabs": {"myNumbers": {"enabled": true}, "porting": {"enabled": true},
                         "releasedNumbers": {"enabled": true}, "reservedNumbers": {"enabled": true}}}},
        "tenant": {"tenantAdmins": {"enabled": true}, "tenantOrders": {"enabled": true}, "tenantProfile": {"enabled": true},
                   "tenantRatePlan": {"enabled": true}, "tenantSubscriptions": {"enabled": true}}
    });
    let r = h.call("PUT", &format!("{conf}/pages"), Some(ADMIN), Some(pages.clone()));
    assert_eq!((r.status, r.body), (204, None));
    assert_eq!(h.expect(200, "GET", &format!("{conf}/branding/pages"), ADMIN, None), pages);

    // Styling: the three examples, PUT at `/configurations/pages` with a type, read by type.
    let font = json!({"allowed": ["Avenir Next Cyr", "Roboto", "Ubuntu", "Montserrat"], "name": "Avenir Next Cyr"});
    let image = json!({"favicon": "/branding/default/favicon/favicon.ico",
        "login": {"bg": "/branding/default/img/Loginbackground.png", "logo": "/branding/default/img/LoginLogo.svg"},
        "main": {"bg": "/branding/default/img/MainBackground.png", "logo": "/branding/default/img/Logo.svg"}});
    let theme = json!({"allowed": ["blue", "red", "green"], "selected": "red",
        "themes": {"blue": "/branding/default/theme.blue.json", "green": "/branding/default/theme.green.json",
                   "red": "/branding/default/theme.red.json"}});
    for (kind, value) in [("font", &font), ("image", &image), ("theme", &theme)] {
        let mut body = value.clone();
        body["type"] = json!(kind);
        let r = h.call("PUT", &format!("{conf}/pages"), Some(ADMIN), Some(body));
        assert_eq!(r.status, 204, "{kind}: {:?}", r.body);
        assert_eq!(h.expect(200, "GET", &format!("{conf}/branding/styling?type={kind}"), ADMIN, None), *value);
    }
    // Pages were not touched by the styling updates.
    assert_eq!(h.expect(200, "GET", &format!("{conf}/branding/pages"), ADMIN, None), pages);
    let mut blue = theme.clone();
    blue["selected"] = json!("blue");
    blue["type"] = json!("theme");
    h.expect(204, "PUT", &format!("{conf}/branding/styling"), ADMIN, Some(blue));
    assert_eq!(
        h.expect(200, "GET", &format!("{conf}/branding/styling?type=theme&keys=selected"), ADMIN, None),
        json!({"selected": "blue"})
    );

    let r = h.call("GET", &format!("{conf}/branding/styling"), Some(ADMIN), None);
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call("GET", &format!("{conf}/branding/styling?type=sound"), Some(ADMIN), None);
    error_code(&r, 400, "INVALID_ARGUMENT");
    let r = h.call("PUT", &format!("{conf}/branding/styling"), Some(ADMIN), Some(json!({"name": "x"})));
    error_code(&r, 400, "INVALID_ARGUMENT");
}
