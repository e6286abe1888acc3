// Transactions: read and write callbacks, all-or-nothing, batches, and the guards that keep a
// lent transaction from outliving its callback.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReadTx, WriteTx, chain, observe, refused, store, sys } from './helpers.mjs';

test('write commits what the callback did and returns its value', () => {
  const s = store();
  const result = s.write(sys, (tx) => {
    assert.ok(tx instanceof WriteTx);
    const root = tx.createNode({ kind: 'platform', name: 'acme' });
    const dist = tx.createNode({ kind: 'distributor', name: 'north', parent: root.id });
    // Reads inside see the transaction's own writes.
    assert.equal(tx.getNode(dist.id).parent, root.id);
    assert.equal(tx.children(root.id).total, 1);
    tx.setLimits(dist.id, { extensions: 5, tenants: 2 });
    tx.allocate(dist.id, 'extensions', 2);
    tx.release(dist.id, 'extensions', 1);
    tx.updateNode(dist.id, { displayName: 'North' });
    tx.setStatus(dist.id, { state: 'disabled' }, 3);
    assert.deepEqual(tx.quotas(dist.id).find((q) => q.resource === 'extensions').allocated, 1);
    assert.equal(tx.kindCounts(root.id).distributor, 1);
    assert.equal(tx.ancestors(dist.id).length, 1);
    assert.equal(tx.descendants(null, { kind: 'distributor' }).total, 1);
    return { root, dist };
  });
  const dist = s.getNode(sys, result.dist.id);
  assert.equal(dist.displayName, 'North');
  assert.deepEqual(dist.limits, { extensions: 5, tenants: 2 });
  assert.deepEqual(dist.status, { state: 'disabled' });
  assert.equal(dist.version, 4);
});

test('a callback that throws keeps nothing, and its exception reaches the caller unchanged', () => {
  const s = store();
  const c = chain(s);
  const before = observe(s);
  class Mine extends Error {}
  const mine = new Mine('stop');
  assert.throws(
    () => s.write(sys, (tx) => {
      tx.createNode({ kind: 'tenant', name: 'ghost', parent: c.reseller.id });
      tx.deleteNode(c.tenant.id);
      throw mine;
    }),
    (e) => e === mine,
  );
  assert.deepEqual(observe(s), before);
});

test('a refused operation inside a callback can be caught; the rest commits', () => {
  const s = store();
  const c = chain(s);
  s.setLimit(sys, c.reseller.id, 'tenants', 1);
  s.write(sys, (tx) => {
    const e = refused(() => tx.createNode({ kind: 'tenant', name: 'second', parent: c.reseller.id }), 'QUOTA_EXCEEDED');
    assert.equal(e.details.limit, 1);
    tx.moveNode(c.tenant.id, c.sub.id);
  });
  assert.equal(s.getNode(sys, c.tenant.id).parent, c.sub.id);
  assert.equal(s.kindCounts(sys, c.reseller.id).tenant, 0);
});

test('read runs in a snapshot and returns the callback value; check runs there too', () => {
  const s = store();
  const c = chain(s);
  const names = s.read(sys, (tx) => {
    assert.ok(tx instanceof ReadTx);
    assert.deepEqual(tx.check(), { nodes: 5, findings: [] });
    return tx.ancestors(c.tenant.id).map((n) => n.name);
  });
  assert.deepEqual(names, ['acme', 'north', 'north-east', 'shop']);
});

