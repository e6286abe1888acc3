//! The bad-input catalogue: every row of docs/bad-input.md names an input and the error code it
//! gets (`OK` where the input is accepted on purpose). This test runs the case behind each row
//! and asserts that code, and that every case has a row and every row a case.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::collections::BTreeMap;

use tenantree::{
    Actor, ChildQuery, Decimal, Error, ManualClock, NewAccount, NewNode, NewToken, Node, NodeId, NodeUpdate,
    PasswordParams, Preset, SnapshotFormat, Status, Store, Timestamp,
};

/// A store with a platform, two distributors, a tenant with an allocation, and a distributor
/// admin of `north` with a password.
struct Fx {
    store: Store,
    clock: ManualClock,
    sys: Actor,
    root: Node,
    north: Node,
    south: Node,
    tenant: Node,
    admin: Actor,
}

fn fixture() -> Fx {
    fixture_with(Preset::Channel)
}

fn fixture_with(preset: Preset) -> Fx {
    let clock = ManualClock::new(Timestamp::from_micros(1_700_000_000_000_000));
    let store = Store::builder()
        .preset(preset)
        .clock(clock.clone())
        .password_params(PasswordParams::fast())
        .in_memory()
        .unwrap();
    let sys = Actor::system();
    let (root, north, south, tenant) = if preset == Preset::Channel {
        let root = store.create_node(&sys, NewNode::new("platform", "acme")).unwrap();
        let north = store
            .create_node(&sys, NewNode::new("distributor", "north").parent(root.id).limit("extensions", 10))
            .unwrap();
        let south = store.create_node(&sys, NewNode::new("distributor", "south").parent(root.id)).unwrap();
        let tenant = store.create_node(&sys, NewNode::new("tenant", "alpha").parent(north.id)).unwrap();
        store.allocate(&sys, tenant.id, "extensions", 4).unwrap();
        (root, north, south, tenant)
    } else {
        let root = store.create_node(&sys, NewNode::new("client", "Alpha One")).unwrap();
        (root.clone(), root.clone(), root.clone(), root)
    };
    let admin = if preset == Preset::Channel {
        let acc = store
            .create_account(
                &sys,
                NewAccount::new("ops@north.example", "distributor_admin").node(north.id).password("S3cure!pass1"),
            )
            .unwrap();
        Actor::account(acc.id)
    } else {
        Actor::system()
    };
    Fx { store, clock, sys, root, north, south, tenant, admin }
}

type Case = fn() -> Result<(), Error>;

fn ok<T>(r: Result<T, Error>) -> Result<(), Error> {
    r.map(drop)
}

fn create(fx: &Fx, new: NewNode) -> Result<(), Error> {
    ok(fx.store.create_node(&fx.sys, new))
}

fn tenant_named(name: &str) -> Result<(), Error> {
    let fx = fixture();
    create(&fx, NewNode::new("tenant", name).parent(fx.north.id))
}

fn label_named(name: &str) -> Result<(), Error> {
    let fx = fixture_with(Preset::Clients);
    create(&fx, NewNode::new("client", name))
}

fn update(f: impl FnOnce(&mut NodeUpdate)) -> Result<(), Error> {
    let fx = fixture();
    let mut u = NodeUpdate::default();
    f(&mut u);
    ok(fx.store.update_node(&fx.sys, fx.tenant.id, &u))
}

fn account(f: impl FnOnce(&mut NewAccount)) -> Result<(), Error> {
    let fx = fixture();
    let mut a = NewAccount::new("amy@north.example", "tenant_admin").node(fx.tenant.id);
    f(&mut a);
    ok(fx.store.create_account(&fx.sys, a))
}

fn props(namespace: &str, key: &str, value: serde_json::Value) -> Result<(), Error> {
    let fx = fixture();
    let p = BTreeMap::from([(key.to_owned(), value)]);
    ok(fx.store.write(&fx.sys, |tx| tx.upsert_props(fx.tenant.id, namespace, &p)))
}

fn markup(percent: &str) -> Result<(), Error> {
    let fx = fixture();
    let p: Decimal = percent.parse()?;
    ok(fx.store.write(&fx.sys, |tx| tx.add_markup(fx.north.id, p, None)))
}

fn nested(depth: usize) -> serde_json::Value {
    (0..depth).fold(serde_json::json!(1), |v, _| serde_json::json!({ "a": v }))
}

