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

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::engine::{
    Adjust, CheckView, Engine, Error, Id, IdGen, Item, Kind, Mode, NewRec, NodeView, PageView, QuotaView, RESOURCES,
    Result, Status, SubtreeView, effective, now_micros,
};

/// The schema: tables, indexes and triggers (`benches/sql/schema.sql`, shared with the sql.js
/// version in `benches/js`).
pub const SCHEMA: &str = include_str!("../sql/schema.sql");

/// tenantree's channel schema as rows.
const SCHEMA_DATA: &str = include_str!("../sql/channel.sql");

/// The named statements (`benches/sql/statements.sql`, shared with `benches/js`).
const STATEMENTS: &str = include_str!("../sql/statements.sql");

/// The statement called `name` in [`STATEMENTS`]: from its `-- name:` line to the next one.
pub fn statement(name: &str) -> &'static str {
    static BY_NAME: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
        STATEMENTS
            .split("\n-- name: ")
            .skip(1)
            .filter_map(|part| part.split_once('\n'))
            .map(|(name, body)| (name.trim(), body.trim()))
            .collect()
    });
    BY_NAME.get(name).copied().unwrap_or("SELECT RAISE(ABORT, 'no such benchmark statement')")
}

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

/// The disk space of the same files.
pub fn disk_used(path: &Path) -> u64 {
    files(path).iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| crate::engine::allocated(&m)).sum()
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
        let mut stmt = conn.prepare_cached(statement("chain"))?;
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

    fn disk_used(path: &Path) -> u64 {
        disk_used(path)
    }

    fn insert(&mut self, nodes: &[NewRec]) -> Result<Vec<Id>> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut out = Vec::with_capacity(nodes.len());
        {
            let mut insert = tx.prepare_cached(statement("insert_node"))?;
            let mut limit = tx.prepare_cached(statement("insert_limit"))?;
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
            let mut allocate = tx.prepare_cached(statement("allocate"))?;
            let mut release = tx.prepare_cached(statement("release"))?;
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
            let mut stmt = conn.prepare_cached(statement("quotas"))?;
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
            let total: i64 = conn
                .prepare_cached(statement("child_count"))?
                .query_row(params![seq], |r| r.get(0))
                .optional()?
                .unwrap_or(0);
            let (name, kind, last) = after.cloned().unwrap_or_else(|| (String::new(), -1, -1));
            let mut stmt = conn.prepare_cached(statement("page"))?;
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
            let mut stmt = conn.prepare_cached(statement("tenants_under"))?;
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
