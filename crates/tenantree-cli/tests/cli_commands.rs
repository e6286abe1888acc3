//! The `tenantree` command, run as a user would: every command, its JSON, its errors and exit
//! codes, and `--as` scoping.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod support;

use support::*;

#[test]
fn demo_builds_a_channel_and_prints_it() {
    let db = db();
    let out = db.run(&["demo", "--tenants", "60"]).ok();
    assert!(out.stdout.contains("built a sample channel"), "{}", out.stdout);
    assert!(out.stdout.contains("acme-telecom") && out.stdout.contains("suspended"), "{}", out.stdout);
    assert!(out.stdout.contains("█"), "quota bars");
    // Running it again shows the existing data instead of failing.
    let again = db.run(&["demo"]).ok();
    assert!(again.stdout.contains("already holds data"));
    let check = db.run(&["--json", "check"]).ok();
    assert_eq!(check.json()["findings"], serde_json::json!([]));
    let tree = db.run(&["--json", "tree", "--depth", "2"]).ok().json();
    assert_eq!(tree[0]["node"]["name"], "acme-telecom");
    assert!(tree[0]["children"].as_array().unwrap().len() >= 4);
}

#[test]
fn nodes_are_created_listed_changed_moved_and_deleted() {
    let db = db();
    db.run(&["init", "--preset", "channel"]).ok();
    let root = db.create("platform", "acme", None, &[]);
    let dist =
        db.create("distributor", "north", Some(&root), &["--limit", "tenants=2", "--email", "ops@north.example"]);
    let south = db.create("distributor", "south", Some(&root), &[]);
    let res = db.create("reseller", "shop", Some(&dist), &[]);
    let t1 = db.create("tenant", "t1", Some(&res), &[]);
    db.create("tenant", "t2", Some(&res), &[]);

    // Quota refused: code and details on stderr, exit 1.
    let refused = db.run(&["--json", "create", "tenant", "t3", "--parent", &res]);
    assert_eq!(refused.code, 1);
    let err = refused.error();
    assert_eq!(err["code"], "QUOTA_EXCEEDED");
    assert_eq!(err["details"]["node"], dist);
    assert_eq!(err["details"]["limit"], 2);
    let human = db.run(&["create", "tenant", "t3", "--parent", &res]);
    assert!(human.stderr.starts_with("error[QUOTA_EXCEEDED]"), "{}", human.stderr);

    let page = db.run(&["--json", "ls", &res]).ok().json();
    assert_eq!(page["total"], 2);
    let found = db.run(&["--json", "find", "tenant", "--under", &root]).ok().json();
    assert_eq!(found["total"], 2);
    let listed = db.run(&["ls", &root, "--kind", "distributor"]).ok().stdout;
    assert!(listed.contains("north") && listed.contains("south") && listed.contains("tenants=2"), "{listed}");

    let got = db.run(&["--json", "get", &dist]).ok().json();
    assert_eq!(got["node"]["email"], "ops@north.example");
    assert_eq!(got["counts"]["tenant"], 2);

    let updated = db.run(&["--json", "update", &dist, "--phone", "+32 2 555 01 01", "--clear", "email"]).ok().json();
    assert_eq!(updated["phone"], "+32 2 555 01 01");
    assert!(updated.get("email").is_none());
    assert_eq!(
        db.run(&["--json", "update", &dist, "--name", "x", "--expect-version", "1"]).error()["code"],
        "CONFLICT"
    );

    db.run(&["move", &res, "--to", &south]).ok();
    assert_eq!(db.run(&["--json", "get", &south]).ok().json()["counts"]["tenant"], 2);

    db.run(&["suspend", &south, "--profile", "3"]).ok();
    let t = db.run(&["--json", "get", &t1]).ok().json();
    assert_eq!(t["node"]["effectiveStatus"]["source"], south);
    db.run(&["enable", &south]).ok();

    db.run(&["quota", "set", &t1, "extensions", "5"]).ok();
    db.run(&["quota", "allocate", &t1, "extensions", "4"]).ok();
    assert_eq!(db.run(&["--json", "quota", "allocate", &t1, "extensions", "2"]).error()["code"], "QUOTA_EXCEEDED");
    let shown = db.run(&["quota", "show", &south]).ok().stdout;
    assert!(shown.lines().any(|l| l.starts_with("extensions") && l.contains(" 4 ")), "{shown}");

    let blocked = db.run(&["--json", "delete", &t1]);
    assert_eq!(blocked.error()["code"], "STILL_IN_USE");
    assert_eq!(blocked.error()["details"]["blockers"][0]["kind"], "allocation");
    db.run(&["quota", "release", &t1, "extensions", "4"]).ok();
    assert_eq!(db.run(&["--json", "delete", &t1]).ok().json()["deleted"], true);
    assert_eq!(db.run(&["--json", "delete", &t1]).ok().json()["deleted"], false);
    db.run(&["check"]).ok();
}