fn snapshot_of(fx: &Fx, format: SnapshotFormat) -> Vec<u8> {
    let mut out = Vec::new();
    fx.store.export_snapshot(&fx.sys, None, format, &mut out).unwrap();
    out
}

fn import(format: SnapshotFormat, bytes: &[u8]) -> Result<(), Error> {
    let target = Store::builder().password_params(PasswordParams::fast()).in_memory().unwrap();
    ok(target.import_snapshot(&Actor::system(), format, &mut &bytes[..]))
}

fn open_file(bytes: &[u8]) -> Result<(), Error> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.redb");
    std::fs::write(&path, bytes).unwrap();
    ok(Store::open(&path))
}

fn valid_file() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.redb");
    {
        let store = Store::open(&path).unwrap();
        store.create_node(&Actor::system(), NewNode::new("platform", "acme")).unwrap();
    }
    std::fs::read(&path).unwrap()
}

fn cases() -> Vec<(&'static str, Case)> {
    vec![
        // Empty.
        ("empty-node-name", || tenant_named("")),
        ("empty-username", || account(|a| a.username = String::new())),
        ("empty-namespace", || props("", "k", serde_json::json!(1))),
        ("empty-property-key", || props("general", "", serde_json::json!(1))),
        ("empty-snapshot", || import(SnapshotFormat::Binary, b"")),
        ("empty-file", || open_file(b"")),
        // Too long.
        ("login-name-65", || tenant_named(&"a".repeat(65))),
        ("login-name-64", || tenant_named(&"a".repeat(64))),
        ("label-name-129", || label_named(&"a".repeat(129))),
        ("display-name-1025", || update(|u| u.display_name = Some(Some("d".repeat(1025))))),
        ("billing-id-129", || update(|u| u.billing_id = Some(Some("b".repeat(129))))),
        ("phone-33", || update(|u| u.phone = Some(Some("1".repeat(33))))),
        ("extra-over-16k", || update(|u| u.extra = Some(Some(serde_json::json!({ "k": "x".repeat(16 * 1024) }))))),
        ("extra-nested-33", || update(|u| u.extra = Some(Some(nested(33))))),
        ("username-129", || account(|a| a.username = format!("{}@x.example", "u".repeat(120)))),
        ("password-1025", || account(|a| a.password = Some(format!("Aa1!{}", "p".repeat(1021))))),
        ("property-value-over-64k", || props("general", "k", serde_json::json!("v".repeat(64 * 1024)))),
        ("search-257", || {
            let fx = fixture();
            let q = ChildQuery { search: Some("s".repeat(257)), ..Default::default() };
            ok(fx.store.children(&fx.sys, Some(fx.north.id), &q))
        }),
        ("page-size-1001", || {
            let fx = fixture();
            ok(fx.store.children(&fx.sys, None, &ChildQuery { limit: Some(1001), ..Default::default() }))
        }),
        ("page-size-0", || {
            let fx = fixture();
            ok(fx.store.children(&fx.sys, None, &ChildQuery { limit: Some(0), ..Default::default() }))
        }),
        ("token-name-65", || {
            let fx = fixture();
            let id = fx.store.login("ops@north.example", "S3cure!pass1")?.account.id;
            ok(fx.store.issue_token(&fx.sys, id, &NewToken { name: "t".repeat(65), expires_in: None }))
        }),
        // Wrong character set.
        ("login-name-with-space", || tenant_named("bad name")),
        ("login-name-leading-dot", || tenant_named(".alpha")),
        ("label-name-control-char", || label_named("Alpha\u{7}One")),
        ("label-name-leading-space", || label_named(" Alpha")),
        ("username-with-space", || account(|a| a.username = "amy smith".into())),
        ("email-without-at", || update(|u| u.email = Some(Some("amy.example".into())))),
        ("namespace-upper-case", || props("General", "k", serde_json::json!(1))),
        // Reserved names.
        ("reserved-admin", || tenant_named("Admin")),
        ("reserved-root", || tenant_named("ROOT")),
        // Unicode look-alikes.
        ("login-cyrillic-a", || tenant_named("\u{430}lpha")),
        ("login-fullwidth", || tenant_named("\u{FF41}lpha")),
        ("login-case-variant", || tenant_named("ALPHA")),
        ("label-greek-alpha", || {
            let fx = fixture_with(Preset::Clients);
            create(&fx, NewNode::new("client", "\u{391}lpha One"))
        }),
        ("label-case-variant", || label_named("ALPHA ONE")),
        // Negative and overflowing numbers.
        ("limit-above-2^53", || {
            let fx = fixture();
            ok(fx.store.set_limit(&fx.sys, fx.north.id, "extensions", Some(1 << 53)))
        }),
        ("allocate-zero", || {
            let fx = fixture();
            ok(fx.store.allocate(&fx.sys, fx.tenant.id, "extensions", 0))
        }),
        ("allocate-u64-max", || {
            let fx = fixture();
            ok(fx.store.allocate(&fx.sys, fx.tenant.id, "extensions", u64::MAX))
        }),
        ("allocate-over-limit", || {
            let fx = fixture();
            ok(fx.store.allocate(&fx.sys, fx.tenant.id, "extensions", 7))
        }),
        ("release-more-than-allocated", || {
            let fx = fixture();
            ok(fx.store.release(&fx.sys, fx.tenant.id, "extensions", 5))
        }),
        ("limit-below-usage", || {
            let fx = fixture();
            ok(fx.store.set_limit(&fx.sys, fx.north.id, "extensions", Some(3)))
        }),
        ("markup-minus-100", || markup("-100")),
        ("markup-over-100000", || markup("100000.000001")),
        ("markup-7-decimals", || markup("1.0000001")),
        ("decimal-35-digits", || markup("12345678901234567890123456789012345")),
        ("decimal-exponent", || markup("1e5")),
        // Malformed text and JSON.
        ("node-id-not-uuid", || ok("not-a-uuid".parse::<NodeId>())),
        ("node-id-nil", || ok("00000000-0000-0000-0000-000000000000".parse::<NodeId>())),
        ("timestamp-feb-30", || ok("2024-02-30T00:00:00Z".parse::<Timestamp>())),
        ("json-snapshot-not-json", || import(SnapshotFormat::Json, b"{not json\n")),
        ("json-snapshot-wrong-type", || {
            let fx = fixture();
            let text = String::from_utf8(snapshot_of(&fx, SnapshotFormat::Json)).unwrap();
            let broken = text.replacen("\"name\":\"north\"", "\"name\":5", 1);
            assert_ne!(broken, text);
            import(SnapshotFormat::Json, broken.as_bytes())
        }),
        // Wrong kinds and resources.
        ("unknown-kind", || {
            let fx = fixture();
            create(&fx, NewNode::new("planet", "mars").parent(fx.root.id))
        }),
        ("tenant-under-platform", || {
            let fx = fixture();
            create(&fx, NewNode::new("tenant", "shop").parent(fx.root.id))
        }),
        ("distributor-at-top", || {
            let fx = fixture();
            create(&fx, NewNode::new("distributor", "east"))
        }),
        ("allocate-counted-resource", || {
            let fx = fixture();
            ok(fx.store.allocate(&fx.sys, fx.tenant.id, "tenants", 1))
        }),
        ("unknown-resource", || {
            let fx = fixture();
            ok(fx.store.allocate(&fx.sys, fx.tenant.id, "bananas", 1))
        }),
        ("unknown-role", || account(|a| a.role = "overlord".into())),
        // Cycles and depth.
        ("move-under-itself", || {
            let fx = fixture();
            ok(fx.store.move_node(&fx.sys, fx.north.id, Some(fx.north.id)))
        }),
        ("move-under-descendant", || {
            let fx = fixture();
            let sub = fx.store.create_node(&fx.sys, NewNode::new("sub_distributor", "nsub").parent(fx.north.id))?;
            ok(fx.store.move_node(&fx.sys, fx.north.id, Some(sub.id)))
        }),
        ("depth-17-clients", || {
            let fx = fixture_with(Preset::Clients);
            let mut parent = fx.root.id;
            for i in 0..16 {
                parent = fx.store.create_node(&fx.sys, NewNode::new("client", format!("c{i}")).parent(parent))?.id;
            }
            Ok(())
        }),
        // State rules.
        ("duplicate-sibling", || tenant_named("alpha")),
        ("delete-with-children", || {
            let fx = fixture();
            ok(fx.store.delete_node(&fx.sys, fx.north.id))
        }),
        ("allocate-under-suspended", || {
            let fx = fixture();
            fx.store.set_status(&fx.sys, fx.north.id, Status::Suspended { profile: 1 })?;
            ok(fx.store.allocate(&fx.sys, fx.tenant.id, "extensions", 1))
        }),
        ("stale-version", || {
            let fx = fixture();
            let u = NodeUpdate { expected_version: Some(fx.tenant.version + 7), ..Default::default() };
            ok(fx.store.update_node(&fx.sys, fx.tenant.id, &u))
        }),
        // Out of scope, authentication.
        ("read-outside-scope", || {
            let fx = fixture();
            ok(fx.store.get_node(&fx.admin, fx.south.id))
        }),
        ("move-into-outside-scope", || {
            let fx = fixture();
            ok(fx.store.move_node(&fx.admin, fx.tenant.id, Some(fx.south.id)))
        }),
        ("unknown-node-id", || {
            let fx = fixture();
            ok(fx.store.get_node(&fx.sys, "01900000-0000-7000-8000-0000000000ff".parse()?))
        }),
        ("tenant-user-creates", || {
            let fx = fixture();
            let acc =
                fx.store.create_account(&fx.sys, NewAccount::new("tu@x.example", "tenant_user").node(fx.tenant.id))?;
            create_as(&fx, Actor::account(acc.id))
        }),
        ("expired-token", || {
            let fx = fixture();
            let id = fx.store.login("ops@north.example", "S3cure!pass1")?.account.id;
            let token = fx.store.issue_token(&fx.sys, id, &NewToken { name: "ci".into(), expires_in: Some(60) })?;
            fx.clock.advance(61_000_000);
            ok(fx.store.authenticate(&token.secret))
        }),
        ("garbage-token", || ok(fixture().store.authenticate("tt_not-a-token"))),
        ("wrong-password", || ok(fixture().store.login("ops@north.example", "wrong"))),
        ("weak-password", || account(|a| a.password = Some("short".into()))),
        // Corrupted files and snapshots.
        ("file-not-redb", || open_file(&[0xAB; 8192])),
        ("file-truncated", || {
            let bytes = valid_file();
            open_file(&bytes[..bytes.len() / 2])
        }),
        ("file-other-schema", || {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("s.redb");
            drop(Store::open(&path)?);
            ok(Store::builder().preset(Preset::Fusion).open(&path))
        }),
        ("snapshot-truncated", || {
            let bytes = snapshot_of(&fixture(), SnapshotFormat::Binary);
            import(SnapshotFormat::Binary, &bytes[..bytes.len() - 3])
        }),
        ("snapshot-byte-flipped", || {
            let mut bytes = snapshot_of(&fixture(), SnapshotFormat::Binary);
            let mid = bytes.len() / 2;
            bytes[mid] ^= 0x5A;
            import(SnapshotFormat::Binary, &bytes)
        }),
        ("snapshot-json-as-binary", || import(SnapshotFormat::Binary, &snapshot_of(&fixture(), SnapshotFormat::Json))),
        ("snapshot-into-non-empty-store", || {
            let fx = fixture();
            let bytes = snapshot_of(&fx, SnapshotFormat::Binary);
            ok(fx.store.import_snapshot(&fx.sys, SnapshotFormat::Binary, &mut bytes.as_slice()))
        }),
    ]
}

