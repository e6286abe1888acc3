//! The alternative users weigh: "a few SQLite tables with triggers". The same model and the
//! same invariants as tenantree, kept inside SQLite by constraints and triggers, so that every
//! write through SQL keeps them, as a careful engineer would write it:
//!
//! - an adjacency list (`nodes.parent`) with foreign keys; ancestors and descendants by
//!   recursive common table expressions (depth ≤ 5 here, so an ancestor walk is at most five
//!   primary-key lookups);
//! - kind rules, depth, cascading status and the count quotas checked by one `BEFORE INSERT`
//!   trigger in a single walk up the tree; roll-ups (per node and key: kind counts, allocations,
//!   direct children) kept by `AFTER` triggers with upserts;
//! - nested limits checked by triggers on `limits`; allocation quotas and cascading status by
//!   triggers on `allocations`; delete-when-empty by a foreign key plus a trigger that names the
//!   reason and cleans up;
//! - sibling names unique by a unique index that also serves the name-sorted listing; dealer
//!   logins unique store-wide through a trigger-kept table.
//!
//! Settings: WAL with `synchronous=NORMAL` (as the issue prescribes: a commit does not wait
//! for the disk, so the last commits can be lost on power loss, not on an application crash),
//! foreign keys on, and the same 256 MiB page cache tenantree gets.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::engine::{
    Adjust, CheckView, Engine, Error, Id, IdGen, Item, Kind, Mode, NewRec, NodeView, PageView, QuotaView, RESOURCES,
    Result, Status, SubtreeView, effective, now_micros,
};

/// The schema: tables, indexes and triggers.
pub const SCHEMA: &str = r"
CREATE TABLE kinds (
    kind       INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    top_level  INTEGER NOT NULL,
    name_group TEXT,              -- store-wide login uniqueness group; NULL: unique among siblings
    leaf       INTEGER NOT NULL   -- no kind may hang under it
);
CREATE TABLE kind_parents (
    kind        INTEGER NOT NULL REFERENCES kinds,
    parent_kind INTEGER NOT NULL REFERENCES kinds,
    PRIMARY KEY (kind, parent_kind)
) WITHOUT ROWID;
CREATE TABLE resources (
    key         INTEGER PRIMARY KEY,   -- roll-up key: the counted kind's number, or 256 + position
    name        TEXT NOT NULL UNIQUE,
    counts_kind INTEGER REFERENCES kinds
);
CREATE TABLE settings (max_depth INTEGER NOT NULL);

CREATE TABLE nodes (
    seq         INTEGER PRIMARY KEY,
    id          BLOB NOT NULL UNIQUE CHECK (length(id) = 16),
    parent      INTEGER REFERENCES nodes (seq),
    kind        INTEGER NOT NULL REFERENCES kinds,
    name        TEXT NOT NULL CHECK (
                    length(name) BETWEEN 1 AND 64
                    AND name NOT GLOB '*[^A-Za-z0-9_.''-]*'
                    AND name NOT GLOB '.*' AND name NOT GLOB '*.'
                    AND lower(name) NOT IN ('admin', 'system', 'administrator', 'root')),
    name_folded TEXT GENERATED ALWAYS AS (lower(name)) VIRTUAL,
    status      INTEGER NOT NULL DEFAULT 0 CHECK (status IN (0, 1, 2)),  -- enabled, disabled, suspended
    suspension_profile INTEGER NOT NULL DEFAULT 0,
    created     INTEGER NOT NULL,
    updated     INTEGER NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    tenant_full_access INTEGER NOT NULL DEFAULT 1,
    display_name TEXT, email TEXT, website TEXT, phone TEXT, address TEXT, description TEXT,
    external_name TEXT, billing_id TEXT UNIQUE, extra TEXT
);
-- Names unique among siblings of a kind; also the children of a node sorted by name, and the
-- index the parent foreign key needs.
CREATE UNIQUE INDEX nodes_by_name ON nodes (parent, name_folded, kind);

CREATE TABLE unique_names (
    name_group  TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    node        INTEGER NOT NULL,
    PRIMARY KEY (name_group, name_folded)
) WITHOUT ROWID;

CREATE TABLE limits (
    node  INTEGER NOT NULL REFERENCES nodes (seq),
    key   INTEGER NOT NULL REFERENCES resources,
    value INTEGER NOT NULL CHECK (value >= 0),
    PRIMARY KEY (node, key)
) WITHOUT ROWID;

