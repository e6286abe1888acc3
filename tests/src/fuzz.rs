//! The bodies of the fuzz targets, shared by `fuzz/` (cargo-fuzz, libFuzzer, nightly) and by
//! the property tests in `tests/tests/fuzz_targets.rs` (stable, in the test command), so both
//! run the same code on arbitrary and mutated inputs. Each body panics when tenantree breaks a
//! promise: a panic inside the library, an accepted input that does not round-trip, a refused
//! write that changed something, or a store whose `check()` is not clean.
//!
//! [`seeds`] makes the seed corpus of each target from valid inputs (`fuzz_seeds` writes it to
//! `fuzz/corpus/`).

use std::collections::BTreeMap;
use std::str::FromStr;

use tenantree::{
    AccountId, Actor, ChildQuery, Decimal, DescendantQuery, Email, ManualClock, NameRule, NewAccount, NewNode, NodeId,
    NodeName, Op, PasswordParams, Preset, Schema, SeededEntropy, SnapshotFormat, Status, Store, Timestamp,
};

/// Every fuzz target, by name (the file names under `fuzz/fuzz_targets/`).
pub const TARGETS: [&str; 9] = [
    "snapshot_binary",
    "snapshot_json",
    "node_name",
    "email",
    "scalars",
    "schema_json",
    "batch_json",
    "query_json",
    "api_request",
];

/// Runs the target named `target` on `data`; returns whether tenantree accepted the input
/// (parsed it, imported it, committed it, answered it).
///
/// # Panics
///
/// When tenantree breaks a promise on this input, or for an unknown target.
pub fn run(target: &str, data: &[u8]) -> bool {
    match target {
        "snapshot_binary" => snapshot(SnapshotFormat::Binary, data),
        "snapshot_json" => snapshot(SnapshotFormat::Json, data),
        "node_name" => node_name(data),
        "email" => email(data),
        "scalars" => scalars(data),
        "schema_json" => schema_json(data),
        "batch_json" => batch_json(data),
        "query_json" => query_json(data),
        "api_request" => api_request(data),
        other => panic!("unknown fuzz target {other}"),
    }
}

fn builder() -> tenantree::StoreBuilder {
    Store::builder()
        .clock(ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000)))
        .entropy(SeededEntropy::new(9))
        .password_params(PasswordParams::fast())
        .cache_size(1 << 20)
}

fn export(store: &Store, format: SnapshotFormat) -> Vec<u8> {
    let mut out = Vec::new();
    store.export_snapshot(&Actor::system(), None, format, &mut out).expect("export");
    out
}

fn assert_clean(store: &Store, what: &str) {
    let report = store.check().expect("check runs");
    assert!(report.is_clean(), "{what}: check() finds {report:?}");
}

/// Snapshot import: a refused snapshot leaves the store empty; an accepted one gives a clean
/// store that exports and imports again to the same content.
pub fn snapshot(format: SnapshotFormat, data: &[u8]) -> bool {
    let schema = Store::snapshot_schema(format, &mut &data[..]).unwrap_or_else(|_| Schema::channel());
    let Ok(store) = builder().schema(schema.clone()).in_memory() else { return false };
    let empty = export(&store, format);
    match store.import_snapshot(&Actor::system(), format, &mut &data[..]) {
        Ok(_) => {
            assert_clean(&store, "after an accepted import");
            let bytes = export(&store, format);
            let again = builder().schema(schema).in_memory().expect("same schema");
            again.import_snapshot(&Actor::system(), format, &mut bytes.as_slice()).expect("re-import an export");
            assert_eq!(export(&again, format), bytes, "an export imports to the same content");
            true
        }
        Err(e) => {
            assert_ne!(e.code(), "STORAGE", "a bad snapshot is not a storage failure: {e}");
            assert_eq!(export(&store, format), empty, "a refused import leaves the store empty ({e})");
            false
        }
    }
}

