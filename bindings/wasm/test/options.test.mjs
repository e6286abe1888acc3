// Opening stores: presets, schemas of one's own, durability, cache size, bad options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Store, refused, sys } from './helpers.mjs';

test('presets and the default schema', () => {
  assert.equal(new Store().schema().name, 'channel');
  assert.equal(Store.inMemory().schema().name, 'channel');
  assert.equal(Store.inMemory({ preset: 'fusion' }).schema().name, 'fusion');
  const clients = new Store({ preset: 'clients' });
  const a = clients.createNode(sys, { kind: 'client', name: 'A' });
  assert.equal(clients.createNode(sys, { kind: 'client', name: 'B', parent: a.id }).depth, 2);
});

test('a schema of the caller\'s own', () => {
  const schema = structuredClone(new Store().schema());
  schema.name = 'mine';
  schema.maxDepth = 3;
  const s = new Store({ schema });
  assert.deepEqual(s.schema(), schema);
  const root = s.createNode(sys, { kind: 'platform', name: 'p' });
  const dist = s.createNode(sys, { kind: 'distributor', name: 'd', parent: root.id });
  const sub = s.createNode(sys, { kind: 'sub_distributor', name: 's', parent: dist.id });
  const e = refused(() => s.createNode(sys, { kind: 'reseller', name: 'r', parent: sub.id }), 'DEPTH_EXCEEDED');
  assert.deepEqual(e.details, { depth: 4, maxDepth: 3 });
  const invalid = refused(() => new Store({ schema: { ...schema, kinds: [] } }), 'INVALID_ARGUMENT');
  assert.ok(invalid.details.field.length > 0);
});

test('durability, cache size and flush', () => {
  const s = new Store({ durability: 'bulk', cacheSize: 1 << 20 });
  s.createNode(sys, { kind: 'platform', name: 'acme' });
  assert.equal(s.flush(), undefined);
  assert.equal(typeof s.compact(), 'boolean');
  assert.deepEqual(s.check(), { nodes: 1, findings: [] });
});

test('bad options are refused, naming the option', () => {
  const typo = refused(() => new Store({ preset: 'channel', durabilty: 'bulk' }), 'INVALID_ARGUMENT');
  assert.match(typo.message, /durabilty/);
  const preset = refused(() => new Store({ preset: 'galaxy' }), 'INVALID_ARGUMENT');
  assert.equal(preset.details.field, 'preset');
  refused(() => new Store({ preset: 'channel', schema: new Store().schema() }), 'INVALID_ARGUMENT');
  refused(() => new Store('channel'), 'INVALID_ARGUMENT');
});