CREATE TABLE allocations (
    node   INTEGER NOT NULL REFERENCES nodes (seq),
    key    INTEGER NOT NULL REFERENCES resources CHECK (key >= 256),
    amount INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (node, key)
) WITHOUT ROWID;

-- What the strict descendants of a node add up to, per key: kind counts, allocations, and
-- 65535 for the number of direct children. Interior nodes only.
CREATE TABLE rollups (
    node  INTEGER NOT NULL,
    key   INTEGER NOT NULL,
    below INTEGER NOT NULL,
    PRIMARY KEY (node, key)
) WITHOUT ROWID;

-- Creating a node: parent exists, kind rule, then one walk up the tree for depth, cascading
-- status and the count quota of every ancestor.
CREATE TRIGGER nodes_insert_rules BEFORE INSERT ON nodes BEGIN
    SELECT CASE
        WHEN NEW.parent IS NULL THEN
            CASE WHEN coalesce((SELECT top_level FROM kinds WHERE kind = NEW.kind), 0) = 0
                 THEN RAISE(ABORT, 'KIND_NOT_ALLOWED') END
        WHEN NOT EXISTS (SELECT 1 FROM nodes WHERE seq = NEW.parent) THEN RAISE(ABORT, 'NOT_FOUND')
        WHEN NOT EXISTS (SELECT 1 FROM nodes p JOIN kind_parents kp ON kp.kind = NEW.kind AND kp.parent_kind = p.kind
                         WHERE p.seq = NEW.parent) THEN RAISE(ABORT, 'KIND_NOT_ALLOWED')
    END;
    SELECT CASE
        WHEN max(a.depth) >= (SELECT max_depth FROM settings) THEN RAISE(ABORT, 'DEPTH_EXCEEDED')
        WHEN max(a.status) <> 0 THEN RAISE(ABORT, 'SERVICE_DISABLED')
        WHEN max(l.value < coalesce(r.below, 0) + 1) THEN RAISE(ABORT, 'QUOTA_EXCEEDED')
    END
    FROM (WITH RECURSIVE a(seq, parent, status, depth) AS (
              SELECT seq, parent, status, 1 FROM nodes WHERE seq = NEW.parent
              UNION ALL
              SELECT n.seq, n.parent, n.status, a.depth + 1 FROM nodes n JOIN a ON n.seq = a.parent)
          SELECT * FROM a) AS a
    LEFT JOIN limits l ON l.node = a.seq AND l.key = NEW.kind
    LEFT JOIN rollups r ON r.node = a.seq AND r.key = NEW.kind;
END;

CREATE TRIGGER nodes_insert_rollups AFTER INSERT ON nodes BEGIN
    INSERT INTO rollups (node, key, below)
        SELECT seq, NEW.kind, 1
        FROM (WITH RECURSIVE a(seq, parent) AS (
                  SELECT seq, parent FROM nodes WHERE seq = NEW.parent
                  UNION ALL
                  SELECT n.seq, n.parent FROM nodes n JOIN a ON n.seq = a.parent)
              SELECT seq FROM a)
        WHERE true
        ON CONFLICT (node, key) DO UPDATE SET below = below + 1;
    INSERT INTO rollups (node, key, below)
        SELECT NEW.parent, 65535, 1 WHERE NEW.parent IS NOT NULL
        ON CONFLICT (node, key) DO UPDATE SET below = below + 1;
    INSERT INTO unique_names (name_group, name_folded, node)
        SELECT name_group, lower(NEW.name), NEW.seq FROM kinds WHERE kind = NEW.kind AND name_group IS NOT NULL;
END;

-- Deleting a node: only when empty; then the roll-ups and everything it owns.
CREATE TRIGGER nodes_delete BEFORE DELETE ON nodes BEGIN
    SELECT RAISE(ABORT, 'STILL_IN_USE')
    WHERE EXISTS (SELECT 1 FROM nodes WHERE parent = OLD.seq)
       OR EXISTS (SELECT 1 FROM allocations WHERE node = OLD.seq AND amount > 0);
    UPDATE rollups SET below = below - 1
    WHERE key = OLD.kind AND node IN (
        WITH RECURSIVE a(seq, parent) AS (
            SELECT seq, parent FROM nodes WHERE seq = OLD.parent
            UNION ALL
            SELECT n.seq, n.parent FROM nodes n JOIN a ON n.seq = a.parent)
        SELECT seq FROM a);
    UPDATE rollups SET below = below - 1 WHERE node = OLD.parent AND key = 65535;
    DELETE FROM limits WHERE node = OLD.seq;
    DELETE FROM allocations WHERE node = OLD.seq;
    DELETE FROM rollups WHERE node = OLD.seq;
    DELETE FROM unique_names
    WHERE name_group = (SELECT name_group FROM kinds WHERE kind = OLD.kind) AND name_folded = lower(OLD.name);