/// Node names under both rules: an accepted name is accepted again as it prints, within the
/// rule's length and without control characters.
pub fn node_name(data: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(data) else { return false };
    let mut accepted = false;
    for (rule, max) in [(NameRule::Login, 64), (NameRule::Label, 128)] {
        match NodeName::new(s, rule) {
            Ok(name) => {
                assert!(name.as_str().chars().count() <= max, "{rule:?} accepted a name too long");
                assert!(!name.as_str().chars().any(char::is_control), "{rule:?} accepted a control character");
                assert_eq!(NodeName::new(name.as_str(), rule).expect("accepted again"), name);
                assert_eq!(name.folded(), NodeName::new(&name.folded(), rule).map_or(name.folded(), |n| n.folded()));
                accepted = true;
            }
            Err(e) => assert_eq!(e.code(), "INVALID_ARGUMENT"),
        }
    }
    accepted
}

/// E-mail addresses: an accepted one parses again to itself and fits the limit.
pub fn email(data: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(data) else { return false };
    match Email::parse(s) {
        Ok(e) => {
            assert!(e.as_str().len() <= tenantree::limits::EMAIL);
            assert_eq!(Email::parse(e.as_str()).expect("accepted again").as_str(), e.as_str());
            true
        }
        Err(e) => {
            assert_eq!(e.code(), "INVALID_ARGUMENT");
            false
        }
    }
}

fn round_trip<T: FromStr + ToString + PartialEq + std::fmt::Debug>(s: &str) -> bool {
    let Ok(v) = s.parse::<T>() else { return false };
    let text = v.to_string();
    let again: T = text.parse().unwrap_or_else(|_| panic!("{text:?} (from {s:?}) does not parse again"));
    assert_eq!(again, v, "{s:?} → {text:?}");
    true
}

/// Decimals, node ids, timestamps, account ids and presets: whatever parses prints to a text
/// that parses to the same value.
pub fn scalars(data: &[u8]) -> bool {
    let Ok(s) = std::str::from_utf8(data) else { return false };
    let mut accepted = round_trip::<Decimal>(s);
    accepted |= round_trip::<NodeId>(s);
    accepted |= round_trip::<Timestamp>(s);
    accepted |= round_trip::<AccountId>(s);
    if let Ok(p) = s.parse::<Preset>() {
        assert_eq!(p.name().parse::<Preset>().ok(), Some(p));
        accepted = true;
    }
    if let Ok(d) = s.parse::<Decimal>() {
        // Arithmetic never panics; overflow is an error.
        let _ = d.checked_add(d);
        let _ = d.checked_mul(d);
        let _ = d.apply_percent(d);
        let _ = d.round(2);
    }
    accepted
}

/// Schemas in JSON: a schema that validates opens a store; one that does not, does not.
pub fn schema_json(data: &[u8]) -> bool {
    let Ok(schema) = serde_json::from_slice::<Schema>(data) else { return false };
    let valid = schema.validate();
    let opened = builder().schema(schema).in_memory();
    assert_eq!(valid.is_ok(), opened.is_ok(), "validate() and opening agree: {valid:?} / {:?}", opened.err());
    match valid {
        Ok(()) => true,
        Err(e) => {
            assert_eq!(e.code(), "INVALID_ARGUMENT", "{e}");
            false
        }
    }
}

/// Fixed ids of the base store the batch and query targets run on, so that seeds can name
/// them.
pub const ROOT: &str = "01900000-0000-7000-8000-000000000001";
/// A distributor under [`ROOT`].
pub const DEALER: &str = "01900000-0000-7000-8000-000000000002";
/// An id the batch seeds create a node with.
const SOUTH: &str = "01900000-0000-7000-8000-000000000004";
/// A tenant under [`DEALER`].
pub const TENANT: &str = "01900000-0000-7000-8000-000000000003";

