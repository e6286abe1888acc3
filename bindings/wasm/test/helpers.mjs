// Shared by the Node tests: the package under test, imported by its own name, as users do.
import assert from 'node:assert/strict';
import tenantree from 'tenantree';

export const { Store, ReadTx, WriteTx } = tenantree;

/** The embedding application's actor. */
export const sys = Object.freeze({ type: 'system' });

/** A fresh in-memory store with the channel schema. */
export function store(options) {
  return new Store(options);
}

/** platform → distributor → sub_distributor → reseller → tenant. */
export function chain(s) {
  const platform = s.createNode(sys, { kind: 'platform', name: 'acme' });
  const dist = s.createNode(sys, { kind: 'distributor', name: 'north', parent: platform.id });
  const sub = s.createNode(sys, { kind: 'sub_distributor', name: 'north-east', parent: dist.id });
  const reseller = s.createNode(sys, { kind: 'reseller', name: 'shop', parent: sub.id });
  const tenant = s.createNode(sys, { kind: 'tenant', name: 'bakery', parent: reseller.id });
  return { platform, dist, sub, reseller, tenant };
}

/**
 * Runs `fn`, which must throw a TenantreeError with `code`; checks the error's shape and
 * returns it.
 */
export function refused(fn, code) {
  let thrown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  assert.ok(thrown !== undefined, `expected ${code}, but nothing was thrown`);
  assertTenantreeError(thrown);
  assert.equal(thrown.code, code, `expected ${code}, got ${thrown.code}: ${thrown.message}`);
  return thrown;
}

/** A real Error named TenantreeError, with a stable code, a message and a plain details object. */
export function assertTenantreeError(e) {
  assert.ok(e instanceof Error, `not an Error: ${e}`);
  assert.equal(e.name, 'TenantreeError');
  assert.equal(typeof e.code, 'string');
  assert.match(e.code, /^[A-Z_]+$/);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.message.length > 0);
  assert.equal(typeof e.stack, 'string');
  assert.equal(Object.getPrototypeOf(e.details), Object.prototype, 'details is a plain object');
}

/** Every node of the store, by id, with its quotas: what a caller can observe. */
export function observe(s) {
  const out = {};
  for (const kind of s.schema().kinds.map((k) => k.name)) {
    let query = { kind, limit: 1000 };
    for (;;) {
      const page = s.descendants(sys, null, query);
      for (const n of page.items) out[n.id] = { node: n, quotas: s.quotas(sys, n.id) };
      if (page.next === null) break;
      query = { ...query, cursor: page.next };
    }
  }
  return out;
}