END;

-- Limits: not below the node's usage, not above any ancestor's limit, not below any
-- descendant's limit.
CREATE TRIGGER limits_insert_rules BEFORE INSERT ON limits BEGIN
    SELECT RAISE(ABORT, 'INVALID_LIMIT')
    WHERE NEW.value < coalesce((SELECT below FROM rollups WHERE node = NEW.node AND key = NEW.key), 0)
                    + coalesce((SELECT amount FROM allocations WHERE node = NEW.node AND key = NEW.key), 0);
    SELECT RAISE(ABORT, 'INVALID_LIMIT')
    FROM (WITH RECURSIVE a(seq, parent) AS (
              SELECT p.seq, p.parent FROM nodes c JOIN nodes p ON p.seq = c.parent WHERE c.seq = NEW.node
              UNION ALL
              SELECT n.seq, n.parent FROM nodes n JOIN a ON n.seq = a.parent)
          SELECT seq FROM a) AS a
    CROSS JOIN limits l ON l.node = a.seq AND l.key = NEW.key
    WHERE l.value < NEW.value;
    SELECT RAISE(ABORT, 'INVALID_LIMIT')
    FROM (WITH RECURSIVE d(seq) AS (
              SELECT seq FROM nodes WHERE parent = NEW.node
              UNION ALL
              SELECT n.seq FROM nodes n JOIN d ON n.parent = d.seq)
          SELECT seq FROM d) AS d
    CROSS JOIN limits l ON l.node = d.seq AND l.key = NEW.key
    WHERE l.value > NEW.value;
END;

CREATE TRIGGER limits_update_rules BEFORE UPDATE OF value ON limits BEGIN
    SELECT RAISE(ABORT, 'INVALID_LIMIT')
    WHERE NEW.value < coalesce((SELECT below FROM rollups WHERE node = NEW.node AND key = NEW.key), 0)
                    + coalesce((SELECT amount FROM allocations WHERE node = NEW.node AND key = NEW.key), 0);
    SELECT RAISE(ABORT, 'INVALID_LIMIT')
    FROM (WITH RECURSIVE a(seq, parent) AS (
              SELECT p.seq, p.parent FROM nodes c JOIN nodes p ON p.seq = c.parent WHERE c.seq = NEW.node
              UNION ALL
              SELECT n.seq, n.parent FROM nodes n JOIN a ON n.seq = a.parent)
          SELECT seq FROM a) AS a
    CROSS JOIN limits l ON l.node = a.seq AND l.key = NEW.key
    WHERE l.value < NEW.value;
    SELECT RAISE(ABORT, 'INVALID_LIMIT')
    FROM (WITH RECURSIVE d(seq) AS (
              SELECT seq FROM nodes WHERE parent = NEW.node
              UNION ALL
              SELECT n.seq FROM nodes n JOIN d ON n.parent = d.seq)
          SELECT seq FROM d) AS d
    CROSS JOIN limits l ON l.node = d.seq AND l.key = NEW.key
    WHERE l.value > NEW.value;
END;

