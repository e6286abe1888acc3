-- tenantree's channel schema as rows of the SQLite model (benches/sql/schema.sql).
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