/// A small store: a platform, a distributor with limits, a tenant with an allocation, an
/// account, properties and a markup.
///
/// # Panics
///
/// Never on a working build.
#[must_use]
pub fn base_store() -> Store {
    let store = builder().preset(Preset::Channel).in_memory().expect("in memory");
    let id = |s: &str| s.parse::<NodeId>().expect("id");
    store
        .write(&Actor::system(), |tx| {
            tx.create_node(&NewNode::new("platform", "acme").id(id(ROOT)))?;
            tx.create_node(
                &NewNode::new("distributor", "north").id(id(DEALER)).parent(id(ROOT)).limit("extensions", 20),
            )?;
            tx.create_node(&NewNode::new("tenant", "bakery").id(id(TENANT)).parent(id(DEALER)))?;
            tx.allocate(id(TENANT), "extensions", 5)?;
            tx.create_account(&NewAccount::new("ops@north.example", "distributor_admin").node(id(DEALER)))?;
            let props = BTreeMap::from([("color".to_owned(), serde_json::json!("blue"))]);
            tx.upsert_props(id(DEALER), "branding.general", &props)?;
            tx.add_markup(id(DEALER), "12.5".parse()?, None)?;
            tx.set_status(id(TENANT), Status::Enabled, None)?;
            Ok(())
        })
        .expect("base store");
    store
}

/// Batches of operations in JSON (every node, account, property and markup validator sits
/// behind one): an accepted batch leaves a clean store, a refused one changes nothing.
pub fn batch_json(data: &[u8]) -> bool {
    let Ok(ops) = serde_json::from_slice::<Vec<Op>>(data) else { return false };
    let store = base_store();
    let before = export(&store, SnapshotFormat::Json);
    match store.batch(&Actor::system(), &ops) {
        Ok(_) => {
            assert_clean(&store, "after an accepted batch");
            true
        }
        Err(e) => {
            assert!(matches!(e, tenantree::Error::Batch { .. }), "a batch error names its operation: {e}");
            assert_ne!(e.code(), "STORAGE", "{e}");
            assert_eq!(export(&store, SnapshotFormat::Json), before, "a refused batch changed something ({e})");
            false
        }
    }
}

/// Child and descendant queries in JSON (`{"children": {...}}` or `{"descendants": {...}}`):
/// answered or refused with INVALID_ARGUMENT, and a page never exceeds its limit.
pub fn query_json(data: &[u8]) -> bool {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    enum Query {
        Children { parent: Option<NodeId>, query: ChildQuery },
        Descendants { root: Option<NodeId>, query: DescendantQuery },
    }
    let Ok(q) = serde_json::from_slice::<Query>(data) else { return false };
    let store = base_store();
    let sys = Actor::system();
    let (result, limit) = match q {
        Query::Children { parent, query } => (store.children(&sys, parent, &query).map(|p| p.items.len()), query.limit),
        Query::Descendants { root, query } => {
            (store.descendants(&sys, root, &query).map(|p| p.items.len()), query.limit)
        }
    };
    match result {
        Ok(n) => {
            assert!(n <= limit.unwrap_or(tenantree::DEFAULT_PAGE_SIZE) as usize, "page of {n} over its limit");
            true
        }
        Err(e) => {
            assert!(matches!(e.code(), "INVALID_ARGUMENT" | "NOT_FOUND"), "{e}");
            false
        }
    }
}

/// The system administrator's token of [`api_store`].
pub const API_ADMIN_TOKEN: &str = "fuzz-admin-token-0123456789";