-- Allocations: roll up to every ancestor, then usage <= limit on the node and every ancestor,
-- and nothing taken below a node that is off. Giving back is always allowed.
CREATE TRIGGER allocations_insert AFTER INSERT ON allocations BEGIN
    INSERT INTO rollups (node, key, below)
        SELECT seq, NEW.key, NEW.amount
        FROM (WITH RECURSIVE a(seq, parent) AS (
                  SELECT p.seq, p.parent FROM nodes c JOIN nodes p ON p.seq = c.parent WHERE c.seq = NEW.node
                  UNION ALL
                  SELECT n.seq, n.parent FROM nodes n JOIN a ON n.seq = a.parent)
              SELECT seq FROM a)
        WHERE true
        ON CONFLICT (node, key) DO UPDATE SET below = below + excluded.below;
    SELECT CASE
        WHEN max(a.status) <> 0 THEN RAISE(ABORT, 'SERVICE_DISABLED')
        WHEN max(l.value < coalesce(r.below, 0) + coalesce(o.amount, 0)) THEN RAISE(ABORT, 'QUOTA_EXCEEDED')
    END
    FROM (WITH RECURSIVE a(seq, parent, status) AS (
              SELECT seq, parent, status FROM nodes WHERE seq = NEW.node
              UNION ALL
              SELECT n.seq, n.parent, n.status FROM nodes n JOIN a ON n.seq = a.parent)
          SELECT * FROM a) AS a
    LEFT JOIN limits l ON l.node = a.seq AND l.key = NEW.key
    LEFT JOIN rollups r ON r.node = a.seq AND r.key = NEW.key
    LEFT JOIN allocations o ON o.node = a.seq AND o.key = NEW.key;
END;

CREATE TRIGGER allocations_update AFTER UPDATE OF amount ON allocations BEGIN
    UPDATE rollups SET below = below + (NEW.amount - OLD.amount)
    WHERE key = NEW.key AND node IN (
        WITH RECURSIVE a(seq, parent) AS (
            SELECT p.seq, p.parent FROM nodes c JOIN nodes p ON p.seq = c.parent WHERE c.seq = NEW.node
            UNION ALL
            SELECT n.seq, n.parent FROM nodes n JOIN a ON n.seq = a.parent)
        SELECT seq FROM a);
    SELECT CASE
        WHEN max(a.status) <> 0 THEN RAISE(ABORT, 'SERVICE_DISABLED')
        WHEN max(l.value < coalesce(r.below, 0) + coalesce(o.amount, 0)) THEN RAISE(ABORT, 'QUOTA_EXCEEDED')
    END
    FROM (WITH RECURSIVE a(seq, parent, status) AS (
              SELECT seq, parent, status FROM nodes WHERE seq = NEW.node
              UNION ALL
              SELECT n.seq, n.parent, n.status FROM nodes n JOIN a ON n.seq = a.parent)
          SELECT * FROM a) AS a
    LEFT JOIN limits l ON l.node = a.seq AND l.key = NEW.key
    LEFT JOIN rollups r ON r.node = a.seq AND r.key = NEW.key
    LEFT JOIN allocations o ON o.node = a.seq AND o.key = NEW.key
    WHERE NEW.amount > OLD.amount;
END;
";

/// tenantree's channel schema as rows.
const SCHEMA_DATA: &str = r"
INSERT INTO kinds (kind, name, top_level, name_group, leaf) VALUES
    (0, 'platform', 1, 'platform', 0),
    (1, 'distributor', 0, 'dealer', 0),
    (2, 'sub_distributor', 0, 'dealer', 0),
    (3, 'reseller', 0, 'dealer', 0),
    (4, 'tenant', 0, NULL, 1);
INSERT INTO kind_parents (kind, parent_kind) VALUES
    (1, 0), (2, 1), (3, 0), (3, 1), (3, 2), (4, 1), (4, 2), (4, 3);
INSERT INTO resources (key, name, counts_kind) VALUES
    (4, 'tenants', 4),
    (257, 'extensions', NULL),
    (258, 'concurrent_calls', NULL),
    (259, 'ring_groups', NULL),
    (260, 'virtual_receptionists', NULL),
    (261, 'call_queues', NULL),
    (262, 'conference_rooms', NULL),
    (263, 'disk_bytes', NULL);
INSERT INTO settings (max_depth) VALUES (5);
";

const INSERT_NODE: &str = "INSERT INTO nodes (id, parent, kind, name, created, updated) VALUES \
     (?1, CASE WHEN ?2 IS NULL THEN NULL ELSE coalesce((SELECT seq FROM nodes WHERE id = ?2), -1) END, ?3, ?4, ?5, ?5)";
const INSERT_LIMIT: &str = "INSERT INTO limits (node, key, value) VALUES (?1, ?2, ?3)";
const ALLOCATE: &str = "INSERT INTO allocations (node, key, amount) VALUES ((SELECT seq FROM nodes WHERE id = ?1), ?2, ?3) \
     ON CONFLICT (node, key) DO UPDATE SET amount = amount + excluded.amount";
const RELEASE: &str =
    "UPDATE allocations SET amount = amount - ?3 WHERE node = (SELECT seq FROM nodes WHERE id = ?1) AND key = ?2";
