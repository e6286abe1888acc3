//! Every limit the README lists, at its boundary: the largest allowed value is accepted, one
//! more is refused with the documented code (and, for fields, the field's name).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;

use tenantree::{
    Actor, Blocker, ChildQuery, Decimal, Error, ManualClock, NewAccount, NewNode, NewToken, Node, NodeUpdate,
    PasswordParams, Preset, Role, Schema, SnapshotFormat, Store, Timestamp, limits,
};

fn store(preset: Preset) -> Store {
    Store::builder()
        .preset(preset)
        .clock(ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000)))
        .password_params(PasswordParams::fast())
        .in_memory()
        .unwrap()
}

/// A channel store with a platform, a distributor and a tenant.
fn tree() -> (Store, Node, Node) {
    let s = store(Preset::Channel);
    let sys = Actor::system();
    let root = s.create_node(&sys, NewNode::new("platform", "acme")).unwrap();
    let dist = s.create_node(&sys, NewNode::new("distributor", "north").parent(root.id)).unwrap();
    let tenant = s.create_node(&sys, NewNode::new("tenant", "alpha").parent(dist.id)).unwrap();
    (s, dist, tenant)
}

/// `at` must be accepted, `over` refused with `code` naming `field`.
#[track_caller]
fn boundary<A, B>(what: &str, at: Result<A, Error>, over: Result<B, Error>, code: &str, field: &str) {
    if let Err(e) = at {
        panic!("{what}: the limit itself is refused: {e}");
    }
    let Err(e) = over else { panic!("{what}: one past the limit is accepted") };
    let e = e.root().clone();
    assert_eq!(e.code(), code, "{what}: {e}");
    if let Error::InvalidArgument { field: f, .. } = &e {
        assert!(f.contains(field), "{what}: the error names {f:?}, not {field:?}");
    }
}

fn text(n: usize) -> String {
    "x".repeat(n)
}

