// Errors: every error is a real Error named TenantreeError, with the core's stable code, its
// message and a plain details object; wrong arguments of any JS type are errors of that kind
// too, never a crash.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertTenantreeError, chain, refused, store, sys } from './helpers.mjs';

test('the codes of the core, with their details', () => {
  const s = store();
  const c = chain(s);
  const missing = '01900000-0000-7000-8000-00000000dead';

  assert.deepEqual(refused(() => s.getNode(sys, missing), 'NOT_FOUND').details, { entity: 'node', id: missing });

  const dup = refused(() => s.createNode(sys, { kind: 'distributor', name: 'NORTH', parent: c.platform.id }), 'ALREADY_EXISTS');
  assert.deepEqual(dup.details, { entity: 'node', field: 'name', value: 'NORTH', existing: c.dist.id });

  const kind = refused(() => s.createNode(sys, { kind: 'tenant', name: 'x', parent: c.tenant.id }), 'KIND_NOT_ALLOWED');
  assert.deepEqual(kind.details, { kind: 'tenant', parentKind: 'tenant' });

  const name = refused(() => s.createNode(sys, { kind: 'platform', name: 'root' }), 'INVALID_ARGUMENT');
  assert.equal(name.details.field, 'name');
  assert.match(name.details.reason, /reserved/);

  const account = refused(() => s.getNode({ type: 'account', id: 7 }, c.platform.id), 'UNAUTHENTICATED');
  assert.deepEqual(account.details, {});
  assert.equal(account.message, 'authentication failed');

  const limit = refused(() => s.createNode(sys, { kind: 'tenant', name: 'x', parent: c.reseller.id, limits: { bananas: 1 } }), 'INVALID_ARGUMENT');
  assert.match(limit.details.field, /bananas/);
});

test('arguments of the wrong JS type are INVALID_ARGUMENT naming the argument or field', () => {
  const s = store();
  const c = chain(s);
  const cases = [
    [() => s.getNode(sys, 42), 'id'],
    [() => s.getNode(sys, 'not-a-uuid'), 'id'],
    [() => s.getNode(sys), 'id'],
    [() => s.getNode(undefined, c.platform.id), 'actor'],
    [() => s.getNode({ type: 'root' }, c.platform.id), 'type'],
    [() => s.createNode(sys, { kind: 'platform', name: 5 }), 'name'],
    [() => s.createNode(sys, { kind: 'platform', name: 'p', limits: { tenants: -1 } }), 'limits.tenants'],
    [() => s.createNode(sys, null), 'node'],
    [() => s.setStatus(sys, c.platform.id, 'paused'), 'status'],
    [() => s.setStatus(sys, c.platform.id, { state: 'suspended' }), 'status'],
    [() => s.children(sys, c.platform.id, { limit: 'ten' }), 'limit'],
    [() => s.write(sys, (tx) => tx.setStatus(c.platform.id, { state: 'enabled' }, 'v1')), 'expectedVersion'],
    [() => s.allocate(sys, c.tenant.id, Symbol('x'), 1), 'resource'],
    [() => s.createNode(sys, { kind: 'platform', name: 'p', extra: { n: 1n } }), 'node'],
  ];
  for (const [call, field] of cases) {
    const e = refused(call, 'INVALID_ARGUMENT');
    assert.equal(e.details.field, field, `${call}: ${e.message}`);
    assert.equal(e.message.startsWith(`invalid ${field}: `), true, e.message);
  }
  const cyclic = {};
  cyclic.self = cyclic;
  assertTenantreeError(refused(() => s.createNode(sys, cyclic), 'INVALID_ARGUMENT'));
});

test('error objects are ordinary errors: stack, instanceof, JSON, rethrow', () => {
  const s = store();
  const e = refused(() => s.getNode(sys, '01900000-0000-7000-8000-00000000dead'), 'NOT_FOUND');
  assert.ok(e.stack.includes('TenantreeError'));
  assert.equal(String(e), `TenantreeError: ${e.message}`);
  assert.deepEqual(JSON.parse(JSON.stringify({ code: e.code, details: e.details })), { code: 'NOT_FOUND', details: e.details });
  assert.ok(Object.isExtensible(e.details));
});