/// A seeds store behind the dispatcher: the instance `default`, an admin token, a distributor
/// `north` (password `s3cret`, room for two tenants) with the tenant `bakery` and its admin
/// (`bakery-admin`, same password), and a 000 client.
///
/// # Panics
///
/// Never on a working build.
#[must_use]
pub fn api_store() -> tenantree_api::Api {
    let store = builder().preset(Preset::Seeds).in_memory().expect("in memory");
    let api = tenantree_api::Api::open(store, tenantree_api::Config::default()).expect("api");
    api.ensure_admin_token("fuzz-admin", API_ADMIN_TOKEN).expect("admin token");
    let admin = |method: &str, path: &str, body: serde_json::Value| {
        let res = api.handle(&tenantree_api::Request::new(method, path).bearer(API_ADMIN_TOKEN).json(&body));
        assert!(res.status < 300, "{method} {path}: {} {:?}", res.status, res.body);
        res.body.unwrap_or(serde_json::Value::Null)
    };
    admin(
        "POST",
        "/api/dealers",
        serde_json::json!({"level": "DISTRIBUTOR", "name": "north", "password": "s3cret", "max_tenants": 2}),
    );
    admin("POST", "/clients/create", serde_json::json!({"name": "Acme"}));
    let north = api
        .store()
        .read(&Actor::system(), |tx| tx.account_by_username("north"))
        .expect("the dealer's login")
        .node
        .expect("bound to the dealer");
    api.store()
        .write(&Actor::system(), |tx| {
            let tenant = tx.create_node(&NewNode::new("tenant", "bakery").parent(north))?;
            tx.create_account(&NewAccount::new("bakery-admin", "tenant_admin").node(tenant.id).password("s3cret"))?;
            Ok(())
        })
        .expect("a tenant and its admin");
    api
}

/// A request as text: `METHOD PATH` on the first line, `name: value` header lines, an empty
/// line, the body. `{admin}` in a header stands for the admin token.
fn parse_request(data: &[u8]) -> Option<tenantree_api::Request> {
    let text = std::str::from_utf8(data).ok()?;
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let (method, path) = lines.next()?.split_once(' ')?;
    let mut req = tenantree_api::Request::new(method, path);
    for line in lines {
        let (name, value) = line.split_once(':')?;
        req = req.with_header(name.trim(), value.trim().replace("{admin}", API_ADMIN_TOKEN));
    }
    req.body = body.as_bytes().to_vec();
    Some(req)
}

/// The dispatcher (`tenantree-api`): any request gets an answer (never a panic) with a status
/// of 200–599; an error answer has a JSON body; a refused request (4xx, but a login) changes
/// nothing; the store stays clean.
pub fn api_request(data: &[u8]) -> bool {
    let Some(req) = parse_request(data) else { return false };
    let api = api_store();
    let before = export(api.store(), SnapshotFormat::Json);
    let res = api.handle(&req);
    assert!((200..600).contains(&res.status), "status {} for {} {}", res.status, req.method, req.path);
    if res.status >= 400 {
        assert!(res.body.is_some(), "an error answer has a body: {} {} -> {}", req.method, req.path, res.status);
        let login = req.path.trim_start_matches('/').starts_with("api/login");
        if res.status < 500 && !login {
            let after = export(api.store(), SnapshotFormat::Json);
            assert!(
                after == before,
                "a refused request changed the store: {} {} -> {}",
                req.method,
                req.path,
                res.status
            );
        }
    }
    assert_ne!(res.status, 500, "an internal error for {} {}: {:?}", req.method, req.path, res.body);
    assert_clean(api.store(), "after a request");
    res.status < 400
}