#[test]
fn profile_fields() {
    let (s, _, t) = tree();
    let sys = Actor::system();
    let upd = |f: &dyn Fn(&mut NodeUpdate)| {
        let mut u = NodeUpdate::default();
        f(&mut u);
        s.update_node(&sys, t.id, &u)
    };
    // A 60-character local part and a domain of 30-character labels, `n` characters in all.
    let email = |n: usize| {
        let domain: String = (0..n - 65).map(|i| if i % 30 == 29 { '.' } else { 'd' }).collect();
        Some(Some(format!("{}@{domain}.com", "e".repeat(60))))
    };
    boundary("e-mail", upd(&|u| u.email = email(128)), upd(&|u| u.email = email(129)), "INVALID_ARGUMENT", "email");
    for (field, max, set) in [
        ("displayName", limits::DISPLAY_NAME, (|u: &mut NodeUpdate, v| u.display_name = v) as fn(&mut NodeUpdate, _)),
        ("description", limits::DESCRIPTION, |u, v| u.description = v),
        ("address", limits::ADDRESS, |u, v| u.address = v),
        ("externalName", limits::EXTERNAL_NAME, |u, v| u.external_name = v),
        ("billingId", limits::BILLING_ID, |u, v| u.billing_id = v),
        ("website", limits::WEBSITE, |u, v| u.website = v),
    ] {
        let at = upd(&|u| set(u, Some(Some(text(max)))));
        let over = upd(&|u| set(u, Some(Some(text(max + 1)))));
        boundary(field, at, over, "INVALID_ARGUMENT", field);
    }
    let phone = |n: usize| Some(Some("1".repeat(n)));
    boundary("phone", upd(&|u| u.phone = phone(32)), upd(&|u| u.phone = phone(33)), "INVALID_ARGUMENT", "phone");
    // Extra data: 16 KiB of compact JSON, nested 32 deep.
    let sized = |n: usize| Some(Some(serde_json::json!({ "k": text(n - r#"{"k":""}"#.len()) })));
    boundary(
        "extra bytes",
        upd(&|u| u.extra = sized(limits::EXTRA_BYTES)),
        upd(&|u| u.extra = sized(limits::EXTRA_BYTES + 1)),
        "INVALID_ARGUMENT",
        "extra",
    );
    let nested = |d: usize| Some(Some((1..d).fold(serde_json::json!({}), |v, _| serde_json::json!({ "a": v }))));
    boundary(
        "extra depth",
        upd(&|u| u.extra = nested(limits::EXTRA_DEPTH)),
        upd(&|u| u.extra = nested(limits::EXTRA_DEPTH + 1)),
        "INVALID_ARGUMENT",
        "extra",
    );
}

#[test]
fn names_and_depth() {
    let (s, d, _) = tree();
    let sys = Actor::system();
    let tenant = |n: usize| s.create_node(&sys, NewNode::new("tenant", text(n)).parent(d.id));
    boundary("login name", tenant(limits::LOGIN_NAME), tenant(limits::LOGIN_NAME + 1), "INVALID_ARGUMENT", "name");
    let c = store(Preset::Clients);
    let client = |n: usize| c.create_node(&sys, NewNode::new("client", text(n)));
    boundary("label name", client(limits::LABEL_NAME), client(limits::LABEL_NAME + 1), "INVALID_ARGUMENT", "name");
    // The schema's maximum depth, itself at most 64.
    let deep = |max_depth: u32| {
        let mut schema = Schema::clients();
        schema.max_depth = max_depth;
        Store::builder().schema(schema).in_memory()
    };
    boundary("schema depth", deep(tenantree::MAX_DEPTH), deep(tenantree::MAX_DEPTH + 1), "INVALID_ARGUMENT", "");
    let mut schema = Schema::clients();
    schema.max_depth = 3;
    let shallow = Store::builder().schema(schema).in_memory().unwrap();
    let a = shallow.create_node(&sys, NewNode::new("client", "a")).unwrap();
    let b = shallow.create_node(&sys, NewNode::new("client", "b").parent(a.id)).unwrap();
    boundary(
        "tree depth",
        shallow.create_node(&sys, NewNode::new("client", "c").parent(b.id)),
        shallow
            .create_node(&sys, NewNode::new("client", "d").parent(b.id))
            .and_then(|c| shallow.create_node(&sys, NewNode::new("client", "e").parent(c.id))),
        "DEPTH_EXCEEDED",
        "",
    );
    // Kinds and resources per schema.
    let kinds = |n: usize| {
        let mut schema = Schema::clients();
        let base = schema.kinds[0].clone();
        schema.kinds = (0..n)
            .map(|i| tenantree::KindDef { name: format!("k{i}"), parents: vec![], top_level: true, ..base.clone() })
            .collect();
        schema.resources.retain(|r| r.counts.is_none());
        schema.validate()
    };
    boundary("kinds", kinds(tenantree::MAX_KINDS), kinds(tenantree::MAX_KINDS + 1), "INVALID_ARGUMENT", "");
    let resources = |n: usize| {
        let mut schema = Schema::clients();
        schema.resources.truncate(1);
        schema.resources.extend((1..n).map(|i| tenantree::ResourceDef { name: format!("r{i}"), counts: None }));
        schema.validate()
    };
    boundary(
        "resources",
        resources(tenantree::MAX_RESOURCES),
        resources(tenantree::MAX_RESOURCES + 1),
        "INVALID_ARGUMENT",
        "",
    );
}

#[test]
fn queries_and_quantities() {
    let (s, d, t) = tree();
    let sys = Actor::system();
    let search = |n: usize| s.children(&sys, Some(d.id), &ChildQuery { search: Some(text(n)), ..Default::default() });
    boundary("search", search(limits::SEARCH), search(limits::SEARCH + 1), "INVALID_ARGUMENT", "search");
    let page = |n: u32| s.children(&sys, None, &ChildQuery { limit: Some(n), ..Default::default() });
    boundary("page size", page(limits::PAGE_SIZE), page(limits::PAGE_SIZE + 1), "INVALID_ARGUMENT", "limit");
    let feed = |n: u32| s.read(&sys, |tx| tx.changes(0, n));
    boundary("change-feed read", feed(1000), feed(1001), "INVALID_ARGUMENT", "limit");
    let limit = |v: u64| s.set_limit(&sys, d.id, "extensions", Some(v));
    boundary("limit", limit(limits::QUANTITY), limit(limits::QUANTITY + 1), "INVALID_ARGUMENT", "extensions");
    let alloc = |v: u64| s.allocate(&sys, t.id, "extensions", v);
    boundary("allocation", alloc(limits::QUANTITY), alloc(limits::QUANTITY + 1), "INVALID_ARGUMENT", "");
}

#[test]
fn accounts_tokens_and_roles() {
    let (s, d, _) = tree();
    let sys = Actor::system();
    let user = |n: usize| s.create_account(&sys, NewAccount::new(text(n), "tenant_user").node(d.id));
    boundary("username", user(limits::USERNAME), user(limits::USERNAME + 1), "INVALID_ARGUMENT", "username");
    let person = |n: usize| {
        let mut a = NewAccount::new(format!("p{n}"), "tenant_user").node(d.id);
        a.first_name = Some(text(n));
        s.create_account(&sys, a)
    };
    boundary(
        "first name",
        person(limits::PERSON_NAME),
        person(limits::PERSON_NAME + 1),
        "INVALID_ARGUMENT",
        "firstName",
    );
    let id = s.create_account(&sys, NewAccount::new("tok", "tenant_user").node(d.id)).unwrap().id;
    let token = |n: usize| s.issue_token(&sys, id, &NewToken { name: text(n), expires_in: None });
    boundary("token name", token(64), token(65), "INVALID_ARGUMENT", "name");
    let role = |n: usize| {
        let perms: Vec<String> = (0..n).map(|i| format!("p{i}.read")).collect();
        s.write(&sys, |tx| tx.define_role(&Role::new(format!("r{n}"), perms)))
    };
    boundary(
        "role permissions",
        role(limits::ROLE_PERMISSIONS),
        role(limits::ROLE_PERMISSIONS + 1),
        "INVALID_ARGUMENT",
        "permissions",
    );
    // A password longer than any policy allows is refused before hashing.
    let pw = |n: usize| {
        let mut a = NewAccount::new(format!("pw{n}"), "tenant_user").node(d.id);
        a.password = Some(format!("Aa1!{}", text(n - 4)));
        s.create_account(&sys, a)
    };
    assert_eq!(pw(limits::PASSWORD + 1).unwrap_err().code(), "WEAK_PASSWORD");
}

#[test]
fn properties_and_markups() {
    let (s, d, _) = tree();
    let sys = Actor::system();
    let put = |ns: &str, key: &str, v: serde_json::Value| {
        s.write(&sys, |tx| tx.upsert_props(d.id, ns, &BTreeMap::from([(key.to_owned(), v)])))
    };
    let ns = |n: usize| "n".repeat(n);
    boundary(
        "namespace",
        put(&ns(limits::NAMESPACE), "k", 1.into()),
        put(&ns(limits::NAMESPACE + 1), "k", 1.into()),
        "INVALID_ARGUMENT",
        "namespace",
    );
    boundary(
        "key",
        put("general", &text(limits::PROPERTY_KEY), 1.into()),
        put("general", &text(limits::PROPERTY_KEY + 1), 1.into()),
        "INVALID_ARGUMENT",
        "",
    );
    let value = |n: usize| serde_json::json!(text(n - 2));
    boundary(
        "value",
        put("general", "v", value(limits::PROPERTY_VALUE_BYTES)),
        put("general", "v", value(limits::PROPERTY_VALUE_BYTES + 1)),
        "INVALID_ARGUMENT",
        "",
    );
    let many =
        |n: usize| -> BTreeMap<String, serde_json::Value> { (0..n).map(|i| (format!("k{i}"), 1.into())).collect() };
    boundary(
        "keys per namespace",
        s.write(&sys, |tx| tx.replace_props(d.id, "branding.general", &many(limits::PROPERTIES_PER_NAMESPACE))),
        s.write(&sys, |tx| tx.upsert_props(d.id, "branding.general", &many(limits::PROPERTIES_PER_NAMESPACE + 1))),
        "INVALID_ARGUMENT",
        "",
    );
    let at = |i: i64| Some(Timestamp::from_micros(1_000_000 * i));
    let one: Decimal = "1.5".parse().unwrap();
    let filled = s.write(&sys, |tx| (1..=1000).try_for_each(|i| tx.add_markup(d.id, one, at(i)).map(drop)));
    boundary(
        "markups per node",
        filled,
        s.write(&sys, |tx| tx.add_markup(d.id, one, at(1001))),
        "INVALID_ARGUMENT",
        "markup",
    );
    let digits = |n: usize| "9".repeat(n).parse::<Decimal>();
    boundary("decimal digits", digits(34), digits(35), "INVALID_ARGUMENT", "");
    let places = |n: usize| format!("0.{}", "1".repeat(n)).parse::<Decimal>();
    boundary("decimal places", places(18), places(19), "INVALID_ARGUMENT", "");
}

#[test]
fn snapshot_records_and_blockers() {
    let (s, d, _) = tree();
    let sys = Actor::system();
    // A JSON-lines record longer than MAX_RECORD_BYTES is refused before it is parsed. Padding a
    // record with white space breaks the snapshot's checksum, so the record at the limit gets
    // that error instead, and only the one past it the size error.
    let mut json = Vec::new();
    s.export_snapshot(&sys, None, SnapshotFormat::Json, &mut json).unwrap();
    let text = String::from_utf8(json).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let i = lines.iter().position(|x| x.contains("\"tenant\"")).expect("a tenant record");
    let padded = |len: usize| {
        let mut l: Vec<String> = lines.iter().map(|x| (*x).to_owned()).collect();
        l[i] = format!("{}{}", l[i], " ".repeat(len - l[i].len()));
        let bytes = l.join("\n") + "\n";
        store(Preset::Channel).import_snapshot(&sys, SnapshotFormat::Json, &mut bytes.as_bytes()).unwrap_err()
    };
    let max = tenantree::MAX_RECORD_BYTES;
    let at = padded(max);
    assert_eq!(at.code(), "INVALID_ARGUMENT");
    assert!(at.to_string().contains("checksum"), "a record of {max} bytes is read: {at}");
    let over = padded(max + 1);
    assert_eq!(over.code(), "INVALID_ARGUMENT");
    assert!(over.to_string().contains(&max.to_string()), "a record past {max} bytes is refused for its size: {over}");
    // STILL_IN_USE lists at most 100 names per kind, with the exact count.
    s.write(&sys, |tx| {
        (0..101).try_for_each(|i| tx.create_node(&NewNode::new("tenant", format!("t{i}")).parent(d.id)).map(drop))
    })
    .unwrap();
    let Error::StillInUse { blockers, .. } = s.delete_node(&sys, d.id).unwrap_err() else { panic!("STILL_IN_USE") };
    let tenants = blockers.iter().find(|b| b.kind == "tenant").unwrap();
    assert_eq!(tenants.count, 102);
    assert_eq!(tenants.names.len(), Blocker::MAX_NAMES);
}
