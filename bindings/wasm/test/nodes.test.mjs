// Nodes: create, get, update, status, move, delete, ancestors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chain, refused, store, sys } from './helpers.mjs';

test('createNode returns the node as a plain object with every field', () => {
  const s = store();
  const root = s.createNode(sys, { kind: 'platform', name: 'acme', displayName: 'ACME Telecom', limits: { tenants: 50 } });
  assert.match(root.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(root.kind, 'platform');
  assert.equal(root.parent, null);
  assert.equal(root.name, 'acme');
  assert.equal(root.displayName, 'ACME Telecom');
  assert.equal('email' in root, false, 'absent profile fields are absent');
  assert.deepEqual(root.status, { state: 'enabled' });
  assert.deepEqual(root.effectiveStatus, { status: { state: 'enabled' }, source: null });
  assert.deepEqual(root.limits, { tenants: 50 });
  assert.equal(root.depth, 1);
  assert.equal(root.version, 1);
  assert.equal(root.tenantFullAccess, true);
  assert.equal(Object.getPrototypeOf(root), Object.prototype);
  assert.deepEqual(s.getNode(sys, root.id), root);
});

test('a caller-chosen id is kept', () => {
  const s = store();
  const id = '01900000-0000-7000-8000-0000000000aa';
  assert.equal(s.createNode(sys, { id, kind: 'platform', name: 'acme' }).id, id);
  assert.equal(s.getNode(sys, id).name, 'acme');
});

test('updateNode: absent and undefined fields stay, null clears', () => {
  const s = store();
  const root = s.createNode(sys, { kind: 'platform', name: 'acme', email: 'ops@acme.example', phone: '+32 2 555 01 01' });
  const updated = s.updateNode(sys, root.id, { email: null, phone: undefined, website: 'https://acme.example' });
  assert.equal('email' in updated, false);
  assert.equal(updated.phone, '+32 2 555 01 01');
  assert.equal(updated.website, 'https://acme.example');
  assert.equal(updated.version, 2);
  const renamed = s.updateNode(sys, root.id, { name: 'acme2', expectedVersion: 2 });
  assert.equal(renamed.name, 'acme2');
  const e = refused(() => s.updateNode(sys, root.id, { name: 'acme3', expectedVersion: 2 }), 'CONFLICT');
  assert.deepEqual(e.details, { entity: 'node', id: root.id, expected: 2, actual: 3 });
});

test('setStatus cascades to the subtree and is undone by enabling', () => {
  const s = store();
  const c = chain(s);
  const suspended = s.setStatus(sys, c.dist.id, { state: 'suspended', profile: 2 });
  assert.deepEqual(suspended.status, { state: 'suspended', profile: 2 });
  const tenant = s.getNode(sys, c.tenant.id);
  assert.deepEqual(tenant.status, { state: 'enabled' });
  assert.deepEqual(tenant.effectiveStatus, { status: { state: 'suspended', profile: 2 }, source: c.dist.id });
  const e = refused(() => s.createNode(sys, { kind: 'tenant', name: 'late', parent: c.reseller.id }), 'SERVICE_DISABLED');
  assert.deepEqual(e.details, { node: c.reseller.id, disabledBy: c.dist.id, status: 'suspended' });
  s.setStatus(sys, c.dist.id, { state: 'enabled' });
  assert.equal(s.createNode(sys, { kind: 'tenant', name: 'late', parent: c.reseller.id }).name, 'late');
});

test('moveNode moves a subtree and refuses cycles and wrong kinds', () => {
  const s = store();
  const c = chain(s);
  const other = s.createNode(sys, { kind: 'reseller', name: 'other', parent: c.dist.id });
  const moved = s.moveNode(sys, c.tenant.id, other.id);
  assert.equal(moved.parent, other.id);
  assert.equal(moved.depth, 4);
  assert.deepEqual(s.ancestors(sys, c.tenant.id).map((n) => n.name), ['acme', 'north', 'other']);
  const cycle = refused(() => s.moveNode(sys, c.dist.id, c.reseller.id), 'CYCLE');
  assert.deepEqual(cycle.details, { node: c.dist.id, newParent: c.reseller.id });
  const kind = refused(() => s.moveNode(sys, c.dist.id, null), 'KIND_NOT_ALLOWED');
  assert.deepEqual(kind.details, { kind: 'distributor', parentKind: null });
});

test('deleteNode deletes only empty nodes and names the blockers', () => {
  const s = store();
  const c = chain(s);
  s.allocate(sys, c.tenant.id, 'extensions', 3);
  const e = refused(() => s.deleteNode(sys, c.reseller.id), 'STILL_IN_USE');
  assert.deepEqual(e.details, { node: c.reseller.id, blockers: [{ kind: 'tenant', count: 1, names: ['bakery'] }] });
  const alloc = refused(() => s.deleteNode(sys, c.tenant.id), 'STILL_IN_USE');
  assert.deepEqual(alloc.details.blockers, [{ kind: 'allocation', count: 1, names: ['extensions=3'] }]);
  s.release(sys, c.tenant.id, 'extensions', 3);
  assert.equal(s.deleteNode(sys, c.tenant.id), true);
  assert.equal(s.deleteNode(sys, c.tenant.id), false, 'a repeated delete is not an error');
  refused(() => s.getNode(sys, c.tenant.id), 'NOT_FOUND');
});

test('ancestors lists top-down', () => {
  const s = store();
  const c = chain(s);
  assert.deepEqual(s.ancestors(sys, c.tenant.id).map((n) => n.kind), ['platform', 'distributor', 'sub_distributor', 'reseller']);
  assert.deepEqual(s.ancestors(sys, c.platform.id), []);
});

test('time comes from Date.now() and randomness from crypto.getRandomValues', (t) => {
  const s = store();
  const fixed = Date.UTC(2030, 0, 2, 3, 4, 5, 678);
  t.mock.method(Date, 'now', () => fixed);
  const getRandomValues = crypto.getRandomValues;
  t.mock.method(crypto, 'getRandomValues', (buf) => buf.fill(0x42));
  const node = s.createNode(sys, { kind: 'platform', name: 'acme' });
  assert.equal(node.created, fixed * 1000, 'microseconds from the mocked Date.now()');
  assert.equal(node.id.slice(0, 13).replace('-', ''), fixed.toString(16).padStart(12, '0'), 'UUIDv7 time bits');
  // The 74 random bits of the UUIDv7 are the mocked 0x42 bytes, bar the version and variant.
  assert.equal(node.id.slice(15, 18), '242');
  assert.equal(node.id.slice(24), '424242424242');
  assert.ok(crypto.getRandomValues.mock.callCount() > 0);
  t.mock.restoreAll();
  assert.equal(crypto.getRandomValues, getRandomValues);
  const later = s.createNode(sys, { kind: 'platform', name: 'later' });
  assert.ok(Math.abs(later.created / 1000 - Date.now()) < 60_000, 'the real clock again');
});

test('createNodes creates in order and returns the ids', () => {
  const s = store();
  const [root] = s.write(sys, (tx) => tx.createNodes([{ kind: 'platform', name: 'acme' }]));
  const ids = s.write(sys, (tx) => tx.createNodes([
    { kind: 'distributor', name: 'north', parent: root },
    { kind: 'distributor', name: 'south', parent: root, displayName: 'South' },
  ]));
  assert.equal(ids.length, 2);
  assert.ok(Array.isArray(ids) && Object.getPrototypeOf(ids) === Array.prototype);
  // The ids are the created nodes' own, as their `id` gives them back.
  assert.deepEqual(ids.map((id) => s.getNode(sys, id).id), ids);
  for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(ids.map((id) => s.getNode(sys, id).name), ['north', 'south']);
  assert.equal(s.getNode(sys, ids[1]).displayName, 'South');
  assert.equal(s.getNode(sys, ids[0]).parent, root);
  assert.deepEqual(s.write(sys, (tx) => tx.createNodes([])), []);
});

test('createNodes returns every id of a batch longer than one decoded text, each its own node\'s', () => {
  const s = store();
  const [root] = s.write(sys, (tx) => tx.createNodes([{ kind: 'platform', name: 'acme' }]));
  // hot.js decodes the ids 64 to a text: 130 crosses two of its boundaries and ends short.
  for (const n of [63, 64, 65, 130]) {
    const names = Array.from({ length: n }, (_, i) => `b${n}-${i}`);
    const ids = s.write(sys, (tx) => tx.createNodes(names.map((name) => ({ kind: 'distributor', name, parent: root }))));
    assert.equal(ids.length, n);
    assert.equal(new Set(ids).size, n);
    assert.deepEqual(ids.map((id) => s.getNode(sys, id).name), names);
  }
});

test('createNodes stamps one call\'s nodes with one time; their ids still sort in creation order', () => {
  const s = store();
  const [root] = s.write(sys, (tx) => tx.createNodes([{ kind: 'platform', name: 'acme' }]));
  // Enough nodes to take several milliseconds, so that reading the clock per node would differ.
  const recs = Array.from({ length: 3000 }, (_, i) => ({ kind: 'distributor', name: `d${i}`, parent: root }));
  const before = Date.now();
  const ids = s.write(sys, (tx) => tx.createNodes(recs));
  const after = Date.now();
  const created = new Set(ids.map((id) => s.getNode(sys, id).created));
  assert.equal(created.size, 1);
  const [micros] = created;
  assert.ok(micros >= before * 1000 && micros <= after * 1000, `${micros} within the call`);
  assert.deepEqual([...ids].sort(), ids, 'ids in creation order');
  // The next call reads the clock again.
  const [later] = s.write(sys, (tx) => tx.createNodes([{ kind: 'distributor', name: 'later', parent: root }]));
  assert.ok(s.getNode(sys, later).created >= micros);
});

test('createNodes throws the first refusal, and a bad element names its index', () => {
  const s = store();
  const c = chain(s);
  s.setLimit(sys, c.reseller.id, 'tenants', 2);
  const quota = refused(() => s.write(sys, (tx) => tx.createNodes([
    { kind: 'tenant', name: 'a', parent: c.reseller.id },
    { kind: 'tenant', name: 'b', parent: c.reseller.id },
  ])), 'QUOTA_EXCEEDED');
  assert.equal(quota.details.limit, 2);
  assert.equal(s.children(sys, c.reseller.id).total, 1, 'the transaction was discarded');
  const bad = refused(() => s.write(sys, (tx) => tx.createNodes([{ kind: 'tenant', name: 'a', parent: c.reseller.id }, { kind: 'tenant', name: 5 }])), 'INVALID_ARGUMENT');
  assert.equal(bad.details.field, '[1].name');
  refused(() => s.write(sys, (tx) => tx.createNodes('nope')), 'INVALID_ARGUMENT');
});

// Simple records (kind, name, parent, limits) cross on hot.js's input wire; anything else
// through JSON. A field set to undefined is left out by JSON.stringify, so `email: undefined`
// sends the same record the JSON way: both must give the same nodes and the same errors.
test('createNodes answers the same on its input wire as through JSON', () => {
  const outcome = (recs) => {
    const s = store();
    const c = chain(s);
    const fill = (r) => (r.parent === 'RESELLER' ? { ...r, parent: c.reseller.id } : r);
    try {
      const ids = s.write(sys, (tx) => tx.createNodes(recs.map(fill)));
      return ids.map((id) => {
        const { id: _id, parent, created, updated, ...rest } = s.getNode(sys, id);
        return { ...rest, parent: parent === c.reseller.id ? 'RESELLER' : parent };
      });
    } catch (e) {
      // The id of a clashing node is a fresh one in each store.
      const { existing, ...details } = e.details ?? {};
      return { code: e.code, message: e.message, details, existing: typeof existing };
    }
  };
  const big = Number.MAX_SAFE_INTEGER;
  const cases = [
    [{ kind: 'tenant', name: 'plain', parent: 'RESELLER' }],
    [{ kind: 'platform', name: 'top', parent: null }, { kind: 'platform', name: 'top2', parent: undefined }],
    [{ kind: 'tenant', name: "o'brien.co_1-a", parent: 'RESELLER', limits: { extensions: 0, disk_bytes: big } }],
    [{ kind: 'tenant', name: 'ünïcode 😀 "q" \\', parent: 'RESELLER' }],
    [{ kind: 'tenant', name: 'tab\there', parent: 'RESELLER' }],
    [{ kind: 'tenant', name: 'lim', parent: 'RESELLER', limits: { extensions: undefined, tenants: -0 } }],
    [{ name: 'order', parent: 'RESELLER', kind: 'tenant', limits: {} }],
    // Refused, by the core or by the decoding, with the same errors.
    [{ kind: 'tenant', name: 'lone \ud800 surrogate', parent: 'RESELLER' }],
    [{ kind: 'tenant', name: 'nul\u0000inside', parent: 'RESELLER' }],
    [{ kind: 'tenant', name: '', parent: 'RESELLER' }],
    [{ kind: 'tenant', name: 'x', parent: 'not-a-uuid' }],
    [{ kind: 'tenant', name: 'x', parent: '00000000-0000-0000-0000-000000000000' }],
    [{ kind: 'tenant', name: 'x', parent: 'RESELLER', limits: { extensions: 1.5 } }],
    [{ kind: 'tenant', name: 'x', parent: 'RESELLER', limits: { extensions: big + 1 } }],
    [{ kind: 'tenant', name: 'x', parent: 'RESELLER', limits: { extensions: -1 } }],
    [{ kind: 'tenant', name: 'x', parent: 'RESELLER', limits: { nope: 1 } }],
    [{ kind: 'nope', name: 'x', parent: 'RESELLER' }],
    [{ kind: 'tenant', name: 'a', parent: 'RESELLER' }, { kind: 'tenant', name: 'A', parent: 'RESELLER' }],
  ];
  for (const recs of cases) {
    const viaJson = outcome(recs.map((r) => ({ ...r, email: undefined })));
    assert.deepStrictEqual(outcome(recs), viaJson, JSON.stringify(recs));
  }
  // A record's fields other than the simple four still arrive (the JSON way).
  const s = store();
  const [id] = s.write(sys, (tx) => tx.createNodes([{ kind: 'platform', name: 'p', email: 'a@b.example', tenantFullAccess: false }]));
  assert.equal(s.getNode(sys, id).email, 'a@b.example');
  assert.equal(s.getNode(sys, id).tenantFullAccess, false);
});