test('ids, names and amounts decode as their JSON would, on the direct path too', () => {
  const s = store();
  const c = chain(s);
  const cases = [
    [() => s.allocate(sys, c.tenant.id, 'extensions', 1.5), 'amount'],
    [() => s.allocate(sys, c.tenant.id, 'extensions', -1), 'amount'],
    [() => s.allocate(sys, c.tenant.id, 'extensions', 2 ** 64), 'amount'],
    [() => s.allocate(sys, c.tenant.id, 'extensions', NaN), 'amount'],
    [() => s.allocate(sys, c.tenant.id, 'extensions', '1'), 'amount'],
    [() => s.allocate(sys, c.tenant.id, 5, 1), 'resource'],
    // A lone surrogate: JSON.stringify keeps it as an escape, which serde_json refuses.
    [() => s.allocate(sys, c.tenant.id, '\uD800', 1), 'resource'],
    [() => s.getNode(sys, new String(c.tenant.id)), null],
  ];
  for (const [call, field] of cases) {
    if (field === null) {
      assert.equal(call().id, c.tenant.id);
      continue;
    }
    const e = refused(call, 'INVALID_ARGUMENT');
    assert.equal(e.details.field, field, `${call}: ${e.message}`);
  }
  // -0 is written 0 by JSON.stringify: an amount of 0, which the core refuses.
  assert.match(refused(() => s.allocate(sys, c.tenant.id, 'extensions', -0), 'INVALID_ARGUMENT').message, /at least 1/);
  // A String object stringifies as its string.
  assert.equal(s.allocate(sys, c.tenant.id, new String('extensions'), 2).used, 2);
  assert.equal(s.release(sys, c.tenant.id, 'extensions', 2 ** 0).used, 1);
  // Integers beyond 2^53 in a record are refused rather than rounded, on the JSON path too.
  refused(() => s.setLimit(sys, c.dist.id, 'extensions', 2 ** 53), 'INVALID_ARGUMENT');
});

test('an argument whose getter throws is INVALID_ARGUMENT, and the store and its transaction keep working', () => {
  const s = store();
  const c = chain(s);
  const boom = (name) => ({ get() { throw new Error(`boom ${name}`); }, enumerable: true });
  const query = Object.defineProperty({}, 'limit', boom('query'));
  const actor = Object.defineProperty({}, 'type', boom('actor'));
  const record = Object.defineProperty({ kind: 'tenant', parent: c.reseller.id }, 'name', boom('record'));
  const cases = [
    [() => s.childSummaries(sys, c.platform.id, query), 'query'],
    [() => s.children(sys, c.platform.id, query), 'query'],
    [() => s.getNode(actor, c.platform.id), 'actor'],
    [() => s.write(sys, (tx) => tx.createNodes([record])), 'nodes'],
  ];
  for (const [call, field] of cases) {
    const e = refused(call, 'INVALID_ARGUMENT');
    assert.equal(e.details.field, field, e.message);
    assert.match(e.message, /boom/);
    assert.equal(s.getNode(sys, c.tenant.id).name, 'bakery', `the store works after ${field}`);
  }
  // Inside a callback the transaction goes on after the refusal.
  const names = s.read(sys, (tx) => {
    refused(() => tx.childSummaries(c.platform.id, query), 'INVALID_ARGUMENT');
    return tx.childSummaries(c.platform.id).items.map((n) => n.name);
  });
  assert.deepEqual(names, ['north']);
  const [id] = s.write(sys, (tx) => {
    refused(() => tx.createNodes([record]), 'INVALID_ARGUMENT');
    return tx.createNodes([{ kind: 'tenant', name: 'after', parent: c.reseller.id }]);
  });
  assert.equal(s.getNode(sys, id).name, 'after');
});