#[test]
fn accounts_tokens_and_as_scoping() {
    let db = db();
    db.run(&["init"]).ok();
    let root = db.create("platform", "acme", None, &[]);
    let north = db.create("distributor", "north", Some(&root), &[]);
    let south = db.create("distributor", "south", Some(&root), &[]);
    db.create("tenant", "far", Some(&south), &[]);
    let made = db
        .run_stdin(
            &[
                "--json",
                "account",
                "create",
                "ops@north.example",
                "--role",
                "distributor_admin",
                "--node",
                &north,
                "--password-stdin",
            ],
            "Tr0ub4dor!x\n",
        )
        .ok()
        .json();
    assert_eq!(made["hasPassword"], true);
    let weak = db.run(&[
        "--json",
        "account",
        "create",
        "weak",
        "--role",
        "tenant_admin",
        "--node",
        &north,
        "--password",
        "abc",
    ]);
    assert_eq!(weak.error()["code"], "WEAK_PASSWORD");
    // As the account: its subtree and nothing else.
    let as_north = |args: &[&str]| {
        let mut all = vec!["--as", "ops@north.example", "--json"];
        all.extend(args);
        db.run(&all)
    };
    let top = as_north(&["ls"]).ok().json();
    assert_eq!(top["items"][0]["id"], north);
    assert_eq!(as_north(&["get", &south]).error()["code"], "NOT_FOUND");
    assert_eq!(as_north(&["find", "tenant"]).ok().json()["total"], 0);
    assert_eq!(as_north(&["disable", &north]).error()["code"], "FORBIDDEN");
    assert_eq!(db.run(&["--as", "nobody", "ls"]).code, 1);

    let issued =
        db.run(&["--json", "token", "issue", "ops@north.example", "--name", "ci", "--expires-in", "60"]).ok().json();
    assert!(issued["secret"].as_str().unwrap().starts_with("tt_"));
    let listed = db.run(&["--json", "token", "list", "ops@north.example"]).ok();
    assert_eq!(listed.json()[0]["name"], "ci");
    assert!(!listed.stdout.contains(issued["secret"].as_str().unwrap()));
    let id = issued["info"]["id"].as_u64().unwrap().to_string();
    assert_eq!(db.run(&["--json", "token", "revoke", &id]).ok().json()["revoked"], true);

    db.run(&["account", "update", "ops@north.example", "--first-name", "Olga", "--force-reset", "true"]).ok();
    let got = db.run(&["--json", "account", "get", "OPS@north.example"]).ok().json();
    assert_eq!((got["firstName"].as_str(), got["forcePasswordReset"].as_bool()), (Some("Olga"), Some(true)));
    db.run_stdin(&["account", "password", "ops@north.example", "--password-stdin"], "N3w!secret9").ok();
    db.run(&["account", "create", "john@north.example", "--role", "tenant_user", "--node", &north, "--welcome"]).ok();
    let outbox = db.run(&["--json", "account", "outbox"]).ok().json();
    assert_eq!(outbox[0]["recipient"], "john@north.example");
    let accounts = db.run(&["--json", "account", "list", &north]).ok().json();
    assert_eq!(accounts["total"], 2);
    db.run(&["account", "delete", "john@north.example"]).ok();
    assert_eq!(db.run(&["--json", "account", "list", &north]).ok().json()["total"], 1);
}