const CHAIN: &str = "WITH RECURSIVE a(seq, parent, kind, name, status, d) AS ( \
         SELECT seq, parent, kind, name, status, 0 FROM nodes WHERE id = ?1 \
         UNION ALL \
         SELECT n.seq, n.parent, n.kind, n.name, n.status, a.d + 1 FROM nodes n JOIN a ON n.seq = a.parent) \
     SELECT seq, kind, name, status FROM a ORDER BY d";
const QUOTAS: &str = "WITH RECURSIVE a(seq, parent, d) AS ( \
         SELECT seq, parent, 0 FROM nodes WHERE id = ?1 \
         UNION ALL \
         SELECT n.seq, n.parent, a.d + 1 FROM nodes n JOIN a ON n.seq = a.parent) \
     SELECT r.key, a.d, l.value, coalesce(u.below, 0) + coalesce(o.amount, 0), coalesce(o.amount, 0) \
     FROM a CROSS JOIN resources r \
     LEFT JOIN limits l ON l.node = a.seq AND l.key = r.key \
     LEFT JOIN rollups u ON u.node = a.seq AND u.key = r.key \
     LEFT JOIN allocations o ON o.node = a.seq AND o.key = r.key \
     WHERE a.d = 0 OR l.value IS NOT NULL";
const PAGE: &str = "SELECT seq, name, name_folded, kind, status FROM nodes \
     WHERE parent = ?1 AND (name_folded, kind, seq) > (?2, ?3, ?4) \
     ORDER BY name_folded, kind, seq LIMIT ?5";
const CHILD_COUNT: &str = "SELECT below FROM rollups WHERE node = ?1 AND key = 65535";
const TENANTS_UNDER: &str = "WITH RECURSIVE d(seq, kind, name) AS ( \
         SELECT seq, kind, name FROM nodes WHERE id = ?1 \
         UNION ALL \
         SELECT n.seq, n.kind, n.name FROM d JOIN nodes n ON n.parent = d.seq \
         WHERE d.kind NOT IN (SELECT kind FROM kinds WHERE leaf)) \
     SELECT name FROM d WHERE kind = ?2";

/// The integrity check, after `PRAGMA integrity_check` and `foreign_key_check`: every roll-up
/// recomputed from the records (through a temporary closure table), and every rule re-verified.
/// Each query counts problems.
const CHECK_SETUP: &str = r"
DROP TABLE IF EXISTS temp.check_anc;
DROP TABLE IF EXISTS temp.check_expected;
CREATE TEMP TABLE check_anc AS
    WITH RECURSIVE anc(node, kind, ancestor, depth) AS (
        SELECT seq, kind, parent, 1 FROM nodes WHERE parent IS NOT NULL
        UNION ALL
        SELECT anc.node, anc.kind, n.parent, anc.depth + 1 FROM anc JOIN nodes n ON n.seq = anc.ancestor
        WHERE n.parent IS NOT NULL)
    SELECT * FROM anc;
CREATE TEMP TABLE check_expected AS
    SELECT ancestor AS node, kind AS key, count(*) AS below FROM check_anc GROUP BY ancestor, kind
    UNION ALL
    SELECT parent, 65535, count(*) FROM nodes WHERE parent IS NOT NULL GROUP BY parent
    UNION ALL
    SELECT c.ancestor, a.key, sum(a.amount) FROM check_anc c JOIN allocations a ON a.node = c.node
    GROUP BY c.ancestor, a.key;