fn create_as(fx: &Fx, actor: Actor) -> Result<(), Error> {
    ok(fx.store.create_node(&actor, NewNode::new("tenant", "other").parent(fx.tenant.id)))
}

/// The rows of the table in docs/bad-input.md: case id → documented code.
fn documented() -> BTreeMap<String, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/bad-input.md");
    let text = std::fs::read_to_string(path).expect("docs/bad-input.md");
    text.lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            // | `case-id` | input | tried on | `CODE` |
            let id = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            let code = cells.get(cells.len().checked_sub(2)?)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((id.to_owned(), code.to_owned()))
        })
        .collect()
}

#[test]
fn every_row_of_the_catalogue_gets_its_code() {
    let rows = documented();
    let cases = cases();
    let mut wrong = Vec::new();
    for (id, case) in &cases {
        let got = match case() {
            Ok(()) => "OK".to_owned(),
            Err(e) => e.code().to_owned(),
        };
        match rows.get(*id) {
            Some(want) if *want == got => {}
            Some(want) => wrong.push(format!("{id}: documented {want}, got {got}")),
            None => wrong.push(format!("{id}: no row in docs/bad-input.md (got {got})")),
        }
    }
    for id in rows.keys() {
        if !cases.iter().any(|(c, _)| c == id) {
            wrong.push(format!("{id}: a row without a case"));
        }
    }
    assert!(wrong.is_empty(), "the catalogue and the store disagree:\n{}", wrong.join("\n"));
}
