// Quotas: limits, allocate and release, roll-ups, and the refusals with their figures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chain, refused, store, sys } from './helpers.mjs';

test('allocations roll up and a refused one names the node whose limit is hit', () => {
  const s = store();
  const c = chain(s);
  const dist = s.setLimit(sys, c.dist.id, 'extensions', 10);
  assert.deepEqual(dist.limits, { extensions: 10 });
  const q = s.allocate(sys, c.tenant.id, 'extensions', 8);
  assert.deepEqual(q, { resource: 'extensions', limit: null, used: 8, allocated: 8, available: 2 });
  const e = refused(() => s.allocate(sys, c.tenant.id, 'extensions', 3), 'QUOTA_EXCEEDED');
  assert.deepEqual(e.details, { node: c.dist.id, resource: 'extensions', limit: 10, used: 8, requested: 3 });
  assert.match(e.message, /quota exceeded/);
  const atDist = s.quotas(sys, c.dist.id).find((x) => x.resource === 'extensions');
  assert.deepEqual(atDist, { resource: 'extensions', limit: 10, used: 8, allocated: 0, available: 2 });
  assert.deepEqual(s.release(sys, c.tenant.id, 'extensions', 5), {
    resource: 'extensions', limit: null, used: 3, allocated: 3, available: 7,
  });
  refused(() => s.release(sys, c.tenant.id, 'extensions', 4), 'INVALID_ARGUMENT');
});

test('a counted resource limits creates', () => {
  const s = store();
  const c = chain(s);
  s.setLimit(sys, c.reseller.id, 'tenants', 2);
  s.createNode(sys, { kind: 'tenant', name: 'second', parent: c.reseller.id });
  const e = refused(() => s.createNode(sys, { kind: 'tenant', name: 'third', parent: c.reseller.id }), 'QUOTA_EXCEEDED');
  assert.equal(e.details.resource, 'tenants');
  assert.equal(e.details.used, 2);
  assert.equal(s.kindCounts(sys, c.reseller.id).tenant, 2);
});

test('limits are refused below usage and above an ancestor, with the rule', () => {
  const s = store();
  const c = chain(s);
  s.setLimit(sys, c.dist.id, 'extensions', 10);
  s.allocate(sys, c.tenant.id, 'extensions', 6);
  const below = refused(() => s.setLimit(sys, c.dist.id, 'extensions', 5), 'INVALID_LIMIT');
  assert.deepEqual(below.details, {
    node: c.dist.id, resource: 'extensions', requested: 5, reason: { rule: 'belowUsage', used: 6 },
  });
  const above = refused(() => s.setLimit(sys, c.reseller.id, 'extensions', 11), 'INVALID_LIMIT');
  assert.deepEqual(above.details.reason, { rule: 'aboveAncestor', ancestor: c.dist.id, ancestorLimit: 10 });
  const removed = s.setLimit(sys, c.dist.id, 'extensions', null);
  assert.deepEqual(removed.limits, {});
});

test('amounts must be whole numbers JS can hold exactly', () => {
  const s = store();
  const c = chain(s);
  const frac = refused(() => s.allocate(sys, c.tenant.id, 'extensions', 1.5), 'INVALID_ARGUMENT');
  assert.equal(frac.details.field, 'amount');
  refused(() => s.allocate(sys, c.tenant.id, 'extensions', -1), 'INVALID_ARGUMENT');
  refused(() => s.allocate(sys, c.tenant.id, 'extensions', '3'), 'INVALID_ARGUMENT');
  const big = refused(() => s.allocate(sys, c.tenant.id, 'extensions', 10n), 'INVALID_ARGUMENT');
  assert.match(big.message, /JSON/);
  refused(() => s.allocate(sys, c.tenant.id, 'extensions', 0), 'INVALID_ARGUMENT');
});