";
const CHECK_QUERIES: [&str; 8] = [
    // Roll-ups stored but wrong or stale, and roll-ups missing.
    "SELECT count(*) FROM (SELECT node, key, below FROM rollups WHERE below <> 0 \
         EXCEPT SELECT node, key, below FROM check_expected WHERE below <> 0)",
    "SELECT count(*) FROM (SELECT node, key, below FROM check_expected WHERE below <> 0 \
         EXCEPT SELECT node, key, below FROM rollups WHERE below <> 0)",
    // Usage within every limit.
    "SELECT count(*) FROM limits l \
         LEFT JOIN rollups r ON r.node = l.node AND r.key = l.key \
         LEFT JOIN allocations a ON a.node = l.node AND a.key = l.key \
     WHERE coalesce(r.below, 0) + coalesce(a.amount, 0) > l.value",
    // Limits nested under every ancestor's limit.
    "SELECT count(*) FROM limits l JOIN check_anc c ON c.node = l.node \
         JOIN limits la ON la.node = c.ancestor AND la.key = l.key WHERE l.value > la.value",
    // Kind rules.
    "SELECT count(*) FROM nodes c LEFT JOIN nodes p ON p.seq = c.parent \
     WHERE (c.parent IS NULL AND NOT (SELECT top_level FROM kinds WHERE kind = c.kind)) \
        OR (c.parent IS NOT NULL AND NOT EXISTS \
            (SELECT 1 FROM kind_parents WHERE kind = c.kind AND parent_kind = p.kind))",
    // Depth.
    "SELECT count(*) FROM check_anc WHERE depth + 1 > (SELECT max_depth FROM settings)",
    // Store-wide logins: one entry per node of a grouped kind, naming it.
    "SELECT count(*) FROM nodes n JOIN kinds k ON k.kind = n.kind AND k.name_group IS NOT NULL \
     WHERE NOT EXISTS (SELECT 1 FROM unique_names u \
                       WHERE u.name_group = k.name_group AND u.name_folded = n.name_folded AND u.node = n.seq)",
    "SELECT abs((SELECT count(*) FROM unique_names) - (SELECT count(*) FROM nodes n JOIN kinds k \
         ON k.kind = n.kind AND k.name_group IS NOT NULL))",
];

/// Maps SQLite errors to the model's codes: trigger refusals carry the code as their message.
pub fn map_error(e: rusqlite::Error) -> Error {
    use rusqlite::ffi;
    match &e {
        rusqlite::Error::SqliteFailure(err, msg) if err.code == ffi::ErrorCode::ConstraintViolation => {
            let text = msg.clone().unwrap_or_default();
            let code = match err.extended_code {
                ffi::SQLITE_CONSTRAINT_TRIGGER => text.clone(),
                ffi::SQLITE_CONSTRAINT_UNIQUE | ffi::SQLITE_CONSTRAINT_PRIMARYKEY => "ALREADY_EXISTS".to_owned(),
                ffi::SQLITE_CONSTRAINT_FOREIGNKEY => "FOREIGN_KEY".to_owned(),
                _ => "INVALID_ARGUMENT".to_owned(),
            };
            Error::refused(&code, text)
        }
        _ => Error::msg(e.to_string()),
    }
}

fn files(path: &Path) -> [PathBuf; 3] {
    let with = |suffix: &str| {
        let mut s = path.as_os_str().to_owned();
        s.push(suffix);
        PathBuf::from(s)
    };
    [path.to_path_buf(), with("-wal"), with("-shm")]
}

/// The bytes SQLite keeps for a database: the file plus its WAL, if any.
pub fn disk_bytes(path: &Path) -> u64 {
    files(path).iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum()
}

/// SQLite with the model's schema and triggers.
#[derive(Debug)]
pub struct Sqlite {
    conn: Connection,
    ids: IdGen,
}

fn status_name(status: i64) -> &'static str {
    match status {
        0 => "enabled",
        1 => "disabled",
        _ => "suspended",
    }
}

fn kind_name(kind: i64) -> String {
    u8::try_from(kind).ok().and_then(Kind::from_index).map_or("?", Kind::name).to_owned()
}

fn blob(id: Id) -> [u8; 16] {
    id.to_be_bytes()
}

fn id_of(bytes: &[u8]) -> Result<Id> {
    let arr: [u8; 16] = bytes.try_into().map_err(|_| Error::msg("an id is not 16 bytes"))?;
    Ok(u128::from_be_bytes(arr))
}

fn connect(path: &Path, mode: Mode) -> Result<Connection> {
    let conn = Connection::open(path)?;
    let sync = if mode == Mode::FsyncEveryCommit { "FULL" } else { "NORMAL" };
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = {sync}; PRAGMA foreign_keys = ON; \
         PRAGMA cache_size = -262144; PRAGMA temp_store = MEMORY;"
    ))?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// A node's chain, from the node up: (seq, kind, name, status).
type ChainRow = (i64, i64, String, i64);