test('a transaction kept after its callback, or used asynchronously, refuses to work', async () => {
  const s = store();
  const c = chain(s);
  let kept;
  s.read(sys, (tx) => { kept = tx; });
  const late = refused(() => kept.getNode(c.tenant.id), 'INVALID_ARGUMENT');
  assert.equal(late.details.field, 'tx');
  let keptWrite;
  s.write(sys, (tx) => { keptWrite = tx; });
  refused(() => keptWrite.createNode({ kind: 'platform', name: 'late' }), 'INVALID_ARGUMENT');
  // Even a batch with nothing to create.
  assert.equal(refused(() => keptWrite.createNodes([]), 'INVALID_ARGUMENT').details.field, 'tx');
  refused(() => keptWrite.createNodes([{ kind: 'platform', name: 'late' }]), 'INVALID_ARGUMENT');

  // An async callback returns a promise: nothing is committed, and the caller is told why.
  const before = observe(s);
  const e = refused(() => s.write(sys, async (tx) => {
    tx.createNode({ kind: 'platform', name: 'sync-part' });
    await null;
  }), 'INVALID_ARGUMENT');
  assert.equal(e.details.field, 'callback');
  assert.match(e.message, /synchronous/);
  assert.deepEqual(observe(s), before);

  // Its later use of the transaction fails inside the abandoned promise, which is caught, so
  // no unhandled rejection ends the process.
  let afterAwait;
  const unhandled = [];
  const onUnhandled = (reason) => unhandled.push(reason);
  process.on('unhandledRejection', onUnhandled);
  try {
    refused(() => s.write(sys, async (tx) => {
      await null;
      try {
        tx.createNode({ kind: 'platform', name: 'too-late' });
      } catch (late) {
        afterAwait = late;
        throw late;
      }
    }), 'INVALID_ARGUMENT');
    await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.equal(afterAwait.code, 'INVALID_ARGUMENT');
  assert.equal(afterAwait.details.field, 'tx');
  assert.deepEqual(unhandled, []);
  assert.deepEqual(observe(s), before);
});

test('a transaction kept from one callback refuses to work inside a later one of the same store', () => {
  const s = store();
  const c = chain(s);
  const other = store();
  chain(other);
  let keptRead;
  let keptWrite;
  s.read(sys, (tx) => { keptRead = tx; });
  s.write(sys, (tx) => { keptWrite = tx; });
  // Every callback gets its own transaction object, so the kept one stays over even while the
  // store lends a new one (a read or a write) to a later callback, of this store or another.
  for (const t of [s, other]) {
    t.read(sys, (tx) => {
      assert.notEqual(tx, keptRead);
      assert.equal(refused(() => keptRead.getNode(c.tenant.id), 'INVALID_ARGUMENT').details.field, 'tx');
      refused(() => keptWrite.quotas(c.tenant.id), 'INVALID_ARGUMENT');
      if (t === s) assert.equal(tx.getNode(c.tenant.id).name, 'bakery');
    });
    t.write(sys, (tx) => {
      assert.notEqual(tx, keptWrite);
      refused(() => keptWrite.createNode({ kind: 'platform', name: 'late' }), 'INVALID_ARGUMENT');
      refused(() => keptRead.getNode(c.tenant.id), 'INVALID_ARGUMENT');
    });
  }
  assert.equal(s.children(sys, null).total, 1);
  // The object shows nothing but its methods: nothing to reach the store's transaction by.
  s.read(sys, (tx) => {
    assert.deepEqual(Reflect.ownKeys(tx), []);
    assert.equal(tx.constructor, ReadTx);
    assert.equal(typeof tx.getNode, 'function');
    // Freeing it inside its callback frees nothing the store needs.
    tx.free();
    assert.equal(tx.getNode(c.tenant.id).name, 'bakery');
  });
  assert.equal(s.read(sys, (tx) => tx.getNode(c.tenant.id).name), 'bakery');
  // A thrown exception ends the transaction object as returning does.
  let thrownTx;
  assert.throws(() => s.read(sys, (tx) => { thrownTx = tx; throw new Error('out'); }), /out/);
  refused(() => thrownTx.getNode(c.tenant.id), 'INVALID_ARGUMENT');
});

test('a lent transaction has every method of its class, by name and arity, passing every argument', () => {
  const s = store();
  const c = chain(s);
  for (const [Class, run] of [[ReadTx, (f) => s.read(sys, f)], [WriteTx, (f) => s.write(sys, f)]]) {
    run((tx) => {
      for (const key of Object.getOwnPropertyNames(Class.prototype)) {
        const method = Class.prototype[key];
        if (typeof method !== 'function' || key === 'constructor') continue;
        // The internals of allocate and release act on what wasm memory holds: not shown.
        if (['__allocate', '__release', '__renamed'].includes(key)) {
          assert.equal(tx[key], undefined, key);
          continue;
        }
        assert.equal(typeof tx[key], 'function', key);
        assert.equal(tx[key].name, key);
        assert.equal(tx[key].length, method.length, `${key} takes as many parameters as its class's`);
      }
      // One, two and three arguments reach the object, and so do more than declared.
      assert.equal(tx.getNode(c.tenant.id, 'ignored').name, 'bakery');
      assert.deepEqual(tx.children(c.platform.id, { limit: 1 }).items.map((n) => n.name), ['north']);
      assert.equal(tx.childSummaries(c.reseller.id).items[0].kind, 'tenant');
      if (tx instanceof WriteTx) assert.equal(tx.allocate(c.tenant.id, 'extensions', 2).used, 2);
    });
  }
  assert.equal(s.quotas(sys, c.tenant.id).find((q) => q.resource === 'extensions').used, 2);
});

test('the store refuses to be called from inside its own callback', () => {
  const s = store();
  const c = chain(s);
  const e = refused(() => s.write(sys, () => s.getNode(sys, c.tenant.id)), 'INVALID_ARGUMENT');
  assert.equal(e.details.field, 'store');
  refused(() => s.read(sys, () => s.exportImage()), 'INVALID_ARGUMENT');
  // And works again afterwards.
  assert.equal(s.getNode(sys, c.tenant.id).name, 'bakery');
});

test('batch applies all operations or none; apply and applyAll inside a transaction', () => {
  const s = store();
  const root = '01900000-0000-7000-8000-000000000001';
  const out = s.batch(sys, [
    { op: 'createNode', id: root, kind: 'platform', name: 'acme' },
    { op: 'createNode', kind: 'reseller', name: 'shop', parent: root, limits: { extensions: 4 } },
    { op: 'updateNode', id: root, displayName: 'ACME' },
    { op: 'setLimits', id: root, limits: { tenants: 10 } },
    { op: 'setStatus', id: root, status: { state: 'enabled' } },
  ]);
  assert.equal(out.length, 5);
  assert.equal(out[0].id, root);
  assert.equal(out[2].displayName, 'ACME');
  const shop = out[1];
  const before = observe(s);
  const e = refused(() => s.batch(sys, [
    { op: 'allocate', id: shop.id, resource: 'extensions', amount: 3 },
    { op: 'allocate', id: shop.id, resource: 'extensions', amount: 2 },
  ]), 'QUOTA_EXCEEDED');
  assert.equal(e.details.index, 1);
  assert.equal(e.details.source.code, 'QUOTA_EXCEEDED');
  assert.equal(e.details.source.requested, 2);
  assert.deepEqual(observe(s), before, 'nothing of a failed batch is applied');
  const bad = refused(() => s.batch(sys, [{ op: 'explode', id: root }]), 'INVALID_ARGUMENT');
  assert.equal(bad.details.field, '[0].op');

  const outputs = s.write(sys, (tx) => [
    tx.apply({ op: 'allocate', id: shop.id, resource: 'extensions', amount: 1 }),
    tx.applyAll([{ op: 'release', id: shop.id, resource: 'extensions', amount: 1 }, { op: 'deleteNode', id: shop.id }]),
  ]);
  assert.equal(outputs[0].allocated, 1);
  assert.deepEqual(outputs[1][1], true);
  refused(() => s.getNode(sys, shop.id), 'NOT_FOUND');
});
