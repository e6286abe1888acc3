-- The SQLite alternative's schema: the same model and invariants as tenantree, kept inside
-- SQLite by constraints and triggers. Shared by benches/src/sqlite.rs (rusqlite) and
-- benches/js (sql.js); see benches/README.md.
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
