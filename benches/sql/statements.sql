-- The statements of the SQLite alternative, by name. Shared by benches/src/sqlite.rs (rusqlite)
-- and benches/js (sql.js): each starts at its `-- name:` line and ends at the next one.
-- Parameters are numbered (?1, ?2, ...); ids are 16-byte blobs.

-- name: insert_node
INSERT INTO nodes (id, parent, kind, name, created, updated) VALUES
    (?1, CASE WHEN ?2 IS NULL THEN NULL ELSE coalesce((SELECT seq FROM nodes WHERE id = ?2), -1) END, ?3, ?4, ?5, ?5)

-- name: insert_limit
INSERT INTO limits (node, key, value) VALUES (?1, ?2, ?3)

-- name: allocate
INSERT INTO allocations (node, key, amount) VALUES ((SELECT seq FROM nodes WHERE id = ?1), ?2, ?3)
    ON CONFLICT (node, key) DO UPDATE SET amount = amount + excluded.amount

-- name: release
UPDATE allocations SET amount = amount - ?3 WHERE node = (SELECT seq FROM nodes WHERE id = ?1) AND key = ?2

-- name: chain
-- A node and its ancestors, from the node up: seq, kind, name, status.
WITH RECURSIVE a(seq, parent, kind, name, status, d) AS (
    SELECT seq, parent, kind, name, status, 0 FROM nodes WHERE id = ?1
    UNION ALL
    SELECT n.seq, n.parent, n.kind, n.name, n.status, a.d + 1 FROM nodes n JOIN a ON n.seq = a.parent)
SELECT seq, kind, name, status FROM a ORDER BY d

-- name: quotas
-- Per resource: depth in the chain (0: the node), limit, usage (below + own), own allocation;
-- the node's row for every resource, and the rows of limited ancestors.
WITH RECURSIVE a(seq, parent, d) AS (
    SELECT seq, parent, 0 FROM nodes WHERE id = ?1
    UNION ALL
    SELECT n.seq, n.parent, a.d + 1 FROM nodes n JOIN a ON n.seq = a.parent)
SELECT r.key, a.d, l.value, coalesce(u.below, 0) + coalesce(o.amount, 0), coalesce(o.amount, 0)
FROM a CROSS JOIN resources r
LEFT JOIN limits l ON l.node = a.seq AND l.key = r.key
LEFT JOIN rollups u ON u.node = a.seq AND u.key = r.key
LEFT JOIN allocations o ON o.node = a.seq AND o.key = r.key
WHERE a.d = 0 OR l.value IS NOT NULL

-- name: page
-- Children of ?1 after the cursor (folded name, kind, seq), by name; ask for one more than a page.
SELECT seq, name, name_folded, kind, status FROM nodes
WHERE parent = ?1 AND (name_folded, kind, seq) > (?2, ?3, ?4)
ORDER BY name_folded, kind, seq LIMIT ?5

-- name: child_count
SELECT below FROM rollups WHERE node = ?1 AND key = 65535

-- name: tenants_under
WITH RECURSIVE d(seq, kind, name) AS (
    SELECT seq, kind, name FROM nodes WHERE id = ?1
    UNION ALL
    SELECT n.seq, n.kind, n.name FROM d JOIN nodes n ON n.parent = d.seq
    WHERE d.kind NOT IN (SELECT kind FROM kinds WHERE leaf))
SELECT name FROM d WHERE kind = ?2