/// Valid (and a few nearly valid) inputs of each target: the seed corpus.
///
/// # Panics
///
/// For an unknown target.
#[must_use]
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    let texts = |items: &[&str]| items.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
    match target {
        "snapshot_binary" | "snapshot_json" => {
            let format = if target == "snapshot_binary" { SnapshotFormat::Binary } else { SnapshotFormat::Json };
            let store = base_store();
            let mut sub = Vec::new();
            let dealer = DEALER.parse().expect("id");
            store.export_snapshot(&Actor::system(), Some(dealer), format, &mut sub).expect("subtree export");
            vec![export(&store, format), sub, export(&builder().in_memory().expect("empty"), format)]
        }
        "node_name" => {
            let mut v = texts(&["alpha", "o'lambda", "Epsilon NL 1", "admin", "ROOT", "", ".dot", "a\u{0}b"]);
            v.extend(crate::name_pool(NameRule::Login).iter().map(|s| s.as_bytes().to_vec()));
            v.push("x".repeat(65).into_bytes());
            v
        }
        "email" => texts(&["ops@north.example", "a.b+c@x.io", "first.last@sub.domain.example", "no-at.example", "é@ü"]),
        "scalars" => texts(&[
            "12.5",
            "-0.000001",
            "99999999999999999999999999999999.99",
            ROOT,
            "2024-02-29T12:00:00Z",
            "2024-02-29T12:00:00.123456+02:00",
            "42",
            "channel",
            "fusion",
        ]),
        "schema_json" => [Preset::Channel, Preset::Clients, Preset::Fusion, Preset::Seeds]
            .iter()
            .map(|p| serde_json::to_vec(&p.schema()).expect("schema json"))
            .collect(),
        "batch_json" => texts(&[
            &format!(r#"[{{"op":"createNode","kind":"tenant","name":"shop","parent":"{DEALER}"}}]"#),
            &format!(r#"[{{"op":"allocate","id":"{TENANT}","resource":"extensions","amount":3}}]"#),
            &format!(
                r#"[{{"op":"createNode","id":"{SOUTH}","kind":"distributor","name":"south","parent":"{ROOT}"}},{{"op":"moveNode","id":"{TENANT}","parent":"{SOUTH}"}}]"#
            ),
            &format!(r#"[{{"op":"setLimits","id":"{DEALER}","limits":{{"extensions":8}}}}]"#),
            &format!(r#"[{{"op":"upsertProps","node":"{DEALER}","namespace":"general","properties":{{"k":[1,2]}}}}]"#),
            &format!(r#"[{{"op":"addMarkup","node":"{DEALER}","percent":"7.25"}}]"#),
            &format!(r#"[{{"op":"setStatus","id":"{DEALER}","status":{{"state":"suspended","profile":2}}}}]"#),
            &format!(
                r#"[{{"op":"createAccount","username":"amy@x.example","role":"tenant_admin","node":"{TENANT}","password":"S3cure!pass1"}}]"#
            ),
            &format!(r#"[{{"op":"updateNode","id":"{TENANT}","displayName":"Bakery","extra":{{"a":{{"b":1}}}}}}]"#),
            &format!(
                r#"[{{"op":"release","id":"{TENANT}","resource":"extensions","amount":5}},{{"op":"deleteNode","id":"{TENANT}"}}]"#
            ),
        ]),
        "query_json" => texts(&[
            &format!(r#"{{"children":{{"parent":"{DEALER}","query":{{"limit":5,"search":"bak"}}}}}}"#),
            r#"{"children":{"parent":null,"query":{}}}"#,
            r#"{"descendants":{"root":null,"query":{"kind":"tenant","limit":1000}}}"#,
        ]),
        "api_request" => texts(&[
            "GET /clients?limit=10&offset=0\nAuthorization: Bearer {admin}",
            "POST /clients/create\nAuthorization: Bearer {admin}\n\n{\"name\": \"Globex\"}",
            "GET /api/dealers\nAuthorization: Bearer {admin}",
            "POST /api/dealers\nAuthorization: Bearer {admin}\n\n{\"level\": \"RESELLER\", \"name\": \"shop\", \"password\": \"pw\"}",
            "POST /api/login\n\n{\"name\": \"north\", \"password\": \"s3cret\"}",
            "POST /api/v1/local/resellers/\nAuthorization: Bearer {admin}\n\n{\"name\": \"apio-one\"}",
            "GET /api/v1/local/resellers/\nAuthorization: Bearer {admin}",
            "POST /v1/nodes\nAuthorization: Bearer {admin}\n\n{\"kind\": \"group\", \"name\": \"g1\"}",
            "GET /v1/me\nAuthorization: Bearer {admin}",
        ]),
        other => panic!("unknown fuzz target {other}"),
    }
}