#[test]
fn properties_markups_and_the_change_feed() {
    let db = db();
    db.run(&["init"]).ok();
    let root = db.create("platform", "acme", None, &[]);
    let dist = db.create("distributor", "north", Some(&root), &[]);
    db.run(&["props", "set", &root, "branding.general", "color=\"red\"", "logo=acme.svg", "smtp_password=hunter2"])
        .ok();
    db.run(&["props", "set", &dist, "branding.general", "color=blue"]).ok();
    let eff = db.run(&["--json", "props", "get", &dist, "branding.general", "--effective"]).ok().json();
    assert_eq!(eff["properties"]["color"], "blue");
    assert_eq!(eff["properties"]["logo"], "acme.svg");
    assert_eq!(eff["sources"]["logo"], root);
    db.run(&["account", "create", "a", "--role", "distributor_admin", "--node", &dist]).ok();
    let masked = db.run(&["--as", "a", "--json", "props", "get", &dist, "branding.general", "--effective"]).ok().json();
    assert_eq!(masked["properties"]["smtp_password"], "********");
    db.run(&["props", "delete", &root, "branding.general", "smtp_password"]).ok();

    db.run(&["markup", "add", &root, "10", "--start", "2024-01-01T00:00:00"]).ok();
    db.run(&["markup", "add", &dist, "20", "--start", "2024-01-01T00:00:00"]).ok();
    let price = db.run(&["--json", "markup", "price", &dist, "100", "--at", "2024-06-01T00:00:00"]).ok().json();
    assert_eq!(price["price"], "132");
    assert_eq!(db.run(&["--json", "markup", "list", &dist]).ok().json()[0]["percent"], "20");
    assert_eq!(db.run(&["--json", "markup", "add", &dist, "-150"]).error()["code"], "INVALID_ARGUMENT");

    let feed = db.run(&["changes"]).ok().stdout;
    assert!(feed.contains("node.create") && feed.contains("props.upsert") && feed.contains("markup.add"), "{feed}");
    assert!(!feed.contains("hunter2"), "{feed}");
    let lines = db.run(&["--json", "changes", "--after", "2"]).ok().stdout;
    let first: serde_json::Value = serde_json::from_str(lines.lines().next().unwrap()).unwrap();
    assert_eq!(first["seq"], 3);
}

#[test]
fn snapshots_export_and_import_with_a_summary() {
    let source = db();
    source.run(&["demo", "--tenants", "40"]).ok();
    let dir = tempfile::tempdir().unwrap();
    for (format, file) in [("binary", "snap.bin"), ("json", "snap.jsonl")] {
        let path = dir.path().join(file);
        let path = path.to_str().unwrap();
        let exported = source.run(&["--json", "export", path, "--format", format]).ok().json();
        assert_eq!(exported["summary"]["tenants"], serde_json::Value::Null);
        assert_eq!(exported["summary"]["nodes"], 70);
        let target = db();
        let imported = target.run(&["--json", "import", path]).ok().json();
        assert_eq!(imported["summary"], exported["summary"]);
        assert!(imported["seconds"].as_f64().unwrap() >= 0.0);
        let human = target.run(&["tree", "--depth", "1"]).ok().stdout;
        assert!(human.contains("acme-telecom"));
        target.run(&["check"]).ok();
        // Importing again into the now full store is refused.
        let again = target.run(&["--json", "import", path]);
        assert_eq!((again.code, again.error()["code"].as_str()), (1, Some("INVALID_ARGUMENT")));
    }
    // Standard output works too, and is the snapshot itself.
    let out = source.run(&["export", "-", "--format", "json"]).ok();
    assert!(out.stdout.starts_with("{\"header\""));
}

#[test]
fn check_reports_damage_and_exits_1() {
    let db = db();
    db.run(&["demo", "--tenants", "10"]).ok();
    {
        let raw = redb::Database::open(&db.path).unwrap();
        let txn = raw.begin_write().unwrap();
        {
            let mut t = txn.open_table(redb::TableDefinition::<(u64, u16), &[u8; 40]>::new("cells")).unwrap();
            // A roll-up of a node that does not exist (recent changes of the cells may be in
            // the log, `cell_log`, which would hide a changed row of a real node): no
            // allocation, below = 99, no bound, no child limits (the fixed 40-byte cell).
            let mut cell = [0u8; 40];
            cell[8] = 99;
            t.insert((999_999, u16::MAX), &cell).unwrap();
        }
        txn.commit().unwrap();
    }
    let out = db.run(&["check"]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("[rollup]"), "{}", out.stdout);
}

#[test]
fn bad_command_lines_are_clear() {
    let db = db();
    assert_eq!(db.run(&["frobnicate"]).code, 2);
    let bad_id = db.run(&["--json", "get", "not-a-uuid"]);
    assert_eq!((bad_id.code, bad_id.error()["code"].as_str()), (1, Some("INVALID_ARGUMENT")));
    let bad_preset = db.run(&["init", "--preset", "nope"]);
    assert!(bad_preset.stderr.contains("INVALID_ARGUMENT"));
    let help = db.run(&["--help"]).ok();
    for cmd in [
        "demo", "tree", "ls", "find", "create", "quota", "account", "token", "props", "markup", "changes", "import",
        "export", "check",
    ] {
        assert!(help.stdout.contains(cmd), "{cmd} missing from help");
    }
}