impl Sqlite {
    fn chain(conn: &Connection, id: Id) -> Result<Vec<ChainRow>> {
        let mut stmt = conn.prepare_cached(CHAIN)?;
        let rows = stmt.query_map(params![blob(id)], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Runs `f` in a read transaction (a consistent snapshot, as tenantree's reads).
    fn read<T>(&self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let tx = self.conn.unchecked_transaction()?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    /// The connection, for tests that look further.
    pub fn conn(&self) -> &Connection {
        &self.conn
    }
}

impl Engine for Sqlite {
    const NAME: &'static str = "SQLite";
    /// (folded name, kind, seq) of the last entry shown.
    type Cursor = (String, i64, i64);

    fn create(path: &Path) -> Result<Sqlite> {
        for f in files(path) {
            let _ = std::fs::remove_file(f);
        }
        let conn = connect(path, Mode::Bulk)?;
        conn.execute_batch(&format!("BEGIN; {SCHEMA} {SCHEMA_DATA} COMMIT;"))?;
        Ok(Sqlite { conn, ids: IdGen::new() })
    }

    fn open(path: &Path, mode: Mode) -> Result<Sqlite> {
        Ok(Sqlite { conn: connect(path, mode)?, ids: IdGen::new() })
    }

    fn flush(&mut self) -> Result<()> {
        // In WAL with synchronous=NORMAL a checkpoint is what reaches the disk.
        self.conn.execute_batch("PRAGMA wal_checkpoint(FULL);")?;
        Ok(())
    }

    fn close(self) -> Result<()> {
        self.conn.close().map_err(|(_, e)| map_error(e))
    }

    fn disk_bytes(path: &Path) -> u64 {
        disk_bytes(path)
    }

    fn insert(&mut self, nodes: &[NewRec]) -> Result<Vec<Id>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut out = Vec::with_capacity(nodes.len());
        {
            let mut insert = tx.prepare_cached(INSERT_NODE)?;
            let mut limit = tx.prepare_cached(INSERT_LIMIT)?;
            let now = now_micros();
            for new in nodes {
                let id = self.ids.next_id();
                let parent = new.parent.map(blob);
                insert.execute(params![blob(id), parent, new.kind.index(), new.name, now])?;
                let seq = tx.last_insert_rowid();
                for &(key, value) in &new.limits {
                    limit.execute(params![seq, key, i64::try_from(value).unwrap_or(i64::MAX)])?;
                }
                out.push(id);
            }
        }
        tx.commit()?;
        Ok(out)
    }

    fn adjust(&mut self, ops: &[Adjust]) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        {
            let mut allocate = tx.prepare_cached(ALLOCATE)?;
            let mut release = tx.prepare_cached(RELEASE)?;
            for op in ops {
                if op.delta >= 0 {
                    allocate.execute(params![blob(op.node), op.key, op.delta])?;
                } else if release.execute(params![blob(op.node), op.key, -op.delta])? == 0 {
                    return Err(Error::refused("INVALID_ARGUMENT", "nothing allocated to release"));
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn set_status(&mut self, node: Id, status: Status) -> Result<()> {
        let code = match status {
            Status::Enabled => 0,
            Status::Disabled => 1,
            Status::Suspended => 2,
        };
        let n = self.conn.execute(
            "UPDATE nodes SET status = ?2, version = version + 1, updated = ?3 WHERE id = ?1",
            params![blob(node), code, now_micros()],
        )?;
        if n == 0 { Err(Error::refused("NOT_FOUND", "no such node")) } else { Ok(()) }
    }

    fn delete(&mut self, node: Id) -> Result<()> {
        let n = self.conn.execute("DELETE FROM nodes WHERE id = ?1", params![blob(node)])?;
        if n == 0 { Err(Error::refused("NOT_FOUND", "no such node")) } else { Ok(()) }
    }

    fn children_ids(&self, parent: Option<Id>) -> Result<Vec<(String, Id)>> {
        let sql = match parent {
            Some(_) => "SELECT name, id FROM nodes WHERE parent = (SELECT seq FROM nodes WHERE id = ?1)",
            None => "SELECT name, id FROM nodes WHERE parent IS NULL AND ?1 IS NULL",
        };
        let mut stmt = self.conn.prepare_cached(sql)?;
        let rows =
            stmt.query_map(params![parent.map(blob)], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (name, id) = row?;
            out.push((name, id_of(&id)?));
        }
        Ok(out)
    }

    fn get(&self, node: Id) -> Result<NodeView> {
        self.read(|conn| {
            let chain = Sqlite::chain(conn, node)?;
            let (_, kind, name, status) = chain.first().ok_or_else(|| Error::refused("NOT_FOUND", "no such node"))?;
            let mut stmt = conn.prepare_cached(QUOTAS)?;
            let rows = stmt.query_map(params![blob(node)], |r| {
                Ok((
                    r.get::<_, u16>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?;
            let mut quotas: Vec<QuotaView> = RESOURCES
                .iter()
                .map(|(n, _)| QuotaView {
                    resource: (*n).to_owned(),
                    limit: None,
                    used: 0,
                    allocated: 0,
                    available: None,
                })
                .collect();
            for row in rows {
                let (key, d, limit, usage, own) = row?;
                let Some(q) = RESOURCES.iter().position(|(_, k)| *k == key).and_then(|i| quotas.get_mut(i)) else {
                    continue;
                };
                let usage = u64::try_from(usage).unwrap_or(0);
                let limit = limit.and_then(|l| u64::try_from(l).ok());
                if d == 0 {
                    q.limit = limit;
                    q.used = usage;
                    q.allocated = u64::try_from(own).unwrap_or(0);
                }
                if let Some(l) = limit {
                    let room = l.saturating_sub(usage);
                    q.available = Some(q.available.map_or(room, |a| a.min(room)));
                }
            }
            Ok(NodeView {
                name: name.clone(),
                kind: kind_name(*kind),
                depth: u32::try_from(chain.len()).unwrap_or(u32::MAX),
                status: status_name(*status).to_owned(),
                effective: effective(chain.iter().map(|c| status_name(c.3))),
                quotas,
            })
        })
    }

    fn page(&self, parent: Id, limit: u32, after: Option<&Self::Cursor>) -> Result<(PageView, Option<Self::Cursor>)> {
        self.read(|conn| {
            let chain = Sqlite::chain(conn, parent)?;
            let seq = chain.first().map(|c| c.0).ok_or_else(|| Error::refused("NOT_FOUND", "no such node"))?;
            let inherited = effective(chain.iter().map(|c| status_name(c.3)));
            let total: i64 =
                conn.prepare_cached(CHILD_COUNT)?.query_row(params![seq], |r| r.get(0)).optional()?.unwrap_or(0);
            let (name, kind, last) = after.cloned().unwrap_or_else(|| (String::new(), -1, -1));
            let mut stmt = conn.prepare_cached(PAGE)?;
            let rows = stmt.query_map(params![seq, name, kind, last, i64::from(limit) + 1], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?;
            let mut items = Vec::with_capacity(limit as usize);
            let mut next = None;
            let mut last: Option<Self::Cursor> = None;
            for row in rows {
                let (seq, name, folded, kind, status) = row?;
                if items.len() == limit as usize {
                    next = last.take();
                    break;
                }
                let own = status_name(status);
                items.push(Item {
                    name,
                    kind: kind_name(kind),
                    effective: if own == "enabled" { inherited.clone() } else { own.to_owned() },
                });
                last = Some((folded, kind, seq));
            }
            Ok((PageView { items, total: u64::try_from(total).unwrap_or(0) }, next))
        })
    }

    fn tenants_under(&self, root: Id) -> Result<SubtreeView> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(TENANTS_UNDER)?;
            let mut rows = stmt.query(params![blob(root), Kind::Tenant.index()])?;
            let mut out = SubtreeView::default();
            while let Some(row) = rows.next()? {
                out.add(row.get_ref(0)?.as_str().map_err(|e| Error::msg(e.to_string()))?);
            }
            Ok(out)
        })
    }

    fn check(&mut self) -> Result<CheckView> {
        let mut problems = 0u64;
        {
            let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
            let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
            for row in rows {
                if row? != "ok" {
                    problems += 1;
                }
            }
            let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
            let mut rows = stmt.query([])?;
            while rows.next()?.is_some() {
                problems += 1;
            }
        }
        self.conn.execute_batch(CHECK_SETUP)?;
        for q in CHECK_QUERIES {
            let n: i64 = self.conn.query_row(q, [], |r| r.get(0))?;
            problems += u64::try_from(n).unwrap_or(1);
        }
        self.conn.execute_batch("DROP TABLE temp.check_anc; DROP TABLE temp.check_expected;")?;
        let nodes: i64 = self.conn.query_row("SELECT count(*) FROM nodes", [], |r| r.get(0))?;
        Ok(CheckView { nodes: u64::try_from(nodes).unwrap_or(0), problems })
    }
}
