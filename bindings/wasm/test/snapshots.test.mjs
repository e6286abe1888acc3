// Logical snapshots: export the store or a subtree as binary or JSON lines, read its schema,
// import it into an empty store, and refuse damaged ones with the store left empty.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Store, chain, observe, refused, sys } from './helpers.mjs';

for (const format of ['binary', 'json']) {
  test(`a ${format} snapshot round trips the store`, () => {
    const s = new Store({ preset: 'channel' });
    const c = chain(s);
    s.setLimit(sys, c.dist.id, 'extensions', 9);
    s.allocate(sys, c.tenant.id, 'extensions', 4);
    const { bytes, summary } = s.exportSnapshot(sys, null, format);
    assert.ok(bytes instanceof Uint8Array);
    assert.equal(summary.nodes, 5);
    assert.equal(summary.allocations, 1);
    assert.equal(Store.snapshotSchema(format, bytes).name, 'channel');
    const copy = new Store({ schema: Store.snapshotSchema(format, bytes) });
    assert.deepEqual(copy.importSnapshot(sys, format, bytes), summary);
    assert.deepEqual(observe(copy), observe(s));
    assert.deepEqual(copy.check().findings, []);
    const again = refused(() => copy.importSnapshot(sys, format, bytes), 'INVALID_ARGUMENT');
    assert.match(again.message, /empty/);
  });
}

test('a subtree exports alone; the read transaction exports too', () => {
  const s = new Store();
  const c = chain(s);
  const south = s.createNode(sys, { kind: 'distributor', name: 'south', parent: c.platform.id });
  s.createNode(sys, { kind: 'tenant', name: 'elsewhere', parent: south.id });
  // The subtree with the path down to it, without the rest of the tree.
  const { bytes, summary } = s.exportSnapshot(sys, c.sub.id, 'json');
  assert.equal(summary.nodes, 5);
  const part = new Store();
  part.importSnapshot(sys, 'json', bytes);
  assert.deepEqual(part.children(sys, c.platform.id).items.map((n) => n.name), ['north']);
  const inTx = s.read(sys, (tx) => tx.exportSnapshot(null, 'binary'));
  assert.equal(inTx.summary.nodes, 7);
  const target = new Store();
  assert.equal(target.write(sys, (tx) => tx.importSnapshot('binary', inTx.bytes)).nodes, 7);
});

test('damaged snapshots are refused and leave the store empty', () => {
  const s = new Store();
  chain(s);
  const { bytes } = s.exportSnapshot(sys, null, 'binary');
  for (const bad of [bytes.subarray(0, bytes.length - 7), bytes.map((b, i) => (i === bytes.length >> 1 ? b ^ 0xff : b)), new Uint8Array([1, 2, 3])]) {
    const target = new Store();
    let thrown;
    try {
      target.importSnapshot(sys, 'binary', bad);
    } catch (e) {
      thrown = e;
    }
    assert.ok(thrown, 'refused');
    assert.equal(thrown.name, 'TenantreeError');
    assert.deepEqual(target.kindCounts(sys), { distributor: 0, platform: 0, reseller: 0, sub_distributor: 0, tenant: 0 });
  }
  refused(() => new Store().importSnapshot(sys, 'xml', bytes), 'INVALID_ARGUMENT');
  refused(() => new Store().importSnapshot(sys, 'binary', [1, 2]), 'INVALID_ARGUMENT');
});
